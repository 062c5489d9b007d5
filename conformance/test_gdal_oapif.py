"""GDAL's OGC API - Features driver (OAPIF) as a real client: Python bindings, ogrinfo, ogr2ogr."""
import subprocess
from collections import Counter

import pytest
from osgeo import gdal, ogr

import support as s

COPY_LAYERS = ["communes", "pg_ocs2d", "pg_ocs2d_nopk"]


def _open(base_url, page_size=1000):
    ds = gdal.OpenEx("OAPIF:" + base_url, gdal.OF_VECTOR | gdal.OF_READONLY,
                     open_options=[f"PAGE_SIZE={page_size}"])
    assert ds is not None, "GDAL could not open the service"
    return ds


@pytest.fixture(scope="module")
def oapif(base_url):
    return _open(base_url)


def _feature_values(feat) -> dict:
    return s.feature_props(feat)


def test_gdal_lists_every_collection(oapif, collections_doc):
    # GDAL 3.6 lists every collection, imagery ones (no itemType, no items) and the
    # catalogue's records included.
    names = sorted(oapif.GetLayer(i).GetName() for i in range(oapif.GetLayerCount()))
    assert names == sorted(c["id"] for c in collections_doc["collections"])
    names = [n for n in names if n not in s.RASTER_IDS and n != s.CATALOGUE_ID]
    assert names == sorted(s.LAYER_IDS)
    for name in names:
        lyr = oapif.GetLayerByName(name)
        assert lyr.GetMetadataItem("TITLE") == s.LAYERS[name].title


@pytest.mark.parametrize("cid", s.LAYER_IDS)
def test_gdal_feature_count(cid, oapif):
    lyr = oapif.GetLayerByName(cid)
    n = s.source_count(cid)
    assert lyr.GetFeatureCount() == n, "count announced by the server (numberMatched)"
    # and really reading through the driver's own paging
    seen = 0
    lyr.ResetReading()
    for _ in lyr:
        seen += 1
    assert seen == n, f"{cid}: GDAL read {seen} features through paging, the source has {n}"


@pytest.mark.parametrize("cid", ["communes", "ocs2d", "pg_communes"])
def test_gdal_schema_matches_source(cid, oapif):
    lyr = oapif.GetLayerByName(cid)
    d = lyr.GetLayerDefn()
    got = {d.GetFieldDefn(i).GetName() for i in range(d.GetFieldCount())}
    want = set(s.source_field_names(cid))
    assert want <= got, f"fields missing in GDAL: {sorted(want - got)}"
    assert got - want <= {"id"}, f"unexpected fields: {sorted(got - want)}"
    gt = ogr.GT_Flatten(d.GetGeomType())
    assert ogr.GeometryTypeToName(gt).replace(" ", "").lower() == s.source_geometry_type(cid).lower()


def test_gdal_get_feature_by_id(oapif):
    lyr = oapif.GetLayerByName("communes")
    src = s.source_by_fid("communes")
    fid = sorted(src)[42]
    f = lyr.GetFeature(fid)  # /collections/communes/items/{fid}
    assert f is not None and f.GetFID() == fid
    assert not s.props_mismatches(_feature_values(f), src[fid].props)


def test_gdal_spatial_filter(oapif):
    """GDAL turns a spatial filter into bbox= (CRS84)."""
    lyr = oapif.GetLayerByName("ocs2d")
    src = s.source_geoms_crs84("ocs2d")
    fid, _, g = src[len(src) // 2]
    x0, y0, x1, y1 = s.geometry_bbox(g)
    lyr.SetSpatialFilterRect(x0, y0, x1, y1)
    got = {f.GetFID() for f in lyr}
    lyr.SetSpatialFilter(None)
    assert fid in got
    assert 1 <= len(got) < 50


def test_ogrinfo_summary(base_url):
    p = subprocess.run(["ogrinfo", "-ro", "-so", "OAPIF:" + base_url, "communes"],
                       capture_output=True, text=True, timeout=300)
    assert p.returncode == 0, p.stderr
    assert f"Feature Count: {s.source_count('communes')}" in p.stdout, p.stdout
    for name in s.source_field_names("communes"):
        assert f"{name}:" in p.stdout
    p = subprocess.run(["ogrinfo", "-ro", "-q", "OAPIF:" + base_url],
                       capture_output=True, text=True, timeout=300)
    assert p.returncode == 0, p.stderr
    for cid in s.LAYER_IDS:
        assert f": {cid}" in p.stdout or f" {cid} " in p.stdout or cid in p.stdout.split(), p.stdout


@pytest.mark.parametrize("cid", COPY_LAYERS)
def test_ogr2ogr_copies_whole_collection(cid, base_url, tmp_path):
    """ogr2ogr -f GPKG out.gpkg OAPIF:<url> <layer>: GDAL's default paging, every feature, every attribute."""
    out = tmp_path / f"{cid}.gpkg"
    p = subprocess.run(["ogr2ogr", "-f", "GPKG", str(out), "OAPIF:" + base_url, cid],
                       capture_output=True, text=True, timeout=900)
    assert p.returncode == 0, f"ogr2ogr failed: {p.stderr[-2000:]}"
    ds = ogr.Open(str(out))
    lyr = ds.GetLayerByName(cid)
    assert lyr is not None, [ds.GetLayer(i).GetName() for i in range(ds.GetLayerCount())]
    n = s.source_count(cid)
    assert lyr.GetFeatureCount() == n, f"{cid}: copied {lyr.GetFeatureCount()} features, source has {n}"

    names = s.source_field_names(cid)
    d = lyr.GetLayerDefn()
    got_names = {d.GetFieldDefn(i).GetName() for i in range(d.GetFieldCount())}
    assert set(names) <= got_names, f"{cid}: attributes lost: {sorted(set(names) - got_names)}"

    copied = [(f.GetFID(), _feature_values(f), s.ogr_geom_to_geojson(f.GetGeometryRef())) for f in lyr]
    if s.source_has_pk(cid):
        src = s.source_by_fid(cid)
        assert {fid for fid, _, _ in copied} == set(src), f"{cid}: copied FIDs are not the source ids"
        bad = [(fid, s.props_mismatches(props, src[fid].props)[:3]) for fid, props, _ in copied
               if s.props_mismatches(props, src[fid].props)]
        assert not bad, f"{cid}: {len(bad)} features with different attributes, e.g. {bad[:5]}"
        crs84 = {fid: g for fid, _, g in s.source_geoms_crs84(cid)}
        far = [fid for fid, _, g in copied[::25] if s.geometry_max_diff(g, crs84[fid]) > 1e-7]
        assert not far, f"{cid}: geometries differ from the source, e.g. ids {far[:5]}"
    else:
        got = Counter(s.canon_props(props, names) for _, props, _ in copied)
        want = Counter(s.canon_props(f.props, names) for f in s.source_features(cid))
        assert got == want, f"{cid}: copied attribute tuples differ: {s.multiset_diff(got, want)}"

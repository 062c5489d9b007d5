"""WFS 2.0.0 and 1.1.0 with real clients: OWSLib's WebFeatureService and GDAL's WFS driver
(with its own paging), against the source counts and attributes."""
import subprocess

import pytest
from osgeo import gdal, ogr
from owslib.wfs import WebFeatureService

import support as s

gdal.UseExceptions()


@pytest.fixture(scope="module")
def wfs_url(base_url):
    return base_url.rstrip("/") + "/wfs"


@pytest.mark.parametrize("version", ["2.0.0", "1.1.0"])
def test_owslib_lists_and_reads_every_type(wfs_url, version):
    wfs = WebFeatureService(wfs_url, version=version, timeout=120)
    names = sorted(n.split(":")[-1] for n in wfs.contents)
    assert names == sorted(s.LAYER_IDS)
    for lid in s.LAYER_IDS:
        body = wfs.getfeature(typename=[f"ossature:{lid}"], maxfeatures=5).read()
        body = body.decode() if isinstance(body, bytes) else body
        assert "FeatureCollection" in body, body[:500]
        assert body.count("gml:id=\"" + lid + ".") >= 1 or lid.endswith("nopk"), body[:500]


@pytest.mark.parametrize("version", ["2.0.0", "1.1.0"])
def test_gdal_counts_match_the_source(wfs_url, version):
    ds = gdal.OpenEx(f"WFS:{wfs_url}?version={version}", gdal.OF_VECTOR | gdal.OF_READONLY)
    assert ds is not None
    counts = {ds.GetLayer(i).GetName().split(":")[-1]: ds.GetLayer(i).GetFeatureCount() for i in range(ds.GetLayerCount())}
    for lid in s.LAYER_IDS:
        assert counts[lid] == s.source_count(lid), lid


@pytest.mark.parametrize("lid", ["communes", "pg_ocs2d"])
def test_hits_equals_the_count(base_url, lid):
    import requests
    r = requests.get(base_url.rstrip("/") + "/wfs", params={"service": "WFS", "version": "2.0.0", "request": "GetFeature",
                                                            "typeNames": lid, "resultType": "hits"}, timeout=60)
    assert r.status_code == 200
    assert f'numberMatched="{s.source_count(lid)}"' in r.text


@pytest.mark.parametrize("lid", ["communes", "pg_ocs2d"])
def test_ogr2ogr_copies_every_feature_and_attribute(wfs_url, tmp_path, lid):
    out = tmp_path / f"{lid}.gpkg"
    subprocess.run(["ogr2ogr", "-f", "GPKG", str(out), f"WFS:{wfs_url}?version=2.0.0", f"ossature:{lid}",
                    "-nln", lid, "-oo", "PAGE_SIZE=1000"], check=True, timeout=600)
    copy_ds = ogr.Open(str(out))  # the layer lives as long as its dataset
    copy = copy_ds.GetLayer(0)
    assert copy.GetFeatureCount() == s.source_count(lid)
    fields = {copy.GetLayerDefn().GetFieldDefn(i).GetName() for i in range(copy.GetLayerDefn().GetFieldCount())}
    assert set(s.source_field_names(lid)) <= fields, fields
    names = s.source_field_names(lid)
    source = s.source_layer(lid)  # keep the layer (and its dataset) alive while reading
    src = {f.GetFID(): {n: f.GetField(n) for n in names} for f in source}
    checked = 0
    for f in copy:
        fid = int(f.GetField("gml_id").split(".")[-1])
        original = src[fid]
        for name in names:
            a, b = f.GetField(name), original[name]
            if isinstance(b, float):
                assert a == pytest.approx(b, rel=1e-9), (fid, name)
            else:
                assert str(a) == str(b), (fid, name, a, b)
        checked += 1
    assert checked == s.source_count(lid)

"""OWSLib (owslib.ogcapi.features.Features) as a real Python client."""
import pytest
from owslib.ogcapi.features import Features

import support as s


@pytest.fixture(scope="module")
def api(base_url):
    return Features(base_url, timeout=60)


def test_owslib_landing_and_conformance(api):
    assert api.response.get("title") == s.SERVICE_TITLE
    conf = api.conformance()
    for uri in (s.CONF_CORE, s.CONF_OAS30, s.CONF_GEOJSON, s.CONF_HTML, s.CONF_CRS):
        assert uri in conf["conformsTo"]


def test_owslib_api_document(api):
    doc = api.api()  # found through the landing page's service-desc link
    assert doc["openapi"].startswith("3.0")


def test_owslib_collections(api):
    cols = api.collections()
    assert sorted(c["id"] for c in cols["collections"]) == sorted(s.LAYER_IDS + s.RASTER_IDS + [s.CATALOGUE_ID])
    assert sorted(api.feature_collections()) == sorted(s.LAYER_IDS), "itemType 'feature' missing"


@pytest.mark.parametrize("cid", s.LAYER_IDS)
def test_owslib_every_collection_readable(cid, api):
    meta = api.collection(cid)
    assert meta["id"] == cid
    assert meta["title"] == s.LAYERS[cid].title
    items = api.collection_items(cid, limit=3)
    assert items["type"] == "FeatureCollection"
    assert len(items["features"]) == 3
    assert items["numberMatched"] == s.source_count(cid)
    names = set(s.source_field_names(cid))
    for f in items["features"]:
        assert names <= set(f["properties"])


@pytest.mark.parametrize("cid", [c for c in s.LAYER_IDS if c != "pg_ocs2d_nopk"])
def test_owslib_item_by_id(cid, api):
    items = api.collection_items(cid, limit=4)
    src = s.source_by_fid(cid)
    for f in items["features"]:
        one = api.collection_item(cid, f["id"])
        assert one["type"] == "Feature"
        assert str(one["id"]) == str(f["id"])
        assert not s.props_mismatches(one["properties"], src[int(f["id"])].props)


@pytest.mark.parametrize("cid", ["communes", "pg_communes"])
def test_owslib_bbox(cid, api):
    # a CRS84 box around the middle of the data, and the same query with GDAL-side truth
    xs, ys = [], []
    for _, _, g in s.source_geoms_crs84(cid):
        b = s.geometry_bbox(g)
        xs += [b[0], b[2]]
        ys += [b[1], b[3]]
    cx, cy = (min(xs) + max(xs)) / 2, (min(ys) + max(ys)) / 2
    bbox = [cx - 0.05, cy - 0.05, cx + 0.05, cy + 0.05]
    res = api.collection_items(cid, bbox=bbox, limit=1000)
    assert res["numberReturned"] == len(res["features"]) > 0
    assert res["numberMatched"] == res["numberReturned"]
    for f in res["features"]:
        x0, y0, x1, y1 = s.geometry_bbox(f["geometry"])
        assert x0 <= bbox[2] and x1 >= bbox[0] and y0 <= bbox[3] and y1 >= bbox[1], (
            f"{cid}/{f['id']}: envelope {x0, y0, x1, y1} outside the bbox {bbox}")
    # limit smaller than the result: a page, and a next link
    small = api.collection_items(cid, bbox=bbox, limit=2)
    assert small["numberReturned"] == 2
    assert small["numberMatched"] == res["numberMatched"]
    assert s.next_link(small) is not None


def test_owslib_datetime(api):
    res = api.collection_items("ocs2d", datetime_="2021-01-01/2021-06-30", limit=10000)
    expected = s.source_sql_fids("ocs2d", "date_maj >= '2021-01-01' AND date_maj <= '2021-06-30'")
    assert {int(f["id"]) for f in res["features"]} == expected

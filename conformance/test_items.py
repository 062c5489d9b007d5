"""OGC API - Features Part 1: /collections/{id}/items and /collections/{id}/items/{featureId}."""
import datetime as dt

import pytest

import support as s

DEFAULT_LIMIT = s.CONFIG["server"]["limits"]["default_limit"]
MAX_LIMIT = s.CONFIG["server"]["limits"]["max_limit"]
PK_LAYER_IDS = [c for c in s.LAYER_IDS if c != "pg_ocs2d_nopk"]  # layers whose features have stable ids


def _parse_rfc3339(v: str) -> dt.datetime:
    return dt.datetime.fromisoformat(v.replace("Z", "+00:00"))


def _check_feature_shape(cid, f):
    assert f.get("type") == "Feature", f
    assert "geometry" in f and "properties" in f
    assert f["geometry"]["type"] == s.source_geometry_type(cid), (
        f"{cid}: geometry type {f['geometry']['type']} != source {s.source_geometry_type(cid)}")
    names = set(s.source_field_names(cid))
    keys = set(f["properties"])
    assert names <= keys, f"{cid}: properties lack {sorted(names - keys)} (every column, null or not, is encoded)"
    assert keys - names <= {"id"}, f"{cid}: unexpected properties {sorted(keys - names)}"


@pytest.mark.parametrize("cid", s.LAYER_IDS)
def test_items_default_page(cid, client, base_url):
    r = client.get(f"/collections/{cid}/items")
    assert r.status_code == 200, r.text[:300]
    assert s.media_type(r) == s.MT_GEOJSON, r.headers.get("content-type")
    doc = r.json()
    assert doc["type"] == "FeatureCollection"
    n = s.source_count(cid)
    assert n > DEFAULT_LIMIT, "test data too small for this test"
    assert len(doc["features"]) == DEFAULT_LIMIT, f"default page has {len(doc['features'])} features, configured default_limit {DEFAULT_LIMIT}"
    assert doc.get("numberReturned") == DEFAULT_LIMIT
    assert doc.get("numberMatched") == n, f"numberMatched {doc.get('numberMatched')} != {n} rows in the source"
    ts = doc.get("timeStamp")
    assert isinstance(ts, str), "timeStamp missing"
    t = _parse_rfc3339(ts)
    assert t.tzinfo is not None, f"timeStamp without time zone: {ts}"
    assert abs((dt.datetime.now(dt.timezone.utc) - t).total_seconds()) < 600, f"timeStamp {ts} is not now"
    # /req/core/fc-links: self and alternate; more pages -> next
    self_ln = s.one_link(doc, "self")
    assert self_ln.get("type") == s.MT_GEOJSON, self_ln
    assert s.same_path(self_ln["href"], f"/collections/{cid}/items")
    alt = [ln for ln in s.links_by_rel(doc, "alternate") if ln.get("type") == s.MT_HTML]
    assert alt, "no alternate text/html link"
    nxt = s.next_link(doc)
    assert nxt is not None, "first page of a larger collection has no next link"
    assert nxt["href"].startswith(base_url + "/"), f"next link not on the server base URL: {nxt}"
    for f in doc["features"]:
        _check_feature_shape(cid, f)
        if cid in PK_LAYER_IDS:
            assert "id" in f, "feature without id"


@pytest.mark.parametrize("limit", [1, 5, 137, 500])
def test_items_limit(limit, client):
    doc = client.get_json("/collections/communes/items", params={"limit": limit})
    assert len(doc["features"]) == limit
    assert doc["numberReturned"] == limit


def test_items_limit_max(client):
    n = s.source_count("ocs2d")
    doc = client.get_json("/collections/ocs2d/items", params={"limit": MAX_LIMIT})
    assert doc["numberReturned"] == len(doc["features"]) == min(n, MAX_LIMIT)
    if n <= MAX_LIMIT:
        assert s.next_link(doc) is None, "a page holding every feature has a next link"


def test_items_limit_above_max_is_capped(client):
    # /rec/core/fc-limit-response-1: a limit above the maximum is not an error; the maximum applies
    r = client.get("/collections/communes/items", params={"limit": MAX_LIMIT * 10})
    assert r.status_code == 200, r.text[:300]
    doc = r.json()
    assert doc["numberReturned"] == len(doc["features"]) <= MAX_LIMIT


def test_items_f_json(client):
    r = client.get("/collections/communes/items", params={"f": "json", "limit": 2})
    assert r.status_code == 200
    assert s.media_type(r) == s.MT_GEOJSON
    r = client.get("/collections/communes/items", params={"limit": 2}, headers={"Accept": "application/geo+json"})
    assert s.media_type(r) == s.MT_GEOJSON
    r = client.get("/collections/communes/items", params={"limit": 2}, headers={"Accept": "application/json"})
    assert r.status_code == 200
    assert s.media_type(r) in (s.MT_GEOJSON, s.MT_JSON)


@pytest.mark.parametrize("cid", PK_LAYER_IDS)
def test_items_match_source_by_id(cid, client):
    """A page of features: ids are the source primary keys, properties and geometry match."""
    doc = client.get_json(f"/collections/{cid}/items", params={"limit": 50})
    src = s.source_by_fid(cid)
    crs84 = {fid: g for fid, _, g in s.source_geoms_crs84(cid)}
    for f in doc["features"]:
        fid = int(f["id"])
        assert fid in src, f"{cid}: feature id {f['id']!r} is not a primary key of the source"
        assert not s.props_mismatches(f["properties"], src[fid].props), s.props_mismatches(f["properties"], src[fid].props)
        d = s.geometry_max_diff(f["geometry"], crs84[fid])
        assert d <= 1e-7, f"{cid}/{fid}: CRS84 geometry differs from PROJ by {d} deg"


@pytest.mark.parametrize("cid", PK_LAYER_IDS)
def test_item_by_id(cid, client):
    src = s.source_by_fid(cid)
    crs84 = {fid: g for fid, _, g in s.source_geoms_crs84(cid)}
    fids = sorted(src)
    picks = sorted({fids[0], fids[len(fids) // 2], fids[-1]})
    for fid in picks:
        r = client.get(f"/collections/{cid}/items/{fid}")
        assert r.status_code == 200, f"{r.url}: {r.status_code} {r.text[:300]}"
        assert s.media_type(r) == s.MT_GEOJSON
        f = r.json()
        assert f["type"] == "Feature"
        assert str(f.get("id")) == str(fid)
        _check_feature_shape(cid, f)
        assert not s.props_mismatches(f["properties"], src[fid].props)
        assert s.geometry_max_diff(f["geometry"], crs84[fid]) <= 1e-7
        # /req/core/f-links: self, alternate, collection
        self_ln = s.one_link(f, "self")
        assert s.same_path(self_ln["href"], f"/collections/{cid}/items/{fid}"), self_ln
        assert s.same_path(s.one_link(f, "collection")["href"], f"/collections/{cid}")
        assert [ln for ln in s.links_by_rel(f, "alternate") if ln.get("type") == s.MT_HTML], "no alternate html link"
        # the self link really answers the same feature
        again = client.get_json(self_ln["href"])
        assert str(again["id"]) == str(fid)


@pytest.mark.parametrize("cid", ["communes", "pg_communes"])
def test_item_ids_of_a_page_are_reachable(cid, client):
    doc = client.get_json(f"/collections/{cid}/items", params={"limit": 5})
    for f in doc["features"]:
        one = client.get_json(f"/collections/{cid}/items/{f['id']}")
        assert one["id"] == f["id"]
        assert one["properties"] == f["properties"]
        assert s.geometry_max_diff(one["geometry"], f["geometry"]) == 0.0


@pytest.mark.parametrize("cid", ["communes", "pg_ocs2d"])
@pytest.mark.parametrize("fid", ["999999999", "abc", "-1"])
def test_unknown_item_404(cid, fid, client):
    s.assert_problem(client.get(f"/collections/{cid}/items/{fid}"), 404)


def test_unknown_collection_items_404(client):
    s.assert_problem(client.get("/collections/no_such_collection/items"), 404)
    s.assert_problem(client.get("/collections/no_such_collection/items/1"), 404)

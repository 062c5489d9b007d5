"""OGC API - Features Part 1 (core) and Part 2 (crs): landing page, conformance, collections."""
import math

import pytest

import support as s
from support import CRS84, epsg_uri


def test_landing_page(client, base_url):
    r = client.get("/", headers={"Accept": "application/json"})
    assert r.status_code == 200, r.text[:300]
    assert s.media_type(r) == s.MT_JSON
    doc = r.json()
    assert doc.get("title") == s.SERVICE_TITLE
    assert doc.get("description") == s.CONFIG["service"]["abstract"]
    # /req/core/root-success: links to the API definition, /conformance and /collections
    desc = s.one_link(doc, "service-desc", s.MT_OPENAPI)
    assert desc.get("type") == s.MT_OPENAPI, desc
    assert s.same_path(desc["href"], "/api"), desc
    assert s.same_path(s.one_link(doc, "conformance")["href"], "/conformance")
    assert s.same_path(s.one_link(doc, "data")["href"], "/collections")
    assert s.same_path(s.one_link(doc, "self")["href"], "/")
    alt = [ln for ln in s.links_by_rel(doc, "alternate") if ln.get("type") == s.MT_HTML]
    assert alt, "no alternate text/html link on the landing page"
    for ln in doc["links"]:
        assert ln["href"].startswith(base_url + "/") or ln["href"] == base_url, (
            f"link not absolute on the server's base URL {base_url}: {ln}")


def test_landing_page_default_is_json(client):
    # curl, OWSLib and most scripts send Accept: */* (or nothing): they get JSON
    for headers in ({"Accept": "*/*"}, {}):
        r = client.get("/", headers=headers)
        assert r.status_code == 200
        assert s.media_type(r) == s.MT_JSON, (headers, r.headers.get("content-type"))


def test_f_json_overrides_accept(client):
    r = client.get("/", params={"f": "json"}, headers={"Accept": "text/html"})
    assert r.status_code == 200
    assert s.media_type(r) == s.MT_JSON


def test_conformance(client):
    doc = client.get_json("/conformance", headers={"Accept": "application/json"}, expect_type=s.MT_JSON)
    conforms = doc.get("conformsTo")
    assert isinstance(conforms, list)
    for uri in (s.CONF_CORE, s.CONF_OAS30, s.CONF_HTML, s.CONF_GEOJSON, s.CONF_CRS):
        assert uri in conforms, f"{uri} not declared in /conformance"


def test_collections_list(collections_doc, base_url):
    doc = collections_doc
    assert s.same_path(s.one_link(doc, "self")["href"], "/collections")
    cols = doc.get("collections")
    assert isinstance(cols, list)
    ids = [c["id"] for c in cols]
    expected = s.LAYER_IDS + s.RASTER_IDS + [s.CATALOGUE_ID]
    assert sorted(ids) == sorted(expected), f"collections {ids} != configured layers and the catalogue {expected}"
    assert len(ids) == len(set(ids))
    for c in cols:
        if c["id"] == s.CATALOGUE_ID:
            assert c["itemType"] == "record"
            continue
        if c["id"] in s.RASTER_IDS:
            assert "itemType" not in c
            continue
        lay = s.LAYERS[c["id"]]
        assert c.get("title") == lay.title
        assert c.get("itemType", "feature") == "feature"
        items = s.one_link(c, "items", s.MT_GEOJSON)
        assert items.get("type") == s.MT_GEOJSON, items
        assert s.same_path(items["href"], f"/collections/{c['id']}/items"), items


def _resolved_crs_list(coll: dict, collections_doc: dict) -> list:
    out = []
    for c in coll.get("crs", []):
        if c == "#/crs":  # Part 2: reference to the global list in /collections
            out.extend(collections_doc.get("crs", []))
        else:
            out.append(c)
    return out


@pytest.mark.parametrize("cid", s.LAYER_IDS)
def test_collection_metadata(cid, collection_docs, collections_doc):
    lay = s.LAYERS[cid]
    c = collection_docs[cid]
    assert c["id"] == cid
    assert c.get("title") == lay.title
    assert c.get("description") == lay.abstract
    assert s.same_path(s.one_link(c, "self")["href"], f"/collections/{cid}")
    assert s.same_path(s.one_link(c, "items", s.MT_GEOJSON)["href"], f"/collections/{cid}/items")
    # the same collection object is listed in /collections
    listed = [x for x in collections_doc["collections"] if x["id"] == cid][0]
    assert listed.get("title") == c.get("title")

    # Part 2: supported CRS list and storage CRS
    crs = _resolved_crs_list(c, collections_doc)
    for uri in (CRS84, epsg_uri(2154), epsg_uri(4326), epsg_uri(3857)):
        assert uri in crs, f"{uri} not in the crs list of {cid}: {crs}"
    assert crs[0] == CRS84 or CRS84 in crs
    assert c.get("storageCrs") == epsg_uri(2154), c.get("storageCrs")


@pytest.mark.parametrize("cid", s.LAYER_IDS)
def test_collection_spatial_extent(cid, collection_docs):
    c = collection_docs[cid]
    spatial = c.get("extent", {}).get("spatial", {})
    assert spatial.get("crs", CRS84) == CRS84
    bbox = spatial.get("bbox")
    assert isinstance(bbox, list) and bbox and isinstance(bbox[0], list) and len(bbox[0]) == 4, bbox
    assert all(isinstance(v, (int, float)) and math.isfinite(v) for v in bbox[0]), bbox
    minx, miny, maxx, maxy = bbox[0]
    # the true CRS84 extent of the data, from PROJ
    xs, ys = [], []
    for _, _, g in s.source_geoms_crs84(cid):
        b = s.geometry_bbox(g)
        xs += [b[0], b[2]]
        ys += [b[1], b[3]]
    tmin_x, tmin_y, tmax_x, tmax_y = min(xs), min(ys), max(xs), max(ys)
    eps = 1e-6
    assert minx <= tmin_x + eps and miny <= tmin_y + eps and maxx >= tmax_x - eps and maxy >= tmax_y - eps, (
        f"extent {bbox[0]} does not contain the data ({tmin_x}, {tmin_y}, {tmax_x}, {tmax_y})")
    slack = 0.01  # degrees: an extent from the transformed native envelope is a little larger
    assert tmin_x - minx < slack and tmin_y - miny < slack and maxx - tmax_x < slack and maxy - tmax_y < slack, (
        f"extent {bbox[0]} much larger than the data ({tmin_x}, {tmin_y}, {tmax_x}, {tmax_y})")


@pytest.mark.parametrize("cid", s.TEMPORAL_LAYER_IDS)
def test_collection_temporal_extent(cid, collection_docs):
    lay = s.LAYERS[cid]
    c = collection_docs[cid]
    interval = c.get("extent", {}).get("temporal", {}).get("interval")
    assert isinstance(interval, list) and interval and len(interval[0]) == 2, interval
    dates = sorted(f.props[lay.temporal] for f in s.source_features(cid) if f.props[lay.temporal])
    lo, hi = interval[0]
    assert lo is not None and lo.startswith(dates[0]), f"temporal start {lo!r}, data starts {dates[0]}"
    assert hi is not None and hi.startswith(dates[-1]), f"temporal end {hi!r}, data ends {dates[-1]}"


def test_unknown_collection_metadata_404(client):
    s.assert_problem(client.get("/collections/no_such_collection"), 404)


def test_links_are_typed(collection_docs):
    for cid, c in collection_docs.items():
        for ln in c["links"]:
            assert "href" in ln and "rel" in ln, ln
            if ln["rel"] in ("self", "alternate", "items"):
                assert ln.get("type"), f"{cid}: link without type {ln}"


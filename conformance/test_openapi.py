"""OGC API - Features Part 1, requirements class OpenAPI 3.0: /api."""
import pytest
from openapi_spec_validator import validate

import support as s


@pytest.fixture(scope="module")
def api_doc(client):
    r = client.get("/api", params={"f": "json"})
    assert r.status_code == 200, r.text[:300]
    assert s.media_type(r) == s.MT_OPENAPI, f"Content-Type {r.headers.get('content-type')!r}, expected {s.MT_OPENAPI}"
    return r.json()


def test_api_by_accept_header(client):
    r = client.get("/api", headers={"Accept": s.MT_OPENAPI})
    assert r.status_code == 200
    assert s.media_type(r) == s.MT_OPENAPI
    assert r.json().get("openapi", "").startswith("3.0")


def test_api_validates(api_doc):
    assert api_doc.get("openapi", "").startswith("3.0."), api_doc.get("openapi")
    validate(api_doc)  # raises OpenAPIValidationError with the offending path


def test_api_info(api_doc):
    assert api_doc["info"]["title"] == s.SERVICE_TITLE
    assert api_doc["info"].get("version")


def _resolve(doc, obj):
    seen = 0
    while isinstance(obj, dict) and "$ref" in obj:
        ref = obj["$ref"]
        assert ref.startswith("#/"), f"external $ref not expected: {ref}"
        cur = doc
        for part in ref[2:].split("/"):
            cur = cur[part.replace("~1", "/").replace("~0", "~")]
        obj = cur
        seen += 1
        assert seen < 20, "ref loop"
    return obj


def _params_of(doc, path_item):
    out = []
    for p in path_item.get("parameters", []):
        out.append(_resolve(doc, p))
    get = path_item.get("get", {})
    for p in get.get("parameters", []):
        out.append(_resolve(doc, p))
    return out


def _path_template_matches(template: str, path: str) -> bool:
    tp, pp = template.strip("/").split("/"), path.strip("/").split("/")
    return len(tp) == len(pp) and all(t == p or (t.startswith("{") and t.endswith("}")) for t, p in zip(tp, pp))


def test_api_core_paths(api_doc):
    paths = api_doc["paths"]
    for p in ("/", "/conformance", "/collections"):
        assert p in paths, f"{p} not in the API definition"
        assert "get" in paths[p]


@pytest.mark.parametrize("cid", s.LAYER_IDS)
def test_api_covers_every_collection(cid, api_doc):
    """Each collection is in the API: either its own paths or a collectionId parameter whose
    enum lists it (/req/oas30/completeness)."""
    paths = api_doc["paths"]
    for concrete in (f"/collections/{cid}", f"/collections/{cid}/items", f"/collections/{cid}/items/1"):
        templates = [t for t in paths if _path_template_matches(t, concrete)]
        assert templates, f"no path in the API definition serves {concrete}"
        ok = False
        for t in templates:
            if f"/collections/{cid}" in t:
                ok = True
                break
            for prm in _params_of(api_doc, paths[t]):
                if prm.get("in") == "path" and "{" + prm.get("name", "") + "}" == t.strip("/").split("/")[1]:
                    schema = _resolve(api_doc, prm.get("schema", {}))
                    if cid in schema.get("enum", []):
                        ok = True
        assert ok, f"collection {cid} not named in the path or collectionId enum of {templates}"


def test_api_items_parameters(api_doc):
    """The items operation documents limit (with the server's maximum), bbox, bbox-crs, crs and datetime."""
    paths = api_doc["paths"]
    items = [t for t in paths if _path_template_matches(t, "/collections/communes/items")]
    assert items
    names, limit = set(), None
    for t in items:
        for prm in _params_of(api_doc, paths[t]):
            names.add(prm.get("name"))
            if prm.get("name") == "limit":
                limit = _resolve(api_doc, prm.get("schema", {}))
    for n in ("limit", "bbox", "datetime", "crs", "bbox-crs"):
        assert n in names, f"items parameter {n} not documented"
    assert limit is not None
    assert limit.get("maximum") == s.CONFIG["server"]["limits"]["max_limit"], limit
    assert limit.get("default") == s.CONFIG["server"]["limits"]["default_limit"], limit



@pytest.mark.parametrize("cid", s.LAYER_IDS)
def test_api_describes_the_vector_tiles_that_answer(cid, api_doc, client):
    """Every vector tile resource of a collection and of the dataset is in the API definition,
    and each documented path, filled in, answers one of its documented statuses."""
    paths = api_doc["paths"]
    z, row, col = 14, 5510, 8327  # a WebMercatorQuad tile over the demo's land cover
    concrete = {
        f"/collections/{cid}/tiles": 200,
        f"/collections/{cid}/tiles/WebMercatorQuad": 200,
        f"/collections/{cid}/tiles/WebMercatorQuad/tilejson.json": 200,
        f"/collections/{cid}/tiles/WebMercatorQuad/style.json": 200,
        f"/collections/{cid}/tiles/WebMercatorQuad/{z}/{row}/{col}": None,
        f"/collections/{cid}/tiles/WebMercatorQuad/xyz/metadata.json": 200,
        f"/collections/{cid}/tiles/WebMercatorQuad/xyz/{z}/{col}/{row}.pbf": None,
        "/tiles": 200,
        "/tiles/WebMercatorQuad": 200,
        "/tiles/WebMercatorQuad/tilejson.json": 200,
        f"/tiles/WebMercatorQuad/{z}/{row}/{col}": None,
        "/tiles/WebMercatorQuad/xyz/metadata.json": 200,
        f"/tiles/WebMercatorQuad/xyz/{z}/{col}/{row}": None,
    }
    _documented_paths_answer(api_doc, client, concrete)


@pytest.mark.parametrize("rid", s.RASTER_IDS)
def test_api_describes_the_map_tiles_that_answer(rid, api_doc, client):
    """The map tiles of each imagery collection and the tile matrix sets are in the API
    definition, and answer one of their documented statuses."""
    sets = client.get(f"/collections/{rid}/map/tiles").json()["tilesets"]
    concrete = {f"/collections/{rid}/map/tiles": 200, "/tileMatrixSets": 200}
    for t in sets:
        scheme = next(l["href"] for l in t["links"] if l["rel"].endswith("tiling-scheme"))
        tms = scheme.split("/tileMatrixSets/")[1]
        concrete[f"/tileMatrixSets/{tms}"] = 200
        concrete[f"/collections/{rid}/map/tiles/{tms}"] = 200
        if tms == "WebMercatorQuad":  # TileJSON describes XYZ tiles
            concrete[f"/collections/{rid}/map/tiles/{tms}/tilejson.json"] = 200
        concrete[f"/collections/{rid}/map/tiles/{tms}/0/0/0"] = None
    assert len(sets) >= 2, sets
    _documented_paths_answer(api_doc, client, concrete)


def _documented_paths_answer(api_doc, client, concrete: dict):
    """Each concrete path matches a template of the definition whose path parameters allow
    its values, and answers one of the template's statuses (`expected` when given) in one of
    its media types."""
    paths = api_doc["paths"]
    for path, expected in concrete.items():
        templates = [t for t in paths if _path_template_matches(t, path)]
        assert templates, f"no path in the API definition serves {path}"
        # The most specific template (fewest parameters) is the one a router picks.
        t = min(templates, key=lambda t: t.count("{"))
        op = paths[t]["get"]
        for prm in _params_of(api_doc, paths[t]):
            if prm.get("in") == "path":
                value = path.strip("/").split("/")[t.strip("/").split("/").index("{" + prm["name"] + "}")]
                allowed = _resolve(api_doc, prm.get("schema", {})).get("enum")
                assert allowed is None or value in allowed, (t, prm["name"], value, allowed)
        r = client.get(path)
        assert str(r.status_code) in op["responses"], (path, r.status_code, list(op["responses"]))
        if expected is not None:
            assert r.status_code == expected, (path, r.status_code, r.text[:200])
        if r.status_code == 200:
            assert s.media_type(r) in op["responses"]["200"]["content"], (path, s.media_type(r))

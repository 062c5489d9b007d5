"""Imagery tile faces with real clients: WMTS 1.0.0 (OWSLib, GDAL's WMTS driver, xmllint against the
OGC schemas) and OGC API Tiles (tilesets, tileset documents, TileJSON), on the demo orthophoto
(layer `ortho` of conformance/ossature-test.toml: 4 JPEG COGs in EPSG:3950, 5 cm, a 2x2 mosaic)."""
from __future__ import annotations

import uuid
import xml.etree.ElementTree as ET

import pytest
import requests
from osgeo import gdal
from owslib.wmts import WebMapTileService

import support as s

gdal.UseExceptions()

LAYER = "ortho"
STYLE = "default"
BASE_SETS = ["ortho-native", "WebMercatorQuad", "WorldCRS84Quad", "PM", "LAMB93_5cm_EPSG"]
ALL_SETS = BASE_SETS + [t + "@2x" for t in BASE_SETS]
FORMATS = {"jpg": "image/jpeg", "png": "image/png", "webp": "image/webp"}

NS = {
    "wmts": "http://www.opengis.net/wmts/1.0",
    "ows": "http://www.opengis.net/ows/1.1",
}
TIMEOUT = 60


# ---------------------------------------------------------------- helpers

def decode_image(data: bytes) -> gdal.Dataset:
    """Opens an encoded image (JPEG/PNG/WebP) from memory with GDAL; the dataset is detached from
    /vsimem so the caller can keep it."""
    name = f"/vsimem/tile-{uuid.uuid4().hex}"
    gdal.FileFromMemBuffer(name, data)
    try:
        src = gdal.Open(name)
        return gdal.Translate("", src, format="MEM")
    finally:
        gdal.Unlink(name)


def assert_image(data: bytes, size: int, what: str) -> gdal.Dataset:
    assert data[:4] != b"<?xm" and data[:1] != b"<", f"{what}: XML instead of an image: {data[:400]!r}"
    ds = decode_image(data)
    assert (ds.RasterXSize, ds.RasterYSize) == (size, size), what
    assert ds.RasterCount in (1, 3, 4), what
    return ds


def band_stats(ds: gdal.Dataset) -> list[tuple[float, float]]:
    """(min, max) of each colour band (alpha excluded)."""
    out = []
    for i in range(1, ds.RasterCount + 1):
        b = ds.GetRasterBand(i)
        if b.GetColorInterpretation() == gdal.GCI_AlphaBand:
            continue
        mn, mx = b.ComputeRasterMinMax(False)
        out.append((mn, mx))
    return out


def ows_exception(r: requests.Response) -> tuple[str, str | None]:
    """(exceptionCode, locator) of an ows:ExceptionReport."""
    assert "xml" in r.headers.get("Content-Type", ""), (r.status_code, r.headers.get("Content-Type"), r.text[:300])
    root = ET.fromstring(r.content)
    assert root.tag == "{http://www.opengis.net/ows/1.1}ExceptionReport", r.text[:500]
    exc = root.find("ows:Exception", NS)
    assert exc is not None, r.text[:500]
    return exc.get("exceptionCode"), exc.get("locator")


def tile_size(tms_id: str) -> int:
    """Tile size of a set: 256 px for the well-known sets, the COG's 512-px blocks for the native set,
    twice that for the @2x variants."""
    base = 512 if tms_id.split("@")[0] == f"{LAYER}-native" else 256
    return base * 2 if tms_id.endswith("@2x") else base


def middle_and_deepest(limits: dict) -> list[tuple[str, int, int]]:
    """(matrix id, row, col) at the middle and at the deepest level of a layer's TileMatrixSetLimits,
    the tile at the centre of the limits (inside the layer)."""
    ids = list(limits)
    picks = [ids[len(ids) // 2], ids[-1]]
    out = []
    for mid in dict.fromkeys(picks):
        lim = limits[mid]
        row = (lim.mintilerow + lim.maxtilerow) // 2
        col = (lim.mintilecol + lim.maxtilecol) // 2
        out.append((mid, row, col))
    return out


# ---------------------------------------------------------------- fixtures

@pytest.fixture(scope="module")
def wmts_url(base_url):
    return base_url.rstrip("/") + "/wmts"


@pytest.fixture(scope="module")
def caps_xml(wmts_url) -> bytes:
    r = requests.get(wmts_url, params={"service": "WMTS", "request": "GetCapabilities"}, timeout=TIMEOUT)
    assert r.status_code == 200, r.text[:500]
    assert "xml" in r.headers["Content-Type"]
    return r.content


@pytest.fixture(scope="module")
def wmts(wmts_url) -> WebMapTileService:
    return WebMapTileService(wmts_url, version="1.0.0", timeout=TIMEOUT)


# ---------------------------------------------------------------- WMTS: capabilities

def test_owslib_parses_the_capabilities(wmts):
    assert wmts.identification.type == "OGC WMTS"
    assert wmts.identification.version == "1.0.0"
    assert LAYER in wmts.contents
    ops = {op.name for op in wmts.operations}
    assert {"GetCapabilities", "GetTile"} <= ops, ops
    layer = wmts.contents[LAYER]
    assert layer.title
    assert "default" in layer.styles, layer.styles
    assert set(FORMATS.values()) <= set(layer.formats), layer.formats
    # REST resource templates for tiles (and feature info)
    tile_templates = [t for t in layer.resourceURLs if t["resourceType"] == "tile"]
    assert tile_templates, layer.resourceURLs
    # WGS84BoundingBox around the demo (Lille area, EPSG:3950 5 cm)
    minx, miny, maxx, maxy = layer.boundingBoxWGS84
    assert 2.5 < minx < maxx < 3.5 and 50.3 < miny < maxy < 51.0, layer.boundingBoxWGS84


def test_layer_lists_every_tile_matrix_set(wmts):
    layer = wmts.contents[LAYER]
    linked = set(layer.tilematrixsetlinks)
    assert set(ALL_SETS) <= linked, sorted(linked)
    assert set(ALL_SETS) <= set(wmts.tilematrixsets), sorted(wmts.tilematrixsets)
    for tms_id in ALL_SETS:
        link = layer.tilematrixsetlinks[tms_id]
        assert link.tilematrixlimits, f"{tms_id}: no TileMatrixSetLimits"
        tms = wmts.tilematrixsets[tms_id]
        for mid, lim in link.tilematrixlimits.items():
            assert mid in tms.tilematrix, (tms_id, mid)
            m = tms.tilematrix[mid]
            assert 0 <= lim.mintilerow <= lim.maxtilerow < m.matrixheight, (tms_id, mid)
            assert 0 <= lim.mintilecol <= lim.maxtilecol < m.matrixwidth, (tms_id, mid)
        assert {m.tilewidth for m in tms.tilematrix.values()} == {tile_size(tms_id)}, tms_id


def test_capabilities_validate_against_the_ogc_schema(caps_xml, tmp_path):
    s.validate_xml(caps_xml, s.SCHEMAS / "wmts" / "1.0" / "wmtsGetCapabilities_response.xsd", tmp_path, "WMTSCapabilities.xml")


@pytest.mark.parametrize("path,params", [
    ("/wmts/1.0.0/WMTSCapabilities.xml", None),
    ("/ows", {"SERVICE": "WMTS", "REQUEST": "GetCapabilities"}),
])
def test_capabilities_other_endpoints(base_url, caps_xml, path, params):
    r = requests.get(base_url.rstrip("/") + path, params=params, timeout=TIMEOUT)
    assert r.status_code == 200, r.text[:500]
    root = ET.fromstring(r.content)
    assert root.tag == "{http://www.opengis.net/wmts/1.0}Capabilities"
    ids = {e.text for e in root.findall("wmts:Contents/wmts:Layer/ows:Identifier", NS)}
    assert LAYER in ids


# ---------------------------------------------------------------- WMTS: GetTile with OWSLib

@pytest.mark.parametrize("tms_id", ALL_SETS)
def test_owslib_gettile_every_set(wmts, tms_id):
    layer = wmts.contents[LAYER]
    limits = layer.tilematrixsetlinks[tms_id].tilematrixlimits
    tms = wmts.tilematrixsets[tms_id]
    for mid, row, col in middle_and_deepest(limits):
        size = tms.tilematrix[mid].tilewidth
        for fmt in ("image/jpeg", "image/png"):
            resp = wmts.gettile(layer=LAYER, tilematrixset=tms_id, tilematrix=mid, row=row, column=col,
                                format=fmt, style=STYLE)
            data = resp.read()
            ds = assert_image(data, size, f"{tms_id} {mid}/{row}/{col} {fmt}")
            stats = band_stats(ds)
            assert any(mx > mn for mn, mx in stats), f"{tms_id} {mid}/{row}/{col}: constant tile {stats}"


def test_rest_gettile_matches_kvp(wmts, base_url):
    layer = wmts.contents[LAYER]
    limits = layer.tilematrixsetlinks["WebMercatorQuad"].tilematrixlimits
    mid, row, col = middle_and_deepest(limits)[-1]
    kvp = requests.get(base_url.rstrip("/") + "/wmts", params={
        "service": "WMTS", "version": "1.0.0", "request": "GetTile", "layer": LAYER, "style": STYLE,
        "tilematrixset": "WebMercatorQuad", "tilematrix": mid, "tilerow": row, "tilecol": col,
        "format": "image/png"}, timeout=TIMEOUT)
    rest = requests.get(f"{base_url.rstrip('/')}/wmts/{LAYER}/{STYLE}/WebMercatorQuad/{mid}/{row}/{col}.png",
                        timeout=TIMEOUT)
    assert kvp.status_code == rest.status_code == 200, (kvp.text[:300], rest.text[:300])
    assert kvp.headers["Content-Type"] == rest.headers["Content-Type"] == "image/png"
    assert kvp.content == rest.content
    # the REST template advertised in the capabilities resolves to the same tile
    tpl = next(t["template"] for t in layer.resourceURLs
               if t["resourceType"] == "tile" and t["format"] == "image/png")
    url = (tpl.replace("{TileMatrixSet}", "WebMercatorQuad").replace("{TileMatrix}", str(mid))
           .replace("{TileRow}", str(row)).replace("{TileCol}", str(col)).replace("{Style}", STYLE))
    r = requests.get(url, timeout=TIMEOUT)
    assert r.status_code == 200 and r.content == rest.content, url


@pytest.mark.parametrize("ext", ["webp"])
def test_rest_gettile_webp(wmts, base_url, ext):
    limits = wmts.contents[LAYER].tilematrixsetlinks["WebMercatorQuad"].tilematrixlimits
    mid, row, col = middle_and_deepest(limits)[-1]
    r = requests.get(f"{base_url.rstrip('/')}/wmts/{LAYER}/{STYLE}/WebMercatorQuad/{mid}/{row}/{col}.{ext}",
                     timeout=TIMEOUT)
    assert r.status_code == 200, r.text[:300]
    assert r.headers["Content-Type"] == FORMATS[ext]
    assert r.content[:4] == b"RIFF" and r.content[8:12] == b"WEBP"


def test_getfeatureinfo(wmts, base_url):
    layer = wmts.contents[LAYER]
    limits = layer.tilematrixsetlinks["WebMercatorQuad"].tilematrixlimits
    mid, row, col = middle_and_deepest(limits)[-1]
    r = requests.get(base_url.rstrip("/") + "/wmts", params={
        "service": "WMTS", "version": "1.0.0", "request": "GetFeatureInfo", "layer": LAYER, "style": STYLE,
        "tilematrixset": "WebMercatorQuad", "tilematrix": mid, "tilerow": row, "tilecol": col,
        "format": "image/jpeg", "i": 128, "j": 128, "infoformat": "application/json"}, timeout=TIMEOUT)
    assert r.status_code == 200, r.text[:500]
    assert "json" in r.headers["Content-Type"]
    assert r.json()
    rest = requests.get(f"{base_url.rstrip('/')}/wmts/{LAYER}/{STYLE}/WebMercatorQuad/{mid}/{row}/{col}/128/128.json",
                        timeout=TIMEOUT)
    assert rest.status_code == 200, rest.text[:500]
    assert rest.json() == r.json()


# ---------------------------------------------------------------- WMTS: GDAL's driver

@pytest.mark.parametrize("tms_id", BASE_SETS)
def test_gdal_wmts_driver_reads_imagery(wmts_url, gdal_wms_cache, tms_id):
    ds = gdal.Open(f"WMTS:{wmts_url}?service=WMTS&request=GetCapabilities,layer={LAYER},tilematrixset={tms_id}")
    assert ds is not None
    assert ds.RasterCount in (3, 4), ds.RasterCount
    assert ds.RasterXSize > 0 and ds.RasterYSize > 0
    band = ds.GetRasterBand(1)
    ovr_count = band.GetOverviewCount()
    # an overview level where the whole layer extent is a few hundred pixels wide
    pick = None
    for i in range(ovr_count):
        o = band.GetOverview(i)
        if o.XSize <= 2048:
            pick = i
            break
    bands = [ds.GetRasterBand(b + 1) for b in range(min(3, ds.RasterCount))]
    if pick is None:
        levels = bands
    else:
        levels = [b.GetOverview(pick) for b in bands]
    w, h = levels[0].XSize, levels[0].YSize
    # The dataset extent is the layer's bounding box (GDAL's WMTS driver clips to it by default):
    # read a window around its centre.
    win = min(64, w, h)
    x0, y0 = (w - win) // 2, (h - win) // 2
    seen_variation = False
    for b in levels:
        data = b.ReadRaster(x0, y0, win, win, buf_type=gdal.GDT_Byte)
        assert len(data) == win * win
        if len(set(data)) > 1:
            seen_variation = True
    assert seen_variation, f"{tms_id}: constant pixels over the layer's centre (blank imagery?)"


# ---------------------------------------------------------------- WMTS: errors

def _kvp(base_url, **over):
    p = {"service": "WMTS", "version": "1.0.0", "request": "GetTile", "layer": LAYER, "style": STYLE,
         "tilematrixset": "WebMercatorQuad", "tilematrix": "18", "tilerow": "0", "tilecol": "0",
         "format": "image/jpeg"}
    for k, v in over.items():
        if v is None:
            p.pop(k, None)
        else:
            p[k] = v
    return requests.get(base_url.rstrip("/") + "/wmts", params=p, timeout=TIMEOUT)


def test_wmts_tile_out_of_range(wmts, base_url):
    # tile (0, 0) at a deep level is far away from the layer (and its TileMatrixSetLimits)
    r = _kvp(base_url, tilematrix="18", tilerow="0", tilecol="0")
    assert r.status_code == 400, (r.status_code, r.text[:300])
    code, locator = ows_exception(r)
    assert code == "TileOutOfRange", r.text[:500]
    assert locator and locator.lower() in ("tilerow", "tilecol"), locator
    # past the matrix itself
    r = _kvp(base_url, tilematrix="0", tilerow="5", tilecol="0")
    assert r.status_code == 400
    assert ows_exception(r)[0] == "TileOutOfRange"
    # REST: the same
    r = requests.get(f"{base_url.rstrip('/')}/wmts/{LAYER}/{STYLE}/WebMercatorQuad/18/0/0.jpg", timeout=TIMEOUT)
    assert r.status_code in (400, 404), r.status_code
    assert ows_exception(r)[0] == "TileOutOfRange"


@pytest.mark.parametrize("param,value", [
    ("layer", "nope"),
    ("tilematrixset", "NoSuchSet"),
    ("format", "image/gif"),
    ("style", "fancy"),
    ("tilematrix", "99"),
])
def test_wmts_invalid_parameter_value(base_url, param, value):
    r = _kvp(base_url, **{param: value})
    assert r.status_code == 400, (r.status_code, r.text[:300])
    code, locator = ows_exception(r)
    assert code == "InvalidParameterValue", r.text[:500]
    assert locator and locator.lower() == param.lower(), (param, locator)


@pytest.mark.parametrize("param", ["layer", "tilematrixset", "tilematrix", "tilerow", "tilecol", "format"])
def test_wmts_missing_parameter(base_url, param):
    r = _kvp(base_url, **{param: None})
    assert r.status_code == 400, (r.status_code, r.text[:300])
    code, locator = ows_exception(r)
    assert code == "MissingParameterValue", r.text[:500]
    assert locator and locator.lower() == param.lower(), (param, locator)


def test_wmts_unknown_operation(base_url):
    r = _kvp(base_url, request="GetMap")
    assert r.status_code in (400, 501), r.status_code
    assert ows_exception(r)[0] == "OperationNotSupported", r.text[:500]


@pytest.mark.parametrize("path", [
    f"/wmts/nope/{STYLE}/WebMercatorQuad/10/0/0.jpg",
    f"/wmts/{LAYER}/{STYLE}/NoSuchSet/10/0/0.jpg",
    f"/wmts/{LAYER}/fancy/WebMercatorQuad/10/0/0.jpg",
    f"/wmts/{LAYER}/{STYLE}/WebMercatorQuad/10/0/0.gif",
])
def test_wmts_rest_errors(base_url, path):
    r = requests.get(base_url.rstrip("/") + path, timeout=TIMEOUT)
    assert 400 <= r.status_code < 500, (path, r.status_code)
    assert ows_exception(r)[0] in ("InvalidParameterValue", "TileOutOfRange"), (path, r.text[:300])


def test_server_still_answers_after_errors(base_url, wmts):
    r = requests.get(base_url.rstrip("/") + "/health", timeout=TIMEOUT)
    assert r.status_code == 200
    test_rest_gettile_webp(wmts, base_url, "webp")


# ---------------------------------------------------------------- OGC API Tiles

def _json(client, path, params=None):
    return client.get_json(path, params=params, headers={"Accept": "application/json"})


def test_tile_matrix_sets_list(client):
    doc = _json(client, "/tileMatrixSets")
    ids = {t["id"] for t in doc["tileMatrixSets"]}
    assert {"WebMercatorQuad", "WorldCRS84Quad"} <= ids, ids
    for t in doc["tileMatrixSets"]:
        assert any(l["rel"] in ("self", "http://www.opengis.net/def/rel/ogc/1.0/tiling-scheme") for l in t["links"])
    tms = _json(client, "/tileMatrixSets/WebMercatorQuad")
    assert tms["id"] == "WebMercatorQuad"
    assert tms["crs"] and tms["tileMatrices"]
    m0 = tms["tileMatrices"][0]
    for k in ("id", "scaleDenominator", "cellSize", "pointOfOrigin", "tileWidth", "tileHeight",
              "matrixWidth", "matrixHeight"):
        assert k in m0, k
    r = client.get("/tileMatrixSets/NoSuchSet", headers={"Accept": "application/json"})
    assert r.status_code == 404


def test_conformance_lists_tiles_classes(client):
    doc = _json(client, "/conformance")
    classes = set(doc["conformsTo"])
    assert "http://www.opengis.net/spec/ogcapi-tiles-1/1.0/conf/core" in classes, sorted(classes)
    assert "http://www.opengis.net/spec/ogcapi-tiles-1/1.0/conf/tileset" in classes
    assert "http://www.opengis.net/spec/ogcapi-tiles-1/1.0/conf/tilesets-list" in classes


def test_collection_is_listed_with_map_tiles(client):
    doc = _json(client, "/collections")
    ids = {c["id"] for c in doc["collections"]}
    assert LAYER in ids, ids
    col = _json(client, f"/collections/{LAYER}")
    rels = {l["rel"] for l in col["links"]}
    assert "http://www.opengis.net/def/rel/ogc/1.0/tilesets-map" in rels, rels


@pytest.fixture(scope="module")
def tilesets(client):
    return _json(client, f"/collections/{LAYER}/map/tiles")


def test_tilesets_list(tilesets):
    assert tilesets["tilesets"], tilesets
    seen = set()
    for ts in tilesets["tilesets"]:
        assert ts["dataType"] == "map", ts
        assert ts["crs"], ts
        rels = {l["rel"] for l in ts["links"]}
        assert "self" in rels and "http://www.opengis.net/def/rel/ogc/1.0/tiling-scheme" in rels, rels
        self_href = next(l["href"] for l in ts["links"] if l["rel"] == "self")
        seen.add(self_href.rstrip("/").split("/")[-1].split("?")[0])
    # The list holds the base sets; the @2x variants are derived on request (their tileset documents
    # and tiles resolve, see test_tileset_document_and_item_template) and listed by WMTS only.
    assert set(BASE_SETS) <= seen, sorted(seen)


@pytest.mark.parametrize("tms_id", ["WebMercatorQuad", "ortho-native", "LAMB93_5cm_EPSG@2x"])
def test_tileset_document_and_item_template(client, tms_id):
    ts = _json(client, f"/collections/{LAYER}/map/tiles/{tms_id}")
    for k in ("dataType", "crs", "links"):
        assert k in ts, k
    assert ts["dataType"] == "map"
    assert ts.get("tileMatrixSetLimits"), ts
    items = [l for l in ts["links"] if l["rel"] == "item"]
    assert items, ts["links"]
    tms = _json(client, f"/tileMatrixSets/{tms_id}")
    sizes = {m["id"]: m["tileWidth"] for m in tms["tileMatrices"]}
    lim = ts["tileMatrixSetLimits"][-1]
    row = (lim["minTileRow"] + lim["maxTileRow"]) // 2
    col = (lim["minTileCol"] + lim["maxTileCol"]) // 2
    for it in items:
        href = (it["href"].replace("{tileMatrix}", str(lim["tileMatrix"])).replace("{tileRow}", str(row))
                .replace("{tileCol}", str(col)))
        r = requests.get(href, timeout=TIMEOUT)
        assert r.status_code == 200, (href, r.text[:300])
        if it.get("type"):
            assert r.headers["Content-Type"] == it["type"], href
        ds = assert_image(r.content, sizes[str(lim["tileMatrix"])], href)
        assert any(mx > mn for mn, mx in band_stats(ds)), href


@pytest.mark.parametrize("f", list(FORMATS))
def test_tile_formats(client, tilesets, f):
    ts = _json(client, f"/collections/{LAYER}/map/tiles/WebMercatorQuad")
    lim = ts["tileMatrixSetLimits"][-1]
    z, row, col = lim["tileMatrix"], lim["minTileRow"], lim["minTileCol"]
    r = client.get(f"/collections/{LAYER}/map/tiles/WebMercatorQuad/{z}/{row}/{col}", params={"f": f})
    assert r.status_code == 200, r.text[:300]
    assert r.headers["Content-Type"] == FORMATS[f]
    assert_image(r.content, 256, f)


def test_tilejson(client):
    tj = _json(client, f"/collections/{LAYER}/map/tiles/WebMercatorQuad/tilejson.json")
    assert tj["tilejson"] == "3.0.0"
    assert tj["tiles"]
    west, south, east, north = tj["bounds"]
    assert west < east and south < north
    minz, maxz = tj["minzoom"], tj["maxzoom"]
    assert 0 <= minz <= maxz <= 30
    ts = _json(client, f"/collections/{LAYER}/map/tiles/WebMercatorQuad")
    lim = next(l for l in ts["tileMatrixSetLimits"] if int(l["tileMatrix"]) == maxz)
    y, x = lim["minTileRow"], lim["minTileCol"]
    href = tj["tiles"][0].replace("{z}", str(maxz)).replace("{x}", str(x)).replace("{y}", str(y))
    r = requests.get(href, timeout=TIMEOUT)
    assert r.status_code == 200, (href, r.text[:300])
    assert_image(r.content, 256, href)


def test_ogcapi_tile_out_of_range_is_404(client):
    ts = _json(client, f"/collections/{LAYER}/map/tiles/WebMercatorQuad")
    lim = ts["tileMatrixSetLimits"][-1]
    z = lim["tileMatrix"]
    # outside the limits, inside the matrix
    r = client.get(f"/collections/{LAYER}/map/tiles/WebMercatorQuad/{z}/0/0", params={"f": "jpg"})
    assert r.status_code == 404, r.status_code
    # outside the matrix
    r = client.get(f"/collections/{LAYER}/map/tiles/WebMercatorQuad/0/1/0", params={"f": "jpg"})
    assert r.status_code in (400, 404), r.status_code
    r = client.get(f"/collections/{LAYER}/map/tiles/WebMercatorQuad/99/0/0", params={"f": "jpg"})
    assert r.status_code in (400, 404), r.status_code


@pytest.mark.parametrize("path,params,status", [
    (f"/collections/nope/map/tiles", None, 404),
    (f"/collections/{LAYER}/map/tiles/NoSuchSet", None, 404),
    (f"/collections/{LAYER}/map/tiles/WebMercatorQuad/10/0/0", {"f": "gif"}, (400, 406)),
])
def test_ogcapi_tiles_errors(client, path, params, status):
    r = client.get(path, params=params)
    ok = status if isinstance(status, tuple) else (status,)
    assert r.status_code in ok, (path, r.status_code, r.text[:300])


# ---------------------------------------------------------------- caching headers

def test_etag_304_round_trip(client):
    ts = _json(client, f"/collections/{LAYER}/map/tiles/WebMercatorQuad")
    lim = ts["tileMatrixSetLimits"][-1]
    path = f"/collections/{LAYER}/map/tiles/WebMercatorQuad/{lim['tileMatrix']}/{lim['maxTileRow']}/{lim['maxTileCol']}"
    r = client.get(path, params={"f": "png"})
    assert r.status_code == 200
    etag = r.headers.get("ETag")
    assert etag, r.headers
    cc = r.headers.get("Cache-Control", "")
    assert "max-age" in cc, cc
    again = client.get(path, params={"f": "png"}, headers={"If-None-Match": etag})
    assert again.status_code == 304, again.status_code
    assert not again.content
    assert again.headers.get("ETag") == etag
    # another representation of the same tile has another ETag
    other = client.get(path, params={"f": "jpg"}, headers={"If-None-Match": etag})
    assert other.status_code == 200
    assert other.headers.get("ETag") != etag
    # a stale validator: full answer
    stale = client.get(path, params={"f": "png"}, headers={"If-None-Match": '"nope"'})
    assert stale.status_code == 200 and stale.content == r.content
    # WMTS REST tile: same behaviour
    wmts_path = f"/wmts/{LAYER}/{STYLE}/WebMercatorQuad/{lim['tileMatrix']}/{lim['maxTileRow']}/{lim['maxTileCol']}.png"
    w = client.get(wmts_path)
    assert w.status_code == 200 and w.headers.get("ETag")
    assert client.get(wmts_path, headers={"If-None-Match": w.headers["ETag"]}).status_code == 304

"""Vector tiles with real clients: Python `mapbox-vector-tile` decodes the MVT tiles of the
GeoPackage and PostGIS layers of conformance/ossature-test.toml, GDAL's MVT driver reads a tile
and the TileJSON, WMTS capabilities with vector layers validate against the WMTS schema, and
bad requests get OGC API problem details (204 for an empty tile, 404 out of range) while the
server keeps answering."""
from __future__ import annotations

import math

import mapbox_vector_tile
import pytest
import requests
from osgeo import gdal, ogr
from shapely.geometry import shape
from shapely.validation import explain_validity

import support as s

gdal.UseExceptions()

MVT = "application/vnd.mapbox-vector-tile"
# Middle of the demo's land-cover area west of Lille.
LON, LAT = 2.968, 50.648
TIMEOUT = 60


def xyz(lon: float, lat: float, z: int) -> tuple[int, int, int]:
    n = 2 ** z
    x = int((lon + 180) / 360 * n)
    la = math.radians(lat)
    y = int((1 - math.log(math.tan(la) + 1 / math.cos(la)) / math.pi) / 2 * n)
    return z, y, x


def tile_path(collection: str, z: int, row: int, col: int, tms: str = "WebMercatorQuad") -> str:
    return f"/collections/{collection}/tiles/{tms}/{z}/{row}/{col}"


def decoded(client, path: str) -> dict:
    r = client.get(path, timeout=TIMEOUT)
    assert r.status_code == 200, f"{path}: {r.status_code} {r.text[:300]}"
    assert s.media_type(r) == MVT, path
    # requests undoes the gzip transfer; the body is the tile.
    return mapbox_vector_tile.decode(r.content, default_options={"y_coord_down": True})


@pytest.mark.parametrize("collection", ["ocs2d", "pg_ocs2d", "communes", "pg_communes", "pg_communes_asmvt"])
def test_tiles_decode_within_extent_and_buffer(client, collection):
    z, row, col = xyz(LON, LAT, 14)
    tile = decoded(client, tile_path(collection, z, row, col))
    assert list(tile) == [collection]
    layer = tile[collection]
    assert layer["extent"] == 4096 and layer["version"] == 2
    assert layer["features"], "features in the middle of the data"
    for f in layer["features"]:
        assert isinstance(f["id"], int)
        assert f["geometry"]["type"] in ("Polygon", "MultiPolygon")
        coords = f["geometry"]["coordinates"]
        polygons = coords if f["geometry"]["type"] == "MultiPolygon" else [coords]
        for ring in (r for p in polygons for r in p):
            for x, y in ring:
                assert -64 <= x <= 4160 and -64 <= y <= 4160, (f["id"], x, y)
        # Valid on the tile grid (OGC simple features), whichever encoder made it.
        geometry = shape(f["geometry"])
        assert geometry.is_valid, (f["id"], explain_validity(geometry))


def test_geopackage_and_postgis_tiles_hold_the_same_features(client):
    z, row, col = xyz(LON, LAT, 15)
    for gpkg, pg in [("ocs2d", "pg_ocs2d"), ("communes", "pg_communes"), ("communes", "pg_communes_asmvt")]:
        a = decoded(client, tile_path(gpkg, z, row, col))[gpkg]["features"]
        b = decoded(client, tile_path(pg, z, row, col))[pg]["features"]
        by_id = lambda fs: {f["id"]: f["properties"] for f in fs}
        assert by_id(a) == by_id(b), gpkg


def test_identity_and_gzip_bodies_agree(client):
    z, row, col = xyz(LON, LAT, 14)
    url = client.url(tile_path("ocs2d", z, row, col))
    plain = requests.get(url, headers={"Accept-Encoding": "identity"}, timeout=TIMEOUT)
    assert "Content-Encoding" not in plain.headers
    gz = requests.get(url, headers={"Accept-Encoding": "gzip"}, timeout=TIMEOUT)
    assert gz.headers["Content-Encoding"] == "gzip"
    assert gz.content == plain.content
    assert gz.headers["ETag"] != plain.headers["ETag"]
    again = requests.get(url, headers={"Accept-Encoding": "gzip", "If-None-Match": gz.headers["ETag"]}, timeout=TIMEOUT)
    assert again.status_code == 304


def test_gdal_mvt_driver_reads_a_tile(client):
    z, row, col = xyz(LON, LAT, 14)
    # `?f=mvt` tells GDAL the URL is one tile, not a tileset folder.
    ds = gdal.OpenEx(f"MVT:{client.url(tile_path('ocs2d', z, row, col))}?f=mvt", gdal.OF_VECTOR)
    layer = ds.GetLayerByName("ocs2d")
    assert layer is not None and layer.GetFeatureCount() > 10
    names = [layer.GetLayerDefn().GetFieldDefn(i).GetName() for i in range(layer.GetLayerDefn().GetFieldCount())]
    assert "code_cs" in names and "surf_m2" in names
    for f in layer:
        g = f.GetGeometryRef()
        assert g.GetGeometryType() in (ogr.wkbPolygon, ogr.wkbMultiPolygon) and g.IsValid(), f.GetFID()
        # A lone tile is read in tile units, clipped to the tile by GDAL.
        minx, maxx, miny, maxy = g.GetEnvelope()
        assert 0 <= minx <= maxx <= 4096 and 0 <= miny <= maxy <= 4096


@pytest.mark.parametrize("collection", ["ocs2d", "pg_ocs2d"])
def test_gdal_mvt_driver_reads_a_whole_tileset(client, collection):
    """GDAL 3.6's MVT driver opens a zoom level of a tile directory ({z}/{x}/{y}.pbf beside
    metadata.json), not a TileJSON: the tileset's xyz directory gives it every feature."""
    base = f"/collections/{collection}/tiles/WebMercatorQuad"
    assert client.get_json(f"{base}/xyz/metadata.json") == client.get_json(f"{base}/tilejson.json")
    ds = gdal.OpenEx(f"MVT:{client.url(base)}/xyz/14", gdal.OF_VECTOR)
    layer = ds.GetLayerByName(collection)
    assert layer.GetSpatialRef().GetAuthorityCode(None) == "3857"
    defn = layer.GetLayerDefn()
    # The schema comes from the metadata's vector_layers, typed.
    types = {defn.GetFieldDefn(i).GetName(): defn.GetFieldDefn(i).GetType() for i in range(defn.GetFieldCount())}
    assert types["code_cs"] == ogr.OFTString and types["surf_m2"] == ogr.OFTReal, types
    ids = set()
    # GDAL asks for the tiles of the metadata's bounds rounded outwards and stops at the first
    # 404 (an empty RuntimeError here): the directory answers 204 outside the data.
    for f in layer:
        assert f.GetGeometryRef().IsValid(), f.GetField("mvt_id")
        ids.add(f.GetField("mvt_id"))
    # Every feature of the collection is in some tile of the level (GDAL does not stitch
    # features cut by tile edges, so ids repeat across tiles).
    assert len(ids) == client.get_json(f"/collections/{collection}/items", params={"limit": 1})["numberMatched"]


def test_tilejson_describes_the_tiles(client):
    doc = client.get_json("/collections/ocs2d/tiles/WebMercatorQuad/tilejson.json")
    assert doc["tilejson"] == "3.0.0" and doc["vector_layers"][0]["id"] == "ocs2d"
    assert doc["vector_layers"][0]["fields"]["surf_m2"] == "Number"
    # The template is XYZ ({z}/{y}/{x} of the OGC path is z/row/col): a tile from it decodes.
    z, row, col = xyz(LON, LAT, doc["vector_layers"][0]["minzoom"] + 14)
    url = doc["tiles"][0].replace("{z}", str(z)).replace("{x}", str(col)).replace("{y}", str(row))
    r = requests.get(url, timeout=TIMEOUT)
    assert r.status_code == 200 and mapbox_vector_tile.decode(r.content)["ocs2d"]["features"]


def test_maplibre_styles_follow_the_layers_slds(client):
    """ocs2d's SLD (one rule per land-cover code) becomes filtered fill layers; communes' SLD
    has labels, which a MapLibre style without a glyph server cannot draw: the plain style, and
    the document says why."""
    ocs = client.get_json("/collections/ocs2d/tiles/WebMercatorQuad/style.json")
    fills = [l for l in ocs["layers"] if l["type"] == "fill"]
    assert len(fills) > 5 and "metadata" not in ocs
    assert all("code_cs" in str(l["filter"]) for l in fills if "filter" in l)
    assert len({l["paint"]["fill-color"] for l in fills}) > 5, "the nomenclature's colours"
    communes = client.get_json("/collections/communes/tiles/WebMercatorQuad/style.json")
    assert "labels" in communes["metadata"]["ossature:plain-style-because"]
    assert [l["type"] for l in communes["layers"]] == ["fill", "line"]


def test_dataset_tiles_combine_layers(client):
    z, row, col = xyz(LON, LAT, 13)
    tile = decoded(client, f"/tiles/WebMercatorQuad/{z}/{row}/{col}?collections=pg_communes,pg_ocs2d")
    assert list(tile) == ["pg_communes", "pg_ocs2d"]
    doc = client.get_json("/tiles/WebMercatorQuad")
    assert doc["dataType"] == "vector"
    assert {l["id"] for l in doc["layers"]} >= {"ocs2d", "communes", "pg_ocs2d"}


def test_french_grid_tiles(client):
    tms = client.get_json("/tileMatrixSets/LAMB93_5cm_EPSG")
    # The level of about 2.4 m per pixel, over the land cover in Lambert-93.
    m = min(tms["tileMatrices"], key=lambda m: abs(math.log(m["cellSize"] / 2.4)))
    ox, oy = m["pointOfOrigin"]
    col = int((697750 - ox) / (m["cellSize"] * m["tileWidth"]))
    row = int((oy - 7061250) / (m["cellSize"] * m["tileHeight"]))
    tile = decoded(client, tile_path("pg_ocs2d", m["id"], row, col, "LAMB93_5cm_EPSG"))
    assert len(tile["pg_ocs2d"]["features"]) > 10


def test_conformance_and_tileset_documents(client):
    classes = client.get_json("/conformance")["conformsTo"]
    for c in ("core", "mvt", "dataset-tilesets", "geodata-tilesets", "tileset"):
        assert f"http://www.opengis.net/spec/ogcapi-tiles-1/1.0/conf/{c}" in classes
    ts = client.get_json("/collections/pg_ocs2d/tiles/WebMercatorQuad")
    assert ts["dataType"] == "vector" and ts["layers"][0]["id"] == "pg_ocs2d"
    assert any(l["rel"] == "item" and l["type"] == MVT for l in ts["links"])


def test_wmts_capabilities_with_vector_layers_validate(client, tmp_path):
    r = client.get("/wmts", params={"SERVICE": "WMTS", "REQUEST": "GetCapabilities"})
    assert r.status_code == 200
    assert b"application/vnd.mapbox-vector-tile" in r.content
    s.validate_xml(r.content, s.SCHEMAS / "wmts" / "1.0" / "wmtsGetCapabilities_response.xsd", tmp_path, "WMTSCapabilities.xml")
    z, row, col = xyz(LON, LAT, 14)
    t = client.get("/wmts", params={"SERVICE": "WMTS", "REQUEST": "GetTile", "VERSION": "1.0.0", "LAYER": "pg_ocs2d", "STYLE": "default",
                                    "TILEMATRIXSET": "WebMercatorQuad", "TILEMATRIX": z, "TILEROW": row, "TILECOL": col, "FORMAT": MVT})
    assert t.status_code == 200 and s.media_type(t) == MVT
    assert mapbox_vector_tile.decode(t.content)["pg_ocs2d"]["features"]


def test_empty_out_of_range_and_bad_requests(client):
    # North of the region's box: outside the data.
    z, row, col = xyz(2.0, 51.3, 12)
    s.assert_problem(client.get(f"/tiles/WebMercatorQuad/{z}/{row}/{col}", params={"collections": "communes"}), 404)
    # A tile of the communes' extent with no commune (the sea corner of the region's box).
    z, row, col = xyz(1.62, 51.08, 14)
    r = client.get(tile_path("communes", z, row, col))
    assert r.status_code == 204 and r.content == b""
    for path, status in [
        (tile_path("ocs2d", 14, 99999, 1), 404),
        (tile_path("ocs2d", 25, 1, 1), 404),
        (tile_path("ocs2d", 14, 1, 1, "NoSuchSet"), 404),
        (tile_path("nope", 14, 1, 1), 404),
        (tile_path("ocs2d", "x", 1, 1), 404),
    ]:
        s.assert_problem(client.get(path), status)
    s.assert_problem(client.get(tile_path("ocs2d", *xyz(LON, LAT, 14)), params={"f": "png"}), 400, "f")
    s.assert_problem(client.get("/tiles/WebMercatorQuad/14/1/1", params={"collections": "nope"}), 400, "collections")
    # Still answering.
    assert client.get(tile_path("ocs2d", *xyz(LON, LAT, 14))).status_code == 200

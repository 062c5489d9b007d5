"""WMS 1.3.0 and 1.1.1 with real clients on the demo orthophoto (vector layers: test_wms_vector.py) (layer `ortho` of
conformance/ossature-test.toml: 4 JPEG COGs in EPSG:3950, 5 cm, a 2x2 mosaic): OWSLib's
WebMapService in both versions and GDAL's WMS driver draw it in every advertised CRS, and
GetFeatureInfo gives the values GDAL reads from the COG itself."""
from __future__ import annotations

import json
import xml.etree.ElementTree as ET

import pytest
import requests
from osgeo import gdal
from owslib.wms import WebMapService

import support as s

gdal.UseExceptions()

LAYER = "ortho"
TIMEOUT = 60
SIZE = 64
#: A 64 x 64 window at the imagery's own grid (5 cm) inside the north-west file, in EPSG:3950.
NATIVE_BBOX = (1704450.0, 9270546.8, 1704453.2, 9270550.0)
NW_FILE = s.ROOT / "demo" / "ortho" / "ortho_cc50_0_0.tif"


decode, varies, centre = s.decode_image, s.varies, s.centre


@pytest.fixture(scope="module")
def wms_url(base_url) -> str:
    return base_url.rstrip("/") + "/wms"


@pytest.fixture(scope="module")
def boxes(wms_url) -> dict[str, tuple[float, float, float, float]]:
    """The layer's advertised extent per CRS, easting first (1.1.1 writes every box that way),
    plus CRS:84, which only 1.3.0 names."""
    r = requests.get(wms_url, params={"SERVICE": "WMS", "REQUEST": "GetCapabilities", "VERSION": "1.1.1"}, timeout=TIMEOUT)
    assert r.status_code == 200, r.text[:500]
    root = ET.fromstring(r.content)
    layer = next(l for l in root.iter("Layer") if l.findtext("Name") == LAYER)
    out = {b.get("SRS"): tuple(float(b.get(k)) for k in ("minx", "miny", "maxx", "maxy")) for b in layer.findall("BoundingBox")}
    out["CRS:84"] = out["EPSG:4326"]
    return out


@pytest.fixture(scope="module", params=["1.3.0", "1.1.1"])
def wms(request, wms_url) -> WebMapService:
    return WebMapService(wms_url, version=request.param, timeout=TIMEOUT)


def test_owslib_reads_the_capabilities(wms, boxes):
    assert wms.identification.type in ("WMS", "OGC:WMS")
    assert LAYER in wms.contents
    layer = wms.contents[LAYER]
    assert layer.queryable
    ops = {op.name for op in wms.operations}
    assert {"GetCapabilities", "GetMap", "GetFeatureInfo"} <= ops, ops
    get_map = wms.getOperationByName("GetMap")
    assert set(get_map.formatOptions) == {"image/png", "image/png; mode=8bit", "image/jpeg", "image/webp"}, get_map.formatOptions
    minx, miny, maxx, maxy = layer.boundingBoxWGS84
    assert 3.0 < minx < maxx < 3.1 and 50.6 < miny < maxy < 50.7, layer.boundingBoxWGS84
    advertised = set(layer.crsOptions)
    assert {"EPSG:3950", "EPSG:3857", "EPSG:4326", "EPSG:2154"} <= advertised, advertised
    assert advertised - {"CRS:84"} == set(boxes) - {"CRS:84"}, "a box for every CRS"


def test_owslib_draws_every_advertised_crs(wms, boxes):
    """Both versions give the same map for the same ground (OWSLib puts 1.3.0 EPSG:4326 boxes
    latitude first itself)."""
    layer = wms.contents[LAYER]
    for crs in layer.crsOptions:
        for fmt in ("image/png", "image/png; mode=8bit", "image/jpeg"):
            img = wms.getmap(layers=[LAYER], styles=[""], srs=crs, bbox=centre(boxes[crs]), size=(SIZE, SIZE), format=fmt)
            assert img.info()["Content-Type"] == fmt, crs
            ds = decode(img.read())
            assert (ds.RasterXSize, ds.RasterYSize) == (SIZE, SIZE), crs
            assert varies(ds), f"{wms.version} {crs} {fmt}: flat image"


def test_8bit_png_is_paletted(wms):
    """`image/png; mode=8bit` (as MapServer and GeoServer name it): one band with a colour table."""
    img = wms.getmap(layers=[LAYER], styles=[""], srs="EPSG:3950", bbox=NATIVE_BBOX, size=(SIZE, SIZE),
                     format="image/png; mode=8bit", transparent=True)
    assert img.info()["Content-Type"] == "image/png; mode=8bit"
    ds = decode(img.read())
    band = ds.GetRasterBand(1)
    assert ds.RasterCount == 1 and band.GetColorTable() is not None
    assert 1 < band.GetColorTable().GetCount() <= 256
    assert varies(ds)


def test_both_versions_give_the_same_map(wms_url, boxes):
    maps = {}
    for version in ("1.3.0", "1.1.1"):
        client = WebMapService(wms_url, version=version, timeout=TIMEOUT)
        for crs in ("EPSG:4326", "EPSG:3857", "EPSG:3950"):
            maps[version, crs] = client.getmap(layers=[LAYER], styles=[""], srs=crs, bbox=centre(boxes[crs]),
                                               size=(SIZE, SIZE), format="image/png").read()
    for crs in ("EPSG:4326", "EPSG:3857", "EPSG:3950"):
        assert maps["1.3.0", crs] == maps["1.1.1", crs], crs


@pytest.mark.parametrize("version", ["1.3.0", "1.1.1"])
def test_gdal_wms_driver_draws_every_advertised_crs(wms_url, boxes, gdal_wms_cache, version):
    for crs, box in boxes.items():
        if version == "1.1.1" and crs == "CRS:84":
            continue
        ds = s.gdal_wms_map(wms_url, version, LAYER, crs, centre(box), SIZE)
        assert ds.RasterCount >= 3, crs
        assert varies(ds), f"{version} {crs}: flat image through GDAL"


def test_getfeatureinfo_gives_the_cog_pixel(wms, wms_url):
    """At the imagery's own grid, pixel (10, 40) of the map is COG pixel (1010, 1040) of the
    north-west file: GetFeatureInfo must give its values, read here by GDAL from the file."""
    cog = gdal.Open(str(NW_FILE))
    expected = [cog.GetRasterBand(b).ReadRaster(1010, 1040, 1, 1)[0] for b in (1, 2, 3)]
    r = wms.getfeatureinfo(layers=[LAYER], styles=[""], srs="EPSG:3950", bbox=NATIVE_BBOX, size=(SIZE, SIZE),
                           format="image/png", query_layers=[LAYER], info_format="application/json", xy=(10, 40))
    assert r.info()["Content-Type"] == "application/json"
    doc = json.loads(r.read())
    props = doc["features"][0]["properties"]
    got = [props["red"], props["green"], props["blue"]]
    # JPEG decoders may differ by a level or two.
    assert all(abs(a - b) <= 2 for a, b in zip(got, expected)), (got, expected)
    assert props["alpha"] == 255
    for fmt in ("text/plain", "text/html"):
        r = wms.getfeatureinfo(layers=[LAYER], styles=[""], srs="EPSG:3950", bbox=NATIVE_BBOX, size=(SIZE, SIZE),
                               format="image/png", query_layers=[LAYER], info_format=fmt, xy=(10, 40))
        assert r.info()["Content-Type"] == fmt
        assert str(props["red"]) in r.read().decode()


@pytest.mark.parametrize("over,code", [
    ({"LAYERS": "nope"}, "LayerNotDefined"),
    ({"CRS": "EPSG:27572"}, "InvalidCRS"),
    ({"FORMAT": "image/gif"}, "InvalidFormat"),
    ({"WIDTH": "100000"}, "InvalidParameterValue"),
    ({"STYLES": "fancy"}, "StyleNotDefined"),
])
def test_exceptions(wms_url, over, code):
    params = {"SERVICE": "WMS", "VERSION": "1.3.0", "REQUEST": "GetMap", "LAYERS": LAYER, "STYLES": "",
              "CRS": "EPSG:3950", "BBOX": ",".join(map(str, NATIVE_BBOX)), "WIDTH": SIZE, "HEIGHT": SIZE,
              "FORMAT": "image/png", **over}
    r = requests.get(wms_url, params=params, timeout=TIMEOUT)
    assert r.status_code == 200 and r.headers["Content-Type"] == "text/xml", (r.status_code, r.text[:300])
    exc = ET.fromstring(r.content).find("{http://www.opengis.net/ogc}ServiceException")
    assert exc is not None and exc.get("code") == code, r.text[:500]
    if code in ("LayerNotDefined", "InvalidCRS", "StyleNotDefined"):
        # A BLANK exception is an image of the requested size and format.
        blank = requests.get(wms_url, params={**params, "EXCEPTIONS": "BLANK"}, timeout=TIMEOUT)
        assert blank.status_code == 200 and blank.headers["Content-Type"] == "image/png", blank.text[:300]
        assert decode(blank.content).RasterXSize == SIZE

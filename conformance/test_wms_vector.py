"""WMS 1.3.0 and 1.1.1 on the vector layers of conformance/ossature-test.toml (GeoPackage and
PostGIS, styled by the SLD / SE files of styles/): the capabilities validate, OWSLib's
WebMapService in both versions and GDAL's WMS driver draw every vector layer in every advertised
CRS, every LegendURL answers a PNG of the announced size, GetFeatureInfo at a known pixel names
the known commune, and bad requests get the WMS exception while the server keeps answering."""
from __future__ import annotations

import json
import subprocess
import xml.etree.ElementTree as ET

import pytest
import requests
from osgeo import gdal
from owslib.wms import WebMapService

import support as s

gdal.UseExceptions()

TIMEOUT = 60
SIZE = 64
VECTOR = ["communes", "epci", "scot", "ocs2d", "pg_communes", "pg_ocs2d", "pg_ocs2d_nopk"]
#: West of Lille in Lambert-93; pixel (200, 240) of a 512 x 512 map lies in Capinghem.
L93 = (695500.0, 7058500.0, 700500.0, 7063500.0)


decode, varies, centre = s.decode_image, s.varies, s.centre


@pytest.fixture(scope="module")
def wms_url(base_url) -> str:
    return base_url.rstrip("/") + "/wms"


@pytest.fixture(scope="module")
def caps(wms_url) -> dict[str, bytes]:
    out = {}
    for version in ("1.3.0", "1.1.1"):
        r = requests.get(wms_url, params={"SERVICE": "WMS", "REQUEST": "GetCapabilities", "VERSION": version}, timeout=TIMEOUT)
        assert r.status_code == 200, r.text[:500]
        out[version] = r.content
    return out


@pytest.fixture(scope="module")
def boxes(caps) -> dict[str, dict[str, tuple]]:
    """Each vector layer's advertised extent per CRS, easting first (as 1.1.1 writes them)."""
    root = ET.fromstring(caps["1.1.1"])
    out = {}
    for layer in root.iter("Layer"):
        name = layer.findtext("Name")
        if name in VECTOR:
            out[name] = {b.get("SRS"): tuple(float(b.get(k)) for k in ("minx", "miny", "maxx", "maxy")) for b in layer.findall("BoundingBox")}
            out[name]["CRS:84"] = out[name]["EPSG:4326"]
    return out


@pytest.fixture(scope="module", params=["1.3.0", "1.1.1"])
def wms(request, wms_url) -> WebMapService:
    return WebMapService(wms_url, version=request.param, timeout=TIMEOUT)


def test_capabilities_validate_with_the_vector_layers(caps, tmp_path):
    s.validate_xml(caps["1.3.0"], s.SCHEMAS / "sld" / "1.1.0" / "sld_capabilities.xsd", tmp_path, "wms130.xml")
    for name in VECTOR:
        assert f"<Name>{name}</Name>".encode() in caps["1.3.0"], name
        assert f"<Name>{name}</Name>".encode() in caps["1.1.1"], name


def test_styles_validate_against_the_sld_schemas(tmp_path):
    """SLD 1.1.0 styles against the schema; the SLD 1.0.0 schema is not in the schema folder,
    so those are checked for their root element only."""
    styles = sorted((s.ROOT / "styles").glob("*.sld"))
    assert len(styles) >= 4
    for path in styles:
        data = path.read_bytes()
        if b'version="1.1.0"' in data:
            s.validate_xml(data, s.SCHEMAS / "sld" / "1.1.0" / "StyledLayerDescriptor.xsd", tmp_path, path.name)
        else:
            assert ET.fromstring(data).tag == "{http://www.opengis.net/sld}StyledLayerDescriptor", path


def test_owslib_sees_styles_legends_and_time(wms):
    for name in VECTOR:
        layer = wms.contents[name]
        assert layer.queryable, name
        assert layer.styles, name
        for style in layer.styles.values():
            assert "GetLegendGraphic" in style["legend"], (name, style)
    assert set(wms.contents["communes"].styles) == {"communes", "communes_contour"}
    assert "ocs2d_couverture" in wms.contents["ocs2d"].styles
    assert "default" in wms.contents["pg_ocs2d_nopk"].styles, "a layer without style file gets the plain one"
    if wms.version == "1.3.0":
        assert wms.contents["ocs2d"].dimensions["time"]["default"] == "2015-03-02/2022-12-15"


def test_owslib_draws_every_vector_layer_in_every_crs(wms, boxes):
    for name in VECTOR:
        layer = wms.contents[name]
        for crs in layer.crsOptions:
            img = wms.getmap(layers=[name], styles=[""], srs=crs, bbox=centre(boxes[name][crs], 0.3), size=(SIZE, SIZE),
                             format="image/png", transparent=False)
            assert img.info()["Content-Type"] == "image/png", (name, crs)
            ds = decode(img.read())
            assert (ds.RasterXSize, ds.RasterYSize) == (SIZE, SIZE)
            assert varies(ds), f"{wms.version} {name} {crs}: nothing drawn"


RED_WATER = """<StyledLayerDescriptor version="1.0.0" xmlns="http://www.opengis.net/sld" xmlns:ogc="http://www.opengis.net/ogc">
<NamedLayer><Name>{layer}</Name><UserStyle><FeatureTypeStyle><Rule>
<ogc:Filter><ogc:PropertyIsEqualTo><ogc:PropertyName>code_cs</ogc:PropertyName><ogc:Literal>CS1.2.2</ogc:Literal></ogc:PropertyIsEqualTo></ogc:Filter>
<PolygonSymbolizer><Fill><CssParameter name="fill">#ff0000</CssParameter></Fill></PolygonSymbolizer>
</Rule></FeatureTypeStyle></UserStyle></NamedLayer></StyledLayerDescriptor>"""


def test_owslib_getmap_with_sld_body(wms):
    """The capabilities announce user-defined symbolization, and a map drawn with SLD_BODY
    through OWSLib shows the water of OCS2D in the document's red, from both sources; a style
    the renderer cannot draw is refused with the element named."""
    assert wms.getOperationByName("GetMap") is not None
    for name in ("ocs2d", "pg_ocs2d"):
        img = wms.getmap(layers=[name], styles=[""], srs="EPSG:2154", bbox=L93, size=(256, 256), format="image/png",
                         SLD_BODY=RED_WATER.format(layer=name))
        ds = decode(img.read())
        r, g, b = (ds.GetRasterBand(i).ReadRaster() for i in (1, 2, 3))
        red = sum(1 for p in zip(r, g, b) if p == (255, 0, 0))
        assert red > 100, f"{wms.version} {name}: {red} red pixels"
    bad = RED_WATER.format(layer="ocs2d").replace("<Fill>", "<Fill><GraphicFill><Graphic/></GraphicFill>")
    r = requests.get(wms.url, params={"SERVICE": "WMS", "VERSION": wms.version, "REQUEST": "GetMap", "LAYERS": "ocs2d", "STYLES": "",
                                      "SRS" if wms.version == "1.1.1" else "CRS": "EPSG:2154", "BBOX": ",".join(map(str, L93)),
                                      "WIDTH": 64, "HEIGHT": 64, "FORMAT": "image/png", "SLD_BODY": bad}, timeout=TIMEOUT)
    assert b"GraphicFill" in r.content and b"InvalidParameterValue" in r.content, r.text[:500]


@pytest.mark.parametrize("version", ["1.3.0", "1.1.1"])
def test_gdal_wms_driver_draws_every_vector_layer_in_every_crs(wms_url, boxes, gdal_wms_cache, version):
    for name in VECTOR:
        for crs, box in boxes[name].items():
            if version == "1.1.1" and crs == "CRS:84":
                continue
            ds = s.gdal_wms_map(wms_url, version, name, crs, centre(box, 0.3), SIZE)
            assert varies(ds), f"{version} {name} {crs}: nothing drawn through GDAL"


def test_every_legend_resolves_at_its_announced_size(caps):
    root = ET.fromstring(caps["1.3.0"])
    ns = {"w": "http://www.opengis.net/wms", "x": "http://www.w3.org/1999/xlink"}
    legends = root.findall(".//w:Style/w:LegendURL", ns)
    assert len(legends) >= len(VECTOR)
    for legend in legends:
        href = legend.find("w:OnlineResource", ns).get("{http://www.w3.org/1999/xlink}href")
        r = requests.get(href, timeout=TIMEOUT)
        assert r.status_code == 200 and r.headers["Content-Type"] == "image/png", (href, r.text[:300])
        ds = decode(r.content)
        assert (ds.RasterXSize, ds.RasterYSize) == (int(legend.get("width")), int(legend.get("height"))), href


@pytest.mark.parametrize("layer", ["communes", "pg_communes"])
def test_getfeatureinfo_names_the_commune_under_the_pixel(wms, layer):
    for fmt, check in [
        ("application/json", lambda body: json.loads(body)["features"][0]["properties"]["nom"] == "Capinghem"),
        ("text/plain", lambda body: "nom = Capinghem" in body.decode()),
        ("text/html", lambda body: "<td>Capinghem</td>" in body.decode()),
        ("application/vnd.ogc.gml", lambda body: b"<ossature:nom>Capinghem</ossature:nom>" in body),
        ("application/vnd.ogc.gml/3.1.1", lambda body: b"<ossature:nom>Capinghem</ossature:nom>" in body),
    ]:
        r = wms.getfeatureinfo(layers=[layer], styles=[""], srs="EPSG:2154", bbox=L93, size=(512, 512), format="image/png",
                               query_layers=[layer], info_format=fmt, xy=(200, 240))
        assert r.info()["Content-Type"] == fmt, fmt
        body = r.read()
        assert check(body), (fmt, body[:500])


@pytest.mark.parametrize("params,code", [
    ({"REQUEST": "GetMap", "LAYERS": "communes", "STYLES": "fancy"}, "StyleNotDefined"),
    ({"REQUEST": "GetMap", "LAYERS": "communes", "STYLES": "", "WIDTH": "100000"}, "InvalidParameterValue"),
    ({"REQUEST": "GetMap", "LAYERS": "communes", "STYLES": "", "CQL_FILTER": "population>1"}, "InvalidParameterValue"),
    ({"REQUEST": "GetLegendGraphic", "LAYER": "nope"}, "LayerNotDefined"),
    ({"REQUEST": "GetLegendGraphic", "LAYER": "communes", "STYLE": "fancy"}, "StyleNotDefined"),
])
def test_bad_requests_get_the_wms_exception(wms_url, params, code):
    base = {"SERVICE": "WMS", "VERSION": "1.3.0", "CRS": "EPSG:2154", "BBOX": ",".join(map(str, L93)),
            "WIDTH": SIZE, "HEIGHT": SIZE, "FORMAT": "image/png"}
    r = requests.get(wms_url, params={**base, **params}, timeout=TIMEOUT)
    assert r.status_code == 200 and r.headers["Content-Type"] == "text/xml", (r.status_code, r.text[:300])
    exc = ET.fromstring(r.content).find("{http://www.opengis.net/ogc}ServiceException")
    assert exc is not None and exc.get("code") == code, r.text[:500]
    ok = requests.get(wms_url, params={**base, "REQUEST": "GetMap", "LAYERS": "communes", "STYLES": ""}, timeout=TIMEOUT)
    assert ok.status_code == 200 and ok.headers["Content-Type"] == "image/png", "the server still draws maps"


#: Each WMS exception code and what earns it, on top of a 1.3.0 GetMap of `communes` (see
#: `_request`); InvalidCRS is InvalidSRS in 1.1.1. The map errors can be drawn (INIMAGE) or
#: left blank (BLANK); the others are answered in XML whatever the mode.
EXCEPTION_CASES = {
    "LayerNotDefined": ({"LAYERS": "nope"}, True),
    "StyleNotDefined": ({"STYLES": "fancy"}, True),
    "InvalidCRS": ({"CRS": "EPSG:27572"}, True),
    "InvalidDimensionValue": ({"LAYERS": "ocs2d", "TIME": "1900-01-01"}, True),
    "InvalidFormat": ({"FORMAT": "image/gif"}, False),
    "InvalidPoint": ({"REQUEST": "GetFeatureInfo", "QUERY_LAYERS": "communes", "INFO_FORMAT": "text/plain", "I": "999", "J": "1"}, False),
    "CurrentUpdateSequence": ({"REQUEST": "GetCapabilities", "UPDATESEQUENCE": None}, False),
}
MODES = {"1.3.0": ("XML", "INIMAGE", "BLANK"),
         "1.1.1": ("application/vnd.ogc.se_xml", "application/vnd.ogc.se_inimage", "application/vnd.ogc.se_blank")}


def _request(version: str, over: dict, update_sequence: str) -> dict:
    params = {"SERVICE": "WMS", "VERSION": version, "REQUEST": "GetMap", "LAYERS": "communes", "STYLES": "",
              "CRS": "EPSG:2154", "BBOX": ",".join(map(str, L93)), "WIDTH": SIZE, "HEIGHT": SIZE, "FORMAT": "image/png"}
    params.update({k: update_sequence if k == "UPDATESEQUENCE" else v for k, v in over.items()})
    if version == "1.1.1":
        params["SRS"] = params.pop("CRS")
        for i, x in (("I", "X"), ("J", "Y")):
            if i in params:
                params[x] = params.pop(i)
    return params


@pytest.mark.parametrize("version", ["1.3.0", "1.1.1"])
@pytest.mark.parametrize("code", list(EXCEPTION_CASES))
def test_every_exception_code_in_every_exceptions_mode(wms_url, caps, tmp_path, version, code):
    """The exception each bad request earns, in both versions and each EXCEPTIONS mode: a report
    valid against the version's schema or DTD, or for a map an image of the requested size."""
    over, drawable = EXCEPTION_CASES[code]
    sequence = ET.fromstring(caps[version]).get("updateSequence")
    assert sequence, "the capabilities carry an updateSequence"
    params = _request(version, over, sequence)
    expected = "InvalidSRS" if (code, version) == ("InvalidCRS", "1.1.1") else code
    for mode in MODES[version]:
        r = requests.get(wms_url, params={**params, "EXCEPTIONS": mode}, timeout=TIMEOUT)
        assert r.status_code == 200, (mode, r.status_code, r.text[:300])
        if drawable and not mode.endswith(("XML", "xml")):
            assert r.headers["Content-Type"] == "image/png", (mode, r.text[:300])
            image = decode(r.content)
            assert (image.RasterXSize, image.RasterYSize) == (SIZE, SIZE), mode
            assert varies(image) == mode.upper().endswith("INIMAGE"), f"{mode}: the message is written in INIMAGE only"
            continue
        if version == "1.3.0":
            assert r.headers["Content-Type"] == "text/xml", (mode, r.headers["Content-Type"])
            s.validate_xml(r.content, s.SCHEMAS / "wms" / "1.3.0" / "exceptions_1_3_0.xsd", tmp_path, "exception.xml")
            exc = ET.fromstring(r.content).find("{http://www.opengis.net/ogc}ServiceException")
        else:
            assert r.headers["Content-Type"] == "application/vnd.ogc.se_xml", (mode, r.headers["Content-Type"])
            doc = tmp_path / "exception.xml"
            doc.write_bytes(r.content)
            dtd = s.SCHEMAS / "wms" / "1.1.1" / "exception_1_1_1.dtd"
            p = subprocess.run(["xmllint", "--nonet", "--noout", "--dtdvalid", str(dtd), str(doc)], capture_output=True, text=True, timeout=60)
            assert p.returncode == 0, p.stderr[-2000:]
            exc = ET.fromstring(r.content).find("ServiceException")
        assert exc is not None and exc.get("code") == expected, (mode, r.text[:500])
    older = requests.get(wms_url, params=_request(version, {"REQUEST": "GetCapabilities"}, sequence), timeout=TIMEOUT)
    assert older.status_code == 200 and b"<Capability>" in older.content, "a plain GetCapabilities still answers"

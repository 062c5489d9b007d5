"""OGC API Records over the catalogue with OWSLib's `owslib.ogcapi.records.Records` client, record
GeoJSON checked against the record-core requirements as a JSON Schema, the records' ISO alternates
and the capabilities' MetadataURLs validated against ISO 19139 (gmd.xsd) with xmllint.

The official Records Part 1 JSON schemas are not in ../shared/ogc-schemas, so RECORD_CORE below
states the record-core requirements (OGC 20-004, /req/record-core) the server must meet."""
from __future__ import annotations

import xml.etree.ElementTree as ET

import jsonschema
import pytest
import requests
from owslib.csw import CatalogueServiceWeb
from owslib.fes import SortBy, SortProperty
from owslib.ogcapi.records import Records

import support as s

TIMEOUT = 60
CID = s.CATALOGUE_ID
GMD = "http://www.isotc211.org/2005/gmd"
PLU = "c0e3bb0c-ec9d-5562-b912-df42bd58d315"  # demo/catalogue/0000-plu.xml

LINK = {"type": "object", "required": ["href", "rel"], "properties": {"href": {"type": "string"}, "rel": {"type": "string"}}}
RECORD_CORE = {
    "type": "object",
    "required": ["id", "type", "geometry", "time", "properties", "links"],
    "properties": {
        "id": {"type": "string"},
        "type": {"const": "Feature"},
        "conformsTo": {"type": "array", "items": {"type": "string"}},
        "geometry": {"oneOf": [{"type": "null"}, {"type": "object", "required": ["type", "coordinates"]}]},
        "time": {"oneOf": [{"type": "null"}, {"type": "object", "minProperties": 1,
                                              "properties": {"date": {"type": "string", "format": "date"},
                                                             "timestamp": {"type": "string"},
                                                             "interval": {"type": "array", "minItems": 2, "maxItems": 2}}}]},
        "properties": {
            "type": "object",
            "required": ["type", "title"],
            "properties": {
                "type": {"type": "string"}, "title": {"type": "string"}, "description": {"type": "string"},
                "keywords": {"type": "array", "items": {"type": "string"}},
                "themes": {"type": "array", "items": {"type": "object", "required": ["concepts", "scheme"]}},
                "language": {"type": "object", "required": ["code"]},
                "contacts": {"type": "array", "items": {"type": "object", "anyOf": [{"required": ["name"]}, {"required": ["organization"]}]}},
                "formats": {"type": "array", "items": {"type": "object", "required": ["name"]}},
                "updated": {"type": "string"},
            },
        },
        "links": {"type": "array", "items": LINK},
    },
}


@pytest.fixture(scope="module")
def base_url(catalogue_url) -> str:
    """Every test of this module runs against both catalogue stores (conftest's catalogue_url)."""
    return catalogue_url


@pytest.fixture(scope="module")
def records(base_url) -> Records:
    return Records(base_url, timeout=TIMEOUT)


def ids(page: dict) -> list[str]:
    return [f["id"] for f in page["features"]]


def test_owslib_finds_the_catalogue(records):
    assert records.records() == [CID]
    doc = records.collection(CID)
    assert doc["itemType"] == "record"
    conforms = records.conformance()["conformsTo"]
    assert "http://www.opengis.net/spec/ogcapi-records-1/1.0/conf/record-core" in conforms


def test_paged_walk_matches_csw(records, base_url):
    """Every record once through the next links; as many as CSW GetRecords matches."""
    csw = CatalogueServiceWeb(base_url.rstrip("/") + "/csw", timeout=TIMEOUT)
    csw.getrecords2(maxrecords=1, esn="brief")
    expected = csw.results["matches"]
    page = records.collection_items(CID, limit=3)
    assert page["numberMatched"] == expected
    seen = []
    while True:
        for f in page["features"]:
            jsonschema.validate(f, RECORD_CORE)
        seen.extend(ids(page))
        nxt = s.next_link(page)
        if nxt is None:
            break
        assert len(page["features"]) == 3
        page = requests.get(nxt["href"], timeout=TIMEOUT).json()
    assert len(seen) == expected == len(set(seen))


def test_sortby_orders_as_csw_sortby(records, base_url):
    """`sortby` (OGC API Records sorting) and CSW SortBy sent by OWSLib give one order."""
    sortables = requests.get(f"{base_url.rstrip('/')}/collections/{CID}/sortables", timeout=TIMEOUT).json()
    assert {"title", "updated"} <= set(sortables["properties"])
    page = requests.get(f"{base_url.rstrip('/')}/collections/{CID}/items", params={"sortby": "-updated,title", "limit": 100}, timeout=TIMEOUT).json()
    csw = CatalogueServiceWeb(base_url.rstrip("/") + "/csw", timeout=TIMEOUT)
    csw.getrecords2(sortby=SortBy([SortProperty("dct:modified", "DESC"), SortProperty("dc:title", "ASC")]), maxrecords=100, esn="brief")
    assert ids(page) == list(csw.records)
    assert len(ids(page)) == page["numberMatched"]
    # OWSLib's own sortby (one key, asc or desc).
    titles = [f["properties"]["title"].lower() for f in records.collection_items(CID, sortby=("title", "desc"), limit=100)["features"]]
    assert titles == sorted(titles, reverse=True) and len(set(titles)) > 1


def test_search_parameters(records):
    assert ids(records.collection_items(CID, q="zonage")) == [PLU]
    assert ids(records.collection_items(CID, q="zonage,no-such-word")) == [PLU]
    assert ids(records.collection_items(CID, q="no-such-word")) == []
    near = ids(records.collection_items(CID, bbox=[2.07, 50.06, 2.08, 50.07], limit=100))
    assert PLU in near
    assert ids(records.collection_items(CID, bbox=[-60, -10, -59, -9])) == []
    assert PLU in ids(records.collection_items(CID, datetime_="2021-01-01/2021-12-31", limit=100))
    assert ids(records.collection_items(CID, datetime_="../1900-01-01")) == []
    assert ids(records.collection_items(CID, filter="title LIKE 'Plan local%'")) == [PLU]
    assert ids(records.collection_items(CID, ids=f"ossature-{s.LAYER_IDS[0]},{PLU}")) == [f"ossature-{s.LAYER_IDS[0]}", PLU]


def test_one_record_and_its_iso_alternate(records, tmp_path):
    rec = records.collection_item(CID, PLU)
    jsonschema.validate(rec, RECORD_CORE)
    assert rec["properties"]["title"] == "Plan local d'urbanisme de Surcamps"
    iso = [l for l in rec["links"] if l.get("type") == "application/xml"]
    assert len(iso) == 1
    r = requests.get(iso[0]["href"], timeout=TIMEOUT)
    assert r.status_code == 200
    s.validate_xml(_single_record(r.content), s.SCHEMAS / "iso/19139/20070417/gmd/gmd.xsd", tmp_path)


@pytest.mark.parametrize("params,status", [
    ({"filter": "title = "}, 400),
    ({"filter": "no_such_queryable = 1"}, 400),
    ({"filter": "S_TOUCHES(geometry, POINT(1 2))"}, 400),
    ({"bbox": "1,2,3"}, 400),
    ({"limit": "0"}, 400),
    ({"sortby": "-description"}, 400),
])
def test_bad_requests_are_problem_details(base_url, params, status):
    r = requests.get(f"{base_url.rstrip('/')}/collections/{CID}/items", params=params, timeout=TIMEOUT)
    s.assert_problem(r, status)
    r = requests.get(f"{base_url.rstrip('/')}/collections/{CID}/items/no-such-record", timeout=TIMEOUT)
    s.assert_problem(r, 404)


def _single_record(csw_response: bytes) -> bytes:
    """The gmd:MD_Metadata of a GetRecordById response, as its own document."""
    root = ET.fromstring(csw_response)
    found = root.findall(f"{{{GMD}}}MD_Metadata")
    assert len(found) == 1, csw_response[:500]
    return ET.tostring(found[0], encoding="utf-8", xml_declaration=True)


def _capabilities_record_links(base_url: str) -> list[tuple[str, str, str]]:
    """(face, layer, record URL) for every layer of the WMS, WMTS and WFS capabilities."""
    get = lambda path: ET.fromstring(requests.get(base_url.rstrip("/") + path, timeout=TIMEOUT).content)
    xlink = "{http://www.w3.org/1999/xlink}href"
    out = []
    wms = get("/wms?SERVICE=WMS&REQUEST=GetCapabilities&VERSION=1.3.0")
    for layer in wms.iter("{http://www.opengis.net/wms}Layer"):
        name = layer.find("{http://www.opengis.net/wms}Name")
        if name is None:
            continue
        urls = layer.findall("{http://www.opengis.net/wms}MetadataURL")
        assert [u.get("type") for u in urls] == ["ISO19115:2003"], name.text
        assert urls[0].findtext("{http://www.opengis.net/wms}Format") == "text/xml"
        out.append(("WMS", name.text, urls[0].find("{http://www.opengis.net/wms}OnlineResource").get(xlink)))
    wmts = get("/wmts?SERVICE=WMTS&REQUEST=GetCapabilities")
    for layer in wmts.iter("{http://www.opengis.net/wmts/1.0}Layer"):
        name = layer.findtext("{http://www.opengis.net/ows/1.1}Identifier")
        meta = layer.findall("{http://www.opengis.net/ows/1.1}Metadata")
        assert len(meta) == 1, name
        out.append(("WMTS", name, meta[0].get(xlink)))
    wfs = get("/wfs?SERVICE=WFS&REQUEST=GetCapabilities&VERSION=2.0.0")
    for ft in wfs.iter("{http://www.opengis.net/wfs/2.0}FeatureType"):
        name = ft.findtext("{http://www.opengis.net/wfs/2.0}Name").split(":")[-1]
        meta = ft.findall("{http://www.opengis.net/wfs/2.0}MetadataURL")
        assert len(meta) == 1, name
        out.append(("WFS", name, meta[0].get(xlink)))
    return out


def test_capabilities_link_every_layer_to_a_valid_iso_record(base_url, tmp_path):
    links = _capabilities_record_links(base_url)
    faces = {(face, layer) for face, layer, _ in links}
    layers = set(s.RASTER_IDS) | set(s.LAYER_IDS)
    assert faces == {("WMS", l) for l in layers} | {("WMTS", l) for l in layers} | {("WFS", l) for l in s.LAYER_IDS}
    for face, layer, url in links:
        r = requests.get(url, timeout=TIMEOUT)
        assert r.status_code == 200, url
        record = _single_record(r.content)
        s.validate_xml(record, s.SCHEMAS / "iso/19139/20070417/gmd/gmd.xsd", tmp_path, name=f"{face}-{layer}.xml")
        assert ET.fromstring(record).findtext(f"{{{GMD}}}fileIdentifier/{{http://www.isotc211.org/2005/gco}}CharacterString") == f"ossature-{layer}"

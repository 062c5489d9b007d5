"""The catalogue with real clients: OWSLib's CatalogueServiceWeb (a paged harvest, constraints,
ISO records through its MD_Metadata parser), GDAL's CSW driver, and xmllint against the CSW 2.0.2
and ISO 19139 schemas. The server's store holds demo/catalogue/*.xml (scripts/test imports them
before starting it); every served layer has a record of its own."""
from __future__ import annotations

from pathlib import Path

import pytest
import requests
from osgeo import gdal, ogr
from owslib.csw import CatalogueServiceWeb
from owslib.fes import BBox, PropertyIsLike

import support as s

gdal.UseExceptions()

IMPORTED = sorted(p.stem for p in (s.ROOT / "demo" / "catalogue").glob("*.xml"))
GMD = "http://www.isotc211.org/2005/gmd"
TIMEOUT = 60


@pytest.fixture(scope="module")
def base_url(catalogue_url) -> str:
    """Every test of this module runs against both catalogue stores (conftest's catalogue_url)."""
    return catalogue_url


@pytest.fixture(scope="module")
def csw(base_url) -> CatalogueServiceWeb:
    return CatalogueServiceWeb(base_url.rstrip("/") + "/csw", timeout=TIMEOUT)


@pytest.fixture(scope="module")
def expected_count(base_url) -> int:
    return len(s.LAYER_IDS) + len(s.RASTER_IDS) + len(IMPORTED)


def harvest(csw: CatalogueServiceWeb, page: int, **kw) -> tuple[list[str], int]:
    """Every record, following nextrecord as a harvester does; returns (ids, matched)."""
    ids, start, matched = [], 1, None
    while True:
        csw.getrecords2(startposition=start, maxrecords=page, esn="brief", **kw)
        matched = csw.results["matches"]
        ids.extend(csw.records.keys())
        assert csw.results["returned"] == len(csw.records)
        nxt = csw.results["nextrecord"]
        if nxt == 0 or nxt > matched:
            break
        assert csw.results["returned"] == page, "a page is shorter than asked only when it is the last"
        start = nxt
    return ids, matched


def test_capabilities(csw):
    assert csw.identification.type == "CSW"
    ops = {op.name for op in csw.operations}
    assert {"GetCapabilities", "DescribeRecord", "GetRecords", "GetRecordById", "GetDomain"} <= ops


@pytest.mark.parametrize("page", [1, 4, 10])
def test_paged_harvest_sees_every_record_once(csw, expected_count, page):
    ids, matched = harvest(csw, page)
    assert matched == expected_count
    assert len(ids) == matched and len(set(ids)) == matched


def test_keyword_constraint(csw):
    csw.getrecords2(constraints=[PropertyIsLike("csw:AnyText", "%communes%")], maxrecords=50)
    assert "ossature-communes" in csw.records
    csw.getrecords2(constraints=[PropertyIsLike("csw:AnyText", "%no-such-word-anywhere%")], maxrecords=50)
    assert csw.results["matches"] == 0


def test_bbox_constraint(csw, expected_count):
    # Lille and its surroundings, in EPSG:4326 by URN (latitude first); the demo is in Hauts-de-France.
    # (An envelope without srsName is read as CRS:84, longitude first, like CQL2's default.)
    csw.getrecords2(constraints=[BBox([50.5, 2.9, 50.8, 3.2], crs="urn:ogc:def:crs:EPSG::4326")], maxrecords=100)
    lille = csw.results["matches"]
    assert 0 < lille <= expected_count
    csw.getrecords2(constraints=[BBox([2.9, 50.5, 3.2, 50.8])], maxrecords=100)
    assert csw.results["matches"] == lille
    csw.getrecords2(constraints=[BBox([-45.0, 100.0, -44.0, 101.0], crs="urn:ogc:def:crs:EPSG::4326")], maxrecords=100)
    assert csw.results["matches"] == 0


def test_iso_records_parse_with_owslib(csw):
    csw.getrecords2(outputschema=GMD, esn="full", maxrecords=100)
    assert csw.results["returned"] > 0
    for rid, md in csw.records.items():
        assert md.identifier == rid
        assert md.identification and md.identification[0].title, rid


def test_record_by_id_iso_and_dc(csw):
    csw.getrecordbyid(id=["ossature-communes"], outputschema=GMD)
    md = csw.records["ossature-communes"]
    urls = [o.url for o in md.distribution.online]
    assert any(u.endswith("/collections/communes") for u in urls), urls
    csw.getrecordbyid(id=["ossature-communes"])
    rec = csw.records["ossature-communes"]
    assert rec.title and any(r["scheme"] == "OGC:WFS" for r in rec.references), rec.references


@pytest.mark.parametrize("params,schema", [
    ({"request": "GetCapabilities"}, "CSW-discovery"),
    ({"request": "GetRecords", "typenames": "csw:Record", "resulttype": "results", "elementsetname": "full"}, "CSW-discovery"),
    ({"request": "GetRecords", "typenames": "gmd:MD_Metadata", "resulttype": "results", "elementsetname": "full",
      "outputschema": GMD}, "wrapper"),
    ({"request": "DescribeRecord"}, "CSW-discovery"),
    ({"request": "GetDomain", "propertyname": "dc:type"}, "CSW-discovery"),
])
def test_responses_validate(base_url, tmp_path, params, schema):
    r = requests.get(base_url.rstrip("/") + "/csw", params={"service": "CSW", "version": "2.0.2", **params}, timeout=TIMEOUT)
    assert r.status_code == 200, r.text[:500]
    if schema == "wrapper":
        path = tmp_path / "csw-gmd.xsd"
        path.write_text(f"""<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema">
  <xs:import namespace="http://www.opengis.net/cat/csw/2.0.2" schemaLocation="{s.SCHEMAS / 'csw/2.0.2/CSW-discovery.xsd'}"/>
  <xs:import namespace="{GMD}" schemaLocation="{s.SCHEMAS / 'iso/19139/20070417/gmd/gmd.xsd'}"/>
</xs:schema>""")
    else:
        path = s.SCHEMAS / "csw/2.0.2/CSW-discovery.xsd"
    s.validate_xml(r.content, path, tmp_path)


def test_gdal_csw_driver_lists_the_records(base_url, expected_count):
    ds = gdal.OpenEx("CSW:" + base_url.rstrip("/") + "/csw", gdal.OF_VECTOR)
    assert ds is not None
    layer = ds.GetLayer(0)
    ids = {f.GetField("identifier") for f in layer}
    assert len(ids) == expected_count, ids
    assert "ossature-communes" in ids


@pytest.mark.parametrize("params,code", [
    ({"request": "GetRecords", "typenames": "csw:Record", "outputschema": "http://example.org/x"}, "InvalidParameterValue"),
    ({"request": "GetRecords", "typenames": "nope:Nothing"}, "InvalidParameterValue"),
    ({"request": "GetRecords", "typenames": "csw:Record", "maxrecords": "501"}, "InvalidParameterValue"),
    ({"request": "GetRecords", "typenames": "csw:Record", "constraintlanguage": "FILTER",
      "constraint": "<ogc:Filter xmlns:ogc='http://www.opengis.net/ogc'><ogc:PropertyIsLike>"}, "InvalidParameterValue"),
    ({"request": "GetRecords", "version": "3.0.0", "typenames": "csw:Record"}, "InvalidParameterValue"),
    ({"request": "GetCapabilities", "acceptversions": "3.0.0"}, "VersionNegotiationFailed"),
    ({"request": "Transaction"}, "OperationNotSupported"),  # XML POST only
    ({"request": "Harvest"}, "OperationNotSupported"),
])
def test_bad_requests(base_url, params, code):
    q = {"service": "CSW", "version": "2.0.2", **params}
    r = requests.get(base_url.rstrip("/") + "/csw", params=q, timeout=TIMEOUT)
    assert r.status_code in (400, 501), r.text[:300]
    assert f'exceptionCode="{code}"' in r.text, r.text[:500]
    assert requests.get(base_url.rstrip("/") + "/csw", params={"service": "CSW", "request": "GetCapabilities"}, timeout=TIMEOUT).ok


PUBLISHER = ("contributeur", "contributeur")  # group `contributeurs`, [catalogue] publishers of ossature-test.toml


def _published_record(identifier: str, title: str) -> bytes:
    """A demo record under another identifier and title, as a publisher's tool sends it."""
    text = (s.ROOT / "demo" / "catalogue" / "0000-plu.xml").read_text(encoding="utf-8")
    text = text.replace("c0e3bb0c-ec9d-5562-b912-df42bd58d315", identifier).replace("Plan local d'urbanisme de Surcamps", title)
    return text.split("?>", 1)[1].strip().encode("utf-8") if text.startswith("<?xml") else text.encode("utf-8")


def test_owslib_publisher_inserts_updates_and_deletes(base_url, tmp_path):
    """OWSLib's CSW Transaction with Basic auth, against both stores: the record appears in
    searches, its update is seen, its deletion removes it; anonymous callers get 401."""
    url = base_url.rstrip("/") + "/csw"
    identifier = "conformance-transaction-record"
    reader = CatalogueServiceWeb(url, timeout=TIMEOUT)
    assert "Transaction" not in [op.name for op in reader.operations]
    publisher = CatalogueServiceWeb(url, timeout=TIMEOUT, username=PUBLISHER[0], password=PUBLISHER[1])
    assert "Transaction" in [op.name for op in publisher.operations]

    anonymous = requests.post(url, data=b'<csw:Transaction xmlns:csw="http://www.opengis.net/cat/csw/2.0.2" service="CSW" version="2.0.2"><csw:Insert>'
                              + _published_record(identifier, "Refusée") + b"</csw:Insert></csw:Transaction>", timeout=TIMEOUT)
    assert anonymous.status_code == 401 and anonymous.headers["WWW-Authenticate"].startswith("Basic realm="), anonymous.text[:300]

    try:
        publisher.transaction(ttype="insert", typename="gmd:MD_Metadata", record=_published_record(identifier, "Fiche publiée par OWSLib"))
        assert publisher.exceptionreport is None, publisher.response[:500]
        assert publisher.results["insertresults"] == [identifier], publisher.results
        # OWSLib looks for the summary under a TransactionResponse child of the root, so its
        # counts stay unset: read them from the response.
        assert b"<csw:totalInserted>1</csw:totalInserted>" in publisher.response, publisher.response[:500]
        s.validate_xml(publisher.response, s.SCHEMAS / "csw/2.0.2/CSW-publication.xsd", tmp_path)
        reader.getrecordbyid(id=[identifier])
        assert reader.records[identifier].title == "Fiche publiée par OWSLib"

        publisher.transaction(ttype="update", record=_published_record(identifier, "Fiche révisée par OWSLib"))
        assert publisher.exceptionreport is None and b"<csw:totalUpdated>1</csw:totalUpdated>" in publisher.response, publisher.response[:500]
        reader.getrecords2(constraints=[PropertyIsLike("csw:AnyText", "%révisée par OWSLib%")], esn="brief", maxrecords=10)
        assert list(reader.records) == [identifier]
    finally:
        publisher.transaction(ttype="delete", typename="gmd:MD_Metadata", identifier=identifier)
    assert publisher.exceptionreport is None and b"<csw:totalDeleted>1</csw:totalDeleted>" in publisher.response, publisher.response[:500]
    reader.getrecordbyid(id=[identifier])
    assert identifier not in reader.records

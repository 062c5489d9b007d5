"""Editing with real clients: GDAL's WFS driver (WFS-T 1.1) and QGIS's WFS provider (WFS-T) with
HTTP Basic insert, update and delete a `signalements` feature; the changes are read back through
OGC API Features and found in the audit table; the TransactionResponse and the editor's
capabilities validate against the OGC schemas. The same table is also served as `moderes`, a
moderated layer: what the clients contribute there waits for the moderator.

The shared conformance server serves demo/demo.gpkg, which tests must not change: this module
starts its own server (the release binary) on a copy of the GeoPackage, with the demo's user.
"""
import contextlib
import os
import shutil
import socket
import sqlite3
import subprocess
import textwrap
import time
from pathlib import Path

import pytest
import requests
from osgeo import gdal, ogr

from support import ROOT, SCHEMAS, validate_xml

USER, PASSWORD = "contributeur", "contributeur"
AUTH = (USER, PASSWORD)
WFS2 = ('xmlns:wfs="http://www.opengis.net/wfs/2.0" xmlns:fes="http://www.opengis.net/fes/2.0" '
        'xmlns:gml="http://www.opengis.net/gml/3.2" xmlns:ossature="https://ossature.org/features"')


MODERATOR = ("moderateur", "moderateur")


def _demo_password_hash(user: str) -> str:
    """The hash of a demo user's password, read from demo/ossature.toml."""
    lines = (ROOT / "demo" / "ossature.toml").read_text().splitlines()
    start = lines.index(f'name = "{user}"')
    for line in lines[start:]:
        if line.startswith("password = "):
            return line.split("=", 1)[1].strip().strip('"')
    raise AssertionError(f"no password line for {user} in demo/ossature.toml")


@pytest.fixture(scope="module")
def editing(tmp_path_factory):
    """(base URL, path of the GeoPackage copy) of a server started for this module."""
    tmp = tmp_path_factory.mktemp("editing")
    gpkg = tmp / "demo.gpkg"
    shutil.copy(ROOT / "demo" / "demo.gpkg", gpkg)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    config = tmp / "editing.toml"
    config.write_text(textwrap.dedent(f"""\
        [server]
        bind = "127.0.0.1:{port}"

        [sources.copy]
        type = "geopackage"
        path = "{gpkg}"

        [[layers]]
        id = "signalements"
        title = "Signalements"
        source = "copy"
        table = "signalements"

        [[layers]]
        id = "moderes"
        title = "Signalements (modérés)"
        source = "copy"
        table = "signalements"

        [access]
        realm = "Ossature conformance"

        [[access.users]]
        name = "{USER}"
        password = "{_demo_password_hash(USER)}"
        groups = ["contributeurs"]

        [[access.users]]
        name = "{MODERATOR[0]}"
        password = "{_demo_password_hash(MODERATOR[0])}"
        groups = ["moderateurs"]

        [[access.rules]]
        group = "contributeurs"
        layers = ["signalements", "moderes"]
        right = "write"

        [[access.rules]]
        group = "moderateurs"
        layers = ["moderes"]
        right = "write"

        [[access.moderation]]
        layer = "moderes"
        moderators = ["moderateurs"]
        status = "statut"
        author = "auteur"
        initial = "en attente"
        published = ["publié", "résolu"]
        """))
    log = open(tmp / "server.log", "w")
    # scripts/test names the build it tests in OSSATURE_BIN; by hand, the release one if it is there.
    release = ROOT / "target" / "release" / "ossature"
    binary = os.environ.get("OSSATURE_BIN") or str(release if release.exists() else ROOT / "target" / "debug" / "ossature")
    server = subprocess.Popen([binary, "serve", str(config)], stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                if requests.get(base + "/health", timeout=1).status_code == 200:
                    break
            except requests.RequestException:
                time.sleep(0.1)
        else:
            pytest.fail(f"the editing server did not start: {(tmp / 'server.log').read_text()[-2000:]}", pytrace=False)
        yield base, gpkg
    finally:
        server.terminate()
        server.wait(timeout=10)
        log.close()


@contextlib.contextmanager
def _gdal_login():
    """GDAL's HTTP requests carry the contributor's Basic credentials."""
    gdal.SetConfigOption("GDAL_HTTP_USERPWD", f"{USER}:{PASSWORD}")
    gdal.SetConfigOption("GDAL_HTTP_AUTH", "BASIC")
    try:
        yield
    finally:
        gdal.SetConfigOption("GDAL_HTTP_USERPWD", None)
        gdal.SetConfigOption("GDAL_HTTP_AUTH", None)


def _open_for_update(base: str, name: str):
    """GDAL's WFS driver on the server in update mode (WFS-T 1.1): the dataset, which must stay
    referenced while its layer is used, and the layer `name`."""
    ds = gdal.OpenEx(f"WFS:{base}/wfs?VERSION=1.1.0", gdal.OF_VECTOR | gdal.OF_UPDATE)
    assert ds is not None, gdal.GetLastErrorMsg()
    lyr = ds.GetLayerByName(f"ossature:{name}")
    assert lyr is not None, f"no layer ossature:{name}"
    return ds, lyr


def _titles(base: str, layer: str = "signalements", auth=AUTH) -> dict[str, dict]:
    r = requests.get(f"{base}/collections/{layer}/items", params={"limit": 1000}, auth=auth, timeout=30)
    assert r.status_code == 200, r.text
    return {f["properties"]["titre"]: f for f in r.json()["features"]}


def _audit(gpkg: Path, fid, layer: str = "signalements") -> list[tuple]:
    with sqlite3.connect(gpkg) as db:
        return db.execute("SELECT who, operation, before IS NOT NULL, after IS NOT NULL FROM ossature_audit "
                          "WHERE layer = ? AND feature_id = ? ORDER BY id", (layer, str(fid))).fetchall()


def test_gdal_wfs_t_inserts_updates_and_deletes(editing):
    base, gpkg = editing
    with _gdal_login():
        ds, lyr = _open_for_update(base, "signalements")
        assert lyr is not None and lyr.TestCapability(ogr.OLCSequentialWrite), "GDAL sees the layer as writable"
        f = ogr.Feature(lyr.GetLayerDefn())
        f.SetField("titre", "Nid-de-poule (GDAL)")
        f.SetField("statut", "en attente")
        f.SetGeometry(ogr.CreateGeometryFromWkt("POINT (697000 7063000)"))
        assert lyr.CreateFeature(f) == 0, gdal.GetLastErrorMsg()
        ds = None
        created = _titles(base)["Nid-de-poule (GDAL)"]
        fid = created["id"]
        assert created["properties"]["statut"] == "en attente"
        assert abs(created["geometry"]["coordinates"][0] - 2.957643) < 1e-5

        ds, lyr = _open_for_update(base, "signalements")
        lyr.SetAttributeFilter(f"titre = 'Nid-de-poule (GDAL)'")
        f = lyr.GetNextFeature()
        assert f is not None
        f.SetField("statut", "traité")
        assert lyr.SetFeature(f) == 0, gdal.GetLastErrorMsg()
        assert _titles(base)["Nid-de-poule (GDAL)"]["properties"]["statut"] == "traité"
        assert lyr.DeleteFeature(f.GetFID()) == 0, gdal.GetLastErrorMsg()
        ds = None
    assert "Nid-de-poule (GDAL)" not in _titles(base)
    assert _audit(gpkg, fid) == [(USER, "insert", 0, 1), (USER, "update", 1, 1), (USER, "delete", 1, 0)]


QGIS_SCRIPT = """
import sys
from qgis.core import QgsApplication, QgsVectorLayer, QgsFeature, QgsGeometry, QgsPointXY
app = QgsApplication([], False)
app.initQgis()
base, user, password, version, title, name, status = sys.argv[1:8]
# QGIS 3.22 sends WFS-T 1.1.0 documents on a 1.1.0 connection and WFS 1.0.0 ones on a 2.0.0
# (or "maximum") one, and reads back the answer of the version it sent.
uri = f"url='{base}/wfs' typename='ossature:{name}' version='{version}' username='{user}' password='{password}' srsname='EPSG:2154'"
layer = QgsVectorLayer(uri, name, "WFS")
assert layer.isValid(), "layer not valid"
caps = layer.dataProvider().capabilities()
f = QgsFeature(layer.fields())
f.setAttribute("titre", title)
if status:
    f.setAttribute("statut", status)
f.setGeometry(QgsGeometry.fromPointXY(QgsPointXY(697500, 7063500)))
ok, added = layer.dataProvider().addFeatures([f])
print("added", ok, int(caps), flush=True)
# QGIS 3.22 may crash while tearing down its providers (segfault at exit): leave without it.
import os
os._exit(0)
"""


def _qgis_adds(base: str, tmp_path: Path, version: str, title: str, layer: str, status: str) -> subprocess.CompletedProcess:
    """QGIS's WFS provider adding a feature as the demo contributor (skips without QGIS)."""
    script = tmp_path / "qgis_edit.py"
    script.write_text(QGIS_SCRIPT)
    env = {"QT_QPA_PLATFORM": "offscreen", "PATH": "/usr/bin:/bin", "HOME": str(tmp_path)}
    if subprocess.run(["/usr/bin/python3", "-c", "import qgis.core"], capture_output=True, env=env).returncode != 0:
        pytest.skip("QGIS (python3-qgis) is not installed on this machine")
    return subprocess.run(["/usr/bin/python3", str(script), base, USER, PASSWORD, version, title, layer, status],
                          capture_output=True, text=True, timeout=180, env=env)


@pytest.mark.parametrize("version", ["1.1.0", "2.0.0"])
def test_qgis_wfs_t_adds_a_feature(editing, tmp_path, version):
    base, gpkg = editing
    title = f"Graffiti (QGIS {version})"
    p = _qgis_adds(base, tmp_path, version, title, "signalements", "en attente")
    assert p.returncode == 0 and "added True" in p.stdout, p.stdout[-2000:] + p.stderr[-3000:]
    created = _titles(base)[title]
    assert abs(created["geometry"]["coordinates"][1] - 50.6684) < 1e-3
    assert _audit(gpkg, created["id"]) == [(USER, "insert", 0, 1)]


def test_qgis_contribution_waits_for_the_moderator(editing, tmp_path):
    """QGIS leaves the status and author empty: the server writes them, and the contribution is
    the author's and the moderator's alone until the moderator publishes it."""
    base, gpkg = editing
    title = "Banc arraché (QGIS, modéré)"
    p = _qgis_adds(base, tmp_path, "1.1.0", title, "moderes", "")
    assert p.returncode == 0 and "added True" in p.stdout, p.stdout[-2000:] + p.stderr[-3000:]
    created = _titles(base, "moderes")[title]
    assert (created["properties"]["statut"], created["properties"]["auteur"]) == ("en attente", USER)
    assert title in _titles(base, "moderes", MODERATOR)
    # QGIS cannot publish it on the contributor's behalf: the transaction is refused.
    p = _qgis_adds(base, tmp_path, "1.1.0", title + " bis", "moderes", "publié")
    assert "added True" not in p.stdout, p.stdout[-2000:]
    assert title + " bis" not in _titles(base, "moderes", MODERATOR)
    url = f"{base}/collections/moderes/items/{created['id']}"
    r = requests.patch(url, json={"properties": {"statut": "publié"}}, auth=MODERATOR, timeout=30)
    assert r.status_code == 204, r.text
    assert _titles(base, "moderes")[title]["properties"]["statut"] == "publié"
    assert _audit(gpkg, created["id"], "moderes") == [(USER, "insert", 0, 1), (MODERATOR[0], "update", 1, 1)]


def test_gdal_contribution_waits_for_the_moderator(editing):
    base, _ = editing
    with _gdal_login():
        ds, lyr = _open_for_update(base, "moderes")
        f = ogr.Feature(lyr.GetLayerDefn())
        f.SetField("titre", "Dépôt sauvage (GDAL, modéré)")
        f.SetGeometry(ogr.CreateGeometryFromWkt("POINT (697100 7063100)"))
        assert lyr.CreateFeature(f) == 0, gdal.GetLastErrorMsg()
        created = _titles(base, "moderes")["Dépôt sauvage (GDAL, modéré)"]
        assert (created["properties"]["statut"], created["properties"]["auteur"]) == ("en attente", USER)
        lyr.SetAttributeFilter("titre = 'Dépôt sauvage (GDAL, modéré)'")
        f = lyr.GetNextFeature()
        f.SetField("statut", "publié")
        # Refused with 403 (GDAL raises it when another module turned exceptions on).
        gdal.PushErrorHandler("CPLQuietErrorHandler")
        try:
            refused = lyr.SetFeature(f) != 0
        except RuntimeError as e:
            refused = "403" in str(e)
        finally:
            gdal.PopErrorHandler()
        assert refused, "a contributor cannot publish"
        ds = None
    assert _titles(base, "moderes")["Dépôt sauvage (GDAL, modéré)"]["properties"]["statut"] == "en attente"


def test_transaction_documents_validate(editing, tmp_path):
    base, _ = editing
    caps = requests.get(f"{base}/wfs", params={"SERVICE": "WFS", "VERSION": "2.0.0", "REQUEST": "GetCapabilities"}, auth=AUTH, timeout=30)
    assert b'name="Transaction"' in caps.content
    validate_xml(caps.content, SCHEMAS / "wfs" / "2.0" / "wfs.xsd", tmp_path, "caps20.xml")
    caps11 = requests.get(f"{base}/wfs", params={"SERVICE": "WFS", "VERSION": "1.1.0", "REQUEST": "GetCapabilities"}, auth=AUTH, timeout=30)
    validate_xml(caps11.content, SCHEMAS / "wfs" / "1.1.0" / "wfs.xsd", tmp_path, "caps11.xml")
    insert = (f'<wfs:Transaction service="WFS" version="2.0.0" {WFS2}><wfs:Insert><ossature:signalements>'
              '<ossature:titre>Haie (XML)</ossature:titre><ossature:geom><gml:Point srsName="urn:ogc:def:crs:EPSG::2154">'
              '<gml:pos>697200 7063200</gml:pos></gml:Point></ossature:geom></ossature:signalements></wfs:Insert></wfs:Transaction>')
    r = requests.post(f"{base}/wfs", data=insert.encode(), auth=AUTH, headers={"Content-Type": "text/xml"}, timeout=30)
    assert r.status_code == 200, r.text
    assert b"<wfs:totalInserted>1</wfs:totalInserted>" in r.content
    validate_xml(r.content, SCHEMAS / "wfs" / "2.0" / "wfs.xsd", tmp_path, "response20.xml")
    # Anonymous: asked to log in, with the standard exception report.
    r = requests.post(f"{base}/wfs", data=insert.encode(), headers={"Content-Type": "text/xml"}, timeout=30)
    assert r.status_code == 401 and r.headers["www-authenticate"].startswith("Basic")
    # A wrong type: InvalidValue, and the report validates.
    bad = insert.replace("<ossature:titre>Haie (XML)</ossature:titre>", "<ossature:date>demain</ossature:date>")
    r = requests.post(f"{base}/wfs", data=bad.encode(), auth=AUTH, headers={"Content-Type": "text/xml"}, timeout=30)
    assert r.status_code == 400 and b'exceptionCode="InvalidValue"' in r.content, r.text
    validate_xml(r.content, SCHEMAS / "ows" / "1.1.0" / "owsExceptionReport.xsd", tmp_path, "exception.xml")


def test_editor_api_describes_part_4_and_validates(editing):
    from openapi_spec_validator import validate
    base, _ = editing
    api = requests.get(f"{base}/api", params={"f": "json"}, auth=AUTH, timeout=30).json()
    validate(api)
    item = api["paths"]["/collections/signalements/items/{featureId}"]
    assert {"get", "put", "patch", "delete"} <= set(item)
    assert "post" in api["paths"]["/collections/signalements/items"]
    classes = requests.get(f"{base}/conformance", auth=AUTH, timeout=30).json()["conformsTo"]
    assert "http://www.opengis.net/spec/ogcapi-features-4/1.0/conf/create-replace-delete" in classes

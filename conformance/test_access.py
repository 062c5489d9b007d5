"""Access rights with real clients: the protected `signalements` layer (group `contributeurs`)
is read by OWSLib WMS/WFS with HTTP Basic and by GDAL with Basic (GDAL_HTTP_USERPWD) and with
an API key in the URL; anonymous clients do not see it."""
import pytest
import requests
from osgeo import gdal, ogr
from owslib.wfs import WebFeatureService
from owslib.wms import WebMapService

USER, PASSWORD = "contributeur", "contributeur"
API_KEY = "conformance-key-0123456789"


def test_owslib_wms_with_basic_auth_sees_the_protected_layer(base_url):
    anonymous = WebMapService(f"{base_url}/wms", version="1.3.0")
    assert "communes" in anonymous.contents
    assert "signalements" not in anonymous.contents
    wms = WebMapService(f"{base_url}/wms", version="1.3.0", username=USER, password=PASSWORD)
    assert "signalements" in wms.contents
    img = wms.getmap(layers=["signalements"], styles=[""], srs="EPSG:2154",
                     bbox=(694000, 7058000, 705000, 7064500), size=(440, 260), format="image/png", transparent=True)
    assert img.read()[:8] == b"\x89PNG\r\n\x1a\n"


def test_owslib_wfs_with_basic_auth_reads_the_protected_layer(base_url):
    anonymous = WebFeatureService(f"{base_url}/wfs", version="2.0.0")
    assert "ossature:signalements" not in anonymous.contents
    wfs = WebFeatureService(f"{base_url}/wfs", version="2.0.0", username=USER, password=PASSWORD)
    assert "ossature:signalements" in wfs.contents
    schema = wfs.get_schema("ossature:signalements")
    assert {"titre", "statut", "auteur"} <= set(schema["properties"])
    body = wfs.getfeature(typename=["ossature:signalements"], outputFormat="application/json").read()
    import json
    assert len(json.loads(body)["features"]) == 12


def test_anonymous_direct_request_is_asked_to_log_in(base_url):
    r = requests.get(f"{base_url}/collections/signalements/items", timeout=30)
    assert r.status_code == 401
    assert r.headers["WWW-Authenticate"].startswith("Basic realm=")
    r = requests.get(f"{base_url}/collections/signalements/items", auth=(USER, "wrong"), timeout=30)
    assert r.status_code == 401


def test_gdal_oapif_with_basic_auth(base_url):
    gdal.SetConfigOption("GDAL_HTTP_USERPWD", f"{USER}:{PASSWORD}")
    gdal.SetConfigOption("GDAL_HTTP_AUTH", "BASIC")
    try:
        ds = ogr.Open(f"OAPIF:{base_url}")
        names = [ds.GetLayer(i).GetName() for i in range(ds.GetLayerCount())]
        assert "signalements" in names
        assert ds.GetLayerByName("signalements").GetFeatureCount() == 12
    finally:
        gdal.SetConfigOption("GDAL_HTTP_USERPWD", None)
        gdal.SetConfigOption("GDAL_HTTP_AUTH", None)
    anonymous = ogr.Open(f"OAPIF:{base_url}")
    assert "signalements" not in [anonymous.GetLayer(i).GetName() for i in range(anonymous.GetLayerCount())]


def test_gdal_wfs_with_an_api_key_in_the_url(base_url):
    ds = ogr.Open(f"WFS:{base_url}/wfs?apikey={API_KEY}")
    assert ds is not None
    layer = ds.GetLayerByName("ossature:signalements")
    assert layer is not None
    assert layer.GetFeatureCount() == 12
    titles = {f.GetField("titre") for f in layer}
    assert "Trottoir dégradé" in titles
    anonymous = ogr.Open(f"WFS:{base_url}/wfs")
    assert anonymous.GetLayerByName("ossature:signalements") is None

"""Fixtures of the conformance suite.

The server must already run (scripts/test starts it): OSSATURE_URL, default
http://127.0.0.1:18080. An unreachable server is a failure, never a skip.
"""
import pytest
import requests

import support


def pytest_collection_modifyitems(config, items):
    # The PostGIS outage test stops the shared cluster: it must run after everything else.
    items.sort(key=lambda it: 1 if it.get_closest_marker("pg_outage") else 0)


@pytest.fixture(scope="session")
def base_url() -> str:
    url = support.base_url()
    try:
        r = requests.get(url + "/health", timeout=10)
    except requests.RequestException as e:
        pytest.fail(f"Ossature server not reachable at {url} ({e}). "
                    f"Start it (scripts/test does) or set OSSATURE_URL.", pytrace=False)
    if r.status_code != 200:
        pytest.fail(f"{url}/health answered {r.status_code}: {r.text[:300]}", pytrace=False)
    return url


@pytest.fixture(scope="session")
def client(base_url) -> support.Client:
    return support.Client(base_url)


@pytest.fixture(scope="session")
def demo_gpkg() -> str:
    path = support.ROOT / "demo" / "demo.gpkg"
    if not path.is_file():
        pytest.fail(f"{path} not found", pytrace=False)
    return str(path)


@pytest.fixture(scope="session")
def collections_doc(client) -> dict:
    return client.get_json("/collections", headers={"Accept": "application/json"})


@pytest.fixture(scope="session")
def collection_docs(client) -> dict:
    return {cid: client.get_json(f"/collections/{cid}", headers={"Accept": "application/json"})
            for cid in support.LAYER_IDS}


@pytest.fixture(scope="session")
def gdal_wms_cache(tmp_path_factory):
    """GDAL's WMS/WMTS drivers cache tiles in ./gdalwmscache by default: keep it out of the checkout."""
    from osgeo import gdal
    old = gdal.GetConfigOption("GDAL_DEFAULT_WMS_CACHE_PATH")
    gdal.SetConfigOption("GDAL_DEFAULT_WMS_CACHE_PATH", str(tmp_path_factory.mktemp("gdalwmscache")))
    yield
    gdal.SetConfigOption("GDAL_DEFAULT_WMS_CACHE_PATH", old)

"""Fixtures of the conformance suite.

The server must already run (scripts/test starts it): OSSATURE_URL, default
http://127.0.0.1:18080. An unreachable server is a failure, never a skip.
"""
import os

import pytest
import requests

import support


def pytest_collection_modifyitems(config, items):
    # The PostGIS outage test stops the shared cluster: it must run after everything else.
    items.sort(key=lambda it: 1 if it.get_closest_marker("pg_outage") else 0)


def _reachable(url: str, how: str) -> str:
    try:
        r = requests.get(url + "/health", timeout=10)
    except requests.RequestException as e:
        pytest.fail(f"Ossature server not reachable at {url} ({e}). {how}", pytrace=False)
    if r.status_code != 200:
        pytest.fail(f"{url}/health answered {r.status_code}: {r.text[:300]}", pytrace=False)
    return url


@pytest.fixture(scope="session")
def base_url() -> str:
    return _reachable(support.base_url(), "Start it (scripts/test does) or set OSSATURE_URL.")


@pytest.fixture(scope="module", params=["sqlite", "postgres"])
def catalogue_url(request) -> str:
    """The catalogue's tests run twice: against the server whose store is the SQLite file of
    ossature-test.toml (OSSATURE_URL), and against the same configuration with the store in
    PostgreSQL (OSSATURE_PG_CATALOGUE_URL; scripts/test starts both)."""
    if request.param == "sqlite":
        return _reachable(support.base_url(), "Start it (scripts/test does) or set OSSATURE_URL.")
    url = os.environ.get("OSSATURE_PG_CATALOGUE_URL", "").rstrip("/")
    if not url:
        pytest.fail("OSSATURE_PG_CATALOGUE_URL is not set: scripts/test starts the server whose catalogue store is PostgreSQL", pytrace=False)
    return _reachable(url, "scripts/test starts it with OSSATURE_CATALOGUE_STORE set to the PostgreSQL test database.")


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

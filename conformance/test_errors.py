"""Bad requests: the right status, RFC 7807 problem details naming the culprit, no leak, no crash."""
import pytest

import support as s

BAD_PARAMS = [
    # (query parameters, the parameter the detail must name)
    ({"bbox": "1,2,3"}, "bbox"),
    ({"bbox": "a,b,c,d"}, "bbox"),
    ({"bbox": "1,2,3,4,5"}, "bbox"),
    ({"bbox": "2,49,nan,50"}, "bbox"),
    ({"bbox": "2,50,3,49"}, "bbox"),  # miny > maxy
    ({"crs": "EPSG:99999"}, "crs"),
    ({"crs": "http://www.opengis.net/def/crs/EPSG/0/99999"}, "crs"),
    ({"bbox": "2,49,3,50", "bbox-crs": "http://www.opengis.net/def/crs/EPSG/0/99999"}, "bbox-crs"),
    ({"limit": "-1"}, "limit"),
    ({"limit": "0"}, "limit"),
    ({"limit": "abc"}, "limit"),
    ({"limit": "1.5"}, "limit"),
    ({"datetime": "notadate"}, "datetime"),
    ({"datetime": "2021-13-45"}, "datetime"),
    ({"datetime": "2021-01-01/2020-01-01/2019-01-01"}, "datetime"),
]


@pytest.mark.parametrize("cid", ["communes", "pg_ocs2d"])
@pytest.mark.parametrize("params,name", BAD_PARAMS, ids=["&".join(f"{k}={v}" for k, v in p.items()) for p, _ in BAD_PARAMS])
def test_bad_parameter_400(cid, params, name, client):
    s.assert_problem(client.get(f"/collections/{cid}/items", params=params), 400, name)


def test_bad_crs_on_item_400(client):
    fid = sorted(s.source_by_fid("communes"))[0]
    s.assert_problem(client.get(f"/collections/communes/items/{fid}", params={"crs": "EPSG:99999"}), 400, "crs")


def test_unknown_query_parameter_400(client):
    # Part 1, /req/core/query-param-unknown: a parameter the API definition does not know -> 400
    s.assert_problem(client.get("/collections/communes/items", params={"foo": "bar"}), 400, "foo")


@pytest.mark.parametrize("path", [
    "/collections/no_such_collection",
    "/collections/no_such_collection/items",
    "/collections/no_such_collection/items/1",
    "/collections/communes/items/987654321",
    "/collections/pg_communes/items/987654321",
    "/no/such/path",
])
def test_not_found_404(path, client):
    s.assert_problem(client.get(path), 404)


@pytest.mark.parametrize("rid", s.RASTER_IDS)
def test_items_of_imagery_404_says_why(rid, client):
    """GDAL's OAPIF driver asks every listed collection for items: the answer names the reason."""
    r = client.get(f"/collections/{rid}/items")
    s.assert_problem(r, 404)
    assert "imagery" in r.json()["detail"], r.text


def test_not_found_in_html(client):
    r = client.get("/collections/no_such_collection", headers={"Accept": "text/html"})
    assert r.status_code == 404


def test_sql_injection_attempts_are_harmless(client):
    n = s.source_count("communes")
    for fid in ["1 OR 1=1", "1;DROP TABLE communes", "1'--"]:
        r = client.get(f"/collections/communes/items/{fid}")
        assert r.status_code in (400, 404), f"{fid!r}: {r.status_code}"
    r = client.get("/collections/communes/items", params={"datetime": "2021-01-01' OR '1'='1"})
    assert r.status_code == 400
    assert client.get_json("/collections/communes/items", params={"limit": 1})["numberMatched"] == n


def test_method_not_allowed(client):
    r = client.request("DELETE", "/collections/communes/items/1")
    assert r.status_code in (405, 501), r.status_code


def test_server_still_healthy_after_bad_requests(client):
    # runs after the tests above in this module (pytest keeps file order)
    for _ in range(3):
        r = client.get("/health")
        assert r.status_code == 200
    assert client.get("/collections/communes/items", params={"limit": 1}).status_code == 200

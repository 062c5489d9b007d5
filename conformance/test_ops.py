"""Operations: /health, /metrics (Prometheus), CORS, compression."""
import gzip
import re

import pytest

import support as s

SAMPLE_RE = re.compile(r'^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})?\s+([-+0-9.eE]+|NaN|[+-]Inf)(\s+\d+)?$')
LABEL_RE = re.compile(r'([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"')


def test_health(client):
    r = client.get("/health")
    assert r.status_code == 200
    assert s.media_type(r) == s.MT_JSON
    assert isinstance(r.json(), dict)


def _scrape(client):
    r = client.get("/metrics")
    assert r.status_code == 200
    ct = s.media_type(r)
    assert ct in ("text/plain", "application/openmetrics-text"), ct
    samples, types = [], {}
    for line in r.text.splitlines():
        if line.startswith("# TYPE "):
            _, _, name, typ = line.split(None, 3)
            types[name] = typ.strip()
            continue
        if not line.strip() or line.startswith("#"):
            continue
        m = SAMPLE_RE.match(line.strip())
        assert m, f"not a Prometheus sample line: {line!r}"
        labels = dict(LABEL_RE.findall(m.group(3) or ""))
        samples.append((m.group(1), labels, float(m.group(4))))
    return samples, types


def _family_type(name, types):
    for cand in (name, re.sub(r"_total$", "", name)):
        if cand in types:
            return types[cand]
    return None


def _counter_for(samples, types, collection):
    out = {}
    for name, labels, value in samples:
        if labels.get("collection") == collection and labels.get("service"):
            if _family_type(name, types) == "counter":
                key = (name, tuple(sorted(labels.items())))
                out[key] = value
    return out


def test_metrics_request_counters_by_service_and_collection(client):
    for _ in range(2):
        assert client.get("/collections/communes/items", params={"limit": 1}).status_code == 200
    samples, types = _scrape(client)
    before = _counter_for(samples, types, "communes")
    assert before, ("no counter sample labelled service=... and collection=\"communes\" in /metrics; "
                    f"metric names seen: {sorted({n for n, _, _ in samples})[:30]}")
    assert any(v >= 2 for v in before.values())
    assert client.get("/collections/communes/items", params={"limit": 1}).status_code == 200
    samples, types = _scrape(client)
    after = _counter_for(samples, types, "communes")
    assert sum(after.values()) > sum(before.values()), "request counters did not increase"


def test_cors(client):
    origin = "https://viewer.example.org"
    r = client.get("/collections", headers={"Origin": origin})
    assert r.status_code == 200
    acao = r.headers.get("access-control-allow-origin")
    assert acao in ("*", origin), f"access-control-allow-origin: {acao!r}"
    r = client.get("/collections/communes/items", params={"limit": 1}, headers={"Origin": origin})
    assert r.headers.get("access-control-allow-origin") in ("*", origin)
    # preflight, as a browser sends it before a request with custom headers
    r = client.request("OPTIONS", "/collections/communes/items", headers={
        "Origin": origin, "Access-Control-Request-Method": "GET",
        "Access-Control-Request-Headers": "x-requested-with"})
    assert r.status_code in (200, 204), r.status_code
    assert r.headers.get("access-control-allow-origin") in ("*", origin)


def test_cors_exposes_content_crs(client):
    # a browser client can only read Content-Crs if it is exposed (or all headers are)
    r = client.get("/collections/communes/items", params={"limit": 1},
                   headers={"Origin": "https://viewer.example.org"})
    exposed = r.headers.get("access-control-expose-headers", "").lower()
    assert "*" in exposed or "content-crs" in exposed, f"access-control-expose-headers: {exposed!r}"


@pytest.mark.parametrize("path", ["/collections/communes/items?limit=200", "/collections", "/api"])
def test_gzip(path, client):
    r = client.get(path, headers={"Accept-Encoding": "gzip"}, stream=True)
    assert r.status_code == 200
    assert r.headers.get("content-encoding") == "gzip", r.headers
    raw = r.raw.read(decode_content=False)
    body = gzip.decompress(raw)
    assert body.lstrip()[:1] == b"{"
    assert "accept-encoding" in r.headers.get("vary", "").lower()


def test_no_compression_without_accept_encoding(client):
    r = client.get("/collections/communes/items?limit=200", headers={"Accept-Encoding": "identity"})
    assert r.status_code == 200
    assert r.headers.get("content-encoding") in (None, "identity")
    assert r.json()["numberReturned"] == 200

"""OGC API - Features Part 1, requirements class HTML: every resource as text/html."""
import html

import pytest

import support as s

BROWSER_ACCEPT = "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8"


def _pages():
    fid_c = sorted(s.source_by_fid("communes"))[0]
    fid_p = sorted(s.source_by_fid("pg_ocs2d"))[0]
    every_title = [s.LAYERS[c].title for c in s.LAYER_IDS]
    return [
        ("/", [s.SERVICE_TITLE]),
        ("/collections", every_title),
        ("/collections/communes", [s.LAYERS["communes"].title]),
        ("/collections/pg_ocs2d", [s.LAYERS["pg_ocs2d"].title]),
        ("/collections/communes/items", [s.LAYERS["communes"].title]),
        ("/collections/pg_ocs2d_nopk/items", [s.LAYERS["pg_ocs2d_nopk"].title]),
        (f"/collections/communes/items/{fid_c}", [s.LAYERS["communes"].title, s.source_by_fid("communes")[fid_c].props["nom"]]),
        (f"/collections/pg_ocs2d/items/{fid_p}", [s.LAYERS["pg_ocs2d"].title]),
    ]


PAGES = _pages()


def _check_html(r, titles):
    assert r.status_code == 200, f"{r.url}: {r.status_code} {r.text[:200]}"
    assert s.media_type(r) == s.MT_HTML, f"{r.url}: Content-Type {r.headers.get('content-type')!r}"
    assert "charset=utf-8" in r.headers.get("content-type", "").lower().replace(" ", ""), r.headers.get("content-type")
    r.encoding = "utf-8"
    text = html.unescape(r.text)
    assert "<html" in text.lower() and "</html>" in text.lower()
    for t in titles:
        assert t in text, f"{r.url}: {t!r} not in the page"


@pytest.mark.parametrize("path,titles", PAGES, ids=[p for p, _ in PAGES])
def test_html_with_f_param(path, titles, client):
    _check_html(client.get(path, params={"f": "html"}), titles)


@pytest.mark.parametrize("path,titles", PAGES, ids=[p for p, _ in PAGES])
def test_html_with_accept_header(path, titles, client):
    _check_html(client.get(path, headers={"Accept": "text/html"}), titles)


@pytest.mark.parametrize("path", ["/", "/collections/communes/items"])
def test_html_for_a_browser(path, client):
    _check_html(client.get(path, headers={"Accept": BROWSER_ACCEPT}), [])


def test_html_items_page_links_to_json(client):
    r = client.get("/collections/communes/items", params={"f": "html", "limit": 5})
    _check_html(r, [])
    assert "f=json" in r.text or "application/geo+json" in r.text, "the HTML page does not link to its GeoJSON"


def test_api_html(client):
    r = client.get("/api", params={"f": "html"})
    assert r.status_code == 200
    assert s.media_type(r) == s.MT_HTML

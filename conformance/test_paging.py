"""Paging: following 'next' links visits every feature exactly once."""
from collections import Counter, defaultdict
from urllib.parse import urljoin

import pytest

import support as s

PAGE = 500


def _check_pages(cid, walk, expected_total):
    pages = walk.pages
    for i, p in enumerate(pages):
        assert p["numberReturned"] == len(p["features"])
        assert len(p["features"]) <= PAGE
        if i < len(pages) - 1:
            assert len(p["features"]) > 0, f"{cid}: empty page {walk.urls[i]} with a next link"
        if "numberMatched" in p:
            assert p["numberMatched"] == expected_total, (
                f"{cid}: numberMatched {p['numberMatched']} on page {i + 1} != {expected_total}")
    assert "numberMatched" in pages[0], f"{cid}: first page has no numberMatched"
    assert s.next_link(pages[-1]) is None
    expected_pages = max(1, -(-expected_total // PAGE))
    assert len(pages) >= expected_pages


@pytest.mark.parametrize("cid", [c for c in s.LAYER_IDS if c != "pg_ocs2d_nopk"])
def test_paging_walk_visits_every_feature_once(cid, client):
    src = s.source_by_fid(cid)
    walk = s.walk_items(client, cid, {"limit": PAGE})
    _check_pages(cid, walk, len(src))
    ids = [str(f["id"]) for f in walk.features]
    dup = [k for k, v in Counter(ids).items() if v > 1]
    assert not dup, f"{cid}: ids seen on more than one page: {dup[:10]}"
    assert set(ids) == {str(k) for k in src}, (
        f"{cid}: missing {sorted(set(map(str, src)) - set(ids))[:10]}, extra {sorted(set(ids) - set(map(str, src)))[:10]}")
    # and what was visited is the source data
    crs84 = {fid: g for fid, _, g in s.source_geoms_crs84(cid)}
    bad = []
    for f in walk.features:
        fid = int(f["id"])
        mm = s.props_mismatches(f["properties"], src[fid].props)
        if mm:
            bad.append((fid, mm[:3]))
        d = s.geometry_max_diff(f["geometry"], crs84[fid])
        if d > 1e-7:
            bad.append((fid, f"geometry differs by {d}"))
    assert not bad, f"{cid}: {len(bad)} features differ from the source, e.g. {bad[:5]}"


def test_paging_walk_no_primary_key(client):
    """pg_ocs2d_nopk: a view without primary key. Compare full (properties, geometry) tuples."""
    cid = "pg_ocs2d_nopk"
    src = s.source_geoms_crs84(cid)
    names = s.source_field_names(cid)
    walk = s.walk_items(client, cid, {"limit": PAGE})
    _check_pages(cid, walk, len(src))
    assert len(walk.features) == len(src)

    got = Counter(s.canon_props(f["properties"], names) for f in walk.features)
    want = Counter(s.canon_props(p, names) for _, p, _ in src)
    assert got == want, f"{cid}: property tuples differ: {s.multiset_diff(got, want)}"

    # geometry: match within each group of identical property tuples (greedy, 1e-7 deg)
    src_groups = defaultdict(list)
    for _, p, g in src:
        src_groups[s.canon_props(p, names)].append(g)
    unmatched = []
    for f in walk.features:
        cands = src_groups[s.canon_props(f["properties"], names)]
        best = min(range(len(cands)), key=lambda i: s.geometry_max_diff(f["geometry"], cands[i]))
        if s.geometry_max_diff(f["geometry"], cands[best]) > 1e-7:
            unmatched.append(f["properties"])
        else:
            cands.pop(best)
    assert not unmatched, f"{cid}: {len(unmatched)} features whose geometry matches no source row, e.g. {unmatched[:3]}"

    ids = [f.get("id") for f in walk.features if "id" in f]
    if ids:  # synthetic ids, if any, must at least be unique
        assert len(set(map(str, ids))) == len(ids), f"{cid}: duplicate feature ids"


@pytest.mark.parametrize("cid", ["communes", "pg_ocs2d", "pg_ocs2d_nopk"])
def test_prev_link_returns_previous_page(cid, client):
    first = client.get_json(f"/collections/{cid}/items", params={"limit": 100})
    nxt = s.next_link(first)
    assert nxt is not None
    r2 = client.get(urljoin(client.base + "/", nxt["href"]))
    second = r2.json()
    assert s.links_by_rel(first, "prev") == [], "first page has a prev link"
    prev = s.links_by_rel(second, "prev")
    if not prev:
        pytest.skip("no prev links (optional in OGC API Features Part 1)")
    back = client.get_json(urljoin(r2.url, prev[0]["href"]))
    key = (lambda f: str(f["id"])) if cid != "pg_ocs2d_nopk" else (lambda f: repr(sorted(f["properties"].items())))
    assert [key(f) for f in back["features"]] == [key(f) for f in first["features"]]


@pytest.mark.parametrize("cid", ["communes", "pg_communes"])
def test_pages_do_not_overlap_with_other_sizes(cid, client):
    """Walking with limit=1000 and with limit=333 gives the same features in the same order."""
    a = [str(f["id"]) for f in s.walk_items(client, cid, {"limit": 1000}).features]
    b = [str(f["id"]) for f in s.walk_items(client, cid, {"limit": 333}).features]
    assert a == b

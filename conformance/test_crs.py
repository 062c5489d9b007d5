"""OGC API - Features Part 2 (crs, bbox-crs, Content-Crs) and Part 1 bbox."""
import pytest
from osgeo import ogr

import support as s
from support import CRS84, epsg_uri

CM = 0.01          # 1 cm, in metres
DEG = 1e-7         # about 1 cm, in degrees

BBOX_LAYERS = ["communes", "pg_communes", "ocs2d", "pg_ocs2d"]


def _content_crs(r):
    return r.headers.get("Content-Crs") or r.headers.get("content-crs")


def _all_items(client, cid, params):
    return s.walk_items(client, cid, dict(params, limit=1000)).features


# ---------------------------------------------------------------- output CRS

@pytest.mark.parametrize("cid", ["communes", "pg_communes", "ocs2d", "pg_ocs2d", "scot"])
def test_default_output_is_crs84(cid, client):
    r = client.get(f"/collections/{cid}/items", params={"limit": 100})
    assert r.status_code == 200
    assert _content_crs(r) == f"<{CRS84}>", f"Content-Crs {_content_crs(r)!r}"
    src = {fid: g for fid, _, g in s.source_geoms_crs84(cid)}
    for f in r.json()["features"]:
        d = s.geometry_max_diff(f["geometry"], src[int(f["id"])])
        assert d <= DEG, f"{cid}/{f['id']}: CRS84 coordinates differ from PROJ by {d} deg"


@pytest.mark.parametrize("cid", ["communes", "pg_communes", "ocs2d", "pg_ocs2d"])
def test_crs_2154_output_is_source_coordinates(cid, client):
    uri = epsg_uri(2154)
    r = client.get(f"/collections/{cid}/items", params={"limit": 200, "crs": uri})
    assert r.status_code == 200, r.text[:300]
    assert _content_crs(r) == f"<{uri}>", f"Content-Crs {_content_crs(r)!r}"
    src = s.source_by_fid(cid)
    feats = r.json()["features"]
    assert len(feats) == 200
    for f in feats:
        d = s.geometry_max_diff(f["geometry"], src[int(f["id"])].geom_native)
        assert d <= CM, f"{cid}/{f['id']}: EPSG:2154 coordinates differ from the source by {d} m"
    # links keep the crs parameter, so paging stays in the same CRS
    nxt = s.next_link(r.json())
    assert nxt is not None
    r2 = client.get(nxt["href"])
    assert _content_crs(r2) == f"<{uri}>", f"next page lost the crs parameter: {nxt['href']}"
    f = r2.json()["features"][0]
    assert s.geometry_max_diff(f["geometry"], src[int(f["id"])].geom_native) <= CM


def test_crs_4326_output_is_lat_lon(client):
    """EPSG:4326 has latitude first: Part 2 output follows the CRS axis order."""
    uri = epsg_uri(4326)
    r = client.get("/collections/communes/items", params={"limit": 50, "crs": uri})
    assert r.status_code == 200
    assert _content_crs(r) == f"<{uri}>"
    src = {fid: g for fid, _, g in s.source_geoms_crs84("communes")}
    for f in r.json()["features"]:
        d = s.geometry_max_diff(f["geometry"], s.swap_xy(src[int(f["id"])]))
        assert d <= DEG, f"communes/{f['id']}: EPSG:4326 (lat, lon) coordinates off by {d} deg"


def test_crs_3857_output(client):
    uri = epsg_uri(3857)
    r = client.get("/collections/ocs2d/items", params={"limit": 50, "crs": uri})
    assert r.status_code == 200
    assert _content_crs(r) == f"<{uri}>"
    src = s.source_by_fid("ocs2d")
    for f in r.json()["features"]:
        want = s.transform_geojson(src[int(f["id"])].geom_native, 2154, 3857)
        d = s.geometry_max_diff(f["geometry"], want)
        assert d <= CM, f"ocs2d/{f['id']}: EPSG:3857 coordinates off by {d} m"


def test_crs84_explicit(client):
    r = client.get("/collections/scot/items", params={"limit": 3, "crs": CRS84})
    assert r.status_code == 200
    assert _content_crs(r) == f"<{CRS84}>"


@pytest.mark.parametrize("cid", ["communes", "pg_ocs2d"])
def test_crs_on_single_item(cid, client):
    fid = sorted(s.source_by_fid(cid))[7]
    uri = epsg_uri(2154)
    r = client.get(f"/collections/{cid}/items/{fid}", params={"crs": uri})
    assert r.status_code == 200, r.text[:300]
    assert _content_crs(r) == f"<{uri}>"
    d = s.geometry_max_diff(r.json()["geometry"], s.source_by_fid(cid)[fid].geom_native)
    assert d <= CM
    r = client.get(f"/collections/{cid}/items/{fid}")
    assert _content_crs(r) == f"<{CRS84}>"


def test_crs_not_offered_is_400(client, collections_doc, collection_docs):
    """/req/crs/fc-crs-valid-value: a CRS outside the collection's list -> 400."""
    uri = epsg_uri(32631)
    offered = [c for c in collection_docs["communes"].get("crs", [])]
    if "#/crs" in offered:
        offered += collections_doc.get("crs", [])
    r = client.get("/collections/communes/items", params={"limit": 1, "crs": uri})
    if uri in offered:
        assert r.status_code == 200
    else:
        s.assert_problem(r, 400, "crs")


# ---------------------------------------------------------------- bbox

def _robust_points(cid, n=4, margin=8.0):
    """Points (EPSG:2154) that are at least `margin` metres from every feature boundary nearby:
    a small box around such a point selects the same features whatever CRS it is expressed in.
    Returns [(x, y, expected_fids)]."""
    geoms = s.source_ogr_geoms(cid)
    step = max(1, len(geoms) // (n * 5))
    out = []
    for i in range(0, len(geoms), step):
        fid, g, _ = geoms[i]
        p = g.PointOnSurface()
        if p is None or p.IsEmpty():
            continue
        px, py = p.GetX(), p.GetY()
        near = [(ofid, og) for ofid, og, (ex0, ex1, ey0, ey1) in geoms
                if ex0 - margin <= px <= ex1 + margin and ey0 - margin <= py <= ey1 + margin
                and og.Distance(p) < margin]
        ok = all(og.Contains(p) and og.Boundary().Distance(p) >= margin for _, og in near)
        if ok:
            out.append((p.GetX(), p.GetY(), {ofid for ofid, _ in near}))
        if len(out) == n:
            break
    assert len(out) == n, f"{cid}: could not find {n} robust test points"
    return out


def _ids(feats):
    return {int(f["id"]) for f in feats}


@pytest.mark.parametrize("cid", BBOX_LAYERS)
def test_bbox_same_area_in_crs84_and_2154(cid, client):
    """A tiny box around a point deep inside a feature, given in CRS84 (bbox) and in
    EPSG:2154 / EPSG:4326 / EPSG:3857 (bbox-crs), selects exactly the same features."""
    for x, y, expected in _robust_points(cid):
        h = 1.5  # metres; every box below stays well within the 8 m margin of _robust_points
        lon, lat = s.transform_point(x, y, 2154, 4326)
        hd = 1.2e-5  # ~0.9 m (lon) x 1.3 m (lat) at this latitude
        mx, my = s.transform_point(x, y, 2154, 3857)
        variants = {
            "crs84 (default)": {"bbox": f"{lon - hd},{lat - hd},{lon + hd},{lat + hd}"},
            "crs84 (explicit)": {"bbox": f"{lon - hd},{lat - hd},{lon + hd},{lat + hd}", "bbox-crs": CRS84},
            "epsg:2154": {"bbox": f"{x - h},{y - h},{x + h},{y + h}", "bbox-crs": epsg_uri(2154)},
            "epsg:4326 lat/lon": {"bbox": f"{lat - hd},{lon - hd},{lat + hd},{lon + hd}", "bbox-crs": epsg_uri(4326)},
            "epsg:3857": {"bbox": f"{mx - 2.5},{my - 2.5},{mx + 2.5},{my + 2.5}", "bbox-crs": epsg_uri(3857)},
        }
        for name, params in variants.items():
            got = _ids(_all_items(client, cid, params))
            assert got == expected, f"{cid} bbox {name} {params}: got {sorted(got)}, expected {sorted(expected)}"


def _intersecting(cid, poly2154):
    return {fid for fid, g, _ in s.source_ogr_geoms(cid) if g.Intersects(poly2154)}


def _rect(x0, y0, x1, y1):
    return ogr.CreateGeometryFromWkt(f"POLYGON(({x0} {y0},{x1} {y0},{x1} {y1},{x0} {y1},{x0} {y0}))")


def _region(cid, frac=0.3):
    xs, ys = [], []
    for f in s.source_features(cid):
        b = s.geometry_bbox(f.geom_native)
        xs += [b[0], b[2]]
        ys += [b[1], b[3]]
    cx, cy = (min(xs) + max(xs)) / 2, (min(ys) + max(ys)) / 2
    w, h = (max(xs) - min(xs)) * frac / 2, (max(ys) - min(ys)) * frac / 2
    return cx - w, cy - h, cx + w, cy + h


@pytest.mark.parametrize("cid", BBOX_LAYERS)
def test_bbox_region_native(cid, client):
    """bbox-crs=EPSG:2154: exactly the features whose geometry intersects the box
    (within 1 m: not their envelopes)."""
    x0, y0, x1, y1 = _region(cid)
    tol = 1.0
    certain = _intersecting(cid, _rect(x0 + tol, y0 + tol, x1 - tol, y1 - tol))
    possible = _intersecting(cid, _rect(x0 - tol, y0 - tol, x1 + tol, y1 + tol))
    got = _ids(_all_items(client, cid, {"bbox": f"{x0},{y0},{x1},{y1}", "bbox-crs": epsg_uri(2154)}))
    assert certain <= got, f"{cid}: missing {sorted(certain - got)[:10]}"
    assert got <= possible, f"{cid}: features outside the box {sorted(got - possible)[:10]}"
    assert len(certain) > 10


@pytest.mark.parametrize("cid", BBOX_LAYERS)
def test_bbox_region_crs84(cid, client):
    """bbox in CRS84 (no bbox-crs): the features intersecting that lon/lat rectangle."""
    x0, y0, x1, y1 = _region(cid)
    lon0, lat0 = s.transform_point(x0, y0, 2154, 4326)
    lon1, lat1 = s.transform_point(x1, y1, 2154, 4326)
    # the lon/lat rectangle as a densified polygon in EPSG:2154
    n = 50
    ring = ([(lon0 + (lon1 - lon0) * i / n, lat0) for i in range(n)] +
            [(lon1, lat0 + (lat1 - lat0) * i / n) for i in range(n)] +
            [(lon1 - (lon1 - lon0) * i / n, lat1) for i in range(n)] +
            [(lon0, lat1 - (lat1 - lat0) * i / n) for i in range(n)])
    pts = [s.transform_point(lo, la, 4326, 2154) for lo, la in ring]
    poly = ogr.CreateGeometryFromWkt("POLYGON((" + ",".join(f"{x} {y}" for x, y in pts + pts[:1]) + "))")
    size = max(x1 - x0, y1 - y0)
    tol = max(1.0, 0.002 * size)  # servers may transform only the corners of the box
    certain = _intersecting(cid, poly.Buffer(-tol))
    possible = _intersecting(cid, poly.Buffer(tol))
    got = _ids(_all_items(client, cid, {"bbox": f"{lon0},{lat0},{lon1},{lat1}"}))
    assert certain <= got, f"{cid}: missing {sorted(certain - got)[:10]}"
    assert got <= possible, f"{cid}: features outside the box {sorted(got - possible)[:10]}"
    assert len(certain) > 10


def test_bbox_numbermatched(client):
    x0, y0, x1, y1 = _region("communes")
    params = {"bbox": f"{x0},{y0},{x1},{y1}", "bbox-crs": epsg_uri(2154), "limit": 10}
    doc = client.get_json("/collections/communes/items", params=params)
    total = len(_all_items(client, "communes", {k: v for k, v in params.items() if k != "limit"}))
    assert doc["numberMatched"] == total
    nxt = s.next_link(doc)
    assert nxt is not None and "bbox" in nxt["href"], f"next link lost the bbox: {nxt}"


def test_bbox_with_crs_output(client):
    """bbox-crs and crs together: filter in one CRS, output in another."""
    x0, y0, x1, y1 = _region("ocs2d", 0.1)
    feats = _all_items(client, "ocs2d", {"bbox": f"{x0},{y0},{x1},{y1}", "bbox-crs": epsg_uri(2154),
                                         "crs": epsg_uri(2154)})
    assert feats
    src = s.source_by_fid("ocs2d")
    for f in feats:
        assert s.geometry_max_diff(f["geometry"], src[int(f["id"])].geom_native) <= CM

#!/usr/bin/python3
"""Build demo/demo.gpkg (the Ossature demo dataset) from the bench world's hdf.gpkg.

Called by demo/make-demo.sh (see there for the licence and the data sources). Needs Debian's
python3-gdal (run it with /usr/bin/python3). Deterministic: same input, same output.

    make_demo.py --src /path/to/hdf.gpkg --out demo/demo.gpkg [--tolerance 50]

Layers written (all EPSG:2154, FID column `id`, geometry column `geom`, R-tree index):
  communes  3,808 real communes, coverage-simplified (shared borders are simplified once, so
            neighbours keep sharing them exactly: no gaps, no overlaps)
  epci      dissolve of the simplified communes per `epci` code, attributes from the generator
  scot      dissolve of the simplified communes per `scot` code, attributes from the generator
  ocs2d     the synthetic OCS2D polygons whose centroid falls in a 3.5 km x 3.5 km window west of
            Lille (Lomme, Lambersart, Englos, Sequedin...), plus a DATE field `date_maj`
"""
import argparse
import datetime
import hashlib
import os
import sys
import time
from collections import defaultdict

from osgeo import gdal, ogr, osr

gdal.UseExceptions()
ogr.UseExceptions()

# Fixed "last_change" timestamp in gpkg_contents, so that reruns give identical files.
FIXED_DATE = "2024-01-01T00:00:00.000Z"
# OCS2D window (centroid inside [x0, x1[ x [y0, y1[): urban fabric, activity zones, forest,
# farmland and the river, 12 code_cs/code_us combinations, about 4,150 polygons.
OCS_WINDOW = (696000.0, 7059500.0, 699500.0, 7063000.0)
T0 = time.time()


def log(msg):
    print(f"[{time.time() - T0:6.1f}s] {msg}", file=sys.stderr, flush=True)


def srs2154():
    s = osr.SpatialReference()
    s.ImportFromEPSG(2154)
    s.SetAxisMappingStrategy(osr.OAMS_TRADITIONAL_GIS_ORDER)
    return s


# --------------------------------------------------------------------------- coverage simplification
def dp(pts, tol):
    """Douglas-Peucker on an open polyline, both ends kept (also handles pts[0] == pts[-1])."""
    n = len(pts)
    if n < 3 or tol <= 0:
        return list(pts)
    keep = [False] * n
    keep[0] = keep[-1] = True
    stack = [(0, n - 1)]
    tol2 = tol * tol
    while stack:
        i, j = stack.pop()
        if j <= i + 1:
            continue
        ax, ay = pts[i]
        bx, by = pts[j]
        dx, dy = bx - ax, by - ay
        L2 = dx * dx + dy * dy
        best, bk = -1.0, -1
        for k in range(i + 1, j):
            px, py = pts[k]
            if L2 == 0.0:
                d2 = (px - ax) ** 2 + (py - ay) ** 2
            else:
                c = (px - ax) * dy - (py - ay) * dx
                d2 = c * c / L2
            if d2 > best:
                best, bk = d2, k
        if best > tol2:
            keep[bk] = True
            stack.append((i, bk))
            stack.append((bk, j))
    return [p for p, k in zip(pts, keep) if k]


def far_index(pts, i0):
    x0, y0 = pts[i0]
    best, bk = -1.0, i0
    for k, (x, y) in enumerate(pts):
        d = (x - x0) ** 2 + (y - y0) ** 2
        if d > best:
            best, bk = d, k
    return bk


def simplify_closed(ring, tol):
    """ring: closed (first == last). Keeps ring[0] and the farthest vertex; >= 4 points."""
    if tol <= 0:
        return list(ring)
    k = far_index(ring, 0)
    out = dp(ring[:k + 1], tol)[:-1] + dp(ring[k:], tol)
    if len(out) < 4:  # keep a triangle: add the vertex farthest from the 0-k chord
        ax, ay = ring[0]
        bx, by = ring[k]
        dists = [abs((x - ax) * (by - ay) - (y - ay) * (bx - ax)) for x, y in ring]
        m = max(range(len(ring)), key=lambda i: dists[i])
        idx = sorted({0, k, m, len(ring) - 1})
        out = [ring[i] for i in idx]
    return out


class Coverage:
    """Polygons as rings made of shared arcs (split at nodes), simplified arc by arc."""

    def __init__(self, polys):
        # polys: list (features) of list (polygons) of list (rings) of closed point lists
        self.shape = []  # feature -> polygon -> ring -> ring index
        rings = []
        for feat in polys:
            fs = []
            for poly in feat:
                ps = []
                for ring in poly:
                    pts = [p for i, p in enumerate(ring) if i == 0 or p != ring[i - 1]]
                    if pts[0] == pts[-1]:
                        pts.pop()
                    ps.append(len(rings))
                    rings.append(pts)
                fs.append(ps)
            self.shape.append(fs)
        edges = defaultdict(set)
        nbrs = defaultdict(set)
        for rid, pts in enumerate(rings):
            n = len(pts)
            for i in range(n):
                a, b = pts[i], pts[(i + 1) % n]
                edges[(a, b) if a < b else (b, a)].add(rid)
                nbrs[a].add(b)
                nbrs[b].add(a)

        def owners(a, b):
            return edges[(a, b) if a < b else (b, a)]

        self.arcs = []  # canonical point lists; closed arcs (whole rings) are flagged
        self.closed = []
        arc_id = {}
        self.ring_arcs = []  # ring -> [(arc id, forward)]
        self.arc_feats = defaultdict(set)
        ring_feat = {}
        for fi, fs in enumerate(self.shape):
            for ps in fs:
                for rid in ps:
                    ring_feat[rid] = fi
        for rid, pts in enumerate(rings):
            n = len(pts)
            nodes = [i for i in range(n)
                     if len(nbrs[pts[i]]) >= 3 or owners(pts[i - 1], pts[i]) != owners(pts[i], pts[(i + 1) % n])]
            if not nodes:
                # ring without node: one closed arc, canonical start = smallest vertex, direction by
                # the smaller neighbour of that vertex
                s = min(range(n), key=lambda i: pts[i])
                rot = pts[s:] + pts[:s]
                fwd = rot[1] <= rot[-1]
                canon = rot if fwd else [rot[0]] + rot[1:][::-1]
                key = ("c",) + tuple(canon)
                if key not in arc_id:
                    arc_id[key] = len(self.arcs)
                    self.arcs.append(canon + [canon[0]])
                    self.closed.append(True)
                # the ring starts at rot[0] either way
                self.ring_arcs.append([(arc_id[key], fwd, s)])
                self.arc_feats[arc_id[key]].add(ring_feat[rid])
                continue
            rot = pts[nodes[0]:] + pts[:nodes[0]] + [pts[nodes[0]]]
            cuts = [i - nodes[0] for i in nodes] + [n]
            ra = []
            for a, b in zip(cuts[:-1], cuts[1:]):
                arc = rot[a:b + 1]
                fwd = arc[0] < arc[-1] or (arc[0] == arc[-1] and arc[1] <= arc[-2])
                canon = arc if fwd else arc[::-1]
                key = tuple(canon)
                if key not in arc_id:
                    arc_id[key] = len(self.arcs)
                    self.arcs.append(canon)
                    self.closed.append(False)
                ra.append((arc_id[key], fwd, None))
                self.arc_feats[arc_id[key]].add(ring_feat[rid])
            self.ring_arcs.append(ra)
        self.feat_arcs = defaultdict(set)
        for aid, fs in self.arc_feats.items():
            for fi in fs:
                self.feat_arcs[fi].add(aid)
        log(f"  coverage: {len(rings)} rings, {len(self.arcs)} arcs, "
            f"{sum(len(a) for a in self.arcs)} arc vertices")

    def simplify(self, tols):
        simp = [simplify_closed(a, t) if c else dp(a, t) for a, c, t in zip(self.arcs, self.closed, tols)]
        out = []
        for fs in self.shape:
            feat = []
            for ps in fs:
                poly = []
                for rid in ps:
                    ring = []
                    for aid, fwd, _ in self.ring_arcs[rid]:
                        s = simp[aid] if fwd else simp[aid][::-1]
                        ring.extend(s[:-1])
                    ring.append(ring[0])
                    poly.append(ring)
                feat.append(poly)
            out.append(feat)
        return out


def to_ogr(feat):
    mp = ogr.Geometry(ogr.wkbMultiPolygon)
    for poly in feat:
        pg = ogr.Geometry(ogr.wkbPolygon)
        for ring in poly:
            r = ogr.Geometry(ogr.wkbLinearRing)
            for x, y in ring:
                r.AddPoint_2D(x, y)
            pg.AddGeometry(r)
        mp.AddGeometry(pg)
    return mp


def from_ogr(g):
    g = ogr.ForceToMultiPolygon(g)
    out = []
    for i in range(g.GetGeometryCount()):
        p = g.GetGeometryRef(i)
        out.append([[(round(x, 2), round(y, 2)) for x, y, *_ in p.GetGeometryRef(j).GetPoints()]
                    for j in range(p.GetGeometryCount())])
    return out


def coverage_simplify(polys, tol, max_area_change=0.03, rounds=12):
    """Simplify a polygon coverage; per-arc tolerance is halved around any feature that becomes
    invalid, loses too much area, or overlaps a neighbour, until everything is clean."""
    cov = Coverage(polys)
    orig_area = [to_ogr(f).GetArea() for f in polys]
    tols = [tol] * len(cov.arcs)
    # candidate neighbour pairs: features sharing an arc, or with close envelopes
    envs = [to_ogr(f).GetEnvelope() for f in polys]
    cell = 5000.0
    grid = defaultdict(list)
    for i, (x0, x1, y0, y1) in enumerate(envs):
        for gx in range(int((x0 - tol) // cell), int((x1 + tol) // cell) + 1):
            for gy in range(int((y0 - tol) // cell), int((y1 + tol) // cell) + 1):
                grid[(gx, gy)].append(i)
    pairs = set()
    for ids in grid.values():
        for a in range(len(ids)):
            for b in range(a + 1, len(ids)):
                i, j = ids[a], ids[b]
                ei, ej = envs[i], envs[j]
                if ei[0] - tol <= ej[1] and ej[0] - tol <= ei[1] and ei[2] - tol <= ej[3] and ej[2] - tol <= ei[3]:
                    pairs.add((min(i, j), max(i, j)))
    pairs = sorted(pairs)
    dirty = set(range(len(polys)))
    geoms = [None] * len(polys)
    for rnd in range(rounds):
        res = cov.simplify(tols)
        bad = set()
        for i in sorted(dirty):
            rings_ok = all(len(r) >= 4 for p in res[i] for r in p)
            g = to_ogr(res[i]) if rings_ok else None
            if g is None or not g.IsValid() or abs(g.GetArea() - orig_area[i]) > max_area_change * orig_area[i]:
                bad.add(i)
            geoms[i] = g
        # overlaps between neighbours (only pairs touching a feature that changed this round)
        for i, j in pairs:
            if (i in dirty or j in dirty) and i not in bad and j not in bad:
                gi, gj = geoms[i], geoms[j]
                if gi.Overlaps(gj) and gi.Intersection(gj).GetArea() > 0.01:
                    bad.add(i)
                    bad.add(j)
        log(f"  simplify round {rnd}: {len(dirty)} checked, {len(bad)} to refine")
        if not bad:
            break
        changed = set()
        for i in bad:
            for aid in cov.feat_arcs[i]:
                if tols[aid] > 0:
                    tols[aid] = tols[aid] / 2 if tols[aid] > 0.5 else 0.0
                    changed |= cov.arc_feats[aid]
        dirty = changed | bad
    else:
        raise SystemExit("coverage simplification did not converge")
    n_in = sum(len(r) for f in polys for p in f for r in p)
    n_out = sum(g.GetGeometryRef(p).GetGeometryRef(r).GetPointCount()
                for g in geoms for p in range(g.GetGeometryCount())
                for r in range(g.GetGeometryRef(p).GetGeometryCount()))
    log(f"  simplified: {n_in} -> {n_out} vertices, {sum(1 for t in tols if t < tol)} arcs with a reduced tolerance")
    return geoms


# --------------------------------------------------------------------------- output
def make_layer(ds, name, gtype, fields, identifier, description):
    lyr = ds.CreateLayer(name, srs2154(), gtype,
                         options=["FID=id", "GEOMETRY_NAME=geom", "SPATIAL_INDEX=YES",
                                  f"IDENTIFIER={identifier}", f"DESCRIPTION={description}"])
    for fname, ftype, width in fields:
        fd = ogr.FieldDefn(fname, ftype)
        if width:
            fd.SetWidth(width)
        lyr.CreateField(fd)
    return lyr


def write(ds, lyr, rows):
    """rows: (fid, {field: value}, geometry)"""
    ds.StartTransaction()
    defn = lyr.GetLayerDefn()
    for fid, attrs, g in rows:
        f = ogr.Feature(defn)
        f.SetFID(fid)
        for k, v in attrs.items():
            if isinstance(v, datetime.date):
                f.SetField(k, v.year, v.month, v.day, 0, 0, 0, 0)
            else:
                f.SetField(k, v)
        f.SetGeometry(g)
        lyr.CreateFeature(f)
    ds.CommitTransaction()


def read_layer(src, name, fields):
    lyr = src.GetLayerByName(name)
    lyr.ResetReading()
    rows = []
    for f in lyr:
        rows.append((f.GetFID(), {k: f.GetField(k) for k in fields}, f.GetGeometryRef().Clone()))
    rows.sort(key=lambda r: r[0])
    return rows


def dissolve(geoms):
    coll = ogr.Geometry(ogr.wkbMultiPolygon)
    for g in geoms:
        for p in range(g.GetGeometryCount()):
            coll.AddGeometry(g.GetGeometryRef(p))
    u = ogr.ForceToMultiPolygon(coll.UnionCascaded())
    if not u.IsValid():
        u = ogr.ForceToMultiPolygon(u.MakeValid())
    return u


def date_maj(src_id, millesime):
    """Deterministic 'last update' date: between 1 March of the millesime and 15 December of the
    following year (the survey year, then the production/update campaign)."""
    start = datetime.date(millesime, 3, 1)
    span = (datetime.date(millesime + 1, 12, 15) - start).days + 1
    h = int.from_bytes(hashlib.sha256(f"ocs2d/{src_id}".encode()).digest()[:8], "big")
    return start + datetime.timedelta(days=h % span)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--src", required=True, help="the bench world's hdf.gpkg")
    ap.add_argument("--out", required=True)
    ap.add_argument("--tolerance", type=float, default=50.0, help="simplification tolerance, metres")
    a = ap.parse_args()
    gdal.SetConfigOption("OGR_CURRENT_DATE", FIXED_DATE)
    gdal.SetConfigOption("OGR_SQLITE_JOURNAL", "OFF")
    src = ogr.Open(a.src)

    log("communes: reading")
    com = read_layer(src, "communes", ["insee", "nom", "dep", "epci", "scot", "surf_ha"])
    polys = [from_ogr(g) for _, _, g in com]
    log(f"communes: coverage simplification, tolerance {a.tolerance} m")
    simp = coverage_simplify(polys, a.tolerance)

    epci = read_layer(src, "epci", ["code", "nom", "dep", "scot", "nb_communes"])
    scot = read_layer(src, "scot", ["code", "nom", "nb_epci", "etat"])
    by_epci, by_scot = defaultdict(list), defaultdict(list)
    for (_, at, _), g in zip(com, simp):
        by_epci[at["epci"]].append(g)
        by_scot[at["scot"]].append(g)
    assert set(by_epci) == {r[1]["code"] for r in epci}, "epci codes differ"
    assert set(by_scot) == {r[1]["code"] for r in scot}, "scot codes differ"
    log("epci, scot: dissolving the simplified communes")
    epci_rows = [(fid, at, dissolve(by_epci[at["code"]])) for fid, at, _ in epci]
    scot_rows = [(fid, at, dissolve(by_scot[at["code"]])) for fid, at, _ in scot]
    for fid, at, g in epci_rows:
        assert len(by_epci[at["code"]]) == at["nb_communes"]

    log("ocs2d: window")
    x0, y0, x1, y1 = OCS_WINDOW
    olyr = src.GetLayerByName("ocs2d")
    olyr.SetSpatialFilterRect(x0 - 200, y0 - 200, x1 + 200, y1 + 200)
    ocs = []
    for f in olyr:
        g = f.GetGeometryRef()
        c = g.Centroid()
        if x0 <= c.GetX() < x1 and y0 <= c.GetY() < y1:
            ocs.append((f.GetFID(), f.GetField("code_cs"), f.GetField("code_us"), f.GetField("millesime"),
                        f.GetField("surf_m2"), g.Clone()))
    ocs.sort(key=lambda r: r[0])
    ocs_rows = [(i + 1, {"code_cs": cs, "code_us": us, "millesime": m, "surf_m2": s,
                         "date_maj": date_maj(sid, m)}, g)
                for i, (sid, cs, us, m, s, g) in enumerate(ocs)]

    tmp = a.out[:-5] + ".tmp.gpkg" if a.out.endswith(".gpkg") else a.out + ".tmp.gpkg"
    for p in (tmp, tmp + "-journal"):
        if os.path.exists(p):
            os.remove(p)
    ds = ogr.GetDriverByName("GPKG").CreateDataSource(tmp)
    S, I, R, D = ogr.OFTString, ogr.OFTInteger, ogr.OFTReal, ogr.OFTDate
    lyr = make_layer(ds, "communes", ogr.wkbMultiPolygon,
                     [("insee", S, 5), ("nom", S, 0), ("dep", S, 2), ("epci", S, 9), ("scot", S, 6), ("surf_ha", R, 0)],
                     "Communes (Hauts-de-France)",
                     "The 3,808 communes of Hauts-de-France (IGN/INSEE Admin Express COG 2018 via france-geojson, "
                     "simplified). epci/scot codes are synthetic groupings; surf_ha is the area before simplification.")
    write(ds, lyr, [(fid, at, g) for (fid, at, _), g in zip(com, simp)])
    lyr = make_layer(ds, "epci", ogr.wkbMultiPolygon,
                     [("code", S, 9), ("nom", S, 0), ("dep", S, 2), ("scot", S, 6), ("nb_communes", I, 0)],
                     "EPCI (synthetic, Hauts-de-France)",
                     "Synthetic inter-municipal groupings (EPCI-like): dissolve of the communes, k-means on "
                     "their centroids per departement.")
    write(ds, lyr, epci_rows)
    lyr = make_layer(ds, "scot", ogr.wkbMultiPolygon,
                     [("code", S, 6), ("nom", S, 0), ("nb_epci", I, 0), ("etat", S, 0)],
                     "SCoT (synthetic, Hauts-de-France)",
                     "Synthetic SCoT-like planning areas: dissolve of the EPCI, k-means per departement.")
    write(ds, lyr, scot_rows)
    lyr = make_layer(ds, "ocs2d", ogr.wkbPolygon,
                     [("code_cs", S, 10), ("code_us", S, 8), ("millesime", I, 0), ("surf_m2", R, 0),
                      ("date_maj", D, 0)],
                     "OCS2D land cover (synthetic, west of Lille)",
                     "Synthetic OCS GE-like land cover/land use polygons (CNIG nomenclature code_cs/code_us), "
                     "3.5 km x 3.5 km window west of Lille; millesime = survey year, date_maj = update date.")
    write(ds, lyr, ocs_rows)
    ds = None
    ds = ogr.Open(tmp, update=1)
    ds.ExecuteSQL("VACUUM")
    ds = None
    os.replace(tmp, a.out)
    log(f"{a.out}: communes {len(com)}, epci {len(epci_rows)}, scot {len(scot_rows)}, ocs2d {len(ocs_rows)}; "
        f"{os.path.getsize(a.out) / 1e6:.2f} MB")


if __name__ == "__main__":
    main()

"""Shared helpers of the conformance suite: config, HTTP client, source data, comparisons.

The suite compares what the server returns with the data it serves, read directly with GDAL/OGR:
GeoPackage layers from demo/demo.gpkg, PostGIS layers from $OSSATURE_TEST_PG. The list of
collections and where each comes from is read from conformance/ossature-test.toml, the same file
the server is started with.
"""
from __future__ import annotations

import datetime as dt
import functools
import json
import math
import os
import re
import subprocess
import tomllib
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urljoin, urlsplit, urlunsplit, unquote

import pytest
import requests
from osgeo import gdal, ogr, osr

gdal.UseExceptions()
ogr.UseExceptions()
osr.UseExceptions()

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
CONFIG_PATH = HERE / "ossature-test.toml"

# ---------------------------------------------------------------- standard identifiers
CRS84 = "http://www.opengis.net/def/crs/OGC/1.3/CRS84"


def epsg_uri(code: int) -> str:
    return f"http://www.opengis.net/def/crs/EPSG/0/{code}"


CONF_CORE = "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core"
CONF_OAS30 = "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/oas30"
CONF_HTML = "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/html"
CONF_GEOJSON = "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson"
CONF_CRS = "http://www.opengis.net/spec/ogcapi-features-2/1.0/conf/crs"

MT_JSON = "application/json"
MT_GEOJSON = "application/geo+json"
MT_OPENAPI = "application/vnd.oai.openapi+json;version=3.0"
MT_PROBLEM = "application/problem+json"
MT_HTML = "text/html"

NATIVE_EPSG = 2154
HTTP_TIMEOUT = 120

# ---------------------------------------------------------------- configuration

_ENV_RE = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}")


def expand_env(value: str) -> str:
    """Expand ${VAR} and ${VAR:-default} as the server does."""
    def rep(m):
        v = os.environ.get(m.group(1))
        if v:
            return v
        return m.group(2) if m.group(2) is not None else ""
    return _ENV_RE.sub(rep, value)


CONFIG = tomllib.loads(CONFIG_PATH.read_text(encoding="utf-8"))
SERVICE_TITLE = CONFIG["service"]["title"]


@dataclass(frozen=True)
class Layer:
    id: str
    title: str
    abstract: str
    source_type: str  # "geopackage" | "postgis"
    table: str
    temporal: str | None
    location: str  # gpkg path or postgresql URL

    @property
    def is_pg(self) -> bool:
        return self.source_type == "postgis"

    @property
    def ogr_name(self) -> str:
        return self.location if not self.is_pg else "PG:" + self.location


def _layers() -> dict[str, Layer]:
    out = {}
    for lyr in CONFIG["layers"]:
        src = CONFIG["sources"][lyr["source"]]
        if src["type"] == "geopackage":
            loc = str((CONFIG_PATH.parent / src["path"]).resolve())
        elif src["type"] == "postgis":
            loc = expand_env(src["url"])
        else:
            raise AssertionError(f"unknown source type {src['type']}")
        out[lyr["id"]] = Layer(
            id=lyr["id"], title=lyr["title"], abstract=lyr.get("abstract", ""),
            source_type=src["type"], table=lyr["table"], temporal=lyr.get("temporal"),
            location=loc)
    return out


def _anonymous_reads(layer_id: str) -> bool:
    """Whether the config's access rules let an anonymous caller read a layer (every layer
    without an `[access]` section). The suite runs anonymously, so it walks these layers only;
    test_access.py checks the others with credentials."""
    access = CONFIG.get("access")
    if access is None:
        return True
    return any(r["group"] == "anonymous" and ("*" in r.get("layers", []) or layer_id in r.get("layers", []))
               for r in access.get("rules", []))


LAYERS: dict[str, Layer] = _layers()
LAYER_IDS = [k for k in LAYERS if _anonymous_reads(k)]
PROTECTED_LAYER_IDS = [k for k in LAYERS if not _anonymous_reads(k)]
PG_LAYER_IDS = [k for k in LAYER_IDS if LAYERS[k].is_pg]
GPKG_LAYER_IDS = [k for k in LAYER_IDS if not LAYERS[k].is_pg]
TEMPORAL_LAYER_IDS = [k for k in LAYER_IDS if LAYERS[k].temporal]
# Imagery collections: listed in /collections, with map tilesets instead of items.
RASTER_IDS = [r["id"] for r in CONFIG.get("rasters", []) if _anonymous_reads(r["id"])]
# The catalogue's OGC API Records collection, listed beside them (itemType record).
CATALOGUE_ID = "catalogue"


# ---------------------------------------------------------------- HTTP

def base_url() -> str:
    return os.environ.get("OSSATURE_URL", "http://127.0.0.1:18080").rstrip("/")


class Client:
    """A thin requests wrapper: paths are relative to the server's base URL."""

    def __init__(self, base: str):
        self.base = base.rstrip("/")
        self.session = requests.Session()

    def url(self, path: str) -> str:
        if path.startswith("http://") or path.startswith("https://"):
            return path
        return self.base + path

    def get(self, path, params=None, headers=None, **kw) -> requests.Response:
        kw.setdefault("timeout", HTTP_TIMEOUT)
        return self.session.get(self.url(path), params=params, headers=headers, **kw)

    def request(self, method, path, **kw) -> requests.Response:
        kw.setdefault("timeout", HTTP_TIMEOUT)
        return self.session.request(method, self.url(path), **kw)

    def get_json(self, path, params=None, headers=None, expect_type=None) -> dict:
        r = self.get(path, params=params, headers=headers)
        assert r.status_code == 200, f"GET {r.url} -> {r.status_code}: {r.text[:500]}"
        if expect_type:
            assert media_type(r) == expect_type, f"GET {r.url}: Content-Type {r.headers.get('content-type')!r}, expected {expect_type}"
        try:
            return r.json()
        except ValueError as e:  # pragma: no cover - reported as failure
            raise AssertionError(f"GET {r.url}: body is not JSON ({e}): {r.text[:300]}")


def media_type(r: requests.Response) -> str:
    """The Content-Type without parameters, lower case (but keep the openapi version param)."""
    ct = r.headers.get("content-type", "")
    parts = [p.strip() for p in ct.split(";") if p.strip()]
    if not parts:
        return ""
    main = parts[0].lower()
    if main == "application/vnd.oai.openapi+json":
        ver = [p for p in parts[1:] if p.replace(" ", "").lower().startswith("version=")]
        if ver:
            return main + ";" + ver[0].replace(" ", "").lower()
    return main


def links_by_rel(doc: dict, rel: str) -> list[dict]:
    return [ln for ln in doc.get("links", []) if ln.get("rel") == rel]


def one_link(doc: dict, rel: str, type_: str | None = None) -> dict:
    cands = links_by_rel(doc, rel)
    if type_ is not None:
        typed = [ln for ln in cands if ln.get("type") == type_]
        untyped = [ln for ln in cands if not ln.get("type")]
        cands = typed or untyped
    assert cands, f"no link rel={rel!r}" + (f" type={type_!r}" if type_ else "") + f" in {doc.get('links')}"
    return cands[0]


def next_link(doc: dict) -> dict | None:
    cands = links_by_rel(doc, "next")
    if not cands:
        return None
    for t in (MT_GEOJSON, MT_JSON, None):
        for ln in cands:
            if ln.get("type") == t or (t is None and not ln.get("type")):
                return ln
    raise AssertionError(f"'next' links but none for GeoJSON: {cands}")


def same_path(href: str, expected_path: str) -> bool:
    """href (absolute or relative) points to expected_path on the server (query ignored)."""
    p = unquote(urlsplit(href).path).rstrip("/")
    base_path = urlsplit(base_url()).path.rstrip("/")
    return p == (base_path + expected_path).rstrip("/")


@dataclass
class Walk:
    features: list
    pages: list
    urls: list


def walk_items(client: Client, cid: str, params: dict | None = None, max_pages: int = 2000) -> Walk:
    """GET /collections/{cid}/items with params, then follow 'next' links to the end.
    Checks every page: 200, GeoJSON FeatureCollection, numberReturned == len(features)."""
    r = client.get(f"/collections/{cid}/items", params=params)
    pages, feats, urls = [], [], []
    while True:
        assert r.status_code == 200, f"GET {r.url} -> {r.status_code}: {r.text[:500]}"
        assert media_type(r) == MT_GEOJSON, f"GET {r.url}: Content-Type {r.headers.get('content-type')!r}"
        doc = r.json()
        assert doc.get("type") == "FeatureCollection", f"GET {r.url}: type {doc.get('type')!r}"
        assert isinstance(doc.get("features"), list)
        if "numberReturned" in doc:
            assert doc["numberReturned"] == len(doc["features"]), (
                f"GET {r.url}: numberReturned {doc['numberReturned']} but {len(doc['features'])} features")
        pages.append(doc)
        urls.append(r.url)
        feats.extend(doc["features"])
        nxt = next_link(doc)
        if nxt is None:
            break
        assert len(pages) < max_pages, f"more than {max_pages} pages: endless 'next' chain? last {r.url}"
        href = urljoin(r.url, nxt["href"])
        assert href != r.url, f"'next' link points to the page itself: {href}"
        r = client.get(href)
    return Walk(feats, pages, urls)


# ---------------------------------------------------------------- problem details

LEAK_MARKERS = ("SELECT ", "postgresql://", "demo.gpkg", "/work/", "/home/", "sqlx", "panicked")


def assert_problem(r: requests.Response, status: int, param: str | None = None):
    """RFC 7807 problem details, as OGC API - Common recommends for errors."""
    assert r.status_code == status, f"GET {r.url}: expected {status}, got {r.status_code}: {r.text[:300]}"
    assert media_type(r) == MT_PROBLEM, f"GET {r.url}: error Content-Type {r.headers.get('content-type')!r}, expected {MT_PROBLEM}"
    doc = r.json()
    for key in ("type", "title", "status", "detail"):
        assert key in doc, f"GET {r.url}: problem document lacks '{key}': {doc}"
    assert doc["status"] == status, f"problem status {doc['status']!r} != HTTP {status}"
    assert isinstance(doc["title"], str) and doc["title"]
    assert isinstance(doc["detail"], str) and doc["detail"]
    if param is not None:
        assert param.lower() in doc["detail"].lower(), (
            f"GET {r.url}: detail should name the parameter '{param}': {doc['detail']!r}")
    for m in LEAK_MARKERS:
        assert m not in r.text, f"GET {r.url}: error body leaks internals ({m!r}): {r.text[:300]}"
    return doc


# ---------------------------------------------------------------- source data (GDAL/OGR)

@functools.lru_cache(maxsize=None)
def _open_source(ogr_name: str):
    ds = gdal.OpenEx(ogr_name, gdal.OF_VECTOR | gdal.OF_READONLY)
    assert ds is not None, f"cannot open {ogr_name}"
    return ds


def source_dataset(layer_id: str):
    return _open_source(LAYERS[layer_id].ogr_name)


def source_layer(layer_id: str):
    lay = LAYERS[layer_id]
    lyr = source_dataset(layer_id).GetLayerByName(lay.table)
    assert lyr is not None, f"table {lay.table} not found in {lay.source_type} source of {layer_id}"
    lyr.ResetReading()
    lyr.SetSpatialFilter(None)
    lyr.SetAttributeFilter(None)
    return lyr


def source_has_pk(layer_id: str) -> bool:
    return bool(source_layer(layer_id).GetFIDColumn())


def source_field_names(layer_id: str) -> list[str]:
    d = source_layer(layer_id).GetLayerDefn()
    return [d.GetFieldDefn(i).GetName() for i in range(d.GetFieldCount())]


def source_count(layer_id: str) -> int:
    return source_layer(layer_id).GetFeatureCount(force=1)


def _tz_datetime(vals) -> dt.datetime:
    y, m, d, hh, mi, ss, tzflag = vals
    sec = int(ss)
    micro = int(round((ss - sec) * 1e6))
    t = dt.datetime(y, m, d, hh, mi, sec, micro)
    if tzflag >= 100:
        t = t.replace(tzinfo=dt.timezone(dt.timedelta(minutes=(tzflag - 100) * 15)))
    return t


def ogr_field_value(feat, i: int, fdefn):
    """A feature's field as the Python value its GeoJSON encoding should have."""
    if not feat.IsFieldSetAndNotNull(i):
        return None
    t = fdefn.GetType()
    if t in (ogr.OFTInteger, ogr.OFTInteger64):
        if fdefn.GetSubType() == ogr.OFSTBoolean:
            return bool(feat.GetFieldAsInteger(i))
        return feat.GetFieldAsInteger64(i)
    if t == ogr.OFTReal:
        return feat.GetFieldAsDouble(i)
    if t == ogr.OFTDate:
        y, m, d = feat.GetFieldAsDateTime(i)[:3]
        return f"{y:04d}-{m:02d}-{d:02d}"
    if t == ogr.OFTDateTime:
        return _tz_datetime(feat.GetFieldAsDateTime(i)).isoformat()
    if t == ogr.OFTTime:
        return feat.GetFieldAsString(i)
    if t in (ogr.OFTIntegerList, ogr.OFTInteger64List):
        return list(feat.GetFieldAsIntegerList(i))
    if t == ogr.OFTRealList:
        return list(feat.GetFieldAsDoubleList(i))
    if t == ogr.OFTStringList:
        return list(feat.GetFieldAsStringList(i))
    return feat.GetFieldAsString(i)


@dataclass
class SrcFeature:
    fid: int
    props: dict
    geom_native: dict  # GeoJSON geometry dict in EPSG:2154 (x=easting, y=northing)


def feature_props(feat) -> dict:
    d = feat.GetDefnRef()
    return {d.GetFieldDefn(i).GetName(): ogr_field_value(feat, i, d.GetFieldDefn(i))
            for i in range(d.GetFieldCount())}


def ogr_geom_to_geojson(g) -> dict | None:
    if g is None:
        return None
    return json.loads(g.ExportToJson(options=["COORDINATE_PRECISION=12"]))


@functools.lru_cache(maxsize=None)
def source_features(layer_id: str) -> tuple[SrcFeature, ...]:
    lyr = source_layer(layer_id)
    out = []
    for f in lyr:
        out.append(SrcFeature(f.GetFID(), feature_props(f), ogr_geom_to_geojson(f.GetGeometryRef())))
    lyr.ResetReading()
    return tuple(out)


@functools.lru_cache(maxsize=None)
def source_by_fid(layer_id: str) -> dict[int, SrcFeature]:
    return {f.fid: f for f in source_features(layer_id)}


@functools.lru_cache(maxsize=None)
def source_ogr_geoms(layer_id: str) -> tuple:
    """(fid, ogr.Geometry in EPSG:2154, envelope (minx, maxx, miny, maxy)) of every source feature."""
    out = []
    for f in source_features(layer_id):
        g = ogr.CreateGeometryFromJson(json.dumps(f.geom_native))
        out.append((f.fid, g, g.GetEnvelope()))
    return tuple(out)


def source_geometry_type(layer_id: str) -> str:
    """GeoJSON type name of the layer's declared geometry type."""
    gt = ogr.GT_Flatten(source_layer(layer_id).GetGeomType())
    return {
        ogr.wkbPoint: "Point", ogr.wkbLineString: "LineString", ogr.wkbPolygon: "Polygon",
        ogr.wkbMultiPoint: "MultiPoint", ogr.wkbMultiLineString: "MultiLineString",
        ogr.wkbMultiPolygon: "MultiPolygon",
    }[gt]


def source_sql_fids(layer_id: str, where: str) -> set[int]:
    """ids of the source rows matching an SQL WHERE clause, evaluated by the source database."""
    lay = LAYERS[layer_id]
    ds = source_dataset(layer_id)
    sql = f'SELECT "id" AS the_id FROM "{lay.table}" WHERE {where}'
    res = ds.ExecuteSQL(sql)
    try:
        idx = res.GetLayerDefn().GetFieldIndex("the_id")
        # SQLite reports an INTEGER PRIMARY KEY, even renamed, as the FID of the result
        return {f.GetFieldAsInteger64(idx) if idx >= 0 else f.GetFID() for f in res}
    finally:
        ds.ReleaseResultSet(res)


# ---------------------------------------------------------------- CRS

def srs(code) -> osr.SpatialReference:
    s = osr.SpatialReference()
    if code == "CRS84":
        s.SetFromUserInput("OGC:CRS84")
    else:
        s.ImportFromEPSG(int(code))
    return s


@functools.lru_cache(maxsize=None)
def transformer(src, dst, traditional=True) -> osr.CoordinateTransformation:
    """Coordinate transformation; traditional=True -> x=lon/easting, y=lat/northing."""
    a, b = srs(src), srs(dst)
    if traditional:
        a.SetAxisMappingStrategy(osr.OAMS_TRADITIONAL_GIS_ORDER)
        b.SetAxisMappingStrategy(osr.OAMS_TRADITIONAL_GIS_ORDER)
    else:
        a.SetAxisMappingStrategy(osr.OAMS_AUTHORITY_COMPLIANT)
        b.SetAxisMappingStrategy(osr.OAMS_AUTHORITY_COMPLIANT)
    return osr.CoordinateTransformation(a, b)


def transform_geojson(geom: dict, src, dst, traditional=True) -> dict:
    g = ogr.CreateGeometryFromJson(json.dumps(geom))
    g.Transform(transformer(src, dst, traditional))
    return ogr_geom_to_geojson(g)


def transform_point(x, y, src, dst, traditional=True):
    p = transformer(src, dst, traditional).TransformPoint(x, y)
    return p[0], p[1]


def swap_xy(geom: dict) -> dict:
    def sw(c):
        if isinstance(c[0], (int, float)):
            return [c[1], c[0]] + list(c[2:])
        return [sw(x) for x in c]
    return {"type": geom["type"], "coordinates": sw(geom["coordinates"])}


@functools.lru_cache(maxsize=None)
def source_geoms_crs84(layer_id: str) -> tuple:
    """(fid, props, CRS84 GeoJSON geometry) of every source feature, transformed with PROJ."""
    return tuple((f.fid, f.props, transform_geojson(f.geom_native, NATIVE_EPSG, 4326))
                 for f in source_features(layer_id))


# ---------------------------------------------------------------- comparisons

_DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_DATETIME_RE = re.compile(r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}")


def _norm_datetime(s: str) -> str:
    t = dt.datetime.fromisoformat(s.replace("Z", "+00:00").replace(" ", "T"))
    if t.tzinfo is not None:
        t = t.astimezone(dt.timezone.utc).replace(tzinfo=None)
    return t.isoformat()


def values_equal(a, b) -> bool:
    if a is None or b is None:
        return a is None and b is None
    if isinstance(a, bool) or isinstance(b, bool):
        return bool(a) == bool(b) and type(a) in (bool, int) and type(b) in (bool, int)
    if isinstance(a, (int, float)) and isinstance(b, (int, float)):
        return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-9)
    if isinstance(a, str) and isinstance(b, str):
        if a == b:
            return True
        if _DATETIME_RE.match(a) and _DATETIME_RE.match(b):
            try:
                return _norm_datetime(a) == _norm_datetime(b)
            except ValueError:
                return False
        return False
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(values_equal(x, y) for x, y in zip(a, b))
    return a == b


def canon_value(v):
    """A hashable canonical form (for multisets)."""
    if v is None:
        return None
    if isinstance(v, bool):
        return ("n", float(v))
    if isinstance(v, (int, float)):
        return ("n", round(float(v), 6))
    if isinstance(v, str):
        if _DATETIME_RE.match(v):
            try:
                return ("s", _norm_datetime(v))
            except ValueError:
                pass
        return ("s", v)
    if isinstance(v, list):
        return ("l", tuple(canon_value(x) for x in v))
    return ("o", json.dumps(v, sort_keys=True))


def canon_props(props: dict, names) -> tuple:
    return tuple((n, canon_value(props.get(n))) for n in sorted(names))


def props_mismatches(server_props: dict, src_props: dict) -> list[str]:
    out = []
    for k, v in src_props.items():
        if k not in server_props:
            out.append(f"missing property {k!r}")
        elif not values_equal(server_props[k], v):
            out.append(f"{k}: server {server_props[k]!r} != source {v!r}")
    return out


def _rings(geom: dict):
    """Normalise a GeoJSON geometry to a list of parts, each a list of coordinate sequences."""
    t, c = geom["type"], geom["coordinates"]
    if t == "Point":
        return [[[c]]]
    if t in ("LineString", "MultiPoint"):
        return [[c]]
    if t in ("Polygon", "MultiLineString"):
        return [c]
    if t == "MultiPolygon":
        return c
    raise AssertionError(f"unsupported geometry type {t}")


def _seq_diff(a, b) -> float:
    if len(a) != len(b):
        return math.inf
    return max((max(abs(p[0] - q[0]), abs(p[1] - q[1])) for p, q in zip(a, b)), default=0.0)


def geometry_max_diff(a: dict | None, b: dict | None) -> float:
    """Largest coordinate difference between two GeoJSON geometries of the same structure.
    Ring orientation may differ (RFC 7946 asks for counter-clockwise exteriors): each
    coordinate sequence is compared as is and reversed. inf if the structures differ."""
    if a is None or b is None:
        return 0.0 if a is None and b is None else math.inf
    if a.get("type") != b.get("type"):
        return math.inf
    pa, pb = _rings(a), _rings(b)
    if len(pa) != len(pb):
        return math.inf
    worst = 0.0
    for ra, rb in zip(pa, pb):
        if len(ra) != len(rb):
            return math.inf
        for sa, sb in zip(ra, rb):
            d = min(_seq_diff(sa, sb), _seq_diff(sa, list(reversed(sb))))
            worst = max(worst, d)
            if worst == math.inf:
                return worst
    return worst


def geometry_bbox(geom: dict):
    xs, ys = [], []

    def walk(c):
        if isinstance(c[0], (int, float)):
            xs.append(c[0])
            ys.append(c[1])
        else:
            for x in c:
                walk(x)
    walk(geom["coordinates"])
    return min(xs), min(ys), max(xs), max(ys)


def multiset_diff(a: Counter, b: Counter, limit=5) -> str:
    extra = list((a - b).items())[:limit]
    missing = list((b - a).items())[:limit]
    return f"extra (server only): {extra}; missing (source only): {missing}"


# ---------------------------------------------------------------- XML schemas
SCHEMAS = (ROOT.parent / "shared" / "ogc-schemas").resolve()


def validate_xml(data: bytes, schema: Path, tmp_path: Path, name: str = "document.xml") -> None:
    """xmllint --schema against the offline OGC schemas (their catalog resolves the imports);
    `schema` is a file of the schema folder or a wrapper written by the test."""
    if not schema.is_file():
        pytest.fail(f"{schema} not found (the OGC schema folder is part of the test setup)", pytrace=False)
    doc = tmp_path / name
    doc.write_bytes(data)
    env = dict(os.environ, XML_CATALOG_FILES=str(SCHEMAS / "catalog.xml"))
    p = subprocess.run(["xmllint", "--nonet", "--catalogs", "--noout", "--schema", str(schema), str(doc)],
                       capture_output=True, text=True, env=env, timeout=120)
    assert p.returncode == 0, p.stderr[-3000:]


def decode_image(data: bytes):
    """An image answered by the server, decoded by GDAL into memory (fails on an XML answer)."""
    import uuid
    from osgeo import gdal
    assert data[:1] != b"<", f"XML instead of an image: {data[:400]!r}"
    name = f"/vsimem/image-{uuid.uuid4().hex}"
    gdal.FileFromMemBuffer(name, data)
    try:
        return gdal.Translate("", gdal.Open(name), format="MEM")
    finally:
        gdal.Unlink(name)


def varies(ds) -> bool:
    """Whether the colour bands show something (not one flat colour)."""
    for i in range(1, min(ds.RasterCount, 3) + 1):
        mn, mx = ds.GetRasterBand(i).ComputeRasterMinMax(False)
        if mx > mn:
            return True
    return False


def centre(box: tuple[float, float, float, float], fraction: float = 0.2) -> tuple[float, float, float, float]:
    """The middle `fraction` of a box (easting first)."""
    minx, miny, maxx, maxy = box
    cx, cy, hw, hh = (minx + maxx) / 2, (miny + maxy) / 2, (maxx - minx) * fraction / 2, (maxy - miny) * fraction / 2
    return (cx - hw, cy - hh, cx + hw, cy + hh)


def gdal_wms_map(wms_url: str, version: str, layer: str, crs: str, box: tuple[float, float, float, float], size: int):
    """`layer` drawn over `box` (easting first) through GDAL's WMS driver, `size` pixels square.
    The connection string is a GetMap URL, whose 1.3.0 box follows the CRS's axis order; GDAL's
    dataset is easting first whatever the request order, which is checked."""
    from osgeo import gdal
    minx, miny, maxx, maxy = box
    lat_first = version == "1.3.0" and crs in ("EPSG:4326", "EPSG:4258")
    bbox = (miny, minx, maxy, maxx) if lat_first else box
    crs_key = "CRS" if version == "1.3.0" else "SRS"
    url = (f"WMS:{wms_url}?SERVICE=WMS&VERSION={version}&REQUEST=GetMap&LAYERS={layer}&STYLES=&{crs_key}={crs}"
           f"&BBOX={','.join(map(repr, bbox))}&FORMAT=image/png&TRANSPARENT=FALSE")
    src = gdal.Open(url)
    assert src is not None, url
    gt = src.GetGeoTransform()
    assert abs(gt[0] - minx) < (maxx - minx) * 1e-6, (layer, crs, gt, minx)
    return gdal.Translate("", src, format="MEM", width=size, height=size)

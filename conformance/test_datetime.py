"""OGC API - Features Part 1: the datetime parameter on a collection with a date property.

Expected results come from SQL run by the source database itself (GeoPackage via OGR's SQLite
dialect, PostGIS via the PG driver) on the layer's temporal column.
"""
from collections import Counter

import pytest
from osgeo import ogr

import support as s


def _most_common_date(cid):
    col = s.LAYERS[cid].temporal
    return Counter(f.props[col] for f in s.source_features(cid) if f.props[col]).most_common(1)[0][0]


def _cases(cid):
    col = s.LAYERS[cid].temporal
    day = _most_common_date(cid)
    return [
        # (datetime parameter, SQL condition on the date column)
        (day, f"{col} = '{day}'"),
        ("2021-01-01/2021-06-30", f"{col} >= '2021-01-01' AND {col} <= '2021-06-30'"),
        ("../2016-12-31", f"{col} <= '2016-12-31'"),
        ("2022-06-01/..", f"{col} >= '2022-06-01'"),
        ("2021-01-01T00:00:00Z/2021-06-30T23:59:59Z", f"{col} >= '2021-01-01' AND {col} <= '2021-06-30'"),
        ("1990-01-01/1990-12-31", "1 = 0"),
    ]


@pytest.mark.parametrize("cid", s.TEMPORAL_LAYER_IDS)
def test_datetime_filters(cid, client):
    assert s.LAYERS[cid].temporal, cid
    nonempty = 0
    for param, where in _cases(cid):
        expected = s.source_sql_fids(cid, where)
        walk = s.walk_items(client, cid, {"datetime": param, "limit": 1000})
        got = [int(f["id"]) for f in walk.features]
        assert len(got) == len(set(got)), f"{cid} datetime={param}: duplicates"
        assert set(got) == expected, (
            f"{cid} datetime={param}: {len(got)} features, expected {len(expected)}; "
            f"extra {sorted(set(got) - expected)[:10]}, missing {sorted(expected - set(got))[:10]}")
        assert walk.pages[0].get("numberMatched") == len(expected), (
            f"{cid} datetime={param}: numberMatched {walk.pages[0].get('numberMatched')} != {len(expected)}")
        if walk.pages[0]["links"] and len(walk.pages) > 1:
            assert "datetime" in s.next_link(walk.pages[0])["href"], "next link lost the datetime parameter"
        nonempty += bool(expected)
    assert nonempty >= 4, "test data gives too few non-empty datetime cases"


@pytest.mark.parametrize("cid", s.TEMPORAL_LAYER_IDS)
def test_datetime_and_bbox_combined(cid, client):
    col = s.LAYERS[cid].temporal
    xs, ys = [], []
    for f in s.source_features(cid):
        b = s.geometry_bbox(f.geom_native)
        xs += [b[0], b[2]]
        ys += [b[1], b[3]]
    x0, y0 = min(xs), min(ys)
    x1, y1 = (x0 + max(xs)) / 2, (y0 + max(ys)) / 2  # south-west quarter
    box = ogr.CreateGeometryFromWkt(f"POLYGON(({x0} {y0},{x1} {y0},{x1} {y1},{x0} {y1},{x0} {y0}))")
    in_time = s.source_sql_fids(cid, f"{col} >= '2021-01-01' AND {col} <= '2021-06-30'")
    inner, outer = box.Buffer(-1), box.Buffer(1)  # 1 m tolerance at the box edges
    certain = {fid for fid, g, _ in s.source_ogr_geoms(cid) if fid in in_time and g.Intersects(inner)}
    possible = {fid for fid, g, _ in s.source_ogr_geoms(cid) if fid in in_time and g.Intersects(outer)}
    walk = s.walk_items(client, cid, {"datetime": "2021-01-01/2021-06-30", "bbox": f"{x0},{y0},{x1},{y1}",
                                      "bbox-crs": s.epsg_uri(2154), "limit": 1000})
    got = {int(f["id"]) for f in walk.features}
    assert certain <= got <= possible, f"missing {sorted(certain - got)[:10]}, extra {sorted(got - possible)[:10]}"
    assert certain


def test_datetime_on_non_temporal_collection_is_accepted(client):
    # communes has no temporal property: the parameter is valid, not an error
    r = client.get("/collections/communes/items", params={"datetime": "2021-01-01/2021-06-30", "limit": 1})
    assert r.status_code == 200, r.text[:300]


@pytest.mark.parametrize("cid", ["ocs2d"])
def test_datetime_property_values(cid, client):
    """The date property itself is encoded as an RFC 3339 full-date string."""
    col = s.LAYERS[cid].temporal
    doc = client.get_json(f"/collections/{cid}/items", params={"limit": 20})
    src = s.source_by_fid(cid)
    for f in doc["features"]:
        assert f["properties"][col] == src[int(f["id"])].props[col]

#!/bin/bash
# make-demo.sh — rebuild demo/demo.gpkg, Ossature's demo dataset (a few MB, committed).
#
# Usage:  demo/make-demo.sh [SHARED_DIR]          (or OSSATURE_SHARED=SHARED_DIR demo/make-demo.sh)
#   SHARED_DIR  the shared folder holding bench-data/ (default: ../shared relative to the repo root)
#   env BENCH_DATA_CACHE  where the bench generator writes hdf.gpkg (default: /tmp/ossature-bench-cache;
#                         SHARED_DIR/bench-data/.cache/hdf.gpkg is used directly when it already exists)
#   env DEMO_TOLERANCE    simplification tolerance in metres (default 50)
#
# What it does:
#   1. runs SHARED_DIR/bench-data/generate --no-postgis --no-ortho (≈ 40 s, skipped when hdf.gpkg
#      exists) to get hdf.gpkg: real communes of Hauts-de-France + synthetic epci, scot, ocs2d;
#   2. runs demo/make_demo.py (Debian's /usr/bin/python3 with python3-gdal) which writes
#      demo/demo.gpkg, all layers EPSG:2154, FID `id`, geometry `geom`, R-tree index:
#        communes (3,808, MultiPolygon)  coverage-simplified (shared borders stay shared), all valid
#        epci (93), scot (39)            dissolves of the simplified communes, generator attributes
#        ocs2d (≈ 4,150, Polygon)        3.5 km x 3.5 km window west of Lille + DATE field date_maj
#   3. checks the result (counts, CRS, validity).
#   Deterministic: a rerun gives the same features (and, with the same GDAL, the same bytes).
#
# Data licence: commune shapes, codes and names are real — Licence Ouverte / Open Licence (Etalab),
#   attribution "IGN, INSEE — Admin Express COG 2018, via france-geojson"
#   (github.com/gregoiredavid/france-geojson). The epci, scot groupings and the ocs2d land cover
#   (and date_maj) are synthetic, made by the bench-data generator / this script: demo use only.
#
# Needs: gdal-bin python3-gdal python3-numpy (Debian 12, GDAL 3.6).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/.." && pwd)"
shared="${1:-${OSSATURE_SHARED:-$repo/../shared}}"
bench="$shared/bench-data"
py=/usr/bin/python3
out="$here/demo.gpkg"

[ -x "$bench/generate" ] || { echo "make-demo: no generator at $bench/generate (pass the shared folder as argument)" >&2; exit 1; }
"$py" -c 'from osgeo import ogr' 2>/dev/null || { echo "make-demo: $py lacks osgeo (apt-get install python3-gdal)" >&2; exit 1; }

if [ -f "$bench/.cache/hdf.gpkg" ] && [ -z "${BENCH_DATA_CACHE:-}" ]; then
  src="$bench/.cache/hdf.gpkg"
else
  cache="${BENCH_DATA_CACHE:-/tmp/ossature-bench-cache}"
  echo "make-demo: generating the bench data into $cache (skipped if already there)" >&2
  "$bench/generate" --no-postgis --no-ortho --cache "$cache" >&2
  src="$cache/hdf.gpkg"
fi

"$py" "$here/make_demo.py" --src "$src" --out "$out" --tolerance "${DEMO_TOLERANCE:-50}"
"$py" "$here/make_signalements.py" "$out"

# checks
fail=0
check() {  # layer expected-count
  local info n
  info="$(ogrinfo -ro -so "$out" "$1")"
  n="$(sed -n 's/^Feature Count: //p' <<<"$info")"
  grep -q 'ID\["EPSG",2154\]' <<<"$info" || { echo "make-demo: $1 is not EPSG:2154" >&2; fail=1; }
  if [ -n "$2" ] && [ "$n" != "$2" ]; then echo "make-demo: $1 has $n features, expected $2" >&2; fail=1; fi
  local bad
  bad="$(ogrinfo -ro -q -dialect sqlite -sql "SELECT count(*) AS n FROM \"$1\" WHERE geom IS NULL OR NOT ST_IsValid(geom)" "$out" \
        | sed -n 's/.*n (Integer) = //p')"
  [ "$bad" = 0 ] || { echo "make-demo: $1 has $bad invalid geometries" >&2; fail=1; }
  echo "  $1: $n features, ${bad} invalid" >&2
}
check communes 3808
check epci 93
check scot 39
check ocs2d ""
check signalements 12
[ "$fail" = 0 ] || exit 1
echo "make-demo: $out ($(du -k "$out" | cut -f1) KB) ok" >&2

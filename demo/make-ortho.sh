#!/bin/bash
# make-ortho.sh — rebuild demo/ortho/, the demo orthophoto (a few MB of COG, committed).
#
# Usage:  demo/make-ortho.sh [SHARED_DIR]       (or OSSATURE_SHARED=SHARED_DIR demo/make-ortho.sh)
#   SHARED_DIR  the shared folder holding bench-data/ (default: ../shared relative to the repo root)
#   env BENCH_DATA_CACHE  where the bench generator writes its rasters (default:
#                         SHARED_DIR/bench-data/.cache when it holds ortho_3950.tif, else
#                         /tmp/ossature-bench-cache)
#
# What it does:
#   1. runs SHARED_DIR/bench-data/generate --no-postgis (skipped when ortho_3950.tif exists) to
#      get the synthetic PCRS-like orthophoto ortho_3950.tif (5 cm/px, EPSG:3950 CC50, central Lille);
#   2. cuts 2 x 2 neighbouring squares of 2048 x 2048 px (102.4 m) out of it, each a JPEG COG
#      (YCbCr, quality 85, 512-px blocks, averaged overviews), the way PCRS imagery is delivered:
#      one file per square, read by Ossature as one mosaic layer. 2048 px is a whole number of
#      blocks, so the files' blocks line up across the mosaic (pass-through works everywhere).
#   Deterministic: the source is seeded, and the same GDAL gives the same bytes.
#
# Needs: gdal-bin python3-gdal python3-numpy (Debian 12, GDAL 3.6).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/.." && pwd)"
shared="${1:-${OSSATURE_SHARED:-$repo/../shared}}"
cache="${BENCH_DATA_CACHE:-}"
if [ -z "$cache" ]; then
    if [ -f "$shared/bench-data/.cache/ortho_3950.tif" ]; then cache="$shared/bench-data/.cache"; else cache=/tmp/ossature-bench-cache; fi
fi
src="$cache/ortho_3950.tif"
if [ ! -f "$src" ]; then
    "$shared/bench-data/generate" --no-postgis --cache "$cache"
fi

out="$here/ortho"
rm -rf "$out"
mkdir -p "$out"
# Top-left corner of the 2 x 2 squares, inside the source's 1704000-1705000 x 9270000-9271000.
x0=1704400
y0=9270600
size=102.4
for row in 0 1; do
    for col in 0 1; do
        ulx=$(python3 -c "print($x0 + $col * $size)")
        uly=$(python3 -c "print($y0 - $row * $size)")
        lrx=$(python3 -c "print($x0 + ($col + 1) * $size)")
        lry=$(python3 -c "print($y0 - ($row + 1) * $size)")
        gdal_translate -q -projwin "$ulx" "$uly" "$lrx" "$lry" -of COG \
            -co BLOCKSIZE=512 -co COMPRESS=JPEG -co QUALITY=85 -co OVERVIEW_RESAMPLING=AVERAGE \
            "$src" "$out/ortho_cc50_${row}_${col}.tif"
    done
done
for f in "$out"/*.tif; do
    size_px=$(gdalinfo "$f" | sed -n 's/^Size is //p')
    [ "$size_px" = "2048, 2048" ] || { echo "$f: unexpected size $size_px" >&2; exit 1; }
done
du -sh "$out"

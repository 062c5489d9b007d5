#!/bin/bash
# Vector tile load benchmark (the shared kit's `mvt` workload: random tiles z10-z16 over the OCS2D area,
# layers ocs2d from z12 + communes, from the bench PostGIS): Ossature's dataset tiles
#   /tiles/WebMercatorQuad/{z}/{y}/{x}?collections=ocs2d,communes
# with the tile cache off (every tile encoded by the server from the rows of one query per layer, or with
# MVT_ENCODER=database one ST_AsMVT statement) vs MapServer (WMS GetMap FORMAT=mvt on the tile bbox) and
# Martin (if installed), then with the cache on (every tile of the list cached) vs the kit's nginx-static
# serving the same gzipped tiles from files; the cached run sends `Accept-Encoding: gzip`.
#   [MVT_ENCODER=database] benches/mvt.sh [-d SECS] [-c CONC] [other benches/run options]   (defaults: -d 10 -c 2)
# Starts Ossature itself on $OSSATURE_PORT (default 18081) with benches/ossature-mvt.toml, then with a copy
# where [tile_cache] memory_mb = 0; starts the peers mapserver, martin and nginx-static (they stay up:
# ../shared/bench/peers.sh stop mapserver martin nginx-static). The static tiles are written to
# $BENCH_CACHE/tiles/ossature-mvt (benches/mvt_static.py).
set -euo pipefail; . "$(dirname "$0")/common.sh"

MARTIN_BIN="${MARTIN_BIN:-$OSSATURE_BENCH_HOME/martin/bin/martin}"
PORT_MARTIN=18003
MS="http://127.0.0.1:$PORT_MAPSERVER/mapserv?map=BENCH"
TILE="$OSSATURE_URL/tiles/WebMercatorQuad/{z}/{y}/{x}?collections=ocs2d,communes"
HOT_CONFIG="$OSSATURE_RUN/ossature-mvt-hot.toml"
COLD_CONFIG="$OSSATURE_RUN/ossature-mvt-cold.toml"

require_free_port "its own configs"
need_binary
START=(mapserver nginx-static)
if [ -x "$MARTIN_BIN" ]; then START+=(martin); else echo "# martin not installed ($MARTIN_BIN): compared with MapServer only" >&2; fi
"$PEERS_KIT/peers.sh" start "${START[@]}" >&2 || { echo "could not start peers (${START[*]})" >&2; exit 1; }

mkdir -p "$OSSATURE_RUN"
case "${MVT_ENCODER:-server}" in
  server) cp "$BENCHES_DIR/ossature-mvt.toml" "$HOT_CONFIG" ;;
  database) sed -E 's/^pool_size = ([0-9]+)/pool_size = \1\nmvt_encoder = "database"/' "$BENCHES_DIR/ossature-mvt.toml" > "$HOT_CONFIG"
            grep -q '^mvt_encoder = "database"' "$HOT_CONFIG" || { echo "could not set mvt_encoder in $HOT_CONFIG" >&2; exit 1; } ;;
  *) echo "MVT_ENCODER must be server or database" >&2; exit 2 ;;
esac
sed -E 's/^memory_mb *= *[0-9]+/memory_mb = 0/' "$HOT_CONFIG" > "$COLD_CONFIG"
grep -q '^memory_mb = 0' "$COLD_CONFIG" || { echo "could not make the cold config from $HOT_CONFIG" >&2; exit 1; }
cleanup() { [ "${KEEP:-0}" = 1 ] || stop_ossature; }
trap cleanup EXIT

peers=("mapserver-wms-mvt=$MS&SERVICE=WMS&VERSION=1.3.0&REQUEST=GetMap&LAYERS=ocs2d,communes&STYLES=&CRS=EPSG:3857&BBOX={tile_bbox}&WIDTH=256&HEIGHT=256&FORMAT=mvt")
[[ " ${START[*]} " == *" martin "* ]] && peers+=("martin=http://127.0.0.1:$PORT_MARTIN/ocs2d,communes/{z}/{x}/{y}")

echo "## mvt, tile cache off"
OSSATURE_CONFIG="$COLD_CONFIG"; start_ossature; wait_http "$OSSATURE_URL/tiles" 60
"$BENCHES_DIR/run" mvt "ossature-cold=$TILE" "${peers[@]}" "$@"
stop_ossature

echo "## mvt, tile cache on (primed), gzip accepted, vs nginx serving the same tiles from files"
OSSATURE_CONFIG="$HOT_CONFIG"; start_ossature; wait_http "$OSSATURE_URL/tiles" 60
python3 "$BENCHES_DIR/mvt_static.py" "$PEERS_KIT/bench.py" ossature-mvt "$TILE"
"$BENCHES_DIR/run" mvt "ossature-cached=$TILE" "nginx-static=http://127.0.0.1:18001/tiles/ossature-mvt/{z}/{x}/{y}.pbf" \
    --prime --header "Accept-Encoding: gzip" "$@"

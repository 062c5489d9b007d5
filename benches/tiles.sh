#!/bin/bash
# Imagery tile load benchmark: Ossature's OGC API map tiles vs nginx (static files), MapServer (WMS GetMap
# on the tile bbox) and Martin (COG pass-through), on the shared bench orthophotos.
#   benches/tiles.sh [-d SECS] [-c CONC] [other benches/run options]      (defaults: -d 10 -c 2)
#   WORKLOADS="cached-tile cog-tile cog-tile-512 wms-getmap-ortho" (default: all four)
# Workloads of the shared bench.py (Ossature runs first, so the printed ratios are Ossature / peer):
#   cached-tile   200 hot tiles z15-z20, --prime: Ossature's memory tile cache vs nginx serving files.
#                 Ossature: /collections/ortho3950/map/tiles/WebMercatorQuad/{z}/{y}/{x}?f=jpg
#   cog-tile      random 256-px WebMercatorQuad JPEG tiles z14-z21 from the CC50 COG (ortho_3950.tif),
#                 Ossature's tile cache off (memory_mb = 0): every tile is read, reprojected and encoded,
#                 like MapServer's WMS GetMap of layer `ortho` on {tile_bbox}.
#   cog-tile-512  random 512-px tiles z14-z20 from the GoogleMapsCompatible COG (ortho_3857.tif), tile cache
#                 off: Ossature's native set of that COG (its JPEG blocks passed through; bench_native.py maps
#                 each {z}/{x}/{y} to the native tile under it) and WebMercatorQuad@2x (rendered) vs Martin's
#                 COG source and MapServer's 512-px GetMap.
#   wms-getmap-ortho  JPEG GetMaps of 256/512 px in EPSG:3857 at z17-z21 resolutions from the CC50 COG: Ossature's
#                 WMS (no tile cache on this path) vs MapServer's WMS on the same COG.
# Starts Ossature itself (target/release/ossature serve <config> --bind 127.0.0.1:$OSSATURE_PORT), once with
# benches/ossature-tiles.toml (cache on) and once with a copy where [tile_cache] memory_mb = 0, and stops
# it at the end. Refuses to run if something already answers on $OSSATURE_PORT (it must choose the config).
# Starts the peers nginx-static, mapserver and (if installed) martin; they stay up
# (../shared/bench/peers.sh stop nginx-static mapserver martin). Martin absent => its rows are skipped.
# Env: PEERS="nginx-static mapserver martin" (subset to compare with), WORKLOADS, OSSATURE_PORT (default 18081).
set -euo pipefail; . "$(dirname "$0")/common.sh"

PEERS="${PEERS-nginx-static mapserver martin}"
WORKLOADS="${WORKLOADS:-cached-tile cog-tile cog-tile-512 wms-getmap-ortho}"
MARTIN_BIN="${MARTIN_BIN:-$OSSATURE_BENCH_HOME/martin/bin/martin}"
PORT_NGINX_STATIC=18001 PORT_MARTIN=18003
MS="http://127.0.0.1:$PORT_MAPSERVER/mapserv?map=BENCH"
OSS="$OSSATURE_URL/collections"
HOT_CONFIG="$BENCHES_DIR/ossature-tiles.toml"
COLD_CONFIG="$OSSATURE_RUN/ossature-tiles-cold.toml"

for f in ortho_3950.tif ortho_3857.tif; do
  [ -f "$BENCH_CACHE/$f" ] || { echo "$BENCH_CACHE/$f missing: generate the orthophotos (../shared/bench-data/generate, without --no-ortho)" >&2; exit 1; }
done
require_free_port "its own configs"
need_binary
[ -x "$PEERS_KIT/peers.sh" ] || { echo "shared kit not found at $PEERS_KIT (set OSSATURE_SHARED)" >&2; exit 1; }

# which peers can run
START=()
for p in $PEERS; do
  case "$p" in
    martin)
      if [ -x "$MARTIN_BIN" ]; then START+=(martin)
      else echo "# martin not installed ($MARTIN_BIN): cog-tile-512 runs without it (install: ../shared/bench/martin/install.sh)" >&2
        PEERS=$(echo " $PEERS " | sed 's/ martin / /'); fi ;;
    nginx-static|mapserver) START+=("$p") ;;
    *) echo "unknown peer $p (known: nginx-static mapserver martin)" >&2; exit 2 ;;
  esac
done
has_peer() { [[ " $PEERS " == *" $1 "* ]]; }
if [ ${#START[@]} -gt 0 ] && ! "$PEERS_KIT/peers.sh" start "${START[@]}" >&2; then
  echo "could not start peers (${START[*]}): set them up first (benches/setup-peers.sh, ../shared/bench/setup.sh)" >&2; exit 1
fi

mkdir -p "$OSSATURE_RUN"
sed -E 's/^memory_mb *= *[0-9]+/memory_mb = 0/' "$HOT_CONFIG" > "$COLD_CONFIG"
grep -q '^memory_mb = 0' "$COLD_CONFIG" || { echo "could not make the cold config from $HOT_CONFIG" >&2; exit 1; }

CURRENT=
# Peak memory of the running Ossature against its configured caches (memory tiles + decoded blocks):
# the issue bounds it by the cache sizes plus a bounded working set.
report_memory() {
  [ -n "$STARTED_PID" ] && [ -n "$CURRENT" ] || return 0
  local hwm caches
  hwm=$(awk '/VmHWM/ {print int($2 / 1024)}' "/proc/$STARTED_PID/status" 2>/dev/null || echo "?")
  caches=$(awk -F= '/^(memory_mb|blocks_mb)/ {gsub(/ /, "", $2); s += $2} END {print s}' "$CURRENT")
  echo "# ossature peak RSS with $(basename "$CURRENT"): ${hwm} MB (configured caches: ${caches} MB)" | tee -a "$out"
}
use_config() {   # (re)start Ossature with config $1 unless it already runs with it
  [ "$CURRENT" = "$1" ] && return 0
  report_memory
  stop_ossature
  OSSATURE_CONFIG="$1"; start_ossature; CURRENT="$1"
  wait_http "$OSS/ortho3950/map/tiles" 60
}
cleanup() { report_memory; rm -f "${out:-}"; [ "${KEEP:-0}" = 1 ] || stop_ossature; }
out=$(mktemp); trap cleanup EXIT

# The native set of ortho_3857.tif, derived by Ossature from the COG (its 512-px blocks; levels 0-6 =
# the resolutions of WebMercatorQuad z14-z20 at 512 px, origin at the image corner, half a tile east of the
# WebMercatorQuad grid). bench_native.py adds {nz} {nrow} {ncol}: the native tile under each {z}/{x}/{y}.
NATIVE_512="${NATIVE_512:-ortho3857-native}"

for w in $WORKLOADS; do
  targets=()
  extra=()
  case "$w" in
    cached-tile)
      use_config "$HOT_CONFIG"
      targets+=("ossature=$OSS/ortho3950/map/tiles/WebMercatorQuad/{z}/{y}/{x}?f=jpg")
      has_peer nginx-static && targets+=("nginx-static=http://127.0.0.1:$PORT_NGINX_STATIC/tiles/ortho/{z}/{x}/{y}.jpg")
      extra+=(--prime) ;;
    cog-tile)
      use_config "$COLD_CONFIG"
      targets+=("ossature-cold=$OSS/ortho3950/map/tiles/WebMercatorQuad/{z}/{y}/{x}?f=jpg")
      has_peer mapserver && targets+=("mapserver-wms-tile=$MS&SERVICE=WMS&VERSION=1.3.0&REQUEST=GetMap&LAYERS=ortho&STYLES=&CRS=EPSG:3857&BBOX={tile_bbox}&WIDTH=256&HEIGHT=256&FORMAT=image/jpeg")
      # Every target fetches the list once first: the tiles are still rendered on each request (no
      # tile cache on either side), but the decoded source blocks are warm on both, as MapServer's
      # long-lived FastCGI processes keep GDAL's block cache from earlier runs while Ossature was
      # just restarted with this config.
      extra+=(--prime) ;;
    cog-tile-512)
      use_config "$COLD_CONFIG"
      targets+=("ossature-native-512=$OSS/ortho3857/map/tiles/$NATIVE_512/{nz}/{nrow}/{ncol}?f=jpg")
      targets+=("ossature-whole-blocks=$OSS/ortho3857/map/tiles/$NATIVE_512/{bz}/{brow}/{bcol}?f=jpg")
      targets+=("ossature-wmq2x-512=$OSS/ortho3857/map/tiles/WebMercatorQuad@2x/{z}/{y}/{x}?f=jpg")
      has_peer martin && targets+=("martin-cog-3857=http://127.0.0.1:$PORT_MARTIN/ortho_3857/{z}/{x}/{y}")
      has_peer mapserver && targets+=("mapserver-wms-512=$MS&SERVICE=WMS&VERSION=1.3.0&REQUEST=GetMap&LAYERS=ortho&STYLES=&CRS=EPSG:3857&BBOX={tile_bbox}&WIDTH=512&HEIGHT=512&FORMAT=image/jpeg")
      extra+=(--prime) ;;
    wms-getmap-ortho)
      use_config "$COLD_CONFIG"
      targets+=("ossature-wms=$OSSATURE_URL/wms?SERVICE=WMS&VERSION=1.3.0&REQUEST=GetMap&LAYERS=ortho3950&STYLES=&CRS=EPSG:3857&BBOX={bbox}&WIDTH={width}&HEIGHT={height}&FORMAT=image/jpeg")
      has_peer mapserver && targets+=("mapserver-cc50=$MS&SERVICE=WMS&VERSION=1.3.0&REQUEST=GetMap&LAYERS=ortho&STYLES=&CRS=EPSG:3857&BBOX={bbox}&WIDTH={width}&HEIGHT={height}&FORMAT=image/jpeg")
      extra+=(--prime) ;;
    *) echo "unknown workload $w (known: cached-tile cog-tile cog-tile-512 wms-getmap-ortho)" >&2; exit 2 ;;
  esac
  echo "## $w" | tee -a "$out"
  if [ "$w" = cog-tile-512 ]; then
    # benches/run cannot add the native placeholders: bench.py through bench_native.py (same table, ratio
    # column = req/s / first row's; JSON rows appended to $RUN_DIR/ossature-results.jsonl)
    python3 "$BENCHES_DIR/bench_native.py" "$PEERS_KIT/bench.py" "$w" "${targets[@]}" -c 2 "${extra[@]}" "$@" \
      --json "$RUN_DIR/ossature-results.jsonl" | tee -a "$out"
  else
    "$BENCHES_DIR/run" "$w" "${targets[@]}" "${extra[@]}" "$@" | tee -a "$out"
  fi
done

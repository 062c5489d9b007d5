#!/bin/bash
# WMS vector map benchmark: Ossature's GetMap of `ocs2d,communes` (512x512 PNG, EPSG:3857, boxes of
# 0.5-8 km over the OCS2D area: the kit's `wms-getmap-vector` workload) vs MapServer's WMS on the same
# PostGIS tables, styled alike (benches/styles/*_bench.sld mirror ../shared/bench/mapserver/bench.map.in).
#   benches/wms-vector.sh [-d SECS] [-c CONC] [other benches/run options]      (defaults: -d 10 -c 2)
# Starts Ossature (OSSATURE_BIN, default target/release/ossature) with benches/ossature-wms-vector.toml on
# $OSSATURE_PORT and stops it at the end; starts the `mapserver` peer, which stays up
# (../shared/bench/peers.sh stop mapserver). Env: OSSATURE_PORT (default 18081), PEERS="mapserver" ("" for none).
set -euo pipefail; . "$(dirname "$0")/common.sh"

PEERS="${PEERS-mapserver}"
MS="http://127.0.0.1:$PORT_MAPSERVER/mapserv?map=BENCH"
OSSATURE_CONFIG="$BENCHES_DIR/ossature-wms-vector.toml"
require_free_port "its config"
need_binary
if [ -n "$PEERS" ] && ! "$PEERS_KIT/peers.sh" start $PEERS >&2; then
  echo "could not start peers ($PEERS): set them up first (benches/setup-peers.sh, ../shared/bench/setup.sh)" >&2; exit 1
fi
trap '[ "${KEEP:-0}" = 1 ] || stop_ossature' EXIT
start_ossature
targets=("ossature-wms=$OSSATURE_URL/wms?SERVICE=WMS&VERSION=1.3.0&REQUEST=GetMap&LAYERS=ocs2d,communes&STYLES=&CRS=EPSG:3857&BBOX={bbox}&WIDTH={width}&HEIGHT={height}&FORMAT=image/png")
[[ " $PEERS " == *" mapserver "* ]] && targets+=("mapserver=$MS&SERVICE=WMS&VERSION=1.3.0&REQUEST=GetMap&LAYERS=ocs2d,communes&STYLES=&CRS=EPSG:3857&BBOX={bbox}&WIDTH={width}&HEIGHT={height}&FORMAT=image/png")
echo "## wms-getmap-vector"
"$BENCHES_DIR/run" wms-getmap-vector "${targets[@]}" "$@"

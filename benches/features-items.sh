#!/bin/bash
# OGC API Features load benchmark: Ossature vs MapServer 8 vs pygeoapi on the bench dataset.
#   benches/features-items.sh [-d SECS] [-c CONC] [other benches/run options]     (defaults: -d 10 -c 2)
# Workload `features-items` of the shared bench.py: 2,000 seeded random bboxes 200 m-2 km over the OCS2D
# area (CRS84), limit=100, GeoJSON. Ossature runs first, so the printed ratios are Ossature / peer.
# Target (issue): Ossature >= 1.5x MapServer's req/s at the same concurrency; p99 reported.
# Starts Ossature (target/release/ossature serve benches/ossature-bench.toml --bind 127.0.0.1:18081) unless
# something already answers on :18081, and stops it at the end if it started it (KEEP=1 leaves it running).
# Starts the mapserver and pygeoapi peers (idempotent; they stay up: ../shared/bench/peers.sh stop ...).
# Env: PEERS="mapserver pygeoapi" (which peers to compare with; PEERS= for Ossature alone), OSSATURE_ITEMS_URL (override Ossature's template).
set -euo pipefail; . "$(dirname "$0")/common.sh"

PEERS="${PEERS-mapserver pygeoapi}"
declare -A TEMPLATE=(
  [mapserver]="http://127.0.0.1:$PORT_MAPSERVER/mapserv/BENCH/ogcapi/collections/ocs2d/items?f=json&limit={limit}&bbox={bbox_lonlat}"
  [pygeoapi]="http://127.0.0.1:$PORT_PYGEOAPI/collections/ocs2d/items?f=json&limit={limit}&bbox={bbox_lonlat}"
)
DEFAULT_ITEMS_URL="$OSSATURE_URL/collections/ocs2d/items?bbox={bbox_lonlat}&limit={limit}"
OSSATURE_ITEMS_URL="${OSSATURE_ITEMS_URL:-$DEFAULT_ITEMS_URL}"

for p in $PEERS; do [ -n "${TEMPLATE[$p]:-}" ] || { echo "unknown peer $p (known: ${!TEMPLATE[*]})" >&2; exit 2; }; done
port_answers "$OSSATURE_PORT" || need_binary      # before starting the peers
[ -x "$PEERS_KIT/peers.sh" ] || { echo "shared kit not found at $PEERS_KIT (set OSSATURE_SHARED)" >&2; exit 1; }
if [ -n "$PEERS" ]; then
  # shellcheck disable=SC2086
  if ! "$PEERS_KIT/peers.sh" start $PEERS >&2; then
    echo "could not start peers ($PEERS): set them up first with benches/setup-peers.sh" >&2; exit 1
  fi
fi

start_ossature
[ "${KEEP:-0}" = 1 ] || trap stop_ossature EXIT

targets=("ossature=$OSSATURE_ITEMS_URL")
for p in $PEERS; do targets+=("$p=${TEMPLATE[$p]}"); done
out=$(mktemp); trap 'rm -f "$out"; [ "${KEEP:-0}" = 1 ] || stop_ossature' EXIT
"$BENCHES_DIR/run" features-items "${targets[@]}" "$@" | tee "$out"

# verdict against the issue's target
if grep -q '^ossature / mapserver: ' "$out"; then
  r=$(sed -nE 's#^ossature / mapserver: ([0-9.]+)x.*#\1#p' "$out")
  if [ -n "$r" ] && python3 -c "import sys; sys.exit(0 if float('$r') >= 1.5 else 1)"; then
    echo "# target (>= 1.5x MapServer req/s): MET (${r}x)"
  else
    echo "# target (>= 1.5x MapServer req/s): NOT MET (${r:-?}x)"
  fi
fi

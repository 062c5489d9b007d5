#!/bin/bash
# What the authorization decision costs: the same Ossature binary on the same data, once without
# an [access] section (one open view, the middleware only attaches it) and once with access rules,
# the requests carrying HTTP Basic credentials of a user whose group reads every layer (so both
# answer the same bytes and the difference is the decision itself: credentials checked against the
# verified-callers cache, the group set's view looked up, the view's grant read by the face).
#   benches/access.sh [-d SECS] [-c CONC] [other benches/run options]     (defaults: -d 10 -c 2)
# ROUNDS=N (default 1) runs the pair N times and prints each round's ratio and their median.
# PIN=1 runs both servers on CPU 1 and the load (bench.py, wrk) on CPU 0: with wrk sharing the
# server's cores, cached tiles at 20,000+ req/s swing by more than the 5 % being measured.
# Workloads (WORKLOADS="cached-tile features-items", the default):
#   cached-tile     200 hot orthophoto tiles, --prime: Ossature's memory tile cache;
#   features-items  100-feature pages of ocs2d in random bboxes (the kit's features-items list).
# Target (issue 8): the ruled server within 5% of the open one (ratio ruled / open >= 0.95).
# Starts both servers itself: open on $OSSATURE_PORT (18081), ruled on $OSSATURE_PORT + 1; no peers.
set -euo pipefail; . "$(dirname "$0")/common.sh"

WORKLOADS="${WORKLOADS:-cached-tile features-items}"
RULED_PORT=$((OSSATURE_PORT + 1))
USER_NAME=bench USER_PASSWORD=bench-password

[ -f "$BENCH_CACHE/ortho_3950.tif" ] || { echo "$BENCH_CACHE/ortho_3950.tif missing: generate the orthophotos (../shared/bench-data/generate, without --no-ortho)" >&2; exit 1; }
need_binary
require_free_port "its own configs"
OSSATURE_PORT=$RULED_PORT require_free_port "its own configs"
mkdir -p "$OSSATURE_RUN"

# One configuration with both the features (PostGIS) and the imagery of the other benchmarks.
OPEN_CONFIG="$OSSATURE_RUN/ossature-access-open.toml"
RULED_CONFIG="$OSSATURE_RUN/ossature-access-ruled.toml"
{ cat "$BENCHES_DIR/ossature-bench.toml"; sed -n '/^\[\[rasters\]\]/,$p' "$BENCHES_DIR/ossature-tiles.toml"; } > "$OPEN_CONFIG"
hash=$(printf '%s\n' "$USER_PASSWORD" | "$OSSATURE_BIN" hash-password)
cat "$OPEN_CONFIG" - > "$RULED_CONFIG" <<TOML

[access]
realm = "Ossature access bench"

[[access.users]]
name = "$USER_NAME"
password = "$hash"
groups = ["lecteurs"]

# Rules a platform has: anonymous callers see a few themes, other groups an area or a filter.
[[access.rules]]
group = "anonymous"
layers = ["communes", "epci", "scot"]

[[access.rules]]
group = "epci-lille"
layers = ["ocs2d", "routes"]
area = { wkt = "POLYGON((695000 7050000, 715000 7050000, 715000 7070000, 695000 7070000, 695000 7050000))", crs = "EPSG:2154" }

[[access.rules]]
group = "lecteurs"
layers = ["*"]
TOML

ROUNDS="${ROUNDS:-1}"
if [ "${PIN:-0}" = 1 ]; then SERVER_CPU=(taskset -c 1) LOAD_CPU=(taskset -c 0); else SERVER_CPU=() LOAD_CPU=(); fi

PIDS=()
cleanup() { for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done; }
trap cleanup EXIT
for which in open ruled; do
  if [ "$which" = open ]; then port=$OSSATURE_PORT config=$OPEN_CONFIG; else port=$RULED_PORT config=$RULED_CONFIG; fi
  "${SERVER_CPU[@]}" "$OSSATURE_BIN" serve "$config" --bind "127.0.0.1:$port" > "$OSSATURE_RUN/ossature-access-$which.log" 2>&1 &
  PIDS+=($!)
  wait_http "http://127.0.0.1:$port/health" 60 || { tail -20 "$OSSATURE_RUN/ossature-access-$which.log" >&2; exit 1; }
done
# Otherwise the ruled target would measure 401s.
code=$(curl -s -o /dev/null -w '%{http_code}' -u "$USER_NAME:$USER_PASSWORD" "http://127.0.0.1:$RULED_PORT/collections/ocs2d")
[ "$code" = 200 ] || { echo "the ruled server answered $code to the bench user: credentials or rules wrong" >&2; exit 1; }

basic="Authorization: Basic $(printf '%s:%s' "$USER_NAME" "$USER_PASSWORD" | base64 -w0)"
for w in $WORKLOADS; do
  case "$w" in
    cached-tile) path="/collections/ortho3950/map/tiles/WebMercatorQuad/{z}/{y}/{x}?f=jpg"; extra=(--prime) ;;
    features-items) path="/collections/ocs2d/items?bbox={bbox_lonlat}&limit={limit}"; extra=() ;;
    *) echo "unknown workload $w (known: cached-tile features-items)" >&2; exit 2 ;;
  esac
  echo "## $w"
  ratios=()
  for round in $(seq 1 "$ROUNDS"); do
    # Ruled first, so the printed ratio is ruled / open.
    out=$("${LOAD_CPU[@]}" "$BENCHES_DIR/run" "$w" "ruled=http://127.0.0.1:$RULED_PORT$path" "open=http://127.0.0.1:$OSSATURE_PORT$path" \
      --header "$basic" "${extra[@]}" "$@")
    echo "$out"
    ratios+=("$(echo "$out" | sed -nE 's/^ruled \/ open: ([0-9.]+)x.*/\1/p')")
  done
  if [ "$ROUNDS" -gt 1 ]; then
    echo "# $w, ruled / open per round: ${ratios[*]}; median $(printf '%s\n' "${ratios[@]}" | sort -g | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}')x"
  fi
done

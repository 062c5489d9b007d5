# Settings shared by the load-benchmark scripts in benches/ (sourced). Every value can be overridden by env.
BENCHES_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$BENCHES_DIR/.." && pwd)"
# The shared benchmark kit (peers + bench.py) and dataset generator; read-only is fine.
OSSATURE_SHARED="${OSSATURE_SHARED:-$ROOT/../shared}"
OSSATURE_SHARED="$(cd "$OSSATURE_SHARED" 2>/dev/null && pwd || echo "$OSSATURE_SHARED")"
PEERS_KIT="$OSSATURE_SHARED/bench"
# Everything installed or produced by the peers lives outside both checkouts (same default as the kit).
export OSSATURE_BENCH_HOME="${OSSATURE_BENCH_HOME:-$HOME/.cache/ossature-bench}"
export RUN_DIR="${RUN_DIR:-$OSSATURE_BENCH_HOME/run}"
# Generated dataset: outside shared/ (which may be read-only). The peers' start.sh and bench.py read BENCH_CACHE.
export BENCH_CACHE="${BENCH_CACHE:-$OSSATURE_BENCH_HOME/data}"
export BENCH_PG_URL="${BENCH_PG_URL:-postgresql://bench:bench@127.0.0.1:5432/bench}"
# Ossature under test
OSSATURE_BIN="${OSSATURE_BIN:-$ROOT/target/release/ossature}"
OSSATURE_CONFIG="${OSSATURE_CONFIG:-$BENCHES_DIR/ossature-bench.toml}"
OSSATURE_PORT="${OSSATURE_PORT:-18081}"
OSSATURE_URL="http://127.0.0.1:$OSSATURE_PORT"
OSSATURE_RUN="$RUN_DIR/ossature"
PORT_MAPSERVER=18002
PORT_PYGEOAPI=18005

# true when something answers HTTP on 127.0.0.1:$1
port_answers() { local rc=0; curl -s -o /dev/null --max-time 2 "http://127.0.0.1:$1/" || rc=$?; [ "$rc" -ne 7 ]; }   # 7 = connection refused
# wait until an URL answers 2xx (max $2 s)
wait_http() { local u=$1 t=${2:-30} i; for ((i = 0; i < t * 5; i++)); do curl -fsS -o /dev/null "$u" 2>/dev/null && return 0; sleep 0.2; done; echo "timeout waiting for $u" >&2; return 1; }
# pid of the process listening on 127.0.0.1:$1 (empty if none / not visible)
listen_pid() { ss -ltnpH "sport = :$1" 2>/dev/null | sed -nE 's/.*pid=([0-9]+).*/\1/p' | head -1; }

# Scripts that start Ossature with their own configuration refuse a port something already holds
# ($1: what the script starts it with, for the message).
require_free_port() {
  port_answers "$OSSATURE_PORT" || return 0
  echo "something already answers on :$OSSATURE_PORT; $(basename "$0") starts Ossature itself with $1." >&2
  echo "stop it, or use another port: OSSATURE_PORT=18082 $0 ..." >&2; exit 1
}

need_binary() {
  [ -x "$OSSATURE_BIN" ] && return 0
  cat >&2 <<MSG
Ossature binary not found: $OSSATURE_BIN
Build it first (from $ROOT):
    cargo build --release
or point OSSATURE_BIN at an existing build.
MSG
  exit 1
}

# Start Ossature on $OSSATURE_PORT unless something already answers there. Sets STARTED_PID when this
# call started it (the caller stops it), empty otherwise.
STARTED_PID=
start_ossature() {
  if port_answers "$OSSATURE_PORT"; then
    # refuse to benchmark something else that happens to listen there (e.g. a test or mock server)
    local pid comm; pid=$(listen_pid "$OSSATURE_PORT"); comm=$(cat "/proc/$pid/comm" 2>/dev/null || true)
    if [ -n "$pid" ] && [ "$comm" != ossature ] && [ "${ALLOW_OTHER:-0}" != 1 ]; then
      echo "port $OSSATURE_PORT is taken by pid $pid ($(tr '\0' ' ' < "/proc/$pid/cmdline" | cut -c1-120)), not ossature:" >&2
      echo "stop it, or use another port: OSSATURE_PORT=18082 $0 ...  (ALLOW_OTHER=1 measures it anyway)" >&2
      exit 1
    fi
    echo "# ossature: already running on :$OSSATURE_PORT${pid:+ (pid $pid)}" >&2; return 0
  fi
  need_binary
  mkdir -p "$OSSATURE_RUN"
  "$OSSATURE_BIN" serve "$OSSATURE_CONFIG" --bind "127.0.0.1:$OSSATURE_PORT" > "$OSSATURE_RUN/ossature.log" 2>&1 &
  STARTED_PID=$!
  echo "$STARTED_PID" > "$OSSATURE_RUN/ossature.pid"
  if ! wait_http "$OSSATURE_URL/collections" 60; then
    echo "ossature did not come up; last log lines ($OSSATURE_RUN/ossature.log):" >&2
    tail -20 "$OSSATURE_RUN/ossature.log" >&2
    stop_ossature; exit 1
  fi
  echo "# ossature: started pid $STARTED_PID on :$OSSATURE_PORT (log $OSSATURE_RUN/ossature.log)" >&2
}
stop_ossature() {
  [ -n "$STARTED_PID" ] || return 0
  kill "$STARTED_PID" 2>/dev/null || true
  local i; for ((i = 0; i < 50; i++)); do kill -0 "$STARTED_PID" 2>/dev/null || break; sleep 0.1; done
  kill -KILL "$STARTED_PID" 2>/dev/null || true
  rm -f "$OSSATURE_RUN/ossature.pid"; STARTED_PID=
}

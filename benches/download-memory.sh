#!/bin/bash
# Peak memory of Ossature while a client downloads a whole collection as GeoJSON.
#   benches/download-memory.sh [-l LIMIT] [-C COLLECTION] [-n EXPECTED]
#       defaults: -l 10000 (= max_limit of benches/ossature-bench.toml), -C ocs2d, -n 300304
# Starts a fresh Ossature (target/release/ossature serve benches/ossature-bench.toml --bind 127.0.0.1:18081),
# fetches /collections/ocs2d/items?limit=LIMIT and follows the rel=next links to the end, then reports the
# peak RSS of the server process (VmHWM of /proc/PID/status, plus the highest VmRSS sampled every 20 ms),
# its RSS before the download, the bytes and features received, and the verdict against the issue's
# target: peak RSS < 100 MB (10^8 bytes). Stops the server it started (KEEP=1 leaves it running).
# If something already listens on :18081 it is measured instead (its VmHWM then covers its whole life).
set -euo pipefail; . "$(dirname "$0")/common.sh"
LIMIT=10000; COLL=ocs2d; EXPECTED=300304
while getopts "l:C:n:h" o; do
  case $o in l) LIMIT=$OPTARG;; C) COLL=$OPTARG;; n) EXPECTED=$OPTARG;; *) sed -n '2,12p' "$0"; exit 2;; esac
done

reused=0
if port_answers "$OSSATURE_PORT"; then reused=1; fi
start_ossature
[ "${KEEP:-0}" = 1 ] || trap stop_ossature EXIT
PID=${STARTED_PID:-$(listen_pid "$OSSATURE_PORT")}
[ -n "$PID" ] && [ -r "/proc/$PID/status" ] || { echo "cannot find the PID listening on :$OSSATURE_PORT" >&2; exit 1; }
echo "# ossature pid $PID$([ $reused = 1 ] && echo ' (already running: VmHWM includes its earlier life)')"

python3 - "$PID" "$OSSATURE_URL/collections/$COLL/items?limit=$LIMIT" "$EXPECTED" <<'PY'
import json, sys, threading, time, urllib.parse, urllib.request

pid, url, expected = int(sys.argv[1]), sys.argv[2], int(sys.argv[3])

def status():
    out = {}
    with open(f"/proc/{pid}/status") as fh:
        for line in fh:
            k, _, v = line.partition(":")
            if k in ("VmRSS", "VmHWM"):
                out[k] = int(v.split()[0]) * 1024   # kB -> bytes
    return out

peak_sampled = [0]
stop = threading.Event()
def sampler():
    while not stop.is_set():
        try:
            peak_sampled[0] = max(peak_sampled[0], status().get("VmRSS", 0))
        except OSError:
            return
        time.sleep(0.02)

before = status()
th = threading.Thread(target=sampler, daemon=True); th.start()
t0 = time.time(); pages = feats = nbytes = 0; ids = set(); dup = 0; matched = None; statuses = set()
while url:
    req = urllib.request.Request(url, headers={"Accept": "application/geo+json, application/json;q=0.9"})
    with urllib.request.urlopen(req, timeout=600) as r:
        body = r.read(); statuses.add(r.status); ctype = r.headers.get("Content-Type", "?")
    pages += 1; nbytes += len(body)
    try:
        doc = json.loads(body)
    except ValueError:
        sys.exit(f"page {pages}: not JSON ({ctype}, {len(body)} B): {body[:200]!r}")
    fs = doc.get("features", [])
    feats += len(fs)
    for f in fs:
        i = f.get("id")
        if i in ids: dup += 1
        ids.add(i)
    if matched is None: matched = doc.get("numberMatched")
    nxt = [l for l in doc.get("links", []) if l.get("rel") == "next"]
    nxt.sort(key=lambda l: 0 if "json" in l.get("type", "json") else 1)
    url = urllib.parse.urljoin(url, nxt[0]["href"]) if nxt and fs else None
    print(f"#   page {pages}: {len(fs)} features, {len(body)/1e6:.1f} MB, total {feats}", file=sys.stderr, flush=True)
elapsed = time.time() - t0
time.sleep(0.1); stop.set(); th.join()
after = status()
peak = max(after.get("VmHWM", 0), peak_sampled[0])
mb = lambda b: f"{b/1e6:.1f} MB ({b/2**20:.1f} MiB)"
print(f"collection url     : {sys.argv[2]}")
print(f"pages              : {pages} (HTTP {sorted(statuses)})")
print(f"features received  : {feats} (distinct ids {len(ids)}, duplicates {dup}; numberMatched {matched}; expected {expected})")
print(f"bytes received     : {nbytes} = {mb(nbytes)} in {elapsed:.1f} s ({nbytes/1e6/max(elapsed,1e-9):.1f} MB/s, {feats/max(elapsed,1e-9):.0f} features/s)")
print(f"RSS before         : {mb(before.get('VmRSS', 0))} (VmHWM {mb(before.get('VmHWM', 0))})")
print(f"peak RSS (VmHWM)   : {mb(after.get('VmHWM', 0))}; highest sampled VmRSS {mb(peak_sampled[0])}; RSS after {mb(after.get('VmRSS', 0))}")
ok_count = feats == expected and dup == 0
ok_mem = peak < 100e6
print(f"target peak < 100 MB: {'MET' if ok_mem else 'NOT MET'} ({mb(peak)})")
if not ok_count:
    print(f"WARNING: expected {expected} distinct features, got {len(ids)} ({feats} with {dup} duplicates)")
sys.exit(0 if ok_count else 3)
PY

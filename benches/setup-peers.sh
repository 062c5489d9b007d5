#!/bin/bash
# One-time setup for Ossature's load benchmarks on a Debian 12 machine (root): Debian packages, the
# PostgreSQL database "bench" (role bench/bench, PostGIS), the vector bench dataset generated into
# $BENCH_CACHE (default ~/.cache/ossature-bench/data, outside ../shared which may be read-only) and
# loaded into PostGIS, then the MapServer and pygeoapi peers of the shared kit, started and smoke-tested.
# Idempotent: every step is skipped when already done. No orthophotos, no Martin/TiTiler/QGIS/...
#   benches/setup-peers.sh            (NO_START=1: install only)
set -euo pipefail; . "$(dirname "$0")/common.sh"
log() { echo "== $(date +%H:%M:%S) $*"; }

log "Debian packages"
PKGS="gdal-bin python3-gdal python3-numpy python3-venv postgresql-15-postgis-3 mapserver-bin cgi-mapserver nginx wrk spawn-fcgi curl"
missing=(); for p in $PKGS; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
if [ ${#missing[@]} -gt 0 ]; then
  apt-get update -qq
  # --no-upgrade: a PostgreSQL minor upgrade under a running cluster breaks plpgsql until a restart
  DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends --no-upgrade "${missing[@]}"
fi

log "PostgreSQL + PostGIS (database bench, role bench/bench)"
pg_lsclusters | grep -q "15 *main.*online" || pg_ctlcluster 15 main start
su postgres -c "psql -qtc \"DO \\\$\\\$BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname='bench') THEN CREATE ROLE bench LOGIN PASSWORD 'bench'; END IF; END\\\$\\\$;\""
su postgres -c "psql -tc \"SELECT 1 FROM pg_database WHERE datname='bench'\"" | grep -q 1 || su postgres -c "createdb -O bench bench"
su postgres -c "psql -qd bench -c 'CREATE EXTENSION IF NOT EXISTS postgis'"

log "dataset (vector only) into $BENCH_CACHE and PostGIS"
mkdir -p "$BENCH_CACHE"
"$OSSATURE_SHARED/bench-data/generate" --no-ortho --cache "$BENCH_CACHE"

log "peers: mapserver, pygeoapi"
"$PEERS_KIT/mapserver/install.sh"
"$PEERS_KIT/pygeoapi/install.sh"
[ -n "${NO_START:-}" ] && exit 0
"$PEERS_KIT/peers.sh" start mapserver pygeoapi
# the mapserver check's ortho GetMap fails without the orthophotos (--no-ortho): only the OGC API lines matter
"$PEERS_KIT/peers.sh" check mapserver pygeoapi || true

#!/bin/bash
# Catalogue load benchmark: Ossature's CSW vs pycsw on the 200 generated ISO records of the bench dataset.
#   benches/csw.sh [-d SECS] [-c CONC] [other benches/run options]      (defaults: -d 10 -c 2)
# Workload `csw-getrecords` of the shared bench.py: GetRecords KVP, `csw:AnyText like '%{q}%'` (CQL_TEXT)
# with a keyword among 14, startPosition 1/11/21, 10 records, Dublin Core summary and ISO full output.
# Ossature runs first, so the printed ratios are Ossature / pycsw. Target (issue): >= 10x pycsw.
# Imports $BENCH_CACHE/csw/records into $OSSATURE_RUN/catalogue.db (idempotent), starts Ossature with
# benches/ossature-csw.toml (refuses if :18081 is taken) and the pycsw peer (it stays up).
set -euo pipefail; . "$(dirname "$0")/common.sh"
export OSSATURE_RUN
need_binary
RECORDS="$BENCH_CACHE/csw/records"
[ -d "$RECORDS" ] || { echo "$RECORDS missing: run ../shared/bench-data/generate" >&2; exit 1; }
if port_answers "$OSSATURE_PORT"; then
  echo "something already answers on :$OSSATURE_PORT; csw.sh starts Ossature itself with its catalogue." >&2; exit 1
fi
mkdir -p "$OSSATURE_RUN"
OSSATURE_CONFIG="$BENCHES_DIR/ossature-csw.toml"
"$OSSATURE_BIN" catalogue import "$OSSATURE_CONFIG" "$RECORDS" >&2
"$PEERS_KIT/peers.sh" start pycsw >&2 || { echo "could not start pycsw: ../shared/bench/pycsw/install.sh first" >&2; exit 1; }
start_ossature
trap stop_ossature EXIT

Q="constraintlanguage=CQL_TEXT&constraint=csw:AnyText%20like%20%27%25{q}%25%27"
GET="service=CSW&version=2.0.2&request=GetRecords&typenames=csw:Record&resulttype=results&startposition={start}&maxrecords=10&$Q"
PYCSW="http://127.0.0.1:18006/csw"
for set in "elementsetname=summary" "elementsetname=full&outputschema=http://www.isotc211.org/2005/gmd"; do
  echo "## csw-getrecords $set"
  "$BENCHES_DIR/run" csw-getrecords "ossature=$OSSATURE_URL/csw?$GET&$set" "pycsw=$PYCSW?$GET&$set" "$@"
done

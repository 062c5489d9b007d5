#!/bin/bash
# Catalogue load benchmark: Ossature's CSW (and OGC API Records) vs pycsw on generated ISO records.
#   benches/csw.sh [-d SECS] [-c CONC] [other benches/run options]      (defaults: -d 10 -c 2)
#   CSW_RECORDS=10000 benches/csw.sh ...      the same on 10,000 records instead of the dataset's 200
#   CSW_PG=postgresql://... benches/csw.sh    Ossature's store in that PostgreSQL database instead of an
#                                             SQLite file (a database of its own: its `catalogue` table is replaced)
# Workload `csw-getrecords` of the shared bench.py: GetRecords KVP, `csw:AnyText like '%{q}%'` (CQL_TEXT)
# with a keyword among 14, startPosition 1/11/21, 10 records, Dublin Core summary and ISO full output;
# then Ossature's OGC API Records `q={q}` (same keyword, offset 1/11/21, 10 records) on its own.
# Ossature runs first, so the printed ratios are Ossature / pycsw. Target (issue): >= 10x pycsw.
# Imports the records into $OSSATURE_RUN/catalogue.db (idempotent), starts Ossature with
# benches/ossature-csw.toml (refuses if :18081 is taken) and the pycsw peer on the same records (it
# stays up). With CSW_RECORDS=10000 the records are made by benches/csw-records.py with the dataset's
# generator, and both servers keep their files apart (RUN_DIR, BENCH_CACHE under *-csw10k). The
# pycsw of the other size is stopped first, as both listen on :18006.
CSW_RECORDS="${CSW_RECORDS:-200}"
HOME_BENCH="${OSSATURE_BENCH_HOME:-$HOME/.cache/ossature-bench}"
DATA_200="${BENCH_CACHE:-$HOME_BENCH/data}"
RUN_200="${RUN_DIR:-$HOME_BENCH/run}"
case "$CSW_RECORDS" in
  200) ;;
  10000) export RUN_DIR="$HOME_BENCH/run-csw10k" BENCH_CACHE="$HOME_BENCH/data-csw10k" ;;
  *) echo "CSW_RECORDS must be 200 or 10000" >&2; exit 2 ;;
esac
set -euo pipefail; . "$(dirname "$0")/common.sh"
export OSSATURE_RUN
need_binary
RECORDS="$BENCH_CACHE/csw/records"
# Both pycsw repositories listen on :18006: stop the other one.
if [ "$CSW_RECORDS" = 10000 ]; then
  /usr/bin/python3 "$BENCHES_DIR/csw-records.py" "$OSSATURE_SHARED/bench-data/generate.py" "$DATA_200/hdf.gpkg" "$BENCH_CACHE" 10000 >&2
  RUN_DIR="$RUN_200" BENCH_CACHE="$DATA_200" "$PEERS_KIT/peers.sh" stop pycsw >&2
else
  RUN_DIR="$HOME_BENCH/run-csw10k" BENCH_CACHE="$HOME_BENCH/data-csw10k" "$PEERS_KIT/peers.sh" stop pycsw >&2
fi
[ -d "$RECORDS" ] || { echo "$RECORDS missing: run ../shared/bench-data/generate" >&2; exit 1; }
require_free_port "its catalogue"
mkdir -p "$OSSATURE_RUN"
OSSATURE_CONFIG="$BENCHES_DIR/ossature-csw.toml"
if [ -n "${CSW_PG:-}" ]; then
  psql "$CSW_PG" -X -qc "DROP TABLE IF EXISTS catalogue" >&2
  export OSSATURE_CATALOGUE_STORE="$CSW_PG"
else
  export OSSATURE_CATALOGUE_STORE="$OSSATURE_RUN/catalogue.db"
fi
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
# pycsw 2 has no OGC API Records: Ossature's `q` alone, for its cost beside GetRecords'.
echo "## records-q (Ossature's OGC API Records, q, 10 records)"
"$BENCHES_DIR/run" csw-getrecords "ossature=$OSSATURE_URL/collections/catalogue/items?q={q}&limit=10&offset={start}" "$@"

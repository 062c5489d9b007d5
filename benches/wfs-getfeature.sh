#!/bin/bash
# WFS 2.0 GetFeature load benchmark: Ossature vs MapServer 8 on the bench dataset (PostGIS).
#   benches/wfs-getfeature.sh [-d SECS] [-c CONC] [other benches/run options]     (defaults: -d 10 -c 2)
# Workload `wfs-getfeature` of the shared bench.py: 2,000 seeded random bboxes 200 m-2 km over the OCS2D
# area, COUNT=100, in two encodings, each run as its own pair so each ratio is Ossature / MapServer:
#   gml32-2154     GML 3.2, bbox and output in EPSG:2154 (urn form)
#   geojson-4326   GeoJSON, bbox and output in EPSG:4326 (urn form: latitude first)
#   filter-2154    GML 3.2 in EPSG:2154 with an FES 2.0 filter: the same box AND code_cs = 'CS2.2.1' (the most common class, ~45 %)
#                  (the box's corners come from benches/bench_corners.py's placeholders)
# Target (issue): at least 2x MapServer's req/s in each. Starts Ossature like features-items.sh.
set -euo pipefail; . "$(dirname "$0")/common.sh"

# MapServer's bench mapfile, addressed as ../shared/bench/run-all.sh does.
MS="http://127.0.0.1:$PORT_MAPSERVER/mapserv?map=BENCH"
O="$OSSATURE_URL/wfs?SERVICE=WFS&VERSION=2.0.0&REQUEST=GetFeature&TYPENAMES=ocs2d&COUNT={limit}"
M="$MS&SERVICE=WFS&VERSION=2.0.0&REQUEST=GetFeature&TYPENAMES=ocs2d&COUNT={limit}"
GML="&SRSNAME=urn:ogc:def:crs:EPSG::2154&BBOX={bbox_2154},urn:ogc:def:crs:EPSG::2154"
JSON4326="&BBOX={bbox_latlon},urn:ogc:def:crs:EPSG::4326&SRSNAME=urn:ogc:def:crs:EPSG::4326&OUTPUTFORMAT="

port_answers "$OSSATURE_PORT" || need_binary
"$PEERS_KIT/peers.sh" start mapserver >&2 || { echo "could not start MapServer: benches/setup-peers.sh first" >&2; exit 1; }
start_ossature
[ "${KEEP:-0}" = 1 ] || trap stop_ossature EXIT

"$BENCHES_DIR/run" wfs-getfeature "ossature-gml32-2154=$O$GML" "mapserver-gml32-2154=$M$GML" "$@"
"$BENCHES_DIR/run" wfs-getfeature "ossature-geojson-4326=${O}${JSON4326}application/json" "mapserver-geojson-4326=${M}${JSON4326}geojson" "$@"
FES='<fes:Filter xmlns:fes="http://www.opengis.net/fes/2.0" xmlns:gml="http://www.opengis.net/gml/3.2"><fes:And><fes:BBOX><fes:ValueReference>geom</fes:ValueReference><gml:Envelope srsName="urn:ogc:def:crs:EPSG::2154"><gml:lowerCorner>LOWER</gml:lowerCorner><gml:upperCorner>UPPER</gml:upperCorner></gml:Envelope></fes:BBOX><fes:PropertyIsEqualTo><fes:ValueReference>code_cs</fes:ValueReference><fes:Literal>CS2.2.1</fes:Literal></fes:PropertyIsEqualTo></fes:And></fes:Filter>'
FILTER=$(python3 -c 'import sys, urllib.parse; print(urllib.parse.quote(sys.argv[1], safe=""))' "$FES" | sed 's/LOWER/{bbox_2154_lower}/; s/UPPER/{bbox_2154_upper}/')
F="&SRSNAME=urn:ogc:def:crs:EPSG::2154&FILTER=$FILTER"
"$BENCHES_DIR/run" wfs-getfeature "ossature-filter-2154=$O$F" "mapserver-filter-2154=$M$F" "$@"

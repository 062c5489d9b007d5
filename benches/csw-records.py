#!/usr/bin/env python3
"""More ISO 19139 records for the catalogue benchmark, made by the shared dataset's own generator
(../shared/bench-data/generate.py, `build_csw_records`) so they are the same kinds of records as
its 200, on the same real extents, only more of them.

    benches/csw-records.py GENERATE_PY HDF_GPKG OUT_CACHE N
writes OUT_CACHE/csw/records/*.xml (skipped when OUT_CACHE/csw/records/.done exists)."""
import importlib.util
import sys

generate_py, gpkg, cache, n = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
spec = importlib.util.spec_from_file_location("bench_data_generate", generate_py)
generate = importlib.util.module_from_spec(spec)
spec.loader.exec_module(generate)
generate.build_csw_records(cache, gpkg, n=n)

#!/usr/bin/env python3
"""bench.py with two more placeholders: `{bbox_2154_lower}` and `{bbox_2154_upper}`, the corners
of `{bbox_2154}` as URL-encoded "x y" pairs. They let a template carry the same box inside an FES
filter (gml:lowerCorner / gml:upperCorner), since WFS forbids BBOX and FILTER together.

    bench_corners.py BENCH_PY [bench.py arguments]
"""
import importlib.util
import sys


def main():
    path = sys.argv.pop(1)
    spec = importlib.util.spec_from_file_location("bench", path)
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    original = bench.bbox_params

    def with_corners(*box):
        params = original(*box)
        minx, miny, maxx, maxy = params["bbox_2154"].split(",")
        params["bbox_2154_lower"] = f"{minx}%20{miny}"
        params["bbox_2154_upper"] = f"{maxx}%20{maxy}"
        return params

    bench.bbox_params = with_corners
    sys.argv[0] = path
    sys.exit(bench.main())


if __name__ == "__main__":
    main()

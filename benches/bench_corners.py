#!/usr/bin/env python3
"""bench.py with two more placeholders: `{bbox_2154_lower}` and `{bbox_2154_upper}`, the corners
of `{bbox_2154}` as URL-encoded "x y" pairs. They let a template carry the same box inside an FES
filter (gml:lowerCorner / gml:upperCorner), since WFS forbids BBOX and FILTER together.
Also `--header "Name: value"` (repeatable): a request header wrk sends with every request (wrk's
`-H`, which bench.py does not expose), e.g. `Accept-Encoding: gzip` as browsers and GIS clients send.

    bench_corners.py BENCH_PY [--header "Name: value" ...] [bench.py arguments]
"""
import importlib.util
import urllib.request
import subprocess
import sys


def pop_headers(argv):
    """The `--header` values, removed from argv (bench.py does not know the option)."""
    headers, i = [], 0
    while i < len(argv):
        if argv[i] == "--header" and i + 1 < len(argv):
            headers.append(argv[i + 1])
            del argv[i:i + 2]
        else:
            i += 1
    return headers


class WrkWithHeaders:
    """bench.py's `subprocess`, adding `-H header` to its wrk command lines."""

    def __init__(self, headers):
        self.headers = headers

    def __getattr__(self, name):
        return getattr(subprocess, name)

    def run(self, cmd, *args, **kwargs):
        if cmd and cmd[0] == "wrk":
            cmd = [cmd[0], *[a for h in self.headers for a in ("-H", h)], *cmd[1:]]
        return subprocess.run(cmd, *args, **kwargs)


def main():
    path = sys.argv.pop(1)
    headers = pop_headers(sys.argv)
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
    if headers:
        bench.subprocess = WrkWithHeaders(headers)
        # bench.py's priming and first-response checks go through urllib: same headers there.
        opener = urllib.request.build_opener()
        opener.addheaders = [tuple(part.strip() for part in h.split(":", 1)) for h in headers]
        urllib.request.install_opener(opener)
    sys.argv[0] = path
    sys.exit(bench.main())


if __name__ == "__main__":
    main()

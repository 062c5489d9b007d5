#!/usr/bin/env python3
"""Writes the tiles of the kit's `mvt` request list, as Ossature serves them gzipped, into the tile
folder the kit's nginx-static serves (`$BENCH_CACHE/tiles/NAME/{z}/{x}/{y}.pbf`, URL
`http://127.0.0.1:18001/tiles/NAME/{z}/{x}/{y}.pbf`): the static ceiling for cached vector tiles,
with the same bytes per tile. Fetching them also primes Ossature's cache. A tile without features
(204) becomes an empty file.

    mvt_static.py BENCH_PY NAME URL_TEMPLATE      (URL_TEMPLATE with {z} {x} {y}, as for bench.py)
"""
import importlib.util
import os
import sys
import urllib.request


def main(bench_py, name, template):
    spec = importlib.util.spec_from_file_location("bench", bench_py)
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    root = os.path.join(bench.CACHE, "tiles", name)
    tiles = {(p["z"], p["x"], p["y"]) for p in bench.build_params("mvt", 2000, 42)}
    for z, x, y in sorted(tiles):
        req = urllib.request.Request(template.format(z=z, x=x, y=y), headers={"Accept-Encoding": "gzip"})
        with urllib.request.urlopen(req, timeout=120) as r:
            body = r.read()
            if r.status == 200 and r.headers.get("Content-Encoding") != "gzip":
                sys.exit(f"{r.url}: not gzipped")
        path = os.path.join(root, str(z), str(x), f"{y}.pbf")
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "wb") as fh:
            fh.write(body)
    print(f"# {len(tiles)} tiles written under {root}")


if __name__ == "__main__":
    if len(sys.argv) != 4:
        sys.exit(__doc__.strip())
    main(*sys.argv[1:])

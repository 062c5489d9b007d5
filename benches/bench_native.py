#!/usr/bin/env python3
"""bench.py (through bench_corners.py) with three more placeholders for the `cog-tile-512` workload:
`{nz}`, `{nrow}`, `{ncol}`, the tile of Ossature's native set of ortho_3857.tif (`ortho3857-native`)
under the centre of the 512-px WebMercatorQuad tile {z}/{x}/{y}. Native tiles are the COG's own 512-px
JPEG blocks (passed through undecoded); level nz = z - 14 has the ground resolution of z. The COG's block
grid is offset half a tile east of the WebMercatorQuad grid, so the tiles are not the same ones Martin
serves, only the same size, resolution and area. `{bz}`, `{brow}`, `{bcol}` are the same tile moved
to the nearest whole block (the right and bottom edge blocks are padded and level 0 is one partial
block, so those are rendered, not passed through): the pure pass-through list. Used by benches/tiles.sh.

    bench_native.py BENCH_PY [bench.py arguments]
"""
import math
import os
import sys

W = 20037508.342789244
# ortho_3857.tif: origin (upper left) and size, from gdalinfo; level 6 is the full resolution (z20 @ 512 px).
OX, OY, SIZE, TOP = 340240.322154391556978, 6557570.875099413096905, 21504, 6


def native(z, x, y):
    level = int(z) - 14
    span = 2 * W / 2 ** int(z)
    n = math.ceil(SIZE / 2 ** (TOP - level) / 512)
    cx, cy = -W + (int(x) + 0.5) * span, W - (int(y) + 0.5) * span
    col = min(max(int((cx - OX) // span), 0), n - 1)
    row = min(max(int((OY - cy) // span), 0), n - 1)
    return level, row, col


def whole_block(z, x, y):
    level, row, col = native(z, x, y)
    level = max(level, 1)   # level 0 (336 px) has no whole block
    whole = SIZE // 2 ** (TOP - level) // 512
    return level, min(row, whole - 1), min(col, whole - 1)


def main():
    import importlib.util
    path = sys.argv.pop(1)
    spec = importlib.util.spec_from_file_location("bench", path)
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    original = bench.build_params

    def with_native(workload, n, seed):
        out = original(workload, n, seed)
        if workload == "cog-tile-512":
            for p in out:
                p["nz"], p["nrow"], p["ncol"] = native(p["z"], p["x"], p["y"])
                p["bz"], p["brow"], p["bcol"] = whole_block(p["z"], p["x"], p["y"])
        return out

    bench.build_params = with_native
    sys.argv[0] = path
    sys.exit(bench.main())


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""CPU time a server spends on the first N requests of a kit workload's seeded list, fetched one after
the other: the figure that is repeatable on a shared machine, where wall-clock rates are not.

    benches/cpu_per_map.py WORKLOAD URL_TEMPLATE PID [PID ...] [-n 40] [--seed 42] [--save DIR]

The PIDs' user + system time (every thread, from /proc/PID/stat) is read before and after; for
MapServer pass its FastCGI children ($OSSATURE_BENCH_HOME/run/mapserver-fcgi.pid). The list is
bench.py's own (same seed, same boxes), so two servers and two builds see the same maps. --save
writes each response to DIR/NN.png to look at them side by side.
"""
import argparse
import os
import sys
import time
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(os.environ.get("OSSATURE_SHARED", os.path.join(ROOT, "..", "shared")), "bench"))
import bench  # noqa: E402  (the shared kit's list builder)


def cpu_seconds(pids):
    """User + system CPU seconds of the processes (all their threads)."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    for pid in pids:
        with open(f"/proc/{pid}/stat") as fh:
            fields = fh.read().rsplit(")", 1)[1].split()
        total += int(fields[11]) + int(fields[12])   # utime, stime (fields 14 and 15)
    return total / ticks


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("workload")
    ap.add_argument("template")
    ap.add_argument("pids", nargs="+", type=int)
    ap.add_argument("-n", type=int, default=40)
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument("--save")
    a = ap.parse_args()
    urls = [a.template.format(**p) for p in bench.build_params(a.workload, a.n, a.seed)]
    before, start, size = cpu_seconds(a.pids), time.monotonic(), 0
    for i, url in enumerate(urls):
        body = urllib.request.urlopen(url, timeout=600).read()
        size += len(body)
        if a.save:
            os.makedirs(a.save, exist_ok=True)
            with open(os.path.join(a.save, f"{i:02}.png"), "wb") as fh:
                fh.write(body)
    cpu, wall = cpu_seconds(a.pids) - before, time.monotonic() - start
    print(f"{len(urls)} requests: CPU {cpu:.2f} s ({1000 * cpu / len(urls):.0f} ms each), "
          f"wall {wall:.1f} s, {size / len(urls) / 1024:.0f} KB each")


if __name__ == "__main__":
    main()

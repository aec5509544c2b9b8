#!/usr/bin/env python3
"""Print a markdown table of medians-over-rounds from a run.sh results CSV.

Usage: summarize.py bench/results/run-YYYYmmdd-HHMMSS.csv
"""
import csv
import statistics
import sys


def med(rows, field):
    vals = [float(r[field]) for r in rows if r.get(field, "") != ""]
    return statistics.median(vals) if vals else None


def fmt(v, spec):
    return "-" if v is None else format(v, spec)


def main() -> int:
    if len(sys.argv) != 2:
        print(__doc__.strip(), file=sys.stderr)
        return 2
    with open(sys.argv[1], newline="") as f:
        rows = list(csv.DictReader(f))
    if not rows:
        print("summarize: no data rows in %s" % sys.argv[1], file=sys.stderr)
        return 1

    test_order = []
    cells = {}
    for r in rows:
        if r["test"] not in test_order:
            test_order.append(r["test"])
        key = (r["test"], int(r["pipeline"]), int(r["size"]))
        cells.setdefault(key, {"direct": [], "proxy": []})[r["mode"]].append(r)

    print("| test | pipeline | size (B) | direct ops/s | proxy ops/s | ratio proxy/direct"
          " | direct p50 / p99 ms | proxy p50 / p99 ms | proxy CPU µs/req"
          " | master CPU µs/req (direct) | rounds |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for key in sorted(cells, key=lambda k: (test_order.index(k[0]), k[1], k[2])):
        d, p = cells[key]["direct"], cells[key]["proxy"]
        d_rps, p_rps = med(d, "rps"), med(p, "rps")
        ratio = p_rps / d_rps if d_rps and p_rps is not None else None
        lat = lambda rs: (
            "-" if not rs else
            "%s / %s" % (fmt(med(rs, "p50_ms"), ".3f"), fmt(med(rs, "p99_ms"), ".3f")))
        print("| %s | %d | %d | %s | %s | %s | %s | %s | %s | %s | %d |" % (
            key[0], key[1], key[2],
            fmt(d_rps, ".0f"), fmt(p_rps, ".0f"), fmt(ratio, ".2f"),
            lat(d), lat(p),
            fmt(med(p, "proxy_cpu_us_per_req"), ".2f"),
            fmt(med(d, "master_cpu_us_per_req"), ".2f"),
            max(len(d), len(p))))
    return 0


if __name__ == "__main__":
    sys.exit(main())

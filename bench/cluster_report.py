#!/usr/bin/env python3
"""The tables of bench/cluster.sh: medians over rounds per cell (test x pipeline), direct vs. proxy.

Usage: cluster_report.py RUNS_CSV NODES_CSV
"""
import csv
import os
import statistics
import sys
from collections import defaultdict

from summarize import fmt  # "-" for a missing figure

HZ = os.sysconf("SC_CLK_TCK")  # /proc/PID/stat ticks per second, as cluster.sh read them


def med(values):
    return statistics.median(values) if values else None


def main() -> int:
    if len(sys.argv) != 3:
        print(__doc__.strip(), file=sys.stderr)
        return 2
    with open(sys.argv[1], newline="") as f:
        runs = list(csv.DictReader(f))
    with open(sys.argv[2], newline="") as f:
        nodes = defaultdict(list)
        for r in csv.DictReader(f):
            nodes[r["run"]].append(r)
    if not runs:
        print("cluster_report: no runs in %s" % sys.argv[1], file=sys.stderr)
        return 1

    cells = defaultdict(lambda: {"direct": [], "proxy": []})
    for r in runs:
        cells[(r["test"], int(r["pipeline"]))][r["mode"]].append(r)
    order = sorted(cells, key=lambda k: (k[0] != "set", k[1]))

    def m(rows, field):
        return med([float(r[field]) for r in rows])

    print("| test | P | direct ops/s | proxy ops/s | ratio | direct p99 ms | proxy p99 ms | proxy CPU µs/req"
          " | redis CPU µs/req direct | redis CPU µs/req via proxy | rounds |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for key in order:
        d, p = cells[key]["direct"], cells[key]["proxy"]
        d_rps, p_rps = m(d, "rps"), m(p, "rps")
        ratio = p_rps / d_rps if d_rps and p_rps is not None else None
        print("| %s | %d | %s | %s | %s | %s | %s | %s | %s | %s | %d |" % (
            key[0].upper(), key[1], fmt(d_rps, ".0f"), fmt(p_rps, ".0f"), fmt(ratio, ".2f"),
            fmt(m(d, "p99_ms"), ".3f"), fmt(m(p, "p99_ms"), ".3f"), fmt(m(p, "proxy_us_per_req"), ".2f"),
            fmt(m(d, "redis_us_per_req"), ".2f"), fmt(m(p, "redis_us_per_req"), ".2f"), min(len(d), len(p))))

    # Where the requests went: per node, its share of the command's calls; the redis CPU split by role;
    # GET hits; redirections and errors summed over the rounds.
    print()
    print("Where the requests went (medians over rounds; shares of the command's calls per shard as"
          " master/replica, a replica's SET calls being the replication stream; calls/req = calls on all nodes /"
          " requests; client CPU: redis-benchmark's; run s = requests / ops/s; MOVED, ASK, errors: sums over rounds):")
    print()
    print("| test | P | mode | shard 0 m/r % | shard 1 m/r % | shard 2 m/r % | calls/req | GET hits %"
          " | masters / replicas CPU µs/req | client CPU µs/req | run s | MOVED | ASK | errors |")
    print("|---|---:|---|---|---|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    for key in order:
        for mode in ("direct", "proxy"):
            rows = cells[key][mode]
            if not rows:
                continue
            share = defaultdict(list)
            per_req, hits, cpu_m, cpu_r, secs = [], [], [], [], []
            sums = {"moved": 0, "ask": 0, "errors": 0}
            for r in rows:
                ns = nodes[r["run"]]
                n = int(r["n"])
                calls = sum(int(x["calls"]) for x in ns)
                per_req.append(calls / n)
                secs.append(n / float(r["rps"]))
                for x in ns:
                    share[(int(x["shard"]), x["role"])].append(100.0 * int(x["calls"]) / calls if calls else 0.0)
                h = sum(int(x["hits"]) for x in ns)
                mi = sum(int(x["misses"]) for x in ns)
                if key[0] == "get" and h + mi:
                    hits.append(100.0 * h / (h + mi))
                for role, acc in (("master", cpu_m), ("replica", cpu_r)):
                    t = sum(int(x["cpu_ticks"]) for x in ns if x["role"] == role)
                    acc.append(t / HZ * 1e6 / n)
                for k in sums:
                    sums[k] += sum(int(x[k]) for x in ns)
            shards = ["%s / %s" % (fmt(med(share[(s, "master")]), ".0f"), fmt(med(share[(s, "replica")]), ".0f"))
                      for s in range(3)]
            print("| %s | %d | %s | %s | %s | %s | %s | %s | %s | %s | %s | %d | %d | %d |" % (
                key[0].upper(), key[1], mode, *shards, fmt(med(per_req), ".3f"), fmt(med(hits), ".0f"),
                "%s / %s" % (fmt(med(cpu_m), ".2f"), fmt(med(cpu_r), ".2f")),
                fmt(m(rows, "client_us_per_req") if "client_us_per_req" in rows[0] else None, ".2f"), fmt(med(secs), ".2f"),
                sums["moved"], sums["ask"], sums["errors"]))
    return 0


if __name__ == "__main__":
    sys.exit(main())

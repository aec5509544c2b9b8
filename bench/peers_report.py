#!/usr/bin/env python3
"""Tables from a bench/peers.sh CSV: medians over rounds per cell and target, and resplit's ratios.

Usage: peers_report.py peers-STAMP.csv [more CSVs of the same kind...]

Every figure is the median over rounds of one target in one cell (size, test, pipeline). Ratios are of those
medians: resplit/predixy and resplit/twemproxy for CPU per request (below 1: resplit spends less), ops/s (above
1: resplit is faster) and p99; resplit-m/resplit is the cost of metrics on and scraped (CPU per request of the
whole process, and of the event-loop threads); every other resplit-NAME (a JVM variant, peers.sh's JVM_VARIANTS)
over resplit and over predixy. "CPU spread" is (largest − smallest round) ÷ median, the rounds' own noise.
"""
import csv
import statistics
import sys

ORDER = ("direct", "predixy", "twemproxy", "resplit", "resplit-m")


def med(rows, key):
    xs = [float(r[key]) for r in rows if r.get(key) not in (None, "")]
    return statistics.median(xs) if xs else None


def fmt(x, spec):
    return "–" if x is None else format(x, spec)


def ratio(a, b):
    return None if a is None or b in (None, 0) else a / b


def main() -> int:
    if len(sys.argv) < 2:
        print(__doc__.strip(), file=sys.stderr)
        return 2
    rows = []
    for run, path in enumerate(sys.argv[1:]):
        with open(path) as f:
            rows.extend(dict(r, run=run) for r in csv.DictReader(f))
    runs = len(sys.argv) - 1
    cells = []
    for r in rows:
        c = (int(r["size"]), r["test"], int(r["pipeline"]))
        if c not in cells:
            cells.append(c)
    cells.sort(key=lambda c: (c[0], c[1] != "set", c[2]))
    seen = list(dict.fromkeys(r["target"] for r in rows))
    targets = [t for t in ORDER if t in seen] + [t for t in seen if t not in ORDER]
    variants = [t for t in targets if t.startswith("resplit-") and t != "resplit-m"]
    stats = {}
    for c in cells:
        for t in targets:
            sel = [r for r in rows if (int(r["size"]), r["test"], int(r["pipeline"])) == c and r["target"] == t]
            if sel:
                stats[c, t] = {k: med(sel, k) for k in ("rps", "p50_ms", "p99_ms", "cpu_us_per_req",
                                                          "loop_us_per_req", "scrapes")}
                stats[c, t]["rounds"] = len(sel)
                cpus = [float(r["cpu_us_per_req"]) for r in sel]
                stats[c, t]["spread"] = ratio(max(cpus) - min(cpus), statistics.median(cpus))
                stats[c, t]["scrapes_sum"] = sum(int(r["scrapes"] or 0) for r in sel)

    print("| size | test | P | target | ops/s | ÷ direct | p50 ms | p99 ms | CPU µs/req | CPU spread | rounds |")
    print("|---:|---|---:|---|---:|---:|---:|---:|---:|---:|---:|")
    for c in cells:
        d = stats.get((c, "direct"), {}).get("rps")
        for t in targets:
            s = stats.get((c, t))
            if not s:
                continue
            print("| %d | %s | %d | %s | %s | %s | %s | %s | %s | %s | %d |" % (
                c[0], c[1].upper(), c[2], t, fmt(s["rps"], ".0f"), fmt(ratio(s["rps"], d), ".2f"),
                fmt(s["p50_ms"], ".3f"), fmt(s["p99_ms"], ".3f"), fmt(s["cpu_us_per_req"], ".2f"),
                fmt(s["spread"], ".0%"), s["rounds"]))

    def g(c, t, k):
        return stats.get((c, t), {}).get(k)

    if "resplit" in targets and {"predixy", "twemproxy"} & set(targets):
        print()
        print("| size | test | P | CPU resplit ÷ predixy | CPU resplit ÷ twemproxy | ops/s resplit ÷ predixy "
              "| ops/s resplit ÷ twemproxy | p99 resplit ÷ predixy | p99 resplit ÷ twemproxy |")
        print("|---:|---|---:|---:|---:|---:|---:|---:|---:|")
        for c in cells:
            cols = []
            for k in ("cpu_us_per_req", "rps", "p99_ms"):
                for peer in ("predixy", "twemproxy"):
                    cols.append(fmt(ratio(g(c, "resplit", k), g(c, peer, k)), ".2f"))
            print("| %d | %s | %d | %s |" % (c[0], c[1].upper(), c[2], " | ".join(cols)))

    if "resplit-m" in targets and "resplit" in targets:
        print()
        print("| size | test | P | CPU µs/req off / on (process) | on ÷ off | event loops µs/req off / on "
              "| on ÷ off | scrapes (all rounds) |")
        print("|---:|---|---:|---:|---:|---:|---:|---:|")
        for c in cells:
            off, on = g(c, "resplit", "cpu_us_per_req"), g(c, "resplit-m", "cpu_us_per_req")
            loff, lon = g(c, "resplit", "loop_us_per_req"), g(c, "resplit-m", "loop_us_per_req")
            print("| %d | %s | %d | %s / %s | %s | %s / %s | %s | %s |" % (
                c[0], c[1].upper(), c[2], fmt(off, ".2f"), fmt(on, ".2f"), fmt(ratio(on, off), ".3f"),
                fmt(loff, ".2f"), fmt(lon, ".2f"), fmt(ratio(lon, loff), ".3f"), fmt(g(c, "resplit-m", "scrapes_sum"), "d")))

    def run_ratio(c, t, run):
        """CPU per request of t over resplit's within one run (one CSV): medians of that run's rounds."""
        sel = [r for r in rows if (int(r["size"]), r["test"], int(r["pipeline"])) == c and r["run"] == run]
        return ratio(med([r for r in sel if r["target"] == t], "cpu_us_per_req"),
                     med([r for r in sel if r["target"] == "resplit"], "cpu_us_per_req"))

    if variants and "resplit" in targets:
        print()
        print("| size | test | P | variant | CPU ÷ resplit | CPU ÷ predixy | event loops ÷ resplit | ops/s ÷ resplit "
              "| p99 ÷ resplit | CPU ÷ resplit in each run |")
        print("|---:|---|---:|---|---:|---:|---:|---:|---:|---|")
        for c in cells:
            for t in variants:
                print("| %d | %s | %d | %s | %s | %s | %s | %s | %s | %s |" % (
                    c[0], c[1].upper(), c[2], t,
                    fmt(ratio(g(c, t, "cpu_us_per_req"), g(c, "resplit", "cpu_us_per_req")), ".2f"),
                    fmt(ratio(g(c, t, "cpu_us_per_req"), g(c, "predixy", "cpu_us_per_req")), ".2f"),
                    fmt(ratio(g(c, t, "loop_us_per_req"), g(c, "resplit", "loop_us_per_req")), ".2f"),
                    fmt(ratio(g(c, t, "rps"), g(c, "resplit", "rps")), ".2f"),
                    fmt(ratio(g(c, t, "p99_ms"), g(c, "resplit", "p99_ms")), ".2f"),
                    " / ".join(fmt(run_ratio(c, t, i), ".2f") for i in range(runs))))
    return 0


if __name__ == "__main__":
    sys.exit(main())

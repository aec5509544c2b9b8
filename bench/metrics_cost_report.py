#!/usr/bin/env python3
"""Per-round table and summary (markdown) of a bench/metrics-cost.sh CSV.

Usage: metrics_cost_report.py bench/results/metrics-cost-YYYYmmdd-HHMMSS.csv [TARGET_PCT]

overhead % = (on / off - 1) * 100 of the proxy's CPU µs per request, computed
from the medians (main figure), from the minimums, and as the median of the
per-round ratios (each round has one "off" and one "on" run, back to back).
"idle proxy ticks" is the CPU the *other* (idle) proxy used during a run: a
large value means that JVM was busy (JIT, GC) and competed for the cores.
"""
import csv
import statistics
import sys


def pct(on, off):
    return (on / off - 1.0) * 100.0 if off else float("nan")


def fmt_rps(v):
    return "-" if v is None else "%.0f" % v


def main() -> int:
    if len(sys.argv) not in (2, 3):
        print(__doc__.strip(), file=sys.stderr)
        return 2
    target = float(sys.argv[2]) if len(sys.argv) == 3 else 5.0
    with open(sys.argv[1], newline="") as f:
        rows = list(csv.DictReader(f))
    if not rows:
        print("metrics_cost_report: no data rows in %s" % sys.argv[1], file=sys.stderr)
        return 1

    rounds = {}
    for r in rows:
        rounds.setdefault(int(r["round"]), {})[r["mode"]] = r

    def num(r, field):
        v = r.get(field, "") if r else ""
        return float(v) if v not in ("", None) else None

    print("### Per round\n")
    print("| round | order | off µs/req | on µs/req | on/off | off SET / GET ops/s"
          " | on SET / GET ops/s | scrapes (on) | idle proxy ticks (off / on run) |")
    print("|---:|---|---:|---:|---:|---:|---:|---:|---:|")
    ratios = []
    for rnd in sorted(rounds):
        m = rounds[rnd]
        off, on = m.get("off"), m.get("on")
        order = "/".join(x["mode"] for x in sorted(m.values(), key=lambda x: int(x["seq"])))
        uoff, uon = num(off, "cpu_us_per_req"), num(on, "cpu_us_per_req")
        ratio = "-"
        if uoff and uon is not None:
            ratios.append(uon / uoff)
            ratio = "%.3f" % (uon / uoff)
        print("| %d | %s | %s | %s | %s | %s / %s | %s / %s | %s | %s / %s |" % (
            rnd, order,
            "-" if uoff is None else "%.3f" % uoff,
            "-" if uon is None else "%.3f" % uon,
            ratio,
            fmt_rps(num(off, "set_rps")), fmt_rps(num(off, "get_rps")),
            fmt_rps(num(on, "set_rps")), fmt_rps(num(on, "get_rps")),
            "-" if not on else on.get("scrapes", "-"),
            "-" if not off else off.get("other_proxy_cpu_ticks", "-"),
            "-" if not on else on.get("other_proxy_cpu_ticks", "-")))

    def vals(mode, field):
        return [float(r[field]) for r in rows if r["mode"] == mode and r.get(field, "") != ""]

    off_us, on_us = vals("off", "cpu_us_per_req"), vals("on", "cpu_us_per_req")
    if not off_us or not on_us:
        print("\nmetrics_cost_report: need at least one 'off' and one 'on' run", file=sys.stderr)
        return 1
    med_off, med_on = statistics.median(off_us), statistics.median(on_us)
    min_off, min_on = min(off_us), min(on_us)
    over_med, over_min = pct(med_on, med_off), pct(min_on, min_off)
    over_pair = (statistics.median(ratios) - 1.0) * 100.0 if ratios else float("nan")

    def med_or_none(mode, field):
        v = vals(mode, field)
        return statistics.median(v) if v else None

    print("\n### Summary\n")
    print("| | metrics off | metrics on | overhead |")
    print("|---|---:|---:|---:|")
    print("| **median** proxy CPU µs/req | %.3f | %.3f | **%+.1f%%** |" % (med_off, med_on, over_med))
    print("| min proxy CPU µs/req | %.3f | %.3f | %+.1f%% |" % (min_off, min_on, over_min))
    print("| median of per-round on/off | | | %+.1f%% |" % over_pair)
    print("| max proxy CPU µs/req | %.3f | %.3f | |" % (max(off_us), max(on_us)))
    for test in ("set", "get"):
        a, b = med_or_none("off", test + "_rps"), med_or_none("on", test + "_rps")
        if a is not None or b is not None:
            tp = "%+.1f%%" % pct(b, a) if a and b else ""
            print("| median %s ops/s | %s | %s | %s |" % (test.upper(), fmt_rps(a), fmt_rps(b), tp))
    print("| runs | %d | %d | |" % (len(off_us), len(on_us)))
    spread = (max(off_us) - min(off_us)) / med_off * 100.0
    verdict = "within" if over_med <= target else "ABOVE"
    print("\nMedian overhead %+.1f%% is %s the %.0f%% target. Spread of the 'off' runs"
          " (max-min)/median: %.1f%%." % (over_med, verdict, target, spread))
    return 0


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/env python3
"""Markdown report of bench/metrics-cost.sh results.

Usage: metrics_cost_report.py [--target PCT] RUN.csv [RUN.csv ...] [--against AA.csv ...]

One CSV (one pair of JVMs): a per-round table and a summary.
Several CSVs (several pairs, e.g. from bench/metrics-cost-pairs.sh): one line
per pair and a summary over the pairs.
With --against: the A/B pairs before it less the A/A pairs after it, that is
the mean overhead of the A/B pairs less the mean "overhead" of the A/A pairs
(two identical JVMs), with a 95 % bootstrap interval: the cost net of the
method's own bias.

Two CPU figures per request, each as overhead % = (on / off - 1) * 100:
- "event loops": CPU of the proxy's resplit-io-* threads, where every request
  is parsed, routed, counted and timed: the hot path;
- "whole JVM": utime+stime of the process, which adds the JIT compiler, the
  GC and, with metrics on, the scrapes.
Within a pair the figure is taken from the medians of the runs; over pairs,
the median of the pairs' figures, with a 95 % bootstrap interval.
"idle proxy ticks" is the CPU the *other* (idle) proxy used during a run: a
large value means that JVM was busy (JIT, GC) and competed for the cores.
"""
import csv
import os
import random
import statistics
import sys

FIGURES = (("loop_us_per_req", "event loops (hot path)"), ("cpu_us_per_req", "whole JVM"))


def pct(on, off):
    return (on / off - 1.0) * 100.0 if off else float("nan")


def fmt_rps(v):
    return "-" if v is None else "%.0f" % v


def num(r, field):
    v = r.get(field, "") if r else ""
    return float(v) if v not in ("", None) else None


def vals(rows, mode, field):
    return [float(r[field]) for r in rows if r["mode"] == mode and r.get(field, "") not in ("", None)]


def overhead(rows, field):
    """(median off, median on, overhead % of the medians) or None when a side has no runs."""
    off, on = vals(rows, "off", field), vals(rows, "on", field)
    if not off or not on:
        return None
    return statistics.median(off), statistics.median(on), pct(statistics.median(on), statistics.median(off))


def per_round(rows):
    rounds = {}
    for r in rows:
        rounds.setdefault(int(r["round"]), {})[r["mode"]] = r
    print("### Per round\n")
    print("| round | order | loops off / on µs/req | on/off | JVM off / on µs/req | on/off"
          " | off SET / GET ops/s | on SET / GET ops/s | scrapes (on) | idle proxy ticks (off / on run) |")
    print("|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    for rnd in sorted(rounds):
        m = rounds[rnd]
        off, on = m.get("off"), m.get("on")
        order = "/".join(x["mode"] for x in sorted(m.values(), key=lambda x: int(x["seq"])))
        cells = []
        for field, _ in (FIGURES[0], FIGURES[1]):
            a, b = num(off, field), num(on, field)
            cells.append("%s / %s" % ("-" if a is None else "%.3f" % a, "-" if b is None else "%.3f" % b))
            cells.append("%.3f" % (b / a) if a and b is not None else "-")
        print("| %d | %s | %s | %s / %s | %s / %s | %s | %s / %s |" % (
            rnd, order, " | ".join(cells),
            fmt_rps(num(off, "set_rps")), fmt_rps(num(off, "get_rps")),
            fmt_rps(num(on, "set_rps")), fmt_rps(num(on, "get_rps")),
            "-" if not on else on.get("scrapes", "-"),
            "-" if not off else off.get("other_proxy_cpu_ticks", "-"),
            "-" if not on else on.get("other_proxy_cpu_ticks", "-")))


def one_pair(rows, target):
    per_round(rows)
    print("\n### Summary\n")
    print("| CPU µs/req (median of runs) | metrics off | metrics on | overhead |")
    print("|---|---:|---:|---:|")
    main = None
    for field, name in FIGURES:
        o = overhead(rows, field)
        if o is None:
            continue
        main = main if main is not None else o[2]
        print("| %s | %.3f | %.3f | **%+.1f%%** |" % (name, o[0], o[1], o[2]))
    for test in ("set", "get"):
        v_off, v_on = vals(rows, "off", test + "_rps"), vals(rows, "on", test + "_rps")
        if v_off and v_on:
            a, b = statistics.median(v_off), statistics.median(v_on)
            print("| median %s ops/s | %s | %s | %+.1f%% |" % (test.upper(), fmt_rps(a), fmt_rps(b), pct(b, a)))
    print("| runs | %d | %d | |" % (len(vals(rows, "off", "cpu_us_per_req")), len(vals(rows, "on", "cpu_us_per_req"))))
    if main is None:
        print("\nmetrics_cost_report: need at least one 'off' and one 'on' run", file=sys.stderr)
        return 1
    print("\nOne pair of JVMs: two identical JVMs already differ by several per cent (bench/README.md, A/A runs), "
          "so judge the %.0f%% target over many pairs (bench/metrics-cost-pairs.sh)." % target)
    return 0


def bootstrap_median_ci(xs, rounds=10000, seed=1):
    rnd = random.Random(seed)
    meds = sorted(statistics.median(rnd.choices(xs, k=len(xs))) for _ in range(rounds))
    return meds[int(0.025 * rounds)], meds[int(0.975 * rounds) - 1]


def load(path):
    with open(path, newline="") as f:
        return list(csv.DictReader(f))


def is_aa(path, rows):
    """Whether a run was A/A: its kind column, or for CSVs older than that column, its report beside it."""
    kinds = {r.get("kind") for r in rows if r.get("kind")}
    if kinds:
        return kinds == {"aa"}
    md = os.path.splitext(path)[0] + ".md"
    return os.path.exists(md) and "- A/A run (AA=1)" in open(md).read()


def pair_overheads(files):
    """Per figure, each file's overhead of the medians."""
    out = {f: [] for f, _ in FIGURES}
    for path in files:
        rows = load(path)
        for field, _ in FIGURES:
            o = overhead(rows, field)
            if o is not None:
                out[field].append(o[2])
    return out


def against(ab_files, aa_files):
    for path in ab_files + aa_files:
        if is_aa(path, load(path)) != (path in aa_files):
            print("metrics_cost_report: %s is on the wrong side of --against" % path, file=sys.stderr)
            return 1
    ab, aa = pair_overheads(ab_files), pair_overheads(aa_files)
    rnd = random.Random(1)
    print("| CPU per request | A/B pairs: mean (sd) | A/A pairs: mean (sd) | A/B less A/A | 95% interval |")
    print("|---|---:|---:|---:|---:|")
    for field, name in FIGURES:
        a, b = ab[field], aa[field]
        if len(a) < 2 or len(b) < 2:
            continue
        diffs = sorted(statistics.fmean(rnd.choices(a, k=len(a))) - statistics.fmean(rnd.choices(b, k=len(b)))
                       for _ in range(10000))
        print("| %s | %+.1f%% (%.1f), %d pairs | %+.1f%% (%.1f), %d pairs | **%+.1f%%** | %+.1f%% .. %+.1f%% |" % (
            name, statistics.fmean(a), statistics.stdev(a), len(a), statistics.fmean(b), statistics.stdev(b),
            len(b), statistics.fmean(a) - statistics.fmean(b), diffs[249], diffs[9749]))
    return 0


def many_pairs(files, target):
    print("### Per pair of JVMs (overhead of the medians of its runs)\n")
    print("| pair | file | on started first | A/A | event loops | whole JVM | loops off µs/req |")
    print("|---:|---|---|---|---:|---:|---:|")
    figures = {f: [] for f, _ in FIGURES}
    aa_flags = set()
    for i, path in enumerate(files, 1):
        rows = load(path)
        md = os.path.splitext(path)[0] + ".md"
        notes = open(md).read() if os.path.exists(md) else ""
        aa = is_aa(path, rows)
        aa_flags.add(aa)
        cells = []
        for field, _ in FIGURES:
            o = overhead(rows, field)
            cells.append("-" if o is None else "%+.1f%%" % o[2])
            if o is not None:
                figures[field].append(o[2])
        lo = overhead(rows, "loop_us_per_req")
        print("| %d | %s | %s | %s | %s | %s | %s |" % (
            i, os.path.basename(path), "yes" if "(ON_FIRST=1)" in notes else "no", "yes" if aa else "no",
            cells[0], cells[1], "-" if lo is None else "%.3f" % lo[0]))
    if len(aa_flags) > 1:
        print("\nmetrics_cost_report: A/A and A/B files mixed; report them separately", file=sys.stderr)
        return 1
    print("\n### Over %d pairs\n" % len(files))
    print("| CPU per request | median overhead | 95%% interval of the median | mean | pairs above %.0f%% |" % target)
    print("|---|---:|---:|---:|---:|")
    verdicts = []
    for field, name in FIGURES:
        xs = figures[field]
        if not xs:
            continue
        lo, hi = bootstrap_median_ci(xs)
        med = statistics.median(xs)
        verdicts.append((name, med, hi))
        print("| %s | **%+.1f%%** | %+.1f%% .. %+.1f%% | %+.1f%% | %d of %d |" % (
            name, med, lo, hi, statistics.fmean(xs), sum(1 for x in xs if x > target), len(xs)))
    print()
    for name, med, hi in verdicts:
        where = "within" if med <= target else "ABOVE"
        print("- %s: median %+.1f%% is %s the %.0f%% target (upper end of the interval %+.1f%%)." % (
            name, med, where, target, hi))
    return 0


def main() -> int:
    args = sys.argv[1:]
    target = 5.0
    if len(args) >= 2 and args[0] == "--target":
        target = float(args[1])
        args = args[2:]
    elif len(args) == 2 and not args[1].endswith(".csv"):
        target = float(args[1])  # the older form: RUN.csv TARGET_PCT
        args = args[:1]
    if not args:
        print(__doc__.strip(), file=sys.stderr)
        return 2
    if "--against" in args:
        i = args.index("--against")
        if i < 2 or len(args) - i - 1 < 2:
            print("metrics_cost_report: --against needs at least two A/B and two A/A files", file=sys.stderr)
            return 2
        return against(args[:i], args[i + 1:])
    if len(args) == 1:
        with open(args[0], newline="") as f:
            rows = list(csv.DictReader(f))
        if not rows:
            print("metrics_cost_report: no data rows in %s" % args[0], file=sys.stderr)
            return 1
        return one_pair(rows, target)
    return many_pairs(args, target)


if __name__ == "__main__":
    sys.exit(main())

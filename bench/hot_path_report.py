#!/usr/bin/env python3
"""Report of a bench/hot-path.sh run: allocation per request, CPU profile and system calls per request.

Usage: hot_path_report.py --dir RESULTS/hot-path-STAMP [--prefix resplit-io-] [--clk-tck 100] [--top 15]

Reads, in --dir: profile.csv (per cell: requests, the event loop's user/system ticks and ns), CELL.jfr (one JFR
recording per cell), syscalls.csv (per proxy and cell: syscall counts, utime/stime) and perf-TARGET-CELL.data.

- Allocation: jdk.ThreadAllocationStatistics gives each thread's allocated bytes (a running total) at the start
  and the end of the recording: their difference over the requests is exact. jdk.ObjectAllocationSample events
  are weighted samples (weight = bytes the thread allocated since its previous sample): their shares name the
  sites, scaled to bytes per request by the exact total.
- CPU: jdk.ExecutionSample of the event loop (Java code only; kernel time is not sampled): self time by the
  leaf frame, and the coarse split by the leaf frame's package, scaled by user / (user + system) of the thread.
- System calls and perf: counts per request of the whole process; perf's cpu-clock samples split into kernel,
  JIT-compiled Java, the JVM itself, libc and Netty's JNI library.
"""
import argparse
import collections
import csv
import glob
import json
import os
import re
import subprocess
import sys

sys.dont_write_bytecode = True  # no __pycache__ beside the scripts
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from jfr_share import samples  # noqa: E402  (the streaming reader of execution samples)

GROUPS = (  # coarse split of the event loop's Java samples by the leaf frame
    ("resplit (io.resplit.*)", re.compile(r"^io\.resplit\.")),
    ("Netty (io.netty.*)", re.compile(r"^io\.netty\.")),
    ("JDK (java.*, jdk.*, sun.*)", re.compile(r"^(java|javax|jdk|sun)\.")),
)


JDK = re.compile(r"^(java|javax|jdk|sun)\.")


def jfr_json(recording, events):
    out = subprocess.run(["jfr", "print", "--json", "--stack-depth", "64", "--events", events, recording],
                         check=True, capture_output=True, text=True).stdout
    return json.loads(out)["recording"]["events"]


def frame_name(fr):
    m = fr.get("method") or {}
    return ("%s.%s" % ((m.get("type") or {}).get("name", "?"), m.get("name", "?"))).replace("/", ".")


def thread_name(t):
    return (t or {}).get("javaName") or (t or {}).get("osName") or "?"


def alloc(recording, prefix, requests, top):
    events = jfr_json(recording, "jdk.ObjectAllocationSample,jdk.ThreadAllocationStatistics")
    per_thread = collections.defaultdict(list)
    sites = collections.Counter()
    sites_resplit = collections.Counter()
    total_weight = 0
    samples_n = [0]
    seen = set()  # threads whose first sample has gone by: its weight counts from before the recording
    for e in sorted(events, key=lambda e: e["values"].get("startTime", "")):
        v = e["values"]
        if e["type"] == "jdk.ThreadAllocationStatistics":
            per_thread[(thread_name(v.get("thread")), (v.get("thread") or {}).get("javaThreadId"))].append(
                int(v["allocated"]))
        elif thread_name(v.get("eventThread")).startswith(prefix):
            tid = (v.get("eventThread") or {}).get("javaThreadId")
            if tid not in seen:
                seen.add(tid)
                continue
            w = int(v.get("weight") or 0)
            stack = (v.get("stackTrace") or {}).get("frames") or []
            frames = [frame_name(f) for f in stack]
            cls = (v.get("objectClass") or {}).get("name", "?").replace("/", ".")
            leaf = frames[0] if frames else "?"
            own = next(("%s:%s" % (frame_name(f), f.get("lineNumber", "?")) for f in stack
                        if frame_name(f).startswith("io.resplit.")), "-")
            sites[(cls, leaf, own)] += w
            sites_resplit[own.split(":")[0]] += w
            total_weight += w
            samples_n[0] += 1
    loop = sum(max(v) - min(v) for (name, _), v in per_thread.items() if name.startswith(prefix))
    jvm = sum(max(v) - min(v) for v in per_thread.values())
    return loop / requests, jvm / requests, sites, sites_resplit, total_weight, samples_n[0]


def cpu(recording, prefix, top):
    total = 0
    self_ = collections.Counter()
    groups = collections.Counter()
    own_incl = collections.Counter()
    for frames in samples(recording, prefix):
        total += 1
        self_[frames[0]] += 1
        g = next((name for name, pat in GROUPS if pat.match(frames[0])), "other")
        groups[g] += 1
        for f in set(frames):
            if f.startswith("io.resplit."):
                own_incl[f] += 1
    return total, self_, groups, own_incl


def perf_kind(dso, sym):
    """What a perf sample's code is: the kernel, Java (by package, when the JVM's perf map names it), the JVM."""
    if sym.startswith("[k]") or "kernel" in dso:
        return "kernel"
    if "libjvm" in dso:
        return "JVM (libjvm: GC, JIT, runtime)"
    if "netty" in dso:
        return "Netty JNI"
    if dso.startswith("libc") or "libc.so" in dso or "libpthread" in dso:
        return "libc"
    name = sym[4:].replace("/", ".") if sym[:1] == "[" else sym.replace("/", ".")
    if "io.resplit." in name:
        return "Java: resplit"
    if "io.netty." in name:
        return "Java: Netty"
    if re.search(r"\b(java|jdk|sun)\.", name):
        return "Java: JDK"
    if dso.startswith("perf-") or dso.startswith("[JIT]") or dso == "[unknown]":
        return "Java: stubs / interpreter / unnamed"
    return "own binary / other"


KINDS = ("kernel", "Java: resplit", "Java: Netty", "Java: JDK", "Java: stubs / interpreter / unnamed",
         "JVM (libjvm: GC, JIT, runtime)", "libc", "Netty JNI", "own binary / other")


def perf_split(data, comm_prefix=None):
    """Shares of perf cpu-clock samples (of the threads whose name starts with comm_prefix, if given): by kind of
    code, and by symbol (self time)."""
    try:
        out = subprocess.run(["perf", "report", "-i", data, "--stdio", "--no-children", "--sort", "comm,dso,sym",
                              "-t", "|"], check=True, capture_output=True, text=True).stdout
    except (OSError, subprocess.CalledProcessError):
        return None
    kinds = collections.Counter()
    syms = collections.Counter()
    for line in out.splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        f = [x.strip() for x in line.split("|")]
        if len(f) < 4 or not f[0].endswith("%"):
            continue
        pct, comm, dso, sym = float(f[0][:-1]), f[1], f[2], f[3]
        if comm_prefix and not comm.startswith(comm_prefix):
            continue
        kinds[perf_kind(dso, sym)] += pct
        syms[sym] += pct
    total = sum(kinds.values())
    if total:
        for k in kinds:
            kinds[k] *= 100 / total
        for k in syms:
            syms[k] *= 100 / total
    return kinds, syms


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--dir", required=True)
    ap.add_argument("--prefix", default="resplit-io-")
    ap.add_argument("--clk-tck", type=int, default=100)
    ap.add_argument("--top", type=int, default=15)
    a = ap.parse_args()
    cells = list(csv.DictReader(open(os.path.join(a.dir, "profile.csv"))))

    print("## Allocation per request (resplit, event-loop thread)\n")
    print("| cell | requests | ops/s | event loop B/req | whole JVM B/req | event loop CPU µs/req (user + system) |")
    print("|---|---:|---:|---:|---:|---:|")
    details = []
    for c in cells:
        n = int(c["requests"])
        rec = os.path.join(a.dir, c["cell"] + ".jfr")
        loop_b, jvm_b, sites, own, tw, ns = alloc(rec, a.prefix, n, a.top)
        u, s = int(c["loop_user_ticks"]), int(c["loop_system_ticks"])
        print("| %s | %d | %s | %.1f | %.1f | %.2f (%.2f + %.2f) |" % (
            c["cell"].upper(), n, c["rps"], loop_b, jvm_b, int(c["loop_ns"]) / 1000 / n,
            u / a.clk_tck * 1e6 / n, s / a.clk_tck * 1e6 / n))
        details.append((c, loop_b, sites, own, tw, ns))
    for c, loop_b, sites, own, tw, ns in details:
        if not tw:
            continue
        print("\n### Allocation sites, %s (%d samples; share of their weight; B/req = share x %.1f)\n" % (
            c["cell"].upper(), ns, loop_b))
        print("| share | B/req | class | allocated in | first resplit frame: line |")
        print("|---:|---:|---|---|---|")
        for (cls, leaf, first_own), w in sites.most_common(a.top):
            print("| %.1f%% | %.1f | %s | %s | %s |" % (100 * w / tw, loop_b * w / tw, cls, leaf, first_own))
        print("\nBy first resplit frame: " + "; ".join(
            "%s %.1f%%" % (f, 100 * w / tw) for f, w in own.most_common(8)))

    print("\n## CPU profile of the event loop (JFR execution samples)\n")
    for c in cells:
        rec = os.path.join(a.dir, c["cell"] + ".jfr")
        total, self_, groups, own_incl = cpu(rec, a.prefix, a.top)
        u, s = int(c["loop_user_ticks"]), int(c["loop_system_ticks"])
        n = int(c["requests"])
        java_share = u / (u + s) if u + s else float("nan")
        print("### %s: %d samples; event loop %.2f µs/req: system %.0f%%, user %.0f%%\n" % (
            c["cell"].upper(), total, int(c["loop_ns"]) / 1000 / n, 100 * (1 - java_share), 100 * java_share))
        if not total:
            continue
        print("| part | share of Java samples (leaf frame) | share of the event loop's CPU |")
        print("|---|---:|---:|")
        print("| kernel (system time: syscalls, TCP, epoll) | – | %.0f%% |" % (100 * (1 - java_share)))
        for name in [g for g, _ in GROUPS] + ["other"]:
            print("| %s | %.1f%% | %.0f%% |" % (name, 100 * groups[name] / total, 100 * groups[name] / total * java_share))
        print("\nTop frames, self (of the Java samples):\n")
        for f, k in self_.most_common(a.top):
            print("- %5.1f%% %s" % (100 * k / total, f))
        print("\nresplit methods, inclusive (on the stack):\n")
        for f, k in own_incl.most_common(a.top):
            print("- %5.1f%% %s" % (100 * k / total, f))
        print()

    path = os.path.join(a.dir, "syscalls.csv")
    rows = list(csv.DictReader(open(path))) if os.path.exists(path) else []
    if rows:
        print("## System calls per request (whole process)\n")
        names = ["all", "read", "write", "readv", "writev", "recvfrom", "sendto", "recvmsg", "sendmsg",
                 "epoll_wait", "epoll_pwait", "epoll_pwait2", "epoll_ctl", "futex", "io_uring_enter"]
        keyed = collections.OrderedDict()
        for r in rows:
            k = (r["cell"], r["target"])
            keyed.setdefault(k, {"n": int(r["requests"]), "rps": r["rps"], "u": int(r["user_ticks"]),
                                 "s": int(r["system_ticks"]), "calls": {}})
            keyed[k]["calls"][r["syscall"]] = int(r["count"])
        used = [x for x in names if any(v["calls"].get(x) for v in keyed.values())]
        for v in keyed.values():
            v["calls"]["other"] = v["calls"].get("all", 0) - sum(v["calls"].get(x, 0) for x in used if x != "all")
        used.append("other")
        print("| cell | target | ops/s | CPU µs/req user + system | " + " | ".join(used) + " |")
        print("|---|---|---:|---:|" + "---:|" * len(used))
        for (cell, t), v in sorted(keyed.items(), key=lambda kv: (kv[0][0], kv[0][1] != "resplit", kv[0][1])):
            n = v["n"]
            cpu_s = "%.2f + %.2f" % (v["u"] / a.clk_tck * 1e6 / n, v["s"] / a.clk_tck * 1e6 / n)
            print("| %s | %s | %s | %s | %s |" % (cell.upper(), t, v["rps"], cpu_s, " | ".join(
                "%.3f" % (v["calls"].get(x, 0) / n) for x in used)))
    datas = sorted(glob.glob(os.path.join(a.dir, "perf-*.data")))
    if datas:
        print("\n## Where each proxy's CPU goes (perf cpu-clock samples, whole process, kernel included)\n")
        print("| target, cell | " + " | ".join(KINDS) + " |")
        print("|---|" + "---:|" * len(KINDS))
        split = {}
        for d in datas:
            name = os.path.basename(d)[len("perf-"):-len(".data")]
            for label, comm in ((name, None), (name + ", event loop only", a.prefix)):
                if comm and not name.startswith("resplit"):
                    continue
                r = perf_split(d, comm)
                if r is None or not r[1]:
                    continue
                split[label] = r
                print("| %s | %s |" % (label, " | ".join("%.1f%%" % r[0][k] for k in KINDS)))
        for name, (kinds, syms) in split.items():
            print("\nTop symbols, self, %s ([k] kernel, [.] user; Java methods named by the JVM's perf map):\n" % name)
            for sym, pct in syms.most_common(a.top):
                print("- %5.1f%% %s" % (pct, sym))
    return 0


if __name__ == "__main__":
    sys.exit(main())

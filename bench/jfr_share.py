#!/usr/bin/env python3
"""Share of a proxy's event-loop CPU samples spent in given code, from a JFR recording.

Usage: jfr_share.py RECORDING.jfr THREAD_PREFIX USER_TICKS SYSTEM_TICKS

Reads jdk.ExecutionSample events (via `jfr print`) of the threads whose name
starts with THREAD_PREFIX, and counts the samples with a frame anywhere in
their stack that belongs to each group below (inlined frames included: the
proxy runs with -XX:+DebugNonSafepoints). A sample is a moment the thread ran
Java code, so the share is of the Java part of the threads' CPU; the kernel
part (system time: syscalls, TCP) is not sampled. USER_TICKS and SYSTEM_TICKS
(the threads' utime and stime over the recording) turn it into a share of
all their CPU: share of Java samples x user / (user + system). User time also
holds native code outside Java (epoll), so that is an upper bound.
"""
import collections
import re
import subprocess
import sys

# what each figure counts: a sample counts for a group when one of its frames matches
GROUPS = (
    ("metrics (CommandMeters, io.resplit.metrics)", re.compile(r"^io\.resplit\.(server\.CommandMeters|metrics)\.")),
    ("slow log (SlowRequests, io.resplit.slowlog)", re.compile(r"^io\.resplit\.(server\.SlowRequests|slowlog)\.")),
    ("request decoding (RespRequestDecoder)", re.compile(r"^io\.resplit\.resp\.RespRequestDecoder\.")),
    ("routing (io.resplit.route)", re.compile(r"^io\.resplit\.route\.")),
)
FRAME = re.compile(r"^\s+([\w.$<>]+)\(")


def samples(recording, prefix):
    """The stacks (innermost frame first) of the execution samples of threads named PREFIX*, read as a stream:
    `jfr print` of a 1 ms recording runs to hundreds of megabytes."""
    cmd = ["jfr", "print", "--events", "jdk.ExecutionSample", "--stack-depth", "128", recording]
    with subprocess.Popen(cmd, stdout=subprocess.PIPE, text=True) as proc:
        thread, frames, in_stack = None, [], False
        for line in proc.stdout:
            if line.startswith("jdk.ExecutionSample {"):
                thread, frames, in_stack = None, [], False
            elif line.startswith("}"):
                if thread is not None and thread.startswith(prefix) and frames:
                    yield frames
            elif "sampledThread = " in line:
                m = re.search(r'sampledThread = "([^"]*)"', line)
                thread = m.group(1) if m else None
            elif "stackTrace = [" in line:
                in_stack = True
            elif in_stack:
                f = FRAME.match(line)
                if f:
                    frames.append(f.group(1))
    if proc.returncode != 0:
        raise SystemExit("jfr_share: jfr print failed (exit %d)" % proc.returncode)


def main() -> int:
    if len(sys.argv) != 5:
        print(__doc__.strip(), file=sys.stderr)
        return 2
    recording, prefix = sys.argv[1], sys.argv[2]
    user, system = int(sys.argv[3]), int(sys.argv[4])
    total = 0
    hits = collections.Counter()
    top = collections.Counter()
    inside_metrics = collections.Counter()  # per metrics sample: the innermost metrics frame, and the leaf
    metrics_name, metrics_pattern = GROUPS[0]
    for frames in samples(recording, prefix):
        total += 1
        top[frames[0]] += 1
        for name, pattern in GROUPS:
            if any(pattern.match(f) for f in frames):
                hits[name] += 1
        innermost = next((f for f in frames if metrics_pattern.match(f)), None)
        if innermost is not None:
            inside_metrics[(innermost, frames[0])] += 1
    if total == 0:
        print("jfr_share: no execution samples of threads %s* in %s" % (prefix, recording), file=sys.stderr)
        return 1
    java_share = user / (user + system) if user + system else float("nan")
    print("| code | samples | share of Java samples | share of event-loop CPU (upper bound) |")
    print("|---|---:|---:|---:|")
    for name, _ in GROUPS:
        s = hits[name] / total
        print("| %s | %d | %.2f%% | %.2f%% |" % (name, hits[name], 100 * s, 100 * s * java_share))
    print("| all Java samples of %s* | %d | 100%% | %.1f%% (user / (user + system) = %d / %d ticks) |" % (
        prefix, total, 100 * java_share, user, user + system))
    print("\nTop frames (where the samples landed):\n")
    for frame, n in top.most_common(12):
        print("- %5.2f%% %s" % (100 * n / total, frame))
    print("\nInside the %s: the innermost metrics frame, and where the sample landed:\n" % metrics_name)
    for (frame, leaf), n in inside_metrics.most_common(12):
        print("- %5.2f%% %s%s" % (100 * n / total, frame, "" if leaf == frame else " -> " + leaf))
    return 0


if __name__ == "__main__":
    sys.exit(main())

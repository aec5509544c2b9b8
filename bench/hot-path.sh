#!/usr/bin/env bash
# Where a request's cost goes in resplit, beside the peers: allocation per request, a CPU profile, and system
# calls per request. One master + 2 replicas on 127.0.0.1 (16-byte values filled), resplit with one event loop,
# and predixy and twemproxy (one thread each) for the system-call comparison. In order:
#   1. system calls per request of each proxy (resplit, predixy, twemproxy) for each cell (GET and SET at each
#      depth in PIPELINES) over SYSCALL_N requests: `perf stat` on the syscall tracepoints (whole process), with
#      utime/stime per request, and a `perf record` of the same run split into kernel / Java by package (named by
#      the JVM's Compiler.perfmap) / JVM / libc (PERF_RECORD=1);
#   2. allocation and CPU profile of resplit: for each cell one JFR recording over ALLOC_N requests: the
#      event-loop thread's allocated bytes (jdk.ThreadAllocationStatistics, exact), the top allocation sites
#      (jdk.ObjectAllocationSample, weighted), the execution samples of the event loop (jdk.ExecutionSample every
#      SAMPLE_MS ms) and its user/system CPU (/proc schedstat/stat).
# See bench/README.md ("Where the time and the allocations go"). Env knobs (defaults in brackets):
#   ALLOC_N [1000000]  SYSCALL_N [200000] (P=1; x5 at deeper pipelines)  WARMUP_N [500000] (per test and depth)
#   PIPELINES ["1 16"]  TESTS ["get set"]  CLIENTS [50]  SIZE [16]  KEYSPACE [100000]  SAMPLE_MS [1]
#   PEERS ["predixy twemproxy"]  SYSCALLS [1]  PERF_RECORD [1]  SYSCALL_TOOL [auto: perf, else strace]
#   RESULTS_DIR [bench/results]  RESPLIT_JAR  RESPLIT_JAVA_OPTS  PREDIXY  NUTCRACKER
set -euo pipefail

# shellcheck source=bench/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

ALLOC_N=${ALLOC_N:-1000000}
SYSCALL_N=${SYSCALL_N:-200000}
WARMUP_N=${WARMUP_N:-500000}
PIPELINES=${PIPELINES:-1 16}
TESTS=${TESTS:-get set}
CLIENTS=${CLIENTS:-50}
SIZE=${SIZE:-16}
KEYSPACE=${KEYSPACE:-100000}
SAMPLE_MS=${SAMPLE_MS:-1}
PEERS=${PEERS:-predixy twemproxy}
SYSCALLS=${SYSCALLS:-1}
PERF_RECORD=${PERF_RECORD:-1}
SYSCALL_TOOL=${SYSCALL_TOOL:-auto}
read -r -a PIPELINE_LIST <<<"$PIPELINES"
read -r -a TEST_LIST <<<"${TESTS,,}"
read -r -a PEER_LIST <<<"$PEERS"
SIZE_LIST=("$SIZE")
require_uint ALLOC_N SYSCALL_N WARMUP_N CLIENTS SIZE KEYSPACE SAMPLE_MS
((ALLOC_N >= 1 && SYSCALL_N >= 1 && SAMPLE_MS >= 1)) || die "ALLOC_N, SYSCALL_N and SAMPLE_MS must be >= 1"
require_tests_and_pipelines
for t in "${PEER_LIST[@]}"; do [[ $t == predixy || $t == twemproxy ]] || die "PEERS may only hold predixy and twemproxy"; done
for tool in redis-benchmark jcmd jfr python3; do command -v "$tool" >/dev/null || die "$tool not found in PATH"; done
if [[ $SYSCALL_TOOL == auto ]]; then
    SYSCALL_TOOL=strace
    if command -v perf >/dev/null && perf stat -e raw_syscalls:sys_enter -x, -o /dev/null -- true 2>/dev/null; then
        SYSCALL_TOOL=perf
    fi
fi
[[ $SYSCALL_TOOL == perf || $SYSCALL_TOOL == strace ]] || die "SYSCALL_TOOL must be auto, perf or strace"
if [[ $SYSCALLS == 1 ]]; then command -v "$SYSCALL_TOOL" >/dev/null || die "$SYSCALL_TOOL not found"; fi
if [[ $SYSCALL_TOOL != perf ]]; then PERF_RECORD=0; fi

proxy_preflight
bench_init
read -r -a FREE <<<"$(pick_free_ports 7)"
MASTER_PORT=${FREE[0]} REPLICA1_PORT=${FREE[1]} REPLICA2_PORT=${FREE[2]} PROXY_PORT=${FREE[3]}
PREDIXY_PORT=${FREE[4]} TWEMPROXY_PORT=${FREE[5]} TWEMPROXY_STATS_PORT=${FREE[6]}
cp -- "$RESPLIT_JAR" "$BENCH_TMP/resplit.jar"
JAR_NOTE="${RESPLIT_JAR#"$REPO_ROOT"/} (sha256 $(sha256sum "$RESPLIT_JAR" | cut -c1-12)…)"
RESPLIT_JAR=$BENCH_TMP/resplit.jar

JFC=$BENCH_TMP/profile.jfc
jfr_settings "$JFC" "$SAMPLE_MS"

start_topology --client-output-buffer-limit "replica 0 0 0"
# DebugNonSafepoints: samples name the inlined method they are in, not only the method it was inlined into
JAVA_OPTS_NOTE=${RESPLIT_JAVA_OPTS:-none}
RESPLIT_JAVA_OPTS="${RESPLIT_JAVA_OPTS:-} -XX:+UnlockDiagnosticVMOptions -XX:+DebugNonSafepoints"
PROXY_EXTRA_ARGS=(--io-threads 1 --metrics-port 0 --admin-socket "$BENCH_TMP/admin.sock")
start_proxy
declare -A PORT_OF PID_OF
PORT_OF[resplit]=$PROXY_PORT PID_OF[resplit]=$PROXY_PID
if [[ $SYSCALLS == 1 ]]; then
    for t in "${PEER_LIST[@]}"; do
        if [[ $t == predixy ]]; then
            start_predixy "$PREDIXY_PORT"
            PORT_OF[predixy]=$PREDIXY_PORT PID_OF[predixy]=$PREDIXY_PID
        else
            start_twemproxy "$TWEMPROXY_PORT" "$TWEMPROXY_STATS_PORT"
            PORT_OF[twemproxy]=$TWEMPROXY_PORT PID_OF[twemproxy]=$TWEMPROXY_PID
        fi
    done
fi
fill_keys "$SIZE"

STAMP=$(date +%Y%m%d-%H%M%S)
OUT=$RESULTS_DIR/hot-path-$STAMP
mkdir -p "$OUT"

# load PORT TEST P N: one redis-benchmark run, its CSV to $BENCH_TMP/load.csv
load() {
    bench_run "$BENCH_TMP/load.csv" "$BENCH_TMP/load.err" timeout --kill-after=10 "$BENCH_TIMEOUT" \
        redis-benchmark -h "$BENCH_HOST" -p "$1" -a "$BENCH_PASSWORD" -t "$2" -P "$3" -c "$CLIENTS" -n "$4" \
        -d "$SIZE" -r "$KEYSPACE" --csv || { show_log_tail "$BENCH_TMP/load.err"; die "redis-benchmark failed (port $1)"; }
    if [[ $2 == set ]]; then wait_replicas_synced 60000; fi
}

for t in resplit "${PEER_LIST[@]}"; do
    [[ -n ${PORT_OF[$t]:-} ]] || continue
    log "warm-up of $t: $WARMUP_N requests per test and depth (not recorded)"
    for p in "${PIPELINE_LIST[@]}"; do
        for test in "${TEST_LIST[@]}"; do if ((WARMUP_N > 0)); then load "${PORT_OF[$t]}" "$test" "$p" "$WARMUP_N"; fi; done
    done
done

# forget_pids PID...: tracers that have ended leave the list of processes the EXIT trap stops (their ids may be reused)
forget_pids() {
    local keep=() p x drop
    for p in "${BENCH_PIDS[@]}"; do
        drop=0
        for x in "$@"; do if [[ $p == "$x" ]]; then drop=1; fi; done
        if ((drop == 0)); then keep+=("$p"); fi
    done
    BENCH_PIDS=("${keep[@]}")
}

# ---- 1. system calls per request, each proxy (before any JFR recording: its threads stay) ----------------------
SYSCALL_EVENTS=raw_syscalls:sys_enter
for s in read write readv writev recvfrom sendto recvmsg sendmsg epoll_wait epoll_pwait epoll_pwait2 epoll_ctl futex io_uring_enter; do
    if perf list "syscalls:sys_enter_$s" 2>/dev/null | grep -q "sys_enter_$s "; then
        SYSCALL_EVENTS+=",syscalls:sys_enter_$s"
    fi
done
echo "target,cell,requests,rps,user_ticks,system_ticks,syscall,count" >"$OUT/syscalls.csv"
if [[ $SYSCALLS == 1 ]]; then
    for p in "${PIPELINE_LIST[@]}"; do
        n=$SYSCALL_N
        if ((p > 1)); then n=$((SYSCALL_N * 5)); fi
        for test in "${TEST_LIST[@]}"; do
            for t in resplit "${PEER_LIST[@]}"; do
                pid=${PID_OF[$t]}
                cell=$test-p$p
                stat_out=$OUT/syscalls-$t-$cell.txt
                if [[ $SYSCALL_TOOL == perf ]]; then
                    perf stat -e "$SYSCALL_EVENTS" -x, -o "$stat_out" -p "$pid" &
                else
                    strace -c -f -q -o "$stat_out" -p "$pid" &
                fi
                tracer=$!
                BENCH_PIDS+=("$tracer")
                rec_pid=""
                if [[ $PERF_RECORD == 1 ]]; then
                    perf record -q -e cpu-clock -F 2000 -p "$pid" -o "$OUT/perf-$t-$cell.data" >/dev/null 2>&1 &
                    rec_pid=$!
                    BENCH_PIDS+=("$rec_pid")
                fi
                sleep 1 # attach
                c0=$(<"/proc/$pid/stat")
                load "${PORT_OF[$t]}" "$test" "$p" "$n"
                c1=$(<"/proc/$pid/stat")
                kill -INT "$tracer" 2>/dev/null || true
                wait "$tracer" 2>/dev/null || true
                if [[ -n $rec_pid ]]; then kill -INT "$rec_pid" 2>/dev/null || true; wait "$rec_pid" 2>/dev/null || true; fi
                forget_pids "$tracer" "$rec_pid"
                read -r -a f0 <<<"${c0##*) }"
                read -r -a f1 <<<"${c1##*) }"
                read -r rps _ <<<"$(rb_row "$BENCH_TMP/load.csv" "$test")"
                python3 - "$SYSCALL_TOOL" "$stat_out" "$t,$cell,$n,$rps,$((f1[11] - f0[11])),$((f1[12] - f0[12]))" \
                    >>"$OUT/syscalls.csv" <<'PY'
import re, sys
tool, path, prefix = sys.argv[1:4]
for line in open(path):
    if tool == "perf":
        f = line.strip().split(",")
        if len(f) > 2 and f[0].isdigit():
            print("%s,%s,%s" % (prefix, f[2].split(":")[-1].replace("sys_enter_", "").replace("sys_enter", "all"), f[0]))
    else:  # strace -c: "% time seconds usecs/call calls errors syscall", and a "total" line
        f = line.split()
        if len(f) >= 5 and re.match(r"^[\d.]+$", f[0]) and f[3].isdigit():
            print("%s,%s,%s" % (prefix, "all" if f[-1] == "total" else f[-1], f[3]))
PY
                log "syscalls $t ${test^^} P=$p: $n requests at $rps ops/s"
            done
        done
    done
fi

# the JIT-compiled methods' names for perf report (JDK 17+: Compiler.perfmap writes /tmp/perf-PID.map)
PERF_MAP=""
if [[ $PERF_RECORD == 1 ]] && jcmd "$PROXY_PID" Compiler.perfmap >/dev/null 2>&1; then PERF_MAP=/tmp/perf-$PROXY_PID.map; fi

# ---- 2. allocation and CPU profile of resplit's event loop --------------------------------------------------------
echo "cell,requests,rps,loop_user_ticks,loop_system_ticks,loop_ns" >"$OUT/profile.csv"
for p in "${PIPELINE_LIST[@]}"; do
    for test in "${TEST_LIST[@]}"; do
        cell=$test-p$p
        rec=$OUT/$cell.jfr
        jcmd "$PROXY_PID" JFR.start name=hot-path settings="$JFC" >/dev/null
        read -r ns0 u0 s0 <<<"$(proc_threads_cpu "$PROXY_PID" "$LOOP_THREADS")"
        log "profiling resplit ${test^^} P=$p: $ALLOC_N requests (JFR: allocation, execution samples every ${SAMPLE_MS} ms)"
        load "$PROXY_PORT" "$test" "$p" "$ALLOC_N"
        read -r ns1 u1 s1 <<<"$(proc_threads_cpu "$PROXY_PID" "$LOOP_THREADS")"
        jcmd "$PROXY_PID" JFR.stop name=hot-path filename="$rec" >/dev/null
        read -r rps _ <<<"$(rb_row "$BENCH_TMP/load.csv" "$test")"
        echo "$cell,$ALLOC_N,$rps,$((u1 - u0)),$((s1 - s0)),$((ns1 - ns0))" >>"$OUT/profile.csv"
    done
done

log "parsing the recordings (jfr print; takes a while)"
{
    printf '# resplit hot path %s\n\n' "$STAMP"
    printf -- '- host: %s, %s CPUs, kernel %s; %s; %s\n' "$(uname -n)" "$(nproc)" "$(uname -r)" \
        "$(redis-server --version | cut -d' ' -f1-3)" "$(java -version 2>&1 | head -n 1)"
    printf -- '- git: %s; jar: %s; java opts: %s (+ -XX:+DebugNonSafepoints); resplit --io-threads 1, metrics off\n' \
        "$(git -C "$REPO_ROOT" describe --always --dirty 2>/dev/null || echo none)" "$JAR_NOTE" "$JAVA_OPTS_NOTE"
    printf -- '- redis-benchmark -c %s -d %s -r %s; profile: %s requests per cell; system calls: %s (P=1) and %s (deeper) per cell, counted with %s\n\n' \
        "$CLIENTS" "$SIZE" "$KEYSPACE" "$ALLOC_N" "$SYSCALL_N" "$((SYSCALL_N * 5))" "$SYSCALL_TOOL"
    python3 "$BENCH_DIR/hot_path_report.py" --dir "$OUT" --prefix "$LOOP_THREADS" --clk-tck "$(getconf CLK_TCK)"
} >"$OUT/report.md"
if [[ -n $PERF_MAP ]]; then mv -f -- "$PERF_MAP" "$OUT/" 2>/dev/null || true; fi
printf '\n'
cat "$OUT/report.md"
log "wrote $OUT/report.md (recordings beside it: jfr print --events jdk.ObjectAllocationSample|jdk.ExecutionSample FILE)"

#!/usr/bin/env bash
# Where a metrics-on proxy's event loops spend their CPU, from a JFR profile:
# the share of samples inside the metrics code (CommandMeters and the
# io.resplit.metrics package), beside the slow log, request decoding and
# routing. It complements bench/metrics-cost.sh: an A/B comparison of two JVMs
# carries several per cent of JVM-to-JVM noise, while a profile of one JVM
# attributes the cost to code directly and repeats within a fraction of a per
# cent. See bench/README.md ("Cost of metrics"). Env knobs (defaults in brackets):
#   N [4000000] (per test, profiled)  WARMUP_N [1000000]  P [16]  CLIENTS [50]
#   SIZE [16]  TESTS [get,set]  SAMPLE_MS [1] (JFR sampling period)  PIN [1]
#   SCRAPES [200] (scrapes timed at the end, with no load, for the cost of one)
#   PROXY_CPU [1]  LOAD_CPU [0]  RESULTS_DIR [bench/results]  RESPLIT_JAVA_OPTS
set -euo pipefail

# shellcheck source=bench/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

N=${N:-4000000}
WARMUP_N=${WARMUP_N:-1000000}
P=${P:-16}
CLIENTS=${CLIENTS:-50}
SIZE=${SIZE:-16}
TESTS=${TESTS:-get,set}
SAMPLE_MS=${SAMPLE_MS:-1}
SCRAPES=${SCRAPES:-200}
PIN=${PIN:-1}
PROXY_CPU=${PROXY_CPU:-1}
LOAD_CPU=${LOAD_CPU:-0}
RESULTS_DIR=${RESULTS_DIR:-$BENCH_DIR/results}
LOOP_THREADS=resplit-io-
for v in N WARMUP_N P CLIENTS SIZE SAMPLE_MS SCRAPES; do
    [[ ${!v} =~ ^[0-9]+$ ]] || die "$v must be a non-negative integer (got '${!v}')"
done
((N >= 1 && P >= 1 && CLIENTS >= 1 && SIZE >= 1 && SAMPLE_MS >= 1 && SCRAPES >= 1)) \
    || die "N, P, CLIENTS, SIZE, SAMPLE_MS and SCRAPES must be >= 1"
[[ $TESTS =~ ^(get|set)(,(get|set))?$ ]] || die "TESTS must be get, set or get,set (got '$TESTS')"
[[ $PIN == 0 || $PIN == 1 ]] || die "PIN must be 0 or 1 (got '$PIN')"
for tool in redis-benchmark jcmd jfr python3 curl; do
    command -v "$tool" >/dev/null || die "$tool not found in PATH (jcmd and jfr come with the JDK)"
done
if [[ $PIN == 1 ]]; then command -v taskset >/dev/null || die "PIN=1 needs taskset (util-linux)"; fi

proxy_preflight
bench_init
bench_assign_ports
METRICS_PORT=$(pick_free_ports 1)

# The JDK's "profile" settings with the execution sampler at SAMPLE_MS (its default, 10-20 ms, gives too few
# samples of a short run to resolve a share of a few per cent).
JFC=$BENCH_TMP/sampling.jfc
jfr_settings "$JFC" "$SAMPLE_MS"

start_topology --client-output-buffer-limit "replica 0 0 0"
# DebugNonSafepoints: samples name the inlined method they are in, not only the method it was inlined into
RESPLIT_JAVA_OPTS="${RESPLIT_JAVA_OPTS:-} -XX:+UnlockDiagnosticVMOptions -XX:+DebugNonSafepoints"
PROXY_EXTRA_ARGS=(--metrics-port "$METRICS_PORT" --admin-socket "$BENCH_TMP/admin.sock")
start_proxy
PIN_LOAD=()
if [[ $PIN == 1 ]]; then
    taskset -a -p -c "$PROXY_CPU" "$PROXY_PID" >/dev/null
    for pid in "$MASTER_PID" "$REPLICA1_PID" "$REPLICA2_PID"; do taskset -a -p -c "$LOAD_CPU" "$pid" >/dev/null; done
    PIN_LOAD=(taskset -c "$LOAD_CPU")
    log "pinned: proxy on CPU $PROXY_CPU, Redis nodes and redis-benchmark on CPU $LOAD_CPU"
fi

load() {
    "${PIN_LOAD[@]}" redis-benchmark -h "$BENCH_HOST" -p "$PROXY_PORT" -a "$BENCH_PASSWORD" \
        -t "$TESTS" -P "$P" -c "$CLIENTS" -n "$1" -d "$SIZE" -q >"$BENCH_TMP/load.out" 2>&1 \
        || { show_log_tail "$BENCH_TMP/load.out"; die "redis-benchmark failed"; }
}

# utime and stime (ticks) of the event loops
loop_ticks() {
    local ns u s
    read -r ns u s <<<"$(proc_threads_cpu "$PROXY_PID" "$LOOP_THREADS")"
    printf '%d %d' "$u" "$s"
}

if ((WARMUP_N > 0)); then
    log "warming up: $WARMUP_N requests per test, not recorded"
    load "$WARMUP_N"
    wait_replicas_synced 60000
fi
read -r u0 s0 <<<"$(loop_ticks)"
((u0 + s0 > 0)) || die "no thread named $LOOP_THREADS* with CPU time (renamed event loops?)"
RECORDING=$BENCH_TMP/profile.jfr
jcmd "$PROXY_PID" JFR.start name=metrics-profile settings="$JFC" >/dev/null
log "profiling: redis-benchmark -t $TESTS -P $P -c $CLIENTS -n $N -d $SIZE (JFR sampling every $SAMPLE_MS ms)"
load "$N"
jcmd "$PROXY_PID" JFR.stop name=metrics-profile filename="$RECORDING" >/dev/null
read -r u1 s1 <<<"$(loop_ticks)"
commands=$(curl -sf --max-time 10 "http://$BENCH_HOST:$METRICS_PORT/metrics" \
    | awk '/^resplit_commands_total\{/ { s += $NF } END { printf "%d", s }') || die "could not read /metrics"
((commands > 0)) || die "the proxy reports resplit_commands_total = 0: metrics are not on"

# The cost of one scrape, with no load: the whole JVM's CPU (utime+stime, which keeps the time of threads that
# end meanwhile, such as idle JIT compiler threads) over SCRAPES scrapes, after as many unmeasured ones to warm
# the scrape path up.
scrape_times() {
    local i
    for ((i = 0; i < $1; i++)); do
        curl -sf --max-time 10 -o /dev/null "http://$BENCH_HOST:$METRICS_PORT/metrics" || die "scrape $i failed"
    done
}
scrape_times "$SCRAPES"
c0=$(proc_cpu_ticks "$PROXY_PID")
scrape_times "$SCRAPES"
c1=$(proc_cpu_ticks "$PROXY_PID")
scrape_bytes=$(curl -sf --max-time 10 "http://$BENCH_HOST:$METRICS_PORT/metrics" | wc -c)
scrape_ms=$(awk -v t=$((c1 - c0)) -v hz="$(getconf CLK_TCK)" -v n="$SCRAPES" 'BEGIN { printf "%.2f", t / hz * 1000 / n }')

mkdir -p "$RESULTS_DIR"
STAMP=$(date +%Y%m%d-%H%M%S)
REPORT=$RESULTS_DIR/metrics-profile-$STAMP.md
cp -- "$RECORDING" "$RESULTS_DIR/metrics-profile-$STAMP.jfr" # for a closer look: jfr print --events jdk.ExecutionSample
{
    printf '# resplit metrics profile %s\n\n' "$STAMP"
    printf -- '- host: %s, %s CPUs, %s, %s\n' "$(uname -n)" "$(nproc)" \
        "$(redis-server --version | cut -d' ' -f1-3)" "$(java -version 2>&1 | head -n 1)"
    printf -- '- git: %s\n' "$(git -C "$REPO_ROOT" describe --always --dirty 2>/dev/null || echo none)"
    printf -- '- one proxy, metrics on (and the slow log at its default); redis-benchmark -t %s -P %s -c %s -n %s -d %s\n' \
        "$TESTS" "$P" "$CLIENTS" "$N" "$SIZE"
    printf -- '- JFR execution samples every %s ms of the %s* threads, after %s warm-up requests per test; pinned: %s\n' \
        "$SAMPLE_MS" "$LOOP_THREADS" "$WARMUP_N" "$PIN"
    printf -- '- recording: metrics-profile-%s.jfr\n\n' "$STAMP"
    python3 "$BENCH_DIR/jfr_share.py" "$RECORDING" "$LOOP_THREADS" $((u1 - u0)) $((s1 - s0))
    printf '\nA scrape of /metrics (%s bytes), warm and with no load: %s ms of the JVM'"'"'s CPU (mean of %s).\n' \
        "$scrape_bytes" "$scrape_ms" "$SCRAPES"
} >"$REPORT"
printf '\n'
cat "$REPORT"
log "wrote $REPORT"

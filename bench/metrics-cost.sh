#!/usr/bin/env bash
# Cost of metrics: proxy CPU per request with metrics off vs. metrics on.
# Two resplit proxies (same jar, config, JVM options and io-threads) in front of
# the same master + 2 replicas on 127.0.0.1; one with metrics-port 0 (off), one
# with --metrics-port (on, scraped once a second during its runs when SCRAPE=1).
# redis-benchmark runs alternate between them; each run's proxy CPU time / requests
# = CPU µs per request, twice: the event-loop threads' (schedstat: the hot path)
# and the whole JVM's (utime+stime from /proc/PID/stat).
# See bench/README.md ("Cost of metrics"). Env knobs (defaults in brackets):
#   ROUNDS [6]  N [2000000] (per test)  P [16]  CLIENTS [50]  SIZE [16]
#   TESTS [get,set]  KEYSPACE [0 = no -r]  WARMUP_N [1000000] (per test, 0 = off)
#   SCRAPE [1]  SCRAPE_INTERVAL [1]  ORDER [abba|alternate]  IO_THREADS [config]
#   TARGET_PCT [5]  BENCH_TIMEOUT [600]  RESULTS_DIR [bench/results]
#   PIN [0]  PROXY_CPU [1]  LOAD_CPU [0]  (PIN=1: taskset the proxies apart from the load)
#   AA [0]  (AA=1: both proxies with metrics off, to measure the method's own noise)
#   ON_FIRST [0]  (ON_FIRST=1: start the metrics-on proxy before the metrics-off one)
#   PROXY_PORT (off proxy)  PROXY_ON_PORT  METRICS_PORT  RESPLIT_JAVA_OPTS  KEEP_TMP
set -euo pipefail

# shellcheck source=bench/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

ROUNDS=${ROUNDS:-6}
N=${N:-2000000}
P=${P:-16}
CLIENTS=${CLIENTS:-50}
SIZE=${SIZE:-16}
TESTS=${TESTS:-get,set}
KEYSPACE=${KEYSPACE:-0}
WARMUP_N=${WARMUP_N:-1000000}
SCRAPE=${SCRAPE:-1}
SCRAPE_INTERVAL=${SCRAPE_INTERVAL:-1}
ORDER=${ORDER:-abba}
IO_THREADS=${IO_THREADS:-}
TARGET_PCT=${TARGET_PCT:-5}
# PIN=1: both proxies on CPU PROXY_CPU, the Redis nodes and redis-benchmark on LOAD_CPU (taskset). Each proxy
# then has a core to itself, so its batching (and CPU per request) varies less with how the scheduler happens
# to interleave it with the load; both proxies are pinned alike, so the comparison stays fair.
PIN=${PIN:-0}
# AA=1: an A/A run, the calibration of the method: the second proxy gets metrics off too (and no scraper), so
# whatever "overhead" it reports is the difference between two identical JVMs.
AA=${AA:-0}
ON_FIRST=${ON_FIRST:-0}
PROXY_CPU=${PROXY_CPU:-1}
LOAD_CPU=${LOAD_CPU:-0}
BENCH_TIMEOUT=${BENCH_TIMEOUT:-600}   # s, hard cap per redis-benchmark run
RESULTS_DIR=${RESULTS_DIR:-$BENCH_DIR/results}
# The proxy's event-loop threads (Netty names them resplit-io-<pool>-<n>): the hot path. Their CPU per request
# is reported beside the whole JVM's, which adds the JIT compiler, the GC and (metrics on) the scrape.
LOOP_THREADS=resplit-io-

is_uint() { [[ $1 =~ ^[0-9]+$ ]]; }
for v in ROUNDS N P CLIENTS SIZE KEYSPACE WARMUP_N SCRAPE_INTERVAL TARGET_PCT BENCH_TIMEOUT; do
    is_uint "${!v}" || die "$v must be a non-negative integer (got '${!v}')"
done
((ROUNDS >= 1 && ROUNDS <= 100)) || die "ROUNDS must be 1..100"
((N >= 1 && P >= 1 && CLIENTS >= 1 && SIZE >= 1)) || die "N, P, CLIENTS and SIZE must be >= 1"
((SCRAPE_INTERVAL >= 1)) || die "SCRAPE_INTERVAL must be >= 1 (seconds)"
[[ $SCRAPE == 0 || $SCRAPE == 1 ]] || die "SCRAPE must be 0 or 1 (got '$SCRAPE')"
[[ $AA == 0 || $AA == 1 ]] || die "AA must be 0 or 1 (got '$AA')"
if [[ $AA == 1 ]]; then SCRAPE=0; fi
KIND=ab # the CSV's kind column: ab, or aa for an A/A run
if [[ $AA == 1 ]]; then KIND=aa; fi
[[ $ORDER == abba || $ORDER == alternate ]] || die "ORDER must be abba or alternate (got '$ORDER')"
if [[ -n $IO_THREADS ]] && ! is_uint "$IO_THREADS"; then
    die "IO_THREADS must be a non-negative integer (got '$IO_THREADS')"
fi
TESTS=${TESTS,,}
IFS=, read -r -a TEST_LIST <<<"$TESTS"
((${#TEST_LIST[@]} >= 1)) || die "TESTS is empty"
for t in "${TEST_LIST[@]}"; do
    [[ $t == get || $t == set ]] || die "TESTS may only contain get and set, comma-separated (got '$TESTS')"
done
[[ $TESTS == get || $TESTS == set || $TESTS == get,set || $TESTS == set,get ]] \
    || die "TESTS must be get, set or get,set (got '$TESTS')"
REQS_PER_RUN=$((N * ${#TEST_LIST[@]}))
for tool in redis-benchmark curl sha256sum; do
    command -v "$tool" >/dev/null || die "$tool not found in PATH"
done

CSV_HEADER='"test","rps","avg_latency_ms","min_latency_ms","p50_latency_ms","p95_latency_ms","p99_latency_ms","max_latency_ms"'
CLK_TCK=$(getconf CLK_TCK)

proxy_preflight
bench_init

# Six distinct free ports, picked at once so none of them can be handed out twice.
read -r -a FREE <<<"$(pick_free_ports 6)"
MASTER_PORT=${MASTER_PORT:-${FREE[0]}}
REPLICA1_PORT=${REPLICA1_PORT:-${FREE[1]}}
REPLICA2_PORT=${REPLICA2_PORT:-${FREE[2]}}
PROXY_PORT=${PROXY_PORT:-${FREE[3]}}
PROXY_ON_PORT=${PROXY_ON_PORT:-${FREE[4]}}
METRICS_PORT=${METRICS_PORT:-${FREE[5]}}
OFF_PORT=$PROXY_PORT
ON_PORT=$PROXY_ON_PORT
if [[ $(printf '%s\n' "$MASTER_PORT" "$REPLICA1_PORT" "$REPLICA2_PORT" "$OFF_PORT" "$ON_PORT" "$METRICS_PORT" | sort -u | wc -l) != 6 ]]; then
    die "ports must be distinct: master=$MASTER_PORT replicas=$REPLICA1_PORT,$REPLICA2_PORT proxies=$OFF_PORT,$ON_PORT metrics=$METRICS_PORT"
fi

# Both proxies run one private copy of the jar and of the config file: the same
# bytes for both, and a rebuild of proxy/target/resplit.jar or an edit of the
# config during the run cannot affect them.
cp -- "$RESPLIT_JAR" "$BENCH_TMP/resplit.jar"
cp -- "$RESPLIT_CONF" "$BENCH_TMP/resplit.conf"
JAR_ORIGIN=$RESPLIT_JAR
CONF_ORIGIN=$RESPLIT_CONF
JAR_SHA=$(sha256sum "$BENCH_TMP/resplit.jar" | cut -c1-12)
CONF_SHA=$(sha256sum "$BENCH_TMP/resplit.conf" | cut -c1-12)
JAR_MTIME=$(date -r "$JAR_ORIGIN" '+%Y-%m-%d %H:%M:%S')
RESPLIT_JAR=$BENCH_TMP/resplit.jar
RESPLIT_CONF=$BENCH_TMP/resplit.conf

mkdir -p "$RESULTS_DIR"
STAMP=$(date +%Y%m%d-%H%M%S)
RESULTS_CSV=$RESULTS_DIR/metrics-cost-$STAMP.csv
RESULTS_MD=$RESULTS_DIR/metrics-cost-$STAMP.md
printf '%s\n' "round,seq,mode,tests,pipeline,clients,size,requests,set_rps,get_rps,elapsed_s,cpu_ticks,cpu_us_per_req,scrapes,scrape_failures,other_proxy_cpu_ticks,loop_ns,loop_us_per_req,kind" >"$RESULTS_CSV"

# Same master setting as run.sh: a pipelined SET burst can never get a replica
# disconnected (which would trigger a full resync mid-run).
start_topology --client-output-buffer-limit "replica 0 0 0"

# ---- the two proxies ----------------------------------------------------------
# Identical arguments except the client port, the admin socket (each its own, in
# the temp dir, instead of the config's shared /tmp path) and metrics-port:
# explicitly 0 (the default) for "off", so a metrics-port line in the config
# file cannot turn it on.
COMMON_ARGS=()
if [[ -n $IO_THREADS ]]; then COMMON_ARGS+=(--io-threads "$IO_THREADS"); fi
OFF_SOCK=$BENCH_TMP/admin-off.sock
ON_SOCK=$BENCH_TMP/admin-on.sock

start_off() {
    PROXY_PORT=$OFF_PORT
    PROXY_EXTRA_ARGS=("${COMMON_ARGS[@]}" --admin-socket "$OFF_SOCK" --metrics-port 0)
    start_proxy
    OFF_PID=$PROXY_PID
    OFF_LOG=$BENCH_TMP/proxy-off.log
    mv -- "$BENCH_TMP/proxy.log" "$OFF_LOG"   # the JVM keeps writing to the renamed file
}
ON_METRICS_PORT=$METRICS_PORT
if [[ $AA == 1 ]]; then ON_METRICS_PORT=0; fi
start_on() {
    PROXY_PORT=$ON_PORT
    PROXY_EXTRA_ARGS=("${COMMON_ARGS[@]}" --admin-socket "$ON_SOCK" --metrics-port "$ON_METRICS_PORT")
    start_proxy
    ON_PID=$PROXY_PID
    ON_LOG=$BENCH_TMP/proxy-on.log
    mv -- "$BENCH_TMP/proxy.log" "$ON_LOG"
}
# which JVM starts first may matter (the A/A runs hint at it): ON_FIRST=1 swaps the order
if [[ $ON_FIRST == 1 ]]; then start_on; start_off; else start_off; start_on; fi
log "metrics off: port $OFF_PORT pid $OFF_PID (log $OFF_LOG)"
log "metrics on:  port $ON_PORT pid $ON_PID, metrics on $BENCH_HOST:$METRICS_PORT (log $ON_LOG)"

if [[ $PIN == 1 ]]; then
    command -v taskset >/dev/null || die "PIN=1 needs taskset (util-linux)"
    for pid in "$OFF_PID" "$ON_PID"; do taskset -a -p -c "$PROXY_CPU" "$pid" >/dev/null; done
    for pid in "$MASTER_PID" "$REPLICA1_PID" "$REPLICA2_PID"; do taskset -a -p -c "$LOAD_CPU" "$pid" >/dev/null; done
    log "pinned: proxies on CPU $PROXY_CPU, Redis nodes and redis-benchmark on CPU $LOAD_CPU"
fi
PIN_LOAD=()
if [[ $PIN == 1 ]]; then PIN_LOAD=(taskset -c "$LOAD_CPU"); fi

METRICS_URL=http://$BENCH_HOST:$METRICS_PORT
if [[ $AA == 0 ]]; then
    deadline=$((SECONDS + PROXY_START_TIMEOUT))
    until [[ $(curl -sf --max-time 5 "$METRICS_URL/health" 2>/dev/null) == OK* ]]; do
        proc_alive "$ON_PID" || { show_log_tail "$ON_LOG"; die "metrics-on proxy died"; }
        ((SECONDS < deadline)) || { show_log_tail "$ON_LOG"; die "$METRICS_URL/health not answering after ${PROXY_START_TIMEOUT}s"; }
        sleep 0.2
    done
    log "metrics endpoint answers on $METRICS_URL/health"
else
    log "A/A run: the second proxy has metrics off too"
fi

# CONFIG GET * from a proxy's admin console, as "directive value" lines.
proxy_config() {
    timeout 10 redis-cli -s "$1" CONFIG GET '*' | tr -d '\r'
}

# The two proxies must differ only in port, admin-socket and metrics-port.
check_configs() {
    if [[ ! -S $OFF_SOCK || ! -S $ON_SOCK ]]; then
        log "warning: no admin socket (no epoll transport?): cannot compare the proxies' settings"
        return 0
    fi
    local off_cfg on_cfg diffs
    off_cfg=$(proxy_config "$OFF_SOCK") || die "CONFIG GET on the metrics-off proxy's admin socket failed"
    on_cfg=$(proxy_config "$ON_SOCK") || die "CONFIG GET on the metrics-on proxy's admin socket failed"
    [[ $(grep '^metrics-port ' <<<"$off_cfg") == "metrics-port 0" ]] \
        || die "metrics-off proxy reports '$(grep '^metrics-port ' <<<"$off_cfg")'"
    [[ $(grep '^metrics-port ' <<<"$on_cfg") == "metrics-port $ON_METRICS_PORT" ]] \
        || die "metrics-on proxy reports '$(grep '^metrics-port ' <<<"$on_cfg")'"
    diffs=$(diff <(grep -Ev '^(port|admin-socket|metrics-port) ' <<<"$off_cfg") \
        <(grep -Ev '^(port|admin-socket|metrics-port) ' <<<"$on_cfg") || true)
    [[ -z $diffs ]] || die "the two proxies' settings differ beyond port/admin-socket/metrics-port: $diffs"
    log "settings identical apart from port/admin-socket/metrics-port ($(grep -c . <<<"$off_cfg") directives compared; io-threads $(sed -n 's/^io-threads //p' <<<"$off_cfg"))"
}
check_configs

# "transport epoll, 1 io threads" from a proxy's start-up line (empty if absent).
proxy_threads() {
    sed -n 's/.*resplit started: transport \([^,]*\), \([0-9]*\) io threads.*/\1, \2 io threads/p' "$1" | head -n 1
}
OFF_THREADS=$(proxy_threads "$OFF_LOG")
ON_THREADS=$(proxy_threads "$ON_LOG")
[[ $OFF_THREADS == "$ON_THREADS" ]] || die "the proxies run differently: off '$OFF_THREADS', on '$ON_THREADS'"
log "both proxies: ${OFF_THREADS:-transport/io threads not found in the logs}"

# Sanity: a value written through a proxy can be read back through it.
proxy_sanity_check() {
    local port=$1 v="sanity-$$-$RANDOM" got="" i
    got=$(rcli "$port" SET bench:sanity "$v" 2>&1 || true)
    [[ $got == OK ]] || die "SET through proxy on port $port failed: $got"
    for ((i = 0; i < 50; i++)); do
        got=$(rcli "$port" GET bench:sanity || true)
        [[ $got == "$v" ]] && break
        sleep 0.1
    done
    [[ $got == "$v" ]] || die "GET through proxy on port $port returned '$got', expected '$v'"
    rcli "$port" DEL bench:sanity >/dev/null
}
proxy_sanity_check "$OFF_PORT"
proxy_sanity_check "$ON_PORT"
log "sanity check passed on both proxies (SET/GET round trip)"

# ---- the scraper (bench/lib.sh: scraper_start, scraper_set, scrape_count) -----------
if [[ $SCRAPE == 1 ]]; then
    scraper_start "$METRICS_PORT" "$SCRAPE_INTERVAL"
    log "scraper ready (pid $SCRAPER_PID): $METRICS_URL/metrics every ${SCRAPE_INTERVAL}s during metrics-on runs"
fi

# ---- benchmark runs ---------------------------------------------------------------
R_SET_RPS="" R_GET_RPS=""

# run_rb PORT REQUESTS OUTFILE: one redis-benchmark invocation over TESTS.
run_rb() {
    local port=$1 n=$2 out=$3 rc=0
    local range=()
    if ((KEYSPACE > 0)); then range=(-r "$KEYSPACE"); fi
    bench_run "$out" "$out.err" timeout --kill-after=10 "$BENCH_TIMEOUT" "${PIN_LOAD[@]}" \
        redis-benchmark -h "$BENCH_HOST" -p "$port" -a "$BENCH_PASSWORD" \
        -t "$TESTS" -P "$P" -c "$CLIENTS" -n "$n" -d "$SIZE" "${range[@]}" --csv || rc=$?
    if ((rc != 0)); then
        show_log_tail "$out.err"
        show_log_tail "$out"
        show_log_tail "$OFF_LOG"
        show_log_tail "$ON_LOG"
        die "redis-benchmark failed (exit $rc) against port $port"
    fi
    local header row name rps rest t
    header=$(head -n 1 "$out" | tr -d '\r')
    [[ $header == "$CSV_HEADER" ]] || { show_log_tail "$out"; die "unexpected redis-benchmark CSV header: $header"; }
    R_SET_RPS="" R_GET_RPS=""
    for t in "${TEST_LIST[@]}"; do
        row=$(grep -E "^\"${t^^}\"," "$out" | tail -n 1 | tr -d '\r"' || true)
        [[ -n $row ]] || { show_log_tail "$out"; die "no ${t^^} row in redis-benchmark output"; }
        IFS=, read -r name rps rest <<<"$row"
        [[ $name == "${t^^}" && $rps =~ ^[0-9.]+$ && -n $rest ]] || die "could not parse redis-benchmark row: $row"
        if [[ $t == set ]]; then R_SET_RPS=$rps; else R_GET_RPS=$rps; fi
    done
}

us_per_req() {
    awk -v t="$1" -v hz="$CLK_TCK" -v n="$2" 'BEGIN { printf "%.3f", (t / hz * 1e6) / n }'
}

check_alive() {
    proc_alive "$MASTER_PID" || die "master redis-server died"
    proc_alive "$OFF_PID" || { show_log_tail "$OFF_LOG"; die "metrics-off proxy died"; }
    proc_alive "$ON_PID" || { show_log_tail "$ON_LOG"; die "metrics-on proxy died"; }
}

SEQ=0
# measure ROUND MODE(off|on)
measure() {
    local round=$1 mode=$2
    local pid=$OFF_PID port=$OFF_PORT other=$ON_PID
    if [[ $mode == on ]]; then pid=$ON_PID port=$ON_PORT other=$OFF_PID; fi
    SEQ=$((SEQ + 1))
    local out=$BENCH_TMP/bench-$round-$mode.csv
    local c0 c1 o0 o1 l0 l1 s0=0 s1=0 f0=0 f1=0 t0 t1
    check_alive
    s0=$(scrape_count ok)
    f0=$(scrape_count fail)
    c0=$(proc_cpu_ticks "$pid")
    l0=$(proc_threads_cpu_ns "$pid" "$LOOP_THREADS")
    o0=$(proc_cpu_ticks "$other")
    if [[ $mode == on ]]; then scraper_set on; fi
    t0=$(now)
    run_rb "$port" "$N" "$out"
    t1=$(now)
    if [[ $mode == on ]]; then scraper_set off; fi
    c1=$(proc_cpu_ticks "$pid")
    l1=$(proc_threads_cpu_ns "$pid" "$LOOP_THREADS")
    o1=$(proc_cpu_ticks "$other")
    s1=$(scrape_count ok)
    f1=$(scrape_count fail)
    if [[ $TESTS == *set* ]]; then
        # Let the replicas apply the SETs before the next run starts.
        wait_replicas_synced 60000
    fi
    local cpu elapsed loop_cpu
    cpu=$(us_per_req $((c1 - c0)) "$REQS_PER_RUN")
    loop_cpu=$(awk -v ns=$((l1 - l0)) -v n="$REQS_PER_RUN" 'BEGIN { printf "%.3f", ns / 1000 / n }')
    elapsed=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", b - a }')
    printf '%s\n' "$round,$SEQ,$mode,${TESTS//,/+},$P,$CLIENTS,$SIZE,$REQS_PER_RUN,$R_SET_RPS,$R_GET_RPS,$elapsed,$((c1 - c0)),$cpu,$((s1 - s0)),$((f1 - f0)),$((o1 - o0)),$((l1 - l0)),$loop_cpu,$KIND" >>"$RESULTS_CSV"
    if ((f1 > f0)); then log "  warning: $((f1 - f0)) failed scrapes during this run (see $SCRAPE_LOG)"; fi
    log "  round $round metrics $mode: cpu=${cpu}us/req ($((c1 - c0)) ticks) loops=${loop_cpu}us/req SET=${R_SET_RPS:--} GET=${R_GET_RPS:--} ops/s (${elapsed}s)${SCRAPER_PID:+ scrapes=$((s1 - s0))}"
}

if ((WARMUP_N > 0)); then
    log "warming up both JVMs: $WARMUP_N requests per test ($TESTS, P=$P), not recorded"
    run_rb "$OFF_PORT" "$WARMUP_N" "$BENCH_TMP/warmup-off.csv"
    scraper_set on
    run_rb "$ON_PORT" "$WARMUP_N" "$BENCH_TMP/warmup-on.csv"
    scraper_set off
    wait_replicas_synced 60000
fi

# The metrics-on proxy must really be counting (and the scraper reading it).
if [[ $AA == 0 ]]; then
    commands_total=$(curl -sf --max-time 10 "$METRICS_URL/metrics" \
        | awk '/^resplit_commands_total\{/ { s += $NF } END { printf "%d", s }') \
        || die "could not read $METRICS_URL/metrics"
    ((commands_total > 0)) || die "metrics-on proxy reports resplit_commands_total = 0 after warm-up/sanity"
    log "metrics-on proxy: resplit_commands_total = $commands_total so far"
fi

# The event loops must be found by name, or the hot-path figure would read 0.
(($(proc_threads_cpu_ns "$OFF_PID" "$LOOP_THREADS") > 0)) \
    || die "no thread named $LOOP_THREADS* with CPU time in the metrics-off proxy (renamed event loops?)"

log "results: $RESULTS_CSV"
log "$ROUNDS rounds ($ORDER order), $REQS_PER_RUN requests per run: redis-benchmark -t $TESTS -P $P -c $CLIENTS -n $N -d $SIZE"
for ((round = 1; round <= ROUNDS; round++)); do
    if [[ $ORDER == alternate ]] || ((round % 2 == 1)); then
        measure "$round" off
        measure "$round" on
    else
        measure "$round" on
        measure "$round" off
    fi
done
check_alive

{
    printf '# resplit metrics cost %s\n\n' "$STAMP"
    printf -- '- host: %s, %s CPUs, %s, %s\n' "$(uname -n)" "$(nproc)" \
        "$(redis-server --version | cut -d' ' -f1-3)" "$(java -version 2>&1 | head -n 1)"
    printf -- '- git: %s; jar: %s (sha256 %s…, modified %s); config: %s (sha256 %s…)\n' \
        "$(git -C "$REPO_ROOT" describe --always --dirty 2>/dev/null || echo none)" \
        "${JAR_ORIGIN#"$REPO_ROOT"/}" "$JAR_SHA" "$JAR_MTIME" "${CONF_ORIGIN#"$REPO_ROOT"/}" "$CONF_SHA"
    range_arg=""
    if ((KEYSPACE > 0)); then range_arg=" -r $KEYSPACE"; fi
    printf -- '- redis-benchmark -t %s -P %s -c %s -n %s -d %s%s --csv; %s requests per run\n' \
        "$TESTS" "$P" "$CLIENTS" "$N" "$SIZE" "$range_arg" "$REQS_PER_RUN"
    printf -- '- rounds=%s order=%s warmup_n=%s scrape=%s (every %ss) io_threads=%s (%s) java_opts=%s proxy_args=%s\n' \
        "$ROUNDS" "$ORDER" "$WARMUP_N" "$SCRAPE" "$SCRAPE_INTERVAL" "${IO_THREADS:-config}" "${OFF_THREADS:-?}" \
        "${RESPLIT_JAVA_OPTS:-none}" "${RESPLIT_PROXY_ARGS:-none}"
    if [[ $ON_FIRST == 1 ]]; then
        printf -- '- the metrics-on proxy was started first (ON_FIRST=1)\n'
    fi
    if [[ $AA == 1 ]]; then
        printf -- '- A/A run (AA=1): the "on" proxy has metrics off too; its "overhead" is the method'"'"'s noise\n'
    fi
    if [[ $PIN == 1 ]]; then
        printf -- '- pinned (taskset): proxies on CPU %s; Redis nodes and redis-benchmark on CPU %s\n' "$PROXY_CPU" "$LOAD_CPU"
    fi
    printf -- '- CPU over each run: event loops = the %s* threads (/proc/PID/task/TID/schedstat, ns); whole JVM = utime+stime (/proc/PID/stat, %s ticks/s)\n' \
        "$LOOP_THREADS" "$CLK_TCK"
    printf -- '- raw per-run data: %s\n\n' "$(basename "$RESULTS_CSV")"
    python3 "$BENCH_DIR/metrics_cost_report.py" --target "$TARGET_PCT" "$RESULTS_CSV"
} >"$RESULTS_MD"

printf '\n'
cat "$RESULTS_MD"
log "wrote $RESULTS_CSV and $RESULTS_MD"

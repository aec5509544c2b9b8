#!/usr/bin/env bash
# Cost of metrics (issue 15, item 3): the proxy's CPU per request with metrics off vs. metrics on, the
# metrics-on proxy scraped like Prometheus every SCRAPE_INTERVAL seconds of its load; reported as on/off ratios.
#
# One master + 2 replicas on 127.0.0.1; per pair, two fresh proxies in front of them (same jar copy, config,
# JVM options and arguments, except metrics-port: 0 for "off", a free port for "on"). redis-benchmark runs
# alternate between them, off-on then on-off (ABBA). Each run's CPU is read just before and after it and divided
# by its requests, twice: the event loops' (schedstat of the resplit-io-* threads: the hot path, in ns) and the
# whole JVM's (utime+stime: adds the JIT, the GC and the scrapes). A pair's ratio is median(on) / median(off) of
# its runs; the result is the median over pairs. Two identical JVMs differ by several per cent (AA=1 measures
# it), so judge a 5 % target over several pairs, not one.
#
# Env (defaults in brackets): PAIRS [1]  ROUNDS [4] (an off and an on run each)  N [1000000] (per test and run)
#   P [16]  CLIENTS [50]  SIZE [16]  TESTS [get,set]  WARMUP_N [1000000] (per test and proxy, 0 = none)
#   SCRAPE_INTERVAL [5] (s of on-load between scrapes)  AA [0] (1: the "on" proxy has metrics off too, no scraper)
#   PIN [0] (1: proxies on CPU 1, Redis and redis-benchmark on CPU 0)  RESULTS_DIR [bench/results]
#   and lib.sh's: RESPLIT_JAR  RESPLIT_CONF  RESPLIT_JAVA_OPTS  RESPLIT_PROXY_ARGS  KEEP_TMP  BENCH_TIMEOUT
set -euo pipefail

# shellcheck source=bench/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

PAIRS=${PAIRS:-1} ROUNDS=${ROUNDS:-4} N=${N:-1000000} P=${P:-16} CLIENTS=${CLIENTS:-50} SIZE=${SIZE:-16}
TESTS=${TESTS:-get,set} WARMUP_N=${WARMUP_N:-1000000} SCRAPE_INTERVAL=${SCRAPE_INTERVAL:-5} AA=${AA:-0}
PIN=${PIN:-0}
require_uint PAIRS ROUNDS N P CLIENTS SIZE WARMUP_N SCRAPE_INTERVAL
((PAIRS >= 1 && ROUNDS >= 1 && N >= 1 && P >= 1 && CLIENTS >= 1 && SIZE >= 1 && SCRAPE_INTERVAL >= 1)) \
    || die "PAIRS, ROUNDS, N, P, CLIENTS, SIZE and SCRAPE_INTERVAL must be >= 1"
[[ $AA == [01] && $PIN == [01] ]] || die "AA and PIN must be 0 or 1"
IFS=, read -r -a TEST_LIST <<<"${TESTS,,}"
PIPELINE_LIST=("$P") SIZE_LIST=("$SIZE")
require_tests_and_pipelines
REQS=$((N * ${#TEST_LIST[@]}))
for tool in redis-benchmark curl; do command -v "$tool" >/dev/null || die "$tool not found in PATH"; done
PIN_LOAD=()
if [[ $PIN == 1 ]]; then
    command -v taskset >/dev/null || die "PIN=1 needs taskset"
    PIN_LOAD=(taskset -c 0)
fi

proxy_preflight
bench_init
cp -- "$RESPLIT_JAR" "$BENCH_TMP/resplit.jar" # a rebuild during the run cannot change what is measured
RESPLIT_JAR=$BENCH_TMP/resplit.jar
read -r MASTER_PORT REPLICA1_PORT REPLICA2_PORT <<<"$(pick_free_ports 3)"
start_topology --client-output-buffer-limit "replica 0 0 0" # a SET burst never disconnects a replica
if [[ $PIN == 1 ]]; then
    for pid in "$MASTER_PID" "$REPLICA1_PID" "$REPLICA2_PID"; do taskset -a -p -c 0 "$pid" >/dev/null; done
fi

mkdir -p "$RESULTS_DIR"
STAMP=$(date +%Y%m%d-%H%M%S)
CSV=$RESULTS_DIR/metrics-cost-$STAMP.csv
echo "pair,round,mode,requests,elapsed_s,set_rps,get_rps,loop_ns,jvm_ticks,scrapes" >"$CSV"
CLK_TCK=$(getconf CLK_TCK)

# start_one NAME METRICS_PORT: a proxy on a free port; sets ONE_PID and ONE_PORT.
start_one() {
    PROXY_PORT=$(pick_free_ports 1)
    PROXY_EXTRA_ARGS=(--admin-socket "$BENCH_TMP/admin-$1-$pair.sock" --metrics-port "$2")
    start_proxy
    mv -- "$BENCH_TMP/proxy.log" "$BENCH_TMP/proxy-$1.log" # the JVM keeps writing to the renamed file
    ONE_PID=$PROXY_PID ONE_PORT=$PROXY_PORT
    if [[ $PIN == 1 ]]; then taskset -a -p -c 1 "$ONE_PID" >/dev/null; fi
}

# stop_pids PID...: stops them now and forgets them (the EXIT trap must not signal a reused pid later).
stop_pids() {
    local pid keep=() p
    for pid in "$@"; do bench_stop_pid "$pid" 10; done
    for p in "${BENCH_PIDS[@]}"; do
        [[ " $* " == *" $p "* ]] || keep+=("$p")
    done
    BENCH_PIDS=("${keep[@]}")
}

# load PORT REQUESTS: one redis-benchmark run over TESTS; sets RPS (per test, "-" for a test not run).
load() {
    local out=$BENCH_TMP/rb.csv t
    bench_run "$out" "$out.err" timeout --kill-after=10 "$BENCH_TIMEOUT" "${PIN_LOAD[@]}" redis-benchmark \
        -h "$BENCH_HOST" -p "$1" -a "$BENCH_PASSWORD" -t "${TESTS,,}" -P "$P" -c "$CLIENTS" -n "$2" -d "$SIZE" \
        --csv || { show_log_tail "$out.err"; die "redis-benchmark failed against port $1"; }
    declare -gA RPS=([set]=- [get]=-)
    for t in "${TEST_LIST[@]}"; do read -r "RPS[$t]" _ <<<"$(rb_row "$out" "$t")"; done
    wait_replicas_synced 60000 # the replicas have applied the SETs before the next run starts
}

# measure PAIR ROUND MODE PID PORT: one recorded run, a line of the CSV.
measure() {
    local l0 j0 s0 t0
    proc_alive "$4" || { show_log_tail "$BENCH_TMP/proxy-$3.log"; die "the metrics-$3 proxy died"; }
    s0=$(scrape_count ok) l0=$(proc_threads_cpu_ns "$4" "$LOOP_THREADS") j0=$(proc_cpu_ticks "$4") t0=$(now)
    if [[ $3 == on ]]; then scraper_set on; fi
    load "$5" "$N"
    if [[ $3 == on ]]; then scraper_set off; fi # acknowledged: no scrape is running while the CPU is read
    echo "$1,$2,$3,$REQS,$(awk -v a="$t0" -v b="$(now)" 'BEGIN { printf "%.2f", b - a }'),${RPS[set]},${RPS[get]},$(($(proc_threads_cpu_ns "$4" "$LOOP_THREADS") - l0)),$(($(proc_cpu_ticks "$4") - j0)),$(($(scrape_count ok) - s0))" >>"$CSV"
    log "  pair $1 round $2 metrics $3: $(tail -n 1 "$CSV" | awk -F, -v hz="$CLK_TCK" \
        '{ printf "loops %.3f us/req, JVM %.3f us/req, SET %s GET %s ops/s, %d scrapes", $8 / 1000 / $4, $9 / hz * 1e6 / $4, $6, $7, $10 }')"
}

# ratios FILTER: "loops JVM" ratios median(on) / median(off) of CPU per request over the CSV rows FILTER keeps.
ratios() {
    awk -F, -v hz="$CLK_TCK" "NR > 1 && ($1)"' {
            n = $3 == "on" ? ++on : ++off
            loop[$3, n] = $8 / $4; jvm[$3, n] = $9 / hz / $4
        }
        function median(a, mode, k,    i, j, v, t) {
            for (i = 1; i <= k; i++) v[i] = a[mode, i]
            for (i = 2; i <= k; i++) for (j = i; j > 1 && v[j - 1] > v[j]; j--) { t = v[j]; v[j] = v[j - 1]; v[j - 1] = t }
            return k % 2 ? v[(k + 1) / 2] : (v[k / 2] + v[k / 2 + 1]) / 2
        }
        END { printf "%.4f %.4f", median(loop, "on", on) / median(loop, "off", off), median(jvm, "on", on) / median(jvm, "off", off) }
    ' "$CSV"
}

ON_METRICS=0
PAIR_RATIOS=()
for ((pair = 1; pair <= PAIRS; pair++)); do
    if [[ $AA == 0 ]]; then ON_METRICS=$(pick_free_ports 1); fi
    # odd pairs start the metrics-off JVM first, even ones the metrics-on one: start order cancels out
    if ((pair % 2)); then start_one off 0; OFF_PID=$ONE_PID OFF_PORT=$ONE_PORT; fi
    start_one on "$ON_METRICS"
    ON_PID=$ONE_PID ON_PORT=$ONE_PORT
    if ((pair % 2 == 0)); then start_one off 0; OFF_PID=$ONE_PID OFF_PORT=$ONE_PORT; fi
    SCRAPER_PID=""
    if [[ $AA == 0 ]]; then scraper_start "$ON_METRICS" "$SCRAPE_INTERVAL" --carry; fi
    if ((WARMUP_N > 0)); then
        log "pair $pair: warming up both JVMs ($WARMUP_N requests per test each, not recorded)"
        load "$OFF_PORT" "$WARMUP_N"
        scraper_set on
        load "$ON_PORT" "$WARMUP_N"
        scraper_set off
    fi
    if [[ $AA == 0 ]]; then # the metrics-on proxy really counts, and is scraped
        counted=$(curl -sf --max-time 10 "http://$BENCH_HOST:$ON_METRICS/metrics" \
            | awk '/^resplit_commands_total\{/ { s += $NF } END { printf "%d", s }')
        ((counted > 0)) || die "the metrics-on proxy reports no resplit_commands_total"
    fi
    (($(proc_threads_cpu_ns "$OFF_PID" "$LOOP_THREADS") > 0)) || die "no $LOOP_THREADS* threads (renamed event loops?)"
    for ((round = 1; round <= ROUNDS; round++)); do
        if ((round % 2)); then
            measure "$pair" "$round" off "$OFF_PID" "$OFF_PORT"
            measure "$pair" "$round" on "$ON_PID" "$ON_PORT"
        else
            measure "$pair" "$round" on "$ON_PID" "$ON_PORT"
            measure "$pair" "$round" off "$OFF_PID" "$OFF_PORT"
        fi
    done
    stop_pids ${SCRAPER_PID:+"$SCRAPER_PID"} "$ON_PID" "$OFF_PID"
    PAIR_RATIOS+=("$(ratios "\$1 == $pair")")
    log "pair $pair: on/off CPU per request: event loops x${PAIR_RATIOS[-1]% *}, whole JVM x${PAIR_RATIOS[-1]#* }"
done

# the median over pairs of each pair's ratio
read -r LOOPS JVM <<<"$(printf '%s\n' "${PAIR_RATIOS[@]}" | awk '{ l[NR] = $1; j[NR] = $2 }
    function median(v, k,    i, m, t) {
        for (i = 2; i <= k; i++) for (m = i; m > 1 && v[m - 1] > v[m]; m--) { t = v[m]; v[m] = v[m - 1]; v[m - 1] = t }
        return k % 2 ? v[(k + 1) / 2] : (v[k / 2] + v[k / 2 + 1]) / 2
    }
    END { printf "%.4f %.4f", median(l, NR), median(j, NR) }')"
KIND="metrics on (scraped every ${SCRAPE_INTERVAL}s) / off"
if [[ $AA == 1 ]]; then KIND="A/A: two metrics-off JVMs"; fi
RESULT=$(printf 'metrics cost, %s: CPU per request x%s on the event loops, x%s whole JVM (median of %d pairs x %d rounds; -t %s -P %s -c %s -n %s -d %s)' \
    "$KIND" "$LOOPS" "$JVM" "$PAIRS" "$ROUNDS" "${TESTS,,}" "$P" "$CLIENTS" "$N" "$SIZE")
printf '%s\n%s\n' "$RESULT" "git $(git -C "$REPO_ROOT" describe --always --dirty 2>/dev/null || echo none), $(nproc) CPUs, PIN=$PIN, runs: $(basename "$CSV")" \
    | tee "${CSV%.csv}.txt"

#!/usr/bin/env bash
# Throughput/latency/CPU benchmark: redis-benchmark against the master directly
# vs. through the resplit proxy (master + 2 replicas, all on 127.0.0.1).
# See bench/README.md. Env knobs (defaults in brackets):
#   ROUNDS [3]  N (both pipelines)  N_P1 [200000]  N_P16 [1000000]
#   CLIENTS [50]  KEYSPACE [100000]  TESTS ["SET GET"]  PIPELINES ["1 16"]
#   SIZES ["16 1024"]  WARMUP_N [200000]  BENCH_TIMEOUT [600]  COOLDOWN [1]
#   DIRECT_ONLY [0]  RESULTS_DIR [bench/results]  RESPLIT_JAVA_OPTS  KEEP_TMP
set -euo pipefail

# shellcheck source=bench/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

ROUNDS=${ROUNDS:-3}
N_P1=${N_P1:-${N:-200000}}
N_P16=${N_P16:-${N:-1000000}}
CLIENTS=${CLIENTS:-50}
KEYSPACE=${KEYSPACE:-100000}
TESTS=${TESTS:-SET GET}
PIPELINES=${PIPELINES:-1 16}
SIZES=${SIZES:-16 1024}
WARMUP_N=${WARMUP_N:-200000}
BENCH_TIMEOUT=${BENCH_TIMEOUT:-600}   # s, hard cap per redis-benchmark run
COOLDOWN=${COOLDOWN:-1}               # s, pause between runs
RESULTS_DIR=${RESULTS_DIR:-$BENCH_DIR/results}

read -r -a TEST_LIST <<<"$TESTS"
read -r -a PIPELINE_LIST <<<"$PIPELINES"
read -r -a SIZE_LIST <<<"$SIZES"

is_uint() { [[ $1 =~ ^[0-9]+$ ]]; }
for v in ROUNDS N_P1 N_P16 CLIENTS KEYSPACE WARMUP_N BENCH_TIMEOUT COOLDOWN; do
    is_uint "${!v}" || die "$v must be a non-negative integer (got '${!v}')"
done
((ROUNDS >= 1 && ROUNDS <= 100)) || die "ROUNDS must be 1..100"
for t in "${TEST_LIST[@]}"; do
    [[ $t == SET || $t == GET ]] || die "TESTS may only contain SET and GET (got '$t')"
done
for p in "${PIPELINE_LIST[@]}" "${SIZE_LIST[@]}"; do
    if ! is_uint "$p" || ((p < 1)); then
        die "PIPELINES/SIZES must be positive integers (got '$p')"
    fi
done
command -v redis-benchmark >/dev/null || die "redis-benchmark not found in PATH"

CSV_HEADER='"test","rps","avg_latency_ms","min_latency_ms","p50_latency_ms","p95_latency_ms","p99_latency_ms","max_latency_ms"'
CLK_TCK=$(getconf CLK_TCK)

if [[ $DIRECT_ONLY != 1 ]]; then proxy_preflight; fi
bench_init
bench_assign_ports

mkdir -p "$RESULTS_DIR"
STAMP=$(date +%Y%m%d-%H%M%S)
RESULTS_CSV=$RESULTS_DIR/run-$STAMP.csv
RESULTS_MD=$RESULTS_DIR/run-$STAMP.md
printf '%s\n' "round,test,pipeline,size,mode,clients,requests,rps,avg_ms,min_ms,p50_ms,p95_ms,p99_ms,max_ms,elapsed_s,proxy_cpu_us_per_req,master_cpu_us_per_req,replicas_cpu_us_per_req,keyspace_misses" >"$RESULTS_CSV"

# Replica output buffers are unlimited so a pipelined SET burst can never get a
# replica disconnected (which would trigger a full resync mid-benchmark).
start_topology --client-output-buffer-limit "replica 0 0 0"
if [[ $DIRECT_ONLY != 1 ]]; then
    start_proxy
else
    log "DIRECT_ONLY=1: not starting the proxy"
fi

# Sanity: a value written through the proxy can be read back through it.
proxy_sanity_check() {
    local v="sanity-$$-$RANDOM" got="" i
    got=$(rcli "$PROXY_PORT" SET bench:sanity "$v" 2>&1 || true)
    [[ $got == OK ]] || die "SET through proxy failed: $got"
    for ((i = 0; i < 50; i++)); do
        got=$(rcli "$PROXY_PORT" GET bench:sanity || true)
        [[ $got == "$v" ]] && break
        sleep 0.1
    done
    [[ $got == "$v" ]] || die "GET through proxy returned '$got', expected '$v'"
    rcli "$PROXY_PORT" DEL bench:sanity >/dev/null
    log "proxy sanity check passed (SET/GET round trip)"
}

# Parsed fields of the last run.
R_RPS="" R_AVG="" R_MIN="" R_P50="" R_P95="" R_P99="" R_MAX=""

# run_bench PORT TEST PIPELINE SIZE REQUESTS OUTFILE
run_bench() {
    local port=$1 test=$2 pipe=$3 size=$4 n=$5 out=$6
    local test_lc=${test,,} rc=0
    bench_run "$out" "$out.err" timeout --kill-after=10 "$BENCH_TIMEOUT" \
        redis-benchmark -h "$BENCH_HOST" -p "$port" -a "$BENCH_PASSWORD" \
        -c "$CLIENTS" -P "$pipe" -d "$size" -t "$test_lc" -n "$n" \
        -r "$KEYSPACE" --csv || rc=$?
    if ((rc != 0)); then
        show_log_tail "$out.err"
        show_log_tail "$out"
        if [[ -n $PROXY_PID ]]; then show_log_tail "$BENCH_TMP/proxy.log"; fi
        die "redis-benchmark failed (exit $rc) against port $port: $test P=$pipe d=$size"
    fi
    local header row
    header=$(head -n 1 "$out" | tr -d '\r')
    [[ $header == "$CSV_HEADER" ]] || { show_log_tail "$out"; die "unexpected redis-benchmark CSV header: $header"; }
    row=$(grep -E "^\"$test\"," "$out" | tail -n 1 | tr -d '\r"' || true)
    [[ -n $row ]] || { show_log_tail "$out"; die "no $test row in redis-benchmark output"; }
    local name
    IFS=, read -r name R_RPS R_AVG R_MIN R_P50 R_P95 R_P99 R_MAX <<<"$row"
    [[ $name == "$test" && -n $R_MAX ]] || die "could not parse redis-benchmark row: $row"
}

# Sum of keyspace_misses over master + replicas (GETs of missing keys).
total_misses() {
    local port sum=0 v
    for port in "$MASTER_PORT" "$REPLICA1_PORT" "$REPLICA2_PORT"; do
        v=$(info_field "$port" stats keyspace_misses)
        sum=$((sum + ${v:-0}))
    done
    printf '%d' "$sum"
}

# us_per_req DELTA_TICKS REQUESTS
us_per_req() {
    awk -v t="$1" -v hz="$CLK_TCK" -v n="$2" 'BEGIN { printf "%.3f", (t / hz * 1e6) / n }'
}

# measure ROUND TEST PIPELINE SIZE MODE REQUESTS
measure() {
    local round=$1 test=$2 pipe=$3 size=$4 mode=$5 n=$6
    local port=$MASTER_PORT
    if [[ $mode == proxy ]]; then port=$PROXY_PORT; fi
    local out=$BENCH_TMP/bench-$round-$test-$pipe-$size-$mode.csv
    local p0=0 m0 r10 r20 p1=0 m1 r11 r21 t0 t1 miss0 miss1
    miss0=$(total_misses)
    proc_alive "$MASTER_PID" || die "master redis-server died"
    if [[ $mode == proxy ]]; then
        proc_alive "$PROXY_PID" || { show_log_tail "$BENCH_TMP/proxy.log"; die "proxy died"; }
        p0=$(proc_cpu_ticks "$PROXY_PID")
    fi
    m0=$(proc_cpu_ticks "$MASTER_PID")
    r10=$(proc_cpu_ticks "$REPLICA1_PID")
    r20=$(proc_cpu_ticks "$REPLICA2_PID")
    t0=$(now)
    run_bench "$port" "$test" "$pipe" "$size" "$n" "$out"
    t1=$(now)
    if [[ $mode == proxy ]]; then
        p1=$(proc_cpu_ticks "$PROXY_PID")
    fi
    m1=$(proc_cpu_ticks "$MASTER_PID")
    r11=$(proc_cpu_ticks "$REPLICA1_PID")
    r21=$(proc_cpu_ticks "$REPLICA2_PID")
    miss1=$(total_misses)
    # Let replicas drain the replication stream so it does not bleed into the
    # next run's CPU/throughput numbers (also counted in replicas_cpu below).
    if [[ $test == SET ]]; then
        wait_replicas_synced 60000
        r11=$(proc_cpu_ticks "$REPLICA1_PID")
        r21=$(proc_cpu_ticks "$REPLICA2_PID")
    fi
    local proxy_cpu="" master_cpu replicas_cpu elapsed
    if [[ $mode == proxy ]]; then proxy_cpu=$(us_per_req $((p1 - p0)) "$n"); fi
    master_cpu=$(us_per_req $((m1 - m0)) "$n")
    replicas_cpu=$(us_per_req $((r11 - r10 + r21 - r20)) "$n")
    elapsed=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", b - a }')
    printf '%s\n' "$round,$test,$pipe,$size,$mode,$CLIENTS,$n,$R_RPS,$R_AVG,$R_MIN,$R_P50,$R_P95,$R_P99,$R_MAX,$elapsed,$proxy_cpu,$master_cpu,$replicas_cpu,$((miss1 - miss0))" >>"$RESULTS_CSV"
    if [[ $test == GET ]] && ((miss1 > miss0)); then
        log "  warning: $((miss1 - miss0)) GETs missed (key not found) during this run"
    fi
    log "  round $round $mode: $R_RPS ops/s p50=${R_P50}ms p99=${R_P99}ms${proxy_cpu:+ proxy_cpu=${proxy_cpu}us/req} master_cpu=${master_cpu}us/req (${elapsed}s)"
    if ((COOLDOWN > 0)); then sleep "$COOLDOWN"; fi
}

if [[ $DIRECT_ONLY != 1 ]]; then
    proxy_sanity_check
    if ((WARMUP_N > 0)); then
        log "warming up the proxy JVM: $WARMUP_N SET + GET, P=1 and P=16 (not recorded)"
        for p in 1 16; do
            run_bench "$PROXY_PORT" SET "$p" 16 "$WARMUP_N" "$BENCH_TMP/warmup-set-$p.csv"
            run_bench "$PROXY_PORT" GET "$p" 16 "$WARMUP_N" "$BENCH_TMP/warmup-get-$p.csv"
        done
        wait_replicas_synced 60000
    fi
fi

log "results: $RESULTS_CSV"
for size in "${SIZE_LIST[@]}"; do
    fill_keys "$size"
    for test in "${TEST_LIST[@]}"; do
        for pipe in "${PIPELINE_LIST[@]}"; do
            n=$N_P1
            if ((pipe > 1)); then n=$N_P16; fi
            log "cell $test P=$pipe d=$size n=$n clients=$CLIENTS"
            for ((round = 1; round <= ROUNDS; round++)); do
                if [[ $DIRECT_ONLY == 1 ]]; then
                    measure "$round" "$test" "$pipe" "$size" direct "$n"
                elif ((round % 2 == 1)); then
                    measure "$round" "$test" "$pipe" "$size" direct "$n"
                    measure "$round" "$test" "$pipe" "$size" proxy "$n"
                else
                    measure "$round" "$test" "$pipe" "$size" proxy "$n"
                    measure "$round" "$test" "$pipe" "$size" direct "$n"
                fi
            done
        done
    done
done

{
    printf '# resplit benchmark %s\n\n' "$STAMP"
    printf -- '- host: %s, %s CPUs, %s\n' "$(uname -n)" "$(nproc)" "$(redis-server --version | cut -d' ' -f1-3)"
    printf -- '- git: %s\n' "$(git -C "$REPO_ROOT" rev-parse --short --verify -q HEAD 2>/dev/null || echo none)"
    printf -- '- rounds=%s clients=%s keyspace=%s n(P=1)=%s n(P>1)=%s direct_only=%s java_opts=%s\n' \
        "$ROUNDS" "$CLIENTS" "$KEYSPACE" "$N_P1" "$N_P16" "$DIRECT_ONLY" "${RESPLIT_JAVA_OPTS:-none}"
    printf -- '- raw per-round data: %s\n\n' "$(basename "$RESULTS_CSV")"
    python3 "$BENCH_DIR/summarize.py" "$RESULTS_CSV"
} >"$RESULTS_MD"

printf '\n'
cat "$RESULTS_MD"
log "wrote $RESULTS_CSV and $RESULTS_MD"

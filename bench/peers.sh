#!/usr/bin/env bash
# Side by side, one run: direct Redis, predixy (C++, read/write splitting), twemproxy (C, master only) and resplit,
# each proxy with one thread/event loop, in front of the same master + 2 replicas on 127.0.0.1; and resplit a
# second time with metrics on, scraped every SCRAPE_INTERVAL s of its runs like Prometheus would ("resplit-m").
# redis-benchmark SET and GET, 50 clients, 16 B and 1 KiB values, pipeline 1 and 16, ROUNDS rounds; in every
# cell the targets' order is rotated (by round and by cell), so none always runs first or right after another.
# Reports ops/s, p50/p99 and each target's CPU per request (utime+stime of its process over the run; for direct,
# the master's), medians over rounds, with ratios resplit/predixy, resplit/twemproxy and resplit-m/resplit.
# See bench/README.md ("Side by side with peer proxies").
#
# Needs predixy built (bash ../shared/peers/build-predixy.sh -> /tmp/peers/predixy/src/predixy) and nutcracker
# (apt-get install -y nutcracker). Env knobs (defaults in brackets):
#   ROUNDS [3]  N (both depths)  N_P1 [200000]  N_P16 [1000000]  SIZES ["16 1024"]  TESTS ["set get"]
#   PIPELINES ["1 16"]  CLIENTS [50]  KEYSPACE [100000]  WARMUP_N [200000] (per proxy, size, test and depth)
#   TARGETS ["direct predixy twemproxy resplit resplit-m"]  SCRAPE_INTERVAL [5]  COOLDOWN [0]
#   BENCH_TIMEOUT [600]  RESULTS_DIR [bench/results]  PREDIXY  NUTCRACKER  PEERS_DIR [../shared/peers]
#   RESPLIT_JAR  RESPLIT_JAVA  RESPLIT_JAVA_OPTS  RESPLIT_PROXY_ARGS (bench/lib.sh)
#   JVM_VARIANTS ["NAME: [java=PATH] [jar=PATH] [JVM options] [-- --directive value ...]; ..."]: one more resplit
#   per entry, target resplit-NAME, run by that java (default RESPLIT_JAVA) from that jar (default RESPLIT_JAR:
#   another build, side by side) with RESPLIT_JAVA_OPTS and these JVM options, and given the resplit arguments
#   after a lone "--" word (e.g. "epoll: -- --io-transport epoll");
#   TARGETS then defaults to "predixy resplit resplit-NAME...", and the report adds each one's ratios to
#   resplit and predixy.
# Quick smoke run: ROUNDS=1 N=20000 SIZES=16 WARMUP_N=20000 bash bench/peers.sh
set -euo pipefail

# shellcheck source=bench/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

ROUNDS=${ROUNDS:-3}
N_P1=${N_P1:-${N:-200000}}
N_P16=${N_P16:-${N:-1000000}}
SIZES=${SIZES:-16 1024}
TESTS=${TESTS:-set get}
PIPELINES=${PIPELINES:-1 16}
CLIENTS=${CLIENTS:-50}
KEYSPACE=${KEYSPACE:-100000}
WARMUP_N=${WARMUP_N:-200000}
# JVM variants (see the header): name -> java binary and extra JVM options
declare -A VARIANT_JAVA VARIANT_JAR VARIANT_OPTS VARIANT_NOTE
VARIANTS=()
IFS=';' read -r -a specs <<<"${JVM_VARIANTS:-}"
for spec in "${specs[@]}"; do
    [[ -z ${spec//[[:space:]]/} ]] && continue
    [[ $spec =~ ^[[:space:]]*([a-z0-9]+):[[:space:]]*(java=([^[:space:]]+)[[:space:]]*)?(jar=([^[:space:]]+))?(.*)$ \
        && ${BASH_REMATCH[1]} != m ]] \
        || die "JVM_VARIANTS: '$spec' is not 'NAME: [java=PATH] [jar=PATH] [options] [-- args]' (NAME in a-z0-9, not m)"
    v=resplit-${BASH_REMATCH[1]}
    VARIANTS+=("$v")
    VARIANT_JAVA[$v]=${BASH_REMATCH[3]:-$RESPLIT_JAVA}
    VARIANT_JAR[$v]=${BASH_REMATCH[5]:-} # empty: RESPLIT_JAR
    [[ -z ${VARIANT_JAR[$v]} || -f ${VARIANT_JAR[$v]} ]] || die "$v: jar ${VARIANT_JAR[$v]} not found"
    vopts=${BASH_REMATCH[6]#"${BASH_REMATCH[6]%%[![:space:]]*}"} # without its leading blanks
    VARIANT_OPTS[$v]=$vopts
done
if ((${#VARIANTS[@]} > 0)); then
    TARGETS=${TARGETS:-predixy resplit ${VARIANTS[*]}}
else
    TARGETS=${TARGETS:-direct predixy twemproxy resplit resplit-m}
fi
SCRAPE_INTERVAL=${SCRAPE_INTERVAL:-5}
COOLDOWN=${COOLDOWN:-0}

read -r -a SIZE_LIST <<<"$SIZES"
read -r -a TEST_LIST <<<"${TESTS,,}"
read -r -a PIPELINE_LIST <<<"$PIPELINES"
read -r -a TARGET_LIST <<<"$TARGETS"
require_uint ROUNDS N_P1 N_P16 CLIENTS KEYSPACE WARMUP_N SCRAPE_INTERVAL COOLDOWN BENCH_TIMEOUT
((ROUNDS >= 1 && ROUNDS <= 100 && N_P1 >= 1 && N_P16 >= 1 && SCRAPE_INTERVAL >= 1)) \
    || die "ROUNDS must be 1..100; N_P1, N_P16 and SCRAPE_INTERVAL >= 1"
require_tests_and_pipelines
for t in "${TARGET_LIST[@]}"; do
    [[ $t =~ ^(direct|predixy|twemproxy|resplit|resplit-m)$ || -n ${VARIANT_JAVA[$t]:-} ]] \
        || die "unknown target '$t'"
done
has_target() { [[ " ${TARGET_LIST[*]} " == *" $1 "* ]]; }
command -v redis-benchmark >/dev/null || die "redis-benchmark not found"
if has_target resplit-m; then command -v curl >/dev/null || die "curl not found (resplit-m checks /metrics)"; fi

uses_resplit=0
for t in "${TARGET_LIST[@]}"; do [[ $t == resplit* ]] && uses_resplit=1; done
if ((uses_resplit)); then proxy_preflight; fi
for v in "${VARIANTS[@]}"; do command -v "${VARIANT_JAVA[$v]}" >/dev/null || die "$v: ${VARIANT_JAVA[$v]} not found"; done
bench_init
read -r -a FREE <<<"$(pick_free_ports $((9 + ${#VARIANTS[@]})))"
MASTER_PORT=${FREE[0]} REPLICA1_PORT=${FREE[1]} REPLICA2_PORT=${FREE[2]}
PROXY_PORT=${FREE[3]} PREDIXY_PORT=${FREE[4]} TWEMPROXY_PORT=${FREE[5]} TWEMPROXY_STATS_PORT=${FREE[6]}
PROXY_M_PORT=${FREE[7]} METRICS_PORT=${FREE[8]}

# one private copy of the jar: a rebuild of proxy/target/resplit.jar during the run cannot reach the proxies
JAR_NOTE=none
if ((uses_resplit)); then
    cp -- "$RESPLIT_JAR" "$BENCH_TMP/resplit.jar"
    JAR_NOTE="${RESPLIT_JAR#"$REPO_ROOT"/} (sha256 $(sha256sum "$RESPLIT_JAR" | cut -c1-12)…, $(date -r "$RESPLIT_JAR" '+%Y-%m-%d %H:%M'))"
    RESPLIT_JAR=$BENCH_TMP/resplit.jar
fi
for v in "${VARIANTS[@]}"; do # another build: a private copy too, named in the report
    if [[ -n ${VARIANT_JAR[$v]} ]]; then
        VARIANT_NOTE[$v]="; jar ${VARIANT_JAR[$v]} (sha256 $(sha256sum "${VARIANT_JAR[$v]}" | cut -c1-12)…)"
        cp -- "${VARIANT_JAR[$v]}" "$BENCH_TMP/$v.jar"
        VARIANT_JAR[$v]=$BENCH_TMP/$v.jar
    fi
done

start_topology --client-output-buffer-limit "replica 0 0 0"
declare -A PORT_OF PID_OF
PORT_OF[direct]=$MASTER_PORT PID_OF[direct]=$MASTER_PID
# start_resplit TARGET PORT METRICS_PORT [JAVA [JVM_OPTS [JAR]]]: a resplit with one event loop as TARGET,
# run by JAVA (default RESPLIT_JAVA) from JAR (default RESPLIT_JAR) with RESPLIT_JAVA_OPTS and JVM_OPTS, and given
# the words of JVM_OPTS after a lone -- (resplit's own arguments) after its usual ones; its log is proxy-TARGET.log
# in the temp dir.
start_resplit() {
    local java=$RESPLIT_JAVA jar=$RESPLIT_JAR opts=$RESPLIT_JAVA_OPTS words=() jvm=() args=() w ours=0
    read -r -a words <<<"${5:-}"
    for w in "${words[@]}"; do # JVM options (some start with --), then resplit's own arguments after a lone --
        if ((ours)); then args+=("$w"); elif [[ $w == -- ]]; then ours=1; else jvm+=("$w"); fi
    done
    RESPLIT_JAVA=${4:-$java} RESPLIT_JAR=${6:-$jar} RESPLIT_JAVA_OPTS="$opts ${jvm[*]}" PROXY_PORT=$2
    PROXY_LOG=$BENCH_TMP/proxy-$1.log
    PROXY_EXTRA_ARGS=(--io-threads 1 --metrics-port "$3" --admin-socket "$BENCH_TMP/admin-$1.sock" "${args[@]}")
    start_proxy
    PORT_OF[$1]=$2 PID_OF[$1]=$PROXY_PID
    RESPLIT_JAVA=$java RESPLIT_JAR=$jar RESPLIT_JAVA_OPTS=$opts
}
if has_target resplit; then start_resplit resplit "$PROXY_PORT" 0; fi
for i in "${!VARIANTS[@]}"; do
    v=${VARIANTS[i]}
    if has_target "$v"; then start_resplit "$v" "${FREE[9 + i]}" 0 "${VARIANT_JAVA[$v]}" "${VARIANT_OPTS[$v]}" \
        "${VARIANT_JAR[$v]}"; fi
done
if has_target resplit-m; then
    start_resplit resplit-m "$PROXY_M_PORT" "$METRICS_PORT"
    scraper_start "$METRICS_PORT" "$SCRAPE_INTERVAL" --carry
    log "scraper: http://$BENCH_HOST:$METRICS_PORT/metrics every ${SCRAPE_INTERVAL}s of resplit-m's runs"
fi
if has_target predixy; then
    start_predixy "$PREDIXY_PORT"
    PORT_OF[predixy]=$PREDIXY_PORT PID_OF[predixy]=$PREDIXY_PID
fi
if has_target twemproxy; then
    start_twemproxy "$TWEMPROXY_PORT" "$TWEMPROXY_STATS_PORT"
    PORT_OF[twemproxy]=$TWEMPROXY_PORT PID_OF[twemproxy]=$TWEMPROXY_PID
fi

CLK_TCK=$(getconf CLK_TCK)
STAMP=$(date +%Y%m%d-%H%M%S)
mkdir -p "$RESULTS_DIR"
CSV=$RESULTS_DIR/peers-$STAMP.csv
MD=$RESULTS_DIR/peers-$STAMP.md
echo "size,round,test,pipeline,target,position,n,rps,p50_ms,p99_ms,cpu_ticks,cpu_us_per_req,loop_us_per_req,scrapes" >"$CSV"

# rb PORT TEST P SIZE N OUT: one redis-benchmark run; dies on failure (7.x exits on an error reply).
rb() {
    bench_run "$6" "$6.err" timeout --kill-after=10 "$BENCH_TIMEOUT" redis-benchmark -h "$BENCH_HOST" -p "$1" \
        -a "$BENCH_PASSWORD" -t "$2" -c "$CLIENTS" -d "$4" -r "$KEYSPACE" -n "$5" -P "$3" --csv \
        || { show_log_tail "$6.err"; die "redis-benchmark -t $2 -P $3 -d $4 against port $1 failed"; }
}

# measure SIZE ROUND TEST P TARGET POSITION
measure() {
    local size=$1 round=$2 test=$3 p=$4 t=$5 pos=$6 n pid c0 c1 l0=0 l1=0 s0 s1 rps p50 p99 loop=""
    n=$N_P16
    if ((p == 1)); then n=$N_P1; fi
    pid=${PID_OF[$t]}
    proc_alive "$pid" || die "$t (pid $pid) died"
    if [[ $t == resplit-m ]]; then scraper_set on; fi
    s0=$(scrape_count ok)
    c0=$(proc_cpu_ticks "$pid")
    if [[ $t == resplit* ]]; then l0=$(proc_threads_cpu_ns "$pid" "$LOOP_THREADS"); fi
    rb "${PORT_OF[$t]}" "$test" "$p" "$size" "$n" "$BENCH_TMP/out.csv"
    c1=$(proc_cpu_ticks "$pid")
    if [[ $t == resplit* ]]; then
        l1=$(proc_threads_cpu_ns "$pid" "$LOOP_THREADS")
        loop=$(awk -v ns=$((l1 - l0)) -v n="$n" 'BEGIN { printf "%.3f", ns / 1000 / n }')
    fi
    s1=$(scrape_count ok)
    if [[ $t == resplit-m ]]; then scraper_set off; fi
    read -r rps p50 p99 <<<"$(rb_row "$BENCH_TMP/out.csv" "$test")"
    local cpu
    cpu=$(awk -v t=$((c1 - c0)) -v hz="$CLK_TCK" -v n="$n" 'BEGIN { printf "%.3f", t / hz * 1e6 / n }')
    echo "$size,$round,$test,$p,$t,$pos,$n,$rps,$p50,$p99,$((c1 - c0)),$cpu,$loop,$((s1 - s0))" >>"$CSV"
    log "$size B round $round ${test^^} P=$p $t: $rps ops/s p50=$p50 p99=$p99 cpu=${cpu}us/req${loop:+ loop=${loop}us/req}"
    if [[ $test == set ]]; then wait_replicas_synced 60000; fi
    if ((COOLDOWN > 0)); then sleep "$COOLDOWN"; fi
}

NT=${#TARGET_LIST[@]}
cell=0
for size in "${SIZE_LIST[@]}"; do
    fill_keys "$size"
    if ((WARMUP_N > 0)); then
        log "warm-up, $size B: $WARMUP_N SET and GET per proxy at each depth (not recorded)"
        for t in "${TARGET_LIST[@]}"; do
            [[ $t == direct ]] && continue
            if [[ $t == resplit-m ]]; then scraper_set on; fi
            for p in "${PIPELINE_LIST[@]}"; do
                for test in set get; do rb "${PORT_OF[$t]}" "$test" "$p" "$size" "$WARMUP_N" "$BENCH_TMP/warm.csv"; done
            done
            if [[ $t == resplit-m ]]; then scraper_set off; fi
            wait_replicas_synced 60000
        done
    fi
    for ((round = 1; round <= ROUNDS; round++)); do
        for test in "${TEST_LIST[@]}"; do
            for p in "${PIPELINE_LIST[@]}"; do
                cell=$((cell + 1))
                k=$(((round + cell) % NT))
                order=("${TARGET_LIST[@]:k}" "${TARGET_LIST[@]:0:k}")
                for ((i = 0; i < NT; i++)); do measure "$size" "$round" "$test" "$p" "${order[i]}" "$((i + 1))"; done
            done
        done
    done
done

if has_target resplit-m; then
    commands=$(curl -sf --max-time 10 "http://$BENCH_HOST:$METRICS_PORT/metrics" \
        | awk '/^resplit_commands_total\{/ { s += $NF } END { printf "%d", s }') || die "could not read /metrics"
    ((commands > 0)) || die "resplit-m reports resplit_commands_total = 0: metrics are not on"
    log "resplit-m: resplit_commands_total = $commands; scrapes ok $(scrape_count ok), failed $(scrape_count fail)"
fi

{
    printf '# resplit and peer proxies %s\n\n' "$STAMP"
    printf -- '- host: %s, %s CPUs, kernel %s; %s; %s; %s\n' "$(uname -n)" "$(nproc)" "$(uname -r)" \
        "$(redis-server --version | cut -d' ' -f1-3)" "$("$RESPLIT_JAVA" -version 2>&1 | head -n 1)" \
        "$("$NUTCRACKER" --version 2>&1 | head -n 1 || true)"
    printf -- '- git: %s; jar: %s; java opts: %s; proxy args: %s\n' \
        "$(git -C "$REPO_ROOT" describe --always --dirty 2>/dev/null || echo none)" "$JAR_NOTE" \
        "${RESPLIT_JAVA_OPTS:-none}" "${RESPLIT_PROXY_ARGS:-none}"
    printf -- '- redis-benchmark -c %s -r %s, N %s at P=1 and %s deeper; sizes %s; %s rounds; warm-up %s; targets %s\n' \
        "$CLIENTS" "$KEYSPACE" "$N_P1" "$N_P16" "$SIZES" "$ROUNDS" "$WARMUP_N" "$TARGETS"
    printf -- '- resplit and resplit-m: --io-threads 1; resplit-m: metrics on, /metrics scraped every %ss of its runs\n' \
        "$SCRAPE_INTERVAL"
    for v in "${VARIANTS[@]}"; do
        printf -- '- %s: %s (%s) %s%s\n' "$v" "${VARIANT_JAVA[$v]}" \
            "$("${VARIANT_JAVA[$v]}" -version 2>&1 | grep -m1 -i 'runtime environment' || true)" "${VARIANT_OPTS[$v]}" \
            "${VARIANT_NOTE[$v]:-}"
    done
    printf -- '- raw: %s\n\n' "$(basename "$CSV")"
    python3 "$BENCH_DIR/peers_report.py" "$CSV"
} >"$MD"
printf '\n'
cat "$MD"
log "wrote $CSV and $MD"

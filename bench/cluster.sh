#!/usr/bin/env bash
# Redis Cluster direct vs. through resplit (issue 16): a local cluster of 3 masters + 3 replicas on 127.0.0.1
# (redis-server --cluster-enabled yes, joined by redis-cli --cluster create, with a password), and one resplit
# in cluster mode in front of it (cluster-node lines for the masters, io-threads 1, read-from replicas).
#   direct: redis-benchmark --cluster -p <a master>: the client learns the slot map and spreads its clients
#           over the masters itself (its keys carry a hash tag; 7.0 puts each master's keys in one of its slots;
#           reads go to the masters);
#   proxy:  redis-benchmark -p <proxy>: plain keys key:NNNNNNNNNNNN spread over all slots by the proxy, which
#           sends writes to each slot's master and reads to that shard's replica.
# SET and GET at pipeline 1 and 16, -c 50 -d 16 -r 100000, ROUNDS rounds, the two modes alternating which runs
# first (by round and cell). Per run: ops/s and p99 (redis-benchmark --csv), the proxy's CPU per request and the
# six redis-servers' CPU per request (utime+stime from /proc/PID/stat before and after the run), redis-benchmark's
# own CPU per request (bash's times), and per node the calls of the command, keyspace hits/misses and
# MOVED/ASK/error replies (INFO). Prints a table of medians
# (bench/cluster_report.py) and leaves runs.csv, nodes.csv, report.md, the proxy's STATUS and log in RESULTS_DIR.
#
# Env knobs (defaults in brackets):
#   ROUNDS [3]  N (both depths)  N_P1 [200000]  N_P16 [1000000]  TESTS ["set get"]  PIPELINES ["1 16"]
#   CLIENTS [50]  KEYSPACE [100000]  SIZE [16]  WARMUP_N [100000] (per mode, test and depth, not recorded)
#   RESULTS_DIR [a new /tmp/resplit-cluster-results.XXXXXX]  CLUSTER_TIMEOUT [60] s (cluster_state:ok, replicas
#   in the map, the proxy seeing them)  BENCH_TIMEOUT [600] s per redis-benchmark run
#   RESPLIT_JAR [built once: mvn -B -o -q -pl proxy package -DskipTests]: always run from a copy in the temp dir
#   RESPLIT_JAVA  RESPLIT_JAVA_OPTS  RESPLIT_PROXY_ARGS ("--directive value" overrides)  BENCH_PASSWORD  KEEP_TMP
# On a shared machine: flock /tmp/resplit-cpu.lock bash bench/cluster.sh
# redis-benchmark --cluster runs one thread per master (on these 2 cores: 3 client threads), and its threads stop
# only at a 250 ms throughput tick: a direct run's time is rounded up to that, so its ops/s reads up to
# 0.25 s / run time low. Hence the larger N at pipeline 16; the report shows the runs' lengths.
# Smoke test: ROUNDS=1 N=20000 WARMUP_N=10000 bash bench/cluster.sh
set -euo pipefail

GIVEN_JAR=${RESPLIT_JAR:-}
GIVEN_RESULTS=${RESULTS_DIR:-}
# shellcheck source=bench/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

ROUNDS=${ROUNDS:-3}
N_P1=${N_P1:-${N:-200000}}
N_P16=${N_P16:-${N:-1000000}}
TESTS=${TESTS:-set get}
PIPELINES=${PIPELINES:-1 16}
CLIENTS=${CLIENTS:-50}
KEYSPACE=${KEYSPACE:-100000}
SIZE=${SIZE:-16}
WARMUP_N=${WARMUP_N:-100000}
CLUSTER_TIMEOUT=${CLUSTER_TIMEOUT:-60}
read -r -a TEST_LIST <<<"${TESTS,,}"
read -r -a PIPELINE_LIST <<<"$PIPELINES"
require_uint ROUNDS N_P1 N_P16 CLIENTS KEYSPACE SIZE WARMUP_N CLUSTER_TIMEOUT BENCH_TIMEOUT
((ROUNDS >= 1 && ROUNDS <= 100 && N_P1 >= 1 && N_P16 >= 1 && SIZE >= 1)) \
    || die "ROUNDS must be 1..100; N_P1, N_P16 and SIZE >= 1"
require_tests_and_pipelines
command -v redis-benchmark >/dev/null || die "redis-benchmark not found"
command -v "$RESPLIT_JAVA" >/dev/null || die "$RESPLIT_JAVA not found (RESPLIT_JAVA)"

bench_init
# The proxy runs from a private copy of the jar: others rebuild proxy/target meanwhile.
if [[ -n $GIVEN_JAR ]]; then
    [[ -f $GIVEN_JAR ]] || die "RESPLIT_JAR=$GIVEN_JAR does not exist"
    JAR_NOTE="$GIVEN_JAR"
else
    command -v mvn >/dev/null || die "mvn not found (or give RESPLIT_JAR)"
    log "building the proxy: mvn -B -o -q -pl proxy package -DskipTests"
    bench_run "$BENCH_TMP/mvn.log" "$BENCH_TMP/mvn.log" mvn -B -o -q -pl proxy package -DskipTests \
        || { show_log_tail "$BENCH_TMP/mvn.log"; die "build failed (give a jar with RESPLIT_JAR)"; }
    GIVEN_JAR=$REPO_ROOT/proxy/target/resplit.jar
    JAR_NOTE="built from $(git -C "$REPO_ROOT" describe --always --dirty 2>/dev/null || echo '?')"
fi
cp -- "$GIVEN_JAR" "$BENCH_TMP/resplit.jar"
JAR_NOTE="$JAR_NOTE, sha256 $(sha256sum "$BENCH_TMP/resplit.jar" | cut -c1-12)"
RESULTS_DIR=${GIVEN_RESULTS:-$(mktemp -d "${TMPDIR:-/tmp}/resplit-cluster-results.XXXXXX")}
mkdir -p "$RESULTS_DIR"

# ---- the cluster: 6 nodes, each with a cluster bus port of its own ----
read -r -a FREE <<<"$(pick_free_ports 13)"
PROXY_PORT=${FREE[12]}
NODE_PORTS=("${FREE[@]:0:6}")
declare -A PID_OF ROLE_OF SHARD_OF
for i in "${!NODE_PORTS[@]}"; do
    start_redis "node$i" "${NODE_PORTS[i]}" --cluster-enabled yes --cluster-port "${FREE[6 + i]}" \
        --cluster-config-file nodes.conf --masterauth "$BENCH_PASSWORD" \
        --client-output-buffer-limit "replica 0 0 0"
    PID_OF[${NODE_PORTS[i]}]=$STARTED_PID
done
addrs=()
for p in "${NODE_PORTS[@]}"; do addrs+=("$BENCH_HOST:$p"); done
log "redis-cli --cluster create ${addrs[*]} --cluster-replicas 1"
bench_run "$BENCH_TMP/create.log" "$BENCH_TMP/create.log" env REDISCLI_AUTH="$BENCH_PASSWORD" \
    timeout 120 redis-cli --cluster create "${addrs[@]}" --cluster-replicas 1 --cluster-yes \
    || { show_log_tail "$BENCH_TMP/create.log"; die "redis-cli --cluster create failed"; }

# wait_for WHAT CMD...: until CMD succeeds, within CLUSTER_TIMEOUT seconds.
wait_for() {
    local what=$1 deadline=$((SECONDS + CLUSTER_TIMEOUT))
    shift
    until "$@"; do
        ((SECONDS < deadline)) || die "$what: not within ${CLUSTER_TIMEOUT}s"
        sleep 0.2
    done
}
all_nodes_ok() {
    local p
    for p in "${NODE_PORTS[@]}"; do
        rcli "$p" CLUSTER INFO 2>/dev/null | grep -q '^cluster_state:ok' || return 1
    done
}
wait_for "cluster_state:ok on every node" all_nodes_ok
# the replicas' roles reach the other nodes by gossip, after cluster_state:ok
all_roles_known() {
    local p
    for p in "${NODE_PORTS[@]}"; do
        [[ $(rcli "$p" CLUSTER NODES 2>/dev/null | awk '$3 ~ /slave/ && $8 == "connected" { r++ }
            $3 ~ /master/ && NF > 8 { m++ } END { print m + 0, r + 0 }') == "3 3" ]] || return 1
    done
}
wait_for "3 masters with slots and 3 replicas in every node's CLUSTER NODES" all_roles_known

# Roles and shards from CLUSTER NODES ("id ip:port@bus flags master-id ..."): shard k = the k-th master by port.
nodes_txt=$(rcli "${NODE_PORTS[0]}" CLUSTER NODES | tr -d '\r')
declare -A PORT_OF_ID
while read -r id addr _; do
    [[ -n $id ]] && PORT_OF_ID[$id]=${addr%%@*} && PORT_OF_ID[$id]=${PORT_OF_ID[$id]##*:}
done <<<"$nodes_txt"
read -r -a MASTER_PORTS <<<"$(awk '$3 ~ /master/ && NF > 8 { a = $2; sub(/@.*/, "", a); sub(/.*:/, "", a); print a }' \
    <<<"$nodes_txt" | sort -n | tr '\n' ' ')"
((${#MASTER_PORTS[@]} == 3)) || die "expected 3 masters, CLUSTER NODES says: $nodes_txt"
for i in "${!MASTER_PORTS[@]}"; do ROLE_OF[${MASTER_PORTS[i]}]=master SHARD_OF[${MASTER_PORTS[i]}]=$i; done
while read -r _ addr flags master_id _; do
    [[ $flags == *slave* ]] || continue
    p=${addr%%@*} p=${p##*:}
    ROLE_OF[$p]=replica SHARD_OF[$p]=${SHARD_OF[${PORT_OF_ID[$master_id]}]}
done <<<"$nodes_txt"
for p in "${NODE_PORTS[@]}"; do [[ -n ${ROLE_OF[$p]:-} ]] || die "node $p has no role in CLUSTER NODES"; done

# A fresh cluster leaves replicas out of CLUSTER SLOTS until a write and some gossip: write to every shard
# (keys {0}..{29} cover them with near certainty; the wait below is what counts) and wait until every node's
# CLUSTER SLOTS names all six nodes.
for i in $(seq 0 29); do rcli "${NODE_PORTS[0]}" -c SET "cluster-bench:{$i}" x >/dev/null; done
replicas_in_map() {
    local p id slots
    for p in "${NODE_PORTS[@]}"; do
        slots=$(rcli "$p" CLUSTER SLOTS 2>/dev/null) || return 1
        for id in "${!PORT_OF_ID[@]}"; do [[ $slots == *"$id"* ]] || return 1; done
    done
}
wait_for "every node's CLUSTER SLOTS listing all six nodes" replicas_in_map
log "cluster up: masters ${MASTER_PORTS[*]}, replicas in the slot map"

# ---- the proxy ----
CONF=$BENCH_TMP/resplit-cluster.conf
{
    printf 'bind %s\nport %s\nrequirepass %s\nmasterauth %s\n' "$BENCH_HOST" "$PROXY_PORT" "$BENCH_PASSWORD" \
        "$BENCH_PASSWORD"
    for p in "${MASTER_PORTS[@]}"; do printf 'cluster-node %s %s\n' "$BENCH_HOST" "$p"; done
    printf 'io-threads 1\nread-from replicas\nadmin-socket %s\n' "$BENCH_TMP/admin.sock"
} >"$CONF"
java_opts=() proxy_args=()
read -r -a java_opts <<<"$RESPLIT_JAVA_OPTS"
read -r -a proxy_args <<<"$RESPLIT_PROXY_ARGS"
"$RESPLIT_JAVA" "${java_opts[@]}" -jar "$BENCH_TMP/resplit.jar" "$CONF" "${proxy_args[@]}" \
    >"$BENCH_TMP/proxy.log" 2>&1 &
PROXY_PID=$!
BENCH_PIDS+=("$PROXY_PID")
wait_pong "$PROXY_PORT" "$PROXY_PID" resplit "$BENCH_TMP/proxy.log"
proxy_status() { timeout 10 redis-cli -s "$BENCH_TMP/admin.sock" STATUS | tr -d '\r'; }
# every shard with a replica serving reads (unless RESPLIT_PROXY_ARGS chose otherwise)
replicas_serving() { [[ $(proxy_status | grep -c 'replicas_serving_reads=[1-9]') == 3 ]]; }
if [[ " $RESPLIT_PROXY_ARGS " != *" --read-from "* ]]; then
    wait_for "the proxy serving reads from a replica in each shard" replicas_serving
fi
[[ $(rcli "$PROXY_PORT" SET cluster-bench:sanity ok) == OK && $(rcli "$PROXY_PORT" GET cluster-bench:sanity) == ok ]] \
    || die "SET/GET through the proxy failed"

# ---- measuring ----
CLK_TCK=$(getconf CLK_TCK)
RUNS=$RESULTS_DIR/runs.csv NODES=$RESULTS_DIR/nodes.csv
echo "run,round,test,pipeline,mode,position,n,rps,p50_ms,p99_ms,proxy_ticks,proxy_us_per_req,redis_ticks,redis_us_per_req,client_us_per_req" >"$RUNS"
echo "run,mode,test,pipeline,port,role,shard,cpu_ticks,calls,hits,misses,moved,ask,errors" >"$NODES"

# node_counters PORT -> "CALLS_SET CALLS_GET HITS MISSES MOVED ASK ERRORS" from INFO (error replies it sent).
node_counters() {
    rcli "$1" INFO commandstats stats errorstats | tr -d '\r' | awk -F'[:=,]' '
        $1 == "cmdstat_set" { s = $3 } $1 == "cmdstat_get" { g = $3 }
        $1 == "keyspace_hits" { h = $2 } $1 == "keyspace_misses" { m = $2 }
        $1 == "errorstat_MOVED" { mv = $3 } $1 == "errorstat_ASK" { a = $3 } $1 == "total_error_replies" { e = $2 }
        END { printf "%d %d %d %d %d %d %d", s, g, h, m, mv, a, e }'
}

# rb MODE TEST P N OUT: one redis-benchmark run against the cluster (direct) or the proxy; dies on failure
# (7.x exits at the first error reply).
rb() {
    local target=(-p "$PROXY_PORT")
    [[ $1 == direct ]] && target=(--cluster -p "${MASTER_PORTS[0]}")
    bench_run "$5" "$5.err" timeout --kill-after=10 "$BENCH_TIMEOUT" redis-benchmark -h "$BENCH_HOST" "${target[@]}" \
        -a "$BENCH_PASSWORD" -t "$2" -c "$CLIENTS" -d "$SIZE" -r "$KEYSPACE" -n "$4" -P "$3" --csv \
        || { show_log_tail "$5.err"; die "redis-benchmark $1 -t $2 -P $3 failed"; }
}

# every master's writes acknowledged by its replica (bounded), so replication does not spill into the next run
wait_replicas() {
    local m acked
    for m in "${MASTER_PORTS[@]}"; do
        acked=$(rcli "$m" WAIT 1 60000 2>/dev/null || true)
        [[ $acked == 1 ]] || log "warning: WAIT 1 on master $m returned '$acked'"
    done
}

# children_cpu_s VAR: VAR = user+system seconds of this shell's finished children so far (bash's times; called
# as $(...) it would count the subshell's children), so redis-benchmark's CPU is the difference around its run.
children_cpu_s() {
    times >"$BENCH_TMP/times"
    printf -v "$1" '%s' "$(awk 'NR == 2 { for (i = 1; i <= 2; i++) { split($i, t, /[ms]/); s += t[1] * 60 + t[2] } }
        END { printf "%.3f", s }' "$BENCH_TMP/times")"
}

run_id=0
# measure ROUND TEST P MODE POSITION
measure() {
    local round=$1 test=$2 p=$3 mode=$4 pos=$5 n=$N_P16 port c0 c1 pc0=0 pc1=0 rps p50 p99 ticks=0 pt=0 b0 b1
    local -A before cpu0
    ((p > 1)) || n=$N_P1
    run_id=$((run_id + 1))
    proc_alive "$PROXY_PID" || { show_log_tail "$BENCH_TMP/proxy.log"; die "the proxy died"; }
    # INFO outside the CPU window: counters first, CPU last before the run; CPU first, counters last after
    for port in "${NODE_PORTS[@]}"; do before[$port]=$(node_counters "$port"); done
    for port in "${NODE_PORTS[@]}"; do cpu0[$port]=$(proc_cpu_ticks "${PID_OF[$port]}"); done
    pc0=$(proc_cpu_ticks "$PROXY_PID")
    children_cpu_s b0
    rb "$mode" "$test" "$p" "$n" "$BENCH_TMP/out.csv"
    children_cpu_s b1
    pc1=$(proc_cpu_ticks "$PROXY_PID")
    for port in "${NODE_PORTS[@]}"; do
        c1=$(proc_cpu_ticks "${PID_OF[$port]}")
        c0=$((c1 - cpu0[$port]))
        ticks=$((ticks + c0))
        cpu0[$port]=$c0
    done
    for port in "${NODE_PORTS[@]}"; do
        local b a k=2 cols
        read -r -a b <<<"${before[$port]}"
        read -r -a a <<<"$(node_counters "$port")"
        [[ $test == set ]] && k=0
        [[ $test == get ]] && k=1
        cols="$((a[k] - b[k])),$((a[2] - b[2])),$((a[3] - b[3])),$((a[4] - b[4])),$((a[5] - b[5])),$((a[6] - b[6]))"
        echo "$run_id,$mode,$test,$p,$port,${ROLE_OF[$port]},${SHARD_OF[$port]},${cpu0[$port]},$cols" >>"$NODES"
    done
    [[ $mode == proxy ]] && pt=$((pc1 - pc0))
    read -r rps p50 p99 <<<"$(rb_row "$BENCH_TMP/out.csv" "$test")"
    local us
    us=$(awk -v pt="$pt" -v rt="$ticks" -v hz="$CLK_TCK" -v n="$n" -v b="$b0" -v B="$b1" \
        'BEGIN { printf "%.3f,%d,%.3f,%.3f", pt / hz * 1e6 / n, rt, rt / hz * 1e6 / n, (B - b) * 1e6 / n }')
    echo "$run_id,$round,$test,$p,$mode,$pos,$n,$rps,$p50,$p99,$pt,$us" >>"$RUNS"
    log "round $round ${test^^} P=$p $mode: $rps ops/s p99=$p99 ms, proxy+redis CPU ticks $pt+$ticks"
    if [[ $test == set ]]; then wait_replicas; fi
}

if ((WARMUP_N > 0)); then
    log "warm-up: $WARMUP_N SET and GET per mode and depth (not recorded)"
    for p in "${PIPELINE_LIST[@]}"; do
        for test in set get; do
            for mode in direct proxy; do rb "$mode" "$test" "$p" "$WARMUP_N" "$BENCH_TMP/warm.csv"; done
            if [[ $test == set ]]; then wait_replicas; fi
        done
    done
fi
cell=0
for ((round = 1; round <= ROUNDS; round++)); do
    for test in "${TEST_LIST[@]}"; do
        for p in "${PIPELINE_LIST[@]}"; do
            cell=$((cell + 1))
            order=(direct proxy)
            (((round + cell) % 2)) && order=(proxy direct)
            measure "$round" "$test" "$p" "${order[0]}" 1
            measure "$round" "$test" "$p" "${order[1]}" 2
        done
    done
done

proxy_status >"$RESULTS_DIR/proxy-status.txt" || log "warning: no STATUS from the admin socket"
cp -- "$BENCH_TMP/proxy.log" "$RESULTS_DIR/proxy.log"
{
    printf '# Redis Cluster direct vs. resplit, %s\n\n' "$(date -u '+%Y-%m-%d %H:%M UTC')"
    printf -- '- host: %s CPUs, kernel %s; %s; %s; cluster, proxy and redis-benchmark on one host\n' "$(nproc)" \
        "$(uname -r)" "$(redis-server --version | cut -d' ' -f1-3)" "$("$RESPLIT_JAVA" -version 2>&1 | head -n 1)"
    printf -- '- cluster: 3 masters + 3 replicas (masters %s); proxy: io-threads 1, read-from replicas%s\n' \
        "${MASTER_PORTS[*]}" "${RESPLIT_PROXY_ARGS:+, args $RESPLIT_PROXY_ARGS}"
    printf -- '- jar: %s; java opts: %s\n' "$JAR_NOTE" "${RESPLIT_JAVA_OPTS:-none}"
    printf -- '- redis-benchmark -c %s -d %s -r %s, -n %s at P=1 and %s deeper, %s rounds, warm-up %s\n\n' \
        "$CLIENTS" "$SIZE" "$KEYSPACE" "$N_P1" "$N_P16" "$ROUNDS" "$WARMUP_N"
    python3 "$BENCH_DIR/cluster_report.py" "$RUNS" "$NODES"
    # shellcheck disable=SC2016  # the backticks are a markdown code block
    printf '\nProxy STATUS at the end:\n\n```\n%s\n```\n' "$(grep -E '^(cluster_|shard)' "$RESULTS_DIR/proxy-status.txt")"
} >"$RESULTS_DIR/report.md"
printf '\n'
cat "$RESULTS_DIR/report.md"
log "results in $RESULTS_DIR"

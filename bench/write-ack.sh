#!/usr/bin/env bash
# Cost of durable acknowledgement (write-ack-replicas): redis-benchmark SET against
# a master with one replica (127.0.0.1, passwords, no persistence) directly, through
# a plain proxy, and through a proxy with `write-ack-replicas 1`, which appends one
# WAIT per master connection per event-loop flush and holds the write replies until
# it answers (group commit). The three targets run in every round, in a rotating
# order; the report gives medians over rounds of ops/s, p50/p99 latency, the
# ratios, and the master's WAIT calls per SET (INFO commandstats, CONFIG RESETSTAT
# before every run).
# See bench/README.md ("Durable acknowledgement"). Env knobs (defaults in brackets):
#   ROUNDS [3]  N (both pipelines)  N_P1 [150000]  N_P16 [600000]  CLIENTS [50]
#   SIZE [16]  KEYSPACE [100000]  PIPELINES ["1 16"]  WARMUP_N [100000] (0 = off)
#   WRITE_ACK_TIMEOUT [1000] (ms)  COOLDOWN [1]  BENCH_TIMEOUT [600]
#   RESULTS_DIR [bench/results]  RESPLIT_JAVA_OPTS  RESPLIT_PROXY_ARGS  KEEP_TMP
#   MASTER_PORT  REPLICA1_PORT  PROXY_PORT (plain proxy)  PROXY_ACK_PORT
set -euo pipefail

# shellcheck source=bench/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

ROUNDS=${ROUNDS:-3}
N_P1=${N_P1:-${N:-150000}}
N_P16=${N_P16:-${N:-600000}}
CLIENTS=${CLIENTS:-50}
SIZE=${SIZE:-16}
KEYSPACE=${KEYSPACE:-100000}
PIPELINES=${PIPELINES:-1 16}
WARMUP_N=${WARMUP_N:-100000}
WRITE_ACK_TIMEOUT=${WRITE_ACK_TIMEOUT:-1000}
COOLDOWN=${COOLDOWN:-1}               # s, pause after each run
BENCH_TIMEOUT=${BENCH_TIMEOUT:-600}   # s, hard cap per redis-benchmark run
RESULTS_DIR=${RESULTS_DIR:-$BENCH_DIR/results}
WRITE_ACK_REPLICAS=1                  # the topology has exactly one replica

read -r -a PIPELINE_LIST <<<"$PIPELINES"

is_uint() { [[ $1 =~ ^[0-9]+$ ]]; }
for v in ROUNDS N_P1 N_P16 CLIENTS SIZE KEYSPACE WARMUP_N WRITE_ACK_TIMEOUT COOLDOWN BENCH_TIMEOUT; do
    is_uint "${!v}" || die "$v must be a non-negative integer (got '${!v}')"
done
((ROUNDS >= 1 && ROUNDS <= 100)) || die "ROUNDS must be 1..100"
((N_P1 >= 1 && N_P16 >= 1 && CLIENTS >= 1 && SIZE >= 1 && KEYSPACE >= 1)) \
    || die "N_P1, N_P16, CLIENTS, SIZE and KEYSPACE must be >= 1"
((WRITE_ACK_TIMEOUT >= 1 && WRITE_ACK_TIMEOUT <= 600000)) || die "WRITE_ACK_TIMEOUT must be 1..600000 (ms)"
((${#PIPELINE_LIST[@]} >= 1)) || die "PIPELINES is empty"
for p in "${PIPELINE_LIST[@]}"; do
    if ! is_uint "$p" || ((p < 1)); then die "PIPELINES must be positive integers (got '$p')"; fi
done
# The password goes into the proxies' config files between double quotes.
[[ $BENCH_PASSWORD =~ ^[A-Za-z0-9._+=@%:/-]+$ ]] \
    || die "BENCH_PASSWORD may only contain letters, digits and ._+=@%:/- (it is written into a config file)"
for tool in redis-benchmark java sha256sum; do
    command -v "$tool" >/dev/null || die "$tool not found in PATH"
done

CSV_HEADER='"test","rps","avg_latency_ms","min_latency_ms","p50_latency_ms","p95_latency_ms","p99_latency_ms","max_latency_ms"'
CLK_TCK=$(getconf CLK_TCK)

ensure_jar
bench_init

# Four distinct free ports, picked at once so none is handed out twice.
read -r -a FREE <<<"$(pick_free_ports 4)"
MASTER_PORT=${MASTER_PORT:-${FREE[0]}}
REPLICA1_PORT=${REPLICA1_PORT:-${FREE[1]}}
PROXY_PORT=${PROXY_PORT:-${FREE[2]}}
PROXY_ACK_PORT=${PROXY_ACK_PORT:-${FREE[3]}}
PLAIN_PORT=$PROXY_PORT
ACK_PORT=$PROXY_ACK_PORT
if [[ $(printf '%s\n' "$MASTER_PORT" "$REPLICA1_PORT" "$PLAIN_PORT" "$ACK_PORT" | sort -u | wc -l) != 4 ]]; then
    die "ports must be distinct: master=$MASTER_PORT replica=$REPLICA1_PORT proxies=$PLAIN_PORT,$ACK_PORT"
fi

# Both proxies run one private copy of the jar: a rebuild of proxy/target/resplit.jar
# during the run cannot affect them.
JAR_ORIGIN=$RESPLIT_JAR
cp -- "$RESPLIT_JAR" "$BENCH_TMP/resplit.jar"
RESPLIT_JAR=$BENCH_TMP/resplit.jar
JAR_SHA=$(sha256sum "$RESPLIT_JAR" | cut -c1-12)
JAR_MTIME=$(date -r "$JAR_ORIGIN" '+%Y-%m-%d %H:%M:%S')
GIT_DIRTY=""
if [[ $JAR_ORIGIN != "$REPO_ROOT/proxy/target/resplit.jar" ]]; then
    GIT_DIRTY=" (RESPLIT_JAR set: the jar need not come from this checkout)"
elif [[ -n $(git -C "$REPO_ROOT" status --porcelain -- proxy/src/main proxy/pom.xml 2>/dev/null) ]]; then
    GIT_DIRTY=" (uncommitted changes under proxy/src/main or proxy/pom.xml when the run started)"
fi

mkdir -p "$RESULTS_DIR"
STAMP=$(date +%Y%m%d-%H%M%S)
RESULTS_CSV=$RESULTS_DIR/write-ack-$STAMP.csv
RESULTS_MD=$RESULTS_DIR/write-ack-$STAMP.md
printf '%s\n' "round,seq,pipeline,target,clients,size,requests,rps,avg_ms,min_ms,p50_ms,p95_ms,p99_ms,max_ms,elapsed_s,set_calls,wait_calls,wait_per_set,proxy_cpu_us_per_req,master_cpu_us_per_req,replica_cpu_us_per_req" >"$RESULTS_CSV"

# ---- master + one replica -----------------------------------------------------
# As in run.sh: a pipelined SET burst can never get the replica disconnected
# (which would force a full resync in the middle of a run).
start_redis master "$MASTER_PORT" --client-output-buffer-limit "replica 0 0 0"
MASTER_PID=$STARTED_PID
start_redis replica1 "$REPLICA1_PORT" --replicaof "$BENCH_HOST" "$MASTER_PORT" --masterauth "$BENCH_PASSWORD"
REPLICA1_PID=$STARTED_PID
wait_link_up "$REPLICA1_PORT"
[[ $(info_field "$MASTER_PORT" replication connected_slaves) == 1 ]] || die "master does not list exactly one replica"
log "replica reports master_link_status:up"

# ---- the two proxies ----------------------------------------------------------
# write_conf NAME PORT ACK_REPLICAS: identical files apart from port, admin socket
# and write-ack-replicas (0 = off, written out so nothing else can turn it on).
write_conf() {
    local name=$1 port=$2 ack=$3
    cat >"$BENCH_TMP/$name.conf" <<EOF
bind $BENCH_HOST
port $port
requirepass "$BENCH_PASSWORD"
master $BENCH_HOST $MASTER_PORT
replica $BENCH_HOST $REPLICA1_PORT
masterauth "$BENCH_PASSWORD"
io-threads 1
admin-socket $BENCH_TMP/admin-$name.sock
write-ack-replicas $ack
write-ack-timeout $WRITE_ACK_TIMEOUT
EOF
}

# start_resplit NAME PORT: sets STARTED_PID; log in $BENCH_TMP/proxy-NAME.log.
start_resplit() {
    local name=$1 port=$2 java_opts=() user_args=()
    read -r -a java_opts <<<"$RESPLIT_JAVA_OPTS"
    read -r -a user_args <<<"$RESPLIT_PROXY_ARGS"
    local plog=$BENCH_TMP/proxy-$name.log
    java "${java_opts[@]}" -jar "$RESPLIT_JAR" "$BENCH_TMP/$name.conf" "${user_args[@]}" >"$plog" 2>&1 &
    STARTED_PID=$!
    BENCH_PIDS+=("$STARTED_PID")
    local deadline=$((SECONDS + PROXY_START_TIMEOUT))
    until [[ $(rcli "$port" PING 2>/dev/null) == PONG ]]; do
        if ! proc_alive "$STARTED_PID"; then
            show_log_tail "$plog"
            die "proxy $name exited during startup (log: $plog)"
        fi
        if ((SECONDS >= deadline)); then
            show_log_tail "$plog"
            die "proxy $name not answering PING on port $port after ${PROXY_START_TIMEOUT}s"
        fi
        sleep 0.2
    done
    log "proxy $name up on $BENCH_HOST:$port (pid $STARTED_PID), log: $plog"
}

write_conf plain "$PLAIN_PORT" 0
write_conf ack "$ACK_PORT" "$WRITE_ACK_REPLICAS"
start_resplit plain "$PLAIN_PORT"
PLAIN_PID=$STARTED_PID
start_resplit ack "$ACK_PORT"
ACK_PID=$STARTED_PID

# The proxies must differ only in port, admin-socket and write-ack-replicas.
check_configs() {
    local plain_sock=$BENCH_TMP/admin-plain.sock ack_sock=$BENCH_TMP/admin-ack.sock plain_cfg ack_cfg diffs
    if [[ ! -S $plain_sock || ! -S $ack_sock ]]; then
        log "warning: no admin socket (no native transport?): cannot compare the proxies' settings"
        return 0
    fi
    plain_cfg=$(timeout 10 redis-cli -s "$plain_sock" CONFIG GET '*' | tr -d '\r') || die "CONFIG GET on the plain proxy failed"
    ack_cfg=$(timeout 10 redis-cli -s "$ack_sock" CONFIG GET '*' | tr -d '\r') || die "CONFIG GET on the write-ack proxy failed"
    [[ $(grep '^write-ack-replicas ' <<<"$plain_cfg") == "write-ack-replicas 0" ]] \
        || die "plain proxy reports '$(grep '^write-ack-replicas ' <<<"$plain_cfg")'"
    [[ $(grep '^write-ack-replicas ' <<<"$ack_cfg") == "write-ack-replicas $WRITE_ACK_REPLICAS" ]] \
        || die "write-ack proxy reports '$(grep '^write-ack-replicas ' <<<"$ack_cfg")'"
    diffs=$(diff <(grep -Ev '^(port|admin-socket|write-ack-replicas) ' <<<"$plain_cfg") \
        <(grep -Ev '^(port|admin-socket|write-ack-replicas) ' <<<"$ack_cfg") || true)
    [[ -z $diffs ]] || die "the proxies' settings differ beyond port/admin-socket/write-ack-replicas: $diffs"
    log "settings identical apart from port/admin-socket/write-ack-replicas ($(grep -c . <<<"$plain_cfg") directives compared; io-threads $(sed -n 's/^io-threads //p' <<<"$plain_cfg"))"
}
check_configs

# Sanity: a SET through each proxy answers OK, and its value reads back.
sanity_check() {
    local name=$1 port=$2 v="sanity-$$-$RANDOM" got="" i
    got=$(rcli "$port" SET "bench:sanity:$name" "$v" 2>&1 || true)
    [[ $got == OK ]] || die "SET through the $name proxy failed: $got"
    for ((i = 0; i < 50; i++)); do
        got=$(rcli "$port" GET "bench:sanity:$name" || true)
        [[ $got == "$v" ]] && break
        sleep 0.1
    done
    [[ $got == "$v" ]] || die "GET through the $name proxy returned '$got', expected '$v'"
    rcli "$port" DEL "bench:sanity:$name" >/dev/null
}
sanity_check plain "$PLAIN_PORT"
sanity_check ack "$ACK_PORT"
log "sanity check passed (SET/GET round trip through both proxies)"

# Parsed fields of the last run.
R_RPS="" R_AVG="" R_MIN="" R_P50="" R_P95="" R_P99="" R_MAX=""

# run_bench PORT PIPELINE REQUESTS OUTFILE
run_bench() {
    local port=$1 pipe=$2 n=$3 out=$4 rc=0
    bench_run "$out" "$out.err" timeout --kill-after=10 "$BENCH_TIMEOUT" \
        redis-benchmark -h "$BENCH_HOST" -p "$port" -a "$BENCH_PASSWORD" \
        -c "$CLIENTS" -P "$pipe" -d "$SIZE" -t set -n "$n" -r "$KEYSPACE" --csv || rc=$?
    if ((rc != 0)); then
        show_log_tail "$out.err"
        show_log_tail "$out"
        show_log_tail "$BENCH_TMP/proxy-plain.log"
        show_log_tail "$BENCH_TMP/proxy-ack.log"
        die "redis-benchmark failed (exit $rc) against port $port: SET P=$pipe"
    fi
    local header row name
    header=$(head -n 1 "$out" | tr -d '\r')
    [[ $header == "$CSV_HEADER" ]] || { show_log_tail "$out"; die "unexpected redis-benchmark CSV header: $header"; }
    row=$(grep -E '^"SET",' "$out" | tail -n 1 | tr -d '\r"' || true)
    [[ -n $row ]] || { show_log_tail "$out"; die "no SET row in redis-benchmark output"; }
    IFS=, read -r name R_RPS R_AVG R_MIN R_P50 R_P95 R_P99 R_MAX <<<"$row"
    [[ $name == SET && -n $R_MAX ]] || die "could not parse redis-benchmark row: $row"
}

# cmd_calls STATS NAME -> calls of cmdstat_NAME in an INFO commandstats text (0 if absent)
cmd_calls() {
    local v
    v=$(sed -n "s/^cmdstat_$2:calls=\([0-9]*\),.*/\1/p" <<<"$1" | head -n 1)
    printf '%d' "${v:-0}"
}

# us_per_req DELTA_TICKS REQUESTS
us_per_req() {
    awk -v t="$1" -v hz="$CLK_TCK" -v n="$2" 'BEGIN { printf "%.3f", (t / hz * 1e6) / n }'
}

# After a run: the replica takes every write so far, so the backlog does not
# spill into the next run (the master's stats were read before this WAIT).
replica_catch_up() {
    local acked
    acked=$(rcli "$MASTER_PORT" WAIT 1 60000 2>/dev/null || true)
    [[ $acked == 1 ]] || log "warning: WAIT 1 returned '$acked' (replica not caught up)"
}

SEQ=0
# measure ROUND PIPELINE TARGET REQUESTS   (TARGET: direct | plain | ack)
measure() {
    local round=$1 pipe=$2 target=$3 n=$4 port pid=""
    case $target in
        direct) port=$MASTER_PORT ;;
        plain) port=$PLAIN_PORT pid=$PLAIN_PID ;;
        ack) port=$ACK_PORT pid=$ACK_PID ;;
    esac
    SEQ=$((SEQ + 1))
    local out=$BENCH_TMP/bench-$round-$pipe-$target.csv
    proc_alive "$MASTER_PID" || die "master redis-server died"
    proc_alive "$REPLICA1_PID" || die "replica redis-server died"
    if [[ -n $pid ]]; then
        proc_alive "$pid" || { show_log_tail "$BENCH_TMP/proxy-$target.log"; die "proxy $target died"; }
    fi
    [[ $(rcli "$MASTER_PORT" CONFIG RESETSTAT) == OK ]] || die "CONFIG RESETSTAT on the master failed"
    local p0=0 p1=0 m0 m1 r0 r1 t0 t1 stats set_calls wait_calls
    if [[ -n $pid ]]; then p0=$(proc_cpu_ticks "$pid"); fi
    m0=$(proc_cpu_ticks "$MASTER_PID")
    r0=$(proc_cpu_ticks "$REPLICA1_PID")
    t0=$(now)
    run_bench "$port" "$pipe" "$n" "$out"
    t1=$(now)
    if [[ -n $pid ]]; then p1=$(proc_cpu_ticks "$pid"); fi
    m1=$(proc_cpu_ticks "$MASTER_PID")
    r1=$(proc_cpu_ticks "$REPLICA1_PID")
    stats=$(rcli "$MASTER_PORT" INFO commandstats | tr -d '\r')
    set_calls=$(cmd_calls "$stats" set)
    wait_calls=$(cmd_calls "$stats" wait)
    replica_catch_up
    r1=$(proc_cpu_ticks "$REPLICA1_PID") # the replica's share of the run includes catching up with it
    ((set_calls == n)) || log "warning: the master counted $set_calls SETs for a run of $n"
    if [[ $target == ack ]] && ((wait_calls == 0)); then
        die "the write-ack proxy's run made no WAIT on the master: write-ack-replicas not in effect?"
    fi
    if [[ $target != ack ]] && ((wait_calls > 0)); then
        log "warning: $wait_calls WAIT calls on the master during a $target run"
    fi
    local proxy_cpu="" master_cpu replica_cpu elapsed wait_per_set
    if [[ -n $pid ]]; then proxy_cpu=$(us_per_req $((p1 - p0)) "$n"); fi
    master_cpu=$(us_per_req $((m1 - m0)) "$n")
    replica_cpu=$(us_per_req $((r1 - r0)) "$n")
    elapsed=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", b - a }')
    wait_per_set=$(awk -v w="$wait_calls" -v s="$set_calls" 'BEGIN { if (s > 0) printf "%.6f", w / s; else printf "" }')
    printf '%s\n' "$round,$SEQ,$pipe,$target,$CLIENTS,$SIZE,$n,$R_RPS,$R_AVG,$R_MIN,$R_P50,$R_P95,$R_P99,$R_MAX,$elapsed,$set_calls,$wait_calls,$wait_per_set,$proxy_cpu,$master_cpu,$replica_cpu" >>"$RESULTS_CSV"
    log "  round $round $target: $R_RPS ops/s p50=${R_P50}ms p99=${R_P99}ms WAIT/SET=$wait_calls/$set_calls${proxy_cpu:+ proxy_cpu=${proxy_cpu}us/req} (${elapsed}s)"
    if ((COOLDOWN > 0)); then sleep "$COOLDOWN"; fi
}

if ((WARMUP_N > 0)); then
    log "warming up both proxy JVMs: $WARMUP_N SETs at each pipeline depth (not recorded)"
    for p in "${PIPELINE_LIST[@]}"; do
        run_bench "$PLAIN_PORT" "$p" "$WARMUP_N" "$BENCH_TMP/warmup-plain-$p.csv"
        run_bench "$ACK_PORT" "$p" "$WARMUP_N" "$BENCH_TMP/warmup-ack-$p.csv"
    done
    replica_catch_up
fi

TARGETS=(direct plain ack)
log "results: $RESULTS_CSV"
T_START=$SECONDS
for pipe in "${PIPELINE_LIST[@]}"; do
    n=$N_P1
    if ((pipe > 1)); then n=$N_P16; fi
    log "SET P=$pipe d=$SIZE n=$n clients=$CLIENTS"
    for ((round = 1; round <= ROUNDS; round++)); do
        # rotate the order every round (direct plain ack, plain ack direct, ack direct plain, ...)
        for ((k = 0; k < 3; k++)); do
            measure "$round" "$pipe" "${TARGETS[(round - 1 + k) % 3]}" "$n"
        done
    done
done
log "measured runs took $((SECONDS - T_START)) s"

{
    printf '# resplit write-ack benchmark %s\n\n' "$STAMP"
    printf -- '- host: %s, %s CPUs, %s, java %s\n' "$(uname -n)" "$(nproc)" "$(redis-server --version | cut -d' ' -f1-3)" \
        "$(java -version 2>&1 | head -n 1 | sed 's/.*version "\([^"]*\)".*/\1/')"
    printf -- '- git: %s%s; jar %s (sha256 %s, built %s)\n' \
        "$(git -C "$REPO_ROOT" rev-parse --short --verify -q HEAD 2>/dev/null || echo none)" "$GIT_DIRTY" \
        "$JAR_ORIGIN" "$JAR_SHA" "$JAR_MTIME"
    printf -- '- topology: master + 1 replica; proxies: io-threads 1, write-ack-replicas 0 (plain) and %s (write-ack), write-ack-timeout %s ms; java_opts=%s proxy_args=%s\n' \
        "$WRITE_ACK_REPLICAS" "$WRITE_ACK_TIMEOUT" "${RESPLIT_JAVA_OPTS:-none}" "${RESPLIT_PROXY_ARGS:-none}"
    printf -- '- redis-benchmark -t set -c %s -d %s -r %s; rounds=%s n(P=1)=%s n(P>1)=%s warmup=%s\n' \
        "$CLIENTS" "$SIZE" "$KEYSPACE" "$ROUNDS" "$N_P1" "$N_P16" "$WARMUP_N"
    printf -- '- raw per-run data: %s\n\n' "$(basename "$RESULTS_CSV")"
    python3 - "$RESULTS_CSV" <<'PY'
import csv, statistics, sys

rows = list(csv.DictReader(open(sys.argv[1])))
names = {"direct": "direct", "plain": "plain proxy", "ack": "write-ack proxy"}
pipes = sorted({int(r["pipeline"]) for r in rows})

def med(p, t, col):
    vals = [float(r[col]) for r in rows if int(r["pipeline"]) == p and r["target"] == t and r[col] != ""]
    return statistics.median(vals) if vals else None

def runs(p, t):
    return [r for r in rows if int(r["pipeline"]) == p and r["target"] == t]

def f(v, fmt):
    return "–" if v is None else format(v, fmt)

def ratio(a, b):
    return None if a is None or b is None or b == 0 else a / b

print("Medians over rounds. Ratios are of median ops/s. WAIT per SET = the master's cmdstat_wait calls ÷ "
      "cmdstat_set calls in the run (SETs per WAIT = its inverse).\n")
print("| pipeline | target | ops/s | ÷ direct | ÷ plain proxy | p50 ms | p99 ms | WAIT per SET | SETs per WAIT | rounds |")
print("|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|")
for p in pipes:
    d, pl = med(p, "direct", "rps"), med(p, "plain", "rps")
    for t in ("direct", "plain", "ack"):
        rps = med(p, t, "rps")
        wps = med(p, t, "wait_per_set")
        spw = None if not wps else 1 / wps
        print(f"| {p} | {names[t]} | {f(rps, '.0f')} | {f(ratio(rps, d), '.2f')} | "
              f"{f(ratio(rps, pl), '.2f') if t != 'direct' else '–'} | {f(med(p, t, 'p50_ms'), '.3f')} | "
              f"{f(med(p, t, 'p99_ms'), '.3f')} | {f(wps, '.4f')} | {f(spw, '.0f')} | {len(runs(p, t))} |")

print("\nCPU per request (µs, user + system, median over rounds): the proxy under load, the master, the replica.\n")
print("| pipeline | target | proxy | master | replica | ops/s per round |")
print("|---:|---|---:|---:|---:|---|")
for p in pipes:
    for t in ("direct", "plain", "ack"):
        per_round = " / ".join(format(float(r["rps"]), ".0f") for r in runs(p, t))
        print(f"| {p} | {names[t]} | {f(med(p, t, 'proxy_cpu_us_per_req'), '.2f')} | "
              f"{f(med(p, t, 'master_cpu_us_per_req'), '.2f')} | {f(med(p, t, 'replica_cpu_us_per_req'), '.2f')} | "
              f"{per_round} |")
PY
} >"$RESULTS_MD"

printf '\n'
cat "$RESULTS_MD"
log "wrote $RESULTS_CSV and $RESULTS_MD"

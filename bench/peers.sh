#!/usr/bin/env bash
# Side by side, one run: direct Redis, predixy (the C++ read/write-splitting peer) and resplit, each proxy with
# one event loop, in front of the same master + 2 replicas on 127.0.0.1. redis-benchmark SET and GET, 16-byte
# values, 50 clients, pipeline 1 and 16, ROUNDS rounds with the targets' order rotated each round. Reports ops/s,
# p50/p99 and each proxy's CPU per request (utime+stime of its process over the run), medians over rounds.
#
# Needs predixy built: bash ../shared/peers/build-predixy.sh (-> /tmp/peers/predixy/src/predixy).
# Env: ROUNDS [3]  N_P1 [200000]  N_P16 [1000000]  PREDIXY [/tmp/peers/predixy/src/predixy]
#      PREDIXY_CONF_TEMPLATE [../shared/peers/predixy.conf]  RESPLIT_JAR, RESPLIT_JAVA_OPTS (bench/lib.sh)
set -euo pipefail
source "$(dirname "$0")/lib.sh"

ROUNDS=${ROUNDS:-3}
N_P1=${N_P1:-200000}
N_P16=${N_P16:-1000000}
PREDIXY=${PREDIXY:-/tmp/peers/predixy/src/predixy}
PREDIXY_CONF_TEMPLATE=${PREDIXY_CONF_TEMPLATE:-$REPO_ROOT/../shared/peers/predixy.conf}
[[ -x $PREDIXY ]] || die "predixy not built: bash ../shared/peers/build-predixy.sh"
[[ -f $PREDIXY_CONF_TEMPLATE ]] || die "no predixy config template at $PREDIXY_CONF_TEMPLATE"
command -v redis-benchmark >/dev/null || die "redis-benchmark not found"

bench_init
bench_assign_ports
read -r PREDIXY_PORT <<<"$(pick_free_ports 1)"
start_topology
PROXY_EXTRA_ARGS=(--io-threads 1)
start_proxy

# the shared predixy config, moved to this run's ports and password
sed -e "s/127.0.0.1:7100/127.0.0.1:$MASTER_PORT/; s/127.0.0.1:7101/127.0.0.1:$REPLICA1_PORT/" \
    -e "s/127.0.0.1:7102/127.0.0.1:$REPLICA2_PORT/; s/127.0.0.1:7110/127.0.0.1:$PREDIXY_PORT/" \
    -e "s/peerbench-secret/$BENCH_PASSWORD/g" "$PREDIXY_CONF_TEMPLATE" >"$BENCH_TMP/predixy.conf"
"$PREDIXY" "$BENCH_TMP/predixy.conf" >"$BENCH_TMP/predixy.log" 2>&1 &
PREDIXY_PID=$!
BENCH_PIDS+=("$PREDIXY_PID")
deadline=$((SECONDS + 30))
until [[ $(rcli "$PREDIXY_PORT" PING 2>/dev/null) == PONG ]]; do
    ((SECONDS < deadline)) || { show_log_tail "$BENCH_TMP/predixy.log"; die "predixy not answering"; }
    sleep 0.2
done
log "predixy up on $BENCH_HOST:$PREDIXY_PORT (pid $PREDIXY_PID)"

TICK=$(getconf CLK_TCK)
STAMP=$(date +%Y%m%d-%H%M%S)
mkdir -p "$REPO_ROOT/bench/results"
CSV=$REPO_ROOT/bench/results/peers-$STAMP.csv
echo "round,test,pipeline,target,n,rps,p50_ms,p99_ms,cpu_us_per_req" >"$CSV"

port_of() { case $1 in direct) echo "$MASTER_PORT" ;; predixy) echo "$PREDIXY_PORT" ;; resplit) echo "$PROXY_PORT" ;; esac; }
pid_of() { case $1 in direct) echo "$MASTER_PID" ;; predixy) echo "$PREDIXY_PID" ;; resplit) echo "$PROXY_PID" ;; esac; }

# one warm-up pass through each target (the JVM's JIT, and the keys GET reads)
for t in direct predixy resplit; do
    bench_run /dev/null - redis-benchmark -h "$BENCH_HOST" -p "$(port_of "$t")" -a "$BENCH_PASSWORD" \
        -t set,get -c 50 -d 16 -r 100000 -n 200000 -P 16 -q
done

targets=(direct predixy resplit)
for ((round = 1; round <= ROUNDS; round++)); do
    order=("${targets[@]:round%3}" "${targets[@]:0:round%3}")
    for test in set get; do
        for p in 1 16; do
            n=$([[ $p == 1 ]] && echo "$N_P1" || echo "$N_P16")
            for t in "${order[@]}"; do
                pid=$(pid_of "$t")
                c0=$(proc_cpu_ticks "$pid")
                bench_run "$BENCH_TMP/out.csv" - redis-benchmark -h "$BENCH_HOST" -p "$(port_of "$t")" \
                    -a "$BENCH_PASSWORD" -t "$test" -c 50 -d 16 -r 100000 -n "$n" -P "$p" --csv
                c1=$(proc_cpu_ticks "$pid")
                line=$(tail -n 1 "$BENCH_TMP/out.csv" | tr -d '"')
                IFS=, read -r _ rps _ _ p50 _ p99 _ <<<"$line"
                cpu=$(python3 -c "print(f'{($c1-$c0)/$TICK*1e6/$n:.3f}')")
                echo "$round,$test,$p,$t,$n,$rps,$p50,$p99,$cpu" >>"$CSV"
                log "round $round $test P=$p $t: $rps ops/s p50=$p50 p99=$p99 cpu=${cpu}us/req"
            done
        done
    done
done

python3 - "$CSV" <<'PY'
import csv, statistics, sys
rows = list(csv.DictReader(open(sys.argv[1])))
med = lambda xs: statistics.median(float(x) for x in xs)
print("| test | P | target | ops/s | ÷ direct | p50 ms | p99 ms | CPU µs/req (process) | resplit ÷ predixy CPU |")
print("|---|---:|---|---:|---:|---:|---:|---:|---:|")
for test in ("set", "get"):
    for p in ("1", "16"):
        sel = {t: [r for r in rows if r["test"] == test and r["pipeline"] == p and r["target"] == t]
               for t in ("direct", "predixy", "resplit")}
        d = med(r["rps"] for r in sel["direct"])
        cpu = {t: med(r["cpu_us_per_req"] for r in sel[t]) for t in sel}
        for t, rs in sel.items():
            rps = med(r["rps"] for r in rs)
            ratio = f"{cpu['resplit'] / cpu['predixy']:.2f}" if t == "resplit" else ""
            print(f"| {test.upper()} | {p} | {t} | {rps:.0f} | {rps / d:.2f} | {med(r['p50_ms'] for r in rs):.3f} | "
                  f"{med(r['p99_ms'] for r in rs):.3f} | {cpu[t]:.2f} | {ratio} |")
PY
log "raw: $CSV"

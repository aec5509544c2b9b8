#!/usr/bin/env bash
# io-transport side by side: the same jar as two proxies, one I/O thread each, epoll and io_uring, in front of
# the same master + 2 replicas on 127.0.0.1. redis-benchmark SET and GET, 16-byte values, 50 clients, pipeline
# 1 and 16, ROUNDS rounds with the order alternated. Reports ops/s, p99 and each proxy's CPU per request
# (utime+stime of its process), medians over rounds, and io_uring / epoll ratios.
#
# Env: ROUNDS [3]  N_P1 [200000]  N_P16 [1000000]  RESPLIT_JAR, RESPLIT_JAVA_OPTS (bench/lib.sh)
set -euo pipefail
source "$(dirname "$0")/lib.sh"

ROUNDS=${ROUNDS:-3}
N_P1=${N_P1:-200000}
N_P16=${N_P16:-1000000}
command -v redis-benchmark >/dev/null || die "redis-benchmark not found"

bench_init
bench_assign_ports
start_topology
read -r EPOLL_PORT URING_PORT <<<"$(pick_free_ports 2)"
PROXY_PORT=$EPOLL_PORT PROXY_EXTRA_ARGS=(--io-threads 1 --io-transport epoll)
start_proxy
EPOLL_PID=$PROXY_PID
PROXY_PORT=$URING_PORT PROXY_EXTRA_ARGS=(--io-threads 1 --io-transport io_uring)
start_proxy
URING_PID=$PROXY_PID

TICK=$(getconf CLK_TCK)
mkdir -p "$REPO_ROOT/bench/results"
CSV=$REPO_ROOT/bench/results/io-transport-$(date +%Y%m%d-%H%M%S).csv
echo "round,test,pipeline,target,n,rps,p50_ms,p99_ms,cpu_us_per_req" >"$CSV"
port_of() { [[ $1 == epoll ]] && echo "$EPOLL_PORT" || echo "$URING_PORT"; }
pid_of() { [[ $1 == epoll ]] && echo "$EPOLL_PID" || echo "$URING_PID"; }

for t in epoll io_uring; do # warm-up: the JIT, and the keys GET reads
    bench_run /dev/null - redis-benchmark -h "$BENCH_HOST" -p "$(port_of "$t")" -a "$BENCH_PASSWORD" \
        -t set,get -c 50 -d 16 -r 100000 -n 200000 -P 16 -q
done
for ((round = 1; round <= ROUNDS; round++)); do
    order=(epoll io_uring)
    ((round % 2 == 0)) && order=(io_uring epoll)
    for test in set get; do
        for p in 1 16; do
            n=$([[ $p == 1 ]] && echo "$N_P1" || echo "$N_P16")
            for t in "${order[@]}"; do
                pid=$(pid_of "$t")
                c0=$(proc_cpu_ticks "$pid")
                bench_run "$BENCH_TMP/out.csv" - redis-benchmark -h "$BENCH_HOST" -p "$(port_of "$t")" \
                    -a "$BENCH_PASSWORD" -t "$test" -c 50 -d 16 -r 100000 -n "$n" -P "$p" --csv
                c1=$(proc_cpu_ticks "$pid")
                read -r rps p50 p99 <<<"$(rb_row "$BENCH_TMP/out.csv" "$test")"
                cpu=$(python3 -c "print(f'{($c1-$c0)/$TICK*1e6/$n:.3f}')")
                echo "$round,$test,$p,$t,$n,$rps,$p50,$p99,$cpu" >>"$CSV"
                log "round $round $test P=$p $t: $rps ops/s p99=$p99 cpu=${cpu}us/req"
            done
        done
    done
done

python3 - "$CSV" <<'PY'
import csv, statistics, sys
rows = list(csv.DictReader(open(sys.argv[1])))
cells = {}
for r in rows:
    cells.setdefault((r["test"], r["pipeline"], r["target"]), []).append(r)
med = lambda rs, f: statistics.median(float(r[f]) for r in rs)
print("| test | P | epoll ops/s | io_uring ops/s | epoll CPU µs/req | io_uring CPU µs/req | CPU io_uring ÷ epoll | p99 ms epoll / io_uring |")
print("|---|---:|---:|---:|---:|---:|---:|---|")
for test in ("set", "get"):
    for p in ("1", "16"):
        e, u = cells[(test, p, "epoll")], cells[(test, p, "io_uring")]
        print(f"| {test.upper()} | {p} | {med(e,'rps'):.0f} | {med(u,'rps'):.0f} | {med(e,'cpu_us_per_req'):.2f} | "
              f"{med(u,'cpu_us_per_req'):.2f} | {med(u,'cpu_us_per_req')/med(e,'cpu_us_per_req'):.2f} | "
              f"{med(e,'p99_ms'):.2f} / {med(u,'p99_ms'):.2f} |")
PY

#!/usr/bin/env bash
# Cost of TLS: redis-benchmark SET and GET against four targets on 127.0.0.1, all with passwords and no
# persistence:
#   direct-plain  a plaintext redis-server master
#   proxy-plain   resplit in front of it (plaintext on both sides)
#   direct-tls    a TLS-only redis-server master (--port 0 --tls-port P)
#   proxy-tls     resplit in front of that one, TLS on both sides (tls-port, port 0, tls-backends yes)
# The certificates (a CA, a server certificate for IP:127.0.0.1 and DNS:localhost, a client certificate; EC
# P-256 keys in PKCS#8) are made with openssl in the temp dir. The four targets run in every round, in a
# rotating order; the report gives medians over rounds of ops/s, p50/p99 latency, the ratios (proxy-tls ÷
# direct-tls, TLS ÷ plaintext for Redis and for the proxy) and the CPU per request of the proxy and the master.
# A second, smaller part (CONN_N > 0) measures connection set-up: redis-benchmark -k 0, one connection (TCP,
# TLS handshake, AUTH, one GET, close) per request.
# See bench/README.md ("Cost of TLS"). Env knobs (defaults in brackets):
#   ROUNDS [3]  N (both pipelines)  N_P1 [150000]  N_P16 [600000]  CLIENTS [50]  SIZE [16]
#   KEYSPACE [100000]  TESTS ["SET GET"]  PIPELINES ["1 16"]  WARMUP_N [100000] (0 = off)
#   CONN_N [5000] (0 = no connection set-up part)  TLS_AUTH_CLIENTS [no] (yes = mutual TLS on both hops)
#   INSECURE [0] (1 = redis-benchmark --insecure)  COOLDOWN [1]  BENCH_TIMEOUT [600]
#   RESULTS_DIR [bench/results]  RESPLIT_JAVA_OPTS  RESPLIT_PROXY_ARGS  KEEP_TMP
#   PLAIN_MASTER_PORT  TLS_MASTER_PORT  PLAIN_PROXY_PORT  TLS_PROXY_PORT
set -euo pipefail

# shellcheck source=bench/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

ROUNDS=${ROUNDS:-3}
N_P1=${N_P1:-${N:-150000}}
N_P16=${N_P16:-${N:-600000}}
CLIENTS=${CLIENTS:-50}
SIZE=${SIZE:-16}
KEYSPACE=${KEYSPACE:-100000}
TESTS=${TESTS:-SET GET}
PIPELINES=${PIPELINES:-1 16}
WARMUP_N=${WARMUP_N:-100000}
CONN_N=${CONN_N:-5000}
TLS_AUTH_CLIENTS=${TLS_AUTH_CLIENTS:-no}
INSECURE=${INSECURE:-0}
COOLDOWN=${COOLDOWN:-1}               # s, pause after each run
BENCH_TIMEOUT=${BENCH_TIMEOUT:-600}   # s, hard cap per redis-benchmark run
RESULTS_DIR=${RESULTS_DIR:-$BENCH_DIR/results}

read -r -a TEST_LIST <<<"$TESTS"
read -r -a PIPELINE_LIST <<<"$PIPELINES"

is_uint() { [[ $1 =~ ^[0-9]+$ ]]; }
for v in ROUNDS N_P1 N_P16 CLIENTS SIZE KEYSPACE WARMUP_N CONN_N COOLDOWN BENCH_TIMEOUT; do
    is_uint "${!v}" || die "$v must be a non-negative integer (got '${!v}')"
done
((ROUNDS >= 1 && ROUNDS <= 100)) || die "ROUNDS must be 1..100"
((N_P1 >= 1 && N_P16 >= 1 && CLIENTS >= 1 && SIZE >= 1 && KEYSPACE >= 1)) \
    || die "N_P1, N_P16, CLIENTS, SIZE and KEYSPACE must be >= 1"
((CONN_N <= 20000)) || die "CONN_N must be 0..20000 (each connection leaves a TIME_WAIT socket on loopback)"
((${#TEST_LIST[@]} >= 1 && ${#PIPELINE_LIST[@]} >= 1)) || die "TESTS and PIPELINES must not be empty"
for t in "${TEST_LIST[@]}"; do
    [[ $t == SET || $t == GET ]] || die "TESTS may only contain SET and GET (got '$t')"
done
for p in "${PIPELINE_LIST[@]}"; do
    if ! is_uint "$p" || ((p < 1)); then die "PIPELINES must be positive integers (got '$p')"; fi
done
[[ $TLS_AUTH_CLIENTS == no || $TLS_AUTH_CLIENTS == yes ]] || die "TLS_AUTH_CLIENTS must be no or yes"
[[ $INSECURE == 0 || $INSECURE == 1 ]] || die "INSECURE must be 0 or 1"
# The password goes into the proxies' config files between double quotes.
[[ $BENCH_PASSWORD =~ ^[A-Za-z0-9._+=@%:/-]+$ ]] \
    || die "BENCH_PASSWORD may only contain letters, digits and ._+=@%:/- (it is written into a config file)"
for tool in redis-benchmark java sha256sum openssl; do
    command -v "$tool" >/dev/null || die "$tool not found in PATH"
done

CSV_HEADER='"test","rps","avg_latency_ms","min_latency_ms","p50_latency_ms","p95_latency_ms","p99_latency_ms","max_latency_ms"'
CLK_TCK=$(getconf CLK_TCK)

ensure_jar
bench_init

read -r -a FREE <<<"$(pick_free_ports 4)"
PLAIN_MASTER_PORT=${PLAIN_MASTER_PORT:-${FREE[0]}}
TLS_MASTER_PORT=${TLS_MASTER_PORT:-${FREE[1]}}
PLAIN_PROXY_PORT=${PLAIN_PROXY_PORT:-${FREE[2]}}
TLS_PROXY_PORT=${TLS_PROXY_PORT:-${FREE[3]}}
if [[ $(printf '%s\n' "$PLAIN_MASTER_PORT" "$TLS_MASTER_PORT" "$PLAIN_PROXY_PORT" "$TLS_PROXY_PORT" | sort -u | wc -l) != 4 ]]; then
    die "ports must be distinct: masters=$PLAIN_MASTER_PORT,$TLS_MASTER_PORT proxies=$PLAIN_PROXY_PORT,$TLS_PROXY_PORT"
fi

# Both proxies run one private copy of the jar: a rebuild of proxy/target/resplit.jar during the run cannot
# affect them.
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
RESULTS_CSV=$RESULTS_DIR/tls-$STAMP.csv
RESULTS_MD=$RESULTS_DIR/tls-$STAMP.md
printf '%s\n' "round,seq,kind,test,pipeline,target,clients,size,requests,rps,avg_ms,min_ms,p50_ms,p95_ms,p99_ms,max_ms,elapsed_s,proxy_cpu_us_per_req,proxy_loop_us_per_req,master_cpu_us_per_req" >"$RESULTS_CSV"

# ---- certificates ---------------------------------------------------------------
TLS_DIR=$BENCH_TMP/tls
mkdir -p "$TLS_DIR"
make_certs() {
    local d=$TLS_DIR
    (
        set -e
        cd "$d"
        newkey() { openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1" 2>/dev/null; }
        newkey ca.key
        openssl req -x509 -new -key ca.key -sha256 -days 2 -subj "/CN=resplit-bench-ca" -out ca.crt 2>/dev/null
        newkey server.key
        openssl req -new -key server.key -subj "/CN=localhost" -out server.csr 2>/dev/null
        printf '%s\n' "subjectAltName=IP:127.0.0.1,DNS:localhost" "basicConstraints=CA:FALSE" \
            "keyUsage=digitalSignature" "extendedKeyUsage=serverAuth,clientAuth" >server.ext
        openssl x509 -req -in server.csr -CA ca.crt -CAkey ca.key -CAcreateserial -days 2 -sha256 \
            -extfile server.ext -out server.crt 2>/dev/null
        newkey client.key
        openssl req -new -key client.key -subj "/CN=resplit-bench-client" -out client.csr 2>/dev/null
        printf '%s\n' "basicConstraints=CA:FALSE" "keyUsage=digitalSignature" "extendedKeyUsage=clientAuth" >client.ext
        openssl x509 -req -in client.csr -CA ca.crt -CAkey ca.key -CAcreateserial -days 2 -sha256 \
            -extfile client.ext -out client.crt 2>/dev/null
        openssl verify -CAfile ca.crt server.crt client.crt >/dev/null
        chmod 600 ./*.key
    ) || die "making the certificates with openssl failed"
    grep -q -- '-----BEGIN PRIVATE KEY-----' "$d/server.key" || die "server.key is not PKCS#8 PEM"
    log "certificates in $d: CA, server (IP:127.0.0.1, DNS:localhost), client; EC P-256, PKCS#8"
}
make_certs

# TLS arguments for redis-cli / redis-benchmark.
TLS_CLIENT_ARGS=(--tls --cacert "$TLS_DIR/ca.crt")
if [[ $TLS_AUTH_CLIENTS == yes ]]; then TLS_CLIENT_ARGS+=(--cert "$TLS_DIR/client.crt" --key "$TLS_DIR/client.key"); fi
BENCH_TLS_ARGS=("${TLS_CLIENT_ARGS[@]}")
if [[ $INSECURE == 1 ]]; then BENCH_TLS_ARGS+=(--insecure); fi

# cli MODE PORT ARGS... : redis-cli against 127.0.0.1:PORT (MODE tls|plain), bounded to 10 s.
cli() {
    local mode=$1 port=$2 tls=()
    shift 2
    if [[ $mode == tls ]]; then tls=("${TLS_CLIENT_ARGS[@]}"); fi
    timeout 10 redis-cli -h "$BENCH_HOST" -p "$port" "${tls[@]}" -a "$BENCH_PASSWORD" --no-auth-warning "$@"
}

# start_node NAME MODE PORT: a master redis-server, plaintext or TLS-only; sets STARTED_PID.
start_node() {
    local name=$1 mode=$2 port=$3 dir=$BENCH_TMP/$1 args=()
    mkdir -p "$dir"
    if [[ $mode == tls ]]; then
        args=(--port 0 --tls-port "$port" --tls-cert-file "$TLS_DIR/server.crt" --tls-key-file "$TLS_DIR/server.key"
            --tls-ca-cert-file "$TLS_DIR/ca.crt" --tls-auth-clients "$TLS_AUTH_CLIENTS")
    else
        args=(--port "$port")
    fi
    redis-server "${args[@]}" --bind "$BENCH_HOST" --save '' --appendonly no \
        --requirepass "$BENCH_PASSWORD" --dir "$dir" >"$dir/redis.log" 2>&1 &
    STARTED_PID=$!
    BENCH_PIDS+=("$STARTED_PID")
    local deadline=$((SECONDS + REDIS_START_TIMEOUT))
    until [[ $(cli "$mode" "$port" PING 2>/dev/null) == PONG ]]; do
        if ! proc_alive "$STARTED_PID"; then
            show_log_tail "$dir/redis.log"
            die "redis-server $name (port $port) exited during startup (built without TLS support?)"
        fi
        ((SECONDS < deadline)) || { show_log_tail "$dir/redis.log"; die "redis-server $name (port $port) not answering PING after ${REDIS_START_TIMEOUT}s"; }
        sleep 0.1
    done
    log "$name redis-server ($mode) up on $BENCH_HOST:$port (pid $STARTED_PID)"
}

start_node master-plain plain "$PLAIN_MASTER_PORT"
PLAIN_MASTER_PID=$STARTED_PID
start_node master-tls tls "$TLS_MASTER_PORT"
TLS_MASTER_PID=$STARTED_PID

# ---- the two proxies ----------------------------------------------------------------
write_conf() {
    local name=$1 port=$2 master_port=$3 f=$BENCH_TMP/$1.conf
    {
        printf '%s\n' "bind $BENCH_HOST"
        if [[ $name == tls ]]; then
            printf '%s\n' "port 0" "tls-port $port" "tls-cert-file $TLS_DIR/server.crt" \
                "tls-key-file $TLS_DIR/server.key" "tls-ca-cert-file $TLS_DIR/ca.crt" \
                "tls-auth-clients $TLS_AUTH_CLIENTS" "tls-backends yes"
            if [[ $TLS_AUTH_CLIENTS == yes ]]; then
                printf '%s\n' "tls-client-cert-file $TLS_DIR/client.crt" "tls-client-key-file $TLS_DIR/client.key"
            fi
        else
            printf '%s\n' "port $port"
        fi
        printf '%s\n' "requirepass \"$BENCH_PASSWORD\"" "master $BENCH_HOST $master_port" \
            "masterauth \"$BENCH_PASSWORD\"" "io-threads 1" "admin-socket $BENCH_TMP/admin-$name.sock"
    } >"$f"
}

# start_resplit NAME MODE PORT: sets STARTED_PID; log in $BENCH_TMP/proxy-NAME.log.
start_resplit() {
    local name=$1 mode=$2 port=$3 java_opts=() user_args=()
    read -r -a java_opts <<<"$RESPLIT_JAVA_OPTS"
    read -r -a user_args <<<"$RESPLIT_PROXY_ARGS"
    local plog=$BENCH_TMP/proxy-$name.log
    java "${java_opts[@]}" -jar "$RESPLIT_JAR" "$BENCH_TMP/$name.conf" "${user_args[@]}" >"$plog" 2>&1 &
    STARTED_PID=$!
    BENCH_PIDS+=("$STARTED_PID")
    local deadline=$((SECONDS + PROXY_START_TIMEOUT))
    until [[ $(cli "$mode" "$port" PING 2>/dev/null) == PONG ]]; do
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

write_conf plain "$PLAIN_PROXY_PORT" "$PLAIN_MASTER_PORT"
write_conf tls "$TLS_PROXY_PORT" "$TLS_MASTER_PORT"
start_resplit plain plain "$PLAIN_PROXY_PORT"
PLAIN_PROXY_PID=$STARTED_PID
start_resplit tls tls "$TLS_PROXY_PORT"
TLS_PROXY_PID=$STARTED_PID

TLS_ENGINE=$(sed -n 's/.*TLS engine: //p' "$BENCH_TMP/proxy-tls.log" | head -n 1)
[[ -n $TLS_ENGINE ]] || { show_log_tail "$BENCH_TMP/proxy-tls.log"; die "the TLS proxy logged no 'TLS engine:' line"; }
grep -q 'accepting TLS clients' "$BENCH_TMP/proxy-tls.log" || log "warning: the TLS proxy logged no 'accepting TLS clients' line"
if grep -q 'TLS engine:' "$BENCH_TMP/proxy-plain.log"; then die "the plaintext proxy set up TLS"; fi
log "TLS proxy engine: $TLS_ENGINE"

# The proxies may differ only in their ports, master, admin socket and tls-* settings.
check_configs() {
    local ps=$BENCH_TMP/admin-plain.sock ts=$BENCH_TMP/admin-tls.sock pc tc diffs re='^(port|tls-port|tls-[a-z-]+|master|admin-socket) '
    if [[ ! -S $ps || ! -S $ts ]]; then
        log "warning: no admin socket (no native transport?): cannot compare the proxies' settings"
        return 0
    fi
    pc=$(timeout 10 redis-cli -s "$ps" CONFIG GET '*' | tr -d '\r') || die "CONFIG GET on the plain proxy failed"
    tc=$(timeout 10 redis-cli -s "$ts" CONFIG GET '*' | tr -d '\r') || die "CONFIG GET on the TLS proxy failed"
    [[ $(grep '^tls-backends ' <<<"$tc") == "tls-backends yes" ]] || die "TLS proxy reports '$(grep '^tls-backends ' <<<"$tc")'"
    [[ $(grep '^port ' <<<"$tc") == "port 0" ]] || die "TLS proxy reports '$(grep '^port ' <<<"$tc")'"
    diffs=$(diff <(grep -Ev "$re" <<<"$pc") <(grep -Ev "$re" <<<"$tc") || true)
    [[ -z $diffs ]] || die "the proxies' settings differ beyond ports/master/admin-socket/tls-*: $diffs"
    log "settings identical apart from ports/master/admin-socket/tls-* ($(grep -c . <<<"$pc") directives compared; io-threads $(sed -n 's/^io-threads //p' <<<"$pc"))"
}
check_configs

# Fill KEYSPACE keys key:%012d (the names redis-benchmark -r uses) with SIZE-byte values on both masters
# through redis-cli --pipe (which speaks TLS), so that every GET hits an existing key of the right size.
fill_keys() {
    local mode=$1 port=$2 out=$BENCH_TMP/fill-$1.txt n
    python3 - "$KEYSPACE" "$SIZE" >"$BENCH_TMP/fill.resp" <<'PY'
import sys
keys, size = int(sys.argv[1]), int(sys.argv[2])
v = b"x" * size
out = sys.stdout.buffer
for i in range(keys):
    k = b"key:%012d" % i
    out.write(b"*3\r\n$3\r\nSET\r\n$%d\r\n%s\r\n$%d\r\n%s\r\n" % (len(k), k, size, v))
PY
    local tls=()
    if [[ $mode == tls ]]; then tls=("${TLS_CLIENT_ARGS[@]}"); fi
    # (the input redirection sits inside bash -c: an asynchronous command's stdin would be /dev/null)
    bench_run "$out" "$out.err" timeout "$BENCH_TIMEOUT" bash -c 'f=$1; shift; exec "$@" <"$f"' fill \
        "$BENCH_TMP/fill.resp" redis-cli -h "$BENCH_HOST" -p "$port" "${tls[@]}" \
        -a "$BENCH_PASSWORD" --no-auth-warning --pipe \
        || { show_log_tail "$out"; show_log_tail "$out.err"; die "filling the $mode master failed"; }
    grep -q 'errors: 0' "$out" || { show_log_tail "$out"; die "redis-cli --pipe reported errors filling the $mode master"; }
    n=$(cli "$mode" "$port" DBSIZE)
    ((n >= KEYSPACE)) || die "the $mode master has $n keys, expected >= $KEYSPACE"
    log "filled $KEYSPACE keys with ${SIZE}-byte values on the $mode master"
}
fill_keys plain "$PLAIN_MASTER_PORT"
fill_keys tls "$TLS_MASTER_PORT"

# Sanity: a SET through each proxy reads back from its master.
sanity_check() {
    local mode=$1 port=$2 master_port=$3 v="sanity-$$-$RANDOM" got
    got=$(cli "$mode" "$port" SET bench:sanity "$v" 2>&1 || true)
    [[ $got == OK ]] || die "SET through the $mode proxy failed: $got"
    got=$(cli "$mode" "$master_port" GET bench:sanity || true)
    [[ $got == "$v" ]] || die "the $mode master returned '$got' for the value set through the proxy, expected '$v'"
    got=$(cli "$mode" "$port" GET bench:sanity || true)
    [[ $got == "$v" ]] || die "GET through the $mode proxy returned '$got', expected '$v'"
    cli "$mode" "$port" DEL bench:sanity >/dev/null
}
sanity_check plain "$PLAIN_PROXY_PORT" "$PLAIN_MASTER_PORT"
sanity_check tls "$TLS_PROXY_PORT" "$TLS_MASTER_PORT"
log "sanity check passed (SET through each proxy, read back from its master and through the proxy)"

# Parsed fields of the last run.
R_RPS="" R_AVG="" R_MIN="" R_P50="" R_P95="" R_P99="" R_MAX=""

# run_bench TARGET TEST PIPELINE REQUESTS OUTFILE [extra redis-benchmark args...]
run_bench() {
    local target=$1 test=$2 pipe=$3 n=$4 out=$5 port tls=() rc=0
    shift 5
    case $target in
        direct-plain) port=$PLAIN_MASTER_PORT ;;
        proxy-plain) port=$PLAIN_PROXY_PORT ;;
        direct-tls) port=$TLS_MASTER_PORT tls=("${BENCH_TLS_ARGS[@]}") ;;
        proxy-tls) port=$TLS_PROXY_PORT tls=("${BENCH_TLS_ARGS[@]}") ;;
        *) die "unknown target $target" ;;
    esac
    bench_run "$out" "$out.err" timeout --kill-after=10 "$BENCH_TIMEOUT" \
        redis-benchmark -h "$BENCH_HOST" -p "$port" "${tls[@]}" -a "$BENCH_PASSWORD" \
        -c "$CLIENTS" -P "$pipe" -d "$SIZE" -t "${test,,}" -n "$n" -r "$KEYSPACE" --csv "$@" || rc=$?
    if ((rc != 0)); then
        show_log_tail "$out.err"
        show_log_tail "$out"
        show_log_tail "$BENCH_TMP/proxy-plain.log"
        show_log_tail "$BENCH_TMP/proxy-tls.log"
        die "redis-benchmark failed (exit $rc) against $target (port $port): $test P=$pipe"
    fi
    local header row name
    header=$(head -n 1 "$out" | tr -d '\r')
    [[ $header == "$CSV_HEADER" ]] || { show_log_tail "$out"; die "unexpected redis-benchmark CSV header: $header"; }
    row=$(grep -E "^\"$test\"," "$out" | tail -n 1 | tr -d '\r"' || true)
    [[ -n $row ]] || { show_log_tail "$out"; die "no $test row in redis-benchmark output"; }
    IFS=, read -r name R_RPS R_AVG R_MIN R_P50 R_P95 R_P99 R_MAX <<<"$row"
    [[ $name == "$test" && -n $R_MAX ]] || die "could not parse redis-benchmark row: $row"
}

# us_per_req DELTA_TICKS REQUESTS
us_per_req() {
    awk -v t="$1" -v hz="$CLK_TCK" -v n="$2" 'BEGIN { printf "%.3f", (t / hz * 1e6) / n }'
}

SEQ=0
# measure KIND ROUND TEST PIPELINE TARGET REQUESTS [extra redis-benchmark args...]
#   KIND: steady (keep-alive connections) or conn (-k 0: one connection per request)
measure() {
    local kind=$1 round=$2 test=$3 pipe=$4 target=$5 n=$6 mpid ppid=""
    shift 6
    case $target in
        direct-plain) mpid=$PLAIN_MASTER_PID ;;
        proxy-plain) mpid=$PLAIN_MASTER_PID ppid=$PLAIN_PROXY_PID ;;
        direct-tls) mpid=$TLS_MASTER_PID ;;
        proxy-tls) mpid=$TLS_MASTER_PID ppid=$TLS_PROXY_PID ;;
    esac
    SEQ=$((SEQ + 1))
    local out=$BENCH_TMP/bench-$kind-$round-$test-$pipe-$target.csv
    proc_alive "$PLAIN_MASTER_PID" || die "plaintext master died"
    proc_alive "$TLS_MASTER_PID" || die "TLS master died"
    proc_alive "$PLAIN_PROXY_PID" || { show_log_tail "$BENCH_TMP/proxy-plain.log"; die "plaintext proxy died"; }
    proc_alive "$TLS_PROXY_PID" || { show_log_tail "$BENCH_TMP/proxy-tls.log"; die "TLS proxy died"; }
    local p0=0 p1=0 l0=0 l1=0 m0 m1 t0 t1
    if [[ -n $ppid ]]; then
        p0=$(proc_cpu_ticks "$ppid")
        l0=$(proc_threads_cpu_ns "$ppid" resplit-io-)
    fi
    m0=$(proc_cpu_ticks "$mpid")
    t0=$(now)
    run_bench "$target" "$test" "$pipe" "$n" "$out" "$@"
    t1=$(now)
    if [[ -n $ppid ]]; then
        p1=$(proc_cpu_ticks "$ppid")
        l1=$(proc_threads_cpu_ns "$ppid" resplit-io-)
    fi
    m1=$(proc_cpu_ticks "$mpid")
    local proxy_cpu="" loop_cpu="" master_cpu elapsed
    if [[ -n $ppid ]]; then
        proxy_cpu=$(us_per_req $((p1 - p0)) "$n")
        loop_cpu=$(awk -v ns=$((l1 - l0)) -v n="$n" 'BEGIN { printf "%.3f", ns / 1000 / n }')
    fi
    master_cpu=$(us_per_req $((m1 - m0)) "$n")
    elapsed=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", b - a }')
    printf '%s\n' "$round,$SEQ,$kind,$test,$pipe,$target,$CLIENTS,$SIZE,$n,$R_RPS,$R_AVG,$R_MIN,$R_P50,$R_P95,$R_P99,$R_MAX,$elapsed,$proxy_cpu,$loop_cpu,$master_cpu" >>"$RESULTS_CSV"
    log "  $kind round $round $target: $R_RPS ops/s p50=${R_P50}ms p99=${R_P99}ms${proxy_cpu:+ proxy_cpu=${proxy_cpu}us/req} master_cpu=${master_cpu}us/req (${elapsed}s)"
    if ((COOLDOWN > 0)); then sleep "$COOLDOWN"; fi
}

if ((WARMUP_N > 0)); then
    log "warming up both proxy JVMs: $WARMUP_N requests per test and pipeline depth (not recorded)"
    for t in "${TEST_LIST[@]}"; do
        for p in "${PIPELINE_LIST[@]}"; do
            run_bench proxy-plain "$t" "$p" "$WARMUP_N" "$BENCH_TMP/warmup-plain-$t-$p.csv"
            run_bench proxy-tls "$t" "$p" "$WARMUP_N" "$BENCH_TMP/warmup-tls-$t-$p.csv"
        done
    done
fi

TARGETS=(direct-tls proxy-tls direct-plain proxy-plain)
NT=${#TARGETS[@]}
log "results: $RESULTS_CSV"
T_START=$SECONDS
for t in "${TEST_LIST[@]}"; do
    for pipe in "${PIPELINE_LIST[@]}"; do
        n=$N_P1
        if ((pipe > 1)); then n=$N_P16; fi
        log "$t P=$pipe d=$SIZE n=$n clients=$CLIENTS"
        for ((round = 1; round <= ROUNDS; round++)); do
            # rotate the order every round
            for ((k = 0; k < NT; k++)); do
                measure steady "$round" "$t" "$pipe" "${TARGETS[(round - 1 + k) % NT]}" "$n"
            done
        done
    done
done
if ((CONN_N > 0)); then
    log "connection set-up: GET with -k 0 (a new connection, AUTH and one GET per request), n=$CONN_N"
    for ((round = 1; round <= ROUNDS; round++)); do
        for ((k = 0; k < NT; k++)); do
            measure conn "$round" GET 1 "${TARGETS[(round - 1 + k) % NT]}" "$CONN_N" -k 0
        done
    done
fi
log "measured runs took $((SECONDS - T_START)) s"

{
    printf '# resplit TLS benchmark %s\n\n' "$STAMP"
    printf -- '- host: %s, %s CPUs, %s, %s, java %s\n' "$(uname -n)" "$(nproc)" "$(redis-server --version | cut -d' ' -f1-3)" \
        "$(openssl version | cut -d' ' -f1-2)" "$(java -version 2>&1 | head -n 1 | sed 's/.*version "\([^"]*\)".*/\1/')"
    printf -- '- git: %s%s; jar %s (sha256 %s, built %s)\n' \
        "$(git -C "$REPO_ROOT" rev-parse --short --verify -q HEAD 2>/dev/null || echo none)" "$GIT_DIRTY" \
        "$JAR_ORIGIN" "$JAR_SHA" "$JAR_MTIME"
    printf -- '- TLS proxy: engine **%s** (its log line "TLS engine: ..."); tls-port, port 0, tls-backends yes, tls-auth-clients %s; both proxies io-threads 1; java_opts=%s proxy_args=%s\n' \
        "$TLS_ENGINE" "$TLS_AUTH_CLIENTS" "${RESPLIT_JAVA_OPTS:-none}" "${RESPLIT_PROXY_ARGS:-none}"
    printf -- '- certificates: EC P-256 (PKCS#8), server SAN IP:127.0.0.1 DNS:localhost; redis-benchmark %s\n' \
        "$(printf '%s ' "${BENCH_TLS_ARGS[@]}" | sed "s#$TLS_DIR/##g")"
    printf -- '- redis-benchmark -c %s -d %s -r %s; rounds=%s n(P=1)=%s n(P>1)=%s warmup=%s conn n=%s\n' \
        "$CLIENTS" "$SIZE" "$KEYSPACE" "$ROUNDS" "$N_P1" "$N_P16" "$WARMUP_N" "$CONN_N"
    printf -- '- raw per-run data: %s\n\n' "$(basename "$RESULTS_CSV")"
    python3 - "$RESULTS_CSV" <<'PY'
import csv, statistics, sys

rows = list(csv.DictReader(open(sys.argv[1])))
T = ("direct-tls", "proxy-tls", "direct-plain", "proxy-plain")

def sel(kind, test, p, t):
    return [r for r in rows if r["kind"] == kind and r["test"] == test and int(r["pipeline"]) == p and r["target"] == t]

def med(kind, test, p, t, col):
    v = [float(r[col]) for r in sel(kind, test, p, t) if r[col] != ""]
    return statistics.median(v) if v else None

def f(v, fmt):
    return "–" if v is None else format(v, fmt)

def ratio(a, b):
    return None if a is None or b is None or b == 0 else a / b

cells = []
for r in rows:
    c = (r["kind"], r["test"], int(r["pipeline"]))
    if c not in cells:
        cells.append(c)
steady = [c for c in cells if c[0] == "steady"]
conn = [c for c in cells if c[0] == "conn"]

print("Medians over rounds; ratios are of median ops/s. p50/p99 are redis-benchmark's (client side, ms).\n")
print("| test | pipeline | direct TLS ops/s | proxy TLS ops/s | direct plain ops/s | proxy plain ops/s | "
      "proxy TLS ÷ direct TLS | direct TLS ÷ plain | proxy TLS ÷ plain | proxy plain ÷ direct plain |")
print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
for k, test, p in steady:
    m = {t: med(k, test, p, t, "rps") for t in T}
    print(f"| {test} | {p} | {f(m['direct-tls'], '.0f')} | {f(m['proxy-tls'], '.0f')} | {f(m['direct-plain'], '.0f')} | "
          f"{f(m['proxy-plain'], '.0f')} | **{f(ratio(m['proxy-tls'], m['direct-tls']), '.2f')}** | "
          f"{f(ratio(m['direct-tls'], m['direct-plain']), '.2f')} | {f(ratio(m['proxy-tls'], m['proxy-plain']), '.2f')} | "
          f"{f(ratio(m['proxy-plain'], m['direct-plain']), '.2f')} |")

print("\nLatency (ms, p50 / p99) and CPU per request (µs, user + system, median over rounds): the proxy's whole JVM, "
      "its event loop (resplit-io-* threads, schedstat) and the master behind the target.\n")
print("| test | pipeline | target | p50 / p99 ms | proxy CPU µs/req | proxy event loop µs/req | master CPU µs/req | ops/s per round |")
print("|---|---:|---|---:|---:|---:|---:|---|")
for k, test, p in steady:
    for t in T:
        per = " / ".join(format(float(r["rps"]), ".0f") for r in sel(k, test, p, t))
        print(f"| {test} | {p} | {t} | {f(med(k, test, p, t, 'p50_ms'), '.3f')} / {f(med(k, test, p, t, 'p99_ms'), '.3f')} | "
              f"{f(med(k, test, p, t, 'proxy_cpu_us_per_req'), '.2f')} | {f(med(k, test, p, t, 'proxy_loop_us_per_req'), '.2f')} | "
              f"{f(med(k, test, p, t, 'master_cpu_us_per_req'), '.2f')} | {per} |")

if conn:
    print("\nConnection set-up (redis-benchmark -k 0: every request opens a connection, does the TLS handshake "
          "if any, AUTH, one GET, and closes). Ops/s = connections per second; CPU per connection.\n")
    print("| target | connections/s | ÷ plain of the same kind | p50 / p99 ms | proxy CPU µs/conn | proxy event loop µs/conn | master CPU µs/conn |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for k, test, p in conn:
        for t in T:
            base = "direct-plain" if t.startswith("direct") else "proxy-plain"
            rps = med(k, test, p, t, "rps")
            print(f"| {t} | {f(rps, '.0f')} | {f(ratio(rps, med(k, test, p, base, 'rps')), '.2f')} | "
                  f"{f(med(k, test, p, t, 'p50_ms'), '.3f')} / {f(med(k, test, p, t, 'p99_ms'), '.3f')} | "
                  f"{f(med(k, test, p, t, 'proxy_cpu_us_per_req'), '.1f')} | {f(med(k, test, p, t, 'proxy_loop_us_per_req'), '.1f')} | "
                  f"{f(med(k, test, p, t, 'master_cpu_us_per_req'), '.1f')} |")
PY
} >"$RESULTS_MD"

printf '\n'
cat "$RESULTS_MD"
log "wrote $RESULTS_CSV and $RESULTS_MD"

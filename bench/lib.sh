# shellcheck shell=bash
# shellcheck disable=SC2034  # globals here are read by the scripts sourcing this
# Shared helpers for the resplit benchmark scripts (sourced, not executed).
#
# Provides: process tracking + cleanup traps, a temp dir, starting a master and
# two replicas on 127.0.0.1, starting the resplit proxy, /proc readers.
# Every process started through these helpers is killed by the EXIT trap,
# including on Ctrl-C (INT), TERM, HUP and on `set -e` errors.

BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO_ROOT=$(cd "$BENCH_DIR/.." && pwd)

# ---- configuration shared by both scripts (env overrides) -------------------
BENCH_PASSWORD=${BENCH_PASSWORD:-resplit-bench-pw}
RESPLIT_JAR=${RESPLIT_JAR:-$REPO_ROOT/proxy/target/resplit.jar}
RESPLIT_CONF=${RESPLIT_CONF:-$REPO_ROOT/config/resplit.conf}
RESPLIT_JAVA=${RESPLIT_JAVA:-java}              # the java binary that runs the proxy
RESPLIT_JAVA_OPTS=${RESPLIT_JAVA_OPTS:-}
RESPLIT_PROXY_ARGS=${RESPLIT_PROXY_ARGS:-}       # extra "--directive value" args
DIRECT_ONLY=${DIRECT_ONLY:-0}
KEEP_TMP=${KEEP_TMP:-0}
REDIS_START_TIMEOUT=${REDIS_START_TIMEOUT:-30}   # s, per redis-server
REPL_TIMEOUT=${REPL_TIMEOUT:-60}                 # s, for master_link_status:up
PROXY_START_TIMEOUT=${PROXY_START_TIMEOUT:-60}   # s, for the proxy to answer PING
BENCH_HOST=127.0.0.1                             # loopback only, not configurable
BENCH_TIMEOUT=${BENCH_TIMEOUT:-600}              # s, hard cap per redis-benchmark run (scripts that use it)
RESULTS_DIR=${RESULTS_DIR:-$BENCH_DIR/results}   # where reports go
LOOP_THREADS=resplit-io-                         # the proxy's event-loop threads (Netty: resplit-io-<pool>-<n>)

BENCH_PIDS=()        # long-lived children (redis-servers, proxy, helpers)
BENCH_CHILD=""       # the short-lived foreground job being waited on, if any
BENCH_TMP=""
MASTER_PID="" REPLICA1_PID="" REPLICA2_PID="" PROXY_PID=""
STARTED_PID=""
PROXY_EXTRA_ARGS=()  # set by a script before start_proxy
PROXY_LOG=""         # the proxy's log file for start_proxy (empty: $BENCH_TMP/proxy.log)

log() { printf '[%s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }

# Seconds since the epoch with microseconds (bash 5).
now() { printf '%s' "$EPOCHREALTIME"; }

bench_stop_pid() {
    # TERM, wait up to $2 seconds (bounded poll), then KILL. Never fails.
    local pid=$1 grace=${2:-10} i
    kill -0 "$pid" 2>/dev/null || { wait "$pid" 2>/dev/null || true; return 0; }
    kill -TERM "$pid" 2>/dev/null || true
    for ((i = 0; i < grace * 10; i++)); do
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.1
    done
    if kill -0 "$pid" 2>/dev/null; then
        log "pid $pid did not exit after ${grace}s, sending KILL"
        kill -KILL "$pid" 2>/dev/null || true
    fi
    wait "$pid" 2>/dev/null || true
}

bench_cleanup() {
    local rc=$? i
    trap - EXIT INT TERM HUP
    set +e
    if [[ -n $BENCH_CHILD ]]; then
        bench_stop_pid "$BENCH_CHILD" 5
    fi
    # Stop in reverse start order: helpers, proxy, replicas, master.
    for ((i = ${#BENCH_PIDS[@]} - 1; i >= 0; i--)); do
        bench_stop_pid "${BENCH_PIDS[i]}" 10
    done
    if [[ -n $BENCH_TMP && -d $BENCH_TMP ]]; then
        if [[ $KEEP_TMP == 1 ]]; then
            log "kept temp dir $BENCH_TMP (KEEP_TMP=1)"
        else
            rm -rf -- "$BENCH_TMP"
            if ((rc != 0)); then
                log "exit status $rc; temp dir with server/proxy logs removed (KEEP_TMP=1 keeps it)"
            fi
        fi
    fi
    exit "$rc"
}

bench_init() {
    trap bench_cleanup EXIT
    trap 'exit 130' INT
    trap 'exit 143' TERM
    trap 'exit 129' HUP
    local tool
    for tool in redis-server redis-cli python3 timeout getconf; do
        command -v "$tool" >/dev/null || die "$tool not found in PATH"
    done
    [[ -n ${EPOCHREALTIME:-} ]] || die "bash >= 5 required (EPOCHREALTIME)"
    BENCH_TMP=$(mktemp -d "${TMPDIR:-/tmp}/resplit-bench.XXXXXX")
    cd "$REPO_ROOT" || exit 1
}

# bench_run OUT ERR CMD...: run CMD in the background with stdout/stderr to
# files OUT/ERR ("-" = inherit) and wait for it, so that a TERM/INT sent to
# this script is handled at once (bash defers traps while a foreground child
# runs). Returns CMD's exit status. Do not redirect the call itself: the
# traps would then inherit that redirection.
bench_run() {
    local out=$1 err=$2 rc=0
    shift 2
    if [[ $out == - && $err == - ]]; then
        "$@" &
    elif [[ $out == - ]]; then
        "$@" 2>"$err" &
    elif [[ $err == - ]]; then
        "$@" >"$out" &
    else
        "$@" >"$out" 2>"$err" &
    fi
    BENCH_CHILD=$!
    wait "$BENCH_CHILD" || rc=$?
    BENCH_CHILD=""
    return "$rc"
}

rcli() {
    # rcli PORT ARGS... : redis-cli against 127.0.0.1:PORT, bounded to 10 s.
    local port=$1
    shift
    timeout 10 redis-cli -h "$BENCH_HOST" -p "$port" -a "$BENCH_PASSWORD" \
        --no-auth-warning "$@"
}

pick_free_ports() {
    # Prints N distinct currently-free TCP ports on 127.0.0.1.
    python3 - "$1" <<'PY'
import socket, sys
socks = []
for _ in range(int(sys.argv[1])):
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    socks.append(s)
print(" ".join(str(s.getsockname()[1]) for s in socks))
for s in socks:
    s.close()
PY
}

bench_assign_ports() {
    local free
    read -r -a free <<<"$(pick_free_ports 4)"
    MASTER_PORT=${MASTER_PORT:-${free[0]}}
    REPLICA1_PORT=${REPLICA1_PORT:-${free[1]}}
    REPLICA2_PORT=${REPLICA2_PORT:-${free[2]}}
    PROXY_PORT=${PROXY_PORT:-${free[3]}}
}

proc_alive() { kill -0 "$1" 2>/dev/null; }

show_log_tail() {
    local file=$1
    if [[ -f $file ]]; then
        printf -- '---- last lines of %s ----\n' "$file" >&2
        tail -n 40 "$file" >&2 || true
        printf -- '----\n' >&2
    fi
}

# start_redis NAME PORT [extra redis-server args...]; sets STARTED_PID.
start_redis() {
    local name=$1 port=$2
    shift 2
    local dir=$BENCH_TMP/$name
    mkdir -p "$dir"
    redis-server --port "$port" --bind "$BENCH_HOST" --save '' --appendonly no \
        --requirepass "$BENCH_PASSWORD" --dir "$dir" "$@" \
        >"$dir/redis.log" 2>&1 &
    STARTED_PID=$!
    BENCH_PIDS+=("$STARTED_PID")
    local deadline=$((SECONDS + REDIS_START_TIMEOUT))
    until [[ $(rcli "$port" PING 2>/dev/null) == PONG ]]; do
        if ! proc_alive "$STARTED_PID"; then
            show_log_tail "$dir/redis.log"
            die "redis-server $name (port $port) exited during startup"
        fi
        ((SECONDS < deadline)) || { show_log_tail "$dir/redis.log"; die "redis-server $name (port $port) not answering PING after ${REDIS_START_TIMEOUT}s"; }
        sleep 0.1
    done
    log "$name redis-server up on $BENCH_HOST:$port (pid $STARTED_PID)"
}

info_field() {
    # info_field PORT SECTION FIELD -> value (empty if absent)
    rcli "$1" INFO "$2" 2>/dev/null | tr -d '\r' | sed -n "s/^$3://p" | head -n 1
}

wait_link_up() {
    local port=$1 deadline=$((SECONDS + REPL_TIMEOUT))
    until [[ $(info_field "$port" replication master_link_status) == up ]]; do
        ((SECONDS < deadline)) || die "replica on port $port: master_link_status not up after ${REPL_TIMEOUT}s"
        sleep 0.2
    done
}

# start_topology [extra args for the master...]: master + 2 replicas.
start_topology() {
    start_redis master "$MASTER_PORT" "$@"
    MASTER_PID=$STARTED_PID
    start_redis replica1 "$REPLICA1_PORT" --replicaof "$BENCH_HOST" "$MASTER_PORT" \
        --masterauth "$BENCH_PASSWORD"
    REPLICA1_PID=$STARTED_PID
    start_redis replica2 "$REPLICA2_PORT" --replicaof "$BENCH_HOST" "$MASTER_PORT" \
        --masterauth "$BENCH_PASSWORD"
    REPLICA2_PID=$STARTED_PID
    wait_link_up "$REPLICA1_PORT"
    wait_link_up "$REPLICA2_PORT"
    log "both replicas report master_link_status:up"
}

# Block until both replicas acknowledged every write so far (bounded).
wait_replicas_synced() {
    local acked
    acked=$(rcli "$MASTER_PORT" WAIT 2 "${1:-60000}" 2>/dev/null || true)
    if [[ $acked != 2 ]]; then
        log "warning: WAIT 2 returned '${acked}' (replicas not caught up)"
    fi
}

ensure_jar() {
    if [[ -f $RESPLIT_JAR ]]; then
        return 0
    fi
    if [[ $RESPLIT_JAR != "$REPO_ROOT/proxy/target/resplit.jar" ]]; then
        die "RESPLIT_JAR=$RESPLIT_JAR does not exist"
    fi
    command -v mvn >/dev/null || die "$RESPLIT_JAR missing and mvn not found"
    log "$RESPLIT_JAR missing, building: mvn -B -q -DskipTests package"
    (cd "$REPO_ROOT" && mvn -B -q -DskipTests package)
    [[ -f $RESPLIT_JAR ]] || die "build finished but $RESPLIT_JAR still missing"
}

# Checks (and builds the jar if needed) before any server is started.
proxy_preflight() {
    command -v "$RESPLIT_JAVA" >/dev/null || die "$RESPLIT_JAVA not found (RESPLIT_JAVA)"
    [[ -f $RESPLIT_CONF ]] || die "proxy config $RESPLIT_CONF not found (set RESPLIT_CONF)"
    ensure_jar
}

# start_proxy: RESPLIT_JAVA RESPLIT_JAVA_OPTS -jar RESPLIT_JAR with PROXY_EXTRA_ARGS + RESPLIT_PROXY_ARGS, output
# to PROXY_LOG; sets PROXY_PID.
start_proxy() {
    proxy_preflight
    local java_opts=()
    read -r -a java_opts <<<"$RESPLIT_JAVA_OPTS"
    local user_args=()
    read -r -a user_args <<<"$RESPLIT_PROXY_ARGS"
    local plog=${PROXY_LOG:-$BENCH_TMP/proxy.log}
    "$RESPLIT_JAVA" "${java_opts[@]}" -jar "$RESPLIT_JAR" "$RESPLIT_CONF" \
        --port "$PROXY_PORT" \
        --master "$BENCH_HOST" "$MASTER_PORT" \
        --replica "$BENCH_HOST" "$REPLICA1_PORT" \
        --replica "$BENCH_HOST" "$REPLICA2_PORT" \
        --requirepass "$BENCH_PASSWORD" --masterauth "$BENCH_PASSWORD" \
        "${PROXY_EXTRA_ARGS[@]}" "${user_args[@]}" >"$plog" 2>&1 &
    PROXY_PID=$!
    BENCH_PIDS+=("$PROXY_PID")
    local deadline=$((SECONDS + PROXY_START_TIMEOUT))
    until [[ $(rcli "$PROXY_PORT" PING 2>/dev/null) == PONG ]]; do
        if ! proc_alive "$PROXY_PID"; then
            local st=0
            wait "$PROXY_PID" || st=$?
            show_log_tail "$plog"
            die "proxy exited during startup with status $st (log: $plog)"
        fi
        if ((SECONDS >= deadline)); then
            show_log_tail "$plog"
            die "proxy not answering PING on port $PROXY_PORT after ${PROXY_START_TIMEOUT}s"
        fi
        sleep 0.2
    done
    log "proxy up on $BENCH_HOST:$PROXY_PORT (pid $PROXY_PID), log: $plog"
}

# utime+stime (fields 14, 15 of /proc/PID/stat) in clock ticks, all threads.
proc_cpu_ticks() {
    local stat fields
    stat=$(<"/proc/$1/stat")
    stat=${stat##*) }          # drop "pid (comm) " (comm may contain spaces)
    read -r -a fields <<<"$stat"
    # fields[0] is field 3 (state), so field 14 -> [11], field 15 -> [12].
    printf '%d' $((fields[11] + fields[12]))
}

# proc_threads_cpu PID PREFIX -> "NS USER SYSTEM", summed over the threads of
# PID whose name starts with PREFIX (e.g. "resplit-io-", the event loops), so a
# figure can leave out the JIT compiler, the GC and the scrape: NS is CPU time
# in nanoseconds (schedstat, first field: exact, no tick rounding), USER and
# SYSTEM are utime and stime in clock ticks (stat fields 14 and 15).
proc_threads_cpu() {
    local pid=$1 prefix=$2 task comm ns rest stat fields total=0 u=0 s=0
    for task in /proc/"$pid"/task/*; do
        # a thread may end at any point of this loop: every read may fail, and is skipped (read, not $(<...):
        # a failed $(<file) ends a script under set -e even with || after it)
        { read -r comm <"$task/comm"; } 2>/dev/null || continue
        [[ $comm == "$prefix"* ]] || continue
        { read -r ns rest <"$task/schedstat"; } 2>/dev/null || continue
        { read -r stat <"$task/stat"; } 2>/dev/null || continue
        read -r -a fields <<<"${stat##*) }"
        total=$((total + ns))
        u=$((u + fields[11]))
        s=$((s + fields[12]))
    done
    printf '%d %d %d' "$total" "$u" "$s"
}

# proc_threads_cpu_ns PID PREFIX: the NS part of proc_threads_cpu.
proc_threads_cpu_ns() {
    local ns rest
    read -r ns rest <<<"$(proc_threads_cpu "$1" "$2")"
    printf '%d' "$ns"
}

# proc_status_kb PID FIELD -> value in kB from /proc/PID/status (e.g. VmRSS).
proc_status_kb() {
    awk -v f="$2:" '$1 == f { print $2; exit }' "/proc/$1/status"
}

proc_fd_count() {
    local fds=("/proc/$1/fd/"*)
    printf '%d' "${#fds[@]}"
}

# ---- keys, peers, scraper, JFR: shared by run.sh, peers.sh, metrics-*.sh, hot-path.sh ----

# fill_keys SIZE: write all KEYSPACE keys (key:%012d, the names redis-benchmark -r generates) with SIZE-byte
# values on the master, wait for both replicas, and check they hold them (so every GET hits a key).
fill_keys() {
    local size=$1 keys=${KEYSPACE:-100000} r n
    log "filling $keys keys with ${size}-byte values on the master"
    bench_run - - timeout "${BENCH_TIMEOUT:-600}" python3 "$BENCH_DIR/fill_keys.py" \
        --port "$MASTER_PORT" --password "$BENCH_PASSWORD" --keys "$keys" --size "$size"
    wait_replicas_synced 120000
    for r in "$REPLICA1_PORT" "$REPLICA2_PORT"; do
        n=$(rcli "$r" DBSIZE)
        ((n >= keys)) || die "replica on port $r has $n keys, expected >= $keys"
    done
}

# wait_pong PORT PID NAME LOG: until PING on PORT answers PONG (bounded); dies if PID exits meanwhile.
wait_pong() {
    local port=$1 pid=$2 name=$3 plog=$4 deadline=$((SECONDS + PROXY_START_TIMEOUT))
    until [[ $(rcli "$port" PING 2>/dev/null) == PONG ]]; do
        proc_alive "$pid" || { show_log_tail "$plog"; die "$name exited during startup (log: $plog)"; }
        ((SECONDS < deadline)) || { show_log_tail "$plog"; die "$name not answering PING on port $port"; }
        sleep 0.2
    done
    log "$name up on $BENCH_HOST:$port (pid $pid)"
}

PEERS_DIR=${PEERS_DIR:-$REPO_ROOT/../shared/peers}
PREDIXY=${PREDIXY:-/tmp/peers/predixy/src/predixy}
NUTCRACKER=${NUTCRACKER:-$(command -v nutcracker || echo /usr/sbin/nutcracker)}

# peer_conf TEMPLATE PEER_PORT: the shared peer config (master 7100, replicas 7101/7102, password
# peerbench-secret, predixy on 7110, nutcracker on 7120) moved to this run's ports and password, on stdout.
peer_conf() {
    sed -e "s/127\.0\.0\.1:7100\b/127.0.0.1:$MASTER_PORT/; s/127\.0\.0\.1:7101\b/127.0.0.1:$REPLICA1_PORT/" \
        -e "s/127\.0\.0\.1:7102\b/127.0.0.1:$REPLICA2_PORT/" \
        -e "s/127\.0\.0\.1:71[12]0\b/127.0.0.1:$2/; s/peerbench-secret/$BENCH_PASSWORD/g" "$1"
}

# start_predixy PORT: predixy (one worker thread) in front of the topology; sets PREDIXY_PID.
start_predixy() {
    [[ -x $PREDIXY ]] || die "predixy not built: bash ../shared/peers/build-predixy.sh (or set PREDIXY)"
    peer_conf "$PEERS_DIR/predixy.conf" "$1" >"$BENCH_TMP/predixy.conf"
    grep -q "^WorkerThreads 1$" "$BENCH_TMP/predixy.conf" || die "predixy.conf must say WorkerThreads 1"
    "$PREDIXY" "$BENCH_TMP/predixy.conf" >"$BENCH_TMP/predixy.log" 2>&1 &
    PREDIXY_PID=$!
    BENCH_PIDS+=("$PREDIXY_PID")
    wait_pong "$1" "$PREDIXY_PID" predixy "$BENCH_TMP/predixy.log"
}

# start_twemproxy PORT STATS_PORT: nutcracker (single-threaded) in front of the master only (it cannot split
# reads from writes); sets TWEMPROXY_PID. Started in the foreground mode, so the service Debian's package may
# have started is not involved.
start_twemproxy() {
    [[ -x $NUTCRACKER ]] || die "nutcracker not found: apt-get install -y nutcracker (or set NUTCRACKER)"
    peer_conf "$PEERS_DIR/nutcracker.yml" "$1" >"$BENCH_TMP/nutcracker.yml"
    "$NUTCRACKER" -c "$BENCH_TMP/nutcracker.yml" -s "$2" -a "$BENCH_HOST" -o "$BENCH_TMP/nutcracker.log" \
        >"$BENCH_TMP/nutcracker.out" 2>&1 &
    TWEMPROXY_PID=$!
    BENCH_PIDS+=("$TWEMPROXY_PID")
    wait_pong "$1" "$TWEMPROXY_PID" twemproxy "$BENCH_TMP/nutcracker.log"
}

# rb_row CSVFILE TEST -> "rps p50 p99" from a redis-benchmark --csv output (TEST: SET or GET).
rb_row() {
    local row name rps avg min p50 p95 p99 rest
    row=$(grep -E "^\"${2^^}\"," "$1" | tail -n 1 | tr -d '\r"') || true
    [[ -n $row ]] || { show_log_tail "$1"; die "no ${2^^} row in redis-benchmark output $1"; }
    IFS=, read -r name rps avg min p50 p95 p99 rest <<<"$row"
    [[ $rps =~ ^[0-9.]+$ && $p99 =~ ^[0-9.]+$ ]] || die "could not parse redis-benchmark row: $row"
    printf '%s %s %s' "$rps" "$p50" "$p99"
}

# ---- the Prometheus-like scraper (metrics_scraper.py), switched on only during a proxy's runs ----
SCRAPER_PID=""
# scraper_start METRICS_PORT INTERVAL [extra args]: starts it (off); SCRAPE_LOG gets one line per scrape.
scraper_start() {
    SCRAPE_FLAG=$BENCH_TMP/scrape.flag
    SCRAPE_STATE=$BENCH_TMP/scrape.state
    SCRAPE_LOG=$BENCH_TMP/scrape.log
    : >"$SCRAPE_LOG"
    python3 "$BENCH_DIR/metrics_scraper.py" --port "$1" --interval "$2" "${@:3}" \
        --flag "$SCRAPE_FLAG" --state "$SCRAPE_STATE" --log "$SCRAPE_LOG" >"$BENCH_TMP/scraper.out" 2>&1 &
    SCRAPER_PID=$!
    BENCH_PIDS+=("$SCRAPER_PID")
    local deadline=$((SECONDS + 10))
    until [[ -f $SCRAPE_STATE ]]; do
        proc_alive "$SCRAPER_PID" || { show_log_tail "$BENCH_TMP/scraper.out"; die "scraper exited at start"; }
        ((SECONDS < deadline)) || die "scraper did not start within 10s"
        sleep 0.05
    done
}

# scraper_set on|off: turn scraping on or off and wait until the scraper has seen it ("off" also means: no
# scrape is in progress any more). No-op when no scraper was started.
scraper_set() {
    local want=$1 deadline=$((SECONDS + 15)) state=""
    [[ -n $SCRAPER_PID ]] || return 0
    if [[ $want == on ]]; then : >"$SCRAPE_FLAG"; else rm -f -- "$SCRAPE_FLAG"; fi
    while :; do
        state=$(<"$SCRAPE_STATE")
        [[ $state == "$want" ]] && return 0
        proc_alive "$SCRAPER_PID" || { show_log_tail "$BENCH_TMP/scraper.out"; die "scraper died"; }
        ((SECONDS < deadline)) || die "scraper did not switch $want within 15s (state '$state')"
        sleep 0.01
    done
}

# scrape_count ok|fail -> lines of that kind in the scraper log so far (0 without a scraper).
scrape_count() {
    if [[ -n $SCRAPER_PID ]]; then
        awk -v k="$1" '$2 == k { n++ } END { print n + 0 }' "$SCRAPE_LOG"
    else
        printf '0'
    fi
}

# ---- JFR ----
# jfr_settings OUT SAMPLE_MS: the JDK's "profile" settings with the execution sampler every SAMPLE_MS ms (its
# default, 10-20 ms, gives too few samples of a short run to resolve a share of a few per cent).
jfr_settings() {
    local home
    home=$(java -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.home = //p')
    [[ -f $home/lib/jfr/profile.jfc ]] || die "no $home/lib/jfr/profile.jfc (a JDK with JFR is needed)"
    sed "/\"jdk.ExecutionSample\"/,/<\/event>/ s|<setting name=\"period\"\([^>]*\)>[^<]*<|<setting name=\"period\"\1>$2 ms<|" \
        "$home/lib/jfr/profile.jfc" >"$1"
    grep -A3 '"jdk.ExecutionSample"' "$1" | grep -q ">$2 ms<" || die "could not set the sampling period in $1"
}

# require_uint VAR...: each named variable must hold a non-negative integer.
require_uint() {
    local v
    for v in "$@"; do [[ ${!v} =~ ^[0-9]+$ ]] || die "$v must be a non-negative integer (got '${!v}')"; done
}

# require_tests_and_pipelines: TEST_LIST may hold only set and get, PIPELINE_LIST (and SIZE_LIST, if set) only
# positive integers.
require_tests_and_pipelines() {
    local x
    for x in "${TEST_LIST[@]}"; do [[ $x == set || $x == get ]] || die "TESTS may only hold set and get (got '$x')"; done
    for x in "${PIPELINE_LIST[@]}" "${SIZE_LIST[@]}"; do
        [[ $x =~ ^[1-9][0-9]*$ ]] || die "SIZES and PIPELINES must be positive integers (got '$x')"
    done
}

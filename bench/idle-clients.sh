#!/usr/bin/env bash
# Memory cost of idle client connections: opens CLIENTS idle connections to the
# resplit proxy (each does AUTH + PING once, then idles) and reports the proxy
# process's VmRSS before/after and the delta per connection.
# See bench/README.md. Env knobs (defaults in brackets):
#   CLIENTS [10000]  NOFILE [max(30000, CLIENTS+1000)]  PROXY_MAXCLIENTS [20000,
#   empty = don't pass --maxclients]  REDIS_MAXCLIENTS [20000]  SETTLE [5]
#   CONCURRENCY [200]  SETUP_TIMEOUT [300]  HOLD_MAX [900]  DIRECT_ONLY [0]
#   RESULTS_DIR [bench/results]  RESPLIT_JAVA_OPTS  KEEP_TMP
set -euo pipefail

# shellcheck source=bench/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

CLIENTS=${CLIENTS:-10000}
PROXY_MAXCLIENTS=${PROXY_MAXCLIENTS-20000}
REDIS_MAXCLIENTS=${REDIS_MAXCLIENTS:-20000}
SETTLE=${SETTLE:-5}                 # s, pause before each memory snapshot
CONCURRENCY=${CONCURRENCY:-200}     # connections being set up at once
SETUP_TIMEOUT=${SETUP_TIMEOUT:-300} # s, to establish all connections
HOLD_MAX=${HOLD_MAX:-900}           # s, helper drops connections after this anyway
RESULTS_DIR=${RESULTS_DIR:-$BENCH_DIR/results}

is_uint() { [[ $1 =~ ^[0-9]+$ ]]; }
for v in CLIENTS REDIS_MAXCLIENTS SETTLE CONCURRENCY SETUP_TIMEOUT HOLD_MAX; do
    is_uint "${!v}" || die "$v must be a non-negative integer (got '${!v}')"
done
((CLIENTS >= 1 && CLIENTS <= 60000)) || die "CLIENTS must be 1..60000"
if [[ -n $PROXY_MAXCLIENTS ]]; then
    is_uint "$PROXY_MAXCLIENTS" || die "PROXY_MAXCLIENTS must be an integer or empty"
fi

# ---- file descriptor limit -------------------------------------------------
default_nofile=$((CLIENTS + 1000))
((default_nofile >= 30000)) || default_nofile=30000
NOFILE=${NOFILE:-$default_nofile}
is_uint "$NOFILE" || die "NOFILE must be an integer"
((NOFILE >= CLIENTS + 1000)) || die "NOFILE=$NOFILE too low for CLIENTS=$CLIENTS (need >= $((CLIENTS + 1000)))"

soft=$(ulimit -Sn)
hard=$(ulimit -Hn)
if [[ $soft != unlimited ]] && ((soft < NOFILE)); then
    if [[ $hard == unlimited ]] || ((hard >= NOFILE)); then
        ulimit -Sn "$NOFILE"
    elif ! ulimit -n "$NOFILE" 2>/dev/null; then
        die "cannot raise the open-files limit to $NOFILE (soft $soft, hard $hard, and raising the hard limit is not permitted here).
  Fix: run as a user/container allowed to raise it (e.g. docker run --ulimit nofile=65536:65536,
  systemd LimitNOFILE=, /etc/security/limits.conf), or, if the hard limit is still enough for
  CLIENTS=$CLIENTS, rerun with NOFILE=$hard."
    fi
fi
log "open-files limit: soft $(ulimit -Sn), hard $(ulimit -Hn)"

read -r port_lo port_hi </proc/sys/net/ipv4/ip_local_port_range
((port_hi - port_lo + 1 > CLIENTS + 100)) ||
    die "ephemeral port range $port_lo-$port_hi too small for CLIENTS=$CLIENTS"

if [[ $DIRECT_ONLY != 1 ]]; then proxy_preflight; fi
bench_init
bench_assign_ports
mkdir -p "$RESULTS_DIR"
STAMP=$(date +%Y%m%d-%H%M%S)
REPORT=$RESULTS_DIR/idle-$STAMP.txt

start_topology --maxclients "$REDIS_MAXCLIENTS"
if [[ $DIRECT_ONLY == 1 ]]; then
    log "DIRECT_ONLY=1: measuring the master redis-server itself, no proxy"
    TARGET_PID=$MASTER_PID
    TARGET_PORT=$MASTER_PORT
    TARGET_NAME="master redis-server"
else
    if [[ -n $PROXY_MAXCLIENTS ]]; then PROXY_EXTRA_ARGS=(--maxclients "$PROXY_MAXCLIENTS"); fi
    start_proxy
    TARGET_PID=$PROXY_PID
    TARGET_PORT=$PROXY_PORT
    TARGET_NAME="resplit proxy"
fi

# snapshot LABEL: prints one line (stdout + report), sets SNAP_RSS (kB).
# Must not run in a pipeline/subshell, or SNAP_RSS is lost.
SNAP_RSS=0
snapshot() {
    if ! proc_alive "$TARGET_PID"; then
        if [[ $DIRECT_ONLY != 1 ]]; then show_log_tail "$BENCH_TMP/proxy.log"; fi
        die "$TARGET_NAME died"
    fi
    local line
    SNAP_RSS=$(proc_status_kb "$TARGET_PID" VmRSS)
    line=$(printf '%-22s VmRSS %8d kB  VmHWM %8d kB  threads %4d  fds %6d' "$1" \
        "$SNAP_RSS" "$(proc_status_kb "$TARGET_PID" VmHWM)" \
        "$(awk '$1 == "Threads:" { print $2 }' "/proc/$TARGET_PID/status")" \
        "$(proc_fd_count "$TARGET_PID")")
    printf '%s\n' "$line" | tee -a "$REPORT"
}

# One round trip so that lazily-initialised client paths exist before "before".
[[ $(rcli "$TARGET_PORT" PING) == PONG ]] || die "$TARGET_NAME does not answer PING"
log "settling ${SETTLE}s before the baseline snapshot"
sleep "$SETTLE"
{
    printf '# idle clients: %s, CLIENTS=%s, %s\n' "$TARGET_NAME" "$CLIENTS" "$STAMP"
    if [[ $DIRECT_ONLY != 1 ]]; then
        printf '# java_opts=%s  proxy --maxclients=%s\n' "${RESPLIT_JAVA_OPTS:-none}" "${PROXY_MAXCLIENTS:-not passed}"
    fi
} | tee "$REPORT"
snapshot "before"
RSS_BEFORE=$SNAP_RSS

HELPER_OUT=$BENCH_TMP/idle_clients.out
python3 "$BENCH_DIR/idle_clients.py" --host "$BENCH_HOST" --port "$TARGET_PORT" \
    --password "$BENCH_PASSWORD" --clients "$CLIENTS" --concurrency "$CONCURRENCY" \
    --setup-timeout "$SETUP_TIMEOUT" --hold "$HOLD_MAX" \
    >"$HELPER_OUT" 2>"$BENCH_TMP/idle_clients.err" &
HELPER_PID=$!
BENCH_PIDS+=("$HELPER_PID")
log "opening $CLIENTS idle connections to $BENCH_HOST:$TARGET_PORT (helper pid $HELPER_PID)"

deadline=$((SECONDS + SETUP_TIMEOUT + 30))
until grep -qE '^(READY|FAILED)' "$HELPER_OUT"; do
    if ! proc_alive "$HELPER_PID"; then
        show_log_tail "$BENCH_TMP/idle_clients.err"
        die "idle_clients.py exited before all connections were set up"
    fi
    ((SECONDS < deadline)) || die "connections not established within ${SETUP_TIMEOUT}s"
    sleep 0.5
done
status_line=$(grep -E '^(READY|FAILED)' "$HELPER_OUT" | head -n 1)
log "helper: $status_line"
if [[ $status_line == FAILED* ]]; then
    if [[ $DIRECT_ONLY != 1 ]]; then show_log_tail "$BENCH_TMP/proxy.log"; fi
    die "could not open all $CLIENTS connections: $status_line"
fi

log "settling ${SETTLE}s with $CLIENTS idle connections"
sleep "$SETTLE"
snapshot "after ${CLIENTS} idle"
RSS_AFTER=$SNAP_RSS
# The target must still serve a fresh client while holding the idle ones.
[[ $(rcli "$TARGET_PORT" PING) == PONG ]] || die "$TARGET_NAME stopped answering PING under $CLIENTS idle connections"

bench_stop_pid "$HELPER_PID" 30
closing=$(grep -E '^CLOSING' "$HELPER_OUT" || true)
log "helper: ${closing:-no CLOSING line}"
if [[ $closing =~ closed_by_server=([0-9]+) ]] && ((BASH_REMATCH[1] > 0)); then
    log "warning: the target closed ${BASH_REMATCH[1]} idle connections; the 'after' number may undercount"
fi
sleep "$SETTLE"
snapshot "after close"

{
    printf '%s\n' "${closing:-CLOSING line missing}"
    awk -v b="$RSS_BEFORE" -v a="$RSS_AFTER" -v n="$CLIENTS" 'BEGIN {
        d = a - b
        printf "delta VmRSS: %d kB for %d connections = %.0f bytes (%.2f KiB) per connection\n",
            d, n, d * 1024 / n, d / n
    }'
} | tee -a "$REPORT"
log "wrote $REPORT"

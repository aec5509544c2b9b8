#!/usr/bin/env bash
# Dashboard preview: renders docker/grafana/dashboards/resplit.json to docs/dashboard.png from real data,
# without Grafana (no Grafana package or image is available on the machines this project is built on).
#
#   docker/dashboard-preview/render.sh            # about 3 minutes; writes docs/dashboard.png
#   DURATION=60 OUT=/tmp/d.png docker/dashboard-preview/render.sh
#
# What it does, all on 127.0.0.1 with free ports and a temp directory:
#   1. starts redis-server master + 2 replicas (requirepass/masterauth, as docker/demo.sh), resplit
#      (proxy/target/resplit.jar, which must already be built) with metrics and an admin socket, and
#      Prometheus scraping the proxy every second;
#   2. runs load.py (mixed reads/writes, errors, transactions, BLPOP, pub/sub, connections coming and going,
#      a few refused by maxclients) for DURATION seconds; during it, on the admin socket: FAILOVER to a
#      replica; FAILOVER TO a replica that is paused (SIGSTOP), which aborts after its 2 s TIMEOUT with the
#      writes held meanwhile; the master paused for 3 s (writes wait for it to come back); FAILOVER back;
#   3. render.py runs every panel's queries through Prometheus's query_range API and draws the panels as
#      HTML/SVG by their gridPos; it prints which panels returned data and fails if one did not;
#   4. headless Chromium takes the screenshot.
# Every process it starts is stopped on exit, also on errors and Ctrl-C. Installs prometheus and chromium
# from Debian's packages if they are missing (as root). Env: DURATION (s, default 150), RATE (commands/s,
# default 2000), OUT (default docs/dashboard.png), WINDOWS (default "1m=20s 5m=1m"), KEEP_TMP=1.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
DURATION=${DURATION:-150}
RATE=${RATE:-2000}
OUT=${OUT:-$ROOT/docs/dashboard.png}
WINDOWS=${WINDOWS:-1m=20s 5m=1m}
KEEP_TMP=${KEEP_TMP:-0}
STEP=2
MAXCLIENTS=40
NODE_PASSWORD=preview-node-pw
PROXY_PASSWORD=preview-proxy-pw
JAR=$ROOT/proxy/target/resplit.jar
DASHBOARD=$ROOT/docker/grafana/dashboards/resplit.json
WIDTH=1600

exec 3>&2        # the script's stderr, for messages from commands whose own output is discarded
log() { printf '[%s] %s\n' "$(date +%H:%M:%S)" "$*" >&3; }
die() { printf 'render.sh: error: %s\n' "$*" >&3; exit 1; }

[[ -f $JAR ]] || die "$JAR is missing: build it first (mvn -B -DskipTests package)"
for tool in redis-server redis-cli java python3 curl; do
  command -v "$tool" >/dev/null || die "$tool is missing (apt-get install redis-server openjdk-17-jre-headless python3 curl)"
done

apt_install() { # command package...
  local cmd=$1
  shift
  command -v "$cmd" >/dev/null && return 0
  [[ $(id -u) == 0 ]] || die "$cmd is missing: apt-get install $*"
  log "installing $* (Debian packages)"
  apt-get update -q >/dev/null
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "$@" >/dev/null
}
apt_install prometheus prometheus
apt_install chromium chromium fonts-liberation fonts-dejavu-core
# The package's own service is not used: stop it if the install started it (this script runs its own).
if command -v systemctl >/dev/null && systemctl is-active --quiet prometheus 2>/dev/null; then
  log "stopping the prometheus service started by the package"
  systemctl stop prometheus || true
elif [[ -x /etc/init.d/prometheus ]] && /etc/init.d/prometheus status >/dev/null 2>&1; then
  log "stopping the prometheus service started by the package"
  /etc/init.d/prometheus stop >/dev/null || true
fi

tmp=$(mktemp -d /tmp/resplit-dashboard-preview.XXXXXX)
pids=()          # every background process started here, in start order
stalled_pid=""
nap_pid=""       # a running nap (below), stopped at exit too
failed=1
cleanup() {
  local rc=$? i pid n
  trap - EXIT INT TERM HUP
  set +e
  [[ -n $stalled_pid ]] && kill -CONT "$stalled_pid" 2>/dev/null
  [[ -n $nap_pid ]] && kill "$nap_pid" 2>/dev/null
  for ((i = ${#pids[@]} - 1; i >= 0; i--)); do
    pid=${pids[i]}
    kill -TERM "$pid" 2>/dev/null || continue
    for ((n = 0; n < 100; n++)); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -0 "$pid" 2>/dev/null && { log "pid $pid still running after 10 s: KILL"; kill -KILL "$pid" 2>/dev/null; }
    wait "$pid" 2>/dev/null
  done
  if ((failed)) && [[ -d $tmp ]]; then
    for f in "$tmp"/proxy.log "$tmp"/prometheus.log "$tmp"/load.log; do
      [[ -s $f ]] && { echo "--- last lines of $(basename "$f"):" >&2; tail -n 15 "$f" >&2; }
    done
  fi
  if [[ $KEEP_TMP == 1 ]]; then log "kept $tmp"; else rm -rf -- "$tmp"; fi
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM HUP

# wait_for DESCRIPTION SECONDS COMMAND...: poll COMMAND every 0.1 s until it succeeds or the deadline passes
wait_for() {
  local what=$1 secs=$2 deadline
  shift 2
  deadline=$((SECONDS + secs))
  until "$@" >/dev/null 2>&1; do
    ((SECONDS < deadline)) || die "timed out after ${secs}s waiting for $what"
    sleep 0.1
  done
}

# six free loopback ports
read -r P_MASTER P_R1 P_R2 P_PROXY P_METRICS P_PROM < <(python3 - <<'PY'
import socket
socks = [socket.socket() for _ in range(6)]
for s in socks:
    s.bind(("127.0.0.1", 0))
print(*[s.getsockname()[1] for s in socks])
PY
)
log "ports: master $P_MASTER, replicas $P_R1 $P_R2, proxy $P_PROXY, metrics $P_METRICS, prometheus $P_PROM"

start_redis() { # name port [args...]
  local name=$1 port=$2
  shift 2
  mkdir -p "$tmp/$name"
  redis-server --port "$port" --bind 127.0.0.1 --save '' --appendonly no --dir "$tmp/$name" \
    --requirepass "$NODE_PASSWORD" --masterauth "$NODE_PASSWORD" --logfile "$tmp/$name.log" "$@" &
  pids+=($!)
}
rcli() { redis-cli -h 127.0.0.1 -a "$NODE_PASSWORD" --no-auth-warning "$@"; }
link_up() { rcli -p "$1" info replication | grep -q master_link_status:up; }

start_redis master "$P_MASTER"
start_redis replica1 "$P_R1" --replicaof 127.0.0.1 "$P_MASTER"
PID_R1=${pids[-1]}
start_redis replica2 "$P_R2" --replicaof 127.0.0.1 "$P_MASTER"
PID_R2=${pids[-1]}
wait_for "replica :$P_R1 in sync" 30 link_up "$P_R1"
wait_for "replica :$P_R2 in sync" 30 link_up "$P_R2"

# The proxy gets a configuration file of its own (the defaults for everything not set here), and a copy of
# the jar, so that a rebuild or a config/ edit during the run does not change what runs.
ADMIN_SOCK=$tmp/admin.sock
cp "$JAR" "$tmp/resplit.jar"
cat >"$tmp/resplit.conf" <<CONF
bind 127.0.0.1
port $P_PROXY
requirepass $PROXY_PASSWORD
maxclients $MAXCLIENTS
master 127.0.0.1 $P_MASTER
replica 127.0.0.1 $P_R1
replica 127.0.0.1 $P_R2
masterauth $NODE_PASSWORD
admin-socket $ADMIN_SOCK
metrics-bind 127.0.0.1
metrics-port $P_METRICS
CONF
# shellcheck disable=SC2086  # RESPLIT_JAVA_OPTS holds several JVM options
java ${RESPLIT_JAVA_OPTS:-} -jar "$tmp/resplit.jar" "$tmp/resplit.conf" >"$tmp/proxy.log" 2>&1 &
pids+=($!)
PID_PROXY=$!
proxy_ready() {
  kill -0 "$PID_PROXY" || die "resplit exited at start: $(tail -n 5 "$tmp/proxy.log")"
  curl -sf "http://127.0.0.1:$P_METRICS/ready"
}
wait_for "resplit /ready" 60 proxy_ready
admin() { redis-cli -s "$ADMIN_SOCK" "$@"; }

mkdir -p "$tmp/prom-data"
cat >"$tmp/prometheus.yml" <<YAML
global:
  scrape_interval: 1s
  evaluation_interval: 1s
scrape_configs:
  - job_name: resplit
    scrape_interval: 1s
    scrape_timeout: 900ms
    static_configs:
      - targets: ['127.0.0.1:$P_METRICS']
YAML
prometheus --config.file="$tmp/prometheus.yml" --storage.tsdb.path="$tmp/prom-data" \
  --web.listen-address="127.0.0.1:$P_PROM" --log.level=warn >"$tmp/prometheus.log" 2>&1 &
pids+=($!)
PROM=http://127.0.0.1:$P_PROM
prom_scraped() { curl -sf "$PROM/api/v1/query?query=up%7Bjob%3D%22resplit%22%7D%3D%3D1" | grep -q '"value"'; }
wait_for "Prometheus up" 60 curl -sf "$PROM/-/ready"
wait_for "Prometheus to scrape resplit" 30 prom_scraped
t_begin=$(date +%s.%N)
log "stack up; 5 s of baseline, then ${DURATION}s of load at ~${RATE} commands/s"

events=()        # "unix_time|label"
event() { events+=("$(date +%s.%N)|$*"); log "event: $*"; }
nap() { # sleep that a signal interrupts at once (a foreground sleep would delay the traps)
  sleep "$1" &
  nap_pid=$!
  wait "$nap_pid"
  nap_pid=""
}
at() { # sleep until FRACTION of the load duration has passed (the scenario's schedule, not a synchronisation)
  local t
  t=$(python3 -c "import sys; print(max(0.0, $t_load + $1 * $DURATION - float(sys.argv[1])))" "$(date +%s.%N)")
  nap "$t"
}
failover_to() { # port
  local reply
  reply=$(admin FAILOVER TO 127.0.0.1 "$1" TIMEOUT 5000)
  [[ $reply == OK* ]] || die "FAILOVER TO 127.0.0.1 $1 answered: $reply"
  event "FAILOVER TO 127.0.0.1 $1 on the admin socket: $reply"
}
failover_aborts() { # port: a FAILOVER that must abort
  local reply
  reply=$(admin FAILOVER TO 127.0.0.1 "$1" TIMEOUT 2000)
  [[ $reply == *abort* ]] || die "FAILOVER TO 127.0.0.1 $1 was expected to abort, answered: $reply"
  event "FAILOVER TO 127.0.0.1 $1 TIMEOUT 2000: $reply"
}
master_is() { admin STATUS | grep -q "^master_status:$1"; }
node_up() { admin BACKENDS | grep "addr=127.0.0.1:$1 " | grep -q "status=up"; }
pause() { # pid label
  kill -STOP "$1"
  stalled_pid=$1
  event "$2 paused (SIGSTOP)"
}
resume() { # pid label
  kill -CONT "$1"
  stalled_pid=""
  event "$2 resumed (SIGCONT)"
}

nap 5            # a baseline without load
t_load=$(date +%s.%N)
python3 "$HERE/load.py" --port "$P_PROXY" --password "$PROXY_PASSWORD" --duration "$DURATION" --rate "$RATE" \
  --summary "$tmp/load.json" >"$tmp/load.log" 2>&1 &
pids+=($!)
PID_LOAD=$!

at 0.25
failover_to "$P_R1"
at 0.40
pause "$PID_R2" "replica 127.0.0.1 $P_R2"
failover_aborts "$P_R2"
resume "$PID_R2" "replica 127.0.0.1 $P_R2"
wait_for "the proxy to see replica :$P_R2 up again" 30 node_up "$P_R2"
at 0.65
pause "$PID_R1" "master 127.0.0.1 $P_R1"
nap 3            # the length of the outage (part of the scenario)
resume "$PID_R1" "master 127.0.0.1 $P_R1"
wait_for "the proxy to see the master up again" 30 master_is up
event "the proxy sees master 127.0.0.1 $P_R1 up again"
at 0.85
failover_to "$P_MASTER"

wait "$PID_LOAD" || die "load.py failed: $(tail -n 5 "$tmp/load.log")"
cat "$tmp/load.log" >&2
t_end=$(date +%s.%N)
scraped_after_end() {
  python3 - "$PROM" "$t_end" <<'PY'
import json, sys, urllib.request
prom, t_end = sys.argv[1], float(sys.argv[2])
with urllib.request.urlopen(prom + "/api/v1/query?query=timestamp(resplit_clients_connected)") as r:
    res = json.load(r)["data"]["result"]
sys.exit(0 if res and float(res[0]["value"][1]) > t_end + 1 else 1)
PY
}
wait_for "a scrape after the load" 20 scraped_after_end

# ---- render
read -r LOAD_CPS PROXY_REJECTED < <(python3 - "$tmp/load.json" "$PROM" <<'PY'
import json, sys, urllib.request
s = json.load(open(sys.argv[1]))
with urllib.request.urlopen(sys.argv[2] + "/api/v1/query?query=sum(resplit_clients_rejected_total)") as r:
    res = json.load(r)["data"]["result"]
print(s.get("commands_per_second", 0), int(float(res[0]["value"][1])) if res else "?")
PY
)
python3 - "$tmp/events.json" "${events[@]}" <<'PY'
import json, sys
json.dump([[float(e.split("|", 1)[0]), e.split("|", 1)[1]] for e in sys.argv[2:]], open(sys.argv[1], "w"))
PY
win_args=()
win_text=()
for w in $WINDOWS; do win_args+=(--window "$w"); win_text+=("[${w%%=*}] → [${w#*=}]"); done
redis_v=$(redis-server --version | sed -E 's/.* v=([^ ]+).*/\1/')
prom_v=$(prometheus --version 2>&1 | head -n1 | awk '{print $3}')
run_date=$(date -u '+%Y-%m-%d %H:%M UTC')
win_joined=$(IFS=,; echo "${win_text[*]}")
win_joined=${win_joined//,/, }
win_note="range windows unchanged"
[[ -n $win_joined ]] && win_note="except range windows ${win_joined} to suit a short run"
caption=(
  "resplit dashboard (docker/grafana/dashboards/resplit.json) — panels rendered by docker/dashboard-preview from a live Prometheus scraping a live resplit; not a Grafana screenshot"
  "Run of $run_date, ${DURATION} s of load: redis-server $redis_v master + 2 replicas, resplit (proxy/target/resplit.jar, maxclients $MAXCLIENTS), Prometheus $prom_v scraping /metrics every 1 s; all on 127.0.0.1."
  "Load (docker/dashboard-preview/load.py): ~${RATE} commands/s paced on 2 reader + 2 writer connections (GET/MGET/HGET/LRANGE, SET/INCR/HSET/LPUSH/PUBLISH, some WRONGTYPE errors, MULTI/EXEC, BLPOP, a refused CONFIG SET),"
  "1 subscriber, a short-lived connection every 0.5 s, two waves of idle connections (the second up to maxclients; the proxy refused $PROXY_REJECTED connections). Measured: $LOAD_CPS commands/s on the paced connections."
  "Queries as in the JSON with \$instance = .* (All), ${win_note}; query_range step ${STEP} s; times UTC. Dashed markers: the run's events (not dashboard annotations):"
)
cap_args=()
for c in "${caption[@]}"; do cap_args+=(--caption "$c"); done
render_rc=0
python3 "$HERE/render.py" --prometheus "$PROM" --dashboard "$DASHBOARD" --start "$t_begin" --end "$t_end" \
  --step "$STEP" "${win_args[@]}" --events "$tmp/events.json" "${cap_args[@]}" --width "$WIDTH" \
  --out "$tmp/dashboard.html" --height-file "$tmp/height" || render_rc=$?
((render_rc == 0 || render_rc == 3)) || die "render.py failed ($render_rc)"

mkdir -p "$(dirname "$OUT")" "$tmp/chromium"
chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run --disable-background-networking \
  --disable-component-update --disable-sync --hide-scrollbars --force-device-scale-factor=1 \
  --user-data-dir="$tmp/chromium" --screenshot="$tmp/dashboard.png" --window-size="$WIDTH,$(cat "$tmp/height")" \
  "file://$tmp/dashboard.html" >"$tmp/chromium.log" 2>&1 &
pids+=($!)
PID_CHROMIUM=$!
deadline=$((SECONDS + 120))
while kill -0 "$PID_CHROMIUM" 2>/dev/null; do
  ((SECONDS < deadline)) || die "chromium did not finish within 120 s: $(tail -n 5 "$tmp/chromium.log")"
  sleep 0.2
done
wait "$PID_CHROMIUM" || true
[[ -s $tmp/dashboard.png ]] || die "chromium wrote no screenshot: $(tail -n 5 "$tmp/chromium.log")"
cp "$tmp/dashboard.png" "$OUT"
log "wrote $OUT (${WIDTH}x$(cat "$tmp/height")) in ${SECONDS} s"
((render_rc == 0)) || die "some panels had no data (see the check above); the image shows them as 'No data'"
failed=0

#!/usr/bin/env bash
# Local demo without Docker: a master and two replicas as redis-server processes with a password (as in the
# classic master/replica tutorial: requirepass + replicaof + masterauth), and resplit in front of them.
# Ctrl-C stops everything. Ports: master 7001, replicas 7002 and 7003, proxy 6390 (override with env vars).
set -euo pipefail
cd "$(dirname "$0")/.."

MASTER_PORT=${MASTER_PORT:-7001}
REPLICA1_PORT=${REPLICA1_PORT:-7002}
REPLICA2_PORT=${REPLICA2_PORT:-7003}
PROXY_PORT=${PROXY_PORT:-6390}
NODE_PASSWORD=${NODE_PASSWORD:-zhiliao}
PROXY_PASSWORD=${PROXY_PASSWORD:-proxy-secret}

for tool in redis-server redis-cli java mvn; do
  command -v "$tool" >/dev/null || { echo "demo: $tool is missing (apt-get install redis-server maven openjdk-17-jdk)"; exit 1; }
done

if [ ! -f proxy/target/resplit.jar ]; then
  echo "demo: building resplit (mvn -DskipTests package)..."
  mvn -B -q -DskipTests package
fi

work=$(mktemp -d /tmp/resplit-demo.XXXXXX)
pids=()
cleanup() {
  trap - INT TERM EXIT
  echo
  echo "demo: stopping..."
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup INT TERM EXIT

start_redis() { # name port [extra args...]
  local name=$1 port=$2
  shift 2
  mkdir -p "$work/$name"
  redis-server --port "$port" --bind 127.0.0.1 --save '' --appendonly no --dir "$work/$name" \
    --requirepass "$NODE_PASSWORD" --logfile "$work/$name.log" "$@" &
  pids+=($!)
}

start_redis master "$MASTER_PORT"
start_redis replica1 "$REPLICA1_PORT" --replicaof 127.0.0.1 "$MASTER_PORT" --masterauth "$NODE_PASSWORD"
start_redis replica2 "$REPLICA2_PORT" --replicaof 127.0.0.1 "$MASTER_PORT" --masterauth "$NODE_PASSWORD"

for port in "$REPLICA1_PORT" "$REPLICA2_PORT"; do
  for _ in $(seq 1 100); do
    redis-cli -p "$port" -a "$NODE_PASSWORD" --no-auth-warning info replication 2>/dev/null \
      | grep -q master_link_status:up && break
    sleep 0.1
  done
done

MALLOC_MMAP_THRESHOLD_=131072 java ${RESPLIT_JAVA_OPTS:-} -jar proxy/target/resplit.jar config/resplit.conf --port "$PROXY_PORT" \
  --master 127.0.0.1 "$MASTER_PORT" --replica 127.0.0.1 "$REPLICA1_PORT" --replica 127.0.0.1 "$REPLICA2_PORT" \
  --masterauth "$NODE_PASSWORD" --requirepass "$PROXY_PASSWORD" &
pids+=($!)

for _ in $(seq 1 100); do
  redis-cli -p "$PROXY_PORT" -a "$PROXY_PASSWORD" --no-auth-warning ping 2>/dev/null | grep -q PONG && break
  sleep 0.1
done

cat <<MSG

resplit is running on port $PROXY_PORT in front of master :$MASTER_PORT and replicas :$REPLICA1_PORT, :$REPLICA2_PORT.
Connect with one client, as to a single Redis:

  redis-cli -p $PROXY_PORT -a $PROXY_PASSWORD
  127.0.0.1:$PROXY_PORT> set username hello ex 1000      (goes to the master)
  127.0.0.1:$PROXY_PORT> get username                    (reads your own write)
  127.0.0.1:$PROXY_PORT> info proxy                      (the proxy's view of the nodes)

Python (redis-py): Redis(host='127.0.0.1', port=$PROXY_PORT, password='$PROXY_PASSWORD')
Press Ctrl-C to stop everything.
MSG
wait

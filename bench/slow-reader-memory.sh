#!/usr/bin/env bash
# Memory held for a client that does not read its replies. A plaintext master (127.0.0.1, password, no
# persistence) holds one VALUE_SIZE value (1 MiB); bench/slow_reader.py connects, sends AUTH and REPLIES (200)
# pipelined `GET big` in one write, reads nothing for HOLD s, then reads every reply, stays connected and idle
# for IDLE s, and closes. Meanwhile it samples VmRSS of the server it talks to (and, through the proxy, of the
# master too) from /proc/PID/status. Three scenarios, each on fresh processes, in a rotating order every round:
#   redis          the client talks to redis-server directly (Redis's default: normal 0 0 0, no limit)
#   proxy-default  through resplit with its defaults (no output-buffer limit for normal clients)
#   proxy-limit    through resplit with `client-output-buffer-limit LIMIT` (it closes the client)
# Each scenario runs the client PASSES times in a row against the same processes (the second pass shows whether
# memory kept from the first is reused).
# See bench/README.md ("Memory with a client that does not read"). Env knobs (defaults in brackets):
#   ROUNDS [2]  PASSES [2]  REPLIES [200]  VALUE_SIZE [1048576]  HOLD [10]  IDLE [5]  SETTLE [3]
#   SAMPLE_MS [100]  LIMIT ["normal 32mb 16mb 10"]  SCENARIOS ["redis proxy-default proxy-limit"]
#   RESULTS_DIR [bench/results]  RESPLIT_JAVA_OPTS  RESPLIT_PROXY_ARGS  KEEP_TMP
set -euo pipefail

# shellcheck source=bench/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

ROUNDS=${ROUNDS:-2}
PASSES=${PASSES:-2}
REPLIES=${REPLIES:-200}
VALUE_SIZE=${VALUE_SIZE:-1048576}
HOLD=${HOLD:-10}
IDLE=${IDLE:-5}
SETTLE=${SETTLE:-3}
SAMPLE_MS=${SAMPLE_MS:-100}
LIMIT=${LIMIT:-normal 32mb 16mb 10}
SCENARIOS=${SCENARIOS:-redis proxy-default proxy-limit}
RESULTS_DIR=${RESULTS_DIR:-$BENCH_DIR/results}

read -r -a SCENARIO_LIST <<<"$SCENARIOS"

is_uint() { [[ $1 =~ ^[0-9]+$ ]]; }
for v in ROUNDS PASSES REPLIES VALUE_SIZE HOLD IDLE SETTLE SAMPLE_MS; do
    is_uint "${!v}" || die "$v must be a non-negative integer (got '${!v}')"
done
((ROUNDS >= 1 && ROUNDS <= 20)) || die "ROUNDS must be 1..20"
((PASSES >= 1 && PASSES <= 10)) || die "PASSES must be 1..10"
((REPLIES >= 1 && REPLIES <= 10000)) || die "REPLIES must be 1..10000"
((VALUE_SIZE >= 1 && VALUE_SIZE <= 64 * 1024 * 1024)) || die "VALUE_SIZE must be 1..67108864"
((REPLIES * VALUE_SIZE <= 4 * 1024 * 1024 * 1024)) || die "REPLIES x VALUE_SIZE must stay within 4 GiB"
((HOLD <= 600 && IDLE <= 600 && SETTLE <= 60)) || die "HOLD and IDLE must be <= 600, SETTLE <= 60"
((SAMPLE_MS >= 10)) || die "SAMPLE_MS must be >= 10"
((${#SCENARIO_LIST[@]} >= 1)) || die "SCENARIOS is empty"
for s in "${SCENARIO_LIST[@]}"; do
    [[ $s == redis || $s == proxy-default || $s == proxy-limit ]] \
        || die "SCENARIOS may only contain redis, proxy-default and proxy-limit (got '$s')"
done
[[ $LIMIT =~ ^normal\ [0-9]+[kmgb]*\ [0-9]+[kmgb]*\ [0-9]+$ ]] || die "LIMIT must look like 'normal 32mb 16mb 10' (got '$LIMIT')"
[[ $BENCH_PASSWORD =~ ^[A-Za-z0-9._+=@%:/-]+$ ]] \
    || die "BENCH_PASSWORD may only contain letters, digits and ._+=@%:/- (it is written into a config file)"
for tool in java sha256sum; do
    command -v "$tool" >/dev/null || die "$tool not found in PATH"
done

ensure_jar
bench_init

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
RESULTS_CSV=$RESULTS_DIR/slow-reader-memory-$STAMP.csv
RESULTS_MD=$RESULTS_DIR/slow-reader-memory-$STAMP.md
RESULTS_SAMPLES=$RESULTS_DIR/slow-reader-memory-$STAMP-samples.csv
printf '%s\n' "round,scenario,pass,t_s,phase,process,vmrss_kb" >"$RESULTS_SAMPLES"
printf '%s\n' "round,seq,scenario,pass,process,before_kb,peak_kb,hold_end_kb,drained_kb,idle_kb,closed_kb,hwm_kb,replies_received,bytes_received,closed_by_server,errors,drain_s,limit_closes,client_rcvbuf" >"$RESULTS_CSV"

# forget_pid PID: drop PID from the cleanup list once it has been stopped and reaped here.
forget_pid() {
    local p=$1 i keep=()
    for i in "${BENCH_PIDS[@]}"; do
        [[ $i == "$p" ]] || keep+=("$i")
    done
    BENCH_PIDS=("${keep[@]}")
}

# write_conf NAME PORT MASTER_PORT LIMIT_LINE
write_conf() {
    local name=$1 port=$2 mport=$3 limit=$4
    {
        printf '%s\n' "bind $BENCH_HOST" "port $port" "requirepass \"$BENCH_PASSWORD\"" \
            "master $BENCH_HOST $mport" "masterauth \"$BENCH_PASSWORD\"" "io-threads 1" \
            "admin-socket $BENCH_TMP/admin-$name.sock"
        if [[ -n $limit ]]; then printf '%s\n' "client-output-buffer-limit $limit"; fi
    } >"$BENCH_TMP/$name.conf"
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

SEQ=0
# run_scenario ROUND SCENARIO: fresh master (+ proxy), PASSES client runs, stop everything.
run_scenario() {
    local round=$1 sc=$2 name="$2-r$1" ports mport pport master_pid proxy_pid="" target_port watch=() limit="" got
    read -r -a ports <<<"$(pick_free_ports 2)"
    mport=${ports[0]} pport=${ports[1]}
    start_redis "master-$name" "$mport"
    master_pid=$STARTED_PID
    # the value: VALUE_SIZE bytes of 'x'
    got=$(head -c "$VALUE_SIZE" /dev/zero | tr '\0' x | rcli "$mport" -x SET big)
    [[ $got == OK ]] || die "SET big on the master answered '$got'"
    [[ $(rcli "$mport" STRLEN big) == "$VALUE_SIZE" ]] || die "STRLEN big on the master is not $VALUE_SIZE"
    [[ $(rcli "$mport" CONFIG GET client-output-buffer-limit | tr -d '\r' | tail -n 1) == *"normal 0 0 0"* ]] \
        || log "warning: the master's client-output-buffer-limit is not 'normal 0 0 0'"
    if [[ $sc == redis ]]; then
        target_port=$mport
        watch=(--watch "redis:$master_pid")
    else
        if [[ $sc == proxy-limit ]]; then limit=$LIMIT; fi
        write_conf "$name" "$pport" "$mport" "$limit"
        start_resplit "$name" "$pport"
        proxy_pid=$STARTED_PID
        local cfg
        cfg=$(timeout 10 redis-cli -s "$BENCH_TMP/admin-$name.sock" CONFIG GET client-output-buffer-limit 2>/dev/null | tr -d '\r' \
            | sed -n 's/^client-output-buffer-limit //p' || true)
        log "proxy $name: client-output-buffer-limit '${cfg:-?}'"
        target_port=$pport
        watch=(--watch "proxy:$proxy_pid" --watch "master:$master_pid")
    fi
    local pass out
    for ((pass = 1; pass <= PASSES; pass++)); do
        SEQ=$((SEQ + 1))
        out=$BENCH_TMP/client-$name-p$pass.json
        log "  $sc round $round pass $pass: $REPLIES x GET of $VALUE_SIZE B, ${HOLD}s without reading, then read, ${IDLE}s idle"
        local limit_before=0
        if [[ -n $proxy_pid ]]; then
            limit_before=$(grep -c 'closed for overcoming of output buffer limits' "$BENCH_TMP/proxy-$name.log" || true)
        fi
        bench_run "$out" "$out.err" timeout $((HOLD + IDLE + 2 * SETTLE + 180)) python3 "$BENCH_DIR/slow_reader.py" \
            --port "$target_port" --password "$BENCH_PASSWORD" --key big --replies "$REPLIES" \
            --value-size "$VALUE_SIZE" --hold "$HOLD" --idle "$IDLE" --settle "$SETTLE" --sample-ms "$SAMPLE_MS" \
            --samples "$BENCH_TMP/samples-$name-p$pass.csv" "${watch[@]}" \
            || { show_log_tail "$out.err"; if [[ -n $proxy_pid ]]; then show_log_tail "$BENCH_TMP/proxy-$name.log"; fi; die "slow_reader.py failed ($sc round $round pass $pass)"; }
        # every sample of the pass, prefixed with round, scenario and pass, into one CSV
        tail -n +2 "$BENCH_TMP/samples-$name-p$pass.csv" | sed "s/^/$round,$sc,$pass,/" >>"$RESULTS_SAMPLES"
        local closes=""
        if [[ -n $proxy_pid ]]; then
            closes=$(( $(grep -c 'closed for overcoming of output buffer limits' "$BENCH_TMP/proxy-$name.log" || true) - limit_before ))
            proc_alive "$proxy_pid" || { show_log_tail "$BENCH_TMP/proxy-$name.log"; die "proxy died"; }
            [[ $(rcli "$pport" PING) == PONG ]] || die "the proxy does not answer PING after the pass"
        fi
        proc_alive "$master_pid" || die "master died"
        python3 - "$out" "$round" "$SEQ" "$sc" "$pass" "$closes" >>"$RESULTS_CSV" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
rnd, seq, sc, ps, closes = sys.argv[2:7]
for name, v in r["rss_kb"].items():
    print(",".join(str(x) for x in (rnd, seq, sc, ps, name, v["before"], v["peak"], v["hold_end"], v["drained"],
                                    v["idle"], v["closed"], v["hwm"], r["replies_received"], r["bytes_received"],
                                    int(r["closed_by_server"]), r["errors"], r["drain_s"], closes,
                                    r["client_rcvbuf"])))
PY
        log "    $(python3 -c '
import json, sys
r = json.load(open(sys.argv[1]))
print("replies %d/%d, closed by server: %s;" % (r["replies_received"], r["replies_expected"], r["closed_by_server"]),
      "; ".join("%s RSS MiB before %.0f peak %.0f drained %.0f idle %.0f closed %.0f" % (n, v["before"] / 1024,
      v["peak"] / 1024, v["drained"] / 1024, v["idle"] / 1024, v["closed"] / 1024) for n, v in r["rss_kb"].items()))
' "$out")${closes:+, proxy log: $closes limit close(s)}"
    done
    if [[ -n $proxy_pid ]]; then
        cp -- "$BENCH_TMP/proxy-$name.log" "$RESULTS_DIR/slow-reader-memory-$STAMP-proxy-$name.log"
        bench_stop_pid "$proxy_pid" 10
        forget_pid "$proxy_pid"
    fi
    bench_stop_pid "$master_pid" 10
    forget_pid "$master_pid"
}

log "results: $RESULTS_CSV"
T_START=$SECONDS
NS=${#SCENARIO_LIST[@]}
for ((round = 1; round <= ROUNDS; round++)); do
    for ((k = 0; k < NS; k++)); do
        run_scenario "$round" "${SCENARIO_LIST[(round - 1 + k) % NS]}"
    done
done
log "measured runs took $((SECONDS - T_START)) s"

{
    printf '# resplit slow-reader memory %s\n\n' "$STAMP"
    printf -- '- host: %s, %s CPUs, %s MiB RAM, %s, java %s\n' "$(uname -n)" "$(nproc)" \
        "$(awk '/^MemTotal:/ { printf "%d", $2 / 1024 }' /proc/meminfo)" "$(redis-server --version | cut -d' ' -f1-3)" \
        "$(java -version 2>&1 | head -n 1 | sed 's/.*version "\([^"]*\)".*/\1/')"
    printf -- '- git: %s%s; jar %s (sha256 %s, built %s)\n' \
        "$(git -C "$REPO_ROOT" rev-parse --short --verify -q HEAD 2>/dev/null || echo none)" "$GIT_DIRTY" \
        "$JAR_ORIGIN" "$JAR_SHA" "$JAR_MTIME"
    printf -- '- proxy: io-threads 1, java_opts=%s proxy_args=%s; proxy-limit: client-output-buffer-limit %s\n' \
        "${RESPLIT_JAVA_OPTS:-none}" "${RESPLIT_PROXY_ARGS:-none}" "$LIMIT"
    printf -- '- client: %s pipelined GET of a %s-byte value, %ss without reading, then read, %ss idle, close; settle %ss; samples every %s ms; rounds=%s passes=%s\n' \
        "$REPLIES" "$VALUE_SIZE" "$HOLD" "$IDLE" "$SETTLE" "$SAMPLE_MS" "$ROUNDS" "$PASSES"
    printf -- '- raw data: %s (every VmRSS sample: %s; and the proxy logs beside them)\n\n' "$(basename "$RESULTS_CSV")" "$(basename "$RESULTS_SAMPLES")"
    python3 - "$RESULTS_CSV" "$REPLIES" "$VALUE_SIZE" <<'PY'
import csv, statistics, sys

rows = list(csv.DictReader(open(sys.argv[1])))
payload_kb = int(sys.argv[2]) * int(sys.argv[3]) / 1024

def mib(kb):
    return kb / 1024

keys = []
for r in rows:
    k = (r["scenario"], int(r["pass"]), r["process"])
    if k not in keys:
        keys.append(k)
order = {"redis": 0, "proxy-default": 1, "proxy-limit": 2}
keys.sort(key=lambda k: (order.get(k[0], 9), k[1], k[2] != "proxy" and k[2] != "redis"))

print("VmRSS in MiB, medians over rounds. growth = peak − before, where peak is the highest sample while the "
      "client does not read; ÷ payload = growth ÷ %.0f MiB of replies; given back = (peak − after idle) ÷ growth; "
      "held = after idle − the fresh process's VmRSS (before pass 1 of the same round).\n" % mib(payload_kb))
print("| scenario | pass | process | before | peak | growth | ÷ payload | drained | after idle | given back | "
      "held | after close | VmHWM | replies read | closed by server | rounds |")
print("|---|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|---:|")
fresh = {(r["round"], r["scenario"], r["process"]): float(r["before_kb"]) for r in rows if r["pass"] == "1"}
for sc, ps, proc in keys:
    rs = [r for r in rows if r["scenario"] == sc and int(r["pass"]) == ps and r["process"] == proc]
    def m(col):
        return statistics.median(float(r[col]) for r in rs)
    held = statistics.median(float(r["idle_kb"]) - fresh.get((r["round"], sc, proc), float("nan")) for r in rs)
    growth = m("peak_kb") - m("before_kb")
    gb = "–" if growth <= 1024 else "%.0f %%" % (100 * (m("peak_kb") - m("idle_kb")) / growth)
    closed = "/".join("yes" if r["closed_by_server"] == "1" else "no" for r in rs)
    replies = "/".join(r["replies_received"] for r in rs)
    print(f"| {sc} | {ps} | {proc} | {mib(m('before_kb')):.0f} | {mib(m('peak_kb')):.0f} | {mib(growth):.0f} | "
          f"{growth / payload_kb:.2f} | {mib(m('drained_kb')):.0f} | {mib(m('idle_kb')):.0f} | {gb} | "
          f"{mib(held):.0f} | {mib(m('closed_kb')):.0f} | {mib(m('hwm_kb')):.0f} | {replies} | {closed} | {len(rs)} |")

print("\nEvery run (MiB):\n")
print("| round | scenario | pass | process | before | peak | drained | after idle | after close | replies | "
      "closed by server | proxy limit closes | drain s |")
print("|---:|---|---:|---|---:|---:|---:|---:|---:|---:|---|---:|---:|")
for r in sorted(rows, key=lambda r: (int(r["seq"]), r["process"])):
    print(f"| {r['round']} | {r['scenario']} | {r['pass']} | {r['process']} | {mib(float(r['before_kb'])):.0f} | "
          f"{mib(float(r['peak_kb'])):.0f} | {mib(float(r['drained_kb'])):.0f} | {mib(float(r['idle_kb'])):.0f} | "
          f"{mib(float(r['closed_kb'])):.0f} | {r['replies_received']} | {'yes' if r['closed_by_server'] == '1' else 'no'} | "
          f"{r['limit_closes'] or '–'} | {r['drain_s']} |")
PY
} >"$RESULTS_MD"

printf '\n'
cat "$RESULTS_MD"
log "wrote $RESULTS_CSV and $RESULTS_MD"

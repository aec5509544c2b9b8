#!/usr/bin/env bash
# Cost of metrics over many pairs of JVMs: runs bench/metrics-cost.sh PAIRS
# times (each run a fresh metrics-off and metrics-on JVM) and summarizes the
# pairs. One pair is not enough: two identical JVMs already differ by several
# per cent (an A/A run shows it), so the figure that counts is the median over
# pairs, with its bootstrap interval. Odd pairs start the metrics-off JVM
# first, even pairs the metrics-on one, so start order cancels out.
# See bench/README.md ("Cost of metrics"). Env knobs (defaults in brackets):
#   PAIRS [10]  AA [0] (1: every pair A/A, both metrics off: the method's noise)
#   TARGET_PCT [5]; everything else (ROUNDS, N, PIN, SCRAPE_INTERVAL, ...) is
#   passed on to metrics-cost.sh unchanged.
set -euo pipefail

# shellcheck source=bench/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

PAIRS=${PAIRS:-10}
AA=${AA:-0}
TARGET_PCT=${TARGET_PCT:-5}
if ! [[ $PAIRS =~ ^[0-9]+$ ]] || ((PAIRS < 2 || PAIRS > 200)); then die "PAIRS must be 2..200 (got '$PAIRS')"; fi
[[ $AA == 0 || $AA == 1 ]] || die "AA must be 0 or 1 (got '$AA')"
[[ $TARGET_PCT =~ ^[0-9]+$ ]] || die "TARGET_PCT must be a non-negative integer (got '$TARGET_PCT')"

kind=ab
if [[ $AA == 1 ]]; then kind=aa; fi
OUT_DIR=$BENCH_DIR/results/metrics-cost-pairs-$kind-$(date +%Y%m%d-%H%M%S)
mkdir -p "$OUT_DIR"
log "$PAIRS pairs of JVMs ($kind), results in $OUT_DIR"

for ((pair = 1; pair <= PAIRS; pair++)); do
    on_first=$(((pair + 1) % 2))
    log "pair $pair of $PAIRS (metrics-on JVM started first: $on_first)"
    RESULTS_DIR=$OUT_DIR ON_FIRST=$on_first AA=$AA TARGET_PCT=$TARGET_PCT \
        bash "$BENCH_DIR/metrics-cost.sh" >"$OUT_DIR/pair-$pair.out" 2>&1 \
        || { tail -n 30 "$OUT_DIR/pair-$pair.out" >&2; die "pair $pair failed (log: $OUT_DIR/pair-$pair.out)"; }
    grep -E '^\| (event loops|whole JVM)' "$OUT_DIR/pair-$pair.out" | sed 's/^/    /' >&2 || true
done

{
    printf '# resplit metrics cost over %s pairs of JVMs (%s)\n\n' "$PAIRS" "$kind"
    printf -- '- git: %s; settings per pair: see each metrics-cost-*.md beside this file\n' \
        "$(git -C "$REPO_ROOT" describe --always --dirty 2>/dev/null || echo none)"
    printf -- '- env: ROUNDS=%s N=%s P=%s CLIENTS=%s PIN=%s SCRAPE=%s SCRAPE_INTERVAL=%s\n\n' \
        "${ROUNDS:-6}" "${N:-2000000}" "${P:-16}" "${CLIENTS:-50}" "${PIN:-0}" "${SCRAPE:-1}" "${SCRAPE_INTERVAL:-1}"
    python3 "$BENCH_DIR/metrics_cost_report.py" --target "$TARGET_PCT" "$OUT_DIR"/metrics-cost-*.csv
} >"$OUT_DIR/summary.md"
printf '\n'
cat "$OUT_DIR/summary.md"
log "wrote $OUT_DIR/summary.md"

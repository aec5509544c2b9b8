#!/usr/bin/env bash
# Cost of metrics over many pairs of JVMs: runs bench/metrics-cost.sh PAIRS
# times (each run a fresh metrics-off and metrics-on JVM) and summarizes the
# pairs. One pair is not enough: two identical JVMs already differ by several
# per cent (an A/A run shows it), so the figure that counts is the median over
# pairs, with its bootstrap interval. Odd pairs start the metrics-off JVM
# first, even pairs the metrics-on one, so start order cancels out.
# See bench/README.md ("Cost of metrics"). Env knobs (defaults in brackets):
#   PAIRS [10] (of each kind)  KINDS [ab] (ab: metrics off vs on; aa: both off,
#   the method's own noise; ab,aa: both kinds, interleaved pair by pair, so
#   they see the same machine, and the A/B mean less the A/A mean)  AA [0]
#   (AA=1 is KINDS=aa)  TARGET_PCT [5]  RESULTS_DIR [bench/results];
#   everything else (ROUNDS, N, PIN, SCRAPE_INTERVAL, ...) is passed on to
#   metrics-cost.sh unchanged.
set -euo pipefail

# shellcheck source=bench/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

PAIRS=${PAIRS:-10}
KINDS=${KINDS:-ab}
if [[ ${AA:-0} == 1 ]]; then KINDS=aa; fi
TARGET_PCT=${TARGET_PCT:-5}
if ! [[ $PAIRS =~ ^[0-9]+$ ]] || ((PAIRS < 2 || PAIRS > 200)); then die "PAIRS must be 2..200 (got '$PAIRS')"; fi
[[ $KINDS == ab || $KINDS == aa || $KINDS == ab,aa ]] || die "KINDS must be ab, aa or ab,aa (got '$KINDS')"
[[ $TARGET_PCT =~ ^[0-9]+$ ]] || die "TARGET_PCT must be a non-negative integer (got '$TARGET_PCT')"
IFS=, read -r -a KIND_LIST <<<"$KINDS"

OUT_DIR=${RESULTS_DIR:-$BENCH_DIR/results}/metrics-cost-pairs-${KINDS/,/-}-$(date +%Y%m%d-%H%M%S)
for kind in "${KIND_LIST[@]}"; do mkdir -p "$OUT_DIR/$kind"; done
log "$PAIRS pairs of JVMs of each kind ($KINDS), results in $OUT_DIR"

for ((pair = 1; pair <= PAIRS; pair++)); do
    on_first=$(((pair + 1) % 2))
    for kind in "${KIND_LIST[@]}"; do
        aa=0
        if [[ $kind == aa ]]; then aa=1; fi
        log "pair $pair of $PAIRS, $kind (second JVM started first: $on_first)"
        RESULTS_DIR=$OUT_DIR/$kind ON_FIRST=$on_first AA=$aa TARGET_PCT=$TARGET_PCT \
            bash "$BENCH_DIR/metrics-cost.sh" >"$OUT_DIR/$kind/pair-$pair.out" 2>&1 \
            || { tail -n 30 "$OUT_DIR/$kind/pair-$pair.out" >&2; die "pair $pair ($kind) failed (log: $OUT_DIR/$kind/pair-$pair.out)"; }
        grep -E '^\| (event loops|whole JVM)' "$OUT_DIR/$kind/pair-$pair.out" | sed 's/^/    /' >&2 || true
    done
done

{
    printf '# resplit metrics cost over %s pairs of JVMs of each kind (%s)\n\n' "$PAIRS" "$KINDS"
    printf -- '- git: %s; settings per pair: see each metrics-cost-*.md beside this file\n' \
        "$(git -C "$REPO_ROOT" describe --always --dirty 2>/dev/null || echo none)"
    printf -- '- env: ROUNDS=%s N=%s P=%s CLIENTS=%s PIN=%s SCRAPE=%s SCRAPE_INTERVAL=%s\n' \
        "${ROUNDS:-6}" "${N:-2000000}" "${P:-16}" "${CLIENTS:-50}" "${PIN:-0}" "${SCRAPE:-1}" "${SCRAPE_INTERVAL:-1}"
    for kind in "${KIND_LIST[@]}"; do
        if [[ $kind == ab ]]; then
            printf '\n## A/B: metrics off against metrics on\n\n'
        else
            printf '\n## A/A: both JVMs with metrics off (the method'"'"'s own noise; "overhead" is the second JVM'"'"'s)\n\n'
        fi
        python3 "$BENCH_DIR/metrics_cost_report.py" --target "$TARGET_PCT" "$OUT_DIR/$kind"/metrics-cost-*.csv
    done
    if [[ $KINDS == ab,aa ]]; then
        printf '\n## A/B against A/A\n\n'
        python3 "$BENCH_DIR/metrics_cost_report.py" --target "$TARGET_PCT" "$OUT_DIR/ab"/metrics-cost-*.csv \
            --against "$OUT_DIR/aa"/metrics-cost-*.csv
    fi
} >"$OUT_DIR/summary.md"
printf '\n'
cat "$OUT_DIR/summary.md"
log "wrote $OUT_DIR/summary.md"

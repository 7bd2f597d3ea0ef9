#!/bin/bash
# Long fuzzing runs by hand, counted: run each target for SECONDS, one
# after another, and add a line per run to fuzz/ledger.tsv (the executions
# each target has had, across machines and sessions: `--totals` sums them).
#
# Usage: fuzz/campaign.sh SECONDS [READER...]   (default: every reader)
#        fuzz/campaign.sh --totals               (executions per target)
#        fuzz/campaign.sh --keep [READER...]     (grown corpus -> repo)
#
# A run starts from the checked-in seeds plus what earlier runs on this
# machine found (KDX_FUZZ_WORK/corpus/READER).  --keep merges those into
# fuzz/corpus/READER with libFuzzer's -merge=1: only inputs that add
# coverage are copied, so the checked-in corpus stays minimal; commit it.
# For two cores, run two campaigns over disjoint readers.  Runs are
# niced: builds and tests on the machine come first.
#
# Environment:
#   KDX_FUZZ_SANITIZE  sanitizers (default address,undefined; "undefined"
#                      runs several times faster, memory errors then
#                      show only as crashes; "none" is coverage alone,
#                      ~2x faster again, for growing the corpus: CI
#                      replays what --keep merged under ASan and UBSan)
#   KDX_FUZZ_BUILD     build directory (default build-campaign-SANITIZERS)
#   KDX_FUZZ_WORK      corpus and logs (default KDX_FUZZ_BUILD/work)
#   KDX_FUZZ_RUNS      stop a target after this many executions (SECONDS
#                      stays the limit in time)
set -euo pipefail

src=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
ledger=$src/fuzz/ledger.tsv
sanitize=${KDX_FUZZ_SANITIZE:-address,undefined}
build=${KDX_FUZZ_BUILD:-$src/build-campaign-${sanitize//,/-}}
work=${KDX_FUZZ_WORK:-$build/work}

usage() {
    sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | sed '$d; s/^# \{0,1\}//' >&2
    exit 2
}

all_readers() {
    local f r
    for f in "$src"/fuzz/fuzz_*.c; do
        r=${f##*/fuzz_}
        r=${r%.c}
        [ "$r" = common ] || echo "$r"
    done
}

if [ "${1:-}" = --totals ]; then
    [ -f "$ledger" ] || { echo "no ledger yet: $ledger" >&2; exit 1; }
    awk -F'\t' 'NR > 1 { n[$3] += $6; s[$3] += $5
                         if ($4 ~ /address/) a[$3] += $6
                         if ($4 == "none") c[$3] += $6 }
        END { for (t in n)
                  printf "%-14s %12d executions %7d s  (ASan %d, UBSan only %d, none %d)\n",
                         t, n[t], s[t], a[t], n[t] - a[t] - c[t], c[t] }' "$ledger" | sort
    exit 0
fi

keep=0
if [ "${1:-}" = --keep ]; then
    keep=1
    shift
elif [ $# -lt 1 ] || ! [[ $1 =~ ^[0-9]+$ ]]; then
    usage
else
    seconds=$1
    shift
fi
if [ $# -gt 0 ]; then
    readers=("$@")
else
    mapfile -t readers < <(all_readers)
fi

command -v clang >/dev/null || { echo "fuzz/campaign.sh: clang is needed" >&2; exit 1; }
CC=clang cmake -S "$src" -B "$build" -DKDX_FUZZ=ON -DKDX_BUILD_TESTS=OFF \
    -DKDX_FUZZ_SANITIZE="$sanitize" -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build "$build" -j"$(nproc)" --target "${readers[@]/#/fuzz_}" >/dev/null

if [ $keep = 1 ]; then
    for r in "${readers[@]}"; do
        [ -d "$work/corpus/$r" ] || continue
        before=$(find "$src/fuzz/corpus/$r" -type f | wc -l)
        "$build/fuzz/fuzz_$r" -merge=1 -max_len=16384 -timeout=10 \
            "$src/fuzz/corpus/$r" "$work/corpus/$r" >"$work/$r.merge.log" 2>&1
        echo "fuzz_$r: corpus $before -> $(find "$src/fuzz/corpus/$r" -type f | wc -l) files"
    done
    exit 0
fi

[ -f "$ledger" ] ||
    printf 'date\tcommit\ttarget\tsanitizers\tseconds\texecutions\tcorpus\tresult\n' >"$ledger"
commit=$(git -C "$src" rev-parse --short HEAD)
git -C "$src" diff --quiet HEAD -- src include fuzz/*.c || commit="$commit+"
mkdir -p "$work/artifacts"
rc=0
for r in "${readers[@]}"; do
    mkdir -p "$work/corpus/$r"
    log=$work/$r.log
    status=0
    started=$SECONDS
    runs=()
    [ -n "${KDX_FUZZ_RUNS:-}" ] && runs=(-runs="$KDX_FUZZ_RUNS")
    # libFuzzer's timeout handler writes the input from a signal
    # handler; if the alarm came inside malloc, that deadlocks (seen
    # here): a run still alive well past its time is killed (exit 137).
    timeout -s KILL $((seconds + 600)) \
    nice -n 19 "$build/fuzz/fuzz_$r" -max_total_time="$seconds" "${runs[@]}" -max_len=16384 \
        -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
        -artifact_prefix="$work/artifacts/$r-" \
        "$work/corpus/$r" "$src/fuzz/corpus/$r" >"$log" 2>&1 || status=$?
    execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n1)
    [ -n "$execs" ] || execs=$(sed -n 's/^#\([0-9]*\)[^0-9].*/\1/p' "$log" | tail -n1)
    took=$((SECONDS - started))
    result=clean
    [ "$status" = 0 ] || { result="exit $status (see $log)"; rc=1; }
    [ "$status" = 137 ] && result="exit 137: killed, still running 600 s past its time (see $log)"
    corpus=$(find "$work/corpus/$r" -type f | wc -l)
    printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$(date -u +%F)" "$commit" "$r" \
        "$sanitize" "$took" "${execs:-0}" "$corpus" "$result" >>"$ledger"
    echo "fuzz_$r: ${execs:-?} executions in ${took}s, work corpus $corpus, $result"
done
exit $rc

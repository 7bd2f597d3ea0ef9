#!/bin/bash
# Build the libFuzzer targets with clang and run each for SECONDS.
#
# Usage: fuzz/run.sh SECONDS [READER...]        (default: every reader)
#
# The targets run side by side (one process each), starting from the
# checked-in seeds in fuzz/corpus/READER/ plus what earlier runs found in
# the work directory.  The wall time is SECONDS however many targets there
# are (14 now: scripts/test.sh's 120 s give each about 17 s of a 2-core
# machine, at 1,000-18,000 executions per CPU second; long runs are by hand,
# one target at a time).  A crash, leak or timeout stops that target, leaves
# the reproducer in WORK/artifacts/ and makes the script fail; replay it
# with WORK/../fuzz/fuzz_READER FILE, or the gcc-built fuzz_READER_replay.
#
# Environment:
#   KDX_FUZZ_BUILD  build directory (default: build-fuzz in the source tree)
#   KDX_FUZZ_WORK   corpus, logs, artifacts (default: KDX_FUZZ_BUILD/fuzz-work)
#   KDX_FUZZ_FORK   run each target as N libFuzzer workers (-fork=N)
#   KDX_FUZZ_ARGS   extra libFuzzer options
#   KDX_FUZZ_SEED   libFuzzer's -seed: with the same corpus and build the
#                   same inputs run in the same order, so a short run (CI's)
#                   repeats one that was run longer by hand; unset: random
set -euo pipefail

src=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
if [ $# -lt 1 ] || ! [[ $1 =~ ^[0-9]+$ ]]; then
    echo "usage: $0 SECONDS [READER...]" >&2
    exit 2
fi
seconds=$1
shift
if [ $# -gt 0 ]; then
    readers=("$@")
else
    readers=()
    for f in "$src"/fuzz/fuzz_*.c; do
        r=${f##*/fuzz_}
        r=${r%.c}
        [ "$r" = common ] || readers+=("$r")
    done
fi
build=${KDX_FUZZ_BUILD:-$src/build-fuzz}
work=${KDX_FUZZ_WORK:-$build/fuzz-work}

command -v clang >/dev/null || { echo "fuzz/run.sh: clang is needed (apt-get install clang)" >&2; exit 1; }
CC=clang cmake -S "$src" -B "$build" -DKDX_FUZZ=ON -DKDX_BUILD_TESTS=OFF \
    -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build "$build" -j"$(nproc)" --target "${readers[@]/#/fuzz_}" >/dev/null

mkdir -p "$work/artifacts"
pids=()
for r in "${readers[@]}"; do
    mkdir -p "$work/corpus/$r"
    args=(-max_total_time="$seconds" -max_len=16384 -timeout=10
          -rss_limit_mb=2048 -print_final_stats=1
          -artifact_prefix="$work/artifacts/$r-")
    [ -n "${KDX_FUZZ_FORK:-}" ] && args+=(-fork="$KDX_FUZZ_FORK")
    [ -n "${KDX_FUZZ_SEED:-}" ] && args+=(-seed="$KDX_FUZZ_SEED")
    # shellcheck disable=SC2206 # word splitting of extra options is wanted
    [ -n "${KDX_FUZZ_ARGS:-}" ] && args+=(${KDX_FUZZ_ARGS})
    echo "fuzz/run.sh: fuzz_$r for ${seconds}s, log $work/$r.log"
    "$build/fuzz/fuzz_$r" "${args[@]}" "$work/corpus/$r" "$src/fuzz/corpus/$r" \
        >"$work/$r.log" 2>&1 &
    pids+=($!)
done

rc=0
for i in "${!readers[@]}"; do
    r=${readers[$i]}
    status=0
    wait "${pids[$i]}" || status=$?
    log=$work/$r.log
    # Single process: the final stats; -fork: the parent's last "#N:" line.
    execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n1)
    [ -n "$execs" ] || execs=$(sed -n 's/^#\([0-9]*\):* .*/\1/p' "$log" | tail -n1)
    echo "fuzz_$r: ${execs:-?} executions in ${seconds}s, corpus $(find "$work/corpus/$r" -type f | wc -l) files, exit $status"
    if [ "$status" != 0 ]; then
        rc=1
        echo "fuzz_$r FAILED; end of its log:"
        grep -E 'ERROR|runtime error|contract broken|SUMMARY|^ +#[0-9]+ ' "$log" | head -40 || tail -40 "$log"
    fi
done
artifacts=$(ls "$work/artifacts")
if [ -n "$artifacts" ]; then
    echo "reproducers in $work/artifacts:"
    ls -l "$work/artifacts"
    # The machine that found them may be gone (CI): carry them in the log.
    for f in "$work"/artifacts/*; do
        [ "$(stat -c %s "$f")" -le 65536 ] || continue
        echo "reproducer ${f##*/} base64 (base64 -d > FILE): $(base64 -w0 "$f")"
    done
    rc=1
fi
exit $rc

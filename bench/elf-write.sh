#!/bin/bash
# Benchmark (not a test): how fast `kdx convert --to elf` writes, physical
# and --paging, against cp of the same dump.
#
# Usage: bench/elf-write.sh DUMP        (an ELF dump, e.g. the 512 MiB
#                                        tests/real vmcore.elf)
#
# The dump is warm in the page cache and every output goes to tmpfs
# (/dev/shm), removed before each run; the commands take turns, best of
# 5 each:
#   cp       cp DUMP OUT: coreutils' read/write loop over the same bytes
#   elf      kdx convert -q DUMP OUT --to elf
#   paging   kdx convert -q DUMP OUT --to elf --paging
# Throughput is output bytes per second; the ratio is kdx's over cp's
# (the target is >= 0.80).  kdx syncs its output (fdatasync) before the
# rename; on tmpfs that is free.  With KDX_BENCH_DISK_DIR set to a
# directory on a disk, the three run there too (3 runs), with
# "cp + sync" (cp, then sync --data OUT) as the like-for-like baseline,
# so the cost of the sync shows (and, with strace, kdx's own fdatasync).
# Every run starts after a sync, so no run pays for the last one's
# writeback.
#
# Environment: KDX (binary; default build/kdx), KDX_BENCH_RUNS (5),
# KDX_BENCH_DIR (/dev/shm), KDX_BENCH_DISK_DIR (unset: no disk runs).
set -euo pipefail

src=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
kdx=${KDX:-$src/build/kdx}
runs=${KDX_BENCH_RUNS:-5}
dir=${KDX_BENCH_DIR:-/dev/shm}
if [ $# -ne 1 ]; then echo "usage: $0 DUMP" >&2; exit 2; fi
dump=$1
[ -x "$kdx" ] || { echo "$kdx: not built (cmake -S . -B build && cmake --build build), or set KDX=" >&2; exit 2; }
[ -r "$dump" ] || { echo "$dump: not readable" >&2; exit 2; }

now() { date +%s%N; }
do_cp() { cp "$dump" "$1"; }
do_cp_sync() { cp "$dump" "$1" && sync --data "$1"; }
do_elf() { "$kdx" convert -q "$dump" "$1" --to elf; }
do_paging() { "$kdx" convert -q "$dump" "$1" --to elf --paging; }

# bench DIR RUNS NAME...: each NAME's do_NAME writes DIR/out, the names
# taking turns RUNS times (so a busy machine slows them alike); prints
# each one's best time and throughput, sets t_NAME (ns) and s_NAME (bytes).
bench() {
    local d=$1 n=$2 name i t0 t1
    shift 2
    for name; do eval "t_$name=0"; done
    for ((i = 0; i < n; i++)); do
        for name; do
            rm -f "$d/out"
            sync # the last run's dirty pages are not this run's cost
            t0=$(now)
            "do_$name" "$d/out"
            t1=$(now)
            eval "s_$name=$(stat -c %s "$d/out")"
            local -n best=t_$name
            if [ "$best" -eq 0 ] || [ $((t1 - t0)) -lt "$best" ]; then best=$((t1 - t0)); fi
            unset -n best
        done
    done
    rm -f "$d/out"
    for name; do
        local -n t=t_$name s=s_$name
        printf '%-10s %8.3f s  %8.1f MiB/s  (%d MiB written)\n' "$name" \
            "$(echo "$t / 1000000000" | bc -l)" \
            "$(echo "$s / 1048576 / ($t / 1000000000)" | bc -l)" $((s >> 20))
        unset -n t s
    done
}
# ratio NAME BASE: NAME's throughput over BASE's
ratio() {
    local -n t1=t_$1 s1=s_$1 t2=t_$2 s2=s_$2
    printf '%s / %s: %.2f\n' "$1" "$2" "$(echo "($s1 / $t1) / ($s2 / $t2)" | bc -l)"
}

cat "$dump" >/dev/null
echo "dump: $dump ($(($(stat -c %s "$dump") >> 20)) MiB), kdx: $kdx"
echo "== output on $dir ($(stat -f -c %T "$dir")), best of $runs =="
bench "$dir" "$runs" cp elf paging
ratio elf cp
ratio paging cp
if [ -n "${KDX_BENCH_DISK_DIR:-}" ]; then
    d=$(mktemp -d "$KDX_BENCH_DISK_DIR/kdx-bench-XXXXXX")
    trap 'rm -rf "$d"' EXIT
    echo "== output on $KDX_BENCH_DISK_DIR ($(stat -f -c %T "$d")), best of 3 =="
    bench "$d" 3 cp cp_sync elf paging
    ratio elf cp_sync
    ratio paging cp_sync
    ratio elf cp
    printf 'sync --data after cp costs %.3f s here\n' "$(echo "($t_cp_sync - $t_cp) / 1000000000" | bc -l)"
    if command -v strace >/dev/null; then
        rm -f "$d/out"
        sync
        strace -T -e trace=fdatasync -o "$d/strace" "$kdx" convert -q "$dump" "$d/out" --to elf
        echo "kdx's own fdatasync, one run under strace: $(sed -n 's/.*<\(.*\)>$/\1/p' "$d/strace") s"
        rm -f "$d/out" "$d/strace"
    fi
fi

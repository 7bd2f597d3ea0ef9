#!/bin/bash
# Benchmark (not a test): reading LiME and AVML images of a real guest's
# memory, against `cat` and against libkdumpfile.
#
# Usage: bench/image-read.sh DUMPDIR
#   DUMPDIR as make-qemu-dumps.sh writes it (pmem.raw, pmem.map).
#
# In a scratch directory (tmpfs when it has room), tests/helpers' mklime
# writes the pmemsave files as a LiME image (a range per file) and as an
# AVML image (16 MiB snappy-framed ranges, all-zero ones left out, as
# AVML does).  Then:
#   LiME  `kdx read IMG ADDR LEN --phys -o OUT` of the largest range
#         against `cat IMG > OUT` of the whole file, each best of RUNS
#         wall time; printed as MB/s and kdx/cat (the goal: >= 0.8).  The
#         bytes kdx wrote are compared with the pmemsave file.
#   AVML  `kdx convert` of the AVML image to kdump-compressed with
#         snappy (the same pages), then bench/kdump/kdump-read-bench
#         reads every page of the kdump file with kdx and libkdumpfile
#         and every same page of the AVML image with kdx, checking all
#         are equal; printed: AVML-by-kdx / kdump-by-libkdumpfile (the
#         goal: >= 1.5).
#
# Environment: KDX (default build/kdx), KDX_MKLIME (build/tests/mklime),
# KDX_BENCH_READ (build/bench/kdump/kdump-read-bench), KDX_BENCH_BASELINE
# (another build's kdump-read-bench, e.g. main's: run on the same images
# right after, each with its own libkdumpfile timing, for before/after
# ratios from one run), KDX_BENCH_RUNS (5),
# KDX_BENCH_DIR (/dev/shm if it has 2 GiB free, else /tmp).
set -euo pipefail

src=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
kdx=${KDX:-$src/build/kdx}
mklime=${KDX_MKLIME:-$src/build/tests/mklime}
bench=${KDX_BENCH_READ:-$src/build/bench/kdump/kdump-read-bench}
runs=${KDX_BENCH_RUNS:-5}
if [ $# -ne 1 ]; then echo "usage: $0 DUMPDIR" >&2; exit 2; fi
dumpdir=$1
for t in "$kdx" "$mklime"; do
    [ -x "$t" ] || { echo "$t: not built, or set KDX= / KDX_MKLIME=" >&2; exit 2; }
done
dir=${KDX_BENCH_DIR:-}
if [ -z "$dir" ]; then
    dir=/tmp
    [ "$(df -Pk /dev/shm | awk 'NR == 2 {print $4}')" -gt $((2 << 20)) ] && dir=/dev/shm
fi
work=$(mktemp -d "$dir/kdx-image-bench.XXXXXX")
trap 'rm -rf "$work"' EXIT

pieces=()
while read -r start _ file; do pieces+=("$dumpdir/$file@$start"); done < "$dumpdir/pmem.map"
"$mklime" lime "$work/mem.lime" "${pieces[@]}"
"$mklime" avml "$work/mem.avml" "${pieces[@]}"
echo "images in $work: LiME $(stat -c %s "$work/mem.lime") bytes, AVML $(stat -c %s "$work/mem.avml") bytes"

now() { date +%s.%N; }
best() { # best wall time of RUNS runs of "$@"
    local b="" t0 t
    for _ in $(seq "$runs"); do
        t0=$(now)
        "$@"
        t=$(echo "$(now) - $t0" | bc -l)
        if [ -z "$b" ] || [ "$(echo "$t < $b" | bc -l)" = 1 ]; then b=$t; fi
    done
    echo "$b"
}
read -r addr len < <("$kdx" info --json "$work/mem.lime" | python3 -c '
import json, sys
r = max(json.load(sys.stdin)["memory"]["ranges"], key=lambda r: r["size"])
print(r["start"], r["size"])')
size=$(stat -c %s "$work/mem.lime")
cat "$work/mem.lime" > /dev/null  # warm
t_kdx=$(best "$kdx" read "$work/mem.lime" "$addr" "$len" --phys -o "$work/out")
cmp -s "$work/out" "$dumpdir/pmem.raw" || { echo "kdx read of the LiME image differs from pmem.raw" >&2; exit 1; }
t_cat=$(best sh -c "cat '$work/mem.lime' > '$work/out'")
rm -f "$work/out"
python3 - "$len" "$t_kdx" "$size" "$t_cat" <<'PY'
import sys
n, tk, s, tc = int(sys.argv[1]), float(sys.argv[2]), int(sys.argv[3]), float(sys.argv[4])
k, c = n / tk / 1e6, s / tc / 1e6
print("LiME  kdx read %d bytes: %.3f s, %.0f MB/s; cat %d bytes: %.3f s, %.0f MB/s" % (n, tk, k, s, tc, c))
print("result lime kdx/cat %.2f" % (k / c))
PY

if [ ! -x "$bench" ]; then
    echo "AVML  skipped: $bench not built (needs libkdumpfile-dev)"
    exit 0
fi
"$kdx" convert "$work/mem.avml" "$work/mem.kdump-snappy" --to kdump --compress snappy -q
"$bench" "$work/mem.kdump-snappy" "$runs" "$work/mem.avml" | grep -v '^decode'
if [ -n "${KDX_BENCH_BASELINE:-}" ]; then
    echo "baseline: $KDX_BENCH_BASELINE"
    "$KDX_BENCH_BASELINE" "$work/mem.kdump-snappy" "$runs" "$work/mem.avml" |
        grep -v '^decode' | sed 's/^result/baseline result/'
fi

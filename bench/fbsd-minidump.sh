#!/bin/bash
# Benchmark (not a test): FreeBSD minidumps, the three numbers of issue 13.
#   1. a full read of a sparse synthetic 4 GiB-RAM amd64 minidump (a
#      quarter of the pages dumped, in tmpfs): every dumped byte through
#      kdx_read_phys(), against `cat FILE > /dev/null` (best of RUNS each;
#      ratio = cat's time / kdx's time, higher is better);
#   2. opening a 1 TiB-RAM minidump (32 MiB bitmap, sparse): time and
#      peak RSS of kdx_dump_open() (the bitmap's rank index and the
#      physical map);
#   3. translations per second on the 4 GiB dump against a Linux x86_64
#      dump (LINUX_DUMP, default /work/dumps/vmcore.elf if present):
#      random mapped addresses with the caches, and walks alone.
#
# Usage: bench/fbsd-minidump.sh [LINUX_DUMP]
# Environment: KDX_BUILD (default build), KDX_BENCH_RUNS (3),
# KDX_BENCH_DIR (/dev/shm).  Needs the fbsd-bench target built.
set -euo pipefail
src=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=${KDX_BUILD:-$src/build}
runs=${KDX_BENCH_RUNS:-3}
dir=${KDX_BENCH_DIR:-/dev/shm}
linux=${1:-/work/dumps/vmcore.elf}
bench=$build/bench/fbsd/fbsd-bench
[ -x "$bench" ] || { echo "$bench: build the fbsd-bench target" >&2; exit 2; }
d4=$dir/kdx-fbsd-4g.$$
d1t=$dir/kdx-fbsd-1t.$$
trap 'rm -f "$d4" "$d1t"' EXIT

"$bench" make "$d4" 4 16 4
best() { sort -n | head -1; }
kdx_t=$(for _ in $(seq "$runs"); do "$bench" read "$d4" | sed 's/.* in \([0-9.]*\) s.*/\1/'; done | best)
cat_t=$(for _ in $(seq "$runs"); do /usr/bin/time -f %e cat "$d4" 2>&1 >/dev/null; done | best)
echo "full read: kdx ${kdx_t}s, cat ${cat_t}s, ratio $(python3 -c "print(round($cat_t / $kdx_t, 2))")x"

"$bench" make "$d1t" 1024 65536 64
for _ in $(seq "$runs"); do "$bench" open "$d1t"; done | sort -n -k2 | head -1 | sed 's/^/1 TiB index: /'

"$bench" xlat "$d4" 2000000
if [ -r "$linux" ]; then
    "$bench" xlat "$linux" 2000000
else
    echo "no Linux dump at $linux: translation ratio not measured"
fi

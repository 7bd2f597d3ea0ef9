#!/bin/bash
# Benchmark (not a test): how fast `kdx read --phys -o` copies physical
# memory out of a dump, against plain copies of the same bytes.
#
# Usage: bench/read-phys.sh DUMP [LEN]       (LEN default 256MiB)
#
# ADDR is the start of the largest physical range with data (from
# `kdx info --json`); LEN is cut to that range's size if it is smaller.
# Three copies, each best of 5, output to tmpfs (/dev/shm), the dump warm
# in the page cache:
#   kdx  kdx read DUMP ADDR LEN --phys -o OUT
#   dd   dd if=DUMP of=OUT bs=1M skip=OFF count=LEN iflag=skip_bytes,count_bytes
#        where OFF is the file offset of ADDR (from the ELF program
#        headers): the same bytes with the same 1 MiB read/write pattern.
#        This is the fair baseline and the ratio printed.
#   cat  cat DUMP > OUT for the whole file, per byte (coreutils' own
#        buffer size), for reference.
# kdx's output is compared with dd's, so both really copied the same bytes.
#
# Environment: KDX (binary; default build/kdx), KDX_BENCH_RUNS (5),
# KDX_BENCH_DIR (/dev/shm).
set -euo pipefail

src=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
kdx=${KDX:-$src/build/kdx}
runs=${KDX_BENCH_RUNS:-5}
dir=${KDX_BENCH_DIR:-/dev/shm}
if [ $# -lt 1 ] || [ $# -gt 2 ]; then echo "usage: $0 DUMP [LEN]" >&2; exit 2; fi
dump=$1
want=${2:-256MiB}
[ -x "$kdx" ] || { echo "$kdx: not built (cmake -S . -B build && cmake --build build), or set KDX=" >&2; exit 2; }
[ -r "$dump" ] || { echo "$dump: not readable" >&2; exit 2; }

# ADDR, LEN and the file offset of ADDR, computed once in Python (stdlib).
read -r addr len off < <("$kdx" info --json "$dump" | python3 -c '
import json, struct, sys
dump, want = sys.argv[1], sys.argv[2]
units = {"": 1, "k": 1 << 10, "kib": 1 << 10, "m": 1 << 20, "mib": 1 << 20,
         "g": 1 << 30, "gib": 1 << 30}
num = want.rstrip("KkMmGgiIBb")
want = int(num, 0) * units[want[len(num):].lower()]
info = json.load(sys.stdin)
ranges = [r for r in info["memory"]["ranges"] if r["kind"] == "file"]
if not ranges:
    sys.exit("no physical range with data in " + dump)
best = max(ranges, key=lambda r: r["size"])
addr, length = best["start"], min(want, best["size"])
off = 0
with open(dump, "rb") as f:
    h = f.read(64)
    if h[:4] == b"\x7fELF":
        e = "<" if h[5] == 1 else ">"
        if h[4] == 2:
            phoff, = struct.unpack_from(e + "Q", h, 32)
            phnum, = struct.unpack_from(e + "H", h, 56)
            fmt, size = e + "IIQQQQQQ", 56
        else:
            phoff, = struct.unpack_from(e + "I", h, 28)
            phnum, = struct.unpack_from(e + "H", h, 44)
            fmt, size = e + "IIIIIIII", 32
        f.seek(phoff)
        table = f.read(phnum * size)
        for i in range(phnum):
            p = struct.unpack_from(fmt, table, i * size)
            if h[4] == 2:
                typ, _, poff, _, paddr, filesz = p[:6]
            else:
                typ, poff, _, paddr, filesz = p[:5]
            if typ == 1 and paddr <= addr < paddr + filesz:
                off = poff + (addr - paddr)
                break
print(addr, length, off)
' "$dump" "$want")

work=$(mktemp -d "$dir/kdx-bench.XXXXXX")
trap 'rm -rf "$work"' EXIT
echo "dump:  $dump ($(stat -c %s "$dump") bytes)"
echo "read:  $len bytes at physical 0x$(printf %x "$addr") (file offset 0x$(printf %x "$off"))"
echo "kdx:   $kdx ($("$kdx" --version))"
echo "out:   $work, best of $runs"

cat "$dump" >/dev/null # warm the page cache

now() { date +%s%N; }
# best_of NAME BYTES CMD...: run CMD $runs times, print the best MB/s.
best_of() {
    local name=$1 bytes=$2 best=0 t0 t1 ns
    shift 2
    for _ in $(seq "$runs"); do
        rm -f "$work/out"
        t0=$(now)
        "$@"
        t1=$(now)
        ns=$((t1 - t0))
        if [ "$best" = 0 ] || [ "$ns" -lt "$best" ]; then best=$ns; fi
    done
    python3 -c 'import sys; n,b,ns=sys.argv[1],int(sys.argv[2]),int(sys.argv[3]); print("%-4s %9.1f MB/s  (%.3f s for %d bytes)" % (n, b / ns * 1e3, ns / 1e9, b))' "$name" "$bytes" "$best"
}
run_kdx() { "$kdx" read "$dump" "$addr" "$len" --phys -o "$work/out"; }
run_dd() { dd if="$dump" of="$work/out" bs=1M skip="$off" count="$len" iflag=skip_bytes,count_bytes status=none; }
run_cat() { cat "$dump" >"$work/out"; }

run_kdx
mv "$work/out" "$work/kdx.out"
run_dd
cmp "$work/out" "$work/kdx.out" || { echo "kdx and dd copied different bytes" >&2; exit 1; }
rm -f "$work/kdx.out"

r_kdx=$(best_of kdx "$len" run_kdx)
r_dd=$(best_of dd "$len" run_dd)
r_cat=$(best_of cat "$(stat -c %s "$dump")" run_cat)
printf '%s\n%s\n%s\n' "$r_kdx" "$r_dd" "$r_cat"
python3 -c '
import sys
k, d, c = (float(s.split()[1]) for s in sys.argv[1:])
print("ratio kdx/dd  %.2f" % (k / d))
print("ratio kdx/cat %.2f" % (k / c))
' "$r_kdx" "$r_dd" "$r_cat"

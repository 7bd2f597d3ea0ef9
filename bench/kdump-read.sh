#!/bin/bash
# Benchmark (not a test): read every page of kdump-compressed dumps with kdx,
# libkdumpfile and makedumpfile, same dumps, same run; print ratios.
#
# Usage: bench/kdump-read.sh DUMPDIR
#   DUMPDIR as make-qemu-dumps.sh writes it: vmcore.elf, vmcore.kdump-zlib
#
# The dumps (in a scratch directory, tmpfs when it has room):
#   qemu-zlib    QEMU's kdump-zlib, rearranged with makedumpfile -R
#   mdf-zlib     makedumpfile -c -d 0 of `kdx convert --to elf` of QEMU's
#   mdf-lzo      makedumpfile -l -d 0 of the same (makedumpfile 1.7.2
#                refuses QEMU 7.2's ELF itself)
#   kdx-snappy   kdx convert --to kdump --compress snappy (makedumpfile
#   kdx-zstd     --compress zstd                           has neither)
# For each, bench/kdump/kdump-read-bench reads every dumped page with kdx
# and with libkdumpfile's C API in one process (best of RUNS, thread CPU
# time: the machine is shared) and checks every page is the same, then
# times libdeflate against zlib inflate on the zlib pages alone.
# makedumpfile cannot just read pages; its nearest operation is
# re-filtering a kdump file into an uncompressed one (`makedumpfile -d 0
# IN OUT`: every page decompressed and written), timed (user+sys CPU)
# against the same operation in kdx (`kdx convert IN OUT --to kdump
# --compress none --threads 1`), both writing to the scratch directory.
#
# Environment: KDX (default build/kdx), KDX_BENCH_READ (default
# build/bench/kdump/kdump-read-bench), KDX_BENCH_RUNS (3), KDX_BENCH_DIR
# (default /dev/shm if it has 3 GiB free, else /tmp).
set -euo pipefail

src=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
kdx=${KDX:-$src/build/kdx}
bench=${KDX_BENCH_READ:-$src/build/bench/kdump/kdump-read-bench}
runs=${KDX_BENCH_RUNS:-3}
if [ $# -ne 1 ]; then echo "usage: $0 DUMPDIR" >&2; exit 2; fi
dumpdir=$1
for f in "$dumpdir/vmcore.elf" "$dumpdir/vmcore.kdump-zlib"; do
    [ -r "$f" ] || { echo "$f: not readable (run tests/real/make-qemu-dumps.sh)" >&2; exit 2; }
done
[ -x "$kdx" ] || { echo "$kdx: not built, or set KDX=" >&2; exit 2; }
[ -x "$bench" ] || { echo "$bench: not built (needs libkdumpfile-dev), or set KDX_BENCH_READ=" >&2; exit 2; }
command -v makedumpfile >/dev/null || { echo "makedumpfile: not installed" >&2; exit 2; }

base=${KDX_BENCH_DIR:-}
if [ -z "$base" ]; then
    base=/tmp
    free=$(df -k --output=avail /dev/shm 2>/dev/null | tail -n1 || echo 0)
    [ "${free:-0}" -gt $((3 << 20)) ] && base=/dev/shm
fi
work=$(mktemp -d "$base/kdx-bench-kdump.XXXXXX")
trap 'rm -rf "$work"' EXIT

# CPU seconds (user+sys) of a command, its output discarded.
cpu_of() {
    local TIMEFORMAT='%U %S' t
    t=$( { time "$@" >/dev/null 2>&1; } 2>&1 ) || { echo "failed: $*" >&2; return 1; }
    awk '{ printf "%.3f", $1 + $2 }' <<<"$t"
}

echo "preparing dumps in $work"
makedumpfile -R "$work/qemu-zlib" < "$dumpdir/vmcore.kdump-zlib" >/dev/null 2>&1
"$kdx" convert -q "$dumpdir/vmcore.elf" "$work/input.elf" --to elf
makedumpfile -c -d 0 "$work/input.elf" "$work/mdf-zlib" >/dev/null 2>&1
makedumpfile -l -d 0 "$work/input.elf" "$work/mdf-lzo" >/dev/null 2>&1
rm -f "$work/input.elf"
"$kdx" convert -q "$dumpdir/vmcore.elf" "$work/kdx-snappy" --to kdump --compress snappy
"$kdx" convert -q "$dumpdir/vmcore.elf" "$work/kdx-zstd" --to kdump --compress zstd

summary=()
for d in qemu-zlib mdf-zlib mdf-lzo kdx-snappy kdx-zstd; do
    echo
    out=$("$bench" "$work/$d" "$runs")
    echo "$out"
    read_line=$(grep '^result read' <<<"$out")
    ratio=$(awk '{ print $4 }' <<<"$read_line")
    kcpu=$(awk '{ print $9 }' <<<"$read_line")
    mb=$(awk '{ print $13 }' <<<"$read_line")
    line=$(printf '%-11s kdx %6.0f MB/s  libkdumpfile x%s slower' "$d" \
           "$(awk -v m="$mb" -v c="$kcpu" 'BEGIN { print m / c }')" "$ratio")
    dec=$(grep '^result decode' <<<"$out" || true)
    [ -n "$dec" ] && line+=$(awk '{ printf "  libdeflate x%s inflate", $4 }' <<<"$dec")
    case $d in
    mdf-*)
        # The same work in both: decompress every page, write it plain.
        best_m='' best_k=''
        for _ in $(seq "$runs"); do
            rm -f "$work/out"
            m=$(cpu_of makedumpfile -d 0 "$work/$d" "$work/out")
            rm -f "$work/out"
            k=$(cpu_of "$kdx" convert -q "$work/$d" "$work/out" --to kdump --compress none --threads 1)
            rm -f "$work/out"
            best_m=$(awk -v a="$m" -v b="${best_m:-1e9}" 'BEGIN { print (a < b) ? a : b }')
            best_k=$(awk -v a="$k" -v b="${best_k:-1e9}" 'BEGIN { print (a < b) ? a : b }')
        done
        echo "re-filter to uncompressed: makedumpfile -d 0 ${best_m}s CPU, kdx convert --compress none --threads 1 ${best_k}s CPU"
        line+=$(awk -v m="$best_m" -v k="$best_k" 'BEGIN { printf "  re-filter: makedumpfile x%.2f slower", m / k }')
        ;;
    esac
    summary+=("$line")
done
rm -f "$work/qemu-zlib.R"
echo
echo "summary (ratios: the other tool's CPU time / kdx's, best of $runs):"
printf '  %s\n' "${summary[@]}"

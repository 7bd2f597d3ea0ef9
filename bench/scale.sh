#!/bin/bash
# Benchmark (not a test): what opening the dump of a very large host costs.
#
# Usage: bench/scale.sh [TIB...]        (default: 1 12 64)
#
# For each size, build/tests/mkscale writes a kdump-compressed file whose
# bitmaps describe TIB TiB of 4 KiB pages (a sparse file: six dumped pages,
# the rest holes; KDX_SCALE_PRESENT=1 marks every page present, i.e.
# excluded, which writes TIB * 32 MiB of bitmap; KDX_SCALE_STRIPES=N marks
# N pages present and N not, alternately: TIB * 2^28 / N runs in the map,
# what a finely filtered dump costs), then an ELF core with
# KDX_SCALE_LOADS (default 1000000) one-page PT_LOADs.  For each dump:
#   info   `kdx info DUMP`: wall time and maximum RSS (/usr/bin/time -v)
#   read   `kdx read DUMP ADDR 4096 --phys` of the last dumped page, the
#          same (open included) and the read alone: the difference
# The files are written to KDX_BENCH_DIR (default /tmp) and removed.
# Environment: KDX (default build/kdx), MKSCALE (build/tests/mkscale).
set -euo pipefail

src=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
kdx=${KDX:-$src/build/kdx}
mkscale=${MKSCALE:-$src/build/tests/mkscale}
loads=${KDX_SCALE_LOADS:-1000000}
present=
[ "${KDX_SCALE_PRESENT:-0}" = 1 ] && present=--present
[ -n "${KDX_SCALE_STRIPES:-}" ] && present="--stripes $KDX_SCALE_STRIPES"
sizes=("$@")
[ ${#sizes[@]} -gt 0 ] || sizes=(1 12 64)
for t in "$kdx" "$mkscale" /usr/bin/time; do
    [ -x "$t" ] || { echo "$t: not found (build first, or set KDX=/MKSCALE=)" >&2; exit 2; }
done
work=$(mktemp -d "${KDX_BENCH_DIR:-/tmp}/kdx-bench-scale.XXXXXX")
trap 'rm -rf "$work"' EXIT

# "SECONDS RSS_MIB" of a command, its output discarded; fails with it.
measure() {
    local log=$work/time.log
    /usr/bin/time -v "$@" >/dev/null 2>"$log" || { cat "$log" >&2; return 1; }
    awk -F': ' '
        /Elapsed \(wall clock\)/ { n = split($2, p, ":"); s = 0
                                   for (i = 1; i <= n; i++) s = s * 60 + p[i] }
        /Maximum resident set size/ { rss = $2 / 1024 }
        END { printf "%.3f s %6.1f MiB", s, rss }' "$log"
}

run() { # NAME DUMP LAST_ADDR
    local name=$1 dump=$2 addr=$3 info read
    info=$(measure "$kdx" info "$dump")
    read=$(measure "$kdx" read "$dump" "$addr" 4096 --phys -o "$work/page")
    printf '%-18s info %s   read (open+1 page) %s\n' "$name" "$info" "$read"
}

for t in "${sizes[@]}"; do
    f=$work/host-${t}T.kdump
    # shellcheck disable=SC2086 # $present is zero, one or two words
    last=$("$mkscale" kdump "$f" "$t" $present | tail -n1)
    run "kdump ${t} TiB" "$f" "$(printf '0x%x' $((last * 4096)))"
    rm -f "$f"
done
f=$work/loads.elf
last=$("$mkscale" elf "$f" "$loads" | tail -n1)
run "ELF ${loads} LOADs" "$f" "$(printf '0x%x' $((last * 4096)))"

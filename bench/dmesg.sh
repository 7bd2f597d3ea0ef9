#!/bin/bash
# Benchmark (not a test): `kdx dmesg` against `makedumpfile --dump-dmesg`
# on the same dumps, in the same run.
#
# Usage: bench/dmesg.sh DUMPDIR...
#   Each DUMPDIR holds a QEMU flattened kdump (vmcore.kdump-*) and usually
#   vmcore.elf: a normal guest from tests/real/make-qemu-dumps.sh, and the
#   flooded log_buf_len=64M guest from tests/real/make-dmesg-dumps.sh
#   (flood64/).
#
# makedumpfile 1.7.2 reads neither QEMU 7.2's ELF nor its flattened kdump
# as they are (see tests/real/check-dmesg.sh), so both tools read the same
# plain kdump file: `makedumpfile -R` of the flattened one, with the
# kernel's NUMBER(phys_base) written into the sub-header.  kdx on
# vmcore.elf is shown for reference.  Output goes to tmpfs, inputs warm in
# the page cache; each time is the best of KDX_BENCH_RUNS (5).  The
# outputs are compared, so both really printed the same log.
#
# Environment: KDX (binary; default build/kdx), KDX_BENCH_RUNS (5),
# KDX_BENCH_DIR (/dev/shm).
set -euo pipefail

src=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
kdx=${KDX:-$src/build/kdx}
runs=${KDX_BENCH_RUNS:-5}
dir=${KDX_BENCH_DIR:-/dev/shm}
[ $# -ge 1 ] || { echo "usage: $0 DUMPDIR..." >&2; exit 2; }
[ -x "$kdx" ] || { echo "$kdx: not built, or set KDX=" >&2; exit 2; }
command -v makedumpfile >/dev/null || { echo "makedumpfile not installed" >&2; exit 2; }
work=$(mktemp -d "$dir/kdx-bench-dmesg.XXXXXX")
trap 'rm -rf "$work"' EXIT

# best_of CMD...: the fastest of $runs runs, in seconds.
best_of() {
    local best= t0 t1 t
    for _ in $(seq "$runs"); do
        t0=$(date +%s.%N)
        "$@" >/dev/null 2>&1
        t1=$(date +%s.%N)
        t=$(echo "$t1 - $t0" | bc -l)
        if [ -z "$best" ] || [ "$(echo "$t < $best" | bc -l)" = 1 ]; then best=$t; fi
    done
    printf '%.4f' "$best"
}

mdf() { rm -f "$work/mdf.txt"; makedumpfile --dump-dmesg "$1" "$work/mdf.txt"; }
kdx_dmesg() { "$kdx" dmesg "$1" > "$work/kdx.txt"; }

printf '%-10s %-22s %10s %10s %10s %8s\n' dump records "mdf s" "kdx s" "kdx-elf s" "mdf/kdx"
for d in "$@"; do
    flat=$(ls "$d"/vmcore.kdump-* | head -1)
    plain=$work/plain.kdump
    rm -f "$plain"
    makedumpfile -R "$plain" < "$flat" >/dev/null
    pb=$(grep -a -o -m1 'NUMBER(phys_base)=-\?[0-9]*' "$plain" | head -1 | cut -d= -f2)
    python3 - "$plain" "$pb" <<'EOF'
import struct, sys
with open(sys.argv[1], "r+b") as f:
    block_size, = struct.unpack_from("<i", f.read(432), 428)
    f.seek(block_size)
    f.write(struct.pack("<q", int(sys.argv[2])))
EOF
    mdf "$plain" >/dev/null 2>&1
    kdx_dmesg "$plain"
    sed -i 's/\\xffffff\([0-9a-f][0-9a-f]\)/\\x\1/g' "$work/mdf.txt"
    if ! cmp -s "$work/kdx.txt" "$work/mdf.txt"; then
        echo "$d: outputs differ; not timing" >&2
        continue
    fi
    n=$(wc -l < "$work/kdx.txt")
    t_mdf=$(best_of mdf "$plain")
    t_kdx=$(best_of kdx_dmesg "$plain")
    t_elf=-
    [ -f "$d/vmcore.elf" ] && t_elf=$(best_of kdx_dmesg "$d/vmcore.elf")
    printf '%-10s %-22s %10s %10s %10s %7.1fx\n' "$(basename "$d")" "$n lines" \
        "$t_mdf" "$t_kdx" "$t_elf" "$(echo "$t_mdf / $t_kdx" | bc -l)"
done

#!/bin/bash
# Check the kdx CLI against the real QEMU dumps made by make-qemu-dumps.sh.
#
# Usage: check-real-dumps.sh OUTDIR KDX_BINARY
#
# Checks `kdx info --json` (OSRELEASE, cpus, arch, memory map vs. the ELF
# program headers, segments_have_virtual) and `kdx read --phys` of seeded
# random/boundary/hole ranges against the pmemsave copy of guest RAM, then
# reads all RAM and greps for the marker.  Prints "N passed, N failed" and
# exits non-zero on any failure.  Environment: KDX_CHECK_SEED,
# KDX_CHECK_RANGES, KDX_CHECK_VERBOSE=1 (see check_real_dumps.py).
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
if [ $# -ne 2 ]; then
    echo "usage: $0 OUTDIR KDX_BINARY" >&2
    exit 2
fi
outdir=$1 kdx=$2
for f in manifest.env vmcore.elf vmcore-paging.elf pmem.raw; do
    [ -f "$outdir/$f" ] || { echo "FAIL: $outdir/$f missing (run make-qemu-dumps.sh first)"; echo "0 passed, 1 failed"; exit 1; }
done
[ -x "$kdx" ] || { echo "FAIL: kdx binary $kdx not found or not executable"; echo "0 passed, 1 failed"; exit 1; }
py=python3
[ -x /usr/bin/python3 ] && py=/usr/bin/python3
exec "$py" "$here/check_real_dumps.py" "$outdir" "$kdx"

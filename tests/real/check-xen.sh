#!/bin/bash
# Check the real Xen dumps of make-xen-dumps.sh (a PV domU's xl dump-core,
# live and paused, its xl save image, xen-mfndump's p2m, a QEMU dump of the
# whole machine) against each other, and kdx on them (check_xen.py says
# what each check compares).
#
# Usage: check-xen.sh DUMPDIR KDX_BINARY [oracle|kdx|all]
#   oracle  only the checks of the dumps themselves (no kdx)
#   kdx     the dumps' structure (what the kdx checks need) and kdx on them
#   all     both (default)
# Prints "N passed, N failed"; exits non-zero on any failure.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
if [ $# -lt 2 ] || [ $# -gt 3 ]; then
    echo "usage: $0 DUMPDIR KDX_BINARY [oracle|kdx|all]" >&2
    exit 2
fi
dumpdir=$1 kdx=$2 what=${3:-all}
[ -f "$dumpdir/manifest.env" ] || {
    echo "FAIL: $dumpdir/manifest.env missing (make the dumps with tests/real/make-xen-dumps.sh $dumpdir)"
    echo "0 passed, 1 failed"; exit 1; }
[ -x "$kdx" ] || { echo "FAIL: kdx binary $kdx not executable"; echo "0 passed, 1 failed"; exit 1; }
for tool in readelf file; do
    command -v $tool >/dev/null || { echo "FAIL: $tool missing (binutils, file)"; echo "0 passed, 1 failed"; exit 1; }
done
py=python3
[ -x /usr/bin/python3 ] && py=/usr/bin/python3
exec "$py" "$here/check_xen.py" "$dumpdir" "$kdx" "$what"

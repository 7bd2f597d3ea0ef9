#!/bin/bash
# Benchmark (not a test): kdx on a Xen PV guest's xc_core.
#
# Usage: bench/xen.sh XC_CORE NATIVE_DUMP [N]
#   XC_CORE      a PV domU's `xl dump-core` (make-xen-dumps.sh's
#                domu-paused.core)
#   NATIVE_DUMP  an x86_64 Linux dump of QEMU's (make-qemu-dumps.sh's
#                vmcore.elf): the native rate PV translation is held to
#
# Prints, from one run of bench/xen/xen-bench (its header says how each
# number is measured):
#   - the m2p index build time (kdx_p2m_build() alone) and the whole open;
#   - PV translation against libkdumpfile on the same xc_core (with the
#     options it needs forced: addrxlat.ostype=linux, the root page table
#     as a machine address, Xen translation on);
#   - PV translation against native, like with like (4 KiB pages, the same
#     number of 2 MiB blocks and of distinct pages; target: PV within 1.5x
#     of native's time), and over all leaves for reference;
#   - a full read of the guest's memory against read(2) of the file;
# then kdx read --phys of the whole guest against cat of the whole file
# (CPU time, best of KDX_BENCH_RUNS, default 5; target: kdx >= 0.8x cat's
# rate), the file warm in the page cache for both: the whole command,
# process start and open (the m2p index, the VMCOREINFO scan) included.  KDX_BENCH_CALLGRIND=1 adds the
# instructions and branch mispredicts per translation of the PV and native
# loops (valgrind --tool=callgrind, 100000 addresses, 6 passes).
#
# Environment: KDX (default build/kdx), XEN_BENCH (build/bench/xen/xen-bench).
set -euo pipefail

src=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
kdx=${KDX:-$src/build/kdx}
bench=${XEN_BENCH:-$src/build/bench/xen/xen-bench}
runs=${KDX_BENCH_RUNS:-5}
if [ $# -lt 2 ] || [ $# -gt 3 ]; then echo "usage: $0 XC_CORE NATIVE_DUMP [N]" >&2; exit 2; fi
core=$1 native=$2 n=${3:-400000}
for b in "$kdx" "$bench"; do
    [ -x "$b" ] || { echo "$b: not built (needs libkdumpfile-dev; cmake --build build)" >&2; exit 2; }
done

"$bench" "$core" "$native" "$n"

# kdx read --phys of every pfn the guest has, against cat of the file.
pages=$("$kdx" info --json "$core" | python3 -c '
import json, sys
r = json.load(sys.stdin)["memory"]["ranges"]
print(sum(x["size"] for x in r) // 4096)')
# best SECONDS of $runs runs of "$@": the CPU time (user + system) the
# command used, which a machine busy with other work does not inflate as
# it does wall-clock time.
best() {
    python3 - "$runs" "$@" <<'PY'
import resource, subprocess, sys
runs, cmd = int(sys.argv[1]), sys.argv[2:]
best = None
for _ in range(runs):
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    subprocess.run(cmd, stdout=subprocess.DEVNULL, check=True)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    t = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    best = t if best is None else min(best, t)
print(best)
PY
}
cat "$core" > /dev/null
size=$(stat -c %s "$core")
t_cat=$(best cat "$core")
t_kdx=$(best "$kdx" read --phys "$core" 0 $((pages * 4096)) -o -)
awk -v tc="$t_cat" -v tk="$t_kdx" -v s="$size" -v p="$pages" 'BEGIN {
    rc = s / tc / 1e6; rk = p * 4096 / tk / 1e6
    printf "kdx read --phys (%d pages) %.0f MB/s; cat of the file %.0f MB/s; kdx/cat %.2fx (target >= 0.8x)\n", p, rk, rc, rk / rc }'

if [ "${KDX_BENCH_CALLGRIND:-0}" = 1 ]; then
    for w in pv native; do
        out=$(mktemp)
        valgrind --tool=callgrind --branch-sim=yes --toggle-collect=run_kdx \
            --callgrind-out-file="$out" "$bench" --only "$w" "$core" "$native" 100000 2>&1 |
            sed -n 's/.*Collected : \([0-9]*\) \([0-9]*\) \([0-9]*\) .*/\1 \2 \3/p' |
            awk -v w="$w" '{ printf "callgrind %-6s: %d instructions, %.1f per translation; %d branch mispredicts, %.2f per translation\n", w, $1, $1 / 600000, $3, $3 / 600000 }'
        rm -f "$out"
    done
fi

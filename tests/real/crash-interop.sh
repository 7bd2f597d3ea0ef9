#!/bin/bash
# crash (the Red Hat/Debian `crash` utility) on the dumps kdx writes: our
# physical ELF, our kdump-compressed file and our paging ELF of the real
# dump vmcore.elf, each opened with Debian's debug vmlinux and asked for
# `sys`, `log | tail` and `bt`.  RELEASE must be the dump's OSRELEASE, the
# log's tail must be `kdx dmesg`'s tail of the source, and bt must show a
# backtrace.  Run by hand (not in CI: it needs the ~1 GiB debug package).
# (crash on a Xen PV guest's `kdx convert --machine` output is checked in
# check-xen-pv.sh, when KDX_VMLINUX or the debug package is there.)
#
# Usage: crash-interop.sh DUMPDIR KDX_BINARY [VMLINUX]
#   VMLINUX defaults to /usr/lib/debug/boot/vmlinux-OSRELEASE, from
#   `apt-get install linux-image-OSRELEASE-dbg` (OSRELEASE from the dump).
# Prints a summary of each session and "N passed, N failed".
set -uo pipefail
if [ $# -lt 2 ] || [ $# -gt 3 ]; then
    echo "usage: $0 DUMPDIR KDX_BINARY [VMLINUX]" >&2
    exit 2
fi
dumpdir=$1 kdx=$2
src=$dumpdir/vmcore.elf
passed=0 failed=0
pass() { echo "PASS: $*"; passed=$((passed + 1)); }
fail() { echo "FAIL: $*"; failed=$((failed + 1)); }
finish() {
    echo "$passed passed, $failed failed"
    [ "$failed" -eq 0 ]
    exit $?
}

command -v crash >/dev/null || { fail "crash is not installed (apt-get install crash)"; finish; }
release=$("$kdx" info --json "$src" | python3 -c 'import json, sys; print(json.load(sys.stdin)["vmcoreinfo"]["OSRELEASE"])') ||
    { fail "kdx info $src"; finish; }
vmlinux=${3:-/usr/lib/debug/boot/vmlinux-$release}
if [ ! -f "$vmlinux" ]; then
    fail "no debug vmlinux at $vmlinux: apt-get install linux-image-$release-dbg"
    finish
fi
echo "crash $(crash --version 2>/dev/null | sed -n 's/^crash \([0-9.]*\).*/\1/p' | head -1), $vmlinux"

work=$(mktemp -d "${TMPDIR:-/tmp}/kdx-crash-XXXXXX")
trap 'rm -rf "$work"' EXIT
"$kdx" dmesg "$src" | tail -5 >"$work/kdx-tail.txt"
"$kdx" convert -q "$src" "$work/phys.elf" --to elf &&
    "$kdx" convert -q "$src" "$work/dump.kdump" --to kdump &&
    "$kdx" convert -q "$src" "$work/paging.elf" --to elf --paging ||
    { fail "kdx convert"; finish; }

for out in phys.elf dump.kdump paging.elf; do
    printf 'sys\nlog | tail -5\nbt\nquit\n' |
        timeout 600 crash -s "$vmlinux" "$work/$out" >"$work/$out.txt" 2>&1
    rc=$?
    echo "---- crash $out (exit $rc) ----"
    grep -E '^ +(DUMPFILE|CPUS|RELEASE|MEMORY|PANIC|TASKS):' "$work/$out.txt"
    grep -E '^PID:| #[0-9]+ ' "$work/$out.txt" | head -4
    [ "$rc" -eq 0 ] && pass "crash exits 0 on $out" || fail "crash on $out: exit $rc: $(head -5 "$work/$out.txt")"
    grep -qE "^ +RELEASE: $release\$" "$work/$out.txt" &&
        pass "sys on $out: RELEASE $release" || fail "sys on $out: no RELEASE $release"
    grep -E '^\[ *[0-9]+\.[0-9]+\]' "$work/$out.txt" | tail -5 >"$work/$out.log"
    if [ -s "$work/$out.log" ] && cmp -s "$work/$out.log" "$work/kdx-tail.txt"; then
        pass "log | tail on $out equals kdx dmesg | tail of the source"
    else
        fail "log | tail on $out:"; diff "$work/$out.log" "$work/kdx-tail.txt" | head -8
    fi
    grep -q '^PID: ' "$work/$out.txt" && grep -qE '^ #0 ' "$work/$out.txt" &&
        pass "bt on $out: a backtrace" || fail "bt on $out: no backtrace"
done
finish

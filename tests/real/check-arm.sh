#!/bin/bash
# Check kdx on the dumps make-arm-dumps.sh wrote (DUMPDIR/{arm64,armmp,
# armmp-lpae}).  No other tool here reads these dumps (libkdumpfile 0.5.1
# cannot translate 32-bit ARM; crash and makedumpfile on Debian are
# x86_64-only), so every check is independent of kdx's own walk:
# - the root kdx derives from VMCOREINFO equals the live TTBR1 that QEMU's
#   gdb stub reported (LPAE: TTBR1 = swapper_pg_dir + 0x4000, level 2);
# - kdx maps rooted at the live TTBR1 covers the kernel text (_stext from
#   the guest's /proc/kallsyms), the linear map and the vmalloc area;
# - bytes the gdb stub read at kernel virtual addresses (QEMU's own MMU
#   translating) equal kdx read at the same addresses;
# - the marker the guest's init wrote (found in the dump's physical
#   memory) reads back through its linear-map virtual address, with the
#   kernel's own formula va = pa - PHYS_OFFSET + PAGE_OFFSET;
# - armmp dumps (no VMCOREINFO note) get VMCOREINFO from physical memory.
# Usage: check-arm.sh DUMPDIR KDX     prints "N passed, N failed"
set -uo pipefail
[ $# -eq 2 ] || { echo "usage: $0 DUMPDIR KDX" >&2; exit 2; }
dir=$1 kdx=$2
pass=0 fail=0
ok() { echo "ok   - $*"; pass=$((pass + 1)); }
bad() { echo "FAIL - $*"; fail=$((fail + 1)); }
check() { local what=$1; shift; if "$@"; then ok "$what"; else bad "$what"; fi; }

for t in arm64 armmp armmp-lpae; do
    d=$dir/$t
    [ -f "$d/vmcore.elf" ] || { echo "skip - $t: no dump"; continue; }
    # shellcheck disable=SC1091
    . "$d/manifest.env"
    core=$d/vmcore.elf
    info=$("$kdx" info "$core" --json 2>/dev/null)
    field() { python3 -c 'import json,sys; d=json.load(sys.stdin); t=d["translation"]; v=t.get(sys.argv[1]); print("" if v is None else v)' "$1" <<<"$info"; }
    mode=$(field mode) root=$(field root) pbase=$(field phys_base) poff=$(field page_offset)
    case $t in
        arm64) want=aarch64; va=(); ttbr1=$(( TTBR1 & 0x0000fffffffffffe )); live_root=$TTBR1 ;;
        armmp) want=arm; va=(); ttbr1=$(( TTBR1 & 0xffffc000 )); live_root=$TTBR1 ;;
        armmp-lpae) want=arm-lpae; va=(--va-bits 30); ttbr1=$(( (TTBR1 & 0xfffffff000) - 0x4000 )); live_root=$(( TTBR1 & 0xffffffffff )) ;;
    esac
    check "$t: mode $want (got $mode)" [ "$mode" = "$want" ]
    check "$t: root from VMCOREINFO ($root) matches live TTBR1 $TTBR1" [ "$root" = "$ttbr1" ]
    if [ "$t" != arm64 ]; then
        check "$t: VMCOREINFO found in physical memory" \
            grep -q 'found in physical memory' <("$kdx" info "$core" 2>/dev/null)
    fi
    mapsf=$(mktemp); trap 'rm -f "$mapsf"' EXIT
    "$kdx" maps "$core" --root "$live_root" "${va[@]}" > "$mapsf" 2>/dev/null
    stext=$(grep -a -m1 'kdx-sym: _stext ' "$d/console.log" | awk '{print $3}' | tr -d '\r')
    covers() {  # $1 = address (hex, no 0x)
        python3 - "$1" "$mapsf" <<'PY'
import sys
a = int(sys.argv[1], 16)
for l in open(sys.argv[2]):
    if l.startswith("#") or "-" not in l: continue
    lo, hi = l.split()[0].split("-")
    if int(lo, 16) <= a <= int(hi, 16): sys.exit(0)
sys.exit(1)
PY
    }
    in_range() {  # $1 $2: any mapping inside [lo, hi)
        python3 - "$1" "$2" "$mapsf" <<'PY'
import sys
lo, hi = int(sys.argv[1], 16), int(sys.argv[2], 16)
for l in open(sys.argv[3]):
    if l.startswith("#") or "-" not in l: continue
    a = int(l.split()[0].split("-")[0], 16)
    if lo <= a < hi: sys.exit(0)
sys.exit(1)
PY
    }
    check "$t: maps at live TTBR1 cover _stext $stext" covers "$stext"
    if [ "$t" = arm64 ]; then
        vs=$(grep -a -o 'NUMBER(VMALLOC_START)=0x[0-9a-f]*' "$core" | head -1 | cut -d= -f2)
        ve=$(grep -a -o 'NUMBER(VMALLOC_END)=0x[0-9a-f]*' "$core" | head -1 | cut -d= -f2)
        check "$t: maps cover the linear map (from $(printf '%x' "$poff"))" in_range "$(printf '%x' "$poff")" ffff800000000000
        check "$t: maps cover vmalloc [$vs, $ve)" in_range "${vs#0x}" "${ve#0x}"
    else
        check "$t: maps cover the linear map (lowmem at 0xc0000000)" covers c0008000
        check "$t: maps cover vmalloc [0xe0800000, 0xff800000)" in_range e0800000 ff800000
    fi
    # gdb stub reads vs kdx read; an address that kdx translates to
    # physical memory outside the dump (ioremap'ed device registers, which
    # gdb reads live) is counted apart, not compared
    n=0 m=0 io=0
    while read -r a hex; do
        len=$(( ${#hex} / 2 ))
        err=$("$kdx" read "$core" "$a" "$len" 2>&1 >/dev/null)
        case $err in *'is not in the dump'*) io=$((io + 1)); continue ;; esac
        got=$("$kdx" read "$core" "$a" "$len" -o - 2>/dev/null | od -An -v -tx1 | tr -d ' \n')
        n=$((n + 1)); [ "$got" = "$hex" ] && m=$((m + 1))
    done < "$d/gdb-reads.txt"
    check "$t: $m of $n gdb-stub reads equal kdx read ($io more in device memory)" \
        [ "$n" -gt 0 -a "$m" = "$n" ]
    # the marker through its linear-map address
    pa=$(python3 - "$core" "$MARKER" <<'PY'
import struct, sys
f = open(sys.argv[1], "rb").read()
cls = f[4]; end = "<" if f[5] == 1 else ">"
if cls == 2:
    phoff, = struct.unpack_from(end + "Q", f, 32); phnum, = struct.unpack_from(end + "H", f, 56); sz = 56
else:
    phoff, = struct.unpack_from(end + "I", f, 28); phnum, = struct.unpack_from(end + "H", f, 44); sz = 32
pos = f.find(sys.argv[2].encode() + b"\n")
for i in range(phnum):
    o = phoff + i * sz
    if cls == 2:
        typ, _, off, va, pa, fs = struct.unpack_from(end + "IIQQQQ", f, o)
    else:
        typ, off, va, pa, fs = struct.unpack_from(end + "IIIII", f, o)
    if typ == 1 and off <= pos < off + fs:
        print(hex(pa + pos - off)); break
PY
)
    if [ -n "$pa" ]; then
        mva=$(( pa - pbase + poff ))
        got=$("$kdx" read "$core" "$(printf '0x%x' "$mva")" "${#MARKER}" -o - 2>/dev/null)
        check "$t: marker at physical $pa reads back at $(printf '0x%x' "$mva")" [ "$got" = "$MARKER" ]
    else
        bad "$t: marker not found in the dump"
    fi
    check "$t: vtop _stext" "$kdx" vtop "$core" "0x$stext" >/dev/null 2>&1
done
echo "$pass passed, $fail failed"
[ "$fail" = 0 ]

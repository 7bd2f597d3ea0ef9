#!/bin/bash
# LiME and AVML images of the real guest's memory: pmem.raw and the other
# pmemsave files of make-qemu-dumps.sh, written as LiME and as AVML would
# (tests/helpers/mklime-image.c: one LiME range per file; AVML's 16 MiB
# snappy-framed ranges, all-zero ones left out).  Not an acquisition by
# LiME itself (see docs/memory-images.md), but the kernel's real memory
# in both layouts.
#
# Usage: check-lime.sh DUMPDIR KDX      (KDX_MKLIME: the mklime tool)
# Checks, with no option given to kdx: detection, arch x86_64 and the
# kernel named from VMCOREINFO found in memory, every byte of every range
# equal to the pmemsave files, `kdx dmesg` equal to that of vmcore.elf,
# SYMBOL(init_uts_ns) reads "Linux", the marker at its virtual address;
# `kdx convert` to kdump and ELF reopens with every byte the same, and
# makedumpfile --dump-dmesg reads the log from both (round-trip.sh).
# Prints one line per check and "N passed, N failed".
set -u
dir=$1
kdx=$2
mklime=${KDX_MKLIME:-$(dirname "$kdx")/tests/mklime}
pass=0 fail=0
ok() { echo "PASS: $*"; pass=$((pass + 1)); }
bad() { echo "FAIL: $*"; fail=$((fail + 1)); }
check() { local what=$1; shift; if "$@"; then ok "$what"; else bad "$what"; fi; }
# shellcheck source=round-trip.sh
. "$(dirname "${BASH_SOURCE[0]}")/round-trip.sh"

[ -x "$mklime" ] || { echo "FAIL: $mklime not built"; echo "0 passed, 1 failed"; exit 1; }
# shellcheck disable=SC1091
. "$dir/manifest.env"
py=python3
[ -x /usr/bin/python3 ] && py=/usr/bin/python3
work=$(mktemp -d /tmp/kdx-lime-check.XXXXXX)
trap 'rm -rf "$work"' EXIT

# pmem.map: "START SIZE FILE" per line.
pieces=()
while read -r start _ file; do
    pieces+=("$dir/$file@$start")
done < "$dir/${PMEM_MAP:-pmem.map}"
"$kdx" dmesg "$dir/vmcore.elf" > "$work/dmesg.elf" 2>&1

for kind in lime avml; do
    img=$work/image.$kind
    if ! "$mklime" "$kind" "$img" "${pieces[@]}"; then
        bad "$kind: mklime failed"
        continue
    fi
    "$kdx" info "$img" > "$work/info.txt" 2>&1
    check "$kind: kdx info opens it ($(stat -c %s "$img") bytes)" [ $? = 0 ]
    check "$kind: detected as $kind" grep -q "^format: *$kind" "$work/info.txt"
    check "$kind: arch x86_64 from VMCOREINFO in memory" grep -q '^arch: *x86_64' "$work/info.txt"
    check "$kind: kdx info names the kernel $KREL" grep -q "kernel: *$KREL " "$work/info.txt"
    "$kdx" info --json "$img" > "$work/info.json" 2>/dev/null
    # Every range, read back, equals the pmemsave bytes.
    "$py" - "$kdx" "$img" "$work" "$dir" "$dir/${PMEM_MAP:-pmem.map}" > "$work/ranges.txt" 2>&1 <<'PY'
import json, subprocess, sys
kdx, img, work, d, pmap = sys.argv[1:6]
files = []
for line in open(pmap):
    start, size, name = line.split()
    files.append((int(start, 0), int(size, 0), d + "/" + name))
ranges = json.load(open(work + "/info.json"))["memory"]["ranges"]
total = bad = 0
for r in ranges:
    out = work + "/range"
    p = subprocess.run([kdx, "read", img, hex(r["start"]), hex(r["size"]), "--phys", "-o", out],
                       capture_output=True, text=True)
    src = [f for f in files if f[0] <= r["start"] and r["start"] + r["size"] <= f[0] + f[1]]
    if p.returncode or not src:
        bad += 1
        print("FAIL: range 0x%x+0x%x: %s" % (r["start"], r["size"], p.stderr.strip() or "in no pmemsave file"))
        continue
    with open(out, "rb") as a, open(src[0][2], "rb") as b:
        b.seek(r["start"] - src[0][0])
        same = a.read() == b.read(r["size"])
    total += r["size"]
    if not same:
        bad += 1
        print("FAIL: range 0x%x+0x%x differs from %s" % (r["start"], r["size"], src[0][2]))
print(("PASS: " if not bad and total else "FAIL: ") +
      "%d ranges, 0x%x bytes equal to the pmemsave files" % (len(ranges), total))
PY
    sed "s/^\(PASS\|FAIL\): /\1: $kind: /" "$work/ranges.txt"
    pass=$((pass + $(grep -c '^PASS' "$work/ranges.txt")))
    fail=$((fail + $(grep -c '^FAIL' "$work/ranges.txt")))
    "$kdx" dmesg "$img" > "$work/dmesg.img" 2>&1
    check "$kind: kdx dmesg == of vmcore.elf ($(wc -l < "$work/dmesg.elf") lines)" cmp -s "$work/dmesg.img" "$work/dmesg.elf"
    uts=$("$py" -c 'import json,sys; print(json.load(open(sys.argv[1]))["vmcoreinfo"]["SYMBOL(init_uts_ns)"])' "$work/info.json" 2>/dev/null)
    got=$("$kdx" read "$img" "0x${uts#0x}" 5 -o - 2>/dev/null)
    check "$kind: kdx read SYMBOL(init_uts_ns) gives \"$got\"" [ "$got" = Linux ]
    pa=$(grep -a -b -o -m1 "$MARKER" "$dir/pmem.raw" | head -1 | cut -d: -f1)
    dm=$("$py" -c 'import json,sys; print(json.load(open(sys.argv[1]))["translation"]["page_offset"])' "$work/info.json" 2>/dev/null)
    if [ -n "$pa" ] && [ -n "$dm" ]; then
        va=$(printf '0x%x' $(( dm + pa )))
        got=$("$kdx" read "$img" "$va" "${#MARKER}" -o - 2>/dev/null)
        check "$kind: marker at physical $(printf '0x%x' "$pa") reads back at $va" [ "$got" = "$MARKER" ]
    else
        bad "$kind: marker or direct map not found"
    fi
    round_trip "$img" "$kdx" "$work" "$kind"
    rm -f "$img"
done
echo "$pass passed, $fail failed"
[ "$fail" = 0 ]

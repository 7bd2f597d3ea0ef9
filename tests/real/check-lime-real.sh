#!/bin/bash
# A real LiME acquisition (make-lime-dumps.sh: Debian's LiME module built
# for the guest kernel, run in the guest) against QEMU's dump-guest-memory
# of the same guest taken right after it.
#
# Usage: check-lime-real.sh DUMPDIR KDX
# The kernel ran on while LiME copied memory, so only what cannot change
# is compared byte for byte: the kernel's rodata (every page), its text
# (pages the kernel patches at run time — alternatives, static keys —
# are counted, not failed, unless more than 1% differ) and the pages of
# the guest's marker file in tmpfs.  (A third of all pages differ: LiME
# writes its output through the guest's page cache.)
# With no option given to kdx: detection, arch x86_64 and the kernel named
# from VMCOREINFO found in memory, `kdx dmesg` of the LiME image a prefix
# of that of vmcore.elf (records logged after LiME ran are only in the
# latter), SYMBOL(init_uts_ns) reads "Linux", the marker at its virtual
# address; and kdx convert to kdump and ELF round-trips (round-trip.sh).
# Prints one line per check and "N passed, N failed".
set -u
dir=$1
kdx=$2
pass=0 fail=0
ok() { echo "PASS: $*"; pass=$((pass + 1)); }
bad() { echo "FAIL: $*"; fail=$((fail + 1)); }
check() { local what=$1; shift; if "$@"; then ok "$what"; else bad "$what"; fi; }
# shellcheck source=round-trip.sh
. "$(dirname "${BASH_SOURCE[0]}")/round-trip.sh"

# shellcheck disable=SC1091
. "$dir/manifest.env"
py=python3
[ -x /usr/bin/python3 ] && py=/usr/bin/python3
img=$dir/$LIME
elf=$dir/$ELF
work=$(mktemp -d /tmp/kdx-lime-real.XXXXXX)
trap 'rm -rf "$work"' EXIT

"$kdx" info "$img" > "$work/info.txt" 2>&1
check "kdx info opens the LiME image ($(stat -c %s "$img") bytes, $LIME_SOURCE)" [ $? = 0 ]
check "detected as lime" grep -q '^format: *lime' "$work/info.txt"
check "arch x86_64 from VMCOREINFO in memory" grep -q '^arch: *x86_64' "$work/info.txt"
check "kdx info names the kernel $KREL" grep -q "kernel: *$KREL " "$work/info.txt"
check "no warning (every range whole)" bash -c "! grep -q '^warning' '$work/info.txt'"
"$kdx" info --json "$img" > "$work/info.json" 2>/dev/null

# Kernel rodata and text, page by page, LiME against the ELF.
compare() {  # NAME START-END MAX_DIFF_PERCENT
    local name=$1 range=$2 max=$3 s e
    s=$((16#${range%-*})) e=$((16#${range#*-} + 1))
    s=$(( s & ~4095 )) e=$(( (e + 4095) & ~4095 ))
    if ! "$kdx" read "$img" "$s" $(( e - s )) --phys -o "$work/a" 2> "$work/err" ||
       ! "$kdx" read "$elf" "$s" $(( e - s )) --phys -o "$work/b" 2>> "$work/err"; then
        bad "kernel $name: $(head -1 "$work/err")"
        return
    fi
    read -r pages diff < <("$py" - "$work/a" "$work/b" <<'PY'
import sys
a, b = (open(p, "rb").read() for p in sys.argv[1:3])
n = len(a) // 4096
print(n, sum(a[i * 4096:(i + 1) * 4096] != b[i * 4096:(i + 1) * 4096] for i in range(n)))
PY
)
    check "kernel $name $range: $((pages - diff)) of $pages pages equal" \
        [ $(( diff * 100 )) -le $(( pages * max )) ]
}
compare rodata "$KERNEL_RODATA" 0
compare text "$KERNEL_CODE" 1

# The log: LiME's is the ELF's up to the moment LiME ran.
"$kdx" dmesg "$img" > "$work/dmesg.lime" 2>&1
check "kdx dmesg of the LiME image ($(wc -l < "$work/dmesg.lime") lines)" [ -s "$work/dmesg.lime" ]
"$kdx" dmesg "$elf" > "$work/dmesg.elf" 2>&1
n=$(wc -l < "$work/dmesg.lime")
check "its log is vmcore.elf's first $n of $(wc -l < "$work/dmesg.elf") lines" \
    cmp -s "$work/dmesg.lime" <(head -n "$n" "$work/dmesg.elf")
check "the log shows the guest's marker token" grep -q "kdxmarker=${MARKER#KDX-MARKER-}" "$work/dmesg.lime"

uts=$("$py" -c 'import json,sys; print(json.load(open(sys.argv[1]))["vmcoreinfo"]["SYMBOL(init_uts_ns)"])' "$work/info.json" 2>/dev/null)
got=$("$kdx" read "$img" "0x${uts#0x}" 5 -o - 2>/dev/null)
check "kdx read SYMBOL(init_uts_ns)=0x${uts#0x} gives \"$got\"" [ "$got" = Linux ]

# The marker file in tmpfs: its pages that start with a marker line, found
# in the LiME image by walking its ranges, must hold the same bytes at the
# same physical address in vmcore.elf.  (Not every such page: the shell's
# intermediate copies, freed, may be reused after LiME ran; LiME's own
# output, written through the page cache, adds copies only to the ELF.)
read -r pa same total < <("$py" - "$img" "$elf" "$MARKER" <<'PY'
import struct, sys
lime, elf, marker = sys.argv[1], sys.argv[2], (sys.argv[3] + "\n").encode() * 2
def elf_page(data, pa):
    phoff, = struct.unpack_from("<Q", data, 32)
    phentsize, phnum = struct.unpack_from("<HH", data, 54)
    for i in range(phnum):
        t, _, off, _, p, filesz, _, _ = struct.unpack_from("<IIQQQQQQ", data, phoff + i * phentsize)
        if t == 1 and p <= pa and pa + 4096 <= p + filesz:
            return data[off + pa - p:off + pa - p + 4096]
    return None
img, core = open(lime, "rb").read(), open(elf, "rb").read()
pos, first, same, total = 0, 0, 0, 0
while pos + 32 <= len(img):
    s, e = struct.unpack_from("<QQ", img, pos + 8)
    data = pos + 32
    k = img.find(marker, data, data + e - s + 1)
    while k >= 0:
        pa = s + k - data
        if pa % 4096 == 0:
            total += 1
            if elf_page(core, pa) == img[k:k + 4096]:
                same += 1
                first = first or pa
        k = img.find(marker, k + 1, data + e - s + 1)
    pos = data + e - s + 1
print(first, same, total)
PY
)
dm=$("$py" -c 'import json,sys; print(json.load(open(sys.argv[1]))["translation"]["page_offset"])' "$work/info.json" 2>/dev/null)
check "marker pages: ${same:-0} of ${total:-0} in the LiME image identical in vmcore.elf" [ "${same:-0}" -ge 1 ]
if [ "${pa:-0}" != 0 ] && [ -n "$dm" ]; then
    va=$(printf '0x%x' $(( dm + pa )))
    got=$("$kdx" read "$img" "$va" "${#MARKER}" -o - 2>/dev/null)
    check "marker at physical $(printf '0x%x' "$pa") reads back at $va" [ "$got" = "$MARKER" ]
else
    bad "marker or direct map not found (pa='${pa:-}' direct map='$dm')"
fi

round_trip "$img" "$kdx" "$work" lime
echo "$pass passed, $fail failed"
[ "$fail" = 0 ]

#!/bin/bash
# Check `kdx convert --to elf [--paging]` (issue 5) on the real dumps made
# by make-qemu-dumps.sh, with tools nobody here wrote as oracles:
#
#  gdb           reads our paging ELF of vmcore.elf: x/s at
#                SYMBOL(init_uts_ns) is "Linux", at +130 the release; the
#                same as `kdx read` of the source and as gdb through QEMU's
#                own paging ELF (vmcore-paging.elf)
#  kdx maps      our paging ELF's PT_LOADs (parsed here, not by kdx) are the
#                source's mappings cut to the memory the dump holds (the
#                parts over I/O memory QEMU did not dump are counted and
#                left out); every segment's bytes are pmem.raw's
#  readelf       reads our paging ELF (PN_XNUM) with the same count
#  makedumpfile  --dump-dmesg on our physical ELF prints exactly what
#                `kdx dmesg` prints for the source (also for our ELF of
#                QEMU's kdump file, which makedumpfile cannot read itself);
#                makedumpfile -d 31 filters our physical ELF
#  libkdumpfile  opens our physical ELF; its translations of >= 1000 kernel
#                addresses equal kdx's (`kdx vtop` of the source) and the
#                bytes it reads there equal pmem.raw's (elf-writer-oracle.c,
#                built here with cc, linked with libkdumpfile only)
#  round trips   ELF -> kdump -> ELF and the physical ELF: every dumped page
#                identical to the source's; raw -> ELF -> raw (kdx read
#                --phys, and dd at the PT_LOAD's offset): pmem.raw again
#
# Usage: check-elf-writer.sh DUMPDIR KDX_BINARY
# Prints "N passed, N failed"; exits non-zero on any failure.  A missing
# tool fails under CI=true and is skipped loudly otherwise.  Needs about
# 3 GiB in ${TMPDIR:-/tmp}.
set -uo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
if [ $# -ne 2 ]; then
    echo "usage: $0 DUMPDIR KDX_BINARY" >&2
    exit 2
fi
dumpdir=$(cd "$1" && pwd) kdx=$2
case $kdx in /*) ;; *) kdx=$PWD/$kdx ;; esac
passed=0 failed=0 skipped=0

pass() { echo "PASS: $*"; passed=$((passed + 1)); }
fail() { echo "FAIL: $*"; failed=$((failed + 1)); }
# A missing tool: a failure in CI, a loud skip elsewhere.
missing() {
    if [ "${CI:-}" = true ]; then
        fail "$1 is missing (CI must have it): $2"
    else
        echo "################################################################"
        echo "## SKIPPED: $1 is missing: $2"
        echo "################################################################"
        skipped=$((skipped + 1))
    fi
}
finish() {
    [ "$skipped" -eq 0 ] || echo "($skipped checks skipped: tools missing)"
    echo "$passed passed, $failed failed"
    [ "$failed" -eq 0 ]
    exit $?
}
have() { command -v "$1" >/dev/null 2>&1; }

for f in vmcore.elf vmcore-paging.elf vmcore.kdump-zlib pmem.raw pmem.map; do
    [ -f "$dumpdir/$f" ] || { fail "$dumpdir/$f missing"; finish; }
done
[ -x "$kdx" ] || { fail "kdx binary $kdx not executable"; finish; }
have python3 || { fail "python3 is needed to compare"; finish; }

work=$(mktemp -d "${TMPDIR:-/tmp}/kdx-elfw-XXXXXX")
trap 'rm -rf "$work"' EXIT
src=$dumpdir/vmcore.elf

# ---- conversions ----
if "$kdx" convert -q "$src" "$work/phys.elf" --to elf 2>"$work/err"; then
    pass "kdx convert --to elf of vmcore.elf"
else
    fail "kdx convert --to elf: $(cat "$work/err")"; finish
fi
if "$kdx" convert -q "$src" "$work/paging.elf" --to elf --paging 2>"$work/err"; then
    pass "kdx convert --to elf --paging of vmcore.elf"
else
    fail "kdx convert --to elf --paging: $(cat "$work/err")"; finish
fi
"$kdx" info --json "$src" >"$work/info.json" &&
    "$kdx" maps --json "$src" >"$work/maps.json" ||
    { fail "kdx info/maps of the source"; finish; }

# ---- gdb: our paging ELF, QEMU's, and kdx read ----
read -r sym release < <(python3 -c '
import json, sys
v = json.load(open(sys.argv[1]))["vmcoreinfo"]
print(v["SYMBOL(init_uts_ns)"], v["OSRELEASE"])' "$work/info.json")
sym=0x$sym
rel=$(printf '0x%x' $((sym + 130)))
gdb_str() { # FILE ADDR: the string gdb's x/s prints there
    gdb -batch -nx -ex "core-file $1" -ex "x/s $2" 2>&1 |
        sed -n 's/^0x[0-9a-f]*:[[:space:]]*"\(.*\)"$/\1/p' | tail -1
}
kdx_str() { # ADDR: the NUL-terminated string kdx reads there in the source
    "$kdx" read "$src" "$1" 65 -o - | tr -d '\n' | tr '\0' '\n' | head -1
}
if have gdb; then
    ours_sys=$(gdb_str "$work/paging.elf" "$sym")
    ours_rel=$(gdb_str "$work/paging.elf" "$rel")
    qemu_sys=$(gdb_str "$dumpdir/vmcore-paging.elf" "$sym")
    qemu_rel=$(gdb_str "$dumpdir/vmcore-paging.elf" "$rel")
    kdx_sys=$(kdx_str "$sym")
    kdx_rel=$(kdx_str "$rel")
    [ "$ours_sys" = Linux ] && pass "gdb x/s $sym in our paging ELF: \"$ours_sys\"" ||
        fail "gdb x/s $sym in our paging ELF: \"$ours_sys\", want \"Linux\""
    [ "$ours_rel" = "$release" ] && pass "gdb x/s $rel in our paging ELF: \"$ours_rel\" (OSRELEASE)" ||
        fail "gdb x/s $rel in our paging ELF: \"$ours_rel\", want \"$release\""
    [ "$ours_sys|$ours_rel" = "$kdx_sys|$kdx_rel" ] && pass "kdx read of the source gives the same two strings" ||
        fail "kdx read of the source: \"$kdx_sys\" \"$kdx_rel\""
    [ "$ours_sys|$ours_rel" = "$qemu_sys|$qemu_rel" ] && pass "gdb through QEMU's paging ELF gives the same two strings" ||
        fail "gdb through QEMU's paging ELF: \"$qemu_sys\" \"$qemu_rel\""
else
    missing gdb "the paging ELF is not checked with gdb"
fi

# ---- our ELF files parsed here; paging PT_LOADs against kdx maps ----
cat >"$work/elfcheck.py" <<'EOF'
import json, mmap, struct, sys

def parse(path):
    """(class64, [(type, flags, offset, vaddr, paddr, filesz, memsz)], mmap)"""
    f = open(path, "rb")
    m = mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ)
    assert m[:4] == b"\x7fELF", path
    is64, bo = m[4] == 2, "<" if m[5] == 1 else ">"
    if is64:
        phoff, shoff = struct.unpack_from(bo + "QQ", m, 32)
        phent, phnum = struct.unpack_from(bo + "HH", m, 54)
    else:
        phoff, shoff = struct.unpack_from(bo + "II", m, 28)
        phent, phnum = struct.unpack_from(bo + "HH", m, 42)
    if phnum == 0xFFFF:  # PN_XNUM: sh_info of section header 0
        phnum = struct.unpack_from(bo + "I", m, shoff + (44 if is64 else 28))[0]
    ph = []
    for i in range(phnum):
        o = phoff + i * phent
        if is64:
            t, fl, off, va, pa, fsz, msz = struct.unpack_from(bo + "IIQQQQQ", m, o)
        else:
            t, off, va, pa, fsz, msz, fl = struct.unpack_from(bo + "IIIIIII", m, o)
        ph.append((t, fl, off, va, pa, fsz, msz))
    return is64, ph, m

def pmem(dumpdir):
    """[(start, end, mmap)] from pmem.map: QEMU's own copy of guest memory."""
    out = []
    for line in open(dumpdir + "/pmem.map"):
        start, size, name = line.split()
        f = open(dumpdir + "/" + name, "rb")
        out.append((int(start, 0), int(start, 0) + int(size, 0),
                    mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ)))
    return out

def pmem_bytes(pm, pa, n):
    for s, e, m in pm:
        if s <= pa and pa + n <= e:
            return m[pa - s:pa - s + n]
    return None

def paging(args):
    elf, maps_json, info_json, dumpdir = args
    _, ph, m = parse(elf)
    loads = [p for p in ph if p[0] == 1]
    ranges = [(r["start"], r["end"], r["kind"])
              for r in json.load(open(info_json))["memory"]["ranges"]]
    maps = json.load(open(maps_json))["mappings"]
    want, dropped, dropped_bytes = [], 0, 0
    for mp in maps:
        fl = 4 | (2 if "writable" in mp["flags"] else 0) | (0 if "nx" in mp["flags"] else 1)
        va, pa, size, first, kept = mp["start"], mp["phys"], mp["size"], len(want), 0
        for s, e, kind in ranges:
            lo, hi = max(s, pa), min(e, pa + size)
            if lo >= hi or kind not in ("file", "zero"):
                continue
            held = kind == "file"
            piece = [va + lo - pa, lo, hi - lo if held else 0, hi - lo, fl]
            if (len(want) > first and held and want[-1][2] and
                    want[-1][1] + want[-1][2] == lo):
                want[-1][2] += hi - lo
                want[-1][3] += hi - lo
            else:
                want.append(piece)
            kept += hi - lo
        if kept < size:
            dropped += 1
            dropped_bytes += size - kept
    got = [[p[3], p[4], p[5], p[6], p[1]] for p in loads]
    ok = got == want
    print("%d mappings -> %d PT_LOADs expected, %d written; %d mappings "
          "(%d KiB) partly or wholly over memory the dump does not hold "
          "(I/O), left out" % (len(maps), len(want), len(got), dropped,
                               dropped_bytes >> 10))
    if not ok:
        for i, (g, w) in enumerate(zip(got, want)):
            if g != w:
                print("first difference at PT_LOAD %d: got va %#x pa %#x "
                      "filesz %#x memsz %#x flags %d, want va %#x pa %#x "
                      "filesz %#x memsz %#x flags %d" % tuple([i] + g + w))
                break
        return 1
    # every segment's bytes are QEMU's copy of that memory
    pm, bad, checked = pmem(dumpdir), 0, 0
    for p in loads:
        if not p[5]:
            continue
        ref = pmem_bytes(pm, p[4], p[5])
        if ref is None:
            bad += 1
            print("PT_LOAD at pa %#x: not in pmem.map" % p[4])
        elif ref != m[p[2]:p[2] + p[5]]:
            bad += 1
            if bad < 5:
                print("PT_LOAD va %#x pa %#x: bytes differ from pmem" % (p[3], p[4]))
        checked += p[5]
    print("%d MiB of segment bytes compared with pmem.raw, %d segments differ"
          % (checked >> 20, bad))
    return 1 if bad else 0

def same_pages(args):
    """Every page the source's PT_LOADs hold is in the other file, same bytes,
    and the other holds nothing else."""
    a, b = args
    pages = []
    for path in (a, b):
        _, ph, m = parse(path)
        d = {}
        for t, fl, off, va, pa, fsz, msz in ph:
            if t != 1:
                continue
            for k in range(0, fsz, 4096):
                d[pa + k] = (m, off + k, min(4096, fsz - k))
        pages.append(d)
    pa_, pb = pages
    if pa_.keys() != pb.keys():
        print("pages only in %s: %d, only in %s: %d" % (
            a, len(pa_.keys() - pb.keys()), b, len(pb.keys() - pa_.keys())))
        return 1
    bad = [p for p in pa_ if pa_[p][0][pa_[p][1]:pa_[p][1] + pa_[p][2]] !=
           pb[p][0][pb[p][1]:pb[p][1] + pb[p][2]]]
    print("%d pages (%d MiB) compared, %d differ%s" % (
        len(pa_), len(pa_) >> 8, len(bad),
        "" if not bad else ": first at %#x" % min(bad)))
    return 1 if bad else 0

def raw_load(args):
    """offset and size of the single PT_LOAD of a raw image's ELF"""
    _, ph, _ = parse(args[0])
    loads = [p for p in ph if p[0] == 1]
    assert len(loads) == 1 and loads[0][4] == 0, loads
    print(loads[0][2], loads[0][5])
    return 0

def addresses(args):
    """>= 1000 kernel addresses: random bytes of random mappings, first and
    last bytes of mappings, and unmapped addresses between them."""
    import random
    maps = json.load(open(args[0]))["mappings"]
    rnd = random.Random(5)
    kern = [m for m in maps if m["start"] >= 0xffff800000000000]
    out = set()
    for _ in range(800):
        m = rnd.choice(kern)
        out.add((m["start"] + rnd.randrange(m["size"])) & ~15)
    for m in rnd.sample(kern, 150):
        out.add(m["start"])
        out.add(m["end"] - 16)
    gaps = [(a["end"], b["start"]) for a, b in zip(kern, kern[1:]) if b["start"] > a["end"]]
    for _ in range(300):
        lo, hi = rnd.choice(gaps)
        out.add((lo + rnd.randrange(hi - lo)) & ~15)
    for a in sorted(out):
        print("%x" % a)
    return 0

def compare_oracle(args):
    """libkdumpfile's lines against kdx vtop's JSON and pmem.raw"""
    lines, vtop_json, dumpdir = args
    kdx = {t["vaddr"]: t.get("paddr") for t in json.load(open(vtop_json))["translations"]}
    pm = pmem(dumpdir)
    n = mapped = same_bytes = unread = 0
    bad = []
    for line in open(lines):
        f = line.split()
        va = int(f[0], 16)
        n += 1
        want = kdx.get(va, "missing")
        got = int(f[2], 16) if f[1] == "ok" else None
        if want != got:
            bad.append("%#x: kdx %s, libkdumpfile %s" % (
                va, want if want is None or want == "missing" else hex(want),
                hex(got) if got is not None else "unmapped"))
            continue
        if got is None:
            continue
        mapped += 1
        ref = pmem_bytes(pm, got, 16)
        if ref is None or f[3] == "-":
            unread += 1  # memory the dump does not hold: nothing to read
            if (ref is None) != (f[3] == "-"):
                bad.append("%#x: libkdumpfile read %s, pmem %s" % (va, f[3], ref))
            continue
        if bytes.fromhex(f[3]) != ref:
            bad.append("%#x (pa %#x): libkdumpfile read %s, pmem.raw %s" % (
                va, got, f[3], ref.hex()))
        else:
            same_bytes += 1
    print("%d addresses: %d mapped (%d with the same 16 bytes as pmem.raw, "
          "%d outside the dumped memory), %d unmapped; %d differ" % (
              n, mapped, same_bytes, unread, n - mapped - len(bad), len(bad)))
    for b in bad[:10]:
        print("  " + b)
    return 1 if bad or n < 1000 else 0

sys.exit(globals()[sys.argv[1]](sys.argv[2:]))
EOF
check() { python3 "$work/elfcheck.py" "$@"; }

if out=$(check paging "$work/paging.elf" "$work/maps.json" "$work/info.json" "$dumpdir" 2>&1); then
    pass "paging ELF's PT_LOADs equal kdx maps of the source cut to the dumped memory, bytes equal pmem.raw"
else
    fail "paging ELF's PT_LOADs against kdx maps"
fi
echo "$out" | sed 's/^/    /'

if have readelf; then
    n=$(readelf -lW "$work/paging.elf" 2>/dev/null | sed -n 's/^There are \([0-9]*\) program headers.*/\1/p')
    loads=$(readelf -lW "$work/paging.elf" 2>/dev/null | grep -c '^  LOAD ')
    warn=$(readelf -lW "$work/paging.elf" 2>&1 >/dev/null | head -3)
    if [ -n "$n" ] && [ "$n" -gt 65535 ] && [ "$loads" -eq $((n - 1)) ] && [ -z "$warn" ]; then
        pass "readelf -lW reads our paging ELF: $n program headers (PN_XNUM), $loads PT_LOAD"
    else
        fail "readelf -lW on our paging ELF: '$n' headers, $loads PT_LOAD, $warn"
    fi
else
    missing readelf "PN_XNUM on the real dump not checked by binutils"
fi

# ---- makedumpfile ----
if have makedumpfile; then
    "$kdx" dmesg "$src" >"$work/kdx-dmesg.txt" 2>"$work/err" ||
        fail "kdx dmesg of the source: $(cat "$work/err")"
    if makedumpfile --dump-dmesg "$work/phys.elf" "$work/mdf-dmesg.txt" >"$work/mdf.log" 2>&1; then
        if cmp -s "$work/mdf-dmesg.txt" "$work/kdx-dmesg.txt"; then
            pass "makedumpfile --dump-dmesg of our physical ELF equals kdx dmesg of the source ($(wc -l <"$work/kdx-dmesg.txt") lines, byte for byte)"
        else
            fail "makedumpfile --dump-dmesg differs from kdx dmesg:"
            diff "$work/mdf-dmesg.txt" "$work/kdx-dmesg.txt" | head -10
        fi
    else
        fail "makedumpfile --dump-dmesg on our physical ELF: $(tail -3 "$work/mdf.log")"
    fi
    # QEMU's kdump file: makedumpfile cannot read it, our ELF of it it can.
    if "$kdx" convert -q "$dumpdir/vmcore.kdump-zlib" "$work/fromkdump.elf" --to elf &&
        makedumpfile --dump-dmesg "$work/fromkdump.elf" "$work/mdf2.txt" >"$work/mdf.log" 2>&1 &&
        "$kdx" dmesg "$dumpdir/vmcore.kdump-zlib" >"$work/kdx2.txt" &&
        cmp -s "$work/mdf2.txt" "$work/kdx2.txt"; then
        pass "makedumpfile --dump-dmesg of our ELF of QEMU's kdump file equals kdx dmesg of that file"
    else
        fail "makedumpfile --dump-dmesg of our ELF of vmcore.kdump-zlib: $(tail -2 "$work/mdf.log")"
    fi
    rm -f "$work/fromkdump.elf"
    if makedumpfile -c -d 31 "$work/phys.elf" "$work/d31.kdump" >"$work/mdf.log" 2>&1 &&
        "$kdx" dmesg "$work/d31.kdump" >"$work/kdx3.txt" 2>/dev/null &&
        cmp -s "$work/kdx3.txt" "$work/kdx-dmesg.txt"; then
        pass "makedumpfile -c -d 31 filters our physical ELF; its log equals the source's"
    else
        fail "makedumpfile -c -d 31 on our physical ELF: $(tail -2 "$work/mdf.log")"
    fi
else
    missing makedumpfile "our physical ELF not checked with makedumpfile"
fi

# ---- libkdumpfile ----
if have cc && pkg-config --exists libkdumpfile libaddrxlat 2>/dev/null; then
    if cc -O2 -Wall -Werror -o "$work/oracle" "$here/elf-writer-oracle.c" \
        $(pkg-config --cflags --libs libkdumpfile libaddrxlat) 2>"$work/err"; then
        check addresses "$work/maps.json" >"$work/addrs.txt"
        # kdx's translation of each, one vtop call (unmapped ones fail: exit 1)
        "$kdx" vtop --json "$src" $(sed 's/^/0x/' "$work/addrs.txt") >"$work/vtop.json" 2>/dev/null
        if "$work/oracle" "$work/phys.elf" <"$work/addrs.txt" >"$work/oracle.txt" 2>"$work/err" &&
            out=$(check compare_oracle "$work/oracle.txt" "$work/vtop.json" "$dumpdir"); then
            pass "libkdumpfile on our physical ELF translates like kdx vtop of the source, reads pmem.raw's bytes"
        else
            fail "libkdumpfile on our physical ELF: $(cat "$work/err")"
        fi
        echo "${out:-}" | sed 's/^/    /'
    else
        fail "building elf-writer-oracle: $(head -5 "$work/err")"
    fi
else
    missing "cc or libkdumpfile (pkg-config libkdumpfile libaddrxlat)" "our physical ELF not checked with libkdumpfile"
fi

# ---- round trips ----
if out=$(check same_pages "$src" "$work/phys.elf"); then
    pass "physical ELF: every page of vmcore.elf, same bytes, nothing else"
else
    fail "physical ELF against vmcore.elf"
fi
echo "$out" | sed 's/^/    /'
rm -f "$work/paging.elf"
if "$kdx" convert -q "$src" "$work/rt.kdump" --to kdump &&
    "$kdx" convert -q "$work/rt.kdump" "$work/rt.elf" --to elf &&
    out=$(check same_pages "$src" "$work/rt.elf"); then
    pass "ELF -> kdump -> ELF: every dumped page identical"
else
    fail "ELF -> kdump -> ELF"
fi
echo "${out:-}" | sed 's/^/    /'
rm -f "$work/rt.kdump" "$work/rt.elf" "$work/phys.elf"
raw=$dumpdir/pmem.raw
rawsize=$(stat -c %s "$raw")
if "$kdx" convert -q --format raw --arch x86_64 "$raw" "$work/raw.elf" --to elf 2>"$work/err"; then
    "$kdx" read --phys "$work/raw.elf" 0 "$rawsize" -o "$work/back.raw" 2>"$work/err"
    if cmp -s "$raw" "$work/back.raw"; then
        pass "raw -> ELF -> raw (kdx read --phys): pmem.raw byte for byte"
    else
        fail "raw -> ELF -> raw (kdx read --phys): $(cat "$work/err")"
    fi
    rm -f "$work/back.raw"
    read -r off size < <(check raw_load "$work/raw.elf")
    if [ "$size" = "$rawsize" ] && [ $((off % 4096)) -eq 0 ] &&
        dd if="$work/raw.elf" bs=4096 skip=$((off / 4096)) count=$((size / 4096)) status=none |
        cmp -s - "$raw"; then
        pass "raw -> ELF -> raw (dd at the PT_LOAD's offset): pmem.raw byte for byte"
    else
        fail "raw -> ELF -> raw (dd): PT_LOAD at $off, $size bytes"
    fi
else
    fail "kdx convert of pmem.raw: $(cat "$work/err")"
fi
finish

#!/bin/bash
# A QEMU migration stream of a stopped guest (QMP migrate "exec:cat >
# FILE", written by make-qemu-dumps.sh as vmstate.qemu after the dumps of
# the same stopped state) against QEMU's own dump-guest-memory ELF.
#
# Usage: check-migration.sh DUMPDIR KDX
# Checks, with no option given to kdx:
# - detection and `kdx info`: format qemu-savevm, machine pc-i440fx-*,
#   arch x86_64 (from VMCOREINFO found in memory), the kernel release;
# - every page: each PT_LOAD of vmcore.elf is read with `kdx read --phys`
#   from the stream and must be byte-identical; the one RAM block QEMU
#   maps where the guest put it (the VGA BAR) must be reported missing,
#   not invented; and what kdx maps beyond the ELF must be only the legacy
#   VGA window 0xa0000-0xbffff (pc.ram under it; QEMU's ELF leaves I/O
#   out);
# - `kdx dmesg` of the stream equals that of vmcore.elf (same state) and
#   shows the guest's marker; `kdx read` of SYMBOL(init_uts_ns) is
#   "Linux"; the marker reads back at its virtual address;
# - the CPU state kdx reads from the stream's "cpu" sections (walked with
#   the vmdesc JSON QEMU appends): each vCPU's CR0, CR3 and CR4 equal
#   those of vmcore.elf's QEMU CPU notes of the same stopped guest, and
#   EFER equals QEMU's own `info registers` (info-registers.txt; the ELF
#   notes hold no EFER); the vCPUs' CR3 are the tasks' tables they ran,
#   not init_top_pgt, so what is compared is CR3 with CR3, and the walk
#   is checked separately: SYMBOL(init_uts_ns) reads "Linux" through
#   vCPU 0's CR3 given as --root (the kernel half every table shares);
#   with the JSON cut off, the fixed cpu v12 layout gives the same CR3s;
# - `kdx convert` to kdump and ELF reopens with every byte the same, and
#   makedumpfile --dump-dmesg reads the log from both (round-trip.sh);
# - the stream wrapped as libvirt's `virsh save` writes it (header, domain
#   XML padded by 64 KiB; virsh itself is not in CI) raw and piped through
#   each compressor libvirt runs (gzip, bzip2, xz, lzop, zstd -c, those
#   installed): detected as libvirt-save with no option, the same memory
#   ranges, and every page (holes read as zeros) equal to the stream's.
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
if [ -z "${QEMU_MIGRATION:-}" ]; then
    if [ "${CI:-}" = true ]; then
        echo "FAIL: $dir/manifest.env has no QEMU_MIGRATION (make-qemu-dumps.sh writes it)"
        echo "0 passed, 1 failed"
        exit 1
    fi
    echo "SKIPPED: $dir was made before make-qemu-dumps.sh saved a migration stream; remake it"
    exit 77
fi
py=python3
[ -x /usr/bin/python3 ] && py=/usr/bin/python3
stream=$dir/$QEMU_MIGRATION
elf=$dir/vmcore.elf
work=$(mktemp -d /tmp/kdx-migration-check.XXXXXX)
trap 'rm -rf "$work"' EXIT

"$kdx" info "$stream" > "$work/info.txt" 2>&1
check "kdx info opens $QEMU_MIGRATION" [ $? = 0 ]
check "detected as qemu-savevm" grep -q '^format: *qemu-savevm' "$work/info.txt"
check "machine named" grep -q 'machine *pc-i440fx-' "$work/info.txt"
check "arch x86_64 from VMCOREINFO in memory" grep -q '^arch: *x86_64' "$work/info.txt"
check "kdx info names the kernel $KREL" grep -q "kernel: *$KREL " "$work/info.txt"
"$kdx" info --json "$stream" > "$work/info.json" 2>/dev/null

# Every PT_LOAD of QEMU's ELF, read from the stream by kdx.
"$py" - "$elf" "$kdx" "$stream" "$work" > "$work/pages.txt" 2>&1 <<'PY'
import json, struct, subprocess, sys
elf, kdx, stream, work = sys.argv[1:5]
PAGE = 4096
with open(elf, "rb") as f:
    eh = f.read(64)
    phoff, = struct.unpack_from("<Q", eh, 32)
    phentsize, phnum = struct.unpack_from("<HH", eh, 54)
    f.seek(phoff)
    ph = f.read(phentsize * phnum)
loads = []
for i in range(phnum):
    t, _, off, _, pa, filesz, _, _ = struct.unpack_from("<IIQQQQQQ", ph, i * phentsize)
    if t == 1 and filesz:
        loads.append((pa, filesz, off))
info = json.load(open(work + "/info.json"))
mapped = []  # adjacent ranges (data, zero) merged
for r in sorted(info["memory"]["ranges"], key=lambda r: r["start"]):
    if mapped and mapped[-1][1] == r["start"]:
        mapped[-1] = (mapped[-1][0], r["end"])
    else:
        mapped.append((r["start"], r["end"]))
held = lambda a, b: any(s <= a and b <= e for s, e in mapped)
results = []
pages = same = 0
for pa, size, off in loads:
    out = "%s/seg-%x" % (work, pa)
    if not held(pa, pa + size):
        # Not placed: the read must fail, naming a hole.
        r = subprocess.run([kdx, "read", stream, hex(pa), hex(size), "--phys", "-o", out],
                           capture_output=True, text=True)
        ok = r.returncode != 0 and "0x%x" % pa in r.stderr
        results.append((ok, "PT_LOAD 0x%x+0x%x (a block QEMU places at run time) is a hole, not invented bytes" % (pa, size)))
        continue
    r = subprocess.run([kdx, "read", stream, hex(pa), hex(size), "--phys", "-o", out],
                       capture_output=True, text=True)
    if r.returncode != 0:
        results.append((False, "read PT_LOAD 0x%x: %s" % (pa, r.stderr.strip())))
        continue
    diff = []
    with open(elf, "rb") as a, open(out, "rb") as b:
        a.seek(off)
        for p in range(0, size, PAGE):
            x, y = a.read(PAGE), b.read(PAGE)
            pages += 1
            if x == y:
                same += 1
            elif len(diff) < 5:
                diff.append(hex(pa + p))
    results.append((not diff, "PT_LOAD 0x%x+0x%x page for page equal to the ELF%s" %
                    (pa, size, (": differ at " + " ".join(diff)) if diff else "")))
# What kdx maps beyond the ELF: only the VGA window.
extra = []
for s, e in mapped:
    a = s
    while a < e:
        if not any(p <= a < p + n for p, n, _ in loads) and not (0xa0000 <= a < 0xc0000):
            extra.append(hex(a))
            break
        a += PAGE
results.append((not extra, "nothing mapped beyond the ELF but 0xa0000-0xbffff%s" %
                ((": also " + " ".join(extra[:5])) if extra else "")))
results.append((pages > 100000 and pages == same, "%d of %d pages equal" % (same, pages)))
for ok, what in results:
    print(("PASS: " if ok else "FAIL: ") + what)
PY
cat "$work/pages.txt"
pass=$((pass + $(grep -c '^PASS' "$work/pages.txt")))
fail=$((fail + $(grep -c '^FAIL' "$work/pages.txt")))
grep -q '^PASS\|^FAIL' "$work/pages.txt" || bad "page comparison did not run"

# The CPU state from the stream against QEMU's ELF notes and HMP.
"$kdx" info --json "$elf" > "$work/elf.json" 2>/dev/null
"$py" - "$work/info.json" "$work/elf.json" "$dir/info-registers.txt" > "$work/cpus.txt" 2>&1 <<'PY'
import json, re, sys
stream = json.load(open(sys.argv[1]))["cpu_state"]
elf = json.load(open(sys.argv[2]))["cpu_state"]
hmp = re.findall(r"EFER=([0-9a-f]+)", open(sys.argv[3]).read())
saved = [c for c in stream if c.get("source") == "QEMU migration stream"]
print(("PASS: " if saved and len(saved) == len(elf) else "FAIL: ") +
      "%d vCPUs from the stream's cpu sections, %d CPU notes in the ELF" % (len(saved), len(elf)))
for c in saved:
    i, r = c["index"], c["registers"]
    e = elf[i]["registers"] if i < len(elf) else {}
    for cr in ("cr0", "cr3", "cr4"):
        same = cr in r and r.get(cr) == e.get(cr)
        print(("PASS: " if same else "FAIL: ") + "vCPU %d %s 0x%x from the stream == the ELF note's 0x%x" %
              (i, cr, r.get(cr, -1), e.get(cr, -1)))
    want = int(hmp[i], 16) if i < len(hmp) else None
    print(("PASS: " if want is not None and r.get("efer") == want else "FAIL: ") +
          "vCPU %d EFER 0x%x from the stream == info registers' %s" %
          (i, r.get("efer", -1), hex(want) if want is not None else "(none)"))
if saved:
    print("CR3=0x%x" % saved[0]["registers"]["cr3"])
PY
grep -v '^CR3=' "$work/cpus.txt"
pass=$((pass + $(grep -c '^PASS' "$work/cpus.txt")))
fail=$((fail + $(grep -c '^FAIL' "$work/cpus.txt")))
cr3=$(sed -n 's/^CR3=//p' "$work/cpus.txt")

# Without the JSON (the stream cut at its end marker), kdx reads the x86
# cpu sections at version 12's fixed offsets: the same CR3s.
json_at=$(sed -n 's/.*vmdesc JSON at offset \(0x[0-9a-f]*\).*/\1/p' "$work/info.txt")
if [ -n "$json_at" ]; then
    head -c $((json_at - 5)) "$stream" > "$work/novmdesc.qemu"
    want=$("$py" -c 'import json,sys; print(" ".join(hex(c["registers"]["cr3"]) for c in json.load(open(sys.argv[1]))["cpu_state"]))' "$work/elf.json")
    got=$("$kdx" info --json "$work/novmdesc.qemu" 2>/dev/null |
          "$py" -c 'import json,sys; print(" ".join(hex(c["registers"]["cr3"]) for c in json.load(sys.stdin)["cpu_state"] if "fixed" in (c["source"] or "")))')
    check "without the vmdesc JSON, the fixed cpu v12 layout gives CR3s '$got' == the ELF's '$want'" \
        [ "${got:-none}" = "$want" ]
    rm -f "$work/novmdesc.qemu"
else
    bad "kdx info names no vmdesc JSON offset"
fi

# The kernel log: the same stopped state as the ELF.
"$kdx" dmesg "$stream" > "$work/dmesg.stream" 2>&1
check "kdx dmesg of the stream" [ $? = 0 ]
"$kdx" dmesg "$elf" > "$work/dmesg.elf" 2>&1
check "kdx dmesg of the stream == of vmcore.elf ($(wc -l < "$work/dmesg.elf") lines)" \
    cmp -s "$work/dmesg.stream" "$work/dmesg.elf"
check "the log shows the guest's marker token" grep -q "kdxmarker=${MARKER#KDX-MARKER-}" "$work/dmesg.stream"

# init_uts_ns through the kernel's page tables.
uts=$("$py" -c 'import json,sys; print(json.load(open(sys.argv[1]))["vmcoreinfo"]["SYMBOL(init_uts_ns)"])' "$work/info.json" 2>/dev/null)
got=$("$kdx" read "$stream" "0x${uts#0x}" 5 -o - 2>/dev/null)
check "kdx read SYMBOL(init_uts_ns)=0x${uts#0x} gives \"$got\"" [ "$got" = Linux ]
if [ -n "$cr3" ]; then
    got=$("$kdx" read "$stream" "0x${uts#0x}" 5 --root "$cr3" -o - 2>/dev/null)
    check "init_uts_ns reads \"$got\" through vCPU 0's CR3 $cr3 from the stream" [ "$got" = Linux ]
else
    bad "no CR3 from the stream to walk with"
fi

# The marker (a tmpfs file of marker lines): found in physical memory,
# read back through its direct-map address.
pa=$(grep -a -b -o -m1 "$MARKER" "$dir/pmem.raw" | head -1 | cut -d: -f1)
dm=$("$py" -c 'import json,sys; t=json.load(open(sys.argv[1]))["translation"]; print(t.get("direct_map") or t.get("page_offset") or "")' "$work/info.json" 2>/dev/null)
if [ -n "$pa" ] && [ -n "$dm" ]; then
    va=$(printf '0x%x' $(( dm + pa )))
    got=$("$kdx" read "$stream" "$va" "${#MARKER}" -o - 2>/dev/null)
    check "marker at physical $(printf '0x%x' "$pa") reads back at $va" [ "$got" = "$MARKER" ]
else
    bad "marker or direct map not found (pa='$pa' direct map='$dm')"
fi

# libvirt save files around the stream, raw and compressed.
"$py" - "$kdx" "$stream" "$work" > "$work/libvirt.txt" 2>&1 <<'PY'
import hashlib, json, os, shutil, struct, subprocess, sys
kdx, stream, work = sys.argv[1:4]
XML = b"<domain type='kvm'>\n  <name>kdx-migration</name>\n</domain>\n\0"
DATA_LEN = len(XML) + 64 * 1024  # libvirt's room for a longer XML

def compressed(prog):
    """The stream through `PROG -c`, as libvirt pipes it: made once beside
    the stream and kept (xz takes ~40 s, and CI runs this test twice),
    else in the work directory when the dumps' is not writable."""
    cache = "%s.%s" % (stream, prog)
    try:
        if (os.path.getsize(cache) > 0 and
                os.path.getmtime(cache) >= os.path.getmtime(stream)):
            return cache
    except OSError:
        pass
    for out in (cache, "%s/stream.%s" % (work, prog)):
        try:
            with open(stream, "rb") as src, open(out + ".part", "wb") as dst:
                subprocess.run([prog, "-c"], stdin=src, stdout=dst, check=True)
            os.replace(out + ".part", out)
            return out
        except OSError:
            continue
    raise SystemExit("FAIL: cannot write %s -c of the stream" % prog)

def save(fmt, prog):
    out = "%s/save.%s" % (work, prog or "raw")
    with open(out, "wb") as f:
        f.write(b"LibvirtQemudSave" + struct.pack("<5I", 2, DATA_LEN, 1, fmt, 0) + bytes(56))
        f.write(XML + bytes(DATA_LEN - len(XML)))
        with open(compressed(prog) if prog else stream, "rb") as src:
            shutil.copyfileobj(src, f)
    return out

def ranges(path):
    r = subprocess.run([kdx, "info", "--json", path], capture_output=True, text=True)
    if r.returncode:
        return None, r.stderr.strip()
    info = json.loads(r.stdout)
    return [(x["start"], x["end"], x["kind"]) for x in info["memory"]["ranges"]], info

def digests(path, spans):
    out = []
    for s, e in spans:
        p = subprocess.run([kdx, "read", path, hex(s), hex(e - s), "--phys", "--zero-fill", "-o", "-"],
                           capture_output=True)
        out.append(hashlib.sha256(p.stdout).hexdigest() if p.returncode == 0 and len(p.stdout) == e - s
                   else "read failed: " + p.stderr.decode(errors="replace").strip())
    return out

want, _ = ranges(stream)
spans = []  # the ranges in a few reads: gaps under 64 MiB read as zeros
for s, e, _ in sorted(want):
    if spans and s - spans[-1][1] < (64 << 20):
        spans[-1] = (spans[-1][0], e)
    else:
        spans.append((s, e))
want_digests = digests(stream, spans)
for fmt, prog in [(0, None), (1, "gzip"), (2, "bzip2"), (3, "xz"), (4, "lzop"), (5, "zstd")]:
    name = prog or "raw"
    if prog and not shutil.which(prog):
        print("SKIP: %s is not installed" % prog)
        continue
    path = save(fmt, prog)
    got, info = ranges(path)
    if got is None:
        print("FAIL: kdx info of the %s save: %s" % (name, info))
        continue
    details = info.get("details", {})
    print(("PASS: " if info["format"] == "libvirt-save" else "FAIL: ") +
          "the %s save is detected as libvirt-save (%s)" % (name, info["format"]))
    if prog:
        comp = str(details.get("compression", ""))
        print(("PASS: " if comp.startswith(prog + ",") else "FAIL: ") +
              "the %s save says its compression: %s" % (name, comp))
    print(("PASS: " if got == want else "FAIL: ") + "the %s save has the stream's %d ranges" % (name, len(want)))
    pages = sum(e - s for s, e in spans) // 4096
    same = digests(path, spans) == want_digests
    print(("PASS: " if same else "FAIL: ") + "the %s save: all %d pages of %d spans equal to the stream's" % (name, pages, len(spans)))
PY
cat "$work/libvirt.txt"
pass=$((pass + $(grep -c '^PASS' "$work/libvirt.txt")))
fail=$((fail + $(grep -c '^FAIL' "$work/libvirt.txt")))
grep -q '^PASS\|^FAIL' "$work/libvirt.txt" || bad "libvirt save comparison did not run"
rm -f "$work"/save.*

# kdx convert to kdump and ELF, read back; makedumpfile reads the log.
round_trip "$stream" "$kdx" "$work" migration

echo "$pass passed, $fail failed"
[ "$fail" = 0 ]

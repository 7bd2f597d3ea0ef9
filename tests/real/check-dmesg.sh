#!/bin/bash
# `kdx dmesg` against makedumpfile --dump-dmesg on real QEMU dumps, and
# `kdx info`'s crash summary on a guest that really panicked.
#
# Usage: check-dmesg.sh DUMPDIR KDX
#   DUMPDIR: made by make-qemu-dumps.sh (vmcore.elf, vmcore-paging.elf,
#   vmcore.kdump-*) or by make-dmesg-dumps.sh (its panic/ and flood64/
#   subdirectories); every directory under DUMPDIR holding a
#   manifest.env is checked.  $KDX_DMESG_DUMPS adds the output of
#   make-dmesg-dumps.sh when it lives elsewhere.
# Prints one line per check and "N passed, N failed"; exit 1 on failure,
# 77 (skipped) when makedumpfile is missing.
#
# The oracle is Debian's makedumpfile 1.7.2, which cannot read every
# format QEMU 7.2 writes, so each stopped VM's formats are all compared
# with makedumpfile's output on the one it can read:
# - QEMU's ELF dumps: makedumpfile looks for the program headers right
#   after the ELF header (get_elf64_phdr() uses sizeof(Elf64_Ehdr) as
#   their offset, not e_phoff); QEMU 7.2 puts section headers there, so
#   makedumpfile finds no PT_LOAD ("Can't get the number of PT_LOAD").
# - QEMU's flattened kdump: `makedumpfile -R` turns it into a plain kdump
#   file, but QEMU writes a wrong phys_base into the kdump sub-header, and
#   makedumpfile takes phys_base from there for kdump input, so it cannot
#   translate init_top_pgt ("Can't get pgd").  We write the kernel's own
#   NUMBER(phys_base) from VMCOREINFO into that one field of a copy (the
#   value QEMU should have written); nothing else is changed.
# makedumpfile also warns that kernel 6.1 is newer than it knows; its log
# reader for the lockless ring does not depend on the version.
#
# Normalised in makedumpfile's output, and nothing else: bytes >= 0x80,
# which it prints with "\\x%02x" of a signed char, so as \xffffffNN;
# kdx prints \xNN (as its own escaping of other bytes already matches).
set -u
dumpdir=$1
kdx=$2
pass=0 fail=0
ok() { echo "PASS: $*"; pass=$((pass + 1)); }
bad() { echo "FAIL: $*"; fail=$((fail + 1)); }

if ! command -v makedumpfile >/dev/null; then
    echo "SKIPPED: makedumpfile is not installed (apt-get install makedumpfile)"
    exit 77
fi
py=python3
[ -x /usr/bin/python3 ] && py=/usr/bin/python3
work=$(mktemp -d /tmp/kdx-dmesg-check.XXXXXX)
trap 'rm -rf "$work"' EXIT

# oracle KDUMP OUT: makedumpfile --dump-dmesg on a QEMU flattened kdump.
oracle() {
    local flat=$1 out=$2 plain=$work/plain.kdump pb
    rm -f "$plain" "$out"
    makedumpfile -R "$plain" < "$flat" >"$work/mdf.log" 2>&1 || return 1
    pb=$(grep -a -o -m1 'NUMBER(phys_base)=-\?[0-9]*' "$plain" | head -1 | cut -d= -f2)
    [ -n "$pb" ] || { echo "no NUMBER(phys_base) in $flat" >> "$work/mdf.log"; return 1; }
    # The sub-header is the block after the header block; phys_base is
    # its first field.
    "$py" - "$plain" "$pb" <<'EOF' || return 1
import struct, sys
with open(sys.argv[1], "r+b") as f:
    h = f.read(432)
    assert h[:8] == b"KDUMP   ", "not a kdump file"
    # struct disk_dump_header (x86_64): signature[8], header_version,
    # utsname (6 x 65), timeval (8-aligned), status, block_size at 428.
    block_size, = struct.unpack_from("<i", h, 428)
    f.seek(block_size)
    f.write(struct.pack("<q", int(sys.argv[2])))
EOF
    makedumpfile --dump-dmesg "$plain" "$out" >>"$work/mdf.log" 2>&1 || return 1
    sed -i 's/\\xffffff\([0-9a-f][0-9a-f]\)/\\x\1/g' "$out"
    rm -f "$plain"
}

check_dir() {
    local dir=$1 name want scenario="" f
    name=$(basename "$dir")
    scenario=$(. "$dir/manifest.env" 2>/dev/null; echo "${SCENARIO:-qemu}")
    local kd
    kd=$(ls "$dir"/vmcore.kdump-* 2>/dev/null | head -1)
    if [ -z "$kd" ]; then
        bad "$name: no vmcore.kdump-* for makedumpfile to read"
        return
    fi
    want=$work/$name.makedumpfile.txt
    if ! oracle "$kd" "$want"; then
        bad "$name: makedumpfile --dump-dmesg failed on $(basename "$kd"):"
        sed 's/^/    /' "$work/mdf.log" | tail -5
        return
    fi
    for f in "$dir"/vmcore.elf "$dir"/vmcore-paging.elf "$dir"/vmcore.kdump-*; do
        [ -f "$f" ] || continue
        local got=$work/$name.$(basename "$f").txt rc
        "$kdx" dmesg "$f" > "$got" 2> "$work/err"
        rc=$?
        if [ $rc -ne 0 ]; then
            bad "$name/$(basename "$f"): kdx dmesg exit $rc: $(head -c 300 "$work/err")"
        elif cmp -s "$got" "$want"; then
            ok "$name/$(basename "$f"): kdx dmesg = makedumpfile on $(basename "$kd") ($(wc -l < "$want") lines)"
        else
            bad "$name/$(basename "$f"): kdx dmesg differs from makedumpfile on $(basename "$kd"):"
            diff "$got" "$want" | head -6 | sed 's/^/    /'
        fi
    done
    # JSON: the same records, and the walk complete with no problem.
    if "$kdx" dmesg --json "$dir/vmcore.elf" | "$py" -c '
import json, sys
d = json.load(sys.stdin)
assert d["complete"] and d["status"] is None, d["status"]
assert d["stats"]["damaged"] == 0
assert all(r["level"] is not None and r["ts_nsec"] is not None for r in d["records"])
print(len(d["records"]), "records,", d["stats"]["descriptors"], "descriptors,", d["stats"]["buffer_size"], "bytes")
' > "$work/json.out" 2>&1; then
        ok "$name: kdx dmesg --json complete: $(cat "$work/json.out")"
    else
        bad "$name: kdx dmesg --json: $(tail -2 "$work/json.out")"
    fi
    if [ "$scenario" = panic ]; then
        local line
        line=$(grep -m1 'Kernel panic - not syncing' "$want" | sed 's/^\[[ 0-9.]*\] //')
        if "$kdx" info "$dir/vmcore.elf" | grep -qF "panic:    " &&
           "$kdx" info "$dir/vmcore.elf" | grep -F "panic:    " | grep -qF "$line"; then
            ok "$name: kdx info names the panic: $line"
        else
            bad "$name: kdx info does not name the panic line '$line'"
        fi
        if "$kdx" info --json "$dir/vmcore.elf" | "$py" -c '
import json, sys
c = json.load(sys.stdin)["crash"]
assert c["panic"]["text"].startswith("Kernel panic - not syncing: sysrq triggered crash"), c["panic"]
assert c["cpu"] is not None and c["pid"] is not None and c["registers"], c
print("task", c["comm"], "pid", c["pid"], "cpu", c["cpu"])
' > "$work/json.out" 2>&1; then
            ok "$name: kdx info --json crash: $(cat "$work/json.out")"
        else
            bad "$name: kdx info --json crash: $(tail -2 "$work/json.out")"
        fi
    fi
}

dirs=()
for d in "$dumpdir" "$dumpdir"/dmesg/* ${KDX_DMESG_DUMPS:+"$KDX_DMESG_DUMPS"/*}; do
    [ -f "$d/manifest.env" ] && dirs+=("$d")
done
# Other harnesses' directories beside ours (lime/, xen/: their own checks
# read them) count only if they hold what this check compares with.
for d in "$dumpdir"/*; do
    [ "$d" != "$dumpdir/dmesg" ] && [ -f "$d/manifest.env" ] || continue
    if compgen -G "$d/vmcore.kdump-*" >/dev/null; then
        dirs+=("$d")
    else
        echo "note: $d has no vmcore.kdump-* (another harness's dumps): not a dmesg oracle dump"
    fi
done
if [ ${#dirs[@]} -eq 0 ]; then
    bad "no dump directories (with manifest.env) under $dumpdir"
fi
for d in "${dirs[@]}"; do
    check_dir "$d"
done
# --since, --level and --raw on the first dump, against kdx's own --json of
# the whole log (filters are checked record by record, not by eye).
if [ ${#dirs[@]} -gt 0 ] && [ -f "${dirs[0]}/vmcore.elf" ]; then
    src=${dirs[0]}/vmcore.elf
    if python3 - "$kdx" "$src" > "$work/filters.out" 2>&1 <<'PY'
import json, subprocess, sys
kdx, src = sys.argv[1:]
def run(*a):
    return subprocess.run([kdx, "dmesg", src, *a], check=True, capture_output=True).stdout
full = json.loads(run("--json"))["records"]
assert len(full) > 50, len(full)
stamps = sorted(r["ts_nsec"] for r in full if r.get("ts_nsec") is not None)
mid = stamps[len(stamps) // 2]
since = "%d.%06d" % (mid // 10**9, (mid % 10**9 + 999) // 1000)
cut = int(since.replace(".", "")) * 1000
want = [r["seq"] for r in full if r.get("ts_nsec") is not None and r["ts_nsec"] >= cut]
got = [r["seq"] for r in json.loads(run("--json", "--since", since))["records"]]
assert got == want and 0 < len(got) < len(full), (since, len(got), len(want))
want = [r["seq"] for r in full if r["level"] in (3, 4)]
got = [r["seq"] for r in json.loads(run("--json", "--level", "err,warn"))["records"]]
assert got == want and got, (len(got), len(want))
plain = run().decode("utf-8", "replace").splitlines()
raw = run("--raw").decode("utf-8", "replace").splitlines()
assert len(plain) == len(raw), (len(plain), len(raw))
for p, r, n in zip(plain, raw, range(len(raw))):
    if p.startswith("["):   # a record's first line gains "<prio>"
        assert r.startswith("<") and r[r.index(">") + 1:] == p, (n, p, r)
    else:                   # continuation lines: dmesg indents them
        assert r.strip() == p.strip(), (n, p, r)
prio = [int(r[1:r.index(">")]) for r, p in zip(raw, plain) if p.startswith("[")]
assert prio[0] == full[0]["facility"] * 8 + full[0]["level"], prio[0]
print("--since %s: %d of %d records; --level err,warn: %d; --raw == plain with <prio>" % (since, len([r for r in full if r.get("ts_nsec") is not None and r["ts_nsec"] >= cut]), len(full), len(got)))
PY
    then ok "dmesg filters on $src: $(tail -1 "$work/filters.out")"
    else bad "dmesg filters on $src: $(tail -3 "$work/filters.out" | tr '\n' ' ')"
    fi
fi
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]

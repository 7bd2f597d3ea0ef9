#!/bin/bash
# kdx on real Xen PV domU dumps made by make-xen-dumps.sh (Xen 4.17 under
# QEMU TCG, Debian's 6.1 kernel as a 64-bit PV domU, `xl dump-core` live
# and paused, `xen-mfndump dump-p2m`).
#
# Usage: check-xen-pv.sh DUMPDIR KDX   (DUMPDIR: make-xen-dumps.sh's)
# Prints one line per check and "N passed, N failed"; exit 1 on failure.
# (check-xen.sh checks the dumps against each other and kdx's basics;
# this one kdx's Xen-specific answers: the m2p, Linux's own p2m, machine
# reads, dom0 in the host dump, and kdx convert's outputs of the paused
# xc_core and the save image read back by kdx and makedumpfile.)
#
# Oracles, none of them kdx: the domU's console (its kernel log, every
# printk, as xenconsoled logged it just before each dump), xen-mfndump's
# p2m (read from the live domain by libxc), the marker the domU wrote to
# its memory, and the machine address of its VMCOREINFO note that the
# domU printed from /sys/kernel/vmcoreinfo.
set -u
dir=$1 kdx=$2
if [ ! -f "$dir/manifest.env" ]; then
    echo "FAIL: $dir/manifest.env missing (make the dumps with tests/real/make-xen-dumps.sh $dir)"
    echo "0 passed, 1 failed"
    exit 1
fi
# shellcheck disable=SC1091
. "$dir/manifest.env"
pass=0 fail=0
ok() { echo "PASS: $*"; pass=$((pass + 1)); }
bad() { echo "FAIL: $*"; fail=$((fail + 1)); }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# pfn -> mfn pairs of xen-mfndump, as "maddr paddr" lines (hex, 16 digits)
grep -o 'pfn=0x[0-9a-f]* ==> mfn=0x[0-9a-f]*' "$dir/$DOMU_P2M" |
    sed 's/pfn=0x\([0-9a-f]*\) ==> mfn=0x\([0-9a-f]*\)/\1 \2/' |
    while read -r p m; do
        printf '%016x %016x\n' $((0x$m * 4096)) $((0x$p * 4096))
    done > "$tmp/m2p.want"

# The live domain runs on while xl dump-core copies it: its log may hold
# lines newer than the console capture taken just before (seen: two
# clocksource watchdog lines 6 s after the last console line).  For it
# the console must be the log's beginning; the paused one must match.
check_dump() {
    local core=$1 console=$2 live=$3 name lines extra
    name=$(basename "$core")
    "$kdx" info "$core" > "$tmp/info" 2>&1 || { bad "$name: kdx info failed"; return; }
    grep -q '^format: *xc_core' "$tmp/info" && ok "$name: read as xc_core" ||
        bad "$name: not read as xc_core"
    grep -q "kernel: *$DOMU_OSRELEASE " "$tmp/info" &&
        ok "$name: kernel $DOMU_OSRELEASE named" || bad "$name: kernel not named"
    grep -q "the dump's p2m agrees" "$tmp/info" &&
        ok "$name: Linux's p2m list agrees with .xen_p2m" ||
        bad "$name: Linux's p2m and .xen_p2m disagree"

    "$kdx" dmesg "$core" | tr -d '\r' > "$tmp/dmesg"
    grep -E '^\[' "$dir/$console" | tr -d '\r' > "$tmp/console"
    lines=$(wc -l < "$tmp/console")
    extra=$(($(wc -l < "$tmp/dmesg") - lines))
    if [ -s "$tmp/console" ] && cmp -s "$tmp/dmesg" "$tmp/console"; then
        ok "$name: dmesg equals the console ($lines lines)"
    elif [ "$live" = live ] && [ -s "$tmp/console" ] && [ "$extra" -gt 0 ] &&
         head -n "$lines" "$tmp/dmesg" | cmp -s - "$tmp/console"; then
        ok "$name: dmesg begins with the console ($lines lines; $extra newer lines logged while the live domain ran on)"
    else
        bad "$name: dmesg differs from $console"
    fi

    uts=$("$kdx" info --json "$core" | grep -o '"SYMBOL(init_uts_ns)":"[0-9a-f]*"' |
          grep -o '[0-9a-f]*"$' | tr -d '"')
    [ "$("$kdx" read "$core" "0x$uts" 5 -o - 2>/dev/null)" = Linux ] &&
        ok "$name: init_uts_ns reads \"Linux\"" || bad "$name: init_uts_ns"

    awk '{print "0x"$1}' "$tmp/m2p.want" | xargs -n 4096 "$kdx" vtop --machine "$core" |
        awk '!/^MACHINE/ {print $1, $2}' > "$tmp/m2p.got"
    cmp -s "$tmp/m2p.got" "$tmp/m2p.want" &&
        ok "$name: m2p equals xen-mfndump's p2m ($(wc -l < "$tmp/m2p.want") frames)" ||
        bad "$name: m2p differs from xen-mfndump's p2m"

    "$kdx" read --machine "$core" "$DOMU_VMCOREINFO_MADDR" 64 -o "$tmp/note" 2>/dev/null
    grep -q 'VMCOREINFO' "$tmp/note" && grep -q 'OSRELEASE=' "$tmp/note" &&
        ok "$name: VMCOREINFO note at machine $DOMU_VMCOREINFO_MADDR" ||
        bad "$name: no VMCOREINFO note at machine $DOMU_VMCOREINFO_MADDR"

    # The marker: found in pseudo-physical memory, read back through the
    # direct map's machine-frame page tables.
    "$kdx" read --phys "$core" 0 "${DOMU_MB}M" -o "$tmp/phys" 2>/dev/null
    off=$(grep -boa "$MARKER" "$tmp/phys" | head -1 | cut -d: -f1)
    va=$(printf '0x%x' $((0xffff888000000000 + ${off:-0})))
    if [ -n "$off" ] &&
       [ "$("$kdx" read "$core" "$va" ${#MARKER} -o - 2>/dev/null)" = "$MARKER" ]; then
        ok "$name: marker at physical $(printf 0x%x "$off") reads at $va"
    else
        bad "$name: marker not read through the direct map"
    fi
    rm -f "$tmp/phys"
}

check_dump "$dir/$XC_CORE_PAUSED" "$DOMU_CONSOLE_PAUSED" paused
check_dump "$dir/$XC_CORE_LIVE" "$DOMU_CONSOLE_LIVE" live

# kdx convert of the paused xc_core and the save image to kdump (zlib) and
# ELF: the outputs are ordinary Linux dumps.  kdx reopens them (no p2m
# there: a plain x86_64 walk) and reads what it read in the input; their
# page tables equal libxc's canonical ones in the save image (every page
# the conversion rewrote); makedumpfile, which reads no xc_core, prints
# the guest's log from them.
grep -E '^\[' "$dir/$DOMU_CONSOLE_PAUSED" | tr -d '\r' > "$tmp/console"
"$kdx" read --phys "$dir/$XL_SAVE" 0 "${DOMU_MB}M" -o "$tmp/save.phys" 2>/dev/null
"$kdx" read --phys "$dir/$XC_CORE_PAUSED" 0 "${DOMU_MB}M" -o "$tmp/core.phys" 2>/dev/null
# "N M": pages of the output that differ from the xc_core's (the tables
# it rewrote), and how many of those differ from the save image's (libxc
# canonicalised every page table it saved: the independent oracle).
rewritten_vs_save() {
    python3 - "$tmp/core.phys" "$1" "$tmp/save.phys" <<'PY'
import sys
core, out, save = (open(p, "rb").read() for p in sys.argv[1:])
P = 4096
changed = [i for i in range(len(core) // P) if core[i*P:(i+1)*P] != out[i*P:(i+1)*P]]
print(len(changed), sum(out[i*P:(i+1)*P] != save[i*P:(i+1)*P] for i in changed))
PY
}
convert_checks() {
    local in=$1 what=$2 to=$3 out name
    out=$tmp/out.$to name="$what -> $to"
    if ! "$kdx" convert -q "$in" "$out" --to "$to" --json > "$tmp/report" 2>&1; then
        bad "$name: convert failed: $(head -c 300 "$tmp/report")"; return
    fi
    "$kdx" info "$out" > "$tmp/info" 2>&1
    if grep -q "^format: *${to}" "$tmp/info" && ! grep -q "Xen PV" "$tmp/info"; then
        ok "$name: read back as a plain $to ($(grep -o '"page_tables_rewritten":[0-9]*,"entries_rewritten":[0-9]*,"entries_cleared":[0-9]*' "$tmp/report"))"
    else
        bad "$name: not read as a plain Linux $to"
    fi
    "$kdx" dmesg "$out" 2>/dev/null | tr -d '\r' > "$tmp/dmesg.out"
    cmp -s "$tmp/dmesg.out" "$tmp/console" &&
        ok "$name: kdx dmesg equals the console" || bad "$name: kdx dmesg differs"
    [ "$("$kdx" read "$out" "0x$uts_va" 5 -o - 2>/dev/null)" = Linux ] &&
        ok "$name: init_uts_ns reads \"Linux\"" || bad "$name: init_uts_ns"
    [ "$("$kdx" read "$out" "$marker_va" ${#MARKER} -o - 2>/dev/null)" = "$MARKER" ] &&
        ok "$name: marker at $marker_va" || bad "$name: marker not at $marker_va"
    "$kdx" read --phys "$out" 0 "${DOMU_MB}M" -o "$tmp/out.phys" 2>/dev/null
    if [ "$what" = save ]; then
        cmp -s "$tmp/out.phys" "$tmp/save.phys" &&
            ok "$name: every page as the save image holds it" ||
            bad "$name: pages differ from the save image's"
    else
        read -r changed differ < <(rewritten_vs_save "$tmp/out.phys")
        [ "${changed:-0}" -gt 0 ] && [ "$differ" = 0 ] &&
            ok "$name: the $changed pages it rewrote equal the save image's canonical tables" ||
            bad "$name: ${changed:-?} pages rewritten, ${differ:-?} of them differ from the save image's"
    fi
    rm -f "$tmp/out.phys"
    if command -v makedumpfile >/dev/null; then
        rm -f "$tmp/mdmesg"
        makedumpfile --dump-dmesg "$out" "$tmp/mdmesg" > "$tmp/mlog" 2>&1
        tr -d '\r' < "$tmp/mdmesg" 2>/dev/null | cmp -s - "$tmp/console" &&
            ok "$name: makedumpfile --dump-dmesg gives the guest's log" ||
            bad "$name: makedumpfile --dump-dmesg: $(tail -3 "$tmp/mlog" | tr '\n' ' ')"
    else
        bad "makedumpfile missing (Debian package makedumpfile)"
    fi
    rm -f "$out"
}
core=$dir/$XC_CORE_PAUSED
uts_va=$("$kdx" info --json "$core" | grep -o '"SYMBOL(init_uts_ns)":"[0-9a-f]*"' |
         grep -o '[0-9a-f]*"$' | tr -d '"')
off=$(grep -boa "$MARKER" "$tmp/core.phys" | head -1 | cut -d: -f1)
marker_va=$(printf '0x%x' $((0xffff888000000000 + ${off:-0})))
for to in kdump elf; do
    convert_checks "$core" xc_core $to
    convert_checks "$dir/$XL_SAVE" save $to
done
rm -f "$tmp/core.phys" "$tmp/save.phys"

# kdx convert --machine, for crash: the xc_cores written as a Xen kdump
# presents a domain (each pseudo-physical page at its machine address,
# page tables untouched, Xen's crash-info note naming the guest's p2m
# frame list list).  Oracles: xen-mfndump's p2m (each page of the output
# at a machine address must be the xc_core's page at the pfn xen-mfndump
# gives, the ELF parsed here, not by kdx), the console, the marker, and
# crash on the xc_core itself (its own xendump reader) for the task list.
# crash runs when it and Debian's debug vmlinux are here: KDX_VMLINUX (or
# KDX_DRGN_VMLINUX, as tests/python), or /usr/lib/debug/boot/vmlinux-KREL
# (linux-image-KREL-dbg, ~850 MB, not in CI); without them only the
# kdx-side checks run, and it says so.  With them, drgn over kdx
# (kdx.drgn) on the xc_core gives for_each_task for the task list too.
placed_as_mfndump() {
    python3 - "$1" "$2" "$dir/$DOMU_P2M" <<'PY'
import re, struct, sys
elf, phys = open(sys.argv[1], "rb").read(), open(sys.argv[2], "rb").read()
P = 4096
phoff, = struct.unpack_from("<Q", elf, 0x20)
phnum, = struct.unpack_from("<H", elf, 0x38)
loads = []
for i in range(phnum):
    t, _, off, _, pa, fsz, _ = struct.unpack_from("<IIQQQQQ", elf, phoff + 56 * i)
    if t == 1:
        loads.append((pa, fsz, off))
def at(maddr):
    for pa, fsz, off in loads:
        if pa <= maddr < pa + fsz:
            return elf[off + maddr - pa: off + maddr - pa + P]
    return None
pairs = re.findall(r"pfn=0x([0-9a-f]+) ==> mfn=0x([0-9a-f]+)", open(sys.argv[3]).read())
bad = sum(at(int(m, 16) * P) != phys[int(p, 16) * P:(int(p, 16) + 1) * P] for p, m in pairs)
held = sum(fsz for _, fsz, _ in loads) // P
print(len(pairs), bad, held)
PY
}
vmlinux=${KDX_VMLINUX:-${KDX_DRGN_VMLINUX:-/usr/lib/debug/boot/vmlinux-$DOMU_OSRELEASE}}
have_crash=
if ! command -v crash >/dev/null; then
    echo "NOTE: crash is not installed: convert --machine is NOT checked in crash"
elif [ ! -f "$vmlinux" ]; then
    echo "NOTE: no debug vmlinux at $vmlinux (set KDX_VMLINUX, or apt-get install linux-image-$DOMU_OSRELEASE-dbg): convert --machine is NOT checked in crash"
else
    have_crash=1
fi
# crash's answers on FILE: log, the release, the marker, the task list.
crash_session() {
    printf '%s\n' 'sys' 'log' "rd -a $marker_va" 'p init_uts_ns.name.release' \
        "vtop $marker_va" 'list task_struct.tasks -h init_task' 'quit' |
        timeout 600 crash -s "$vmlinux" "$1" > "$2" 2>&1
}
crash_tasks() { grep -E '^ffff[0-9a-f]+$' "$1"; }
marker_pfn=$(( ${off:-0} / 4096 ))
marker_mfn=$(grep -o "pfn=$(printf 0x%x $marker_pfn) ==> mfn=0x[0-9a-f]*" "$dir/$DOMU_P2M" | sed 's/.*mfn=//')
elf_loads() {
    python3 - "$1" <<'PY'
import struct, sys
elf = open(sys.argv[1], "rb").read()
phoff, = struct.unpack_from("<Q", elf, 0x20)
phnum, = struct.unpack_from("<H", elf, 0x38)
for i in range(phnum):
    t, _, off, _, pa, fsz, _ = struct.unpack_from("<IIQQQQQ", elf, phoff + 56 * i)
    if t == 1:
        print(pa, fsz, off)
PY
}
# crash's answers on OUT (the output of CORE) against the oracles.
crash_checks() {
    local out=$1 core=$2 console=$3 name=$4
    crash_session "$out" "$tmp/crash.out"
    grep -E '^\[' "$dir/$console" | tr -d '\r' > "$tmp/console.m"
    grep -E '^\[' "$tmp/crash.out" > "$tmp/crash.log"
    [ -s "$tmp/console.m" ] && cmp -s "$tmp/crash.log" "$tmp/console.m" &&
        ok "$name: crash log equals the console ($(wc -l < "$tmp/console.m") lines)" ||
        bad "$name: crash log differs from $console: $(head -3 "$tmp/crash.out" | tr '\n' ' ')"
    grep -qE "^ +RELEASE: $DOMU_OSRELEASE\$" "$tmp/crash.out" &&
        grep -qF "\"$DOMU_OSRELEASE\\000" "$tmp/crash.out" &&
        ok "$name: crash sys and init_uts_ns: $DOMU_OSRELEASE" ||
        bad "$name: crash does not name $DOMU_OSRELEASE"
    grep -qF "$MARKER" "$tmp/crash.out" &&
        ok "$name: crash rd $marker_va reads the marker" ||
        bad "$name: crash rd $marker_va: no marker"
    grep -qE "^ +PAGE: 0*${marker_mfn#0x}000 \[machine\]" "$tmp/crash.out" &&
        ok "$name: crash vtop walks the machine-frame tables to mfn $marker_mfn" ||
        bad "$name: crash vtop $marker_va: not through mfn $marker_mfn"
    [ -s "$tmp/crash.xc" ] || crash_session "$core" "$tmp/crash.xc"
    crash_tasks "$tmp/crash.out" > "$tmp/tasks.out"
    crash_tasks "$tmp/crash.xc" > "$tmp/tasks.xc"
    [ -s "$tmp/tasks.xc" ] && cmp -s "$tmp/tasks.out" "$tmp/tasks.xc" &&
        ok "$name: crash's task list equals crash's on the xc_core ($(wc -l < "$tmp/tasks.xc") tasks)" ||
        bad "$name: crash's task list: $(wc -l < "$tmp/tasks.out") tasks, $(wc -l < "$tmp/tasks.xc") on the xc_core"
    # drgn over kdx on the xc_core: for_each_task (the pid idr, init_task
    # not in it) against crash's list of init_task.tasks on the output.
    if [ -s "$tmp/drgn.tasks" ]; then
        sed 's/^0*//' "$tmp/tasks.out" | grep -vxF "$init_task" | sort > "$tmp/tasks.cmp"
        cmp -s "$tmp/tasks.cmp" "$tmp/drgn.tasks" &&
            ok "$name: crash's tasks but init_task equal drgn's for_each_task on the xc_core ($(wc -l < "$tmp/drgn.tasks"))" ||
            bad "$name: crash's tasks differ from drgn's for_each_task on the xc_core"
    fi
}
# drgn's for_each_task over kdx (kdx.drgn) on CORE, sorted, into
# $tmp/drgn.tasks; empty when drgn or kdx's Python module is not here.
drgn_tasks() {
    : > "$tmp/drgn.tasks"
    init_task=$(PYTHONPATH=$(dirname "$kdx")/python /usr/bin/python3 - "$vmlinux" "$1" "$tmp/drgn.tasks" <<'PY' 2>"$tmp/drgn.err"
import sys
import kdx.drgn
from drgn.helpers.linux.pid import for_each_task
p = kdx.drgn.program(sys.argv[2], debug_info=[sys.argv[1]])
tasks = sorted("%x" % t.value_() for t in for_each_task(p))
open(sys.argv[3], "w").write("".join(t + "\n" for t in tasks))
print("%x" % p["init_task"].address_of_().value_())
PY
) || { echo "NOTE: drgn over kdx not run: $(tail -1 "$tmp/drgn.err")"; : > "$tmp/drgn.tasks"; }
}
machine_checks() {
    local core=$1 console=$2 name elf=$tmp/machine.elf kd=$tmp/machine.kdump
    name="$(basename "$core") -> --machine"
    rm -f "$tmp/crash.xc"
    if ! "$kdx" convert -q "$core" "$elf" --to elf --machine 2>"$tmp/err" ||
       ! "$kdx" convert -q "$core" "$kd" --to kdump --machine 2>"$tmp/err"; then
        bad "$name: $(head -c 300 "$tmp/err")"; return
    fi
    "$kdx" read --phys "$core" 0 "${DOMU_MB}M" -o "$tmp/m.phys" 2>/dev/null
    read -r pairs differ held < <(placed_as_mfndump "$elf" "$tmp/m.phys")
    [ "${pairs:-0}" -gt 0 ] && [ "$differ" = 0 ] && [ "$held" = "$pairs" ] &&
        ok "$name elf: each of $pairs pages at the machine address xen-mfndump gives, as the xc_core holds it (tables untouched)" ||
        bad "$name elf: ${differ:-?} of ${pairs:-?} pages not at their mfn with the xc_core's bytes (${held:-?} held)"
    rm -f "$tmp/m.phys"
    local same=0 segs=0
    while read -r pa fsz foff; do
        segs=$((segs + 1))
        "$kdx" read --phys "$kd" "$pa" "$fsz" -o "$tmp/seg" 2>/dev/null &&
            tail -c +$((foff + 1)) "$elf" | head -c "$fsz" | cmp -s - "$tmp/seg" &&
            same=$((same + 1))
    done < <(elf_loads "$elf")
    rm -f "$tmp/seg"
    [ "$segs" -gt 0 ] && [ "$same" = "$segs" ] &&
        ok "$name kdump: the same memory at the same machine addresses ($segs ranges)" ||
        bad "$name kdump: $same of $segs ranges as the ELF holds them"
    # kdx reads the guest's p2m tree from the ELF's crash-info note (on
    # the kdump, whose header gives max_pfn, kdx's p2m reader does not
    # look: the note's mfn is checked there).
    fll=$(grep -o 'xen_p2m_frame_list_list *0x[0-9a-f]*' <("$kdx" info "$core") | grep -o '0x[0-9a-f]*$')
    "$kdx" info "$elf" > "$tmp/info" 2>&1
    grep -q "frame-list tree at $fll: $pairs frames for pfns" "$tmp/info" &&
        ok "$name elf: its crash-info note leads to the guest's p2m tree at $fll ($pairs frames)" ||
        bad "$name elf: no p2m tree at ${fll:-?} from its crash-info note"
    "$kdx" info "$kd" 2>&1 | grep -q "dom0 p2m tree at mfn $fll\$" &&
        ok "$name kdump: its crash-info note names the tree at $fll" ||
        bad "$name kdump: its crash-info note does not name ${fll:-?}"
    if [ -n "$have_crash" ]; then
        drgn_tasks "$core"
        crash_checks "$elf" "$core" "$console" "$name elf"
        crash_checks "$kd" "$core" "$console" "$name kdump"
    fi
    rm -f "$elf" "$kd"
}
if [ -n "$off" ]; then
    machine_checks "$dir/$XC_CORE_PAUSED" "$DOMU_CONSOLE_PAUSED"
    machine_checks "$dir/$XC_CORE_LIVE" "$DOMU_CONSOLE_LIVE"
else
    bad "convert --machine: the marker is not in the paused xc_core"
fi

# The host dump (QEMU's ELF of the whole VM, machine memory): dom0's
# kernel, found by its VMCOREINFO and a CPU's CR3, read with no option.
host=$dir/$HOST_DUMP
"$kdx" info "$host" > "$tmp/info" 2>&1
grep -q "found in physical memory at $(printf 0x%x $((DOM0_VMCOREINFO_MADDR + 0x18)))" "$tmp/info" &&
    ok "host: dom0's VMCOREINFO found at machine $DOM0_VMCOREINFO_MADDR" ||
    bad "host: dom0's VMCOREINFO not found where dom0 said"
grep -q "a Xen PV kernel in machine memory" "$tmp/info" &&
    ok "host: dom0's root from a CPU's CR3" || bad "host: no PV root"
uts=$("$kdx" info --json "$host" | grep -o '"SYMBOL(init_uts_ns)":"[0-9a-f]*"' |
      grep -o '[0-9a-f]*"$' | tr -d '"')
[ "$("$kdx" read "$host" "0x$uts" 5 -o - 2>/dev/null)" = Linux ] &&
    ok "host: dom0's init_uts_ns reads \"Linux\"" || bad "host: dom0's init_uts_ns"
"$kdx" dmesg "$host" 2>/dev/null | tr -d '\r' | grep -qxF "[    0.000000] Command line: $DOM0_ARGS" &&
    ok "host: dom0's log has its command line" || bad "host: dom0's log"
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]

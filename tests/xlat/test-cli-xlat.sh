#!/usr/bin/env bash
# kdx vtop, maps, virtual read and info's translation section on the
# synthetic Linux dumps mkxlatdump writes.
#   test-cli-xlat.sh KDX MKXLATDUMP
set -u
kdx=$1 mk=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
pass=0 fail=0
ok() { pass=$((pass + 1)); echo "ok   - $*"; }
bad() { fail=$((fail + 1)); echo "FAIL - $*"; }
check() { local what=$1; shift; if "$@"; then ok "$what"; else bad "$what"; fi; }
run() { # CODE WHAT CMD...: run, keep stdout/stderr, check the exit code
	local code=$1 what=$2; shift 2
	"$@" >"$work/out" 2>"$work/err"; local rc=$?
	if [ "$rc" -eq "$code" ]; then ok "$what (exit $rc)"; else bad "$what: exit $rc, expected $code; stderr: $(cat "$work/err")"; fi
}
has() { grep -qF -- "$1" "$work/${2:-out}"; }
json() { python3 -c "import json,sys; d=json.load(open('$work/out')); sys.exit(0 if ($1) else 1)"; }

for v in kaslr cpu physonly pae xenpv arm64; do
	"$mk" "$work/$v.elf" $v || { echo "FAIL - mkxlatdump $v"; exit 1; }
done
d=$work/kaslr.elf

# vtop
run 0 "vtop of kernel text" "$kdx" vtop "$d" 0xffffffff9f000123
check "text: physical, 2M, r-x kernel global" has "ffffffff9f000123  0000000001000123  2M    r-x k g"
run 1 "vtop of an unmapped page" "$kdx" vtop "$d" 0xffffc90000001000
check "unmapped: names level, table, index, entry" has "PT entry 0x0 at 0x1108000 [index 1] not present"
run 2 "vtop of a non-canonical address" "$kdx" vtop "$d" 0x0000900000000000
check "non-canonical is said" has "is not canonical"
run 0 "vtop -v" "$kdx" vtop -v "$d" 0xffff9a4000001234
check "-v: PML4 level" has "PML4  table 0x1100000      [ 308]  entry at 0x11009a0"
check "-v: PT level" has "PT    table"
check "-v: page line" has "PAGE  0x1000 + offset 0x234"
run 0 "vtop --json" "$kdx" vtop --json "$d" 0xffff9a4000001234 0xffffffff9f200000
check "json: translations" json "d['root']==0x1100000 and d['translations'][0]['paddr']==0x1234 and d['translations'][0]['page_size']==4096 and len(d['translations'][0]['levels'])==4 and d['translations'][1]['flags']==['writable','global']"
run 1 "vtop --json with an unmapped address" "$kdx" vtop --json "$d" 0xffffc90000001000
check "json: error with code" json "d['translations'][0]['error_code']=='nodata' and len(d['translations'][0]['levels'])==4"

# maps
run 0 "maps" "$kdx" maps "$d"
check "maps: direct map merged 4K+2M" has "ffff9a4000000000-ffff9a4001ffffff  0000000000000000      32 MiB  4K+2M  rw- k g"
check "maps: the unmapped vmalloc page splits two runs" has "ffffc90000002000-ffffc90000002fff  0000000000300000       4 KiB  4K     rw- k g"
check "maps: text split by flags" has "ffffffff9f200000-ffffffff9f3fffff  0000000001200000       2 MiB  2M     rwx k g"
check "maps: five ranges" has "# 5 ranges, 36.0 MiB mapped"
run 0 "maps --json" "$kdx" maps --json "$d"
check "maps json: ranges" json "d['count']==5 and [m['start'] for m in d['mappings']]==[0xffff9a4000000000,0xffffc90000000000,0xffffc90000002000,0xffffffff9f000000,0xffffffff9f200000] and d['mappings'][0]['end']-d['mappings'][0]['start']==32<<20 and d['mappings'][0]['page_sizes']==[4096,2097152]"
run 0 "maps --no-merge --start/--end" "$kdx" maps --json --no-merge "$d" --start 0xffff9a4000000800 --end 0xffff9a4000002fff
check "maps: clipped and unmerged" json "[(m['start'],m['phys'],m['size']) for m in d['mappings']]==[(0xffff9a4000000800,0x800,0x800),(0xffff9a4000001000,0x1000,0x1000),(0xffff9a4000002000,0x2000,0x1000)]"
run 2 "maps --start above --end" "$kdx" maps "$d" --start 2 --end 1

# read: virtual by default
run 0 "read a virtual address across two pages" "$kdx" read "$d" 0xffffc90000000ff8 8 -o "$work/a.bin"
check "read: the marker's first half" test "$(cat "$work/a.bin")" = "KDX-VIRT"
run 1 "read into an unmapped page" "$kdx" read "$d" 0xffffc90000000ff8 0x1010
check "read: the error names the unmapped address" has "translate 0xffffc90000001000" err
run 0 "read --zero-fill through an unmapped page" "$kdx" read "$d" 0xffffc90000000ff8 0x1010 --zero-fill -o "$work/z.bin"
check "zero-fill note on stderr" has "0x1000 bytes of holes from 0xffffc90000001000" err
check "bytes after the hole" test "$(tail -c 8 "$work/z.bin")" = "after th"
run 0 "read --phys still physical" "$kdx" read "$d" 0x500ff8 8 --phys -o "$work/p.bin"
check "physical read equals virtual" cmp -s "$work/a.bin" "$work/p.bin"

# info: translation section
run 0 "info" "$kdx" info "$d"
check "info: mode" has "translation: x86-64 paging (VMCOREINFO NUMBER(pgtable_l5_enabled)=0)"
check "info: os" has "  os           linux"
check "info: root" has "root         0x1100000 (VMCOREINFO SYMBOL(init_top_pgt) - __START_KERNEL_map + phys_base)"
check "info: KASLR" has "KASLR offset 0x1e000000 (VMCOREINFO KERNELOFFSET)"
check "info: phys_base" has "phys_base    -0x1e000000"
check "info: direct map" has "direct map   0xffff9a4000000000 (page tables: first mapping of low physical memory)"
run 0 "info --json" "$kdx" info --json "$d"
check "info json: translation" json "d['translation']['root']==0x1100000 and d['translation']['phys_base']==-0x1e000000 and d['translation']['page_offset']==0xffff9a4000000000 and d['translation']['mode']=='x86-64' and d['translation']['physical_only']==False and d['translation']['os']=='linux'"

# the CPU's CR3 when there is no VMCOREINFO
run 0 "info without VMCOREINFO" "$kdx" info "$work/cpu.elf"
check "root from CR3" has "root         0x1100000 (CPU 0 CR3 (QEMU CPU state note))"
run 0 "vtop via CR3" "$kdx" vtop "$work/cpu.elf" 0xffff9a4001000000
check "CR3 translation" has "ffff9a4001000000  0000000001000000  2M"

# paging off: physical only, and said so
run 0 "info, paging off" "$kdx" info "$work/physonly.elf"
check "info says physical only" has "translation: none, physical addresses only: CPU 0 has paging off (CR0 0x60000011, PG clear)"
run 3 "vtop on a physical-only dump" "$kdx" vtop "$work/physonly.elf" 0xffffffff9f000000
check "vtop refusal says why" has "read it with --phys" err
run 3 "virtual read on a physical-only dump" "$kdx" read "$work/physonly.elf" 0xffffffff9f000000 16
run 0 "--root overrides" "$kdx" vtop "$work/physonly.elf" 0xffffffff9f000000 --root 0x1100000 --mode 4level
run 2 "bad --mode" "$kdx" vtop "$d" 0x1000 --mode ppc64-hash
run 2 "bad --root" "$kdx" vtop "$d" 0x1000 --root zz
run 0 "--page-offset and a negative --phys-base" "$kdx" vtop "$d" 0xffffffff9f000000 --page-offset 0xffff888000000000 --phys-base -0x1e000000
run 1 "a wrong --phys-base moves the root" "$kdx" vtop "$d" 0xffffffff9f000000 --phys-base -0x1d000000

# i386 PAE
run 0 "i386 PAE vtop" "$kdx" vtop "$work/pae.elf" 0xc1100010
check "PAE: swapper_pg_dir maps to the root" has "00000000c1100010  0000000001100010  2M"
run 2 "i386: beyond 32 bits" "$kdx" vtop "$work/pae.elf" 0x100000000

# A Xen PV guest (xc_core): machine-frame tables, pfn = mfn ^ 0x1000
x=$work/xenpv.elf
run 0 "xen: info" "$kdx" info "$x"
check "xen: read as xc_core" has "format:     xc_core"
check "xen: PV mode" has "translation: x86-64 paging (Xen PV x86_64 guest (4-level paging))"
check "xen: root from the vCPU" has "root         0x1100000 (Xen vCPU CR3 (machine address))"
check "xen: the root check passes" sh -c "! grep -q 'note:' '$work/out'"
run 0 "xen: vtop" "$kdx" vtop "$x" 0xffffffff9f000123
check "xen: machine column" has "VIRTUAL           PHYSICAL          MACHINE           PAGE  FLAGS"
check "xen: pseudo-physical and machine" has "ffffffff9f000123  0000000000000123  0000000001000123  2M"
run 0 "xen: vtop -v" "$kdx" vtop -v "$x" 0xffffffff9f000123
check "xen: levels say machine and pseudo-physical" has "(machine; table at pseudo-physical 0x100000)"
run 0 "xen: vtop --json" "$kdx" vtop --json "$x" 0xffffffff9f000123
check "xen: json maddr and paddr" json "d['root_space']=='machine' and d['translations'][0]['maddr']==0x1000123 and d['translations'][0]['paddr']==0x123 and d['translations'][0]['levels'][0]['table_maddr']==0x1100000 and d['translations'][0]['levels'][0]['table']==0x100000"
run 0 "xen: vtop --machine" "$kdx" vtop --machine "$x" 0x1000123 0x1e00000
check "xen: m2p lookup" has "0000000001000123  0000000000000123"
check "xen: m2p lookup of the VMCOREINFO page" has "0000000001e00000  0000000000e00000"
run 0 "xen: read --machine" "$kdx" read --machine "$x" 0x1e00000 10 -o "$work/m.bin"
run 0 "xen: read --phys" "$kdx" read --phys "$x" 0xe00000 10 -o "$work/p.bin"
check "xen: machine and pseudo-physical reads agree" test "$(cat "$work/m.bin")" = "OSRELEASE=" -a "$(cat "$work/p.bin")" = "OSRELEASE="
run 1 "xen: a machine frame past the p2m" "$kdx" read --machine "$x" 0x7000000 8
check "xen: ... is named" has "no pfn maps mfn 0x7000" err
run 2 "xen: --phys and --machine" "$kdx" read --phys --machine "$x" 0 8
run 2 "--machine on a dump without machine addresses" "$kdx" read --machine "$d" 0 8
check "... says why" has "has no machine addresses" err
run 0 "xen: maps" "$kdx" maps "$x"
check "xen: maps' column is machine" has "MACHINE"
# AArch64: the user half's table (TTBR0) and the physical address width
a=$work/arm64.elf
run 2 "arm64: a user address needs a TTBR0 root" "$kdx" vtop "$a" 0x400010
check "arm64: says no TTBR0 root was given" has "no TTBR0 root given"
run 0 "arm64: vtop --root-low" "$kdx" vtop --root-low 0x1105000 "$a" 0x400010 0xffff000000001234
check "arm64: user page through TTBR0" has "0000000000400010  0000000000600010  4K    rwx u g"
check "arm64: kernel still through TTBR1" has "ffff000000001234  0000000000001234  2M"
run 0 "arm64: read --root-low" "$kdx" read --root-low 0x1105000 "$a" 0x400000 16
check "arm64: the marker through TTBR0" has "KDX-TTBR0-MARKER"
run 0 "arm64: maps --root-low --json" "$kdx" maps --json --root-low 0x1105000 "$a"
check "arm64: maps lists both halves" json "d['root_low']==0x1105000 and d['mappings'][0]['start']==0x400000 and d['mappings'][-1]['start']==0xffff800080000000"
run 0 "arm64: 48 physical bits by default" "$kdx" vtop --root-low 0x1105000 "$a" 0x401010
check "arm64: bit 8 is shareability" has "0000000000401010  0000000000001010"
run 0 "arm64: --phys-bits 52 (LPA2)" "$kdx" vtop --root-low 0x1105000 --phys-bits 52 "$a" 0x401010
check "arm64: bits 9:8 are PA[51:50]" has "0000000000401010  0004000000001010"
run 2 "--phys-bits out of range" "$kdx" vtop --phys-bits 20 "$a" 0x0
check "--phys-bits: says the range" has "not 32..64" err
run 2 "--phys-bits beyond the mode's" "$kdx" vtop --phys-bits 60 "$a" 0xffff000000001234
check "--phys-bits: names the mode's limit" has "outside 32..52" err
run 2 "x86-64 has no low root" "$kdx" vtop --root-low 0x1000 "$d" 0xffffffff9f000123
check "x86-64: give a process's table as the root" has "one root for the whole address space" err

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]

#!/usr/bin/env bash
# Command-line behaviour: hexdump identical to xxd's, raw output, exit
# codes, JSON that parses, no half-written output files.
#   test-cli.sh KDX MKDUMP
set -u
kdx=$1 mkdump=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
pass=0 fail=0
ok() { pass=$((pass + 1)); echo "ok   - $*"; }
bad() { fail=$((fail + 1)); echo "FAIL - $*"; }
check() { local what=$1; shift; if "$@"; then ok "$what"; else bad "$what"; fi; }
expect_exit() { # CODE WHAT CMD...
	local code=$1 what=$2; shift 2
	"$@" >"$work/out" 2>"$work/err"; local rc=$?
	if [ "$rc" -eq "$code" ]; then ok "$what (exit $rc)"; else bad "$what: exit $rc, expected $code; stderr: $(cat "$work/err")"; fi
}
for tool in xxd python3 cmp gzip; do
	command -v $tool >/dev/null || { echo "FAIL - $tool is missing"; echo "0 passed, 1 failed"; exit 1; }
done

"$mkdump" "$work/le.elf" || exit 1
"$mkdump" "$work/be.elf" --big-endian || exit 1
head -c 300000 /dev/urandom >"$work/raw.bin"

# Hexdump: byte for byte what xxd prints for the same bytes (a raw image at
# base 0 makes addresses equal file offsets). Odd lengths test the last line.
for range in "0 256" "0x1233 1001" "0x40000 17" "299990 10"; do
	set -- $range
	"$kdx" read "$work/raw.bin" "$1" "$2" --phys --format raw >"$work/kdx.hex" 2>"$work/err"
	xxd -s "$1" -l "$2" "$work/raw.bin" >"$work/xxd.hex"
	check "hexdump of $1+$2 equals xxd" cmp -s "$work/kdx.hex" "$work/xxd.hex"
done

# Raw output equals the bytes; crossing into the p_memsz tail notes zeros.
"$kdx" read "$work/raw.bin" 0x100 0x10000 --phys --format raw -o "$work/o.bin"
check "-o writes the exact bytes" cmp -s "$work/o.bin" <(tail -c +257 "$work/raw.bin" | head -c 65536)
expect_exit 0 "read into the p_memsz tail" "$kdx" read "$work/le.elf" 0x16f000 0x2000 --phys -o "$work/tail.bin"
check "tail read notes the zeros on stderr" grep -q "not written to the dump" "$work/err"
check "tail bytes are zeros" cmp -s <(tail -c 4096 "$work/tail.bin") <(head -c 4096 /dev/zero)

# Big-endian ELF32 on this little-endian host reads the same memory.
"$kdx" read "$work/le.elf" 0x9e000 0x1000 --phys -o "$work/le.bin"
"$kdx" read "$work/be.elf" 0x9e000 0x1000 --phys -o "$work/be.bin"
check "big-endian ELF32 reads the same bytes as little-endian ELF64" cmp -s "$work/le.bin" "$work/be.bin"

# Exit codes.
expect_exit 1 "a hole is a dump problem" "$kdx" read "$work/le.elf" 0x9f000 16 --phys
check "hole error names the first missing address" grep -q "0x9f000" "$work/err"
expect_exit 0 "--zero-fill reads through the hole" "$kdx" read "$work/le.elf" 0x9eff0 0x20 --phys --zero-fill
expect_exit 1 "failed read leaves no output file" "$kdx" read "$work/le.elf" 0x9e000 0x2000 --phys -o "$work/none.bin"
check "no output file after a failed read" test ! -e "$work/none.bin"
check "no temporary file left behind" test -z "$(ls "$work" | grep kdx-)"
expect_exit 2 "missing LEN is a usage error" "$kdx" read "$work/le.elf" 0x1000
expect_exit 2 "bad number is a usage error" "$kdx" read "$work/le.elf" 0x1000 12Q --phys
expect_exit 2 "unknown command" "$kdx" frobnicate
expect_exit 2 "unknown option" "$kdx" info --nope "$work/le.elf"
expect_exit 3 "missing file is not found" "$kdx" info "$work/missing"

# A compressed dump is held to --max-decompressed, and the error says how.
gzip -c "$work/le.elf" >"$work/le.elf.gz"
expect_exit 3 "a gzip dump past --max-decompressed is refused" "$kdx" info "$work/le.elf.gz" --max-decompressed 4k
check "the refusal names the limit and the option" grep -q "more than 0x1000 bytes, kdx's limit (max_decompressed, --max-decompressed)" "$work/err"
expect_exit 0 "the same dump under a larger limit" "$kdx" info "$work/le.elf.gz" --max-decompressed 64M
# zstd from a pipe asks for a 2 MiB window whatever the size: a limit
# below it refuses before decoding, and says which option sets it.
zstd -q -c <"$work/le.elf" >"$work/le.elf.zst"
expect_exit 3 "a zstd window past --max-decompressed is refused" "$kdx" info "$work/le.elf.zst" --max-decompressed 1M
check "the window refusal names the option" grep -q "asks for a window above 1048576 bytes, kdx's limit (0x100000 bytes of output: max_decompressed, --max-decompressed" "$work/err"
expect_exit 0 "the same zstd dump under a 2 MiB limit" "$kdx" info "$work/le.elf.zst" --max-decompressed 2M
expect_exit 2 "--max-decompressed 0 is a usage error" "$kdx" info "$work/le.elf.gz" --max-decompressed 0
expect_exit 2 "--max-decompressed of words is a usage error" "$kdx" info "$work/le.elf.gz" --max-decompressed lots
expect_exit 3 "unrecognised content" "$kdx" info "$work/raw.bin"
expect_exit 3 "unknown --format" "$kdx" info --format nosuch "$work/le.elf"
# Every command takes a dump's files where it takes DUMP (split kdump
# sets: tests/unit/test_kdump.c, tests/real/check_kdump.py); two ELF files
# are not one dump.
cp "$work/le.elf" "$work/le2.elf"
for cmd in "read $work/le.elf $work/le2.elf 0 16 --phys" "vtop $work/le.elf $work/le2.elf 0x1000" \
           "maps $work/le.elf $work/le2.elf" "dmesg $work/le.elf $work/le2.elf" \
           "convert $work/le.elf $work/le2.elf $work/out.kdump --to kdump"; do
    # shellcheck disable=SC2086 # the words are the command line
    expect_exit 3 "two ELF files are not one dump: kdx ${cmd%% *}" "$kdx" $cmd
    check "kdx ${cmd%% *} says ELF dumps are not split" grep -q "elf dumps are not split across files" "$work/err"
done
check "convert left no output" test ! -e "$work/out.kdump"
expect_exit 0 "help" "$kdx" help
expect_exit 0 "command help" "$kdx" read --help
check "read --help explains --zero-fill" grep -q -- "--zero-fill" "$work/out"
expect_exit 0 "help formats" "$kdx" help formats
check "help formats lists elf and raw" grep -q "raw" "$work/out"
for f in lime avml qemu-savevm libvirt-save vmware; do
    check "help formats lists $f" grep -q "^  $f " "$work/out"
done

# JSON: parses, and says what the synthetic dump holds.
"$kdx" info "$work/le.elf" --json >"$work/info.json"
check "info --json describes the dump" python3 - "$work/info.json" <<'PY'
import json, sys
j = json.load(open(sys.argv[1]))
assert j["format"] == "elf" and j["arch"] == "x86_64", j
assert j["byte_order"] == "little" and j["word_size"] == 8 and j["page_size"] == 4096
assert j["cpus"] == 2 and j["qemu_cpu_notes"] == 2
assert j["vmcoreinfo"]["OSRELEASE"] == "6.1.0-synthetic"
r = j["memory"]["ranges"]
assert [(x["start"], x["end"], x["kind"]) for x in r] == [(0, 0x9f000, "file"), (0x100000, 0x170000, "file"), (0x170000, 0x180000, "zero")], r
assert j["memory"]["holes"] == [{"start": 0x9f000, "end": 0x100000, "size": 0x61000}]
assert j["memory"]["total"] == 0x9f000 + 0x80000
assert j["cpu_state"][1]["registers"]["rip"] == 0xffffffff81000001
assert j["cpu_state"][0]["registers"]["cr3"] == 0x1000
assert j["segments"] == 2 and j["segments_have_virtual"] is False
PY
"$kdx" info "$work/be.elf" --json >"$work/be.json"
check "big-endian info" python3 -c "import json,sys; j=json.load(open(sys.argv[1])); assert j['arch']=='ppc' and j['byte_order']=='big' and j['details']['class']=='ELF32' and j['vmcoreinfo']['OSRELEASE']=='6.1.0-synthetic', j" "$work/be.json"
"$kdx" info "$work/le.elf" >"$work/info.txt"
check "text info names the release and the CPUs" grep -q "OSRELEASE=6.1.0-synthetic" "$work/info.txt"

# What is not a file kdx can read by position is named and refused at
# once: a FIFO without a writer (which once blocked forever), a FIFO with
# data, a character device (which once said "the file is empty").
mkfifo "$work/fifo"
expect_exit 3 "a FIFO without a writer is refused, not waited on" timeout 10 "$kdx" info "$work/fifo"
check "it says the file is a FIFO" grep -q "fifo is a FIFO" "$work/err"
exec 3<>"$work/fifo"
cat "$work/le.elf" >&3 & writer=$!
expect_exit 3 "a FIFO with data is refused" timeout 10 "$kdx" dmesg "$work/fifo"
check "it says the file is a FIFO, not empty" grep -q "is a FIFO" "$work/err"
exec 3>&-
kill $writer 2>/dev/null; wait $writer 2>/dev/null
expect_exit 3 "/dev/zero is refused" timeout 10 "$kdx" read /dev/zero 0 16 --phys --format raw
check "it says /dev/zero is a character device" grep -q "/dev/zero is a character device" "$work/err"
expect_exit 0 "a regular file through /dev/stdin is read" "$kdx" info /dev/stdin <"$work/le.elf"

# Page tables that point at each other (every PML4 and PDPT entry at one
# table, every PD entry a 2 MiB page at physical 0) map a 64 KiB image
# 2^27 times: maps stops after a million ranges (8 per page, at least a
# million) and says where, instead of writing gigabytes.
python3 - "$work/alias.raw" <<'PY'
import struct, sys
img = bytearray(0x10000)
for i in range(512):
    struct.pack_into("<Q", img, 0x1000 + 8 * i, 0x2000 | 3)
    struct.pack_into("<Q", img, 0x2000 + 8 * i, 0x3000 | 3)
    struct.pack_into("<Q", img, 0x3000 + 8 * i, 0x83)
open(sys.argv[1], "wb").write(img)
PY
"$kdx" maps "$work/alias.raw" --format raw --arch x86_64 --root 0x1000 2>"$work/err" | wc -l >"$work/lines"; rc=${PIPESTATUS[0]}
check "maps of aliasing tables exits 1 (exit $rc)" test "$rc" -eq 1
check "maps lists a million ranges, then stops" test "$(cat "$work/lines")" -eq $((1048576 + 3))
check "maps says where it cut" grep -q "cut at 0x20000000000 after 1048576 ranges" "$work/err"
expect_exit 1 "convert --paging of aliasing tables is refused" "$kdx" convert "$work/alias.raw" "$work/alias.elf" \
	--format raw --arch x86_64 --to elf --paging --root 0x1000
check "it says the tables point at each other" grep -q "point at each other" "$work/err"

# OUT is checked before the work: the input itself (by any name or hard
# link) is refused, a directory too, a missing directory is named as OUT.
cp "$work/le.elf" "$work/in.elf"
ln "$work/in.elf" "$work/in-link.elf"
ln -s in.elf "$work/in-sym.elf"
for out in "$work/in.elf" "$work/in-link.elf" "$work/in-sym.elf" "$work/./in.elf"; do
	expect_exit 2 "convert IN IN refused (OUT $(basename "$out"))" "$kdx" convert "$work/in.elf" "$out" --to kdump
	check "it says OUT is the input" grep -q "is the input" "$work/err"
done
check "the input is intact" cmp -s "$work/le.elf" "$work/in.elf"
expect_exit 2 "OUT a directory is refused" "$kdx" convert "$work/in.elf" "$work" --to elf
check "it says OUT is a directory" grep -q "is a directory" "$work/err"
# A FIFO as OUT: the rename of the temporary file would replace it (as it
# once replaced /dev/null with a regular file).
mkfifo "$work/out.fifo"
expect_exit 2 "OUT a FIFO is refused" "$kdx" convert "$work/in.elf" "$work/out.fifo" --to elf
check "it says OUT is not a regular file" grep -q "is not a regular file" "$work/err"
check "the FIFO is still a FIFO" test -p "$work/out.fifo"
# read -o into a FIFO (and so /dev/null or a terminal) writes into it in
# place: the temporary file renamed over it once made /dev/null a file.
mkfifo "$work/read.fifo"
timeout 10 cat "$work/read.fifo" >"$work/read.out" & reader=$!
expect_exit 0 "read -o a FIFO writes into it" timeout 10 "$kdx" read "$work/in.elf" 0 4096 --phys -o "$work/read.fifo"
wait $reader
check "the FIFO is still a FIFO" test -p "$work/read.fifo"
"$kdx" read "$work/in.elf" 0 4096 --phys -o "$work/read.want" 2>/dev/null
check "the reader got the page" cmp -s "$work/read.out" "$work/read.want"
expect_exit 2 "read -o a directory is refused" "$kdx" read "$work/in.elf" 0 16 --phys -o "$work"
check "it says OUT is a directory" grep -q "is a directory" "$work/err"
# --machine is for a Xen PV guest's dump (its p2m), physical memory only.
expect_exit 2 "convert --machine --paging is a usage error" "$kdx" convert "$work/in.elf" "$work/m.elf" --to elf --machine --paging
check "it says they do not go together" grep -q "do not go together" "$work/err"
expect_exit 3 "convert --machine of a dump with no p2m is refused" "$kdx" convert "$work/in.elf" "$work/m.elf" --to elf --machine
check "it says there is no p2m" grep -q "has no p2m" "$work/err"
check "and writes no OUT" test ! -e "$work/m.elf"
expect_exit 3 "OUT in a missing directory" "$kdx" convert "$work/in.elf" "$work/nodir/x.kdump" --to kdump
check "the error names OUT, not a temporary file" grep -q "create $work/nodir/x.kdump: No such file" "$work/err"
check "no temporary file in the directory" test -z "$(ls "$work" | grep kdx-)"

# Signals: SIGINT/SIGTERM stop a conversion, remove its temporary file
# and kill kdx with the same signal; a SIGKILLed one leaves a file named
# OUT.kdx-PID@HOST-XXXXXX, removed by the next conversion to OUT once PID
# is gone, and only that: a live process's, another host's, another
# OUT's stay.  (zstd -19 on random bytes is slow enough to interrupt.)
mkdir "$work/sig"
head -c 64M /dev/urandom >"$work/sig/big.raw"
slow_convert() { # job control: SIGINT is not ignored by the background job
	set -m
	"$kdx" convert "$work/sig/big.raw" "$work/sig/out.kdump" --to kdump --format raw \
		--arch x86_64 --compress zstd --level 19 --threads 1 -q 2>"$work/sig/err" &
	pid=$!
	set +m
	for _ in $(seq 200); do ls "$work/sig" | grep -q 'out.kdump.kdx-' && break; sleep 0.05; done
}
for sig in INT TERM; do
	slow_convert
	check "SIG$sig: the temporary file exists while converting" test -n "$(ls "$work/sig" | grep "out.kdump.kdx-$pid@")"
	kill -$sig $pid; wait $pid; rc=$?
	expected=$((128 + $(kill -l $sig)))
	check "SIG$sig kills kdx with SIG$sig (exit $rc)" test "$rc" -eq "$expected"
	check "SIG$sig: no temporary file, no output" test -z "$(ls "$work/sig" | grep out.kdump)"
	check "SIG$sig: kdx says OUT was not written" grep -q "stopped by signal.*not written" "$work/sig/err"
done
slow_convert
kill -KILL $pid; wait $pid 2>/dev/null
stale=$(ls "$work/sig" | grep "out.kdump.kdx-$pid@")
check "SIGKILL leaves a temporary file naming its process" test -n "$stale"
host=$(hostname)
sleep 1000 & live=$!
for keep in "out.kdump.kdx-$live@$host-aaaaaa" "out.kdump.kdx-$pid@not-$host-bbbbbb" \
            "other.kdump.kdx-$pid@$host-cccccc" "out.kdump.kdx-$pid@$host-toolong"; do
	: >"$work/sig/$keep"
done
"$kdx" convert "$work/le.elf" "$work/sig/out.kdump" --to kdump -q
check "the next conversion to OUT removes the stale temporary file" test ! -e "$work/sig/$stale"
check "a live process's, another host's, another OUT's and odd names stay" \
	test "$(ls "$work/sig" | grep -c kdx-)" -eq 4
kill $live
# verify: a sound dump exits 0; a cut one exits 1 and says where.
expect_exit 0 "verify of a sound dump" "$kdx" verify "$work/le.elf"
check "verify counts every page" grep -q "^sound: $(( (0x9f000 + 0x70000) / 4096 )) pages" "$work/out"
head -c $(( $(stat -c %s "$work/le.elf") - 0x8000 )) "$work/le.elf" >"$work/cut.elf"
expect_exit 1 "verify of a cut dump" "$kdx" verify "$work/cut.elf" --json
check "verify --json lists the loss" python3 -c "
import json, sys
j = json.load(open(sys.argv[1]))
assert j['sound'] is False and j['bad_pages'] == 0, j
assert j['problems'][0]['area'] == 'headers' and 'missing' in j['problems'][0]['message'], j
" "$work/out"
expect_exit 0 "convert --salvage of a cut dump" "$kdx" convert --salvage "$work/cut.elf" "$work/salvaged.kdump" --to kdump -q
check "salvage reports the loss on stderr" grep -q "salvage: headers: .*missing" "$work/err"
expect_exit 0 "the salvaged dump verifies" "$kdx" verify "$work/salvaged.kdump"
"$kdx" read "$work/cut.elf" 0 0x9f000 --phys -o "$work/cut.bin"
"$kdx" read "$work/salvaged.kdump" 0 0x9f000 --phys -o "$work/salv.bin"
check "salvaged pages equal the input's" cmp -s "$work/cut.bin" "$work/salv.bin"
"$kdx" info "$work/salvaged.kdump" --json >"$work/salv.json"
check "the salvaged dump has a KDX note" python3 -c "
import json, sys
j = json.load(open(sys.argv[1]))
assert any(n['name'] == 'KDX' and n['type'] == 0x4c4f5354 for n in j['notes']), j['notes']
" "$work/salv.json"
# convert --salvage --json: the report lists what verify finds, with the
# counts of what was kept; pages damaged inside a compressed kdump.
"$kdx" convert "$work/le.elf" "$work/z.kdump" --to kdump -q
python3 -c "
import sys
b = bytearray(open(sys.argv[1], 'rb').read())
for back in (3000, 20000):   # inside the data of two late pages
    b[len(b) - back] ^= 0xff
open(sys.argv[2], 'wb').write(b)
" "$work/z.kdump" "$work/flipped.kdump"
expect_exit 1 "verify of a kdump with flipped page bytes" "$kdx" verify "$work/flipped.kdump" --json
cp "$work/out" "$work/flipped-verify.json"
expect_exit 0 "convert --salvage --json" "$kdx" convert --salvage --json "$work/flipped.kdump" "$work/salv2.kdump" --to kdump -q
check "convert --salvage --json reports each lost range with its offset and error" python3 -c "
import json, sys
j = json.load(open(sys.argv[1]))
v = json.load(open(sys.argv[2]))
s = j['salvage']
assert s['problems'] == v['problems'] and len(s['problems']) == 2, (s, v)
for p in s['problems']:
    assert p['area'] == 'pages' and p['phys_size'] == 4096, p
    assert ('offset 0x%x' % p['file_first']) in p['message'], p
assert s['bad_pages'] == v['bad_pages'] == 2 and s['pages'] == v['pages'], (s, v)
assert s['pages_kept'] == s['pages'] - 2 == j['pages_dumped'], (s, j)
assert s['sound'] is False
" "$work/out" "$work/flipped-verify.json"
check "convert --salvage --json leaves stderr without per-range lines" test ! -s "$work/err"
expect_exit 0 "the salvaged kdump verifies" "$kdx" verify "$work/salv2.kdump"
expect_exit 0 "convert --json without --salvage" "$kdx" convert --json "$work/le.elf" "$work/plain.kdump" --to kdump -q
check "convert --json says no salvage ran" python3 -c "
import json, sys
assert json.load(open(sys.argv[1]))['salvage'] is None
" "$work/out"
expect_exit 0 "convert --salvage --json of a sound dump" "$kdx" convert --salvage --json "$work/le.elf" "$work/plain2.kdump" --to kdump -q
check "a sound dump's salvage report is empty" python3 -c "
import json, sys
s = json.load(open(sys.argv[1]))['salvage']
assert s['problems'] == [] and s['bad_pages'] == 0 and s['sound'] is True, s
assert s['pages_kept'] == s['pages'] == $(( (0x9f000 + 0x70000) / 4096 )), s
" "$work/out"
expect_exit 2 "verify without a dump" "$kdx" verify
expect_exit 0 "verify --help" "$kdx" verify --help

# Saved vCPU state (mkvmware-seeds / mkqemu-seeds files in the fuzz
# corpus): each CPU labelled with its source, in text and JSON.
corpus=$(cd "$(dirname "$0")/../../fuzz/corpus" && pwd)
"$kdx" info "$corpus/vmware/vmss-cpu.bin" --arch x86_64 >"$work/vm.txt" 2>&1
check "info labels VMware's vCPUs" grep -q '^  cpu 1: .* cr3 0x2001 cr4 0x6f0 (VMware state)$' "$work/vm.txt"
check "info counts them" grep -q '^cpus: .*, 2 from the VMware state$' "$work/vm.txt"
"$kdx" info --json "$corpus/qemu/qemu-cpu-x86.bin" >"$work/qc.json" 2>&1
check "info --json gives the stream's CR3, EFER and source" python3 -c "
import json, sys
c = json.load(open(sys.argv[1]))['cpu_state']
assert [x['registers']['cr3'] for x in c] == [0x2000, 0x3000], c
assert all(x['registers']['efer'] == 0xd01 and x['source'] == 'QEMU migration stream' for x in c), c
" "$work/qc.json"

# A host dump whose guest p2m names a list page twice and gives pfn 3
# the frame of pfn 0 (fuzz/make-xen-host-seeds.py): both reported,
# named by pfn, mfn and entry address, exit 1; the entries kept are the
# distinct ones.
expect_exit 1 "maps --xen-p2m: a damaged p2m is a dump problem" \
	"$kdx" maps --xen-p2m "$corpus/xen_host/host-p2m-repeats.elf"
check "it names the page met again" grep -q "names pages it already used: 262144 pfns left out (first: pfn 0x140000, page at mfn 0x6 named again by the entry at machine address 0x5028)" "$work/err"
check "it names the shared frame" grep -q "gives 1 pfn a frame a lower pfn has (first: pfn 0x3 -> mfn 0xc, entry at machine address 0x8018)" "$work/err"
"$kdx" maps --xen-p2m --json "$corpus/xen_host/host-p2m-repeats.elf" >"$work/p2m.json" 2>/dev/null
check "maps --xen-p2m --json counts them" python3 -c "
import json, sys
d = json.load(open(sys.argv[1]))
assert d['repeated'] == {'count': 262144, 'first_pfn': 0x140000, 'first_mfn': 6, 'first_entry_at': 0x5028}, d['repeated']
assert d['duplicate']['count'] == 1 and d['duplicate']['first_pfn'] == 3, d['duplicate']
assert [e[0] for e in d['entries']] == [0, 1, 2, 3], d['entries']
" "$work/p2m.json"

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]

#!/bin/bash
# Make the small bundled sample dump tests/data/sample-x86_64.elf.xz:
# boot the Debian kernel with make-qemu-dumps.sh --sample (96 MiB, 1 vCPU,
# free memory zeroed, see there), take its paging=false ELF dump as it is
# and compress it with xz.  The result is installed only if it is smaller
# than KDX_SAMPLE_MAX_BYTES.  Unpack with plain `xz -d` (xz-utils).
#
# The .xz file is three xz streams one after the other (xz -d writes them out
# as one file): the ELF up to the end of the kernel's code with the x86 BCJ
# filter (lc=4,pb=0), then up to the end of its rodata with -9e, then the
# rest with lc=0,lp=3,pb=3 (ranges from the guest's /proc/iomem, in
# manifest.env).  Measured: 7.98 MB; one xz -9e --x86 stream 8.03 MB, xz -9e
# 8.36 MB, zstd -19 --long=27 9.28 MB.
#
# Usage: make-sample.sh [WORKDIR]
#
# Environment:
#   KDX_QEMU_MEM_MB, KDX_QEMU_APPEND, KDX_SAMPLE_ARGS, ...: see make-qemu-dumps.sh
#   KDX_SAMPLE_MAX_BYTES  size limit for the compressed sample (default 8000000)
#   KDX_SAMPLE_COMPARE=1  also report the size with one xz -9e stream and with
#                         zstd -19 --long=27
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
dest=$repo/tests/data/sample-x86_64.elf.xz
max=${KDX_SAMPLE_MAX_BYTES:-8000000}
work=${1:-$(mktemp -d /tmp/kdx-sample.XXXXXX)}
t0=$(date +%s)

"$here/make-qemu-dumps.sh" --sample "$work"
. "$work/manifest.env"
elf=$work/vmcore.elf
elf_size=$(stat -c %s "$elf")
out=$work/sample-x86_64.elf.xz
[ -n "$KERNEL_CODE" ] && [ -n "$KERNEL_RODATA" ] ||
    { echo "no kernel code/rodata ranges in $work/manifest.env" >&2; exit 1; }

# File offsets of the ends of the kernel's code and rodata in the ELF.
read -r code_end rodata_end < <(python3 - "$elf" "${KERNEL_CODE#*-}" "${KERNEL_RODATA#*-}" <<'EOF'
import struct, sys
with open(sys.argv[1], "rb") as f:
    eh = f.read(64)
    phoff, = struct.unpack_from("<Q", eh, 32)
    phentsize, phnum = struct.unpack_from("<HH", eh, 54)
    f.seek(phoff)
    ph = f.read(phentsize * phnum)
loads = []
for i in range(phnum):
    p_type, _, off, _, paddr, filesz, _, _ = struct.unpack_from("<IIQQQQQQ", ph, i * phentsize)
    if p_type == 1:
        loads.append((paddr, filesz, off))
def offset(last):  # file offset just past physical address `last`
    a = int(last, 16)
    for paddr, filesz, off in loads:
        if paddr <= a < paddr + filesz:
            return off + a + 1 - paddr
    sys.exit("physical %#x is in no PT_LOAD" % a)
print(offset(sys.argv[2]), offset(sys.argv[3]))
EOF
)
[ "$code_end" -lt "$rodata_end" ] || { echo "bad split: $code_end $rodata_end" >&2; exit 1; }

echo "compressing $elf ($elf_size bytes) with xz: 3 streams split at $code_end, $rodata_end ..."
t1=$(date +%s)
head -c "$code_end" "$elf" | xz --x86 --lzma2=preset=9e,lc=4,pb=0 -T1 > "$out.1" &
p1=$!
tail -c +$((code_end + 1)) "$elf" | head -c $((rodata_end - code_end)) | xz -9e -T1 > "$out.2" &
p2=$!
tail -c +$((rodata_end + 1)) "$elf" | xz --lzma2=preset=9e,lc=0,lp=3,pb=3 -T1 > "$out.3"
wait "$p1"
wait "$p2"
cat "$out.1" "$out.2" "$out.3" > "$out"
rm -f "$out.1" "$out.2" "$out.3"
xz -dc "$out" | cmp - "$elf"
xz_size=$(stat -c %s "$out")
echo "xz, 3 streams: $xz_size bytes ($(( $(date +%s) - t1 ))s; unpacks to the ELF byte for byte)"
if [ "${KDX_SAMPLE_COMPARE:-0}" = 1 ]; then
    echo "xz -9e: $(xz -9e -T1 -c "$elf" | wc -c) bytes"
    echo "xz -9e --x86: $(xz --x86 --lzma2=preset=9e -T1 -c "$elf" | wc -c) bytes"
    echo "zstd -19 --long=27: $(zstd -19 --long=27 -T1 -q -c "$elf" | wc -c) bytes"
fi

echo "sample: MEM_MB=$MEM_MB NCPUS=$NCPUS KREL=$KREL MARKER=$MARKER"
echo "total time $(( $(date +%s) - t0 ))s; work directory $work"
if [ "$xz_size" -ge "$max" ]; then
    echo "NOT installed: $xz_size bytes >= limit $max (ELF $elf_size bytes, ${MEM_MB} MiB guest)" >&2
    exit 1
fi
mkdir -p "$(dirname "$dest")"
cp "$out" "$dest"
echo "installed $dest ($xz_size bytes)"

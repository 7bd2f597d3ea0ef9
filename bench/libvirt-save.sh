#!/bin/bash
# Benchmark (not a test): what opening a compressed libvirt save file
# costs, the measurement behind decompressing the QEMU stream once at open
# (io/decompress.h) rather than indexing restart points.
#
# Usage: bench/libvirt-save.sh DUMPDIR [MIB]
#   DUMPDIR as make-qemu-dumps.sh writes it (pmem.raw: the real guest's
#   memory).  A QEMU migration stream of a pc guest with MIB (256) MiB of
#   RAM is written from the first MIB MiB of pmem.raw the way QEMU writes
#   one (zero pages as zero records, the rest as full pages); with
#   KDX_BENCH_FILL=1 (the default) each zero page is first replaced by the
#   next of the guest's non-zero pages, in turn, so every page is data (a
#   guest whose page cache filled its RAM: the hard case).  It is wrapped as
#   libvirt's save file raw and through gzip, bzip2, xz, lzop and zstd -c
#   (libvirt's programs at their default levels).  For each save:
#     open    `kdx info` wall time and peak RSS (/usr/bin/time);
#     read    `kdx read 0 MIB --phys` of every page to a file: wall, RSS;
#     unpack  the program's own `-dc` to a pipe (its decompression speed,
#             which is what every read of an indexed stream would pay for
#             the restart interval in front of the page it wants).
#   Printed as a table; the pages read are compared with the raw save's.
#
# Environment: KDX (default build/kdx), KDX_BENCH_FILL (1), KDX_BENCH_DIR (default /dev/shm
# if it has 3 GiB free, else /tmp).
set -euo pipefail

src=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
kdx=${KDX:-$src/build/kdx}
if [ $# -lt 1 ]; then echo "usage: $0 DUMPDIR [MIB]" >&2; exit 2; fi
dumpdir=$1
mib=${2:-256}
dir=${KDX_BENCH_DIR:-}
if [ -z "$dir" ]; then
    dir=/tmp
    [ "$(df -Pk /dev/shm | awk 'NR == 2 {print $4}')" -gt $((3 << 20)) ] && dir=/dev/shm
fi
work=$(mktemp -d "$dir/kdx-libvirt-bench.XXXXXX")
trap 'rm -rf "$work"' EXIT

python3 - "$dumpdir/pmem.raw" "$mib" "$work/stream" "${KDX_BENCH_FILL:-1}" <<'PY'
import struct, sys
pmem, mib, out, fill = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4] == "1"
size = mib << 20
PAGE, ZERO, MEM_SIZE, PAGEF, EOS, CONT = 4096, 0x02, 0x04, 0x08, 0x10, 0x20
def section(t, sid, name=None):
    b = bytes([t]) + struct.pack(">I", sid)
    if name:
        b += bytes([len(name)]) + name + struct.pack(">II", 0, 4)
    return b
footer = lambda sid: b"\x7e" + struct.pack(">I", sid)
pool, used = [], 0
if fill:  # the guest's non-zero pages, to stand in for its zero ones
    with open(pmem, "rb") as src:
        while len(pool) < 32768:
            page = src.read(PAGE)
            if not page:
                break
            if any(page):
                pool.append(page)
with open(pmem, "rb") as src, open(out, "wb") as f:
    f.write(b"QEVM" + struct.pack(">I", 3))
    f.write(b"\x07" + struct.pack(">I", 13) + b"pc-i440fx-7.2")
    f.write(section(1, 2, b"ram") + struct.pack(">Q", size | MEM_SIZE))
    f.write(bytes([6]) + b"pc.ram" + struct.pack(">Q", size))
    f.write(struct.pack(">Q", EOS) + footer(2) + section(2, 2))
    for i in range(size // PAGE):
        page = src.read(PAGE).ljust(PAGE, b"\0")
        if pool and not any(page):
            page, used = pool[used % len(pool)], used + 1
        flags = CONT if i else 0
        head = struct.pack(">Q", i * PAGE | flags | (ZERO if not any(page) else PAGEF))
        if not i:
            head += bytes([6]) + b"pc.ram"
        f.write(head + (b"\0" if not any(page) else page))
    f.write(struct.pack(">Q", EOS) + footer(2))
    f.write(section(3, 2) + struct.pack(">Q", EOS) + footer(2) + b"\0")
PY

save() { # FORMAT PROGRAM: libvirt's layout around the stream
    python3 - "$1" "$work/save.$2" <<'PY'
import struct, sys
fmt, out = int(sys.argv[1]), sys.argv[2]
xml = b"<domain type='kvm'><name>bench</name></domain>\n\0"
n = len(xml) + 65536
with open(out, "wb") as f:
    f.write(b"LibvirtQemudSave" + struct.pack("<5I", 2, n, 1, fmt, 0) + bytes(56))
    f.write(xml + bytes(n - len(xml)))
PY
    if [ "$2" = raw ]; then cat "$work/stream" >> "$work/save.$2"
    else "$2" -c < "$work/stream" >> "$work/save.$2"; fi
}

timed() { # OUTFILE CMD...: "wall_s maxrss_kib"
    local out=$1; shift
    if /usr/bin/time -f "%e %M" -o "$work/time" "$@" > "$out" 2>/dev/null; then
        cat "$work/time"
    else
        echo "failed 0"
    fi
}

echo "stream: $(stat -c %s "$work/stream") bytes for $mib MiB of RAM (from $dumpdir/pmem.raw)"
printf '%-6s %11s %8s %9s %8s %9s %9s\n' format compressed open_s open_MiB read_s read_MiB unpack_s
for fmt in 0:raw 1:gzip 2:bzip2 3:xz 4:lzop 5:zstd; do
    prog=${fmt#*:}
    [ "$prog" = raw ] || command -v "$prog" > /dev/null || { echo "$prog: not installed"; continue; }
    save "${fmt%%:*}" "$prog"
    read -r ot orss < <(timed "$work/info" "$kdx" info "$work/save.$prog")
    read -r rt rrss < <(timed "$work/err" "$kdx" read "$work/save.$prog" 0 "${mib}M" --phys -o "$work/pages.$prog")
    ut=-
    if [ "$prog" != raw ]; then
        # The stream alone, compressed again (the save holds a header).
        "$prog" -c < "$work/stream" > "$work/s.z"
        t0=$(date +%s.%N); "$prog" -dc < "$work/s.z" | wc -c > /dev/null
        ut=$(echo "$(date +%s.%N) - $t0" | bc -l | xargs printf '%.2f')
        rm -f "$work/s.z"
        cmp -s "$work/pages.$prog" "$work/pages.raw" || echo "$prog: pages differ from the raw save's" >&2
        rm -f "$work/pages.$prog"
    fi
    printf '%-6s %11s %8s %9.0f %8s %9.0f %9s\n' "$prog" "$(stat -c %s "$work/save.$prog")" \
        "$ot" "$((orss / 1024))" "$rt" "$((rrss / 1024))" "$ut"
    [ "$prog" = raw ] || rm -f "$work/save.$prog"
done

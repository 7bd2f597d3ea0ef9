#!/bin/bash
# Benchmark (not a test): read 256 MiB of physical memory in 1 MiB chunks
# through import kdx, against the C CLI and libkdumpfile's Python module.
#
# Usage: bench/python-read.sh DUMPDIR
#   DUMPDIR as make-qemu-dumps.sh writes it: vmcore.elf, vmcore.kdump-zlib
#
# For each dump (QEMU's ELF, and its kdump-zlib rearranged with
# makedumpfile -R so that libkdumpfile can read it too), the same 256 MiB
# from physical 16 MiB:
#   cli          kdx read DUMP 0x1000000 256M --phys -o /dev/null
#   read         dump.read(addr, 1 MiB, phys=True), 256 times (new bytes
#                each time, as a Python caller gets them)
#   readinto     dump.readinto(addr, buf, phys=True) into one bytearray
#   ctypes       kdx_read_phys() of libkdx.so called through ctypes into a
#                ctypes buffer, then .raw: what a ctypes binding's read()
#                would cost (why the binding is C: see python/_kdx.c)
#   libkdumpfile kdumpfile.read(KDUMP_MACHPHYSADDR, addr, 1 MiB) (its
#                KDUMP_KPHYSADDR fails on Debian 12: "Cannot determine
#                5-level paging")
# and 64-byte reads (the size drgn asks for) through kdx, ctypes and
# libkdumpfile: microseconds per call; and the 256 MiB read again with the
# dump kept open (warm.py).  Every other figure is the whole process
# (open included), CPU seconds (user+sys), best of RUNS: the machine is
# shared.  Each Python variant checks its bytes against the CLI's output.
#
# Environment: KDX (default build/kdx), KDX_PYTHONPATH (build/python),
# KDX_LIBKDX (build/libkdx.so), PYTHON (/usr/bin/python3),
# KDX_BENCH_RUNS (3), KDX_BENCH_DIR (scratch; default /tmp).
set -euo pipefail

src=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
kdx=${KDX:-$src/build/kdx}
pypath=${KDX_PYTHONPATH:-$src/build/python}
libkdx=${KDX_LIBKDX:-$src/build/libkdx.so}
py=${PYTHON:-/usr/bin/python3}
runs=${KDX_BENCH_RUNS:-3}
if [ $# -ne 1 ]; then echo "usage: $0 DUMPDIR" >&2; exit 2; fi
dumpdir=$1
for f in "$dumpdir/vmcore.elf" "$dumpdir/vmcore.kdump-zlib"; do
    [ -r "$f" ] || { echo "$f: not readable (run tests/real/make-qemu-dumps.sh)" >&2; exit 2; }
done
[ -x "$kdx" ] || { echo "$kdx: not built, or set KDX=" >&2; exit 2; }
PYTHONPATH=$pypath "$py" -c 'import kdx' ||
    { echo "import kdx fails with PYTHONPATH=$pypath" >&2; exit 2; }
have_lkdf=1
"$py" -c 'import kdumpfile' 2>/dev/null || have_lkdf=0
[ "$have_lkdf" = 1 ] || echo "python3-libkdumpfile is not installed: no libkdumpfile figures"

work=$(mktemp -d "${KDX_BENCH_DIR:-/tmp}/kdx-bench-python.XXXXXX")
trap 'rm -rf "$work"' EXIT
makedumpfile -R "$work/vmcore.kdump" < "$dumpdir/vmcore.kdump-zlib" >/dev/null 2>&1

addr=0x1000000
size=$((256 << 20))

# The Python side: one variant per process.
cat > "$work/variant.py" <<'EOF'
import ctypes, hashlib, sys
variant, path, addr, size, want = sys.argv[1], sys.argv[2], int(sys.argv[3], 0), int(sys.argv[4]), sys.argv[5]
chunk = 1 << 20 if size >= 1 << 20 else size
h = hashlib.sha256() if want != "-" else None
if variant in ("read", "readinto", "small"):
    import kdx
    with kdx.open(path) as d:
        if variant == "read":
            for off in range(0, size, chunk):
                b = d.read(addr + off, chunk, phys=True)
                h and h.update(b)
        elif variant == "readinto":
            buf = bytearray(chunk)
            for off in range(0, size, chunk):
                d.readinto(addr + off, buf, phys=True)
                h and h.update(buf)
        else:
            for off in range(0, size, 64):
                d.read(addr + off, 64, phys=True)
elif variant in ("ctypes", "ctypes-small"):
    lib = ctypes.CDLL(sys.argv[6])
    lib.kdx_dump_open.argtypes = [ctypes.c_char_p, ctypes.c_void_p, ctypes.POINTER(ctypes.c_void_p)]
    lib.kdx_dump_open.restype = ctypes.c_void_p
    lib.kdx_read_phys.argtypes = [ctypes.c_void_p, ctypes.c_uint64, ctypes.c_void_p, ctypes.c_size_t, ctypes.c_uint, ctypes.c_void_p]
    lib.kdx_read_phys.restype = ctypes.c_void_p
    dump = ctypes.c_void_p()
    assert not lib.kdx_dump_open(path.encode(), None, ctypes.byref(dump))
    n = chunk if variant == "ctypes" else 64
    for off in range(0, size, n):
        buf = ctypes.create_string_buffer(n)
        assert not lib.kdx_read_phys(dump, addr + off, buf, n, 0, None)
        b = buf.raw
        h and variant == "ctypes" and h.update(b)
else:
    import kdumpfile
    k = kdumpfile.kdumpfile(path)
    n = chunk if variant == "libkdumpfile" else 64
    for off in range(0, size, n):
        b = k.read(kdumpfile.KDUMP_MACHPHYSADDR, addr + off, n)
        h and variant == "libkdumpfile" and h.update(b)
if h and h.hexdigest() != want:
    sys.exit("%s: bytes differ from kdx read's" % variant)
EOF

# The dump kept open, as drgn keeps it: the same 256 MiB read again in
# one process; prints the best later pass's CPU seconds (the first pass
# pays for mapping the page cache into the process, as both tools do).
cat > "$work/warm.py" <<'EOF'
import resource, sys
tool, path, addr, size = sys.argv[1], sys.argv[2], int(sys.argv[3], 0), int(sys.argv[4])
if tool == "kdx":
    import kdx
    d = kdx.open(path)
    rd = lambda a, n: d.read(a, n, phys=True)
else:
    import kdumpfile
    k = kdumpfile.kdumpfile(path)
    rd = lambda a, n: k.read(kdumpfile.KDUMP_MACHPHYSADDR, a, n)
def cpu():
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime
best = None
for rep in range(4):
    t = cpu()
    for off in range(0, size, 1 << 20):
        rd(addr + off, 1 << 20)
    t = cpu() - t
    if rep and (best is None or t < best):
        best = t
print("%.3f" % best)
EOF

# CPU seconds (user+sys) of a command, best of $runs.
best_cpu() {
    local TIMEFORMAT='%U %S' t best=
    for _ in $(seq "$runs"); do
        t=$( { time "$@" >/dev/null; } 2>&1 ) || { echo "failed: $*" >&2; return 1; }
        t=$(awk '{ printf "%.3f", $1 + $2 }' <<<"$t")
        best=$(awk -v a="$t" -v b="${best:-$t}" 'BEGIN { print (a < b) ? a : b }')
    done
    echo "$best"
}
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", (b > 0) ? a / b : 0 }'; }

for name in vmcore.elf vmcore.kdump; do
    path=$dumpdir/$name
    [ "$name" = vmcore.kdump ] && path=$work/vmcore.kdump
    want=$("$kdx" read "$path" $addr $size --phys -o - | sha256sum | cut -d' ' -f1)
    cli=$(best_cpu "$kdx" read "$path" $addr $size --phys -o /dev/null)
    # The interpreter's own start-up and imports, which the CLI has no
    # counterpart of: the CLI/this ratio is taken net of it.
    startup=$(best_cpu env PYTHONPATH="$pypath" "$py" -c 'import ctypes, hashlib, sys, kdx')
    echo "== $name: 256 MiB at $addr in 1 MiB chunks (CPU s, best of $runs)"
    printf '  %-13s %7s s\n' "kdx CLI" "$cli"
    # Check the bytes once, then time without hashing.
    for v in read readinto ctypes; do
        PYTHONPATH=$pypath "$py" "$work/variant.py" $v "$path" $addr $size "$want" "$libkdx"
        t=$(best_cpu env PYTHONPATH="$pypath" "$py" "$work/variant.py" $v "$path" $addr $size - "$libkdx")
        net=$(awk -v a="$t" -v b="$startup" 'BEGIN { printf "%.3f", a - b }')
        printf '  %-13s %7s s   net of Python start-up %s s: CLI/this = %sx\n' \
            "$v" "$t" "$startup" "$(ratio "$cli" "$net")"
        eval "t_$v=$t"
    done
    if [ "$have_lkdf" = 1 ]; then
        "$py" "$work/variant.py" libkdumpfile "$path" $addr $size "$want"
        t=$(best_cpu "$py" "$work/variant.py" libkdumpfile "$path" $addr $size -)
        printf '  %-13s %7s s   libkdumpfile/kdx.read = %sx\n' libkdumpfile "$t" "$(ratio "$t" "$t_read")"
    fi
    if [ "$have_lkdf" = 1 ]; then
        wk=$(PYTHONPATH=$pypath "$py" "$work/warm.py" kdx "$path" $addr $size)
        wl=$("$py" "$work/warm.py" libkdumpfile "$path" $addr $size)
        printf '  %-13s %7s s   kept open, later pass: libkdumpfile %s s = %sx\n' \
            "read (warm)" "$wk" "$wl" "$(ratio "$wl" "$wk")"
    fi
    small=$((4 << 20))
    echo "   64-byte reads over 4 MiB ($((small / 64)) calls), us per call:"
    for v in small ctypes-small libkdumpfile-small; do
        [ "$v" = libkdumpfile-small ] && [ "$have_lkdf" = 0 ] && continue
        t=$(best_cpu env PYTHONPATH="$pypath" "$py" "$work/variant.py" $v "$path" $addr $small - "$libkdx")
        printf '  %-19s %6s us\n' "$v" "$(awk -v t="$t" -v n=$((small / 64)) 'BEGIN { printf "%.2f", t * 1e6 / n }')"
    done
done

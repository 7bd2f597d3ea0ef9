#!/bin/bash
# Compare kdx with libfbsdvmcore (libkvm's minidump reader, ported) on
# mkminidump's synthetic FreeBSD minidumps: every virtual read of the
# kernel map and the direct map.  Run by hand; CI has no libfbsdvmcore.
#
# Usage: tests/freebsd/run-fvc-oracle.sh LIBFBSDVMCORE_SRC LIBFBSDVMCORE_BUILD [KDX_BUILD]
#   LIBFBSDVMCORE_SRC    a checkout of Moritz-Systems/libfbsdvmcore (for lib/fvc.h)
#   LIBFBSDVMCORE_BUILD  its cmake build directory (libfbsdvmcore.so)
#   KDX_BUILD            kdx's build directory (default: build)
# Real dumps: put vmcore.N files with their kernels (kernel.N, or one
# file named kernel: the ELF of /boot/kernel/kernel or kernel.debug) in a
# directory and set KDX_FBSD_SAMPLES to it; each vmcore is then read by
# both at the first and last bytes of every mapping kdx lists.
# powerpc64: libfbsdvmcore's fvc_arches[] lists the full-dump powerpc64
# reader before the minidump one, and it claims every ppc64 kernel, so no
# powerpc64 minidump opens ("invalid corefile") unless a copy is built
# with fvc_powerpc64_minidump moved before fvc_powerpc64 in lib/fvc.c.
# Needs libelf-dev.  Prints the libfbsdvmcore commit and one line per dump.
set -euo pipefail
src=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
fvc_src=${1:?libfbsdvmcore source directory}
fvc_build=${2:?libfbsdvmcore build directory}
build=${3:-$src/build}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

echo "libfbsdvmcore $(git -C "$fvc_src" rev-parse HEAD 2>/dev/null || echo unknown)"
cmake --build "$build" --target kdx_static kdx_test_helpers >/dev/null
cc -std=c11 -D_DEFAULT_SOURCE -O1 -o "$work/fvc-oracle" "$src/tests/freebsd/fvc-oracle.c" \
    -I"$src/include" -I"$src/tests/helpers" -I"$fvc_src/lib" \
    "$build/tests/libkdx_test_helpers.a" "$build/libkdx.a" \
    -L"$fvc_build" -Wl,-rpath,"$fvc_build" -lfbsdvmcore -lelf $(pkg-config --libs zlib libzstd lzo2 snappy libdeflate) -lpthread
# Full dumps (ELF cores with their kernel images): kvm_amd64.c and
# kvm_i386.c as libfbsdvmcore ports them.  Its libelf resolver reads
# .symtab only, so the .dynsym-only kernels are kdx's alone.
cc -std=c11 -D_DEFAULT_SOURCE -O1 -o "$work/fvc-full-oracle" "$src/tests/freebsd/fvc-full-oracle.c" \
    -I"$src/include" -I"$src/tests/helpers" -I"$fvc_src/lib" \
    "$build/tests/libkdx_test_helpers.a" "$build/libkdx.a" \
    -L"$fvc_build" -Wl,-rpath,"$fvc_build" -lfbsdvmcore -lelf $(pkg-config --libs zlib libzstd lzo2 snappy libdeflate) -lpthread
status=0
"$work/fvc-oracle" "$work" || status=1
"$work/fvc-full-oracle" "$work" || true
if [ -n "${KDX_FBSD_SAMPLES:-}" ]; then
    for core in "$KDX_FBSD_SAMPLES"/vmcore.*; do
        [ -e "$core" ] || continue
        n=${core##*/vmcore.}
        case $n in *[!0-9]*) continue ;; esac # savecore names them vmcore.N
        kernel=$KDX_FBSD_SAMPLES/kernel.$n
        [ -e "$kernel" ] || kernel=$KDX_FBSD_SAMPLES/kernel
        "$work/fvc-oracle" "$core" "$kernel" || status=1
        "$build/kdx" info "$core" | sed -n '1,20p'
    done
fi
exit $status

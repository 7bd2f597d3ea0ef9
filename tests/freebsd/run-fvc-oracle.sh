#!/bin/bash
# Compare kdx with libfbsdvmcore (libkvm's minidump reader, ported) on
# mkminidump's synthetic FreeBSD minidumps: every virtual read of the
# kernel map and the direct map.  Run by hand; CI has no libfbsdvmcore.
#
# Usage: tests/freebsd/run-fvc-oracle.sh LIBFBSDVMCORE_SRC LIBFBSDVMCORE_BUILD [KDX_BUILD]
#   LIBFBSDVMCORE_SRC    a checkout of Moritz-Systems/libfbsdvmcore (for lib/fvc.h)
#   LIBFBSDVMCORE_BUILD  its cmake build directory (libfbsdvmcore.so)
#   KDX_BUILD            kdx's build directory (default: build)
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
"$work/fvc-oracle" "$work"

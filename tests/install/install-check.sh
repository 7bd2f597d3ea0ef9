#!/bin/bash
# Usage: install-check.sh BUILD_DIR WORK_DIR CC [EXTRA_CFLAGS [PRELOAD]]
# Install BUILD_DIR into WORK_DIR/prefix, check what landed there, build
# consumer.c against it with pkg-config, run it, and render the man page.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
[ $# -ge 3 ] || { echo "usage: $0 BUILD_DIR WORK_DIR CC [EXTRA_CFLAGS [PRELOAD]]" >&2; exit 2; }
# PRELOAD: a sanitizer build's shared runtimes, for python3.
build=$1 work=$2 cc=$3 extra=${4:-} preload=${5:-}
prefix=$work/prefix

rm -rf "$work"
mkdir -p "$work"
cmake --install "$build" --prefix "$prefix" >"$work/install.log"

fail=0
check() { if [ -e "$prefix/$1" ]; then echo "ok: $1"; else echo "MISSING: $1"; fail=1; fi; }
pc=$(find "$prefix" -name kdx.pc -path '*/pkgconfig/*' | head -n1)
libdir=$(dirname "$(dirname "$pc")")
check bin/kdx
check include/kdx/kdx.h
check include/kdx/dump.h
check include/kdx/error.h
check include/kdx/arch.h
check include/kdx/byteorder.h
check include/kdx/common.h
check share/man/man1/kdx.1
check "${libdir#"$prefix"/}/libkdx.so"
check "${libdir#"$prefix"/}/libkdx.a"
check "${pc#"$prefix"/}"
[ "$fail" = 0 ] || exit 1

command -v pkg-config >/dev/null || { echo "pkg-config not installed"; exit 1; }
export PKG_CONFIG_PATH=$libdir/pkgconfig
flags=$(pkg-config --cflags --libs kdx)
echo "pkg-config --cflags --libs kdx: $flags"
# shellcheck disable=SC2086 # flags are words
"$cc" -std=c11 -Wall -Wextra -Werror $extra -o "$work/consumer" "$here/consumer.c" $flags
LD_LIBRARY_PATH=$libdir "$work/consumer"
# The same against libkdx.a, with the private libraries --static names.
cflags=$(pkg-config --cflags kdx)
deps=()
for word in $(pkg-config --static --libs kdx); do
    [ "$word" = -lkdx ] || deps+=("$word")
done
# shellcheck disable=SC2086
"$cc" -std=c11 $extra $cflags -o "$work/consumer-static" "$here/consumer.c" \
    "$libdir/libkdx.a" "${deps[@]}"
echo "static link: libkdx.a ${deps[*]}"
"$work/consumer-static"

# import kdx, when the build made it: importable from where it landed, and
# that place (under /usr/local or /usr) on Debian's python3's own path.
mod=$(find "$prefix" -name '_kdx.*.so' | head -n1)
if [ -n "$mod" ]; then
    site=$(dirname "$(dirname "$mod")")
    rel=${site#"$prefix"/}
    py=/usr/bin/python3
    # A sanitizer build's module needs its runtimes loaded before
    # python3's own libraries (as the python test does); leaks are
    # tracemalloc's job there.
    LD_PRELOAD=$preload ASAN_OPTIONS=detect_leaks=0 PYTHONPATH=$site \
        "$py" -c 'import kdx, kdx.drgn; assert kdx.formats()' ||
        { echo "installed kdx does not import from $site"; exit 1; }
    "$py" -c 'import sys; sys.exit(not ({"/usr/local/" + sys.argv[1], "/usr/" + sys.argv[1]} & set(sys.path)))' "$rel" ||
        { echo "$rel is not on $py's path under /usr/local or /usr"; exit 1; }
    echo "ok: import kdx from $rel"
else
    echo "no Python module built (python3-dev missing): import kdx not checked"
fi

"$prefix/bin/kdx" --version
"$prefix/bin/kdx" help >/dev/null

if command -v man >/dev/null; then
    # --warnings makes groff report bad requests and macros.
    out=$(MANWIDTH=80 LC_ALL=C.UTF-8 man --warnings -l "$prefix/share/man/man1/kdx.1" 2>&1 >/dev/null || true)
    if [ -n "$out" ]; then echo "man page warnings:"; echo "$out"; exit 1; fi
    MANWIDTH=80 LC_ALL=C.UTF-8 man -l "$prefix/share/man/man1/kdx.1" | grep -q 'EXIT STATUS' ||
        { echo "man page does not render an EXIT STATUS section"; exit 1; }
    echo "ok: man page renders without warnings"
else
    echo "man not installed; man page rendering not checked"
fi
echo "install check passed"

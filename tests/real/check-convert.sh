#!/bin/bash
# kdx convert --to kdump on the real dumps: every codec's output holds the
# same bytes as the source on every page; 1 and 2 threads give identical
# files; makedumpfile reads our zlib, lzo and plain outputs (--dump-dmesg,
# the same log as from the source); libkdumpfile reads every page of every
# output identically to kdx (bench/kdump's kdump-read-bench, when built).
#
# Usage: check-convert.sh DUMPDIR KDX_BINARY
# Prints "N passed, N failed"; exits non-zero on any failure.  Under
# CI=true a missing tool is a failure; elsewhere it is a loud skip.
set -u
dumps=$1 kdx=$2
work=$(mktemp -d /tmp/kdx-convert-check.XXXXXX)
trap 'rm -rf "$work"' EXIT
pass=0 fail=0
ok() { pass=$((pass + 1)); echo "ok   - $*"; }
bad() { fail=$((fail + 1)); echo "FAIL - $*"; }
missing() {
    if [ "${CI:-}" = true ]; then bad "$1 is missing (CI must have it)"
    else echo "SKIP - $1 is missing: $2 NOT CHECKED"; fi
}
src=$dumps/vmcore.elf

# Every data range of the source, read from the source and from OUT.
same_pages() {
    python3 - "$kdx" "$src" "$1" <<'PY'
import json, subprocess, sys
kdx, src, out = sys.argv[1:]
info = json.loads(subprocess.run([kdx, "info", src, "--json"], check=True,
                                 capture_output=True).stdout)
for r in info["memory"]["ranges"]:
    if r["kind"] != "file":
        continue
    a = subprocess.run([kdx, "read", src, hex(r["start"]), hex(r["size"]), "--phys", "-o", "-"],
                       capture_output=True, check=True).stdout
    b = subprocess.run([kdx, "read", out, hex(r["start"]), hex(r["size"]), "--phys", "-o", "-"],
                       capture_output=True)
    if b.returncode or a != b.stdout:
        sys.exit("range 0x%x+0x%x differs: %s" % (r["start"], r["size"], b.stderr.decode().strip()))
PY
}

for codec in zlib lzo snappy zstd none; do
    out=$work/$codec.kdump
    if "$kdx" convert "$src" "$out" --to kdump --compress $codec -q 2>"$work/err"; then
        ok "convert --compress $codec ($(stat -c %s "$out") bytes)"
    else
        bad "convert --compress $codec: $(cat "$work/err")"; continue
    fi
    if msg=$(same_pages "$out" 2>&1); then ok "$codec: every page equals the source"
    else bad "$codec: $msg"; fi
done

"$kdx" convert "$src" "$work/t1.kdump" --to kdump --threads 1 -q
"$kdx" convert "$src" "$work/t2.kdump" --to kdump --threads 2 -q
if cmp -s "$work/t1.kdump" "$work/t2.kdump"; then ok "1 and 2 threads write identical files"
else bad "1 and 2 threads write different files"; fi

"$kdx" convert "$src" - --to kdump --flatten --exclude zero -q >"$work/flat.kdump"
if msg=$(same_pages "$work/flat.kdump" 2>&1); then bad "--exclude zero kept zero pages readable"
else ok "--exclude zero leaves zero pages out (reads of them fail)"; fi
if "$kdx" read "$work/flat.kdump" 0 0x100000 --phys --zero-fill -o "$work/z.bin" 2>/dev/null &&
   "$kdx" read "$src" 0 0x100000 --phys --zero-fill -o "$work/s.bin" 2>/dev/null &&
   cmp -s "$work/z.bin" "$work/s.bin"; then
    ok "flattened --exclude zero output reads like the source with --zero-fill"
else bad "flattened --exclude zero output differs from the source"; fi

# makedumpfile reads our outputs (it has zlib and lzo, not snappy/zstd).
if command -v makedumpfile >/dev/null; then
    "$kdx" convert "$src" "$work/src.elf" --to elf -q
    makedumpfile --dump-dmesg "$work/src.elf" "$work/dmesg-src.txt" >/dev/null 2>&1
    for codec in zlib lzo none; do
        if makedumpfile --dump-dmesg "$work/$codec.kdump" "$work/dmesg-$codec.txt" >"$work/mlog" 2>&1 &&
           cmp -s "$work/dmesg-$codec.txt" "$work/dmesg-src.txt"; then
            ok "makedumpfile --dump-dmesg reads our $codec output: $(wc -l <"$work/dmesg-$codec.txt") lines, equal to the source's"
        else
            bad "makedumpfile --dump-dmesg on our $codec output: $(tail -2 "$work/mlog" | tr '\n' ' ')"
        fi
    done
else
    missing makedumpfile "makedumpfile reading kdx's kdump output"
fi

# libkdumpfile reads every page of every output as kdx does.
bench=$(dirname "$kdx")/bench/kdump/kdump-read-bench
if [ -x "$bench" ]; then
    for codec in zlib lzo snappy zstd none; do
        [ -f "$work/$codec.kdump" ] || continue
        # The oracle program, not libkdx, keeps its page lists to exit:
        # under the sanitizer build LeakSanitizer must not fail the check.
        if ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0 \
           "$bench" "$work/$codec.kdump" 1 >"$work/blog" 2>&1 &&
           grep -q "every page identical" "$work/blog"; then
            ok "libkdumpfile reads every page of our $codec output identically"
        else
            bad "libkdumpfile on our $codec output: $(tail -3 "$work/blog" | tr '\n' ' ')"
        fi
    done
else
    missing "kdump-read-bench (needs libkdumpfile-dev at build time)" "libkdumpfile reading kdx's output"
fi

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]

#!/bin/bash
# The command line on FreeBSD minidumps: for one dump of each arch,
# `kdx info` names FreeBSD, the version string and the dump version,
# `kdx vtop` gives what mkminidump mapped (OUT.expect) and `kdx read`
# of each address reads what `kdx read --phys` of its physical address
# does, `kdx maps` lists the mappings, `kdx dmesg` prints OUT.log; and
# `kdx convert` to kdump and ELF (physical and --paging) keeps the bytes.
# Usage: test-cli-fbsd.sh KDX MKMINIDUMP
set -euo pipefail
kdx=$1
mk=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fails=0 checks=0

check() { # what, condition-result
    checks=$((checks + 1))
    if [ "$2" != ok ]; then echo "FAIL: $1"; fails=$((fails + 1)); fi
}

for spec in "amd64 3" "amd64 1" "i386 2 pae" "arm 2 v6 be" "arm64 3 16k" "riscv 2" "powerpc64 2 be" \
            "powerpc64 2 be hpt" "powerpc64 1 hpt" "mips 2 be" "mips 2 mips64" "mips 1 mips64 be"; do
    # shellcheck disable=SC2086 # the spec's words are the arguments
    set -- $spec
    f=$work/vmcore.${spec// /_}
    "$mk" "$1" "$2" "$f" "${@:3}"
    info=$("$kdx" info "$f")
    grep -q "^format: *fbsd-minidump" <<<"$info" && r=ok || r=no; check "$spec: info format" $r
    grep -q "os_release *FreeBSD 14.1-RELEASE" <<<"$info" && r=ok || r=no; check "$spec: info release" $r
    grep -q "minidump_version *$2\$" <<<"$info" && r=ok || r=no; check "$spec: info version" $r
    # One vtop for every address (a process each cost most of this
    # test's time under ASan); its lines, keyed by address.
    declare -A vtop=()
    # (Shell builtins only in the loops: a fork per line cost as much as
    # the kdx processes.)
    while read -r line; do
        printf -v key '%x' "0x${line%% *}" 2>/dev/null || continue
        vtop[$key]=$line
    done < <("$kdx" vtop "$f" $(awk '{print $1}' "$f.expect") 2>&1 | tail -n +2 || true)
    while read -r va pa dumped; do
        printf -v key '%x' "$va"
        out=${vtop[$key]:-"(no line for $va)"}
        if [ "$pa" = none ]; then
            [[ $out == *"not mapped"* ]] && r=ok || r=no
            check "$spec: vtop $va unmapped ($out)" $r
            continue
        fi
        read -r _ got _ <<<"$out"
        printf -v got '%x' "0x$got" 2>/dev/null || got="not a number: $got"
        printf -v want '%x' "$pa"
        [ "$got" = "$want" ] && r=ok || r=no
        check "$spec: vtop $va -> $pa (got $out)" $r
        if [ "$dumped" = 1 ]; then
            v=$("$kdx" read "$f" "$va" 64 | cut -d: -f2-)
            p=$("$kdx" read --phys "$f" "$pa" 64 | cut -d: -f2-)
            [ -n "$v" ] && [ "$v" = "$p" ] && r=ok || r=no
            check "$spec: read $va = read --phys $pa" $r
        else
            "$kdx" read "$f" "$va" 64 >/dev/null 2>&1 && r=no || r=ok
            check "$spec: read $va fails (page not dumped)" $r
        fi
    done <"$f.expect"
    [ "$("$kdx" maps "$f" | grep -c '^[0-9a-f]')" -ge 4 ] && r=ok || r=no
    check "$spec: maps" $r
    "$kdx" dmesg "$f" >"$work/dmesg"
    # dmesg ends the text with a newline if it has none
    [ -z "$(tail -c 1 "$f.log")" ] || printf '\n' >>"$f.log"
    cmp -s "$work/dmesg" "$f.log" && r=ok || r=no
    check "$spec: dmesg" $r
done
# Conversion: the physical bytes survive, and an ELF with the kernel's
# mappings (what gdb reads) holds each mapped page at its address.
f=$work/vmcore.amd64_3
"$kdx" convert "$f" "$work/c.kdump" --to kdump -q
"$kdx" convert "$f" "$work/c.elf" --to elf -q
"$kdx" convert "$f" "$work/c.paging" --to elf --paging -q
while read -r va pa dumped; do
    [ "$dumped" = 1 ] || continue
    want=$("$kdx" read --phys "$f" "$pa" 64)
    for c in c.kdump c.elf; do
        [ "$("$kdx" read --phys "$work/$c" "$pa" 64)" = "$want" ] && r=ok || r=no
        check "convert $c: $pa" $r
    done
done <"$f.expect"
if command -v readelf >/dev/null; then
    n=$(readelf -lW "$work/c.paging" | grep -c '^  LOAD.*0xfffffe00')
    [ "$n" -ge 4 ] && r=ok || r=no
    check "convert --paging: kernel-map PT_LOADs ($n)" $r
fi

# Compressed as dumpon -z / -Z and savecore leave them (vmcore.N.gz,
# vmcore.N.zst): the same dump read through the stream.
for z in gz zst; do
    "$mk" arm64 3 "$work/vmcore.0.$z" 16k "$z"
    info=$("$kdx" info "$work/vmcore.0.$z")
    grep -q "^format: *fbsd-minidump" <<<"$info" && r=ok || r=no; check "$z: info format" $r
    grep -q "container *$( [ $z = gz ] && echo gzip || echo zstd) stream" <<<"$info" && r=ok || r=no
    check "$z: info container" $r
    while read -r va pa dumped; do
        [ "$dumped" = 1 ] || continue
        [ "$("$kdx" read "$work/vmcore.0.$z" "$va" 64)" = \
          "$("$kdx" read "$work/vmcore.arm64_3_16k" "$va" 64)" ] && r=ok || r=no
        check "$z: read $va" $r
    done <"$work/vmcore.0.$z.expect"
done

echo "$((checks - fails)) passed, $fails failed"
[ "$fails" = 0 ]

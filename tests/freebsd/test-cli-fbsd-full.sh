#!/bin/bash
# The command line on FreeBSD full dumps (mkfbsdfull's): `kdx info`
# names FreeBSD and the version, `kdx vtop --kernel` gives what the helper
# mapped (OUT.expect) and `kdx read` of each address reads what `kdx read
# --phys` of its physical address does, `kdx maps` lists the kernel map,
# `kdx dmesg --kernel` prints OUT.log; bare dumps are translated without the
# kernel image (the page table that maps itself).
# Usage: test-cli-fbsd-full.sh KDX MKFBSDFULL
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

for spec in "amd64" "amd64 kdh" "i386pae" "i386pae kdh dynsym" "i386" "i386 dynsym"; do
    # shellcheck disable=SC2086 # the spec's words are the arguments
    set -- $spec
    f=$work/vmcore.${spec// /_}
    "$mk" "$1" "$f" "${@:2}"
    k=(--kernel "$f.kernel")
    info=$("$kdx" info "${k[@]}" "$f")
    grep -q "^format: *elf" <<<"$info" && r=ok || r=no; check "$spec: info format" $r
    grep -q "os *FreeBSD" <<<"$info" && r=ok || r=no; check "$spec: info os" $r
    grep -q "os_release *FreeBSD 1[34]" <<<"$info" && r=ok || r=no; check "$spec: info release" $r
    grep -q "kernel_version *FreeBSD 1[34]" <<<"$info" && r=ok || r=no; check "$spec: info kernel_version" $r
    # Bare dumps are translated without the kernel image (the scan for
    # the table that maps itself), the others through its symbols.
    if [ $# = 1 ]; then nk=(); how=scan; else nk=("${k[@]}"); how="kernel symbol"; fi
    out=$("$kdx" vtop -v "${nk[@]}" "$f" 0x0 2>&1 | head -1 || true)
    grep -q "($how" <<<"$out" && r=ok || r=no; check "$spec: root from $how ($out)" $r
    # One vtop for every address (a process each made this test the
    # suite's slowest under ASan); its lines, keyed by address.
    declare -A vtop=()
    # (Shell builtins only in the loops: a fork per line cost more than
    # the kdx processes.)
    while read -r line; do
        printf -v key '%x' "0x${line%% *}" 2>/dev/null || continue
        vtop[$key]=$line
    done < <("$kdx" vtop "${nk[@]}" "$f" $(awk '{print $1}' "$f.expect") 2>&1 | tail -n +2 || true)
    # Reads take a process each (two for a dumped page): every fourth
    # address of each kind is read, the first included; vtop has checked
    # every address's translation above.  (All of them made this the
    # suite's slowest test: 306 s under ASan on a fresh CI machine.)
    nread=(0 0)
    while read -r va pa dumped; do
        printf -v key '%x' "$va"
        out=${vtop[$key]:-"(no line for $va)"}
        if [ "$pa" = none ]; then
            [[ $out == *"not mapped"* || $out == *"not present"* ]] && r=ok || r=no
            check "$spec: vtop $va unmapped ($out)" $r
            continue
        fi
        read -r _ got _ <<<"$out"
        printf -v got '%x' "0x$got" 2>/dev/null || got="not a number: $got"
        printf -v want '%x' "$pa"
        [ "$got" = "$want" ] && r=ok || r=no
        check "$spec: vtop $va -> $pa (got $out)" $r
        nread[dumped]=$((nread[dumped] + 1))
        [ $((nread[dumped] % 4)) = 1 ] || continue
        if [ "$dumped" = 1 ]; then
            a=$("$kdx" read "${nk[@]}" "$f" "$va" 32 2>&1 | cut -d' ' -f2-)
            b=$("$kdx" read "$f" "$pa" 32 --phys 2>&1 | cut -d' ' -f2-)
            [ -n "$a" ] && [ "$a" = "$b" ] && r=ok || r=no
            check "$spec: read $va = read --phys $pa" $r
        else
            "$kdx" read "${nk[@]}" "$f" "$va" 32 >/dev/null 2>&1 && r=no || r=ok
            check "$spec: read $va (not dumped) fails" $r
        fi
    done <"$f.expect"
    "$kdx" dmesg "${k[@]}" "$f" >"$work/dmesg" && r=ok || r=no; check "$spec: dmesg" $r
    cmp -s "$work/dmesg" "$f.log" && r=ok || r=no; check "$spec: dmesg = OUT.log" $r
    n=$("$kdx" maps "${nk[@]}" "$f" 2>/dev/null | grep -c "^[0-9a-f]*-[0-9a-f]* " || true)
    [ "$n" -ge 3 ] && r=ok || r=no; check "$spec: maps lists $n ranges" $r
done
echo "$checks checks, $fails failed"
[ "$fails" = 0 ]

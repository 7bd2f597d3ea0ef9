#!/bin/bash
# kdx on the real s390x dump make-s390x-dump.sh wrote, against what the
# guest itself said: the Linux set-up finds the kernel's page table (from
# VMCOREINFO, found in memory), swapper_pg_dir translates to it,
# init_uts_ns read through the page tables holds the release and version
# of the guest's /proc/version, the kernel's log (read through the page
# tables) holds the lines the guest printed on its console, and the text
# symbols it printed from /proc/kallsyms translate.  Symbols come from
# the VMCOREINFO text in the dump (grep, not kdx).
#
# Usage: check-s390x.sh DIR KDX   (DIR: make-s390x-dump.sh's OUTDIR)
set -u
dir=$1 kdx=$2
pass=0 fail=0
ok() { pass=$((pass + 1)); echo "ok   - $*"; }
bad() { fail=$((fail + 1)); echo "FAIL - $*"; }
d=$dir/vmcore.elf
[ -f "$d" ] || { echo "no $d"; exit 77; }
. "$dir/manifest.env"
con=$(tr -d '\r' < "$dir/console.log")
sym() { printf '%s\n' "$con" | awk -v s="$1" '$1 == "kdx-sym:" && $2 == s { print "0x" $3; exit }'; }
vmci() { grep -a -o -m1 "SYMBOL($1)=[0-9a-f]*" "$d" | head -1 | sed 's/.*=/0x/'; }

info=$("$kdx" info "$d" 2>&1)
if printf '%s\n' "$info" | grep -q "translation: s390x paging"; then
    ok "info: s390x paging"
else
    bad "info: no s390x paging: $(printf '%s\n' "$info" | grep -A4 translation)"
fi
root=$(printf '%s\n' "$info" | awk '$1 == "root" { print $2; exit }')
printf '%s\n' "$info" | grep -q "check failed" && bad "info: the root check failed" || ok "info: the root maps itself"

banner=$(printf '%s\n' "$con" | sed -n 's/^kdx-banner: //p' | head -1)
version=${banner##*) #}
uts=$(vmci init_uts_ns)
utsbytes=$("$kdx" read -o - "$d" "$uts" 512 2>/dev/null | tr '\0' '\n')
if [ -n "$uts" ] && printf '%s\n' "$utsbytes" | grep -qxF "$KREL" &&
   printf '%s\n' "$utsbytes" | grep -qxF "#$version"; then
    ok "init_uts_ns at $uts holds $KREL and #$version"
else
    bad "init_uts_ns at $uts does not hold $KREL and #$version"
fi

swp=$(vmci swapper_pg_dir)
pa=$("$kdx" vtop "$d" "$swp" 2>&1 | awk 'NR == 2 { print $2 }')
want=$(printf '%016x' $(( root & ~0xfff )))
[ -n "$pa" ] && [ "$pa" = "$want" ] && ok "swapper_pg_dir $swp -> $pa, the root" ||
    bad "swapper_pg_dir $swp -> '$pa', root $root"

# the first 30 kernel lines of the console, in kdx's log
"$kdx" dmesg "$d" > "$dir/kdx-dmesg.txt" 2>&1
n=0 miss=0
while IFS= read -r line; do
    n=$((n + 1))
    grep -qF -- "$line" "$dir/kdx-dmesg.txt" || { miss=$((miss + 1)); echo "  not in kdx dmesg: $line"; }
done < <(printf '%s\n' "$con" | grep -E '^\[ *[0-9]+\.[0-9]+\] ' | head -30)
[ "$n" -gt 0 ] && [ "$miss" -eq 0 ] && ok "dmesg: the $n console lines checked are in kdx's log" ||
    bad "dmesg: $miss of $n console lines missing"

a=$(sym _stext)
[ -n "$a" ] && "$kdx" vtop "$d" "$a" >/dev/null 2>&1 && ok "_stext at $a translates" || bad "_stext at '$a' does not translate"
n=$("$kdx" maps "$d" 2>/dev/null | grep -vc '^#')
[ "$n" -gt 0 ] && ok "maps: $n ranges" || bad "maps lists nothing"

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]

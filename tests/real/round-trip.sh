# Sourced by check-migration.sh and check-lime.sh: round_trip IMAGE KDX
# WORK LABEL converts IMAGE to kdump-compressed and to ELF with kdx, and
# checks each output reopens in kdx with every byte of every range of
# IMAGE (merged into spans) read back the same, `kdx dmesg` the same, and
# makedumpfile --dump-dmesg (when installed) printing the same log.  Uses
# the caller's ok/bad/py.
round_trip() {
    local img=$1 kdx=$2 work=$3 label=$4 to out
    "$kdx" dmesg "$img" > "$work/rt.dmesg" 2>&1
    "$kdx" info --json "$img" > "$work/rt.json" 2>/dev/null
    for to in kdump elf; do
        out=$work/rt.$to
        if ! "$kdx" convert "$img" "$out" --to "$to" -q 2> "$work/rt.err"; then
            bad "$label: kdx convert --to $to: $(cat "$work/rt.err")"
            continue
        fi
        "$py" - "$kdx" "$img" "$out" "$work" "$to" > "$work/rt.txt" 2>&1 <<'PY'
import json, subprocess, sys
kdx, img, out, work, to = sys.argv[1:6]
PAGE = 4096
spans = []
for r in sorted(json.load(open(work + "/rt.json"))["memory"]["ranges"], key=lambda r: r["start"]):
    if spans and spans[-1][1] == r["start"]:
        spans[-1][1] = r["end"]
    else:
        spans.append([r["start"], r["end"]])
def read(path, s, n):
    return subprocess.run([kdx, "read", path, hex(s), hex(n), "--phys", "-o", "-"], capture_output=True)
ok, total, partial = True, 0, 0
for s, e in spans:
    if to == "kdump":
        # kdump-compressed holds whole pages: a page the image holds only
        # in part (a range edge inside it, e.g. 0x9fc00) is left out, not
        # padded with invented zeros; it must read as excluded.
        inner_s, inner_e = -(-s // PAGE) * PAGE, e // PAGE * PAGE
        for p in sorted({s // PAGE * PAGE if s != inner_s else None,
                         inner_e if e != inner_e else None} - {None}):
            b = read(out, p, 1)
            partial += 1
            if b.returncode == 0 or b"excluded" not in b.stderr:
                ok = False
                print("partial page 0x%x: not excluded (%s)" % (p, b.stderr.decode().strip()))
        s, e = inner_s, max(inner_s, inner_e)
        if s == e:
            continue
    a, b = read(img, s, e - s), read(out, s, e - s)
    if a.returncode or b.returncode or a.stdout != b.stdout:
        ok = False
        print("span 0x%x-0x%x: %s" % (s, e, (b.stderr or a.stderr).decode().strip() or "bytes differ"))
    total += e - s
print("%s %d spans 0x%x bytes%s" % ("SAME" if ok else "DIFF", len(spans), total,
      ", %d partial pages excluded" % partial if partial else ""))
PY
        if grep -q '^SAME' "$work/rt.txt"; then
            ok "$label: convert --to $to reopens with every byte the same ($(tail -1 "$work/rt.txt" | cut -d' ' -f2-))"
        else
            bad "$label: convert --to $to: $(head -3 "$work/rt.txt" | tr '\n' ' ')"
        fi
        "$kdx" dmesg "$out" > "$work/rt.out.dmesg" 2>&1
        if cmp -s "$work/rt.dmesg" "$work/rt.out.dmesg"; then
            ok "$label: kdx dmesg of the $to output is the same"
        else
            bad "$label: kdx dmesg of the $to output differs"
        fi
        if command -v makedumpfile >/dev/null; then
            rm -f "$work/rt.mdf"
            # Oracle quirk: makedumpfile 1.7.2 reads ELF segments through
            # 4 MiB mmap windows and misreads a page that follows a
            # segment with p_filesz < p_memsz (our zero pages): on one
            # guest it read SYMBOL(prb) as 0 while the file holds the
            # pointer (kdx, gdb and makedumpfile --non-mmap agree).  Its
            # plain-read path is the oracle here.
            local mdf_opts=()
            [ "$to" != elf ] || mdf_opts=(--non-mmap)
            makedumpfile "${mdf_opts[@]}" --dump-dmesg "$out" "$work/rt.mdf" > "$work/rt.mdf.log" 2>&1
            sed -i 's/\\xffffff\([0-9a-f][0-9a-f]\)/\\x\1/g' "$work/rt.mdf" 2>/dev/null
            if [ -s "$work/rt.mdf" ] && cmp -s "$work/rt.mdf" "$work/rt.dmesg"; then
                ok "$label: makedumpfile --dump-dmesg of the $to output == kdx dmesg"
            else
                bad "$label: makedumpfile --dump-dmesg of the $to output: $(tail -2 "$work/rt.mdf.log" | tr '\n' ' ')"
            fi
        fi
        rm -f "$out"
    done
}

#!/bin/bash
# Boot Debian's own arm64, armmp and armmp-lpae kernels under QEMU (TCG)
# with a busybox initramfs and dump them with QMP dump-guest-memory; read
# the page-table base registers and kernel memory through QEMU's gdb stub
# (QEMU's own MMU translates those reads: an oracle independent of kdx).
#
# Usage: make-arm-dumps.sh OUTDIR [TARGET...]   (TARGET: arm64 armmp armmp-lpae)
#
# Packages are fetched without installing foreign ones: dpkg
# --add-architecture arm64/armhf, apt-get download, dpkg-deb -x into
# OUTDIR/pkgs.  Needs qemu-system-arm (both binaries), gdb-multiarch,
# cpio, python3.  armmp kernels have no qemu_fw_cfg driver, so their dumps
# carry no VMCOREINFO note (kdx finds the text in physical memory).
#
# Output per target (OUTDIR/TARGET): vmcore.elf, console.log, gdb-regs.txt
# (all registers, incl. TTBR0/TTBR1/TCR), gdb-reads.txt ("ADDR HEXBYTES"
# read through the gdb stub at kernel symbols the guest printed from
# /proc/kallsyms - text, rodata, data, module - and, with KDX=path/to/kdx,
# at up to 200 addresses spread over the mappings at the live TTBR1),
# manifest.env.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
. "$here/guest-kit.sh"
[ $# -ge 1 ] || { sed -n '2,18p' "$0"; exit 2; }
outdir=$(mkdir -p "$1" && cd "$1" && pwd); shift
targets=("$@"); [ ${#targets[@]} -gt 0 ] || targets=(arm64 armmp armmp-lpae)
token=${KDX_MARKER_TOKEN:-q7Zr4Xk2Vt9Lm3Pw}
mem_mb=${KDX_QEMU_MEM_MB:-512}
pkgs=$outdir/pkgs
mkdir -p "$pkgs"

fetch() {  # $1 = package:arch; extracts into $pkgs/x/<package>_<arch>
    kdx_fetch_deb "$pkgs" "$1" >/dev/null
}

for a in arm64 armhf; do
    dpkg --print-foreign-architectures | grep -qx $a ||
        { dpkg --add-architecture $a && apt-get update -q >/dev/null || true; }
done

one() {
    local t=$1 arch dir kpkg krel kernel bb work qemu cpu con port
    case $t in
        arm64) arch=arm64; qemu=qemu-system-aarch64; machine=virt; cpu=cortex-a57; con=ttyAMA0 ;;
        armmp|armmp-lpae) arch=armhf; qemu=qemu-system-arm; machine=virt,highmem=off; cpu=cortex-a15; con=ttyAMA0 ;;
        *) echo "unknown target $t" >&2; return 1 ;;
    esac
    dir=$outdir/$t; mkdir -p "$dir"
    # the meta package names the versioned image
    fetch "linux-image-$t:$arch"
    kpkg=$(dpkg-deb -f "$pkgs"/linux-image-"$t"_*_"$arch".deb Depends | sed 's/ .*//')
    fetch "$kpkg:$arch"
    fetch "busybox-static:$arch"
    kernel=$(ls "$pkgs/x/${kpkg}_$arch"/boot/vmlinuz-*)
    krel=${kernel##*/vmlinuz-}
    work=$(mktemp -d); root=$work/root
    mkdir -p "$root"/{bin,dev,proc,sys,tmp,lib/modules}
    cp "$pkgs/x/busybox-static_$arch/bin/busybox" "$root/bin/busybox"
    ln -s busybox "$root/bin/sh"
    : > "$root/lib/modules/load-order"
    fw=$(find "$pkgs/x/${kpkg}_$arch/lib/modules" -name 'qemu_fw_cfg.ko*' | head -1)
    if [ -n "$fw" ]; then
        case $fw in *.xz) xz -dc "$fw" ;; *.zst) zstd -qdc "$fw" ;; *) cat "$fw" ;; esac \
            > "$root/lib/modules/qemu_fw_cfg.ko"
        echo qemu_fw_cfg.ko > "$root/lib/modules/load-order"
    fi
    cat > "$root/init" <<'INIT'
#!/bin/sh
/bin/busybox mount -t proc proc /proc
/bin/busybox --install -s /bin
export PATH=/bin
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
exec </dev/console >/dev/console 2>&1
for m in $(cat /lib/modules/load-order); do insmod /lib/modules/$m; done
token=
for x in $(cat /proc/cmdline); do case $x in kdxmarker=*) token=${x#kdxmarker=} ;; esac; done
mkdir -p /dev/shm; mount -t tmpfs -o size=16m tmpfs /dev/shm
printf 'KDX-MARKER-%s\n' "$token" > /dev/shm/m
for i in 1 2 3 4 5 6 7 8; do cat /dev/shm/m /dev/shm/m > /dev/shm/m2 && mv /dev/shm/m2 /dev/shm/m; done
echo 0 > /proc/sys/kernel/kptr_restrict
# kernel addresses for the gdb oracle: text, rodata, data, bss
for s in _stext linux_banner init_task jiffies init_uts_ns swapper_pg_dir; do
    awk -v s=$s '$3 == s { print "kdx-sym: " s " " $1; exit }' /proc/kallsyms
done
# module symbols live in the vmalloc/module area
awk '$4 == "[qemu_fw_cfg]" && n++ < 4 { print "kdx-sym: " $3 " " $1 }' /proc/kallsyms
echo "kdx-init: KDX-READY"
while :; do sleep 3600; done
INIT
    chmod 755 "$root/init"
    (cd "$root" && find . | LC_ALL=C sort | cpio -o -H newc --quiet -R 0:0 | gzip -9) > "$work/initrd.gz"
    port=$(( 12000 + RANDOM % 20000 ))
    sock=$work/qmp.sock
    : > "$dir/console.log"
    $qemu -M "$machine" -cpu "$cpu" -accel tcg -m "${mem_mb}M" -smp 1 -nodefaults \
        -display none -no-reboot -kernel "$kernel" -initrd "$work/initrd.gz" \
        -append "console=$con panic=-1 kdxmarker=$token" \
        $( [ "$t" = arm64 ] && echo "-device vmcoreinfo" ) \
        -qmp "unix:$sock,server=on,wait=off" -gdb "tcp:127.0.0.1:$port" \
        -serial "file:$dir/console.log" </dev/null > "$work/qemu.out" 2>&1 &
    local pid=$! t0; t0=$(date +%s)
    trap 'kill '$pid' 2>/dev/null || true' EXIT
    until grep -q 'KDX-READY' "$dir/console.log"; do
        kill -0 $pid 2>/dev/null || { cat "$work/qemu.out"; tail "$dir/console.log"; return 1; }
        [ $(( $(date +%s) - t0 )) -lt 300 ] || { tail "$dir/console.log"; kill $pid; return 1; }
        sleep 1
    done
    echo "[$t] ready after $(( $(date +%s) - t0 ))s"
    python3 "$here/qmp.py" "$sock" cmd stop >/dev/null
    rm -f "$dir/vmcore.elf"
    python3 "$here/qmp.py" "$sock" cmd dump-guest-memory \
        "{\"paging\": false, \"protocol\": \"file:$dir/vmcore.elf\"}" >/dev/null
    # registers, and memory read through QEMU's MMU at the guest's addresses
    local gx=("-batch" "-ex" "set pagination off" "-ex" "target remote 127.0.0.1:$port")
    gdb-multiarch "${gx[@]}" -ex "info all-registers" > "$dir/gdb-regs.txt" 2>&1 || true
    {
        grep -a -E '^kdx-sym:' "$dir/console.log" | awk '{print $NF}'
        # With KDX set: up to 200 addresses spread over the mappings kdx
        # lists at the live TTBR1 (the bytes still come from gdb).
        if [ -n "${KDX:-}" ]; then
            local r1 vb=()
            r1=$(awk 'tolower($1) ~ /^ttbr1(_el1|_s)?$/ {print $2; exit}' "$dir/gdb-regs.txt")
            [ "$t" = armmp-lpae ] && vb=(--va-bits 30)
            "$KDX" maps "$dir/vmcore.elf" --root "$r1" "${vb[@]}" 2>/dev/null |
                awk '!/^#/ { split($1, r, "-"); print r[1] }' |
                awk '{ a[NR] = $1 } END { s = NR > 200 ? NR / 200 : 1; for (i = 1; i <= NR; i += s) print a[int(i)] }'
        fi
    } | tr -d '\r' | sed 's/^0x//' | sort -u > "$work/addrs"
    local ex=()
    while read -r a; do ex+=(-ex "x/16xb 0x$a"); done < "$work/addrs"
    gdb-multiarch "${gx[@]}" "${ex[@]}" 2>&1 | tee "$dir/gdb-reads.raw" | python3 -c '
import re, sys
cur = None; out = {}
for line in sys.stdin:
    m = re.match(r"^(0x[0-9a-f]+)[^:]*:\s*(.*)$", line.strip())
    if not m: continue
    addr = int(m.group(1), 16)
    bs = []
    for tok in m.group(2).split():
        if not tok.startswith("0x"): break  # "Cannot access memory"
        bs.append(int(tok, 16))
    for i, b in enumerate(bs): out[addr + i] = b
starts = sorted(a for a in out if a - 1 not in out)
for s in starts:
    n = 0
    while s + n in out: n += 1
    print("0x%x %s" % (s, "".join("%02x" % out[s + i] for i in range(n))))
' > "$dir/gdb-reads.txt" || true  # gdb exits 1 when an address cannot be read
    python3 "$here/qmp.py" "$sock" cmd quit >/dev/null 2>&1 || true
    wait $pid 2>/dev/null || true
    rm -rf "$work"
    {
        printf 'TARGET=%q\nKREL=%q\nKERNEL=%q\nMARKER=%q\nMEM_MB=%q\n' "$t" "$krel" "$kernel" "KDX-MARKER-$token" "$mem_mb"
        printf 'TTBR0=%q\nTTBR1=%q\nTCR=%q\n' \
            "$(awk 'tolower($1) ~ /^ttbr0(_el1|_s)?$/ {print $2; exit}' "$dir/gdb-regs.txt")" \
            "$(awk 'tolower($1) ~ /^ttbr1(_el1|_s)?$/ {print $2; exit}' "$dir/gdb-regs.txt")" \
            "$(awk 'tolower($1) ~ /^(tcr_el1|ttbcr(_s)?)$/ {print $2; exit}' "$dir/gdb-regs.txt")"
    } > "$dir/manifest.env"
    echo "[$t] $(ls -s "$dir/vmcore.elf")"; cat "$dir/manifest.env"
}

for t in "${targets[@]}"; do one "$t"; done

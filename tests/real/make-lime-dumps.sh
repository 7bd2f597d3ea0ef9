#!/bin/bash
# A real LiME acquisition of the Debian guest the other harnesses boot,
# and QEMU's dump-guest-memory of the same guest right after, for
# check-lime-real.sh.
#
# Usage: make-lime-dumps.sh OUTDIR
#
# LiME's source comes from Debian's lime-forensics-dkms (downloaded, not
# installed: no DKMS hook runs) and is built against linux-headers of the
# kernel the guest boots (installed when missing and we are root).  The
# guest (512 MiB, 2 vCPUs, TCG) loads virtio_blk, writes the usual marker
# file into tmpfs, then `insmod lime.ko path=/dev/vda format=lime`: LiME
# writes every "System RAM" range to the virtio disk while the kernel
# runs.  When the guest says it is done, QEMU is stopped and writes
# vmcore.elf (paging off).  The disk's LiME ranges (walked by their
# headers, the zeros after them cut off) become lime.img.
#
# OUTDIR gets lime.img, vmcore.elf, console.log and manifest.env (KREL,
# MARKER, KERNEL_CODE, KERNEL_RODATA, LIME, ELF).
# Environment: KDX_MARKER_TOKEN, KDX_BOOT_TIMEOUT (default 300 s),
# KDX_NO_INSTALL=1 (never apt-get).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
. "$here/guest-kit.sh"
[ $# -eq 1 ] || { echo "usage: $0 OUTDIR" >&2; exit 2; }
outdir=$1
token=${KDX_MARKER_TOKEN:-q7Zr4Xk2Vt9Lm3Pw}
marker="KDX-MARKER-$token"
timeout=${KDX_BOOT_TIMEOUT:-300}
mem_mb=512
t_start=$(date +%s)
stamp() { echo "[$(( $(date +%s) - t_start ))s] $*"; }

kdx_find_amd64_kernel || exit 1
headers=/usr/src/linux-headers-$krel
need=()
[ -d "$headers" ] || need+=("linux-headers-$krel")
command -v qemu-system-x86_64 >/dev/null || need+=(qemu-system-x86)
[ -x /bin/busybox ] && file -L /bin/busybox | grep -q 'statically linked' || need+=(busybox-static)
command -v cpio >/dev/null || need+=(cpio)
command -v make >/dev/null || need+=(make)
if [ ${#need[@]} -gt 0 ]; then
    if [ "${KDX_NO_INSTALL:-0}" = 1 ] || [ "$(id -u)" != 0 ]; then
        echo "missing packages: ${need[*]} (run as root or install them)" >&2
        exit 1
    fi
    stamp "installing: ${need[*]}"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${need[@]}" >/dev/null
fi
py=python3
[ -x /usr/bin/python3 ] && py=/usr/bin/python3
mkdir -p "$outdir"
outdir=$(cd "$outdir" && pwd)
work=$(mktemp -d /tmp/kdx-lime.XXXXXX)
qemu_pid=
cleanup() {
    if [ -n "$qemu_pid" ] && kill -0 "$qemu_pid" 2>/dev/null; then kill "$qemu_pid" 2>/dev/null || true; fi
    rm -rf "$work"
}
trap cleanup EXIT

# ------------------------------------------------------------ the module
pkgs=$outdir/pkgs
mkdir -p "$pkgs"
limedeb=$(kdx_fetch_deb "$pkgs" lime-forensics-dkms:all)
limesrc=$(ls -d "$limedeb"/usr/src/lime-forensics-* | head -n1)
cp -r "$limesrc" "$work/lime"
make -C "$headers" M="$work/lime" modules > "$work/lime-build.log" 2>&1 ||
    { tail -20 "$work/lime-build.log" >&2; exit 1; }
stamp "built $(basename "$limesrc")/lime.ko against $headers"

# ------------------------------------------------------------ initramfs
root=$work/root
mkdir -p "$root"/{bin,dev,proc,sys,tmp,lib/modules}
cp /bin/busybox "$root/bin/busybox"
ln -s busybox "$root/bin/sh"
cp "$work/lime/lime.ko" "$root/lime.ko"
moddir=/lib/modules/$krel
declare -A seen=()
modorder=()
add_mod() {
    local rel=$1 dep
    [ -n "${seen[$rel]:-}" ] && return 0
    seen[$rel]=1
    for dep in $(awk -v m="$rel:" '$1 == m { $1 = ""; print }' "$moddir/modules.dep"); do
        add_mod "$dep"
    done
    modorder+=("$rel")
}
for m in virtio_pci virtio_blk; do
    add_mod "$(awk -F: -v m="/$m.ko" 'index($1, m) { print $1 }' "$moddir/modules.dep" | head -n1)"
done
kdx_install_modules "$moddir" "$root" "${modorder[@]}"
cat > "$root/init" <<'EOF'
#!/bin/sh
/bin/busybox mount -t proc proc /proc
/bin/busybox --install -s /bin
export PATH=/bin
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
exec </dev/console >/dev/console 2>&1
for m in $(cat /lib/modules/load-order); do
    insmod /lib/modules/$m || echo "kdx-init: FAILED to load $m"
done
grep -E 'Kernel (code|rodata)$' /proc/iomem | sed 's/^ */kdx-init: iomem /'
token=
for x in $(cat /proc/cmdline); do case $x in kdxmarker=*) token=${x#kdxmarker=} ;; esac; done
for i in 1 2 3 4; do sleep 100000 & done
mkdir -p /dev/shm
mount -t tmpfs -o size=16m tmpfs /dev/shm
printf 'KDX-MARKER-%s\n' "$token" > /dev/shm/m
for i in 1 2 3 4 5 6 7 8 9 10 11 12; do
    cat /dev/shm/m /dev/shm/m > /dev/shm/m2 && mv /dev/shm/m2 /dev/shm/m
done
echo "kdx-init: marker lines: $(wc -l < /dev/shm/m)"
i=0
while [ ! -b /dev/vda ] && [ $i -lt 50 ]; do sleep 0.2; i=$((i + 1)); done
insmod /lime.ko "path=/dev/vda format=lime"
echo "kdx-init: LIME-DONE rc=$?"
while :; do sleep 1000; done
EOF
chmod +x "$root/init"
(cd "$root" && find . | cpio -o -H newc 2>/dev/null | gzip -1) > "$work/initrd.gz"

# ------------------------------------------------------------ the guest
truncate -s $(( (mem_mb + 64) << 20 )) "$work/disk.img"
sock=$work/qmp.sock
console=$outdir/console.log
: > "$console"
rm -f "$outdir/lime.img" "$outdir/vmcore.elf" "$outdir/manifest.env"
stamp "booting $krel with LiME"
qemu-system-x86_64 -machine pc -accel tcg -m "${mem_mb}M" -smp 2 \
    -nodefaults -display none -no-reboot \
    -kernel "$kernel" -initrd "$work/initrd.gz" \
    -append "console=ttyS0 panic=-1 loglevel=6 kdxmarker=$token" \
    -drive "file=$work/disk.img,format=raw,if=virtio" \
    -qmp "unix:$sock,server=on,wait=off" -serial "file:$console" \
    </dev/null >"$work/qemu.out" 2>&1 &
qemu_pid=$!
t_boot=$(date +%s)
until grep -q 'kdx-init: LIME-DONE' "$console"; do
    kill -0 "$qemu_pid" 2>/dev/null || { cat "$work/qemu.out" >&2; tail -20 "$console" >&2; exit 1; }
    [ $(( $(date +%s) - t_boot )) -lt "$timeout" ] || { echo "no LIME-DONE after ${timeout}s" >&2; tail -20 "$console" >&2; exit 1; }
    sleep 1
done
stamp "LiME done: $(grep -o 'LIME-DONE.*' "$console")"
grep -q 'LIME-DONE rc=0' "$console" || { tail -20 "$console" >&2; exit 1; }
"$py" "$here/qmp.py" "$sock" cmd stop > /dev/null
"$py" "$here/qmp.py" "$sock" cmd dump-guest-memory \
    "{\"paging\": false, \"protocol\": \"file:$outdir/vmcore.elf\", \"detach\": false}" > /dev/null
"$py" "$here/qmp.py" "$sock" cmd quit > /dev/null 2>&1 || true
wait "$qemu_pid" 2>/dev/null || true
qemu_pid=
stamp "vmcore.elf written"

# The LiME ranges on the disk, up to the first place with no header.
"$py" - "$work/disk.img" "$outdir/lime.img" <<'PY'
import struct, sys
disk, out = sys.argv[1:3]
with open(disk, "rb") as f, open(out, "wb") as o:
    pos = n = 0
    while True:
        f.seek(pos)
        h = f.read(32)
        if len(h) < 32 or h[:8] != b"EMiL\x01\x00\x00\x00":
            break
        s, e = struct.unpack_from("<QQ", h, 8)
        o.write(h)
        o.write(f.read(e - s + 1))
        pos += 32 + e - s + 1
        n += 1
    if not n:
        sys.exit("no LiME range on the disk")
    print("lime.img: %d ranges, %d bytes" % (n, pos))
PY
chmod 644 "$outdir/vmcore.elf" "$outdir/lime.img"
{
    printf 'KREL=%q\n' "$krel"
    printf 'MARKER=%q\n' "$marker"
    printf 'KERNEL_CODE=%q\n' "$(sed -n 's/^kdx-init: iomem \([0-9a-f]*-[0-9a-f]*\) : Kernel code.*/\1/p' "$console" | head -n1)"
    printf 'KERNEL_RODATA=%q\n' "$(sed -n 's/^kdx-init: iomem \([0-9a-f]*-[0-9a-f]*\) : Kernel rodata.*/\1/p' "$console" | head -n1)"
    printf 'LIME=%q\n' lime.img
    printf 'ELF=%q\n' vmcore.elf
    printf 'LIME_SOURCE=%q\n' "$(basename "$limesrc")"
} > "$outdir/manifest.env"
stamp "done"
cat "$outdir/manifest.env"

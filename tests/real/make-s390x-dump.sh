#!/bin/bash
# Boot Debian's own s390x kernel under QEMU (TCG) with a busybox initramfs
# and dump it with QMP dump-guest-memory (an ELF with VMCOREINFO: s390x's
# kernel gives it to QEMU through the lowcore).  The guest prints the
# kernel's banner and, from /proc/kallsyms, the addresses of a few symbols:
# the oracle check-s390x.sh reads them back through kdx.
#
# Usage: make-s390x-dump.sh OUTDIR
#
# Packages are fetched without installing foreign ones (dpkg
# --add-architecture s390x, apt-get download, dpkg-deb -x into
# OUTDIR/pkgs).  Needs qemu-system-s390x (package qemu-system-misc),
# cpio, python3.  Output in OUTDIR: vmcore.elf, console.log,
# manifest.env (and the packages in OUTDIR/pkgs).  apt runs its
# downloads as root (APT::Sandbox::User): the sandbox user cannot write
# OUTDIR.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
. "$here/guest-kit.sh"
[ $# -ge 1 ] || { sed -n '2,14p' "$0"; exit 2; }
outdir=$(mkdir -p "$1" && cd "$1" && pwd)
token=${KDX_MARKER_TOKEN:-q7Zr4Xk2Vt9Lm3Pw}
mem_mb=${KDX_QEMU_MEM_MB:-512}
pkgs=$outdir/pkgs
dir=$outdir
mkdir -p "$pkgs"

dpkg --print-foreign-architectures | grep -qx s390x ||
    { dpkg --add-architecture s390x &&
      apt-get update -q -o APT::Sandbox::User=root >/dev/null || true; }

kdx_fetch_deb "$pkgs" linux-image-s390x:s390x >/dev/null
kpkg=$(dpkg-deb -f "$pkgs"/linux-image-s390x_*_s390x.deb Depends | sed 's/ .*//')
kdx_fetch_deb "$pkgs" "$kpkg:s390x" >/dev/null
kdx_fetch_deb "$pkgs" busybox-static:s390x >/dev/null
kernel=$(ls "$pkgs/x/${kpkg}_s390x"/boot/vmlinuz-*)
krel=${kernel##*/vmlinuz-}

work=$(mktemp -d); root=$work/root
trap 'rm -rf "$work"' EXIT
mkdir -p "$root"/{bin,dev,proc,sys,tmp}
cp "$pkgs/x/busybox-static_s390x/bin/busybox" "$root/bin/busybox"
ln -s busybox "$root/bin/sh"
cat > "$root/init" <<'INIT'
#!/bin/sh
/bin/busybox mount -t proc proc /proc
/bin/busybox --install -s /bin
export PATH=/bin
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
token=
for x in $(cat /proc/cmdline); do case $x in kdxmarker=*) token=${x#kdxmarker=} ;; esac; done
echo "kdx-banner: $(cat /proc/version)"
echo 0 > /proc/sys/kernel/kptr_restrict
for s in linux_banner init_uts_ns swapper_pg_dir jiffies _stext; do
    awk -v s=$s '$3 == s { print "kdx-sym: " s " " $1; exit }' /proc/kallsyms
done
echo "kdx-init: KDX-READY-$token"
while :; do sleep 3600; done
INIT
chmod 755 "$root/init"
(cd "$root" && find . | LC_ALL=C sort | cpio -o -H newc --quiet -R 0:0 | gzip -9) > "$work/initrd.gz"

sock=$work/qmp.sock
: > "$dir/console.log"
qemu-system-s390x -M s390-ccw-virtio -accel tcg -m "${mem_mb}M" -smp 1 \
    -nodefaults -display none -no-reboot \
    -kernel "$kernel" -initrd "$work/initrd.gz" \
    -append "console=ttysclp0 panic=-1 kdxmarker=$token" \
    -chardev "file,id=con,path=$dir/console.log" -device sclpconsole,chardev=con \
    -qmp "unix:$sock,server=on,wait=off" </dev/null > "$work/qemu.out" 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null || true; rm -rf "$work"' EXIT
t0=$(date +%s)
until grep -q "KDX-READY-$token" "$dir/console.log"; do
    kill -0 $pid 2>/dev/null || { cat "$work/qemu.out"; tail "$dir/console.log"; exit 1; }
    [ $(( $(date +%s) - t0 )) -lt 300 ] || { tail "$dir/console.log"; exit 1; }
    sleep 1
done
echo "[s390x] ready after $(( $(date +%s) - t0 ))s"
python3 "$here/qmp.py" "$sock" cmd stop >/dev/null
rm -f "$dir/vmcore.elf"
python3 "$here/qmp.py" "$sock" cmd dump-guest-memory \
    "{\"paging\": false, \"protocol\": \"file:$dir/vmcore.elf\"}" >/dev/null
python3 "$here/qmp.py" "$sock" cmd quit >/dev/null 2>&1 || true
wait $pid 2>/dev/null || true
printf 'TARGET=s390x\nKREL=%q\nKERNEL=%q\nMEM_MB=%q\n' "$krel" "$kernel" "$mem_mb" > "$dir/manifest.env"
echo "[s390x] $(ls -s "$dir/vmcore.elf")"; cat "$dir/manifest.env"

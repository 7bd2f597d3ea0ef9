#!/bin/bash
# Real dumps for `kdx dmesg` and the crash summary of `kdx info`: boot the
# installed Debian kernel in QEMU (TCG), as make-qemu-dumps.sh does, with an
# initramfs whose /init does one scenario, then dump the stopped guest.
#
# Usage: make-dmesg-dumps.sh [--only NAME] OUTDIR
#
# Scenarios (each one VM, one subdirectory of OUTDIR):
#   panic/   floods /dev/kmsg with 20000 lines of varying length (the default
#            128 KiB ring wraps dozens of times, and data blocks wrap at
#            the ring's end), then `echo c > /proc/sysrq-trigger`: a real
#            panic ("Kernel panic - not syncing: sysrq triggered crash").
#            Booted with panic=0 so the guest stays in panic until dumped.
#   flood64/ boots with log_buf_len=64M and writes 200-byte lines to
#            /dev/kmsg until the 64 MiB ring has wrapped (about 1.5 times
#            its size): the benchmark dump of bench/dmesg.sh.
# Each directory gets vmcore.elf (paging off), vmcore.kdump-zlib (QEMU's
# flattened kdump), console.log and manifest.env.
#
# Environment: KDX_QEMU_MEM_MB (default 512), KDX_QEMU_SMP (default 2),
# KDX_BOOT_TIMEOUT (seconds to wait for each scenario, default 900).
#
# Why not call make-qemu-dumps.sh: it has KDX_QEMU_APPEND for kernel
# arguments but no way to change what /init does or what to wait for, so
# the few lines that build the initramfs and drive QEMU are repeated here.
# With two hooks there (KDX_INIT_HOOK: a shell snippet /init runs before
# printing KDX-READY; KDX_READY_PATTERN: the console text to wait for) this
# script would shrink to two calls of it.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
. "$here/guest-kit.sh"
only=
while [ $# -gt 0 ]; do
    case $1 in
        --only) only=$2; shift 2 ;;
        -h|--help) sed -n '2,30p' "$0"; exit 0 ;;
        -*) echo "unknown option: $1" >&2; exit 2 ;;
        *) break ;;
    esac
done
[ $# -eq 1 ] || { echo "usage: $0 [--only panic|flood64] OUTDIR" >&2; exit 2; }
mkdir -p "$1"
outdir=$(cd "$1" && pwd)
mem_mb=${KDX_QEMU_MEM_MB:-512}
ncpus=${KDX_QEMU_SMP:-2}
boot_timeout=${KDX_BOOT_TIMEOUT:-900}
py=python3
[ -x /usr/bin/python3 ] && py=/usr/bin/python3
t_start=$(date +%s)
stamp() { echo "[$(( $(date +%s) - t_start ))s] $*"; }

for tool in qemu-system-x86_64 cpio gzip; do
    command -v $tool >/dev/null || { echo "missing $tool (see make-qemu-dumps.sh)" >&2; exit 1; }
done
kdx_find_amd64_kernel || exit 1
busybox=/bin/busybox
file -L "$busybox" | grep -q 'statically linked' || { echo "$busybox is not static" >&2; exit 1; }

work=$(mktemp -d /tmp/kdx-dmesg.XXXXXX)
qemu_pid=
cleanup() {
    if [ -n "$qemu_pid" ] && kill -0 "$qemu_pid" 2>/dev/null; then kill "$qemu_pid" 2>/dev/null || true; fi
    rm -rf "$work"
}
trap cleanup EXIT

# qemu_fw_cfg (VMCOREINFO for QEMU's dumps) and its dependencies, as in
# make-qemu-dumps.sh.
moddir=/lib/modules/$krel
mods=()
fwcfg_rel=$(awk -F: '$1 ~ /\/qemu_fw_cfg\.ko(\.[a-z]+)?$/ { print $1 }' "$moddir/modules.dep")
if [ -n "$fwcfg_rel" ]; then
    for rel in $(awk -v m="$fwcfg_rel:" '$1 == m { $1 = ""; print }' "$moddir/modules.dep") "$fwcfg_rel"; do
        mods+=("$rel")
    done
fi

# build_initrd NAME SCENARIO-SNIPPET
build_initrd() {
    local root=$work/root-$1 rel base
    mkdir -p "$root"/{bin,dev,proc,sys,tmp,lib/modules}
    cp "$busybox" "$root/bin/busybox"
    ln -s busybox "$root/bin/sh"
    kdx_install_modules "$moddir" "$root" "${mods[@]}" || return 1
    {
        cat <<'EOF'
#!/bin/sh
/bin/busybox mount -t proc proc /proc
/bin/busybox --install -s /bin
export PATH=/bin
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
exec </dev/console >/dev/console 2>&1
for m in $(cat /lib/modules/load-order); do insmod /lib/modules/$m; done
echo "kdx-init: starting scenario"
EOF
        printf '%s\n' "$2"
        echo 'while :; do sleep 3600; done'
    } > "$root/init"
    chmod 755 "$root/init"
    (cd "$root" && find . | LC_ALL=C sort | cpio -o -H newc --quiet -R 0:0 | gzip -1) > "$work/initrd-$1.gz"
}

# run_vm NAME APPEND PATTERN: boot, wait for PATTERN on the console, stop
# the guest and write the dumps.
run_vm() {
    local name=$1 append=$2 pattern=$3 dir=$outdir/$1 sock=$work/qmp-$1.sock t_boot
    mkdir -p "$dir"
    rm -f "$dir"/vmcore.* "$dir"/manifest.env
    : > "$dir/console.log"
    stamp "$name: booting -m ${mem_mb}M -smp $ncpus, append: $append"
    t_boot=$(date +%s)
    qemu-system-x86_64 \
        -machine pc -accel tcg -m "${mem_mb}M" -smp "$ncpus" \
        -nodefaults -device VGA -display none -no-reboot \
        -kernel "$kernel" -initrd "$work/initrd-$name.gz" -append "$append" \
        -device vmcoreinfo \
        -qmp "unix:$sock,server=on,wait=off" \
        -serial "file:$dir/console.log" \
        </dev/null >"$work/qemu-$name.out" 2>&1 &
    qemu_pid=$!
    while ! grep -aq -- "$pattern" "$dir/console.log"; do
        if ! kill -0 "$qemu_pid" 2>/dev/null; then
            cat "$work/qemu-$name.out" >&2; tail -n 30 "$dir/console.log" >&2
            echo "$name: QEMU exited early" >&2; exit 1
        fi
        if [ $(( $(date +%s) - t_boot )) -ge "$boot_timeout" ]; then
            tail -n 30 "$dir/console.log" >&2
            echo "$name: '$pattern' not seen after ${boot_timeout}s" >&2; exit 1
        fi
        sleep 2
    done
    sleep 3  # let the panic path finish printing
    stamp "$name: '$pattern' after $(( $(date +%s) - t_boot ))s; dumping"
    "$py" "$here/qmp.py" "$sock" cmd stop >/dev/null
    "$py" "$here/qmp.py" "$sock" cmd dump-guest-memory \
        "{\"paging\": false, \"protocol\": \"file:$dir/vmcore.elf\", \"detach\": false}" >/dev/null
    "$py" "$here/qmp.py" "$sock" cmd dump-guest-memory \
        "{\"paging\": false, \"format\": \"kdump-zlib\", \"protocol\": \"file:$dir/vmcore.kdump-zlib\", \"detach\": false}" >/dev/null
    "$py" "$here/qmp.py" "$sock" cmd quit >/dev/null 2>&1 || true
    for _ in $(seq 60); do kill -0 "$qemu_pid" 2>/dev/null || break; sleep 0.5; done
    kill "$qemu_pid" 2>/dev/null || true
    wait "$qemu_pid" 2>/dev/null || true
    qemu_pid=
    chmod 644 "$dir"/vmcore.*
    {
        printf 'KREL=%q\n' "$krel"
        printf 'SCENARIO=%q\n' "$name"
        printf 'MEM_MB=%q\n' "$mem_mb"
        printf 'NCPUS=%q\n' "$ncpus"
        printf 'QEMU_APPEND=%q\n' "$append"
        printf 'FORMATS=%q\n' "vmcore.elf vmcore.kdump-zlib"
    } > "$dir/manifest.env"
    stamp "$name: done: $(cd "$dir" && ls)"
}

# Lines of 1..300 characters so records and data blocks take every size,
# and the 128 KiB data ring wraps at every alignment.
panic_init='
pad=0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ
pad=$pad$pad$pad$pad$pad
i=0
while [ $i -lt 20000 ]; do
    n=$(( (i * 37) % 300 ))
    echo "<$(( i % 8 ))>kdx-flood $i ${pad:0:$n}" > /dev/kmsg
    i=$(( i + 1 ))
done
echo "<5>kdx-flood: done, crashing" > /dev/kmsg
echo c > /proc/sysrq-trigger
'
# 200-byte records: 199 characters and the newline /dev/kmsg strips, one
# write each (dd bs=200 iflag=fullblock); 500000 of them (~100 MB of text)
# wrap the 64 MiB data ring about 1.5 times.
flood_init='
line=$(printf "%0199d" 0 | tr 0 x)
yes "$line" | dd bs=200 count=500000 iflag=fullblock of=/dev/kmsg 2>/dev/null
echo "kdx-init: KDX-FLOODED"
'

case $only in ''|panic)
    build_initrd panic "$panic_init"
    run_vm panic "console=ttyS0 panic=0 loglevel=5 printk.devkmsg=on" "Kernel panic - not syncing"
esac
case $only in ''|flood64)
    build_initrd flood64 "$flood_init"
    run_vm flood64 "console=ttyS0 panic=0 loglevel=1 printk.devkmsg=on log_buf_len=64M" "KDX-FLOODED"
esac
stamp "all done"

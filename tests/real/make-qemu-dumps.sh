#!/bin/bash
# Boot the installed Debian kernel in QEMU (TCG) with a tiny busybox
# initramfs and produce real x86_64 memory dumps in every format QEMU
# offers, plus raw oracles (pmemsave of RAM, HMP info registers/tlb/mtree).
#
# Usage: make-qemu-dumps.sh [--sample] OUTDIR
#
# Environment:
#   KDX_SAMPLE=1           same as --sample: the bundled sample's settings (below)
#   KDX_QEMU_MEM_MB        guest RAM in MiB (default 512, sample 96)
#   KDX_QEMU_SMP           vCPUs (default 2, sample 1)
#   KDX_QEMU_APPEND        extra kernel command line (e.g. "nokaslr")
#   KDX_MARKER_TOKEN       marker token (default: fixed token below)
#   KDX_BOOT_TIMEOUT       seconds to wait for the guest (default 180)
#   KDX_ZERO_FREE_MEMORY=1 zero the guest's free memory before the dump, so that
#                          old data in free pages doesn't bloat the compressed
#                          dump (default 1 with --sample, else 0): the kernel
#                          boots with init_on_free=1; the guest's init fills a
#                          tmpfs with zeros until ENOSPC and deletes it, then
#                          deletes busybox and execs kdx-idle (a tiny no-libc
#                          program built here with cc), which frees busybox's pages
#   KDX_SAMPLE_ARGS        kernel arguments --sample adds (default: see below)
#   KDX_NO_INSTALL=1       never run apt-get; fail if something is missing
#   KDX_KERNEL_FLAVOUR     amd64 (default: the newest installed /boot/vmlinuz-*-amd64),
#                          or 686-pae / 686: Debian's i386 kernel (PAE or 2-level
#                          paging) and busybox, fetched with dpkg --add-architecture
#                          i386, apt-get download and dpkg-deb -x into KDX_PKG_DIR
#                          (default OUTDIR/pkgs; nothing foreign is installed)
#   KDX_QEMU_BINARY        default qemu-system-x86_64 (it writes 64-bit ELF and
#                          kdump headers even for a 32-bit guest; qemu-system-i386
#                          writes 32-bit ones)
#   KDX_QEMU_CPU           -cpu model, e.g. "max,+la57" for 5-level paging
#
# --sample (for tests/data/sample-x86_64.elf.xz, see make-sample.sh): 96 MiB,
# 1 vCPU, KDX_ZERO_FREE_MEMORY=1, no VGA, the qboot firmware QEMU ships instead
# of SeaBIOS (less firmware in low memory, 64 KiB ROM), and kernel arguments
# that leave less kernel state: all to make the compressed dump small.
#
# Output (OUTDIR): vmcore.elf, vmcore-paging.elf, vmcore.kdump-*, pmem.raw (+pmem.map),
# info-registers.txt, info-tlb.txt, info-mtree.txt, info-mem.txt,
# dump-formats.txt, console.log, manifest.env.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
. "$here/guest-kit.sh"
sample=${KDX_SAMPLE:-0}
while [ $# -gt 0 ]; do
    case $1 in
        --sample) sample=1; shift ;;
        -h|--help) sed -n '2,/^set -e/p' "$0" | sed '$d'; exit 0 ;;
        --) shift; break ;;
        -*) echo "unknown option: $1" >&2; exit 2 ;;
        *) break ;;
    esac
done
[ $# -eq 1 ] || { echo "usage: $0 [--sample] OUTDIR" >&2; exit 2; }
outdir=$1

if [ "$sample" = 1 ]; then
    mem_mb=${KDX_QEMU_MEM_MB:-96}   # 80M does not boot Debian 6.1 under TCG
    ncpus=${KDX_QEMU_SMP:-1}
    zero_free=${KDX_ZERO_FREE_MEMORY:-1}
    # lockdown=confidentiality: the 6.1 kernel then makes no tracefs files
    # (~9 MiB of inodes and dentries less); the rest trim a little more.
    sample_args=${KDX_SAMPLE_ARGS-lockdown=confidentiality lsm=lockdown ipv6.disable=1 audit=0 nowatchdog cgroup_disable=memory mitigations=off}
    machine_opts=(-bios /usr/share/qemu/qboot.rom)
else
    mem_mb=${KDX_QEMU_MEM_MB:-512}
    ncpus=${KDX_QEMU_SMP:-2}
    zero_free=${KDX_ZERO_FREE_MEMORY:-0}
    sample_args=
    machine_opts=(-device VGA)
fi
token=${KDX_MARKER_TOKEN:-q7Zr4Xk2Vt9Lm3Pw}
case $token in *[!A-Za-z0-9_]*|'') echo "KDX_MARKER_TOKEN must be [A-Za-z0-9_]+" >&2; exit 2 ;; esac
marker="KDX-MARKER-$token"
boot_timeout=${KDX_BOOT_TIMEOUT:-180}
# Everything below 4 GiB on the pc machine as long as RAM <= 2.75 GiB.
if [ "$mem_mb" -gt 2816 ]; then
    echo "KDX_QEMU_MEM_MB > 2816 would split RAM around the PCI hole; not supported" >&2
    exit 2
fi

t_start=$(date +%s)
stamp() { echo "[$(( $(date +%s) - t_start ))s] $*"; }

# ---------------------------------------------------------------- packages
need=()
command -v qemu-system-x86_64 >/dev/null || need+=(qemu-system-x86)
if ! ls /boot/vmlinuz-*-amd64 >/dev/null 2>&1; then need+=(linux-image-amd64); fi
if ! { [ -x /bin/busybox ] && file -L /bin/busybox 2>/dev/null | grep -q 'statically linked'; } &&
   ! dpkg -s busybox-static >/dev/null 2>&1; then
    need+=(busybox-static)
fi
command -v cpio >/dev/null || need+=(cpio)
command -v python3 >/dev/null || need+=(python3)
command -v gzip >/dev/null || need+=(gzip)
command -v xz >/dev/null || need+=(xz-utils)
command -v zstd >/dev/null || need+=(zstd)
command -v modinfo >/dev/null || need+=(kmod)
command -v file >/dev/null || need+=(file)
if [ "$zero_free" = 1 ]; then command -v cc >/dev/null || need+=(gcc); fi
if [ ${#need[@]} -gt 0 ]; then
    if [ "${KDX_NO_INSTALL:-0}" = 1 ] || [ "$(id -u)" != 0 ]; then
        echo "missing packages: ${need[*]} (run as root or install them)" >&2
        exit 1
    fi
    stamp "installing: ${need[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -q || echo "apt-get update reported errors; installing from the lists we have"
    apt-get install -y -q "${need[@]}"
fi
# Prefer the system python (pyenv shims etc. are irrelevant; stdlib only).
py=python3
[ -x /usr/bin/python3 ] && py=/usr/bin/python3

mkdir -p "$outdir"
outdir=$(cd "$outdir" && pwd)

# ------------------------------------------------------------------ kernel
flavour=${KDX_KERNEL_FLAVOUR:-amd64}
qemu=${KDX_QEMU_BINARY:-qemu-system-x86_64}
command -v "$qemu" >/dev/null || { echo "$qemu not found" >&2; exit 1; }
kernel= krel= sysroot=
case $flavour in
amd64)
    kdx_find_amd64_kernel || exit 1
    busybox=/bin/busybox
    ;;
686|686-pae)
    pkgs=${KDX_PKG_DIR:-$outdir/pkgs}
    mkdir -p "$pkgs"
    if ! dpkg --print-foreign-architectures | grep -qx i386; then
        [ "${KDX_NO_INSTALL:-0}" != 1 ] && [ "$(id -u)" = 0 ] ||
            { echo "i386 packages need: dpkg --add-architecture i386 (as root)" >&2; exit 1; }
        dpkg --add-architecture i386
        apt-get update -q >/dev/null || echo "apt-get update reported errors"
    fi
    kdx_fetch_deb "$pkgs" "linux-image-$flavour:i386" >/dev/null
    # The meta package names the versioned image.
    kpkg=$(dpkg-deb -f "$(ls "$pkgs"/linux-image-"$flavour"_*_i386.deb | head -n1)" Depends | sed 's/[ ,].*//')
    sysroot=$(kdx_fetch_deb "$pkgs" "$kpkg:i386")
    kernel=$(ls "$sysroot"/boot/vmlinuz-* | head -n1)
    krel=${kernel##*/vmlinuz-}
    # Debian's packages leave modules.dep to depmod at install time.
    [ -f "$sysroot/lib/modules/$krel/modules.dep" ] || depmod -b "$sysroot" "$krel"
    busybox=$(kdx_fetch_deb "$pkgs" "busybox-static:i386")/bin/busybox
    ;;
*) echo "KDX_KERNEL_FLAVOUR must be amd64, 686-pae or 686" >&2; exit 2 ;;
esac
stamp "kernel $kernel (KREL=$krel), $qemu${KDX_QEMU_CPU:+ -cpu $KDX_QEMU_CPU}"

file -L "$busybox" | grep -q 'statically linked' || { echo "$busybox is not static" >&2; exit 1; }
work=$(mktemp -d /tmp/kdx-qemu.XXXXXX)
qemu_pid=
cleanup() {
    if [ -n "$qemu_pid" ] && kill -0 "$qemu_pid" 2>/dev/null; then kill "$qemu_pid" 2>/dev/null || true; fi
    rm -rf "$work"
}
trap cleanup EXIT

# --------------------------------------------------------------- initramfs
root=$work/root
mkdir -p "$root"/{bin,dev,proc,sys,tmp,lib/modules}
cp "$busybox" "$root/bin/busybox"
ln -s busybox "$root/bin/sh"
# An initial console for the kernel to hand to /init (needs root to mknod;
# /init re-opens /dev/console from devtmpfs anyway).
mknod -m 600 "$root/dev/console" c 5 1 2>/dev/null || true

# qemu_fw_cfg and its dependencies, in load order (deps first).
moddir=$sysroot/lib/modules/$krel
declare -A seen=()
modorder=()
add_mod() {  # $1 = path relative to $moddir, as in modules.dep
    local rel=$1 dep
    [ -n "${seen[$rel]:-}" ] && return 0
    seen[$rel]=1
    for dep in $(awk -v m="$rel:" '$1 == m { $1 = ""; print }' "$moddir/modules.dep"); do
        add_mod "$dep"
    done
    modorder+=("$rel")
}
fwcfg_rel=$(awk -F: '$1 ~ /\/qemu_fw_cfg\.ko(\.[a-z]+)?$/ { print $1 }' "$moddir/modules.dep")
if [ -n "$fwcfg_rel" ]; then
    add_mod "$fwcfg_rel"
elif grep -q '^CONFIG_FW_CFG_SYSFS=y' "$sysroot/boot/config-$krel" 2>/dev/null; then
    stamp "qemu_fw_cfg is built into the kernel"
else
    echo "qemu_fw_cfg module not found for $krel (VMCOREINFO would be missing)" >&2
    exit 1
fi
kdx_install_modules "$moddir" "$root" ${modorder[@]+"${modorder[@]}"} || exit 1
stamp "modules: $(tr '\n' ' ' < "$root/lib/modules/load-order")"

cat > "$root/init" <<'EOF'
#!/bin/sh
/bin/busybox mount -t proc proc /proc
/bin/busybox --install -s /bin
export PATH=/bin
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
exec </dev/console >/dev/console 2>&1
echo "kdx-init: starting"
for m in $(cat /lib/modules/load-order); do
    insmod /lib/modules/$m && echo "kdx-init: loaded $m" || echo "kdx-init: FAILED to load $m"
done
if [ -d /sys/firmware/qemu_fw_cfg ]; then
    echo "kdx-init: FWCFG-OK /sys/firmware/qemu_fw_cfg:" $(ls /sys/firmware/qemu_fw_cfg)
    ls /sys/firmware/qemu_fw_cfg/by_name/etc 2>/dev/null | tr '\n' ' '; echo
else
    echo "kdx-init: FWCFG-MISSING"
fi
grep -E 'Kernel (code|rodata)$' /proc/iomem | sed 's/^ */kdx-init: iomem /'
token= zero=0
for x in $(cat /proc/cmdline); do
    case $x in kdxmarker=*) token=${x#kdxmarker=} ;; kdxzero=1) zero=1 ;; esac
done
# A few background processes so the dump has some task structure.
idle="sleep 100000"
[ "$zero" = 1 ] && idle=/kdx-idle
for i in 1 2 3 4; do $idle & done
# The marker: a tmpfs file with 4096 lines "KDX-MARKER-<token>".
mkdir -p /dev/shm
mount -t tmpfs -o size=16m tmpfs /dev/shm
printf 'KDX-MARKER-%s\n' "$token" > /dev/shm/m
for i in 1 2 3 4 5 6 7 8 9 10 11 12; do
    cat /dev/shm/m /dev/shm/m > /dev/shm/m2 && mv /dev/shm/m2 /dev/shm/m
done
echo "kdx-init: marker lines: $(wc -l < /dev/shm/m)"
sync
if [ "$zero" = 1 ]; then
    # KDX_ZERO_FREE_MEMORY: pages freed from now on are zeroed (init_on_free=1);
    # pages free now may hold old data (the compressed kernel, the initramfs),
    # so fill a tmpfs with zeros until ENOSPC and delete it.  2 MiB stay
    # unfilled so that nothing is OOM-killed.
    echo 3 > /proc/sys/vm/drop_caches
    free_kb=$(awk '/^MemFree:/ { print $2 }' /proc/meminfo)
    mkdir -p /zero
    mount -t tmpfs -o size=$(( free_kb - 2048 ))k tmpfs /zero
    dd if=/dev/zero of=/zero/z bs=64k 2>/dev/null
    echo "kdx-init: zero-filled $(( $(stat -c %s /zero/z) / 1024 )) KiB of $free_kb KiB free"
    rm /zero/z
    umount /zero
    # Then busybox goes too: delete it, and once this shell (its last user)
    # execs kdx-idle, its pages are freed (and zeroed).  kdx-idle, PID 1,
    # prints KDX-READY.
    cd /
    rm -rf /bin /lib/modules
    exec /kdx-idle
fi
echo "kdx-init: KDX-READY"
while :; do sleep 3600; done
EOF
chmod 755 "$root/init"
if [ "$zero_free" = 1 ]; then
    # A stand-in for busybox's sleep, without libc (see the zero-fill above).
    cat > "$work/kdx-idle.c" <<'EOF'
static long sys3(long n, long a, long b, long c)
{
    long r;
    __asm__ volatile("syscall" : "=a"(r) : "0"(n), "D"(a), "S"(b), "d"(c)
                     : "rcx", "r11", "memory");
    return r;
}
void _start(void)
{
    static const char ready[] = "kdx-init: KDX-READY\n";
    if (sys3(39, 0, 0, 0) == 1)                         /* getpid() == 1 */
        sys3(1, 1, (long)ready, sizeof ready - 1);      /* write(1, ...) */
    for (;;)
        sys3(34, 0, 0, 0);                              /* pause() */
}
EOF
    cc -Os -static -nostdlib -ffreestanding -fno-pie -no-pie -fno-stack-protector \
        -fno-asynchronous-unwind-tables -Wl,--build-id=none -s \
        -o "$root/kdx-idle" "$work/kdx-idle.c"
fi
(cd "$root" && find . | LC_ALL=C sort | cpio -o -H newc --quiet -R 0:0 | gzip -9) > "$work/initrd.gz"
stamp "initramfs $(stat -c %s "$work/initrd.gz") bytes"

# -------------------------------------------------------------------- boot
rm -f "$outdir"/vmcore.* "$outdir"/vmcore-paging.elf "$outdir"/pmem*.raw "$outdir"/pmem.map \
      "$outdir"/vmstate.qemu \
      "$outdir"/info-*.txt "$outdir"/dump-formats.txt "$outdir"/manifest.env
console=$outdir/console.log
: > "$console"
sock=$work/qmp.sock
append="console=ttyS0 panic=-1 loglevel=6 kdxmarker=$token"
[ "$zero_free" = 1 ] && append+=" kdxzero=1 init_on_free=1"
append+="${sample_args:+ $sample_args}"
append+="${KDX_QEMU_APPEND:+ $KDX_QEMU_APPEND}"
qemu_version=$("$qemu" --version | sed -n '1s/^QEMU emulator version \([^ ]*\).*/\1/p')
stamp "booting QEMU $qemu_version: -m ${mem_mb}M -smp $ncpus, append: $append"
t_boot=$(date +%s)
cpu_opts=()
[ -n "${KDX_QEMU_CPU:-}" ] && cpu_opts=(-cpu "$KDX_QEMU_CPU")
"$qemu" \
    -machine pc -accel tcg -m "${mem_mb}M" -smp "$ncpus" "${cpu_opts[@]}" \
    -nodefaults "${machine_opts[@]}" -display none -no-reboot \
    -kernel "$kernel" -initrd "$work/initrd.gz" -append "$append" \
    -device vmcoreinfo \
    -qmp "unix:$sock,server=on,wait=off" \
    -serial "file:$console" \
    </dev/null >"$work/qemu.out" 2>&1 &
qemu_pid=$!

while ! grep -q 'kdx-init: KDX-READY' "$console"; do
    if ! kill -0 "$qemu_pid" 2>/dev/null; then
        echo "QEMU exited before the guest was ready. QEMU output:" >&2
        cat "$work/qemu.out" >&2
        echo "--- console tail:" >&2; tail -n 40 "$console" >&2
        exit 1
    fi
    if [ $(( $(date +%s) - t_boot )) -ge "$boot_timeout" ]; then
        echo "guest not ready after ${boot_timeout}s; console tail:" >&2
        tail -n 40 "$console" >&2
        exit 1
    fi
    sleep 1
done
stamp "guest ready after $(( $(date +%s) - t_boot ))s"
grep 'kdx-init:' "$console" | sed 's/^/    guest: /'
grep -q 'FWCFG-OK' "$console" || echo "WARNING: /sys/firmware/qemu_fw_cfg missing in guest; no VMCOREINFO" >&2

# -------------------------------------------------------------------- dump
t_dump=$(date +%s)
mapfile -t files < <("$py" "$here/qmp.py" "$sock" dump-all "$outdir" $(( mem_mb * 1024 * 1024 )))
for _ in $(seq 60); do kill -0 "$qemu_pid" 2>/dev/null || break; sleep 0.5; done
if kill -0 "$qemu_pid" 2>/dev/null; then kill "$qemu_pid"; fi
wait "$qemu_pid" 2>/dev/null || true
qemu_pid=
stamp "dumps written in $(( $(date +%s) - t_dump ))s"
[ ${#files[@]} -ge 2 ] || { echo "dumping failed" >&2; exit 1; }

if grep -a -m1 -q "OSRELEASE=$krel" "$outdir/vmcore.elf"; then
    stamp "VMCOREINFO present: OSRELEASE=$krel"
else
    echo "ERROR: no VMCOREINFO (OSRELEASE=$krel) in vmcore.elf" >&2
    exit 1
fi

{
    printf 'KREL=%q\n' "$krel"
    printf 'NCPUS=%q\n' "$ncpus"
    printf 'MEM_MB=%q\n' "$mem_mb"
    printf 'MARKER=%q\n' "$marker"
    printf 'KERNEL=%q\n' "$kernel"
    printf 'QEMU_VERSION=%q\n' "$qemu_version"
    printf 'QEMU_BINARY=%q\n' "$qemu"
    printf 'QEMU_CPU=%q\n' "${KDX_QEMU_CPU:-}"
    printf 'KERNEL_FLAVOUR=%q\n' "$flavour"
    printf 'QEMU_APPEND=%q\n' "$append"
    printf 'QEMU_MACHINE_OPTS=%q\n' "${machine_opts[*]}"
    # Physical ranges from the guest's /proc/iomem (hex, "start-end").
    printf 'KERNEL_CODE=%q\n' "$(sed -n 's/^kdx-init: iomem \([0-9a-f]*-[0-9a-f]*\) : Kernel code.*/\1/p' "$console" | head -n1)"
    printf 'KERNEL_RODATA=%q\n' "$(sed -n 's/^kdx-init: iomem \([0-9a-f]*-[0-9a-f]*\) : Kernel rodata.*/\1/p' "$console" | head -n1)"
    printf 'FORMATS=%q\n' "${files[*]}"
    printf 'QEMU_DUMP_FORMATS=%q\n' "$(tr '\n' ' ' < "$outdir/dump-formats.txt" | sed 's/ $//')"
    printf 'PMEM_MAP=%q\n' pmem.map
    # The stopped guest's migration stream (QMP migrate "exec:cat > FILE").
    if [ -s "$outdir/vmstate.qemu" ]; then printf 'QEMU_MIGRATION=%q\n' vmstate.qemu; fi
} > "$outdir/manifest.env"

stamp "done. Files in $outdir:"
(cd "$outdir" && ls -l)
sed 's/^/    /' "$outdir/manifest.env"

#!/bin/bash
# Real Xen dumps: boot Debian's Xen hypervisor under QEMU (TCG, no KVM) with
# Debian's kernel as a busybox dom0, start a PV domU (the same kernel, a
# busybox initramfs) and dump it every way the Xen tools can, then dump the
# whole VM with QMP: all in one boot.
#
# Usage: make-xen-dumps.sh OUTDIR
#
# In dom0 (its /init, written below): xenstored, xen-init-dom0, xenconsoled
# (logging the domU's console), `xl create` of the domU, which writes a
# marker to its memory and its log and prints its VMCOREINFO note's machine
# address; then
#   xl dump-core            domu-live.core    (the domU running)
#   xl save -p              domu.save         (the domU suspends itself, is
#                                              saved, and is left paused)
#   xl pause; xl dump-core  domu-paused.core  (nothing ran since the save:
#                                              its pages are the save's)
#   xen-mfndump dump-p2m    domu-p2m.txt      (the p2m as libxc maps it
#                                              from the live domain; not for
#                                              dom0: dom0 cannot map its own
#                                              shared info as a foreign page,
#                                              and dump-m2p always fails in
#                                              4.17 (a stray ';' after its
#                                              xc_maximum_ram_page check))
# all written straight to OUTDIR through virtio 9p; then QMP `stop` and
# `dump-guest-memory` (ELF, paging off) of the VM: host.elf, machine memory
# with Xen, dom0 and the paused domU in it.
#
# Packages: xen-hypervisor-4.17-amd64, xen-utils-4.17 and the Xen libraries
# are fetched with apt-get download and unpacked into KDX_PKG_DIR (default
# OUTDIR/pkgs) with dpkg-deb -x: nothing is installed on this machine and
# nothing touches its boot.  Needs qemu-system-x86 (with virtfs), an amd64
# kernel in /boot with its modules, static busybox, cpio, python3.
#
# Environment:
#   KDX_XEN_DOMU_MB     domU memory in MiB (default 128)
#   KDX_XEN_DOM0_MB     dom0 memory in MiB (default 256)
#   KDX_QEMU_MEM_MB     the VM's memory (default dom0 + domU + 64: Xen's own
#                       needs, ~10 MiB, and some left free)
#   KDX_QEMU_SMP        the VM's CPUs (default 2; dom0 and domU get 1 vCPU each)
#   KDX_MARKER_TOKEN    marker token (default: the fixed token below)
#   KDX_XEN_TIMEOUT     seconds for the whole guest run (default 900); each
#                       step also has its own limit, in the guest and here
#   KDX_PKG_DIR         package cache (default OUTDIR/pkgs)
#
# Output (OUTDIR): domu-live.core, domu-paused.core, domu.save, domu-p2m.txt,
# host.elf, domu-console.log (the domU's whole console, from
# xenconsoled), domu-console-live.log / domu-console-paused.log (its console
# as it was just before each core was taken), console.log (the VM's serial
# line: Xen and dom0), xen-dmesg.txt (after `xl debug-keys q`: Xen's page
# count of each domain, nr_pages=), xl-info.txt, xl-list.json,
# host-info-registers.txt, manifest.env (names every file, the marker, the
# domU's VMCOREINFO machine address and OSRELEASE, step durations).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
. "$here/guest-kit.sh"
case ${1:-} in -h|--help) sed -n '2,/^set -e/p' "$0" | sed '$d'; exit 0 ;; esac
[ $# -eq 1 ] || { echo "usage: $0 OUTDIR" >&2; exit 2; }
mkdir -p "$1"
outdir=$(cd "$1" && pwd)

domu_mb=${KDX_XEN_DOMU_MB:-128}
dom0_mb=${KDX_XEN_DOM0_MB:-256}
mem_mb=${KDX_QEMU_MEM_MB:-$(( dom0_mb + domu_mb + 64 ))}
ncpus=${KDX_QEMU_SMP:-2}
token=${KDX_MARKER_TOKEN:-q7Zr4Xk2Vt9Lm3Pw}
case $token in *[!A-Za-z0-9_]*|'') echo "KDX_MARKER_TOKEN must be [A-Za-z0-9_]+" >&2; exit 2 ;; esac
marker="KDX-MARKER-$token"
run_timeout=${KDX_XEN_TIMEOUT:-900}
pkgs=${KDX_PKG_DIR:-$outdir/pkgs}
domu_name=kdxdomu
py=python3
[ -x /usr/bin/python3 ] && py=/usr/bin/python3

t_start=$(date +%s)
now() { date +%s.%N; }
since() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }'; }
stamp() { echo "[$(( $(date +%s) - t_start ))s] $*"; }
# Step durations for the manifest: "NAME SECONDS" lines.
times=()
step=setup
die() {
    echo "make-xen-dumps: FAILED in step '$step': $*" >&2
    exit 1
}

for tool in qemu-system-x86_64 cpio gzip ldd apt-get dpkg-deb file; do
    command -v $tool >/dev/null || die "missing $tool (scripts/test.sh's deps phase installs it)"
done
kdx_find_amd64_kernel || die "no amd64 kernel"
busybox=/bin/busybox
file -L "$busybox" | grep -q 'statically linked' || die "$busybox is not static (install busybox-static)"
grep -q '^CONFIG_XEN_PV_DOM0=y' "/boot/config-$krel" 2>/dev/null ||
    die "$kernel cannot be a Xen PV dom0 (CONFIG_XEN_PV_DOM0)"

work=$(mktemp -d /tmp/kdx-xen.XXXXXX)
qemu_pid=
cleanup() {
    if [ -n "$qemu_pid" ] && kill -0 "$qemu_pid" 2>/dev/null; then
        kill "$qemu_pid" 2>/dev/null || true
        sleep 1
        kill -9 "$qemu_pid" 2>/dev/null || true
    fi
    rm -rf "$work"
}
trap cleanup EXIT

# ---------------------------------------------------------------- packages
step=fetch
t0=$(now)
mkdir -p "$pkgs"
xen_pkgs=(xen-hypervisor-4.17-amd64 xen-utils-4.17 libxenmisc4.17 libxencall1
          libxenevtchn1 libxenforeignmemory1 libxengnttab1 libxenstore4
          libxentoollog1 libxentoolcore1 libxendevicemodel1 libxenhypfs1 libyajl2)
# (mapfile cannot see the fetch fail: the count of directories does.)
mapfile -t pkgdirs < <(kdx_fetch_debs "$pkgs" "${xen_pkgs[@]/%/:amd64}")
[ ${#pkgdirs[@]} -eq ${#xen_pkgs[@]} ] || die "could not fetch ${xen_pkgs[*]} (apt-get download, see above)"
xen_gz=$(ls "$pkgs"/x/xen-hypervisor-4.17-amd64_amd64/boot/xen-*.gz 2>/dev/null | head -n1)
[ -n "$xen_gz" ] || die "no boot/xen-*.gz in xen-hypervisor-4.17-amd64"
xen_version=$(dpkg-deb -f "$(ls "$pkgs"/xen-hypervisor-4.17-amd64_*_amd64.deb | head -n1)" Version)
xenbin=$pkgs/x/xen-utils-4.17_amd64/usr/lib/xen-4.17/bin
times+=("fetch $(since "$t0")")
stamp "Xen $xen_version, kernel $kernel (KREL=$krel)"

# --------------------------------------------------------------- initramfs
step=initramfs
t0=$(now)
# QEMU's multiboot loader takes the unpacked ELF, not xen.gz.
gzip -dc "$xen_gz" > "$work/xen"

# The domU: busybox, and an /init that holds the marker in memory (a tmpfs
# file of 4096 marker lines and a shell whose variable holds it), logs it
# through /dev/kmsg, and prints what the checks need on its console.
droot=$work/domu
mkdir -p "$droot"/{bin,dev,proc,sys,tmp}
cp "$busybox" "$droot/bin/busybox"
ln -s busybox "$droot/bin/sh"
mknod -m 600 "$droot/dev/console" c 5 1 2>/dev/null || true
cat > "$droot/init" <<EOF
#!/bin/sh
/bin/busybox mount -t proc proc /proc
/bin/busybox --install -s /bin
export PATH=/bin
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
exec </dev/console >/dev/console 2>&1
marker=$marker
mkdir -p /dev/shm
mount -t tmpfs -o size=8m tmpfs /dev/shm
printf '%s\n' "\$marker" > /dev/shm/m
for i in 1 2 3 4 5 6 7 8 9 10 11 12; do
    cat /dev/shm/m /dev/shm/m > /dev/shm/m2 && mv /dev/shm/m2 /dev/shm/m
done
sh -c "held='\$marker'; while :; do sleep 3600; done" &
echo "kdx-domu: \$marker" > /dev/kmsg
echo "kdx-domu: marker lines \$(wc -l < /dev/shm/m)"
echo "kdx-domu: OSRELEASE \$(uname -r)"
echo "kdx-domu: VMCOREINFO \$(cat /sys/kernel/vmcoreinfo)"
echo "kdx-domu: KDX-DOMU-READY"
while :; do sleep 3600; done
EOF
chmod 755 "$droot/init"
mkdir -p "$work/in"
(cd "$droot" && find . | LC_ALL=C sort | cpio -o -H newc --quiet -R 0:0 | gzip -1) > "$work/in/domu.cpio.gz"
cp "$kernel" "$work/in/vmlinuz"
cat > "$work/in/domu.cfg" <<EOF
name = "$domu_name"
type = "pv"
kernel = "/in/vmlinuz"
ramdisk = "/in/domu.cpio.gz"
extra = "console=hvc0 ignore_loglevel panic=0"
memory = $domu_mb
maxmem = $domu_mb
vcpus = 1
on_crash = "preserve"
on_poweroff = "preserve"
on_reboot = "preserve"
EOF

# dom0: busybox, the Xen tools with their libraries, the Xen and 9p modules.
root=$work/dom0
mkdir -p "$root"/{bin,dev,proc,sys,tmp,run,in,out,lib64,lib/x86_64-linux-gnu,usr/lib/xen-4.17/bin,var/lib/xen,var/log/xen}
ln -s ../run "$root/var/run"
ln -s ../run/lock "$root/var/lock"
cp "$busybox" "$root/bin/busybox"
ln -s busybox "$root/bin/sh"
mknod -m 600 "$root/dev/console" c 5 1 2>/dev/null || true
tools=(xl xenstored xenconsoled xen-init-dom0 xen-mfndump libxl-save-helper)
libpath=
for d in "${pkgdirs[@]}"; do
    for l in "$d"/usr/lib/x86_64-linux-gnu "$d"/lib/x86_64-linux-gnu; do
        [ -d "$l" ] && libpath+=${libpath:+:}$l
    done
done
declare -A libs=()
for t in "${tools[@]}"; do
    [ -x "$xenbin/$t" ] || die "xen-utils-4.17 has no $t"
    cp "$xenbin/$t" "$root/usr/lib/xen-4.17/bin/"
    out=$(LD_LIBRARY_PATH=$libpath ldd "$xenbin/$t") || die "ldd $t failed"
    if grep -q 'not found' <<<"$out"; then
        die "libraries of $t not found: $(grep 'not found' <<<"$out" | tr -s ' \t\n' ' ')"
    fi
    for l in $(awk '$2 == "=>" && $3 ~ /^\// { print $3 }' <<<"$out"); do libs[$l]=1; done
done
for l in "${!libs[@]}"; do cp -L "$l" "$root/lib/x86_64-linux-gnu/"; done
# glibc loads libgcc_s when a thread is cancelled or unwinds; ldd does not
# list it, and xl needs it.
gcc_s=$(ls /lib/x86_64-linux-gnu/libgcc_s.so.1 /usr/lib/x86_64-linux-gnu/libgcc_s.so.1 2>/dev/null | head -n1)
[ -n "$gcc_s" ] || die "no libgcc_s.so.1 on this machine"
cp -L "$gcc_s" "$root/lib/x86_64-linux-gnu/"
cp -L /lib64/ld-linux-x86-64.so.2 "$root/lib64/"
moddir=/lib/modules/$krel
mapfile -t mods < <(kdx_module_closure "$moddir" xen-evtchn xenfs xen-privcmd xen-gntdev \
                    xen-gntalloc 9p 9pnet_virtio virtio_pci) || die "modules missing in $moddir"
kdx_install_modules "$moddir" "$root" "${mods[@]}" || die "could not copy modules"
mkdir -p "$root/etc/xen"
# dom0_mem is fixed: xl must never balloon dom0 down for the domU.
echo 'autoballoon="off"' > "$root/etc/xen/xl.conf"
cat > "$root/kdx.env" <<EOF
domu=$domu_name
EOF
cat > "$root/init" <<'EOF'
#!/bin/sh
/bin/busybox mount -t proc proc /proc
/bin/busybox --install -s /bin
export PATH=/bin:/usr/lib/xen-4.17/bin LD_LIBRARY_PATH=/lib/x86_64-linux-gnu
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
exec </dev/console >/dev/console 2>&1
. /kdx.env
mkdir -p /run/xen /run/xenstored /run/lock /dev/shm /dev/pts /var/lib/xenstored
# xenconsoled gives each guest console a pty.
mount -t devpts devpts /dev/pts
uptime_s() { cut -d' ' -f1 /proc/uptime; }
failed() {
    echo "kdx-step $1 FAILED: $2"
    # The host sees the line above and ends the VM; stay quiet till then.
    while :; do sleep 3600; done
}
# run NAME LIMIT CMD...: one step, its duration or failure on the console.
run() {
    local name=$1 limit=$2 t0 rc
    shift 2
    t0=$(uptime_s)
    echo "kdx-step $name start"
    timeout -s KILL "$limit" "$@"
    rc=$?
    [ $rc = 0 ] || failed "$name" "exit status $rc after $(awk -v a="$t0" -v b="$(uptime_s)" 'BEGIN { print b - a }')s (limit ${limit}s): $*"
    echo "kdx-step $name ok $(awk -v a="$t0" -v b="$(uptime_s)" 'BEGIN { printf "%.1f", b - a }')"
}
# wait_for NAME LIMIT TEST...: a step that polls TEST until it succeeds.
wait_for() {
    local name=$1 limit=$2 t0 i=0
    shift 2
    t0=$(uptime_s)
    echo "kdx-step $name start"
    until "$@"; do
        i=$((i + 1))
        [ $i -le $((limit * 5)) ] || failed "$name" "not done after ${limit}s: $*"
        usleep 200000
    done
    echo "kdx-step $name ok $(awk -v a="$t0" -v b="$(uptime_s)" 'BEGIN { printf "%.1f", b - a }')"
}
echo "kdx-dom0: starting, $(uname -r)"
for m in $(cat /lib/modules/load-order); do
    insmod /lib/modules/$m || failed modules "insmod $m"
done
mount -t xenfs xenfs /proc/xen || failed xenfs "mount -t xenfs"
grep -q control_d /proc/xen/capabilities || failed xenfs "this kernel is not dom0"
mount -t 9p -o trans=virtio,version=9p2000.L,msize=524288,ro kdxin /in || failed 9p "mount kdxin"
# cache=loose: xl dump-core and xl save write straight from pages mapped
# from the domU, which 9p's zero-copy path cannot pin (EFAULT); through the
# page cache they are copied first.  The sync at the end writes it back.
mount -t 9p -o trans=virtio,version=9p2000.L,msize=524288,cache=loose kdxout /out || failed 9p "mount kdxout"
echo "kdx-dom0: VMCOREINFO $(cat /sys/kernel/vmcoreinfo)"
run xenstored 60 env XENSTORED_ROOTDIR=/run/xenstored xenstored --pid-file /run/xen/xenstored.pid
wait_for xen-init-dom0 60 xen-init-dom0
run xenconsoled 60 xenconsoled --pid-file /run/xen/xenconsoled.pid --log=guest --log-dir=/out
run xl-create 120 xl create /in/domu.cfg
log=/out/guest-$domu.log
wait_for domu-boot 300 grep -q KDX-DOMU-READY $log
domid=$(xl domid $domu) || failed domid "xl domid $domu"
echo "kdx-dom0: DOMU_DOMID $domid"
cp $log /out/domu-console-live.log
run dump-live 300 xl dump-core $domu /out/domu-live.core
run save 300 xl save -p $domu /out/domu.save
run pause 30 xl pause $domu
cp $log /out/domu-console-paused.log
run dump-paused 300 xl dump-core $domu /out/domu-paused.core
run mfndump-domu 120 sh -c "xen-mfndump dump-p2m $domid > /out/domu-p2m.txt"
xl list -l > /out/xl-list.json 2>&1
xl list
xl info > /out/xl-info.txt 2>&1
# Xen's own count of each domain's pages (nr_pages=) in its log: what
# dom0's p2m must map (check_xen.py), as no tool here dumps dom0's p2m.
xl debug-keys q
xl dmesg > /out/xen-dmesg.txt 2>&1
sync
echo "kdx-dom0: KDX-DOM0-DONE"
while :; do sleep 3600; done
EOF
chmod 755 "$root/init"
# Uncompressed: dom0 would spend longer unpacking gzip under TCG than QEMU
# spends loading the bigger file.
(cd "$root" && find . | LC_ALL=C sort | cpio -o -H newc --quiet -R 0:0) > "$work/dom0.cpio"
times+=("initramfs $(since "$t0")")
stamp "initramfs: dom0 $(stat -c %s "$work/dom0.cpio") bytes, domU $(stat -c %s "$work/in/domu.cpio.gz") bytes"

# -------------------------------------------------------------------- boot
step=boot
rm -f "$outdir"/domu-*.core "$outdir"/domu.save "$outdir"/*-p2m.txt "$outdir"/host.elf \
      "$outdir"/guest-*.log "$outdir"/domu-console*.log "$outdir"/xl-*.txt "$outdir"/xl-list.json \
      "$outdir"/xen-dmesg.txt "$outdir"/host-info-registers.txt "$outdir"/manifest.env
console=$outdir/console.log
: > "$console"
sock=$work/qmp.sock
xen_args="console=com1 com1=115200,8n1 loglvl=all guest_loglvl=all dom0_mem=${dom0_mb}M,max:${dom0_mb}M dom0_max_vcpus=1"
dom0_args="console=hvc0 earlyprintk=xen loglevel=6"
qemu_version=$(qemu-system-x86_64 --version | sed -n '1s/^QEMU emulator version \([^ ]*\).*/\1/p')
stamp "booting QEMU $qemu_version: -m ${mem_mb}M -smp $ncpus -cpu qemu64; Xen: $xen_args"
t_boot=$(now)
# -cpu qemu64: with -cpu max Debian's dom0 kernel crashes under Xen.
# -no-reboot: Xen reboots on its own panic or dom0's crash; QEMU then exits
# and the wait below fails at once.
qemu-system-x86_64 \
    -machine pc -accel tcg -cpu qemu64 -m "${mem_mb}M" -smp "$ncpus" \
    -nodefaults -display none -no-reboot \
    -kernel "$work/xen" -append "$xen_args" \
    -initrd "$work/in/vmlinuz $dom0_args,$work/dom0.cpio" \
    -fsdev "local,id=kdxin,path=$work/in,security_model=none,readonly=on" \
    -device virtio-9p-pci,fsdev=kdxin,mount_tag=kdxin \
    -fsdev "local,id=kdxout,path=$outdir,security_model=none" \
    -device virtio-9p-pci,fsdev=kdxout,mount_tag=kdxout \
    -qmp "unix:$sock,server=on,wait=off" \
    -serial "file:$console" \
    </dev/null >"$work/qemu.out" 2>&1 &
qemu_pid=$!

# guest_failed MSG: the console's last lines, the domU's, and QEMU's output.
guest_failed() {
    echo "make-xen-dumps: FAILED in step '$step': $*" >&2
    echo "--- VM console (Xen and dom0), last 40 lines:" >&2
    tail -n 40 "$console" >&2
    if [ -f "$outdir/guest-$domu_name.log" ]; then
        echo "--- domU console, last 20 lines:" >&2
        tail -n 20 "$outdir/guest-$domu_name.log" >&2
    fi
    if [ -s "$work/qemu.out" ]; then echo "--- QEMU:" >&2; cat "$work/qemu.out" >&2; fi
    exit 1
}
# await PATTERN LIMIT: wait for PATTERN (grep -E) on the console, failing on
# a failed step, QEMU's exit, the step's limit or the whole run's.
await() {
    local pattern=$1 limit=$2 t=$(date +%s)
    while ! grep -Eq "$pattern" "$console"; do
        if grep -q 'kdx-step .* FAILED' "$console"; then
            step=$(sed -n 's/.*kdx-step \([^ ]*\) FAILED.*/\1/p' "$console" | head -n1)
            guest_failed "$(grep -m1 'kdx-step .* FAILED' "$console" | tr -d '\r')"
        fi
        kill -0 "$qemu_pid" 2>/dev/null || guest_failed "QEMU exited"
        [ $(( $(date +%s) - t )) -lt "$limit" ] || guest_failed "nothing after ${limit}s waiting for /$pattern/"
        [ $(( $(date +%s) - t_start )) -lt "$run_timeout" ] || guest_failed "the run took over ${run_timeout}s"
        sleep 0.5
    done
}
# The steps dom0's /init runs, with how long each may take seen from here
# (a little over the guest's own limits, which include its boot).
step=boot-dom0
await 'kdx-dom0: starting' 240
times+=("boot-dom0 $(since "$t_boot")")
stamp "dom0 up after $(since "$t_boot")s"
for s in xenstored:90 xen-init-dom0:90 xenconsoled:90 xl-create:150 domu-boot:330 \
         dump-live:330 save:330 pause:60 dump-paused:330 mfndump-domu:150; do
    step=${s%%:*}
    await "kdx-step $step ok" "${s##*:}"
    d=$(sed -n "s/.*kdx-step $step ok \([0-9.]*\).*/\1/p" "$console" | head -n1)
    times+=("$step $d")
    stamp "$step: ${d}s"
done
step=finish
await 'kdx-dom0: KDX-DOM0-DONE' 120

# -------------------------------------------------------------------- host
step=host-dump
t0=$(now)
"$py" "$here/qmp.py" "$sock" cmd stop >/dev/null || die "QMP stop"
# (Into a variable first: grep -q stops reading at its match, and qmp.py
# then dies of a broken pipe, which pipefail took for a running VM.)
status=$("$py" "$here/qmp.py" "$sock" cmd query-status) || die "QMP query-status"
grep -q '"running": false' <<<"$status" || die "VM still running after stop: $status"
"$py" "$here/qmp.py" "$sock" hmp 'info registers -a' > "$outdir/host-info-registers.txt" ||
    die "QMP info registers"
"$py" "$here/qmp.py" "$sock" cmd dump-guest-memory \
    "{\"paging\": false, \"protocol\": \"file:$outdir/host.elf\", \"detach\": false}" >/dev/null ||
    die "QMP dump-guest-memory"
"$py" "$here/qmp.py" "$sock" cmd quit >/dev/null 2>&1 || true
for _ in $(seq 20); do kill -0 "$qemu_pid" 2>/dev/null || break; sleep 0.5; done
kill "$qemu_pid" 2>/dev/null || true
wait "$qemu_pid" 2>/dev/null || true
qemu_pid=
times+=("host-dump $(since "$t0")")
stamp "host dump: $(since "$t0")s"

# ---------------------------------------------------------------- manifest
step=manifest
mv "$outdir/guest-$domu_name.log" "$outdir/domu-console.log"
for f in domu-live.core domu-paused.core domu.save domu-p2m.txt host.elf \
         domu-console.log domu-console-live.log domu-console-paused.log; do
    [ -s "$outdir/$f" ] || die "$f is missing or empty"
done
chmod 644 "$outdir"/*.core "$outdir"/domu.save "$outdir"/host.elf "$outdir"/*.log "$outdir"/*.txt "$outdir"/*.json
domu_line() { tr -d '\r' < "$outdir/domu-console.log" | sed -n "s/^kdx-domu: $1 //p" | head -n1; }
osrelease=$(domu_line OSRELEASE)
vmcoreinfo=$(domu_line VMCOREINFO)
[ -n "$osrelease" ] && [ -n "$vmcoreinfo" ] || die "the domU printed no OSRELEASE or VMCOREINFO"
dom0_vmcoreinfo=$(tr -d '\r' < "$console" | sed -n 's/.*kdx-dom0: VMCOREINFO //p' | head -n1)
domid=$(tr -d '\r' < "$console" | sed -n 's/.*kdx-dom0: DOMU_DOMID //p' | head -n1)
times+=("total $(( $(date +%s) - t_start ))")
{
    echo "# made by tests/real/make-xen-dumps.sh; sizes and meanings in its header"
    printf 'XEN_VERSION=%q\n' "$xen_version"
    printf 'QEMU_VERSION=%q\n' "$qemu_version"
    printf 'KREL=%q\n' "$krel"
    printf 'KERNEL=%q\n' "$kernel"
    printf 'MARKER=%q\n' "$marker"
    printf 'DOMU_NAME=%q\n' "$domu_name"
    printf 'DOMU_DOMID=%q\n' "$domid"
    printf 'DOMU_MB=%q\n' "$domu_mb"
    printf 'DOM0_MB=%q\n' "$dom0_mb"
    printf 'QEMU_MEM_MB=%q\n' "$mem_mb"
    printf 'QEMU_SMP=%q\n' "$ncpus"
    printf 'XEN_ARGS=%q\n' "$xen_args"
    printf 'DOM0_ARGS=%q\n' "$dom0_args"
    printf 'DOMU_OSRELEASE=%q\n' "$osrelease"
    # /sys/kernel/vmcoreinfo: "0x<machine address> <size in hex>", the
    # address and size of the whole ELF note (header, "VMCOREINFO", text).
    printf 'DOMU_VMCOREINFO_MADDR=%q\n' "${vmcoreinfo%% *}"
    printf 'DOMU_VMCOREINFO_SIZE=%q\n' "0x${vmcoreinfo##* }"
    printf 'DOM0_VMCOREINFO_MADDR=%q\n' "${dom0_vmcoreinfo%% *}"
    printf 'DOM0_VMCOREINFO_SIZE=%q\n' "0x${dom0_vmcoreinfo##* }"
    printf 'XC_CORE_LIVE=%q\n' domu-live.core
    printf 'XC_CORE_PAUSED=%q\n' domu-paused.core
    printf 'XL_SAVE=%q\n' domu.save
    printf 'DOMU_P2M=%q\n' domu-p2m.txt
    printf 'HOST_DUMP=%q\n' host.elf
    printf 'HOST_REGISTERS=%q\n' host-info-registers.txt
    printf 'DOMU_CONSOLE=%q\n' domu-console.log
    printf 'DOMU_CONSOLE_LIVE=%q\n' domu-console-live.log
    printf 'DOMU_CONSOLE_PAUSED=%q\n' domu-console-paused.log
    printf 'VM_CONSOLE=%q\n' console.log
    printf 'XEN_DMESG=%q\n' xen-dmesg.txt
    printf 'XL_INFO=%q\n' xl-info.txt
    printf 'XL_LIST=%q\n' xl-list.json
    for t in "${times[@]}"; do
        n=${t%% *}
        printf 'TIME_%s=%q\n' "$(tr 'a-z-' 'A-Z_' <<<"$n")" "${t#* }"
    done
} > "$outdir/manifest.env"
stamp "done. Files in $outdir:"
(cd "$outdir" && ls -l --ignore=pkgs)

#!/bin/bash
# Everything CI runs, in one script (.ci/run calls it):
#   deps      apt-get install what the build, tests and fuzzers need
#             (as root on Debian; otherwise only checks the tools are there)
#   dumps     real QEMU dumps for the real-dump test (tests/real/)
#   build     configure with -DKDX_WERROR=ON, build, ctest
#   sanitize  the same with -DKDX_SANITIZE=ON (ASan + UBSan), ctest
#   fuzz      clang libFuzzer targets, each for KDX_FUZZ_SECONDS (fuzz/run.sh)
# Each phase is timed.  A failed phase does not stop the later ones (except
# deps): the ctest summaries, timings and failed phases are printed at the
# end, and the exit status is non-zero if any phase failed.
#
# Usage: scripts/test.sh [PHASE...]      (default: all five, in order)
#
# Environment:
#   KDX_NO_INSTALL=1     never run apt-get
#   KDX_FUZZ_SECONDS     seconds per fuzz target (default 120; 0 skips fuzzing)
#   KDX_FUZZ_SEED        libFuzzer seed (default under CI=true: 1, so CI
#                        repeats a run made longer by hand; else random)
#   KDX_REAL_DUMPS=DIR   dumps made by tests/real/make-qemu-dumps.sh to use;
#                        default build-dumps/, made there unless already made
#   KDX_SKIP_REAL=1      no real dumps (the real-dump test then skips)
#   KDX_SKIP_SANITIZE=1  no sanitizer build
set -euo pipefail

src=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$src"
jobs=$(nproc)
fuzz_seconds=${KDX_FUZZ_SECONDS:-120}
t_all=$(date +%s)

phases=()
summaries=()
failed=()

report() {
    echo
    echo "================ summary"
    for s in "${summaries[@]}"; do echo "$s"; done
    for p in "${phases[@]}"; do echo "$p"; done
    [ ${#failed[@]} = 0 ] || echo "FAILED phases: ${failed[*]}"
    echo "total $(( $(date +%s) - t_all ))s"
}
trap report EXIT

# phase NAME: run the function NAME and record how long it took and
# whether it failed.  The functions run in a conditional context, where
# set -e does not apply, so every step in them ends in || return.
phase() {
    local name=$1 t0 rc=0
    t0=$(date +%s)
    echo
    echo "================ $name"
    "$name" || rc=$?
    phases+=("$(printf 'phase %-9s %5ss%s' "$name" $(( $(date +%s) - t0 )) \
                "$([ "$rc" = 0 ] || echo "  FAILED (exit $rc)")")")
    [ "$rc" = 0 ] || failed+=("$name")
    return "$rc"
}

# run_ctest NAME BUILD_DIR: ctest with output on failure; keep its summary.
run_ctest() {
    local name=$1 dir=$2 log rc=0
    log=$dir/ctest.log
    (cd "$dir" && ctest --output-on-failure -j"$jobs") 2>&1 | tee "$log" || rc=$?
    summaries+=("$name: $(grep -E 'tests passed|tests failed' "$log" | tail -n1)")
    summaries+=("$name: $(grep -E '^Total Test time' "$log" | tail -n1)")
    if grep -q 'The following tests' "$log"; then
        summaries+=("$(sed -n '/The following tests/,$p' "$log" | sed "s/^/$name: /")")
    fi
    return "$rc"
}

deps() {
    local pkgs=(build-essential cmake pkg-config clang libclang-rt-dev
                libcmocka-dev zlib1g-dev liblzo2-dev libsnappy-dev libzstd-dev
                libdeflate-dev libbz2-dev liblzma-dev xz-utils python3 man-db
                # the compressor programs libvirt runs on a save file's
                # stream: the tests compress with them (lzop's container
                # as lzop itself writes it) and the real check wraps the
                # migration stream with each
                gzip bzip2 lzop zstd
                # import kdx: the extension, its tests, drgn over kdx, and
                # libkdumpfile's module for bench/python-read.sh
                python3-dev python3-pytest python3-drgn python3-libkdumpfile
                # oracles the real-dump checks compare kdx with
                makedumpfile libkdumpfile-dev gdb gdb-multiarch binutils
                qemu-system-x86 qemu-system-arm qemu-system-misc
                # the real dumps' guests (tests/real/make-*-dumps.sh); the Xen
                # hypervisor and tools are only downloaded and unpacked by
                # make-xen-dumps.sh, never installed here
                busybox-static cpio file)
    if [ "${KDX_NO_INSTALL:-0}" != 1 ] && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
        export DEBIAN_FRONTEND=noninteractive
        apt-get update -q || echo "apt-get update reported errors; installing from the lists we have"
        apt-get install -y -q "${pkgs[@]}" || return
    else
        echo "not installing packages (not root, no apt-get, or KDX_NO_INSTALL=1)"
    fi
    local missing=()
    for tool in cc cmake pkg-config python3 xz; do
        command -v "$tool" >/dev/null || missing+=("$tool")
    done
    [ ${#missing[@]} = 0 ] || { echo "missing tools: ${missing[*]}" >&2; return 1; }
}

dumps() {
    if [ "${KDX_SKIP_REAL:-0}" = 1 ]; then
        echo "KDX_SKIP_REAL=1: no real dumps; the real-dump test will skip"
        return
    fi
    local make=tests/real/make-qemu-dumps.sh dir=${KDX_REAL_DUMPS:-$src/build-dumps}
    if [ -f "$dir/manifest.env" ] && [ -f "$dir/vmcore.elf" ]; then
        echo "using the dumps already in $dir (delete it to make new ones)"
    elif [ ! -x "$make" ]; then
        echo "################################################################"
        echo "## $make is missing: NO REAL-DUMP TESTS. Skipping."
        echo "################################################################"
        return
    else
        "$make" "$dir" || return
    fi
    # A guest that really panicked and one whose 64 MiB log wrapped, for
    # the kdx dmesg and crash-summary checks (check-dmesg.sh reads
    # $dir/dmesg/*).
    if [ -d "$dir/dmesg/panic" ] && [ -d "$dir/dmesg/flood64" ]; then
        echo "using the dmesg dumps already in $dir/dmesg"
    else
        bash tests/real/make-dmesg-dumps.sh "$dir/dmesg" || return
    fi
    # A real LiME acquisition in the guest and QEMU's dump right after
    # (check-lime-real.sh reads $dir/lime).
    if [ -f "$dir/lime/manifest.env" ]; then
        echo "using the LiME dumps already in $dir/lime"
    else
        bash tests/real/make-lime-dumps.sh "$dir/lime" ||
            echo "make-lime-dumps.sh reported a failure; check-lime-real.sh will say what is missing"
    fi
    # Debian's arm64, armmp and armmp-lpae kernels (check-arm.sh); the
    # check itself fails if a dump is missing, so a partial run is seen.
    if [ -f "$dir/arm/arm64/vmcore.elf" ] && [ -f "$dir/arm/armmp-lpae/vmcore.elf" ]; then
        echo "using the arm dumps already in $dir/arm"
    else
        bash tests/real/make-arm-dumps.sh "$dir/arm" ||
            echo "make-arm-dumps.sh reported a failure; check-arm.sh will say what is missing"
    fi
    # Debian's s390x kernel (check-s390x.sh; boots in about 30 s)
    if [ -f "$dir/s390x/vmcore.elf" ]; then
        echo "using the s390x dump already in $dir/s390x"
    else
        bash tests/real/make-s390x-dump.sh "$dir/s390x" ||
            echo "make-s390x-dump.sh reported a failure; check-s390x.sh will say what is missing"
    fi
    # Other x86 guests for the translation checks (check-x86-variant.sh):
    # Debian's i386 kernels with PAE (in qemu-system-i386) and 2-level
    # paging (in qemu-system-x86_64: QEMU then mislabels the kdump header),
    # a CPU with 5-level paging, and a kernel booted nokaslr.  256 MiB and
    # one vCPU each: the checks need the paging set-up, not the size.
    local v
    for v in "686-pae KDX_KERNEL_FLAVOUR=686-pae KDX_QEMU_BINARY=qemu-system-i386" \
             "686 KDX_KERNEL_FLAVOUR=686" \
             "la57 KDX_QEMU_CPU=max,+la57" \
             "nokaslr KDX_QEMU_APPEND=nokaslr"; do
        set -- $v
        if [ -f "$dir/x86/$1/manifest.env" ]; then
            echo "using the $1 dumps already in $dir/x86/$1"
            continue
        fi
        env KDX_PKG_DIR="$dir/x86/pkgs" KDX_QEMU_MEM_MB=256 KDX_QEMU_SMP=1 "${@:2}" \
            "$make" "$dir/x86/$1" ||
            echo "making the $1 dumps failed; check-x86-variant.sh will say what is missing"
    done
    # Xen: a PV domU's xc_core dumps (live, paused), its xl save image, its
    # p2m from xen-mfndump, and a dump of the whole machine, from one boot of
    # Xen under QEMU (check-xen.sh).
    if [ -f "$dir/xen/manifest.env" ]; then
        echo "using the Xen dumps already in $dir/xen"
    else
        bash tests/real/make-xen-dumps.sh "$dir/xen" ||
            echo "make-xen-dumps.sh failed; check-xen.sh will say what is missing"
    fi
    export KDX_REAL_DUMPS=$dir
    echo "KDX_REAL_DUMPS=$KDX_REAL_DUMPS"
}

build() {
    cmake -S . -B build-test -DKDX_WERROR=ON || return
    cmake --build build-test -j"$jobs" || return
    run_ctest build build-test
}

sanitize() {
    if [ "${KDX_SKIP_SANITIZE:-0}" = 1 ]; then
        echo "KDX_SKIP_SANITIZE=1: skipped"
        return
    fi
    # Optimised: ASan at -O0 is several times slower, and tests have timeouts.
    cmake -S . -B build-asan -DKDX_SANITIZE=ON -DKDX_WERROR=ON \
        -DCMAKE_BUILD_TYPE=RelWithDebInfo || return
    cmake --build build-asan -j"$jobs" || return
    ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1} \
    UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1} \
        run_ctest sanitize build-asan
}

fuzz() {
    if [ "$fuzz_seconds" = 0 ]; then
        echo "KDX_FUZZ_SECONDS=0: skipped"
        return
    fi
    local log=build-fuzz/run.log rc=0
    mkdir -p build-fuzz || return
    local seed=${KDX_FUZZ_SEED:-}
    [ -n "$seed" ] || [ "${CI:-}" != true ] || seed=1
    KDX_FUZZ_SEED=$seed KDX_FUZZ_BUILD=$src/build-fuzz fuzz/run.sh "$fuzz_seconds" 2>&1 | tee "$log" || rc=$?
    summaries+=("$(grep -E '^(fuzz_[a-z0-9_]+: |reproducer )' "$log" || echo 'fuzz: no results')")
    return "$rc"
}

all=(deps dumps build sanitize fuzz)
[ $# -gt 0 ] || set -- "${all[@]}"
for p in "$@"; do
    case " ${all[*]} " in
        *" $p "*) ;;
        *) echo "scripts/test.sh: no phase '$p' (phases: ${all[*]})" >&2; exit 2 ;;
    esac
done
for p in "$@"; do
    # Without the tools nothing after can run.
    phase "$p" || [ "$p" != deps ] || exit 1
done
[ ${#failed[@]} = 0 ]

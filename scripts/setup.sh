#!/bin/bash
# First steps on a fresh Debian 12 machine, as root: install the build
# dependencies, build kdx, and run it on the bundled sample dump.
#
# Usage: scripts/setup.sh        (KDX_NO_INSTALL=1: skip apt-get)
set -euo pipefail
src=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$src"

if [ "${KDX_NO_INSTALL:-0}" != 1 ] && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -q || echo "apt-get update reported errors; installing from the lists we have"
    apt-get install -y -q build-essential cmake pkg-config libcmocka-dev \
        zlib1g-dev liblzo2-dev libsnappy-dev libzstd-dev libdeflate-dev libbz2-dev \
        liblzma-dev xz-utils python3 python3-dev
fi

cmake -S . -B build
cmake --build build -j"$(nproc)"

sample=tests/data/sample-x86_64.elf.xz
if [ ! -f "$sample" ]; then
    echo "setup.sh: $sample is missing: kdx is built (build/kdx), but there is no sample to show it on" >&2
    exit 1
fi
xz -dkc "$sample" > build/sample-x86_64.elf

# The kernel's init_uts_ns ("Linux", release, version), found from the
# dump alone: its address from VMCOREINFO, translated through the dumped
# page tables, then read physically at the address the walk gives.
sample=build/sample-x86_64.elf
uts=0x$(build/kdx info "$sample" --json |
        python3 -c 'import json,sys; print(json.load(sys.stdin)["vmcoreinfo"]["SYMBOL(init_uts_ns)"])')
set -x
build/kdx info "$sample"
build/kdx vtop "$sample" "$uts"
build/kdx read "$sample" "$uts" 0x190
{ set +x; } 2>/dev/null
phys=$(build/kdx vtop "$sample" "$uts" --json |
       python3 -c 'import json,sys; print(hex(json.load(sys.stdin)["translations"][0]["paddr"]))')
set -x
build/kdx read "$sample" "$phys" 0x90 --phys
build/kdx read "$sample" 0x100000 1MiB --phys -o build/sample-1mib.bin
{ set +x; } 2>/dev/null
ls -l build/sample-1mib.bin

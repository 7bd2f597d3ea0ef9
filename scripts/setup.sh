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
        zlib1g-dev liblzo2-dev libsnappy-dev libzstd-dev libdeflate-dev xz-utils python3
fi

cmake -S . -B build
cmake --build build -j"$(nproc)"

sample=tests/data/sample-x86_64.elf.xz
if [ ! -f "$sample" ]; then
    echo "setup.sh: $sample is missing: kdx is built (build/kdx), but there is no sample to show it on" >&2
    exit 1
fi
xz -dkc "$sample" > build/sample-x86_64.elf

set -x
build/kdx info build/sample-x86_64.elf
build/kdx read build/sample-x86_64.elf 0x100000 64 --phys
build/kdx read build/sample-x86_64.elf 0x100000 1MiB --phys -o build/sample-1mib.bin
{ set +x; } 2>/dev/null
ls -l build/sample-1mib.bin

#!/bin/bash
# Benchmark (not a test): writing kdump-compressed files, kdx convert
# against makedumpfile on the same input in the same run.
#
# Usage: bench/convert.sh DUMP [KDX]
# DUMP is any dump kdx reads; makedumpfile 1.7.2 refuses QEMU 7.2's ELF,
# so both tools read kdx's /proc/vmcore-style ELF of it (written first,
# into /dev/shm, and kept in the page cache).  Outputs go to /dev/shm so
# the disk is not what is measured.  Best of 3 wall-clock runs each.
set -euo pipefail
dump=$1
kdx=${2:-$(dirname "$0")/../build/kdx}
work=$(mktemp -d /dev/shm/kdx-bench-convert.XXXXXX)
trap 'rm -rf "$work"' EXIT
command -v makedumpfile >/dev/null || { echo "makedumpfile is not installed" >&2; exit 1; }
in=$work/in.elf
"$kdx" convert "$dump" "$in" --to elf -q
cat "$in" >/dev/null
cpus=$(nproc)

best() { # best wall time of 3 runs of "$@"
    local b=999999 t
    for _ in 1 2 3; do
        rm -f "$work/out"
        /usr/bin/time -f %e -o "$work/time" "$@" >/dev/null 2>&1
        t=$(tail -1 "$work/time")
        b=$(python3 -c "print(min($b, $t))")
    done
    echo "$b"
}

printf '%-44s %8s %10s\n' "writer (input $(stat -c %s "$in") bytes)" "seconds" "MB/s"
row() {
    printf '%-44s %8.2f %10.0f\n' "$1" "$2" "$(python3 -c "print($(stat -c %s "$in")/1e6/$2)")"
}
declare -A t
t[md_c]=$(best makedumpfile -c -d 0 "$in" "$work/out"); row "makedumpfile -c -d 0 (zlib)" "${t[md_c]}"
t[md_c_threads]=$(best makedumpfile -c -d 0 --num-threads "$cpus" "$in" "$work/out"); row "makedumpfile -c -d 0 --num-threads $cpus" "${t[md_c_threads]}"
t[md_l]=$(best makedumpfile -l -d 0 "$in" "$work/out"); row "makedumpfile -l -d 0 (lzo)" "${t[md_l]}"
t[md_c31]=$(best makedumpfile -c -d 1 "$in" "$work/out"); row "makedumpfile -c -d 1 (zero pages out)" "${t[md_c31]}"
t[kdx_c1]=$(best "$kdx" convert "$in" "$work/out" --to kdump --compress zlib --threads 1 -q); row "kdx --compress zlib --threads 1" "${t[kdx_c1]}"
t[kdx_c]=$(best "$kdx" convert "$in" "$work/out" --to kdump --compress zlib --threads "$cpus" -q); row "kdx --compress zlib --threads $cpus" "${t[kdx_c]}"
t[kdx_l]=$(best "$kdx" convert "$in" "$work/out" --to kdump --compress lzo --threads "$cpus" -q); row "kdx --compress lzo --threads $cpus" "${t[kdx_l]}"
t[kdx_z]=$(best "$kdx" convert "$in" "$work/out" --to kdump --compress zstd --threads "$cpus" -q); row "kdx --compress zstd --threads $cpus" "${t[kdx_z]}"
t[kdx_c1z]=$(best "$kdx" convert "$in" "$work/out" --to kdump --compress zlib --exclude zero --threads "$cpus" -q); row "kdx --compress zlib --exclude zero" "${t[kdx_c1z]}"
echo
r() { python3 -c "print('%.2f' % ($1 / $2))"; }
echo "result zlib, one thread each:      makedumpfile/kdx = $(r "${t[md_c]}" "${t[kdx_c1]}")"
echo "result zlib, all cores:            makedumpfile/kdx = $(r "${t[md_c_threads]}" "${t[kdx_c]}")"
echo "result lzo:                        makedumpfile/kdx = $(r "${t[md_l]}" "${t[kdx_l]}")"
echo "result zlib, zero pages excluded:  makedumpfile/kdx = $(r "${t[md_c31]}" "${t[kdx_c1z]}")"

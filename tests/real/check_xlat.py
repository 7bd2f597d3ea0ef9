#!/usr/bin/env python3
"""Check kdx's page-table walk against QEMU's own, on real dumps.

  check_xlat.py DUMPDIR KDX

Oracles, none of them kdx:
  * vmcore-paging.elf: QEMU's paging-mode dump.  Its PT_LOAD p_vaddr/p_paddr
    pairs are QEMU's walk of every CPU's page table (QEMU 7.2 unions the CPUs
    and ORs 0xffff << 48 into every virtual address, so user addresses come
    out as 0xffff7ffd... for 0x00007ffd...; we take the low 48 bits and sign
    extend).  QEMU leaves out pages whose physical address is not RAM or ROM
    (cpu_physical_memory_is_io); those are counted and listed, not hidden.
  * info-tlb.txt: HMP `info tlb` of the monitor's CPU (CPU 0): every leaf
    entry, I/O ones included.
  * pmem.raw: pmemsave of guest RAM, for virtual reads.
  * libkdumpfile's addrxlat, through tests/real/xlat-oracle.c (found next
    to KDX as tests/xlat/xlat-oracle, or $KDX_XLAT_ORACLE).
Prints one line per check and "N passed, N failed"; exits 1 on failure.
"""
import json
import os
import random
import shutil
import struct
import subprocess
import sys
import tempfile
import time

from check_real_dumps import load_manifest  # the same manifest.env

PAGE = 4096
# Virtual-address width of each paging mode kdx reports; QEMU 7.2 ORs
# high bits into the addresses it generates, so they are recomputed from
# the low va_bits bits (sign-extended for the 64-bit modes).
VA_BITS = {"x86-64": 48, "x86-la57": 57, "x86-pae": 32, "x86-32": 32}


class Checker:
    def __init__(self):
        self.passed = self.failed = 0

    def check(self, ok, what, detail=""):
        if ok:
            self.passed += 1
            print("ok   - " + what)
        else:
            self.failed += 1
            print("FAIL - " + what + (": " + detail if detail else ""))

    def note(self, text):
        print("     # " + text)


def canonical(va, bits):
    va &= (1 << bits) - 1
    if bits < 48:
        return va
    return va | (((1 << 64) - 1) ^ ((1 << bits) - 1)) if va >> (bits - 1) else va


def elf_loads(path):
    """(vaddr, paddr, memsz) of every PT_LOAD of a little-endian ELF32 or
    ELF64 file, PN_XNUM aware; read here with struct, independently of
    kdx."""
    with open(path, "rb") as f:
        eh = f.read(64)
        assert eh[:4] == b"\x7fELF" and eh[5] == 1, "not a little-endian ELF"
        is64 = eh[4] == 2
        if is64:
            phoff, shoff = struct.unpack_from("<QQ", eh, 32)
            phentsize, phnum = struct.unpack_from("<HH", eh, 54)
        else:
            phoff, shoff = struct.unpack_from("<II", eh, 28)
            phentsize, phnum = struct.unpack_from("<HH", eh, 42)
        if phnum == 0xffff:
            f.seek(shoff)
            sh = f.read(64)
            phnum = struct.unpack_from("<I", sh, 44 if is64 else 28)[0]
        f.seek(phoff)
        data = f.read(phnum * phentsize)
    out = []
    for i in range(phnum):
        if is64:
            p_type, _, _, vaddr, paddr, _, memsz, _ = struct.unpack_from(
                "<IIQQQQQQ", data, i * phentsize)
        else:
            p_type, _, vaddr, paddr, _, memsz, _, _ = struct.unpack_from(
                "<IIIIIIII", data, i * phentsize)
        if p_type == 1:
            out.append((vaddr, paddr, memsz))
    return out


def pages(va, pa, size):
    return ((va + o, pa + o) for o in range(0, size, PAGE))


def run(kdx, *args):
    r = subprocess.run([kdx] + list(args), capture_output=True, text=True)
    return r.returncode, r.stdout, r.stderr


def kdx_json(kdx, *args):
    rc, out, err = run(kdx, *args)
    if rc not in (0, 1) or not out.strip():
        raise RuntimeError("kdx %s: exit %d: %s" % (" ".join(args), rc, err.strip()))
    return json.loads(out), err


def kdx_pairs(kdx, dump, root=None, merge=True):
    args = ["maps", "--json", dump]
    if root is not None:
        args += ["--root", hex(root)]
    if not merge:
        args.append("--no-merge")
    t0 = time.monotonic()
    d, err = kdx_json(kdx, *args)
    return d, time.monotonic() - t0, err


def in_ranges(ranges, pa):
    for start, end in ranges:
        if start <= pa < end:
            return True
    return False


def compare_with_qemu(c, kdx, dumpdir, info, bits):
    dump = os.path.join(dumpdir, "vmcore.elf")
    cpus = [cpu for cpu in info["cpu_state"] if "cr3" in cpu["registers"]]
    c.check(len(cpus) > 0, "CPU notes carry CR3")
    ram = [(r["start"], r["end"]) for r in info["memory"]["ranges"]]
    ours = set()
    frames = {}  # va -> the frames the CPUs map it to
    for cpu in cpus:
        cr3 = cpu["registers"]["cr3"]
        d, secs, err = kdx_pairs(kdx, dump, cr3)
        c.check(d["problems"] == 0, "CPU %d CR3 0x%x: maps without problems"
                % (cpu["index"], cr3), err.strip()[:300])
        c.note("CPU %d CR3 0x%x: %d ranges, %d MiB, %.2f s"
               % (cpu["index"], cr3, d["count"], d["mapped_bytes"] >> 20, secs))
        for m in d["mappings"]:
            mine = list(pages(m["start"], m["phys"], m["size"]))
            ours.update(mine)
            for va, pa in mine:
                frames.setdefault(va, set()).add(pa)
    # Oracle quirk: QEMU 7.2 merges every CPU's mappings into one sorted
    # list, and where two CPUs map a virtual page to different frames
    # (two processes' user pages) the merge can shift a range by a page:
    # seen here as 0x5e4000->0xf5f4000 when one CPU had 0xf5fe000 and the
    # other 0xf5f3000.  Such pages have no single answer to compare.
    shared = {va for va, f in frames.items() if len(f) > 1}
    c.note("%d virtual pages mapped to different frames by different CPUs: "
           "not compared with QEMU's union" % len(shared))
    ours = {p for p in ours if p[0] not in shared}
    qemu = set()
    for va, pa, size in elf_loads(os.path.join(dumpdir, "vmcore-paging.elf")):
        qemu.update(pages(canonical(va, bits), pa, size))
    qemu = {p for p in qemu if p[0] not in shared}
    io = {p for p in ours if not in_ranges(ram, p[1])}
    missing = qemu - ours
    extra = (ours - io) - qemu
    c.note("QEMU paging ELF: %d pages; kdx (all CPUs): %d pages, %d of them "
           "not RAM/ROM" % (len(qemu), len(ours), len(io)))
    c.check(not missing, "every QEMU virtual->physical page is in kdx maps",
            "%d missing, e.g. %s" % (len(missing), fmt(sorted(missing)[:5])))
    c.check(not extra, "every kdx page backed by RAM/ROM is in QEMU's dump",
            "%d extra, e.g. %s" % (len(extra), fmt(sorted(extra)[:5])))
    c.check(not (io & qemu), "QEMU has none of the pages kdx says are I/O")
    for va, pa in sorted(io)[:8]:
        c.note("left out by QEMU (physical not RAM/ROM): 0x%x -> 0x%x" % (va, pa))
    return qemu


def fmt(pairs):
    return ", ".join("0x%x->0x%x" % p for p in pairs)


def compare_with_info_tlb(c, kdx, dumpdir, info):
    path = os.path.join(dumpdir, "info-tlb.txt")
    if not os.path.exists(path):
        c.note("no info-tlb.txt; skipped")
        return
    tlb = set()
    with open(path) as f:
        for line in f:
            parts = line.split()
            if len(parts) >= 2 and parts[0].endswith(":"):
                tlb.add((int(parts[0][:-1], 16), int(parts[1], 16)))
    cpu0 = info["cpu_state"][0]["registers"]["cr3"]
    d, _, _ = kdx_pairs(kdx, os.path.join(dumpdir, "vmcore.elf"), cpu0,
                        merge=False)
    leaves = {(m["start"], m["phys"]) for m in d["mappings"]}
    c.check(leaves == tlb,
            "kdx maps --no-merge (CPU 0 CR3) equals `info tlb` leaf by leaf "
            "(%d leaves)" % len(tlb),
            "%d only in kdx (%s), %d only in info tlb (%s)"
            % (len(leaves - tlb), fmt(sorted(leaves - tlb)[:3]),
               len(tlb - leaves), fmt(sorted(tlb - leaves)[:3])))


def time_kdx(kdx, *args):
    """Best of three wall-clock runs, output discarded."""
    best = None
    for _ in range(3):
        t0 = time.monotonic()
        subprocess.run([kdx] + list(args), stdout=subprocess.DEVNULL,
                       stderr=subprocess.DEVNULL)
        t = time.monotonic() - t0
        best = t if best is None else min(best, t)
    return best


def check_kernel_root(c, kdx, dumpdir, qemu):
    dump = os.path.join(dumpdir, "vmcore.elf")
    d, _, err = kdx_pairs(kdx, dump)
    secs = time_kdx(kdx, "maps", dump)
    c.check(d["problems"] == 0, "kdx maps of the kernel page table (%s): "
            "%d ranges, no problems" % (d["root_source"], d["count"]),
            err.strip()[:300])
    c.check(secs < 1.0, "kdx maps of the kernel page table takes %.3f s "
            "(whole process, text output)" % secs)
    other = os.path.join(dumpdir, "vmcore.kdump-zlib")
    if os.path.exists(other):
        try:
            d2, _, _ = kdx_pairs(kdx, other)
            same, why = d2["mappings"] == d["mappings"] and d2["root"] == d["root"], ""
        except RuntimeError as e:
            same, why = False, str(e)
        c.check(same, "the kdump-zlib dump gives the same kernel maps as the ELF", why)
    kernel = set()
    for m in d["mappings"]:
        kernel.update(pages(m["start"], m["phys"], m["size"]))
    qk = {p for p in qemu if p[0] >= KERNEL_HALF}
    c.note("kernel page table: %d pages; QEMU kernel half: %d pages; "
           "not in QEMU's: %d" % (len(kernel), len(qk), len(kernel - qk)))
    return d


def check_vtop_sample(c, kdx, dumpdir, qemu, n=2000):
    rng = random.Random(int(os.environ.get("KDX_CHECK_SEED", "1")))
    sample = rng.sample(sorted(qemu), min(n, len(qemu)))
    addrs = [va + rng.randrange(PAGE) for va, _ in sample]
    # QEMU's pairs are the union of the CPUs' tables: try each CPU's root.
    info, _ = kdx_json(kdx, "info", "--json", os.path.join(dumpdir, "vmcore.elf"))
    want = {a: pa + (a & (PAGE - 1)) for a, (_, pa) in zip(addrs, sample)}
    got = {}
    for cpu in info["cpu_state"]:
        todo = [hex(a) for a in addrs if a not in got]
        if not todo:
            break
        d, _ = kdx_json(kdx, "vtop", "--json", "--root",
                        hex(cpu["registers"]["cr3"]),
                        os.path.join(dumpdir, "vmcore.elf"), *todo)
        for t in d["translations"]:
            if "paddr" in t and t["paddr"] == want[t["vaddr"]]:
                got[t["vaddr"]] = t["paddr"]
    bad = [a for a in addrs if a not in got]
    c.check(not bad, "vtop of %d random mapped addresses equals QEMU's pairs"
            % len(addrs), "%d differ, e.g. %s" % (len(bad), [hex(a) for a in bad[:5]]))


def check_virtual_reads(c, kdx, dumpdir, qemu, n=64):
    rng = random.Random(2)
    pmem = os.path.join(dumpdir, "pmem.raw")
    size = os.path.getsize(pmem)
    kernel = sorted(p for p in qemu if p[0] >= KERNEL_HALF and p[1] + PAGE <= size)
    bad = []
    # A file of this run's own: checks of other dumps may run beside it.
    fd, page = tempfile.mkstemp(prefix="kdx-xlat-page.")
    os.close(fd)
    with open(pmem, "rb") as f:
        for va, pa in rng.sample(kernel, min(n, len(kernel))):
            rc, _, err = run(kdx, "read", os.path.join(dumpdir, "vmcore.elf"),
                             hex(va), "4096", "-o", page)
            f.seek(pa)
            if rc != 0 or open(page, "rb").read() != f.read(PAGE):
                bad.append((va, pa, err.strip()))
    os.unlink(page)
    c.check(not bad, "kdx read of %d kernel virtual pages equals pmem.raw at "
            "QEMU's physical address" % n, str(bad[:3]))


def compare_unflattened(c, oracle, path, name):
    if not shutil.which("makedumpfile"):
        if os.environ.get("CI") == "true":
            c.check(False, "%s: makedumpfile -R to unflatten it for libkdumpfile" % name,
                    "makedumpfile is missing")
        else:
            c.note("%s: flattened and no makedumpfile to unflatten it: "
                   "NOT compared with libkdumpfile" % name)
        return None
    fd, plain = tempfile.mkstemp(prefix="kdx-unflat.")
    os.close(fd)
    os.unlink(plain)
    try:
        with open(path, "rb") as f:
            u = subprocess.run(["makedumpfile", "-R", plain], stdin=f,
                               capture_output=True, text=True)
        if u.returncode != 0:
            c.check(False, "%s: makedumpfile -R unflattens it" % name, u.stderr[-500:])
            return None
        c.note("%s: flattened; compared with libkdumpfile after makedumpfile -R" % name)
        return subprocess.run([oracle, plain], capture_output=True, text=True)
    finally:
        if os.path.exists(plain):
            os.unlink(plain)


def check_oracle(c, kdx, dumpdir):
    """tests/real/xlat-oracle (built when libkdumpfile is installed):
    kdx against libkdumpfile's addrxlat on >= 2000 addresses."""
    oracle = os.environ.get("KDX_XLAT_ORACLE") or os.path.join(
        os.path.dirname(os.path.abspath(kdx)), "tests", "xlat", "xlat-oracle")
    if not os.path.exists(oracle):
        if os.environ.get("CI") == "true":
            c.check(False, "libkdumpfile oracle", "no %s (libkdumpfile-dev "
                    "not installed?): CI must compare with it" % oracle)
        else:
            c.note("#" * 60)
            c.note("SKIPPED: no xlat-oracle (libkdumpfile-dev not installed?)")
            c.note("#" * 60)
        return
    compared = []
    for name in ("vmcore.elf", "vmcore-paging.elf", "vmcore.kdump-zlib"):
        path = os.path.join(dumpdir, name)
        if not os.path.exists(path):
            continue
        r = subprocess.run([oracle, path], capture_output=True, text=True)
        if r.returncode == 2 and "Unknown file format" in r.stderr and \
                open(path, "rb").read(12) == b"makedumpfile":
            # libkdumpfile reads no flattened stream: unflatten it with
            # makedumpfile -R and compare on that.
            r = compare_unflattened(c, oracle, path, name)
            if r is None:
                continue
        if r.returncode == 2 and "libkdumpfile" in r.stderr:
            c.note("%s: libkdumpfile cannot open it (%s); not compared"
                   % (name, r.stderr.strip()))
            continue
        last = (r.stdout.strip().splitlines() or ["(no output)"])[-1]
        if r.returncode == 3:
            c.note("%s: not compared: %s" % (name, last))
            continue
        c.check(r.returncode == 0, "%s: kdx equals libkdumpfile: %s" % (name, last),
                r.stdout[-2000:] + r.stderr[-500:])
        compared.append(name)
    # libkdumpfile fails on some layouts (see the notes above), never on
    # all: at least one of QEMU's dumps is compared in full.
    c.check(compared, "libkdumpfile compared with kdx on %s"
            % (", ".join(compared) or "none of the dumps"))


KERNEL_HALF = 1 << 63


def check_expected_setup(c, dumpdir, t):
    """The paging mode and KASLR state follow from how the guest was
    booted (make-qemu-dumps.sh's manifest), not from kdx."""
    man = load_manifest(dumpdir)
    flavour = man.get("KERNEL_FLAVOUR", "amd64")
    if flavour in ("686-pae", "686"):
        want = "x86-pae" if flavour == "686-pae" else "x86-32"
    elif "+la57" in man.get("QEMU_CPU", ""):
        want = "x86-la57"
    else:
        want = "x86-64"
    c.check(t.get("mode") == want, "paging mode %s for a %s kernel booted with -cpu %s"
            % (want, flavour, man.get("QEMU_CPU") or "(default)"),
            "kdx says %s (%s)" % (t.get("mode"), t.get("mode_source")))
    if flavour == "amd64":
        nokaslr = "nokaslr" in man.get("QEMU_APPEND", "").split()
        off = t.get("kaslr_offset")
        c.check(off is not None and (off == 0) == nokaslr,
                "KASLR offset 0x%x %s nokaslr" % (off or 0, "with" if nokaslr else "without"),
                "from %s" % t.get("kaslr_offset_source"))


def main():
    global KERNEL_HALF
    if len(sys.argv) != 3:
        sys.exit("usage: check_xlat.py DUMPDIR KDX")
    dumpdir, kdx = sys.argv[1], sys.argv[2]
    c = Checker()
    info, _ = kdx_json(kdx, "info", "--json", os.path.join(dumpdir, "vmcore.elf"))
    t = info.get("translation", {})
    c.check(t.get("mode") in VA_BITS and t.get("root") is not None,
            "kdx info: translation set up (%s from %s, root from %s)"
            % (t.get("mode"), t.get("mode_source"), t.get("root_source")))
    c.check(not t.get("note"), "the root maps init_top_pgt to itself", t.get("note", ""))
    check_expected_setup(c, dumpdir, t)
    bits = VA_BITS.get(t.get("mode"), 48)
    if bits == 32:
        KERNEL_HALF = t.get("page_offset") or 0xc0000000
    qemu = compare_with_qemu(c, kdx, dumpdir, info, bits)
    if t.get("page_offset") is not None:
        c.check((t["page_offset"], 0) in qemu,
                "direct-map base 0x%x (%s) maps physical 0 in QEMU's dump"
                % (t["page_offset"], t.get("page_offset_source")))
    compare_with_info_tlb(c, kdx, dumpdir, info)
    check_kernel_root(c, kdx, dumpdir, qemu)
    check_vtop_sample(c, kdx, dumpdir, qemu)
    check_virtual_reads(c, kdx, dumpdir, qemu)
    check_oracle(c, kdx, dumpdir)
    print("%d passed, %d failed" % (c.passed, c.failed))
    sys.exit(1 if c.failed else 0)


if __name__ == "__main__":
    main()

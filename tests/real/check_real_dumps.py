#!/usr/bin/env python3
"""Check the kdx CLI against real QEMU dumps made by make-qemu-dumps.sh.

Usage: check_real_dumps.py OUTDIR KDX_BINARY   (normally via check-real-dumps.sh)

Oracles are independent of kdx: the ELF program headers/notes parsed here,
OUTDIR/manifest.env, and the pmemsave copies of guest memory listed in
OUTDIR/pmem.map.  Environment: KDX_CHECK_SEED (default 20240611),
KDX_CHECK_RANGES (random ranges per dump, default 48; structured ranges are
added on top), KDX_CHECK_VERBOSE=1 (print every passing check).
"""

import json
import mmap
import os
import random
import shlex
import struct
import subprocess
import sys
import tempfile

KiB, MiB, GiB = 1 << 10, 1 << 20, 1 << 30
VERBOSE = os.environ.get("KDX_CHECK_VERBOSE") == "1"
passed = failed = 0


def check(ok, what, detail=""):
    global passed, failed
    if ok:
        passed += 1
        if VERBOSE:
            print("PASS %s" % what)
    else:
        failed += 1
        print("FAIL %s%s" % (what, (": " + detail) if detail else ""), flush=True)
    return ok


def load_manifest(outdir):
    env = {}
    out = subprocess.run(
        ["bash", "-c", 'set -a; . "$1"; env -0', "x", os.path.join(outdir, "manifest.env")],
        check=True, stdout=subprocess.PIPE).stdout
    for item in out.split(b"\0"):
        if b"=" in item:
            k, v = item.split(b"=", 1)
            env[k.decode()] = v.decode()
    return env


# ---------------------------------------------------------------- ELF oracle
class Elf:
    """Minimal ELF64 LE core parser (handles PN_XNUM: >65535 phdrs)."""

    def __init__(self, path):
        self.path = path
        with open(path, "rb") as f:
            eh = f.read(64)
            if eh[:4] != b"\x7fELF" or eh[4] != 2 or eh[5] != 1:
                raise ValueError("%s: not ELF64 LE" % path)
            self.machine, = struct.unpack_from("<H", eh, 18)
            phoff, shoff = struct.unpack_from("<QQ", eh, 32)
            phentsize, phnum, shentsize = struct.unpack_from("<HHH", eh, 54)
            if phnum == 0xFFFF:  # PN_XNUM: real count in section 0's sh_info
                f.seek(shoff)
                sh0 = f.read(64)
                phnum, = struct.unpack_from("<I", sh0, 44)
            self.phnum = phnum
            f.seek(phoff)
            ph = f.read(phentsize * phnum)
            self.loads = []  # (paddr, vaddr, filesz, memsz)
            notes = []
            for i in range(phnum):
                (p_type, _flags, p_offset, p_vaddr, p_paddr, p_filesz,
                 p_memsz, _align) = struct.unpack_from("<IIQQQQQQ", ph, i * phentsize)
                if p_type == 1:
                    self.loads.append((p_paddr, p_vaddr, p_filesz, p_memsz))
                elif p_type == 4:
                    f.seek(p_offset)
                    notes.append(f.read(p_filesz))
        self.notes = []  # (name, type, desc)
        for blob in notes:
            off = 0
            while off + 12 <= len(blob):
                namesz, descsz, ntype = struct.unpack_from("<III", blob, off)
                off += 12
                name = blob[off:off + namesz].rstrip(b"\0").decode("latin-1")
                off += (namesz + 3) & ~3
                desc = blob[off:off + descsz]
                off += (descsz + 3) & ~3
                self.notes.append((name, ntype, desc))
        self.file_ranges = merge((p, p + fs) for p, _v, fs, _m in self.loads if fs)
        self.zero_ranges = subtract(
            merge((p + fs, p + ms) for p, _v, fs, ms in self.loads if ms > fs),
            self.file_ranges)
        self.readable = merge(self.file_ranges + self.zero_ranges)

    def prstatus_count(self):
        return sum(1 for n, t, _ in self.notes if n == "CORE" and t == 1)

    def vmcoreinfo(self):
        for n, _t, d in self.notes:
            if n == "VMCOREINFO":
                kv = {}
                for line in d.rstrip(b"\0").decode("latin-1").splitlines():
                    if "=" in line:
                        k, v = line.split("=", 1)
                        kv[k] = v
                return kv
        return None


def merge(ranges):
    out = []
    for s, e in sorted(ranges):
        if s >= e:
            continue
        if out and s <= out[-1][1]:
            out[-1][1] = max(out[-1][1], e)
        else:
            out.append([s, e])
    return [tuple(r) for r in out]


def subtract(ranges, minus):
    out = []
    for s, e in ranges:
        cur = s
        for ms, me in minus:
            if me <= cur or ms >= e:
                continue
            if ms > cur:
                out.append((cur, ms))
            cur = max(cur, me)
        if cur < e:
            out.append((cur, e))
    return out


def intersect(ranges, s, e):
    return [(max(a, s), min(b, e)) for a, b in ranges if b > s and a < e]


# ------------------------------------------------------------- pmem oracle
class Pmem:
    def __init__(self, outdir):
        self.pieces = []  # (start, size, mmap)
        mpath = os.path.join(outdir, "pmem.map")
        if os.path.exists(mpath):
            lines = [l.split() for l in open(mpath) if l.strip()]
        else:
            lines = [["0", str(os.path.getsize(os.path.join(outdir, "pmem.raw"))), "pmem.raw"]]
        for start, size, name in lines:
            start, size = int(start, 0), int(size, 0)
            with open(os.path.join(outdir, name), "rb") as f:
                m = mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ)
            if len(m) != size:
                raise ValueError("%s: size %d, pmem.map says %d" % (name, len(m), size))
            self.pieces.append((start, size, m))

    def covers(self, s, e):
        return not subtract([(s, e)], [(a, a + n) for a, n, _ in self.pieces])

    def read(self, s, e):
        buf = bytearray(e - s)
        for a, n, m in self.pieces:
            lo, hi = max(a, s), min(a + n, e)
            if lo < hi:
                buf[lo - s:hi - s] = m[lo - a:hi - a]
        return bytes(buf)


def expected_bytes(elf, pmem, s, e):
    """What a --zero-fill read of [s, e) must return."""
    buf = bytearray(e - s)
    for a, b in intersect(elf.file_ranges, s, e):
        buf[a - s:b - s] = pmem.read(a, b)
    return bytes(buf)


# ----------------------------------------------------------------- kdx calls
def run_kdx(kdx, args, timeout=600):
    p = subprocess.run([kdx] + args, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, timeout=timeout)
    return p.returncode, p.stdout, p.stderr.decode("utf-8", "replace").strip()


def kdx_read(kdx, dump, addr, length, tmp, zero_fill=False, addr_s=None, len_s=None):
    if os.path.exists(tmp):
        os.unlink(tmp)
    args = ["read", dump, addr_s or hex(addr), len_s or str(length), "--phys", "-o", tmp]
    if zero_fill:
        args.append("--zero-fill")
    rc, _out, err = run_kdx(kdx, args)
    data = None
    if rc == 0 and os.path.exists(tmp):
        with open(tmp, "rb") as f:
            data = f.read()
    return rc, data, err, " ".join(shlex.quote(a) for a in ["kdx"] + args)


def first_diff(a, b):
    if a is None:
        return "no output"
    if len(a) != len(b):
        return "got %d bytes, expected %d" % (len(a), len(b))
    for i in range(len(a)):
        if a[i] != b[i]:
            return "first difference at +%#x (got %02x, expected %02x)" % (i, a[i], b[i])
    return "?"


# -------------------------------------------------------------- info checks
def check_info(kdx, dump, elf, man, paging):
    tag = os.path.basename(dump)
    rc, out, err = run_kdx(kdx, ["info", dump])
    check(rc == 0 and out.strip(), "%s: kdx info (text) exits 0 with output" % tag,
          "rc=%d %s" % (rc, err))
    rc, out, err = run_kdx(kdx, ["info", dump, "--json"])
    if not check(rc == 0, "%s: kdx info --json exits 0" % tag, "rc=%d %s" % (rc, err)):
        return None
    try:
        j = json.loads(out)
    except ValueError as e:
        check(False, "%s: kdx info --json output is JSON" % tag, str(e))
        return None
    check(isinstance(j, dict), "%s: JSON is an object" % tag)

    def eq(key, want, got=KeyError):
        if got is KeyError:
            got = j.get(key)
        check(got == want and type(got) == type(want),
              "%s: .%s == %r" % (tag, key, want), "got %r" % (got,))

    eq("format", "elf")
    # QEMU names the guest's mode in e_machine: EM_X86_64 in long mode,
    # EM_386 for a 32-bit kernel (in an ELF64 file all the same).
    arch, word = {62: ("x86_64", 8), 3: ("i386", 4)}.get(elf.machine, ("?", 0))
    eq("arch", arch)
    eq("byte_order", "little")
    eq("word_size", word)
    eq("page_size", 4096)
    ncpus = int(man["NCPUS"])
    check(elf.prstatus_count() == ncpus, "%s: oracle: %d PRSTATUS notes in ELF" % (tag, ncpus),
          "ELF has %d" % elf.prstatus_count())
    eq("cpus", ncpus)
    eq("segments", len(elf.loads))
    eq("segments_have_virtual", bool(paging))
    vi = j.get("vmcoreinfo")
    if check(isinstance(vi, dict), "%s: .vmcoreinfo is an object" % tag, "got %r" % type(vi)):
        eq("vmcoreinfo.OSRELEASE", man["KREL"], vi.get("OSRELEASE"))
        eq("vmcoreinfo.PAGESIZE", "4096", vi.get("PAGESIZE"))
        want = elf.vmcoreinfo() or {}
        diff = sorted(k for k in set(want) | set(vi) if want.get(k) != vi.get(k))
        check(not diff, "%s: .vmcoreinfo equals the ELF VMCOREINFO note (%d keys)" % (tag, len(want)),
              "differing keys: %s" % diff[:10])
    notes = j.get("notes")
    check(isinstance(notes, list) and len(notes) == len(elf.notes),
          "%s: .notes lists %d notes" % (tag, len(elf.notes)),
          "got %r" % (len(notes) if isinstance(notes, list) else notes,))

    mem = j.get("memory")
    if not check(isinstance(mem, dict) and isinstance(mem.get("ranges"), list),
                 "%s: .memory.ranges is a list" % tag):
        return j
    rs = mem["ranges"]
    ok_shape = all(isinstance(r, dict) and all(type(r.get(k)) is int for k in ("start", "end", "size"))
                   and r.get("kind") in ("file", "zero") for r in rs)
    if not check(ok_shape, "%s: every range has int start/end/size and kind file|zero" % tag,
                 "first: %r" % (rs[:1],)):
        return j
    excl = all(r["end"] - r["start"] == r["size"] for r in rs)
    incl = all(r["end"] - r["start"] + 1 == r["size"] for r in rs)
    check(excl or incl, "%s: range end/size consistent (end exclusive or inclusive)" % tag,
          "first: %r" % (rs[:1],))
    endx = (lambda r: r["end"]) if excl or not incl else (lambda r: r["end"] + 1)
    starts = [r["start"] for r in rs]
    check(starts == sorted(starts), "%s: ranges sorted by start" % tag)
    got_file = merge((r["start"], endx(r)) for r in rs if r["kind"] == "file")
    got_zero = merge((r["start"], endx(r)) for r in rs if r["kind"] == "zero")
    check(got_file == elf.file_ranges,
          "%s: file ranges == union of PT_LOAD [p_paddr, +p_filesz) (%d merged)" % (tag, len(elf.file_ranges)),
          "got %s... want %s..." % ([(hex(a), hex(b)) for a, b in got_file[:4]],
                                   [(hex(a), hex(b)) for a, b in elf.file_ranges[:4]]))
    check(got_zero == elf.zero_ranges, "%s: zero ranges match PT_LOAD memsz>filesz" % tag,
          "got %r want %r" % (got_zero[:4], elf.zero_ranges[:4]))
    total = sum(r["size"] for r in rs)
    check(mem.get("total") == total, "%s: .memory.total == sum of range sizes (%d)" % (tag, total),
          "got %r" % (mem.get("total"),))
    check(isinstance(mem.get("holes"), list), "%s: .memory.holes is a list" % tag)
    return j


# -------------------------------------------------------------- read checks
def make_ranges(rng, elf, pmem, mem_bytes, nrandom):
    R = []  # (addr, len, label)

    def L(lo=1, hi=64 * KiB):
        return rng.randint(lo, hi)

    for _ in range(nrandom):
        n = L()
        R.append((rng.randint(0, mem_bytes - n), n, "random"))
    for _ in range(max(16, nrandom // 3)):
        b = rng.randint(1, mem_bytes // (2 * MiB) - 1) * 2 * MiB
        n = L(2)
        R.append((b - rng.randint(1, n - 1), n, "crosses 2MiB"))
    for _ in range(8):
        n = L()
        R.append((mem_bytes - n - rng.randint(0, 16 * KiB), n, "near end of RAM"))
    R.append((mem_bytes - 64 * KiB, 64 * KiB, "last 64KiB of RAM"))
    R.append((mem_bytes - 1, 1, "last byte of RAM"))
    R.append((0, 1, "first byte"))
    for _ in range(4):
        n = L(2)
        R.append((mem_bytes - rng.randint(1, n - 1), n, "crosses end of RAM"))
    # Holes between dumped ranges (e.g. legacy VGA window, PCI hole).
    for (a0, e0), (s1, _e1) in list(zip(elf.readable, elf.readable[1:]))[:4]:
        gap = s1 - e0
        n = L(2)
        R.append((e0 - rng.randint(1, n - 1), n, "straddles hole start %#x" % e0))
        n = L(2)
        R.append((s1 - rng.randint(1, n - 1), n, "straddles hole end %#x" % s1))
        n = L(1, min(64 * KiB, gap))
        R.append((rng.randint(e0, s1 - n), n, "inside hole [%#x,%#x)" % (e0, s1)))
    # Other dumped non-RAM ranges (BIOS ROM, VGA memory) covered by pmem.
    for a, size, _m in pmem.pieces[1:]:
        n = L(1, min(64 * KiB, size))
        R.append((a + rng.randint(0, size - n), n, "segment at %#x" % a))
    last = elf.readable[-1][1] if elf.readable else mem_bytes
    R.append((max(last, 4 * GiB) + 8 * GiB, 4096, "far beyond all memory"))
    return R


def check_reads(kdx, dump, elf, pmem, ranges, tmp, rng):
    tag = os.path.basename(dump)
    counts = {}
    for addr, n, label in ranges:
        end = addr + n
        readable = not subtract([(addr, end)], elf.readable)
        want = expected_bytes(elf, pmem, addr, end)
        in_oracle = all(pmem.covers(a, b) for a, b in intersect(elf.file_ranges, addr, end))
        desc = "%s: read %#x+%#x (%s)" % (tag, addr, n, label)
        if not check(in_oracle, desc + ": oracle covers the dumped bytes"):
            continue
        rc, data, err, cmd = kdx_read(kdx, dump, addr, n, tmp)
        if readable:
            key = "readable"
            if check(rc == 0, desc + ": exit 0", "rc=%d %s [%s]" % (rc, err, cmd)):
                check(data == want, desc + ": bytes match pmemsave", first_diff(data, want))
            if rng.random() < 0.25:
                rc, data, err, cmd = kdx_read(kdx, dump, addr, n, tmp, zero_fill=True)
                if check(rc == 0, desc + " --zero-fill: exit 0", "rc=%d %s [%s]" % (rc, err, cmd)):
                    check(data == want, desc + " --zero-fill: bytes match", first_diff(data, want))
        else:
            key = "hole"
            check(rc == 1, desc + ": touches a hole, exit 1 without --zero-fill",
                  "rc=%d %s [%s]" % (rc, err, cmd))
            rc, data, err, cmd = kdx_read(kdx, dump, addr, n, tmp, zero_fill=True)
            if check(rc == 0, desc + " --zero-fill: exit 0", "rc=%d %s [%s]" % (rc, err, cmd)):
                check(data == want, desc + " --zero-fill: dumped bytes match, holes zero",
                      first_diff(data, want))
        counts[key] = counts.get(key, 0) + 1
    print("  %s: %d ranges (%d fully dumped, %d touching holes)" % (
        tag, len(ranges), counts.get("readable", 0), counts.get("hole", 0)))


def check_number_syntax(kdx, dump, elf, pmem, tmp):
    tag = os.path.basename(dump)
    want = expected_bytes(elf, pmem, 1 * MiB, 1 * MiB + 4096)
    for a, n in (("0x100000", "4096"), ("1048576", "0x1000"), ("1MiB", "4KiB"), ("1024KiB", "4096")):
        rc, data, err, cmd = kdx_read(kdx, dump, 0, 0, tmp, addr_s=a, len_s=n)
        check(rc == 0 and data == want, "%s: read %s %s (number syntax)" % (tag, a, n),
              "rc=%d %s %s" % (rc, err, first_diff(data, want) if rc == 0 else ""))


def check_full(kdx, dump, elf, pmem, mem_bytes, marker, tmp):
    tag = os.path.basename(dump)
    if os.path.exists(tmp):
        os.unlink(tmp)
    args = ["read", dump, "0", "%dMiB" % (mem_bytes // MiB), "--phys", "--zero-fill", "-o", tmp]
    rc, _o, err = run_kdx(kdx, args)
    if not check(rc == 0, "%s: read all RAM with --zero-fill exits 0" % tag, "rc=%d %s" % (rc, err)):
        return
    size = os.path.getsize(tmp)
    if not check(size == mem_bytes, "%s: full read is %d bytes" % (tag, mem_bytes), "got %d" % size):
        return
    bad = None
    with open(tmp, "rb") as f:
        m = mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ)
        step = 16 * MiB
        for s in range(0, mem_bytes, step):
            e = min(s + step, mem_bytes)
            if m[s:e] != expected_bytes(elf, pmem, s, e):
                want = expected_bytes(elf, pmem, s, e)
                bad = "chunk %#x: %s" % (s, first_diff(m[s:e], want))
                break
        m.close()
    check(bad is None, "%s: full RAM read equals pmemsave (holes zero)" % tag, bad or "")
    p = subprocess.run(["grep", "-a", "-c", "-F", marker, tmp], stdout=subprocess.PIPE)
    cnt = int(p.stdout.strip() or 0)
    check(cnt >= 1, "%s: marker %s found in physical memory (%d lines)" % (tag, marker, cnt),
          "grep -c found %d" % cnt)
    os.unlink(tmp)


def main():
    if len(sys.argv) != 3:
        print(__doc__, file=sys.stderr)
        return 2
    outdir, kdx = sys.argv[1], os.path.abspath(sys.argv[2])
    man = load_manifest(outdir)
    mem_bytes = int(man["MEM_MB"]) * MiB
    seed = int(os.environ.get("KDX_CHECK_SEED", "20240611"))
    nrandom = int(os.environ.get("KDX_CHECK_RANGES", "48"))
    print("kdx: %s" % kdx)
    print("dumps: %s (KREL=%s NCPUS=%s MEM_MB=%s QEMU %s)" % (
        outdir, man["KREL"], man["NCPUS"], man["MEM_MB"], man.get("QEMU_VERSION", "?")))
    print("random seed: %d (set KDX_CHECK_SEED to change)" % seed)
    pmem = Pmem(outdir)
    files = man.get("FORMATS", "").split()
    tmpdir = tempfile.mkdtemp(prefix="kdx-check.")
    tmp = os.path.join(tmpdir, "out.bin")
    plain = None
    try:
        rc, _o, _e = run_kdx(kdx, ["info", os.path.join(outdir, "does-not-exist.elf")])
        check(rc == 3, "kdx info on a missing file exits 3", "rc=%d" % rc)
        rc, _o, _e = run_kdx(kdx, ["read", os.path.join(outdir, "vmcore.elf")])
        check(rc == 2, "kdx read without ADDR/LEN exits 2 (usage)", "rc=%d" % rc)
        for name, paging in (("vmcore.elf", False), ("vmcore-paging.elf", True)):
            dump = os.path.join(outdir, name)
            if not check(os.path.exists(dump), "%s exists" % name):
                continue
            elf = Elf(dump)
            print("== %s: %d PT_LOAD, %d merged physical ranges, %d notes" % (
                name, len(elf.loads), len(elf.file_ranges), len(elf.notes)))
            check_info(kdx, dump, elf, man, paging)
            rng = random.Random("%d:%s" % (seed, name))
            ranges = make_ranges(rng, elf, pmem, mem_bytes, nrandom)
            check_reads(kdx, dump, elf, pmem, ranges, tmp, rng)
            check_number_syntax(kdx, dump, elf, pmem, tmp)
            check_full(kdx, dump, elf, pmem, mem_bytes, man["MARKER"], tmp)
            if not paging:
                plain = elf
        # QEMU's other formats (kdump-*) hold the same memory as its
        # physical ELF: all of RAM must read the same (check-kdump.sh and
        # check-xlat.sh test them further).
        for name in files:
            if name in ("vmcore.elf", "vmcore-paging.elf") or plain is None:
                continue
            print("== %s" % name)
            check_full(kdx, os.path.join(outdir, name), plain, pmem, mem_bytes,
                       man["MARKER"], tmp)
    finally:
        for f in os.listdir(tmpdir):
            os.unlink(os.path.join(tmpdir, f))
        os.rmdir(tmpdir)
    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Real-dump oracle for kdx's kdump-compressed reader (run by check-kdump.sh).

Usage: check_kdump.py DUMPDIR KDX

1. QEMU's own kdump-zlib dump (DUMPDIR/vmcore.kdump-zlib, a makedumpfile
   flattened stream, read in place) must hold the same physical ranges as
   the paging-off ELF dump of the same stopped guest (DUMPDIR/vmcore.elf)
   and the same bytes on every page.
2. makedumpfile (Debian 1.7.2: zlib and lzo; snappy and zstd only if its
   -v says so) writes kdump-compressed files with -c/-l/-p/-z, -d 0 and
   -d 31, with and without -F, and with --split into two files.  Its input:
   the first of QEMU's ELF, QEMU's kdump file (rearranged with -R, then
   re-filtered) and `kdx convert --to elf` of QEMU's ELF that makedumpfile
   accepts; what it printed for the refused ones is shown.  Every page kdx
   reads from each output must equal the ELF's; pages makedumpfile
   excluded must be reported as excluded (and read as zeros with
   --zero-fill); dumped plus excluded pages must cover the ELF's memory
   below makedumpfile's max_mapnr.  Split files are opened one at a time
   (kdx cannot open them as one dump yet) and each must hold exactly its
   pfn range of the unsplit output.

Prints PASS/FAIL/SKIP lines and "N passed, N failed".  Environment:
CI=true makes a missing tool a failure (otherwise a loud skip);
KDX_CHECK_TMP is the scratch directory (default: a new one under /tmp);
KDX_CHECK_KEEP=1 keeps it.
"""
import json
import os
import shutil
import subprocess
import sys
import tempfile

PAGE = 4096
CHUNK = 1 << 20

passed = failed = 0
in_ci = os.environ.get("CI", "") == "true"


def say(kind, what):
    print("%s: %s" % (kind, what), flush=True)


def ok(what):
    global passed
    passed += 1
    say("PASS", what)


def bad(what):
    global failed
    failed += 1
    say("FAIL", what)


def check(cond, what):
    (ok if cond else bad)(what)
    return cond


def missing(tool, why):
    if in_ci:
        bad("%s is missing (%s); under CI that is a failure" % (tool, why))
    else:
        print("*" * 72)
        say("SKIP", "%s is missing (%s): those checks did not run" %
            (tool, why))
        print("*" * 72, flush=True)


def run(cmd, **kw):
    return subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          **kw)


def tail(text, n=6):
    lines = [l for l in text.replace("\r", "\n").splitlines()
             if l.strip() and not l.startswith(("Excluding", "Copying",
                                                "Checking"))]
    return "\n    ".join(lines[-n:])


class Kdx:
    def __init__(self, path, tmp):
        self.path, self.tmp = path, tmp

    def info(self, dump):
        r = run([self.path, "info", "--json", dump])
        if r.returncode != 0:
            raise RuntimeError("kdx info %s: %s" % (dump, r.stderr.decode()))
        return json.loads(r.stdout)

    def info_many(self, dumps):
        """kdx info of several files read as one (split) dump."""
        r = run([self.path, "info", "--json"] + list(dumps))
        if r.returncode != 0:
            raise RuntimeError("kdx info %s: %s" % (dumps, r.stderr.decode()))
        return json.loads(r.stdout)

    def read(self, dump, addr, size, zero_fill=False):
        """The bytes, or (exit status, stderr) when kdx refuses."""
        out = os.path.join(self.tmp, "read.bin")
        cmd = [self.path, "read", dump, hex(addr), hex(size), "--phys",
               "-o", out]
        if zero_fill:
            cmd.append("--zero-fill")
        r = run(cmd)
        if r.returncode != 0:
            return (r.returncode, r.stderr.decode())
        with open(out, "rb") as f:
            data = f.read()
        os.unlink(out)
        return data


def ranges(info, kind=None):
    return [(r["start"], r["size"]) for r in info["memory"]["ranges"]
            if kind is None or r["kind"] == kind]


class Elf:
    """The paging-off ELF's physical memory, read once by kdx, range by
    range, into files: the reference every output is compared with."""

    def __init__(self, kdx, path, tmp):
        self.ranges = []
        info = kdx.info(path)
        for i, (start, size) in enumerate(ranges(info, "file")):
            data = kdx.read(path, start, size)
            if isinstance(data, tuple):
                raise RuntimeError("kdx read of the ELF at 0x%x: %s" %
                                   (start, data[1]))
            f = os.path.join(tmp, "elf-%d.bin" % i)
            with open(f, "wb") as out:
                out.write(data)
            self.ranges.append((start, size, f))
        self.info = info

    def find(self, addr, size):
        for start, rsize, f in self.ranges:
            if start <= addr and addr + size <= start + rsize:
                return f, addr - start
        return None, None

    def bytes(self, addr, size):
        f, off = self.find(addr, size)
        if f is None:
            return None
        with open(f, "rb") as fh:
            fh.seek(off)
            return fh.read(size)

    def pages_below(self, limit):
        n = 0
        for start, size, _ in self.ranges:
            end = min(start + size, limit)
            if end > start:
                n += (end - start) // PAGE
        return n


def compare_data(kdx, elf, dump, label, allow_empty=False):
    """Every data range of @dump read by kdx equals the ELF's bytes (and
    there is some, unless @allow_empty: a --split part may get none)."""
    info = kdx.info(dump)
    data = ranges(info, "file")
    total = mismatched = outside = 0
    first_bad = None
    for start, size in data:
        for off in range(0, size, 64 * CHUNK):
            n = min(64 * CHUNK, size - off)
            got = kdx.read(dump, start + off, n)
            want = elf.bytes(start + off, n)
            total += n
            if want is None:
                outside += n
                first_bad = first_bad or start + off
                continue
            if isinstance(got, tuple) or got != want:
                mismatched += n
                if first_bad is None:
                    if isinstance(got, tuple):
                        first_bad = start + off
                    else:
                        first_bad = start + off + next(
                            i for i in range(n) if got[i] != want[i])
    check((total > 0 or allow_empty) and mismatched == 0 and outside == 0,
          "%s: %d data ranges, %.1f MiB, every byte equals the ELF's%s" %
          (label, len(data), total / (1 << 20),
           "" if not (mismatched or outside) else
           " -- NO: %d bytes differ, %d outside the ELF, first at 0x%x" %
           (mismatched, outside, first_bad)))
    return info


def check_excluded(kdx, elf, dump, info, label):
    excl = ranges(info, "excluded")
    refused = zeros = inside = 0
    for start, size in excl:
        got = kdx.read(dump, start, 8)
        refused += isinstance(got, tuple) and got[0] == 1 and \
            "excluded" in got[1]
        z = kdx.read(dump, start, PAGE, zero_fill=True)
        zeros += z == bytes(PAGE)
        inside += elf.find(start, size)[0] is not None
    check(refused == len(excl) and zeros == len(excl) and inside == len(excl),
          "%s: %d excluded ranges: reads fail naming 'excluded' (%d), "
          "--zero-fill reads zeros (%d), all inside the ELF's memory (%d)" %
          (label, len(excl), refused, zeros, inside))
    return excl


def max_mapnr(info):
    return int(info["details"]["max_mapnr"], 16)


def check_coverage(elf, info, label, level):
    limit = max_mapnr(info) * PAGE
    data = sum(s for _, s in ranges(info, "file")) // PAGE
    excl = sum(s for _, s in ranges(info, "excluded")) // PAGE
    want = elf.pages_below(limit)
    check(data + excl == want and (level != 0 or excl == 0),
          "%s: %d dumped + %d excluded pages = %d, the ELF's pages below "
          "max_mapnr 0x%x: %d" % (label, data, excl, data + excl,
                                  limit // PAGE, want))


def check_level(info, label, level):
    d = info["details"].get("dump_level", "")
    words = {0: "(excluded: nothing)",
             31: "zero pages, cache pages, cache private pages, user pages, "
                 "free pages"}[level]
    check(d.startswith(str(level)) and words in d,
          "%s: dump_level reads '%s'" % (label, d))


# ---------------------------------------------------------------- QEMU

def check_qemu(kdx, elf, dumpdir):
    path = os.path.join(dumpdir, "vmcore.kdump-zlib")
    if not os.path.exists(path):
        bad("%s is missing (make-qemu-dumps.sh writes it)" % path)
        return
    info = kdx.info(path)
    check(info["format"] == "kdump" and
          "flattened" in info["details"].get("container", ""),
          "QEMU kdump-zlib: read as kdump, in place from its flattened "
          "stream (%s)" % info["details"].get("container", "no container"))
    check(ranges(info) == ranges(elf.info, "file"),
          "QEMU kdump-zlib: the same %d physical ranges as the ELF" %
          len(ranges(info)))
    compare_data(kdx, elf, path, "QEMU kdump-zlib")
    base = info["details"].get("phys_base", "?")
    vmci = info.get("vmcoreinfo", {}).get("NUMBER(phys_base)", "?")
    try:
        same = int(base, 16) == int(vmci) & (2**64 - 1)
    except ValueError:
        same = False
    if not same:
        say("NOTE", "QEMU wrote phys_base %s in the kdump sub-header; "
            "VMCOREINFO says NUMBER(phys_base)=%s (makedumpfile re-filtering "
            "the file trusts the header)" % (base, vmci))


# ---------------------------------------------------------- makedumpfile

def makedumpfile_codecs():
    r = run(["makedumpfile", "-v"])
    text = (r.stdout + r.stderr).decode()
    codecs = [("-c", "zlib")]
    for flag, name in (("-l", "lzo"), ("-p", "snappy"), ("-z", "zstd")):
        if "%s\tenabled" % name in text or "%s enabled" % name in text:
            codecs.append((flag, name))
        else:
            say("NOTE", "makedumpfile has no %s (%s): %s not checked" %
                (name, text.splitlines()[0] if text else "?", flag))
    return codecs


def find_input(kdx, dumpdir, tmp):
    """The first input makedumpfile accepts, trying QEMU's files first."""
    elf = os.path.join(dumpdir, "vmcore.elf")
    probe = os.path.join(tmp, "probe.kdump")
    candidates = [("QEMU's ELF (vmcore.elf)", elf)]
    qemu = os.path.join(dumpdir, "vmcore.kdump-zlib")
    rearranged = os.path.join(tmp, "qemu-rearranged.kdump")
    with open(qemu, "rb") as src:
        r = run(["makedumpfile", "-R", rearranged], stdin=src)
    if r.returncode == 0:
        candidates.append(("QEMU's kdump-zlib rearranged by makedumpfile -R, "
                           "re-filtered", rearranged))
    else:
        say("NOTE", "makedumpfile -R of QEMU's kdump-zlib failed:\n    " +
            tail((r.stdout + r.stderr).decode()))
    converted = os.path.join(tmp, "kdx-converted.elf")
    for label, path in candidates + [("kdx convert --to elf of QEMU's ELF",
                                      converted)]:
        if path == converted:
            r = run([kdx.path, "convert", "-q", elf, converted, "--to",
                     "elf"])
            if r.returncode != 0:
                bad("kdx convert --to elf: " + r.stderr.decode())
                return None
        if os.path.exists(probe):
            os.unlink(probe)
        r = run(["makedumpfile", "-l", "-d", "1", path, probe])
        out = (r.stdout + r.stderr).decode()
        if r.returncode == 0 and os.path.exists(probe):
            say("NOTE", "makedumpfile accepts %s" % label)
            os.unlink(probe)
            return path
        say("NOTE", "makedumpfile refuses %s; it printed:\n    %s" %
            (label, tail(out)))
    return None


def check_makedumpfile(kdx, elf, dumpdir, tmp):
    if not shutil.which("makedumpfile"):
        missing("makedumpfile", "apt-get install makedumpfile")
        return
    src = find_input(kdx, dumpdir, tmp)
    if src is None:
        bad("makedumpfile accepts none of the inputs above")
        return
    unsplit = {}
    for flag, codec in makedumpfile_codecs():
        for level in (0, 31):
            for flat in (False, True):
                label = "makedumpfile %s -d %d%s" % (flag, level,
                                                      " -F" if flat else "")
                out = os.path.join(tmp, "mdf%s-d%d%s.kdump" %
                                   (flag, level, "-F" if flat else ""))
                cmd = ["makedumpfile", flag, "-d", str(level)] + \
                    (["-F"] if flat else []) + [src]
                if flat:
                    with open(out, "wb") as f:
                        r = subprocess.run(cmd, stdout=f,
                                           stderr=subprocess.PIPE)
                else:
                    r = run(cmd + [out])
                if r.returncode != 0:
                    bad("%s failed:\n    %s" % (label,
                                                tail(r.stderr.decode())))
                    continue
                info = compare_data(kdx, elf, out, label)
                check(info["details"].get("compression") == codec,
                      "%s: compression reads '%s'" %
                      (label, info["details"].get("compression")))
                check(("container" in info["details"]) == flat,
                      "%s: %s" % (label, info["details"].get(
                          "container", "not flattened")))
                check_level(info, label, level)
                check_excluded(kdx, elf, out, info, label)
                check_coverage(elf, info, label, level)
                if not flat:
                    unsplit[(flag, level)] = info
                os.unlink(out)
    # --split into two files: each holds its pfn range of the unsplit one.
    for flag, level in (("-c", 31), ("-l", 0)):
        label = "makedumpfile %s -d %d --split" % (flag, level)
        outs = [os.path.join(tmp, "split%d.kdump" % i) for i in (1, 2)]
        # Its default split block is 1 GiB: all of a small guest would
        # go to the first file.
        r = run(["makedumpfile", flag, "-d", str(level), "--split",
                 "--splitblock-size", "65536", src] + outs)
        if r.returncode != 0:
            bad("%s failed:\n    %s" % (label, tail(r.stderr.decode())))
            continue
        whole = unsplit.get((flag, level))
        pieces = []
        for i, out in enumerate(outs):
            part = "%s, file %d" % (label, i + 1)
            # makedumpfile may leave a part empty (split pfn N-N); the
            # checks below still want all pages in the parts together.
            info = compare_data(kdx, elf, out, part, allow_empty=True)
            split = info["details"].get("split", "")
            check(split.startswith("pfn "), "%s: split %s" % (part, split))
            check_excluded(kdx, elf, out, info, part)
            lo, hi = (int(x, 16) for x in split[4:].split("-"))
            pieces.append((lo, hi, info))
        if whole is None or len(pieces) != 2:
            continue
        # Given together (second file first), they are one dump again.
        both = kdx.info_many(reversed(outs))
        check(ranges(both, "file") == ranges(whole, "file") and
              ranges(both, "excluded") == ranges(whole, "excluded") and
              both["details"].get("split_files") == "2",
              "%s: kdx info of both files together has the unsplit "
              "dump's %d data and %d excluded ranges"
              % (label, len(ranges(whole, "file")),
                 len(ranges(whole, "excluded"))))
        # Together they are the unsplit dump: same data and excluded
        # pages, each file holding only its range.
        for kind in ("file", "excluded"):
            want = set()
            for start, size in ranges(whole, kind):
                want.update(range(start // PAGE, (start + size) // PAGE))
            got, stray = set(), 0
            for lo, hi, info in pieces:
                for start, size in ranges(info, kind):
                    for pfn in range(start // PAGE, (start + size) // PAGE):
                        stray += not (lo <= pfn < hi)
                        got.add(pfn)
            check(got == want and stray == 0,
                  "%s: the two files' %s pages (%d) are the unsplit "
                  "dump's (%d), each inside its own pfn range (%d outside)"
                  % (label, kind, len(got), len(want), stray))
        if level == 0:
            check_split_commands(kdx, src, outs, label)
        for out in outs:
            os.unlink(out)


def check_split_commands(kdx, src, outs, label):
    """Every command takes a split set where it takes DUMP: read, vtop,
    maps and dmesg of the two files (second first) print what they print
    for the unsplit source."""
    parts = list(reversed(outs))
    info = kdx.info(src)
    # What the split set holds (makedumpfile leaves out what is not RAM).
    ram = ranges(kdx.info_many(parts), "file")
    sym = info.get("vmcoreinfo", {}).get("SYMBOL(init_uts_ns)")
    cases = [(["dmesg"], []), (["maps", "--json"], [])]
    if sym:
        cases.append((["vtop", "--json"], ["0x" + sym]))
        cases.append((["read", "--hex"], ["0x" + sym, "0x190"]))
    for start, size in ram[:4]:
        cases.append((["read", "--phys", "--zero-fill", "-o", "-"],
                      [hex(start), hex(min(size, 64 << 20))]))
    # Across the boundary between the two files' pfn ranges.
    split = kdx.info(outs[0])["details"].get("split", "")
    if split.startswith("pfn "):
        edge = int(split[4:].split("-")[1], 16) * PAGE
        lo, hi = edge - (16 << 20), edge + (16 << 20)
        if any(start <= lo and hi <= start + size for start, size in ram):
            cases.append((["read", "--phys", "-o", "-"],
                          [hex(lo), hex(hi - lo)]))
        else:
            print("NOTE: %s: the parts' boundary 0x%x is not inside RAM; "
                  "no read across it" % (label, edge))
    for opts, tail_args in cases:
        want = run([kdx.path] + opts[:1] + [src] + tail_args + opts[1:])
        got = run([kdx.path] + opts[:1] + parts + tail_args + opts[1:])
        what = " ".join(opts[:1] + ["FILE2", "FILE1"] + tail_args + opts[1:])
        ok = (want.returncode == 0 and got.returncode == 0 and
              got.stdout.replace(parts[0].encode(), src.encode()) == want.stdout)
        msg = "%s: kdx %s == the same on the unsplit source (%d bytes)" % (
            label, what, len(want.stdout))
        if not ok:
            msg += ": exit %d/%d: %s" % (want.returncode, got.returncode, tail(
                got.stderr.decode() or want.stderr.decode() or "output differs"))
        check(ok, msg)


def main():
    if len(sys.argv) != 3:
        print("usage: check_kdump.py DUMPDIR KDX", file=sys.stderr)
        return 2
    dumpdir, kdx_path = sys.argv[1], sys.argv[2]
    tmp = os.environ.get("KDX_CHECK_TMP") or tempfile.mkdtemp(
        prefix="kdx-check-kdump-")
    os.makedirs(tmp, exist_ok=True)
    try:
        kdx = Kdx(kdx_path, tmp)
        elf_path = os.path.join(dumpdir, "vmcore.elf")
        if not os.path.exists(elf_path):
            bad("%s is missing (run make-qemu-dumps.sh first)" % elf_path)
        else:
            elf = Elf(kdx, elf_path, tmp)
            check_qemu(kdx, elf, dumpdir)
            check_makedumpfile(kdx, elf, dumpdir, tmp)
    except Exception as e:  # a broken tool is a failure, not a traceback
        bad("%s: %s" % (type(e).__name__, e))
    finally:
        if os.environ.get("KDX_CHECK_KEEP") != "1":
            shutil.rmtree(tmp, ignore_errors=True)
    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())

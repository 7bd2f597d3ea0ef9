#!/usr/bin/env python3
"""Check the real Xen dumps of make-xen-dumps.sh, and kdx on them.

Usage: check_xen.py DUMPDIR KDX_BINARY [oracle|kdx|all]   (via check-xen.sh)

Two kinds of checks:
  oracle  the dumps against each other and the guest's own word, read here
          without kdx: the xc_core sections against readelf, .xen_p2m against
          xen-mfndump's p2m, the marker in .xen_pages, the VMCOREINFO note at
          the machine address the domU printed, every page of the save image
          against the paused xc_core, the domU's pages in the host dump (at
          their machine addresses) against the paused xc_core, dom0's
          VMCOREINFO in the host dump.
  kdx     kdx's CLI on the xc_cores, the save image and the host dump, with
          no option given: info names the kernel, dmesg equals the domU's
          console, read of SYMBOL(init_uts_ns) gives "Linux", maps lists the
          kernel's mappings, the marker is read at its virtual (direct map)
          and pseudo-physical addresses.  On the host dump: the PV domains
          kdx finds in machine memory, each one's p2m read from its own
          linear list (kdx maps --xen-p2m) against an independent one: the
          domU's against xen-mfndump's (every pfn), dom0's against Xen's own
          m2p table (machine_to_phys, read here by walking a CPU's CR3 in
          the host dump) and Xen's page count for dom0 (xl debug-keys q);
          the domU's kernel read through its own root (its p2m_cr3).
Each failure prints what was compared.  Environment: KDX_CHECK_VERBOSE=1
prints every passing check too.
"""

import json
import mmap
import os
import re
import struct
import subprocess
import sys

VERBOSE = os.environ.get("KDX_CHECK_VERBOSE") == "1"
PAGE = 4096
# A PV kernel is not relocated (no KASLR): its direct map starts here
# (x86_64, 4-level paging).  Checked against VMCOREINFO below.
DIRECT_MAP = 0xFFFF888000000000
passed = failed = 0


def check(ok, what, detail=""):
    global passed, failed
    if ok:
        passed += 1
        print("PASS %s%s" % (what, (": " + detail) if detail and VERBOSE else ""))
    else:
        failed += 1
        print("FAIL %s%s" % (what, (": " + detail) if detail else ""), flush=True)
    return ok


def load_manifest(d):
    env = {}
    out = subprocess.run(
        ["bash", "-c", 'set -a; . "$1"; env -0', "x", os.path.join(d, "manifest.env")],
        check=True, stdout=subprocess.PIPE).stdout
    for item in out.split(b"\0"):
        if b"=" in item:
            k, v = item.split(b"=", 1)
            env[k.decode()] = v.decode()
    return env


def run(argv, timeout=300):
    """(exit status, stdout bytes, stderr text) of a command."""
    try:
        p = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                           timeout=timeout)
    except subprocess.TimeoutExpired:
        return -1, b"", "timed out after %ds" % timeout
    return p.returncode, p.stdout, p.stderr.decode(errors="replace")


def short(s, n=300):
    s = s.decode(errors="replace") if isinstance(s, bytes) else s
    s = s.strip().replace("\n", " | ")
    return s if len(s) <= n else s[:n] + "..."


# ------------------------------------------------------------------ xc_core
class XcCore:
    """An xl dump-core file, read by section name (ELF64 LE, no phdrs)."""

    def __init__(self, path):
        self.path = path
        self.f = open(path, "rb")
        self.m = mmap.mmap(self.f.fileno(), 0, access=mmap.ACCESS_READ)
        m = self.m
        if m[:4] != b"\x7fELF" or m[4] != 2 or m[5] != 1:
            raise ValueError("not ELF64 LE")
        self.e_type, = struct.unpack_from("<H", m, 16)
        self.phnum, = struct.unpack_from("<H", m, 56)
        shoff, = struct.unpack_from("<Q", m, 40)
        shentsize, shnum, shstrndx = struct.unpack_from("<HHH", m, 58)
        raw = [struct.unpack_from("<IIQQQQIIQQ", m, shoff + i * shentsize)
               for i in range(shnum)]
        stroff = raw[shstrndx][4]
        self.sections = {}
        for (name, typ, _fl, _addr, off, size, _link, _info, _align, entsize) in raw[1:]:
            end = m.find(b"\0", stroff + name)
            self.sections[m[stroff + name:end].decode()] = (typ, off, size, entsize)
        self.notes = {}
        _, off, size, _ = self.sections[".note.Xen"]
        pos = off
        while pos + 12 <= off + size:
            namesz, descsz, ntype = struct.unpack_from("<III", m, pos)
            desc = pos + 12 + ((namesz + 3) & ~3)
            self.notes[ntype] = m[desc:desc + descsz]
            pos = desc + ((descsz + 3) & ~3)
        hdr = self.notes.get(0x2000001, b"")
        (self.magic, self.nr_vcpus, self.nr_pages,
         self.page_size) = struct.unpack_from("<QQQQ", hdr) if len(hdr) >= 32 else (0, 0, 0, 0)
        _, p2m_off, p2m_size, _ = self.sections[".xen_p2m"]
        self.p2m = [struct.unpack_from("<QQ", m, p2m_off + 16 * i)
                    for i in range(p2m_size // 16)]
        self.index_of_pfn = {pfn: i for i, (pfn, _) in enumerate(self.p2m)}
        self.index_of_mfn = {mfn: i for i, (_, mfn) in enumerate(self.p2m)}
        self.pages_off = self.sections[".xen_pages"][1]

    def page(self, i):
        o = self.pages_off + i * PAGE
        return self.m[o:o + PAGE]

    def page_of_pfn(self, pfn):
        return self.page(self.index_of_pfn[pfn])

    def read_maddr(self, maddr, n):
        i = self.index_of_mfn.get(maddr // PAGE)
        if i is None:
            return None
        o = self.pages_off + i * PAGE + maddr % PAGE
        return self.m[o:o + n]

    def find_all(self, needle, limit=100000):
        """(pfn, offset in page) of each occurrence in .xen_pages."""
        _, off, size, _ = self.sections[".xen_pages"]
        out, pos = [], self.m.find(needle, off, off + size)
        while pos >= 0 and len(out) < limit:
            i, o = divmod(pos - off, PAGE)
            out.append((self.p2m[i][0], o))
            pos = self.m.find(needle, pos + 1, off + size)
        return out


# --------------------------------------------------------------- save image
def read_save(path):
    """The pages of an `xl save` image: {pfn: page bytes}, the last copy of
    each, plus the stream's facts.  xl header, libxl stream v2, libxc
    stream v3 (docs/specs/*-migration-stream.pandoc in Xen)."""
    with open(path, "rb") as f:
        m = mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ)
    facts = {}
    magic = b"Xen saved domain, xl format\n \0 \r"
    if m[:32] != magic:
        raise ValueError("no xl save header")
    _bo, mand, _opt, optlen = struct.unpack_from("<IIII", m, 32)
    pos = 48 + optlen
    if m[pos:pos + 8] != b"LibxlFmt":
        raise ValueError("no libxl stream at %#x" % pos)
    facts["libxl_version"], = struct.unpack_from(">I", m, pos + 8)
    pos += 16
    pages, types, p2m_frames = {}, {}, None
    in_libxc = False
    while pos + 8 <= len(m):
        if not in_libxc:
            rtype, rlen = struct.unpack_from("<II", m, pos)
            pos += 8
            if rtype == 1:  # LIBXC_CONTEXT: the libxc stream follows
                in_libxc = True
                if m[pos:pos + 8] != b"\xff" * 8 or m[pos + 8:pos + 12] != b"XENF":
                    raise ValueError("no libxc image header at %#x" % pos)
                facts["libxc_version"], = struct.unpack_from(">I", m, pos + 12)
                # 24-byte image header, then the 16-byte domain header.
                dtype, pshift, _, xmaj, xmin = struct.unpack_from("<IHHII", m, pos + 24)
                facts.update(domain_type=dtype, page_shift=pshift, xen="%d.%d" % (xmaj, xmin))
                pos += 24 + 16
                continue
            if rtype == 0:  # LIBXL_END
                break
            pos += (rlen + 7) & ~7
            continue
        rtype, rlen = struct.unpack_from("<II", m, pos)
        body = pos + 8
        pos = body + ((rlen + 7) & ~7)
        if rtype == 0:  # END of the libxc stream; back to libxl records
            in_libxc = False
        elif rtype == 1:  # PAGE_DATA
            count, = struct.unpack_from("<I", m, body)
            data = body + 8 + 8 * count
            for k in range(count):
                v, = struct.unpack_from("<Q", m, body + 8 + 8 * k)
                pfn, typ = v & ((1 << 52) - 1), v >> 60
                types[pfn] = typ
                if typ in (0xD, 0xE, 0xF):  # BROKEN, XALLOC, XTAB: no data
                    continue
                pages[pfn] = m[data:data + PAGE]
                data += PAGE
        elif rtype == 3:  # X86_PV_P2M_FRAMES
            s, e = struct.unpack_from("<II", m, body)
            p2m_frames = (s, e, (rlen - 8) // 8)
        elif rtype == 2:  # X86_PV_INFO
            facts["guest_width"], facts["pt_levels"] = m[body], m[body + 1]
    facts["p2m_frames"] = p2m_frames
    facts["types"] = types
    return pages, facts


PTE_FRAME = ((1 << 52) - 1) & ~0xFFF


def canonical_pagetable(page, m2p, level):
    """A PV page-table page as the save stream holds it: every present
    entry's machine frame replaced by the guest's pfn, and in an L4 the 16
    slots Xen reserves (256-271) cleared."""
    out = bytearray(page)
    for i in range(PAGE // 8):
        e, = struct.unpack_from("<Q", page, 8 * i)
        if level == 4 and 256 <= i < 272:
            e = 0
        elif e & 1 and ((e & PTE_FRAME) >> 12) in m2p:
            e = (e & ~PTE_FRAME) | (m2p[(e & PTE_FRAME) >> 12] << 12)
        struct.pack_into("<Q", out, 8 * i, e)
    return bytes(out)


# --------------------------------------------------------------- host dump
class HostElf:
    """QEMU's ELF of the whole VM: physical (= Xen's machine) addresses."""

    def __init__(self, path):
        self.f = open(path, "rb")
        self.m = mmap.mmap(self.f.fileno(), 0, access=mmap.ACCESS_READ)
        m = self.m
        phoff, = struct.unpack_from("<Q", m, 32)
        phentsize, phnum = struct.unpack_from("<HH", m, 54)
        self.loads = []
        for i in range(phnum):
            t, _, off, _, paddr, filesz, _, _ = struct.unpack_from("<IIQQQQQQ", m, phoff + i * phentsize)
            if t == 1:
                self.loads.append((paddr, filesz, off))

    def read(self, addr, n):
        for paddr, size, off in self.loads:
            if paddr <= addr and addr + n <= paddr + size:
                return self.m[off + addr - paddr:off + addr - paddr + n]
        return None


def vmcoreinfo_note(raw):
    """The text of a VMCOREINFO ELF note that starts at raw, or None."""
    if raw is None or len(raw) < 24:
        return None
    namesz, descsz, _ = struct.unpack_from("<III", raw)
    if raw[12:12 + namesz].rstrip(b"\0") != b"VMCOREINFO":
        return None
    d = 12 + ((namesz + 3) & ~3)
    return raw[d:d + descsz].split(b"\0")[0].decode(errors="replace")


def vmcoreinfo_dict(text):
    return dict(l.split("=", 1) for l in text.splitlines() if "=" in l)


def read_mfndump(path):
    """xen-mfndump dump-p2m: {pfn: mfn}."""
    p2m = {}
    pat = re.compile(r"^\s*pfn=0x([0-9a-f]+) ==> mfn=0x([0-9a-f]+)")
    with open(path) as f:
        for line in f:
            mo = pat.match(line)
            if mo:
                p2m[int(mo.group(1), 16)] = int(mo.group(2), 16)
    return p2m


KLINE = re.compile(r"^\[\s*\d+\.\d+\] ")


def kernel_lines(text):
    """The lines of text that carry a printk timestamp.  A continuation line
    (kdx dmesg indents the later lines of a multi-line record under the
    first) gets its record's prefix, as the console prints it."""
    out, prefix = [], None
    for l in text.splitlines():
        l = l.rstrip("\r")
        mo = KLINE.match(l)
        if mo:
            prefix = mo.group(0)
            out.append(l)
        elif prefix and l.startswith(" " * len(prefix)) and l.strip():
            out.append(prefix + l[len(prefix):])
    return out


# ------------------------------------------------------------------ checks
def check_files(d, env):
    names = [env[k] for k in ("XC_CORE_LIVE", "XC_CORE_PAUSED", "XL_SAVE", "DOMU_P2M",
                              "HOST_DUMP", "DOMU_CONSOLE", "DOMU_CONSOLE_LIVE",
                              "DOMU_CONSOLE_PAUSED")]
    for n in names:
        p = os.path.join(d, n)
        check(os.path.isfile(p) and os.path.getsize(p) > 0, "file %s" % n,
              "%d bytes" % os.path.getsize(p) if os.path.isfile(p) else "missing")
    for k in ("XC_CORE_LIVE", "XC_CORE_PAUSED"):
        _, out, _ = run(["file", "-b", os.path.join(d, env[k])])
        out = out.decode()
        check("ELF 64-bit LSB core file, x86-64" in out and "no program header" in out,
              "file(1) on %s: ELF64 x86-64 core, no program headers" % env[k], out.strip())
    _, out, _ = run(["file", "-b", os.path.join(d, env["HOST_DUMP"])])
    check(out.decode().startswith("ELF 64-bit LSB core file, x86-64"),
          "file(1) on %s: ELF64 x86-64 core" % env["HOST_DUMP"], out.decode().strip())


def check_core(d, env, key, mfn_p2m):
    name = env[key]
    try:
        c = XcCore(os.path.join(d, name))
    except (OSError, ValueError, KeyError, struct.error) as e:
        check(False, "%s parses as xc_core" % name, str(e))
        return None
    # readelf's view of the sections against ours.
    rc, out, err = run(["readelf", "-S", "-W", c.path])
    got = {}
    for l in out.decode().splitlines():
        mo = re.match(r"\s*\[\s*\d+\]\s+(\S+)\s+\S+\s+[0-9a-f]+\s+([0-9a-f]+)\s+([0-9a-f]+)", l)
        if mo:
            if mo.group(1) != "NULL":
                got[mo.group(1)] = (int(mo.group(2), 16), int(mo.group(3), 16))
    ours = {n: (s[1], s[2]) for n, s in c.sections.items()}
    check(rc == 0 and got == ours, "%s: readelf -S sections == ours" % name,
          "readelf %s, ours %s %s" % (got, ours, err))
    want = {".note.Xen", ".xen_prstatus", ".xen_shared_info", ".xen_pages", ".xen_p2m"}
    check(want <= set(c.sections), "%s: sections %s" % (name, " ".join(sorted(want))),
          "has %s" % sorted(c.sections))
    check(c.e_type == 4 and c.phnum == 0, "%s: ET_CORE without program headers" % name,
          "e_type %d, phnum %d" % (c.e_type, c.phnum))
    nr = int(env["DOMU_MB"]) * 256
    check(c.magic == 0xF00FEBED and c.nr_vcpus == 1 and c.nr_pages == nr and c.page_size == PAGE,
          "%s: header note (PV magic, 1 vCPU, %d pages of 4 KiB)" % (name, nr),
          "magic %#x vcpus %d pages %d page_size %d" % (c.magic, c.nr_vcpus, c.nr_pages, c.page_size))
    fv = c.notes.get(0x2000003, b"")
    check(len(fv) >= 8 and struct.unpack_from("<Q", fv)[0] == 1,
          "%s: format version note 0.1" % name, fv.hex())
    check(c.sections[".xen_pages"][2] == c.nr_pages * PAGE and len(c.p2m) == c.nr_pages,
          "%s: .xen_pages and .xen_p2m hold nr_pages" % name,
          ".xen_pages %d bytes, .xen_p2m %d entries" % (c.sections[".xen_pages"][2], len(c.p2m)))
    pfns = [p for p, _ in c.p2m]
    check(pfns == sorted(pfns) and len(set(pfns)) == len(pfns),
          "%s: .xen_p2m pfns ascending, each once" % name)
    # The p2m against xen-mfndump's (libxc's own map of the guest's p2m).
    ours = dict(c.p2m)
    diff = [p for p in set(ours) | set(mfn_p2m) if ours.get(p) != mfn_p2m.get(p)]
    check(not diff, "%s: .xen_p2m == xen-mfndump dump-p2m (%d pfns)" % (name, len(mfn_p2m)),
          "%d pfns differ, e.g. %s" % (len(diff), ", ".join(
              "pfn %#x: core %s, mfndump %s" % (p, hex(ours[p]) if p in ours else None,
                                               hex(mfn_p2m[p]) if p in mfn_p2m else None)
              for p in sorted(diff)[:5])))
    # The marker: 4096 lines of a tmpfs file (28 pages: those across a page
    # boundary are split, the pages need not be adjacent), the kernel log, a
    # shell's variable.
    hits = c.find_all(env["MARKER"].encode())
    check(len(hits) >= 4096 - 32, "%s: marker in .xen_pages (>= 4064 times)" % name,
          "%d times" % len(hits))
    c.marker_hits = hits
    # The domU's VMCOREINFO at the machine address it printed.
    maddr = int(env["DOMU_VMCOREINFO_MADDR"], 16)
    text = vmcoreinfo_note(c.read_maddr(maddr, int(env["DOMU_VMCOREINFO_SIZE"], 16)))
    check(text is not None and ("OSRELEASE=%s\n" % env["DOMU_OSRELEASE"]) in text,
          "%s: VMCOREINFO note at machine address %#x (mfn %#x via .xen_p2m) names %s"
          % (name, maddr, maddr // PAGE, env["DOMU_OSRELEASE"]),
          "found %r" % (text[:80] if text else text))
    c.vmcoreinfo = vmcoreinfo_dict(text or "")
    return c


def check_save(d, env, paused):
    name = env["XL_SAVE"]
    try:
        pages, facts = read_save(os.path.join(d, name))
    except (OSError, ValueError, struct.error) as e:
        check(False, "%s parses (xl header, libxl v2, libxc v3)" % name, str(e))
        return
    check(facts.get("domain_type") == 1 and facts.get("guest_width") == 8 and
          facts.get("pt_levels") == 4 and facts.get("page_shift") == 12,
          "%s: x86 PV, 64-bit, 4 levels, 4 KiB pages" % name, str(facts))
    check(facts.get("p2m_frames") is not None, "%s: X86_PV_P2M_FRAMES record" % name, str(facts))
    if paused is None:
        return
    check(len(pages) == paused.nr_pages, "%s: one page per pfn of the domU" % name,
          "%d pages, the paused core %d" % (len(pages), paused.nr_pages))
    # Page tables are in the stream as libxc canonicalises them (pfns for
    # mfns): compare them so.
    m2p = {mfn: pfn for pfn, mfn in paused.p2m}
    types = facts["types"]
    differ, tables = [], 0
    for pfn, data in pages.items():
        if pfn not in paused.index_of_pfn:
            differ.append(pfn)
            continue
        core = paused.page_of_pfn(pfn)
        level = types.get(pfn, 0) & 7 if types.get(pfn, 0) in (1, 2, 3, 4, 9, 10, 11, 12) else 0
        if level:
            tables += 1
            core = canonical_pagetable(core, m2p, level)
        if core != data:
            differ.append(pfn)
    # dom0's xenstored and xenconsoled may write the domU's ring pages after
    # the save; nothing else may differ.
    check(len(differ) <= 2, "%s: every page == the paused xc_core's (%d page tables with "
          "pfns for mfns; but the xenstore and console rings)" % (name, tables),
          "%d pages differ: pfns %s" % (len(differ), " ".join("%#x" % p for p in sorted(differ)[:20])))
    if differ:
        print("  note: pages of %s that differ from the paused core: %s" % (
            name, " ".join("%#x" % p for p in sorted(differ)[:20])))


def check_host(d, env, paused):
    name = env["HOST_DUMP"]
    h = HostElf(os.path.join(d, name))
    for who, kmaddr, ksize, rel in (("dom0", "DOM0_VMCOREINFO_MADDR", "DOM0_VMCOREINFO_SIZE", "KREL"),
                                    ("domU", "DOMU_VMCOREINFO_MADDR", "DOMU_VMCOREINFO_SIZE", "DOMU_OSRELEASE")):
        maddr = int(env[kmaddr], 16)
        text = vmcoreinfo_note(h.read(maddr, int(env[ksize], 16)))
        check(text is not None and ("OSRELEASE=%s\n" % env[rel]) in text,
              "%s: %s's VMCOREINFO note at machine address %#x" % (name, who, maddr),
              "found %r" % (text[:80] if text else text))
    if paused is None:
        return
    # The paused domU's pages at their machine addresses (its p2m).
    differ = []
    for i, (pfn, mfn) in enumerate(paused.p2m):
        if h.read(mfn * PAGE, PAGE) != paused.page(i):
            differ.append(pfn)
    check(len(differ) <= 2, "%s: the paused domU's %d pages at their mfns == the paused "
          "xc_core's (but the rings)" % (name, len(paused.p2m)),
          "%d differ: pfns %s" % (len(differ), " ".join("%#x" % p for p in differ[:20])))


def check_kdx_domu(d, env, kdx, dumpkey, core, console_key):
    """kdx on one dump of the domU (xc_core or save image)."""
    name = env[dumpkey]
    path = os.path.join(d, name)
    vi = core.vmcoreinfo if core is not None else {}
    rel = env["DOMU_OSRELEASE"]
    rc, out, err = run([kdx, "info", path])
    check(rc == 0 and ("OSRELEASE=%s" % rel) in out.decode(errors="replace"),
          "kdx info %s names OSRELEASE=%s" % (name, rel),
          "exit %d; vmcoreinfo line: %s; stderr: %s" % (
              rc, short(b"\n".join(l for l in out.splitlines() if b"vmcoreinfo" in l)), short(err)))
    # dmesg: the console's kernel lines, up to where the console was when the
    # dump was taken (the log may run a little ahead of the console).
    with open(os.path.join(d, env[console_key]), errors="replace") as f:
        snap = kernel_lines(f.read())
    with open(os.path.join(d, env["DOMU_CONSOLE"]), errors="replace") as f:
        final = kernel_lines(f.read())
    rc, out, err = run([kdx, "dmesg", path])
    got = kernel_lines(out.decode(errors="replace"))
    first_diff = next((i for i, (a, b) in enumerate(zip(got, final)) if a != b), None)
    check(rc == 0 and len(got) >= len(snap) and len(got) <= len(final) and first_diff is None,
          "kdx dmesg %s == the domU's console (%d kernel lines at the dump, %d in all)"
          % (name, len(snap), len(final)),
          "exit %d, %d lines; %s; stderr: %s" % (
              rc, len(got),
              "first difference at line %d: kdx %r, console %r" % (first_diff + 1, got[first_diff], final[first_diff])
              if first_diff is not None else "no line differs", short(err)))
    # SYMBOL(init_uts_ns) + OFFSET(uts_namespace.name): "Linux".
    if "SYMBOL(init_uts_ns)" in vi:
        uts = int(vi["SYMBOL(init_uts_ns)"], 16) + int(vi.get("OFFSET(uts_namespace.name)", "0"))
        rc, out, err = run([kdx, "read", path, "%#x" % uts, "5", "-o", "-"])
        check(rc == 0 and out == b"Linux", "kdx read %s SYMBOL(init_uts_ns) %#x 5 == 'Linux'" % (name, uts),
              "exit %d, got %r; stderr: %s" % (rc, out[:16], short(err)))
    # maps: the kernel text (SYMBOL(_stext)) and the direct map of the
    # marker's pages, at pseudo-physical addresses.
    rc, out, err = run([kdx, "maps", path, "--json"])
    try:
        maps = json.loads(out)["mappings"] if rc in (0, 1) and out else []
    except (ValueError, KeyError):
        maps = []

    def covering(va):
        return next((m for m in maps if m["start"] <= va < m["end"]), None)
    stext = int(vi.get("SYMBOL(_stext)", "ffffffff81000000"), 16)
    check(covering(stext) is not None, "kdx maps %s lists the kernel text (_stext %#x)" % (name, stext),
          "exit %d, %d mappings; stderr: %s" % (rc, len(maps), short(err)))
    if core is not None and core.marker_hits:
        pfn, off = core.marker_hits[0]
        va = DIRECT_MAP + pfn * PAGE
        m = covering(va)
        # A PV guest's tables hold machine frames, and kdx maps says so
        # ("machine"); the frame is the pfn's mfn in the dump's own p2m.
        if m is not None and "machine" in m:
            mfn = dict(core.p2m).get(pfn)
            got = m["machine"] + va - m["start"]
            check(mfn is not None and got == mfn * PAGE,
                  "kdx maps %s: direct map %#x -> machine %#x (pfn %#x)" % (name, va, got, pfn),
                  "mapping %s, p2m mfn %s" % (m, mfn))
        else:
            check(m is not None and m.get("phys", -1) + va - m["start"] == pfn * PAGE,
                  "kdx maps %s: direct map %#x -> pseudo-physical %#x" % (name, va, pfn * PAGE),
                  "mapping %s" % (m,))
    # The marker at its virtual and pseudo-physical addresses.
    marker = env["MARKER"].encode()
    hits = core.marker_hits if core is not None else []
    step = max(1, len(hits) // 6)
    sample = hits[::step][:6] + [h for h in hits if h[1] + len(marker) > PAGE][:1]
    for pfn, off in sample:
        if off + len(marker) > PAGE:
            continue  # crosses into a page that need not be the next pfn
        for what, args in (("virtual", ["%#x" % (DIRECT_MAP + pfn * PAGE + off)]),
                           ("pseudo-physical", ["%#x" % (pfn * PAGE + off), "--phys"])):
            rc, out, err = run([kdx, "read", path, args[0], str(len(marker)), "-o", "-"] + args[1:])
            check(rc == 0 and out == marker, "kdx read %s marker at %s %s" % (name, what, args[0]),
                  "exit %d, got %r; stderr: %s" % (rc, out[:len(marker)], short(err)))


def check_kdx_host(d, env, kdx, vi):
    name = env["HOST_DUMP"]
    path = os.path.join(d, name)
    rc, out, err = run([kdx, "info", path])
    text = out.decode(errors="replace")
    check(rc == 0 and re.search(r"^vmcoreinfo: [1-9]", text, re.M) is not None and
          ("OSRELEASE=%s" % env["KREL"]) in text,
          "kdx info %s finds dom0's VMCOREINFO (OSRELEASE=%s; note at machine address %s)"
          % (name, env["KREL"], env["DOM0_VMCOREINFO_MADDR"]),
          "exit %d; %s; stderr: %s" % (rc, short("\n".join(l for l in text.splitlines()
                                                          if "vmcoreinfo" in l or "OSRELEASE" in l)),
                                        short(err)))
    if "SYMBOL(init_uts_ns)" in vi:
        uts = int(vi["SYMBOL(init_uts_ns)"], 16) + int(vi.get("OFFSET(uts_namespace.name)", "0"))
        rc, out, err = run([kdx, "read", path, "%#x" % uts, "5", "-o", "-"])
        check(rc == 0 and out == b"Linux",
              "kdx read %s SYMBOL(init_uts_ns) %#x 5 == 'Linux' (dom0, machine-frame page tables)"
              % (name, uts), "exit %d, got %r; stderr: %s" % (rc, out[:16], short(err)))


# ------------------------------------------------- host dump: Xen's m2p
RO_MPT = 0xFFFF800000000000  # Xen's read-only machine_to_phys in every PV L4


def cpu_cr3s(path):
    """The CR3 of each CPU in HMP's 'info registers -a'."""
    with open(path, errors="replace") as f:
        return [int(v, 16) for v in re.findall(r"CR3=([0-9a-fA-F]+)", f.read())]


def walk(h, cr3, va):
    """x86_64 4-level walk in the host dump (physical = machine):
    the machine address of va, or None."""
    table = cr3 & 0x000FFFFFFFFFF000
    for level, shift in enumerate((39, 30, 21, 12)):
        raw = h.read(table + ((va >> shift) & 511) * 8, 8)
        if raw is None:
            return None
        e, = struct.unpack("<Q", raw)
        if not e & 1:
            return None
        frame = e & 0x000FFFFFFFFFF000
        if level in (1, 2) and e & 0x80:
            size = 1 << shift
            return (frame & ~(size - 1)) | (va & (size - 1))
        table = frame
    return table | (va & 0xFFF)


class XenM2P:
    """Xen's machine_to_phys table, read through the first CPU CR3 whose
    tables map it (Xen puts its slots in every PV guest's top table)."""

    def __init__(self, h, cr3s):
        self.h, self.cr3, self.pages = h, None, {}
        for c in cr3s:
            if walk(h, c, RO_MPT) is not None:
                self.cr3 = c
                break

    def pfn(self, mfn):
        va = RO_MPT + mfn * 8
        page = va & ~0xFFF
        if page not in self.pages:
            m = walk(self.h, self.cr3, page)
            self.pages[page] = self.h.read(m, PAGE) if m is not None else None
        data = self.pages[page]
        if data is None:
            return None
        return struct.unpack_from("<Q", data, va & 0xFFF)[0]


def xen_nr_pages(path):
    """{domid: nr_pages} from Xen's 'q' debug key output in xl dmesg."""
    out, dom = {}, None
    with open(path, errors="replace") as f:
        for l in f:
            mo = re.search(r"General information for domain (\d+):", l)
            if mo:
                dom = int(mo.group(1))
            mo = re.search(r"nr_pages=(\d+)", l)
            if mo and dom is not None:
                out.setdefault(dom, int(mo.group(1)))
    return out


def kdx_p2m(kdx, path, index):
    """kdx maps --xen-p2m: ({pfn: mfn} of frames, {pfn: kind} of others,
    exit code, stderr)."""
    rc, out, err = run([kdx, "maps", path, "--xen-p2m", "--xen-domain", str(index)])
    frames, other = {}, {}
    for l in out.decode(errors="replace").splitlines():
        if l.startswith("#"):
            continue
        f = l.split()
        if len(f) == 2:
            frames[int(f[0], 16)] = int(f[1], 16)
        elif len(f) == 3:
            other[int(f[0], 16)] = f[2]
    return frames, other, rc, err


def check_kdx_host_p2m(d, env, kdx, mfn_p2m, paused):
    name = env["HOST_DUMP"]
    path = os.path.join(d, name)
    rc, out, err = run([kdx, "info", "--json", path])
    try:
        doms = json.loads(out).get("xen_domains", [])
    except ValueError:
        doms = []
    init = [i for i, x in enumerate(doms) if x["initial_domain"]]
    others = [i for i, x in enumerate(doms) if not x["initial_domain"]]
    check(len(init) == 1 and len(others) == 1 and all(x["verified"] for x in doms),
          "kdx info %s: dom0 and one domU found in machine memory (start_info, "
          "each in its own p2m)" % name,
          "exit %d; %s; stderr: %s" % (rc, short(json.dumps(doms)), short(err)))
    if len(init) != 1 or len(others) != 1:
        return
    # (a) the domU: its own linear list against xen-mfndump, every pfn.
    du = doms[others[0]]
    frames, other, rc, err = kdx_p2m(kdx, path, others[0])
    diff = [p for p in set(frames) | set(mfn_p2m) if frames.get(p) != mfn_p2m.get(p)]
    check(rc == 0 and not diff and not other and len(frames) == len(mfn_p2m),
          "kdx maps %s --xen-p2m (the domU, its linear list at %#x): == xen-mfndump "
          "dump-p2m (%d pfns)" % (name, du["p2m_vaddr"], len(mfn_p2m)),
          "exit %d, %d frames, %d others, %d differ (first %s); stderr: %s" % (
              rc, len(frames), len(other), len(diff),
              ["%#x" % p for p in sorted(diff)[:5]], short(err)))
    # The domU's kernel in the host dump, through its own root (p2m_cr3:
    # its swapper_pg_dir's machine address): the marker at its direct-map
    # address (the paused core says which pfn holds it) and init_uts_ns.
    root = "%#x" % du["p2m_cr3"]
    marker = env["MARKER"].encode()
    hits = [h for h in (paused.marker_hits if paused else []) if h[1] + len(marker) <= PAGE]
    if hits:
        pfn, off = hits[0]
        va = DIRECT_MAP + pfn * PAGE + off
        rc, out, err = run([kdx, "read", path, "%#x" % va, str(len(marker)), "--root", root, "-o", "-"])
        check(rc == 0 and out == marker,
              "kdx read %s --root %s (the domU's): marker at %#x" % (name, root, va),
              "exit %d, got %r; stderr: %s" % (rc, out[:40], short(err)))
    # Its kernel log, read through its root with dom0's VMCOREINFO (the
    # same kernel build, not relocated): the domU's console, every line.
    with open(os.path.join(d, env["DOMU_CONSOLE"]), errors="replace") as f:
        final = kernel_lines(f.read())
    rc, out, err = run([kdx, "dmesg", path, "--root", root])
    got = kernel_lines(out.decode(errors="replace"))
    check(rc == 0 and got == final,
          "kdx dmesg %s --root %s (the domU's) == the domU's console (%d kernel lines)"
          % (name, root, len(final)),
          "exit %d, %d lines; first difference: %s; stderr: %s" % (
              rc, len(got), next(((i, a, b) for i, (a, b) in enumerate(zip(got, final)) if a != b),
                                 None), short(err)))
    vi = paused.vmcoreinfo if paused else {}
    if "SYMBOL(init_uts_ns)" in vi:
        uts = int(vi["SYMBOL(init_uts_ns)"], 16) + int(vi.get("OFFSET(uts_namespace.name)", "0"))
        rc, out, err = run([kdx, "read", path, "%#x" % uts, "5", "--root", root, "-o", "-"])
        check(rc == 0 and out == b"Linux",
              "kdx read %s --root %s (the domU's): init_uts_ns == 'Linux'" % (name, root),
              "exit %d, got %r; stderr: %s" % (rc, out[:16], short(err)))
    # (b) dom0: no tool dumps its p2m (xen-mfndump cannot map dom0's own
    # shared info), so its linear list is checked against Xen: every
    # frame's entry in Xen's machine_to_phys is its pfn, no frame twice,
    # none the domU's, and as many frames as Xen counts for dom0.
    d0 = doms[init[0]]
    frames, other, rc, err = kdx_p2m(kdx, path, init[0])
    h = HostElf(path)
    m2p = XenM2P(h, cpu_cr3s(os.path.join(d, env["HOST_REGISTERS"])))
    check(m2p.cr3 is not None, "%s: Xen's machine_to_phys mapped at %#x by a CPU's CR3" % (name, RO_MPT))
    if m2p.cr3 is None:
        return
    bad = [p for p, m in frames.items() if m2p.pfn(m) != p]
    domu_mfns = set(mfn_p2m.values())
    check(rc == 0 and frames and not bad,
          "kdx maps %s --xen-p2m (dom0, its linear list at %#x): every one of %d frames "
          "maps back to its pfn in Xen's m2p" % (name, d0["p2m_vaddr"], len(frames)),
          "exit %d; %d disagree (first: %s); stderr: %s" % (
              rc, len(bad), ["pfn %#x mfn %#x m2p %s" % (p, frames[p], m2p.pfn(frames[p]))
                             for p in sorted(bad)[:3]], short(err)))
    check(len(set(frames.values())) == len(frames) and not (set(frames.values()) & domu_mfns),
          "%s: dom0's frames distinct, none of them the domU's" % name)
    maddr = int(env["DOM0_VMCOREINFO_MADDR"], 16)
    check(maddr // PAGE in set(frames.values()),
          "%s: dom0's VMCOREINFO (machine %#x) on a frame of dom0's p2m" % (name, maddr))
    counts = xen_nr_pages(os.path.join(d, env["XEN_DMESG"]))
    if 0 in counts:
        check(len(frames) == counts[0],
              "%s: dom0's p2m maps as many frames as Xen counts for dom0 (nr_pages=%d)"
              % (name, counts[0]),
              "%d frames, %d identity/foreign" % (len(frames), len(other)))
    else:
        print("  note: no 'nr_pages=' for domain 0 in %s (xl debug-keys q)" % env["XEN_DMESG"])


def main():
    if len(sys.argv) not in (3, 4) or sys.argv[3:] not in ([], ["oracle"], ["kdx"], ["all"]):
        print(__doc__, file=sys.stderr)
        return 2
    d, kdx = sys.argv[1], sys.argv[2]
    what = sys.argv[3] if len(sys.argv) == 4 else "all"
    env = load_manifest(d)
    check_files(d, env)
    mfn_p2m = read_mfndump(os.path.join(d, env["DOMU_P2M"]))
    check(len(mfn_p2m) == int(env["DOMU_MB"]) * 256, "xen-mfndump p2m has every pfn",
          "%d pfns" % len(mfn_p2m))
    live = check_core(d, env, "XC_CORE_LIVE", mfn_p2m)
    paused = check_core(d, env, "XC_CORE_PAUSED", mfn_p2m)
    vi = (paused or live).vmcoreinfo if (paused or live) else {}
    check(vi.get("SYMBOL(_stext)") == "ffffffff81000000" and vi.get("KERNELOFFSET", "0") == "0",
          "the domU's kernel is not relocated (direct map at %#x)" % DIRECT_MAP,
          "SYMBOL(_stext)=%s KERNELOFFSET=%s" % (vi.get("SYMBOL(_stext)"), vi.get("KERNELOFFSET")))
    if what != "kdx":
        check_save(d, env, paused)
        check_host(d, env, paused)
    if what == "oracle":
        print("%d passed, %d failed" % (passed, failed))
        return 1 if failed else 0
    print("--- oracle checks: %d passed, %d failed; now kdx" % (passed, failed), flush=True)
    check_kdx_domu(d, env, kdx, "XC_CORE_LIVE", live, "DOMU_CONSOLE_LIVE")
    check_kdx_domu(d, env, kdx, "XC_CORE_PAUSED", paused, "DOMU_CONSOLE_PAUSED")
    # The save image holds the paused core's pages (check_save() above):
    # the same kernel, log and marker, at pseudo-physical addresses.
    check_kdx_domu(d, env, kdx, "XL_SAVE", paused, "DOMU_CONSOLE_PAUSED")
    check_kdx_host(d, env, kdx, vi)
    check_kdx_host_p2m(d, env, kdx, mfn_p2m, paused)
    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())

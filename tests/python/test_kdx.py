# SPDX-License-Identifier: MIT
"""import kdx on the bundled sample: every call, every error path.

Expected values come from elsewhere than the module: the ELF file parsed
here (conftest.elf_loads), the kdx CLI's JSON, the page-table entries read
back physically, the dump's own VMCOREINFO."""
import errno
import json
import os
import pathlib
import stat
import struct
import subprocess
import threading

import pytest

import kdx
from conftest import elf_loads, file_phys, need_tool

MiB = 1 << 20


@pytest.fixture
def dump(sample):
    with kdx.open(sample) as d:
        yield d


def uts_addr(d):
    return int(d.vmcoreinfo()["SYMBOL(init_uts_ns)"], 16)


# ---- open / close ----

def test_open_forms(sample):
    for arg in (sample, pathlib.Path(sample), os.fsencode(sample), [sample],
                (pathlib.Path(sample),)):
        with kdx.open(arg) as d:
            assert d.format == "elf"
            assert d.path == sample
    with kdx.open(sample, format="elf") as d:
        assert d.arch == "x86_64" and d.word_size == 8
        assert d.byte_order == "little" and d.page_size == 4096


def test_context_manager_closes(sample):
    with kdx.open(sample) as d:
        assert not d.closed
    assert d.closed
    for call in (lambda: d.read(0, 1, phys=True), d.info, d.notes,
                 d.phys_ranges, d.segments, lambda: d.segment_count,
                 d.vmcoreinfo, lambda: d.vtop(0),
                 d.maps, d.dmesg, lambda: d.convert("/nonexistent/x"),
                 lambda: d.format):
        with pytest.raises(ValueError, match="closed"):
            call()
    d.close()  # twice is fine


def test_open_missing_file():
    with pytest.raises(kdx.SystemCallError) as e:
        kdx.open("/nonexistent/vmcore")
    assert e.value.code == "os" and e.value.errno == errno.ENOENT
    assert isinstance(e.value, kdx.Error)


def test_open_not_a_dump(tmp_path):
    p = tmp_path / "zeros"
    p.write_bytes(bytes(8192))
    with pytest.raises(kdx.NotFoundError) as e:
        kdx.open(p)
    assert e.value.code == "notfound" and "not a dump format" in str(e.value)


def test_open_corrupt_header(sample, tmp_path):
    with open(sample, "rb") as f:
        head = bytearray(f.read(4096))
    struct.pack_into("<Q", head, 0x20, 1 << 40)  # e_phoff past the end
    p = tmp_path / "bad.elf"
    p.write_bytes(head)
    with pytest.raises(kdx.CorruptError) as e:
        kdx.open(p)
    assert e.value.code == "corrupt"
    assert e.value.file_offset == 1 << 40
    assert e.value.address is None


def test_open_bad_arguments(sample):
    with pytest.raises(kdx.NotFoundError, match="unknown format name"):
        kdx.open(sample, format="nosuch")
    with pytest.raises(kdx.CorruptError, match="kdump header"):
        kdx.open(sample, format="kdump")
    with pytest.raises(ValueError, match="unknown arch"):
        kdx.open(sample, arch="vax11")
    with pytest.raises(ValueError, match="no paths"):
        kdx.open([])
    with pytest.raises(TypeError):
        kdx.open(42)
    with pytest.raises(TypeError):
        kdx.open([sample, 42])


def test_open_raw_image(tmp_path):
    data = bytes(range(256)) * 64
    p = tmp_path / "mem.raw"
    p.write_bytes(data)
    with kdx.open(p, format="raw", arch="aarch64", raw_base=0x40000000,
                  page_size=4096) as d:
        assert d.arch == "aarch64"
        assert d.phys_ranges() == [(0x40000000, len(data), "file")]
        assert d.read(0x40000010, 32, phys=True) == data[16:48]
        with pytest.raises(kdx.NoDataError) as e:
            d.read(0x3ffffff0, 32, phys=True)
        assert e.value.address == 0x3ffffff0


def test_open_no_map_reads_and_names_truncation(tmp_path):
    data = bytes(range(256)) * 64
    p = tmp_path / "mem.raw"
    p.write_bytes(data)
    with kdx.open(p, format="raw", arch="x86_64") as mapped, \
         kdx.open(p, format="raw", arch="x86_64", no_map=True) as plain:
        assert mapped.read(0xff0, 0x1010, phys=True) == data[0xff0:0x2000]
        assert plain.read(0xff0, 0x1010, phys=True) == data[0xff0:0x2000]
        # pread names a file cut short while open; a map would SIGBUS.
        os.truncate(p, 0x2000)
        with pytest.raises(kdx.Error) as e:
            plain.read(0x3000, 16, phys=True)
        assert "0x3000" in str(e.value)
        assert plain.read(0x1ff0, 16, phys=True) == data[0x1ff0:0x2000]


def test_open_max_decompressed(tmp_path):
    import gzip
    data = bytes(range(256)) * 64
    p = tmp_path / "mem.raw.gz"
    p.write_bytes(gzip.compress(data))
    with pytest.raises(kdx.UnsupportedError) as e:
        kdx.open(p, format="elf", max_decompressed=len(data) - 1)
    assert "more than 0x3fff bytes" in str(e.value)
    # Detected as gzip, then read as whatever it holds: not a dump here.
    with pytest.raises(kdx.NotFoundError):
        kdx.open(p, max_decompressed=len(data))


def test_formats():
    names = [n for n, _ in kdx.formats()]
    assert "elf" in names and "kdump" in names and "raw" in names


# ---- describing ----

def test_info_is_kdx_info_json(dump, sample, kdx_cli):
    cli = json.loads(subprocess.check_output([kdx_cli, "info", "--json",
                                              sample]))
    assert dump.info() == cli


def test_phys_ranges_notes_vmcoreinfo_match_info(dump):
    info = dump.info()
    assert [(r["start"], r["size"], r["kind"])
            for r in info["memory"]["ranges"]] == dump.phys_ranges()
    notes = dump.notes()
    assert [(n["name"], n["type"], n["kind"], n["size"], n["offset"])
            for n in info["notes"]] == \
        [(name, t, kind, len(desc), off) for name, t, desc, kind, off in notes]
    assert dump.vmcoreinfo() == info["vmcoreinfo"]


def test_segments_are_the_files_loads(dump, sample, kdx_cli):
    """segment_count and segments() against the PT_LOADs parsed here and
    the count `kdx info --json` gives."""
    loads = elf_loads(sample)
    assert dump.segment_count == len(dump.segments()) > 0
    assert [(p, off, size) for p, _, off, size, _ in dump.segments()
            if size] == loads
    cli = json.loads(subprocess.check_output([kdx_cli, "info", "--json",
                                              sample]))
    assert cli["segments"] == dump.segment_count


def test_notes_bytes_are_the_files(dump, sample):
    with open(sample, "rb") as f:
        for name, ntype, desc, kind, off in dump.notes():
            f.seek(off)
            namesz, descsz, t = struct.unpack("<III", f.read(12))
            assert t == ntype and descsz == len(desc)
            f.seek(off + 12 + ((namesz + 3) & ~3))
            assert f.read(descsz) == desc


# ---- reading ----

def test_read_phys_matches_file(dump, sample):
    loads = elf_loads(sample)
    for paddr in (0, 0x1000, 0x9f000, 0x100000, 0x2000000 - 7):
        want = file_phys(sample, loads, paddr, 4096 + 13)
        assert dump.read(paddr, 4096 + 13, phys=True) == want


def test_read_virtual(dump):
    uts = uts_addr(dump)
    data = dump.read(uts, 6 + 65)
    assert data[:6] == b"Linux\0"
    release = data[65:65 + 65].split(b"\0")[0] if len(data) > 65 else b""
    t = dump.vtop(uts)
    assert dump.read(t.paddr, 71, phys=True) == data
    full = dump.read(uts, 6 * 65)
    assert full[2 * 65:].split(b"\0")[0].decode() == \
        dump.vmcoreinfo()["OSRELEASE"]
    del release


def test_read_zero_size_and_negative(dump):
    assert dump.read(0, 0, phys=True) == b""
    with pytest.raises(ValueError, match="negative"):
        dump.read(0, -1, phys=True)
    with pytest.raises(OverflowError):
        dump.read(-1, 1, phys=True)


def test_read_hole(dump):
    last_start, last_size, _ = dump.phys_ranges()[0]
    hole = last_start + last_size  # the first range ends in a hole
    with pytest.raises(kdx.NoDataError) as e:
        dump.read(hole - 8, 16, phys=True)
    assert e.value.code == "nodata" and e.value.address == hole
    data = dump.read(hole - 8, 16, phys=True, zero_fill=True)
    assert data[8:] == bytes(8)
    assert data[:8] == dump.read(hole - 8, 8, phys=True)


def test_read_unmapped_and_noncanonical(dump):
    with pytest.raises(kdx.NoDataError) as e:
        dump.read(0xffff800000000000, 8)
    assert "not present" in str(e.value)
    assert dump.read(0xffff800000000000, 8, zero_fill=True) == bytes(8)
    with pytest.raises(kdx.InvalidError):
        dump.vtop(0x0000800000000000)


def test_readinto(dump, sample):
    loads = elf_loads(sample)
    buf = bytearray(3 * 4096)
    assert dump.readinto(0x100000, buf, phys=True) == len(buf)
    assert bytes(buf) == file_phys(sample, loads, 0x100000, len(buf))
    view = memoryview(buf)[4096:8192]
    view[:] = bytes(4096)
    assert dump.readinto(0x200000, view, phys=True) == 4096
    assert bytes(buf[4096:8192]) == file_phys(sample, loads, 0x200000, 4096)
    with pytest.raises(TypeError):
        dump.readinto(0, b"read-only", phys=True)
    assert dump.readinto(0, bytearray(), phys=True) == 0
    uts = uts_addr(dump)
    small = bytearray(6)
    dump.readinto(uts, small)
    assert small == b"Linux\0"


# ---- translation ----

def test_vtop_levels_are_the_tables(dump):
    uts = uts_addr(dump)
    t = dump.vtop(uts)
    assert t.vaddr == uts and len(t.levels) >= 2
    assert [s.level for s in t.levels][:2] == ["PML4", "PDPT"]
    for i, s in enumerate(t.levels):
        assert s.entry_addr == s.table + s.index * s.size
        raw, = struct.unpack("<Q", dump.read(s.entry_addr, 8, phys=True))
        assert raw == s.entry and raw & 1
        if i + 1 < len(t.levels):
            assert t.levels[i + 1].table == raw & 0x000ffffffffff000
    leaf = t.levels[-1].entry & 0x000ffffffffff000 & ~(t.page_size - 1)
    assert t.paddr == leaf + (uts & (t.page_size - 1))
    # The indexes are the address's bits.
    assert t.levels[0].index == (uts >> 39) & 511
    assert t.levels[1].index == (uts >> 30) & 511


def test_maps(dump):
    maps = []
    for m in dump.maps():
        maps.append(m)
        if len(maps) == 300:
            break
    for a, b in zip(maps, maps[1:]):
        assert a.vaddr + a.size <= b.vaddr
    for m in maps[::30]:
        assert m.size > 0 and m.size % 4096 == 0
        t = dump.vtop(m.vaddr)
        assert t.paddr == m.paddr
        end = dump.vtop(m.vaddr + m.size - 1)
        assert end.paddr == m.paddr + m.size - 1
    # A window: only what lies in it, the first run cut at start.
    first = maps[5]
    mid = first.vaddr + first.size // 2 // 4096 * 4096
    window = list(dump.maps(mid, mid + 3 * 4096 - 1))
    assert window[0].vaddr == mid
    assert all(m.vaddr <= mid + 3 * 4096 - 1 for m in window)
    assert list(dump.maps(10, 5)) == []
    assert list(dump.maps(0, 0xfff)) == []


# ---- the kernel log ----

def test_dmesg_is_kdx_dmesg(dump, sample, kdx_cli):
    cli = json.loads(subprocess.check_output(
        [kdx_cli, "dmesg", "--json", sample]))
    it = dump.dmesg()
    assert it.layout == cli["layout"]
    recs = list(it)
    assert len(recs) == len(cli["records"]) > 100
    for r, c in zip(recs, cli["records"]):
        assert (r.seq, r.ts_nsec, r.level, r.facility, r.flags) == \
            (c["seq"], c["ts_nsec"], c["level"], c["facility"], c["flags"])
        assert r.text.decode("utf-8", "replace") == c["text"]
    assert recs[0].text.startswith(b"Linux version " +
                                   dump.vmcoreinfo()["OSRELEASE"].encode())
    assert list(it) == []


def test_dmesg_keeps_the_dump_open(sample):
    d = kdx.open(sample)
    it = d.dmesg()
    with pytest.raises(RuntimeError, match="running"):
        d.close()
    next(it)
    del it
    d.close()


def test_dmesg_without_vmcoreinfo(tmp_path):
    p = tmp_path / "mem.raw"
    p.write_bytes(bytes(1 << 16))
    with kdx.open(p, format="raw", arch="x86_64") as d:
        with pytest.raises(kdx.Error) as e:
            d.dmesg()
        assert e.value.code in ("notfound", "unsupported")
        with pytest.raises(kdx.Error):
            d.vtop(0xffffffff81000000)


# ---- convert ----

def test_convert_kdump_round_trip(dump, sample, tmp_path):
    out = tmp_path / "out.kdump"
    calls = []
    stats = dump.convert(out, to="kdump", compress="zstd", threads=2,
                         progress=lambda done, total: calls.append(
                             (done, total)))
    assert calls and all(d <= t for d, t in calls)
    assert [d for d, _ in calls] == sorted(d for d, _ in calls)
    assert stats["bytes_out"] == os.path.getsize(out)
    loads = elf_loads(sample)
    with kdx.open(out) as k:
        assert k.format == "kdump"
        assert k.info()["details"]["compression"].startswith("zstd") or \
            "zstd" in json.dumps(k.info()["details"])
        for paddr in (0, 0x100000, 0x3000000):
            assert k.read(paddr, 8192, phys=True) == \
                file_phys(sample, loads, paddr, 8192)
        assert k.read(uts_addr(k), 6) == b"Linux\0"


def test_convert_elf_and_flattened(dump, tmp_path):
    elf = tmp_path / "out.elf"
    dump.convert(str(elf), to="elf")
    flat = tmp_path / "out.flat"
    dump.convert(flat, to="kdump", compress="zlib", flatten=True,
                 exclude_zero=True)
    with kdx.open(elf) as e, kdx.open(flat) as f:
        assert e.phys_ranges() == dump.phys_ranges()
        a = dump.read(0x1000000, MiB, phys=True)
        assert e.read(0x1000000, MiB, phys=True) == a
        assert f.read(0x1000000, MiB, phys=True, zero_fill=True) == a


def test_convert_errors(dump, tmp_path):
    with pytest.raises(ValueError, match="expected 'kdump' or 'elf'"):
        dump.convert(tmp_path / "x", to="vmss")
    with pytest.raises(ValueError, match="unknown compression"):
        dump.convert(tmp_path / "x", compress="brotli")
    with pytest.raises(TypeError, match="callable"):
        dump.convert(tmp_path / "x", progress=3)
    with pytest.raises(kdx.SystemCallError) as e:
        dump.convert("/nonexistent/dir/out")
    assert e.value.errno == errno.ENOENT
    # A FIFO (or /dev/null) as the output is refused, not replaced by a
    # file renamed over it.
    fifo = tmp_path / "out.fifo"
    os.mkfifo(fifo)
    with pytest.raises(kdx.Error, match="not a regular file"):
        dump.convert(fifo)
    assert stat.S_ISFIFO(os.stat(fifo).st_mode)

    def stop(done, total):
        raise KeyboardInterrupt("stop")
    with pytest.raises(KeyboardInterrupt):
        dump.convert(tmp_path / "y", progress=stop)


# ---- threads ----

def test_gil_released_during_convert(dump, tmp_path):
    """A Python thread keeps running while convert works: the longest
    pause in its clock readings is a small part of the conversion (with
    the GIL held it would be all of it)."""
    import time
    stamps = []
    stop = threading.Event()

    def spin():
        n = 0
        while not stop.is_set():
            n += 1
            if n % 200 == 0:
                stamps.append(time.monotonic())
    t = threading.Thread(target=spin)
    t.start()
    try:
        time.sleep(0.05)
        t0 = time.monotonic()
        dump.convert(tmp_path / "z", to="kdump", compress="zlib", threads=1)
        t1 = time.monotonic()
    finally:
        stop.set()
        t.join()
    inside = [s for s in stamps if t0 <= s <= t1]
    gaps = [b - a for a, b in zip([t0] + inside, inside + [t1])]
    assert t1 - t0 > 0.2
    assert max(gaps) < (t1 - t0) / 3, (max(gaps), t1 - t0)


def test_threads_read_concurrently(dump, sample):
    loads = elf_loads(sample)
    uts = uts_addr(dump)
    errors = []

    def work(seed):
        try:
            for i in range(200):
                paddr = ((seed * 7919 + i * 104729) % 0x5000) * 4096
                want = file_phys(sample, loads, paddr, 4096)
                assert dump.read(paddr, 4096, phys=True) == want
                assert dump.read(uts, 6) == b"Linux\0"
                dump.vtop(uts + i * 8)
        except Exception as e:  # noqa: BLE001 - reported below
            errors.append(e)
    threads = [threading.Thread(target=work, args=(s,)) for s in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []


# ---- split sets ----

def test_split_set(dump, sample, tmp_path):
    """makedumpfile --split of kdx's ELF (makedumpfile cannot read the
    sample, QEMU's paging ELF, itself: no PT_LOAD it takes)."""
    makedumpfile = need_tool("makedumpfile")
    elf = str(tmp_path / "whole.elf")
    dump.convert(elf, to="elf")
    parts = [str(tmp_path / "s1"), str(tmp_path / "s2")]
    subprocess.run([makedumpfile, "-c", "-d", "1", "--split", elf] + parts,
                   check=True, capture_output=True)
    loads = elf_loads(sample)
    with kdx.open(parts) as d:
        assert d.format == "kdump"
        for paddr in (0x100000, 0x5000000 - 4096):
            assert d.read(paddr, 4096, phys=True) == \
                file_phys(sample, loads, paddr, 4096)
    with pytest.raises(kdx.Error):
        kdx.open([parts[0], sample])


def test_help_documents():
    assert "kdx.open" in kdx.__doc__
    assert "NoDataError" in kdx.Dump.read.__doc__
    assert kdx.Dump.read.__text_signature__.startswith("(addr, size")
    assert kdx.open.__text_signature__.startswith("(paths")
    stub = os.path.join(os.path.dirname(kdx.__file__), "__init__.pyi")
    assert os.path.exists(stub)

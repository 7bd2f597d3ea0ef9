#!/usr/bin/env python3
"""Minimal QMP client (standard library only) used by make-qemu-dumps.sh.

Usage:
  qmp.py SOCK cmd NAME [JSON-ARGS]     run one QMP command, print the result
  qmp.py SOCK hmp 'info registers'     run one HMP command, print its text
  qmp.py SOCK dump-all OUTDIR MEM_BYTES
        stop the guest, save HMP oracles (info registers/tlb/mtree), write
        every dump format QEMU offers plus a pmemsave of guest RAM and a
        migration stream of the stopped guest (vmstate.qemu), then quit
        QEMU.  Prints the names of the dump files written (one per
        line) on stdout; progress and timings go to stderr.
"""

import json
import os
import shlex
import socket
import struct
import sys
import time


class QMPError(Exception):
    pass


class QMP:
    def __init__(self, path, timeout=900.0, connect_timeout=30.0):
        # QEMU serves one QMP client at a time and notices a client's
        # departure asynchronously: a connection made right after another
        # closed can be dropped (seen as EPIPE under load), so the whole
        # handshake is retried, not only connect().
        deadline = time.monotonic() + connect_timeout
        while True:
            try:
                self._handshake(path, timeout)
                return
            except (OSError, QMPError):
                self.sock.close()
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.2)

    def _handshake(self, path, timeout):
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.settimeout(min(timeout, 10.0))
        self.sock.connect(path)
        self.rfile = self.sock.makefile("rb")
        self.events = []
        self.next_id = 1
        greeting = self._recv()
        if "QMP" not in greeting:
            raise QMPError("unexpected QMP greeting: %r" % greeting)
        self.version = greeting["QMP"].get("version", {})
        self.cmd("qmp_capabilities")
        self.sock.settimeout(timeout)

    def _recv(self):
        line = self.rfile.readline()
        if not line:
            raise QMPError("QMP connection closed")
        return json.loads(line)

    def cmd(self, name, args=None):
        msg = {"execute": name, "id": self.next_id}
        if args:
            msg["arguments"] = args
        self.next_id += 1
        self.sock.sendall(json.dumps(msg).encode() + b"\n")
        while True:
            resp = self._recv()
            if "event" in resp:
                self.events.append(resp)
                continue
            if resp.get("id") != msg["id"]:
                continue
            if "error" in resp:
                raise QMPError("%s failed: %s" % (name, resp["error"]))
            return resp.get("return")

    def hmp(self, line):
        return self.cmd("human-monitor-command", {"command-line": line})

    def close(self):
        try:
            self.rfile.close()
            self.sock.close()
        except OSError:
            pass


def log(msg):
    print("[qmp] " + msg, file=sys.stderr, flush=True)


def timed(label, fn, *a, **kw):
    t0 = time.monotonic()
    r = fn(*a, **kw)
    log("%-40s %7.2f s" % (label, time.monotonic() - t0))
    return r


def dump(q, outdir, name, paging, fmt="elf"):
    path = os.path.join(outdir, name)
    args = {"paging": paging, "protocol": "file:" + path, "detach": False}
    if fmt != "elf":
        args["format"] = fmt
    q.cmd("dump-guest-memory", args)
    # With detach=false the command is synchronous, but poll anyway in
    # case a QEMU version treats it as a background job.
    deadline = time.monotonic() + 900
    while True:
        st = q.cmd("query-dump")
        if st.get("status") == "completed":
            break
        if st.get("status") == "failed":
            raise QMPError("dump %s failed: %r" % (name, st))
        if time.monotonic() > deadline:
            raise QMPError("dump %s timed out: %r" % (name, st))
        time.sleep(0.2)
    return path


def elf_loads(path):
    """(p_paddr, p_filesz) of every PT_LOAD of an ELF64 little-endian core."""
    with open(path, "rb") as f:
        eh = f.read(64)
        if eh[:4] != b"\x7fELF" or eh[4] != 2 or eh[5] != 1:
            raise QMPError("%s: not an ELF64 LE file" % path)
        phoff, = struct.unpack_from("<Q", eh, 32)
        phentsize, phnum = struct.unpack_from("<HH", eh, 54)
        f.seek(phoff)
        ph = f.read(phentsize * phnum)
    out = []
    for i in range(phnum):
        p_type, _, _, _, p_paddr, p_filesz, _, _ = struct.unpack_from(
            "<IIQQQQQQ", ph, i * phentsize)
        if p_type == 1 and p_filesz:
            out.append((p_paddr, p_filesz))
    return out


def migrate_to_file(q, path):
    """Save the stopped guest's migration stream to @path, as `virsh save`
    and `migrate "exec:cat > FILE"` do.  The guest stays stopped, so the
    stream holds the state the dumps above hold."""
    q.cmd("migrate", {"uri": "exec:cat > " + shlex.quote(path)})
    deadline = time.monotonic() + 900
    while True:
        st = q.cmd("query-migrate")
        status = st.get("status")
        if status == "completed":
            return
        if status in ("failed", "cancelled"):
            raise QMPError("migration %s: %r" % (status, st))
        if time.monotonic() > deadline:
            raise QMPError("migration timed out: %r" % st)
        time.sleep(0.2)


def dump_all(sock, outdir, mem_bytes):
    q = QMP(sock)
    v = q.version.get("qemu", {})
    log("connected to QEMU %s.%s.%s" % (v.get("major"), v.get("minor"), v.get("micro")))
    q.cmd("stop")
    st = q.cmd("query-status")
    if st.get("running"):
        raise QMPError("guest still running after stop: %r" % st)

    def save(fname, text):
        with open(os.path.join(outdir, fname), "w") as f:
            f.write(text)

    # Oracles for later tests.  "-a" = all vCPUs.
    save("info-registers.txt", q.hmp("info registers -a"))
    save("info-tlb.txt", q.hmp("info tlb"))
    save("info-mtree.txt", q.hmp("info mtree -f"))
    save("info-mem.txt", q.hmp("info mem"))

    caps = q.cmd("query-dump-guest-memory-capability")
    formats = caps.get("formats", [])
    save("dump-formats.txt", "\n".join(formats) + "\n")
    log("QEMU dump formats: " + " ".join(formats))

    written = []
    timed("dump elf paging=false", dump, q, outdir, "vmcore.elf", False)
    written.append("vmcore.elf")
    timed("dump elf paging=true", dump, q, outdir, "vmcore-paging.elf", True)
    written.append("vmcore-paging.elf")
    for fmt in formats:
        if not fmt.startswith("kdump-"):
            continue  # "elf" done above; "win-dmp" needs a Windows guest
        name = "vmcore." + fmt
        try:
            timed("dump " + fmt, dump, q, outdir, name, False, fmt)
            written.append(name)
        except QMPError as e:
            log("WARNING: %s" % e)

    # Independent copies of guest-physical memory via pmemsave: RAM as
    # pmem.raw, plus any other range QEMU put in the ELF (e.g. the BIOS ROM
    # below 4 GiB) as pmem-0x<start>.raw.  pmem.map lists "start size file".
    pieces = [(0, mem_bytes, "pmem.raw")]
    for start, size in elf_loads(os.path.join(outdir, "vmcore.elf")):
        if start + size <= mem_bytes:
            continue
        if start < mem_bytes:
            raise QMPError("PT_LOAD %#x+%#x straddles end of RAM" % (start, size))
        pieces.append((start, size, "pmem-%#x.raw" % start))
    for start, size, name in pieces:
        timed("pmemsave [%#x, %#x)" % (start, start + size), q.cmd, "pmemsave",
              {"val": start, "size": size, "filename": os.path.join(outdir, name)})
    save("pmem.map", "".join("%#x %#x %s\n" % p for p in pieces))
    try:
        timed("migrate to vmstate.qemu", migrate_to_file, q,
              os.path.join(outdir, "vmstate.qemu"))
        os.chmod(os.path.join(outdir, "vmstate.qemu"), 0o644)
    except (QMPError, OSError) as e:
        log("WARNING: no migration stream: %s" % e)
    try:
        q.cmd("quit")
    except QMPError:
        pass  # connection may drop before the reply arrives
    q.close()
    for w in written:
        os.chmod(os.path.join(outdir, w), 0o644)
    for w in written:
        print(w)


def main(argv):
    if len(argv) < 3:
        print(__doc__, file=sys.stderr)
        return 2
    sock, what = argv[1], argv[2]
    if what == "cmd":
        q = QMP(sock)
        args = json.loads(argv[4]) if len(argv) > 4 else None
        print(json.dumps(q.cmd(argv[3], args), indent=1))
    elif what == "hmp":
        q = QMP(sock)
        sys.stdout.write(q.hmp(argv[3]))
    elif what == "dump-all":
        dump_all(sock, argv[3], int(argv[4], 0))
    else:
        print(__doc__, file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main(sys.argv))
    except (QMPError, OSError) as e:
        print("qmp.py: error: %s" % e, file=sys.stderr)
        sys.exit(1)

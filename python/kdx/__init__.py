# SPDX-License-Identifier: MIT
"""kdx: read kernel memory dumps from Python.

Open a dump with :func:`open` (one file, or the files of a makedumpfile
--split set) and use the :class:`Dump` it returns as a context manager::

    import kdx
    with kdx.open("vmcore") as dump:
        print(dump.info()["vmcoreinfo"]["OSRELEASE"])
        banner = dump.read(0xffffffff82000000, 64)      # kernel virtual
        page = dump.read(0x1000, 4096, phys=True)       # physical
        for rec in dump.dmesg():
            print(rec.text.decode(errors="replace"))

Every libkdx failure is a :class:`Error`; its subclasses say what kind
(:class:`NoDataError` for memory the dump does not hold, :class:`CorruptError`
for a damaged dump, ...) and carry ``code``, ``address`` and ``file_offset``.
The GIL is released while kdx reads, decompresses, walks page tables and
writes.  ``kdx.drgn.program()`` builds a drgn Program over any dump kdx opens.
"""
from kdx._kdx import (  # noqa: F401
    Dump,
    Error,
    CorruptError,
    InvalidError,
    Mapping,
    NoDataError,
    NoMemoryError,
    NotFoundError,
    Record,
    Step,
    SystemCallError,
    Translation,
    UnsupportedError,
    LOG_FLAG_CONT,
    LOG_FLAG_DATALESS,
    LOG_FLAG_NEWLINE,
    LOG_FLAG_TRUNCATED,
    PAGE_GLOBAL,
    PAGE_NX,
    PAGE_USER,
    PAGE_WRITABLE,
    formats,
    open,
)

__all__ = [
    "Dump", "Error", "CorruptError", "InvalidError", "Mapping",
    "NoDataError", "NoMemoryError", "NotFoundError", "Record", "Step",
    "SystemCallError", "Translation", "UnsupportedError", "formats", "open",
]

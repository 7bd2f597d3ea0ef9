# SPDX-License-Identifier: MIT
"""Reference counting: 10^5 opens and reads leave no memory behind.

tracemalloc sees every allocation Python makes (the bytes each read
returns, the Dump objects, the exceptions); libkdx's own mallocs are
checked by the ASan build's ctest.  Counted after a warm-up, so caches
that fill once (the json module, the type objects) do not count."""
import gc
import os
import tracemalloc

import kdx

ROUNDS = int(os.environ.get("KDX_LEAK_ROUNDS", "100000"))


def one_round(sample, uts):
    with kdx.open(sample) as d:
        d.read(0x100000, 256, phys=True)
        d.read(uts, 64)
        buf = bytearray(64)
        d.readinto(0x1000, buf, phys=True)
        try:
            d.read(0xffff800000000000, 8)
        except kdx.NoDataError as e:
            assert e.address is not None


def test_no_leak_over_many_opens(sample):
    with kdx.open(sample) as d:
        uts = int(d.vmcoreinfo()["SYMBOL(init_uts_ns)"], 16)
    for _ in range(200):
        one_round(sample, uts)
    gc.collect()
    tracemalloc.start()
    start, _ = tracemalloc.get_traced_memory()
    for _ in range(ROUNDS):
        one_round(sample, uts)
    gc.collect()
    end, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    # A leak of one object per round would be megabytes.
    assert end - start < 64 * 1024, (start, end, peak)


def test_no_leak_in_iterators_and_info(sample):
    with kdx.open(sample) as d:
        uts = int(d.vmcoreinfo()["SYMBOL(init_uts_ns)"], 16)
        for _ in range(20):
            d.info()
            list(d.dmesg())
            for i, _m in enumerate(d.maps()):
                if i == 100:
                    break
        gc.collect()
        tracemalloc.start()
        start, _ = tracemalloc.get_traced_memory()
        for _ in range(200):
            d.info()
            list(d.dmesg())
            for i, _m in enumerate(d.maps()):
                if i == 100:
                    break
            d.notes()
            d.vtop(uts)
        gc.collect()
        end, _ = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    assert end - start < 64 * 1024, (start, end)

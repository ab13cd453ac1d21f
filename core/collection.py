"""Pausing Python's cyclic garbage collector around a build of many objects.

A build of an open-data file keeps every object it makes until it ends: each published award
with its application, organisations and ledger rows, tens of thousands of XML elements or
JSON records. CPython's collector runs whenever allocations pile up and each of its passes
walks every object still alive, so such a build spends a large part of its time (two of the
IATI file's six seconds at L) proving that nothing it holds is garbage. Paused, it runs once
when the build ends, and the memory it would have found in the meantime is only what the
build would have kept anyway. The collector is back on when the block ends, and its next pass
walks what the build made once.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def collector_paused() -> Iterator[None]:
    """Run the block without automatic cyclic collection (the collector's state before the
    block is restored, so nesting is harmless)."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()

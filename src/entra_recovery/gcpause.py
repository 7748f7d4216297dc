"""
Pausing Python's cyclic garbage collector around bursts of allocations.

A preview of 100,000 changes is a graph of about half a million small objects. While it is
built, and while reports are rendered from it, allocation-heavy loops trigger the collector
again and again, and each full collection walks the whole preview: that cost more than a third
of building and writing it. The objects made in those loops form no reference cycles, so
reference counting frees them anyway; the collector runs normally again once the block ends.

The runner pauses it while it reads changes and saves a preview, the report writer while it
renders; the `plan preview`, `plan apply` and `run resume` commands pause it for their whole run,
so the one full collection that a re-enabled collector owes comes after the reports are written.
"""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Iterator


@contextlib.contextmanager
def paused_gc() -> Iterator[None]:
    """Disable the cyclic collector inside the block (nests: only the outermost re-enables)."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()

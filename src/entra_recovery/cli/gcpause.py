"""
Pausing Python's cyclic garbage collector for one CLI command: a performance seam of the CLI.

What it buys: a preview of 100,000 changes is a graph of about half a million small objects.
While it is built, and while reports are rendered from it, allocation-heavy loops trigger the
collector again and again, and each full collection walks the whole preview: that cost more
than a third of building and writing it. Those objects form no reference cycles, so reference
counting frees them anyway.

What it costs: while paused, garbage that *does* form cycles is not reclaimed, so memory grows
by whatever cyclic garbage the block makes; and the
collector runs once, over everything still alive, when the pause ends.

Who may use it: only the CLI, which owns its process. `plan preview`, `plan apply` and
`run resume` pause the collector for their whole run, so the one collection owed comes after
the reports are written; the report writer pauses it again around rendering (nesting is
harmless). The library (`runner`, `report`, `graph`) never calls it: in a host process it would
switch the collector off for every thread of the host, not just for our work. The per-package
lint rules enforce that, since nothing below the CLI may import `entra_recovery.cli`.
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

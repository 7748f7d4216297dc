"""
Reading ahead: ask for the next item of an async iterator before handing out the current one.

Step in the flow: the runner reads change pages through `prefetch`, so the request for page
N+1 is on its way (and its answer is read and parsed whenever the runner yields to the event
loop) while page N is turned into diff records. One thread, no locks: the overlap comes from
the event loop, which is cheaper than a worker thread fighting the main one for the GIL.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncGenerator
from collections.abc import AsyncIterator
from typing import Final
from typing import TypeVar

T = TypeVar("T")

_END: Final = object()


async def prefetch(source: AsyncIterator[T]) -> AsyncGenerator[T, None]:
    """
    Yield the items of `source`, one request ahead.

    An error while fetching surfaces when the consumer asks for that item. When the consumer
    stops early (break, error, cancellation), the pending request is cancelled; close `source`
    yourself afterwards (e.g. `contextlib.aclosing`).
    """
    pending: asyncio.Future[object] = asyncio.ensure_future(anext(source, _END))
    try:
        while True:
            item = await pending
            if item is _END:
                return
            pending = asyncio.ensure_future(anext(source, _END))
            yield item  # type: ignore[misc]  # not _END, so a T
    finally:
        if not pending.done():
            pending.cancel()
            await asyncio.wait([pending])
        if not pending.cancelled():
            pending.exception()  # retrieved: an error nobody asked for is not logged as lost

"""
How a PowerShell-parity function runs (`graph.parity`): the client it talks through, its
synchronous twin, a listing collected with -CountVariable, a created job read back or waited for.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
from collections.abc import AsyncIterator
from collections.abc import Callable
from collections.abc import Coroutine
from typing import Any
from typing import ParamSpec
from typing import TypeVar

from entra_recovery import aio
from entra_recovery.errors import UsageError
from entra_recovery.graph.adapter import read_job
from entra_recovery.graph.client import GraphClient
from entra_recovery.graph.models import Job
from entra_recovery.graph.paging import Listing
from entra_recovery.graph.polling import wait_for_job
from entra_recovery.graph.resources import Resource
from entra_recovery.graph.settings import GraphSettings

Json = dict[str, Any]
Target = GraphSettings | GraphClient
OnPoll = Callable[[Job, float], None]
OnCount = Callable[[int], None]
P = ParamSpec("P")
R = TypeVar("R")


@contextlib.asynccontextmanager
async def open_target(target: Target) -> AsyncIterator[GraphClient]:
    if isinstance(target, GraphClient):
        yield target
        return
    async with GraphClient(target) as client:
        yield client


def sync_twin(
    async_fn: Callable[P, Coroutine[Any, Any, R]],
) -> Callable[P, R]:
    """The synchronous twin of an async parity function (one event loop per call)."""

    @functools.wraps(async_fn)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            asyncio.get_running_loop()
        except RuntimeError:
            return aio.run(async_fn(*args, **kwargs))
        raise UsageError(
            f"{async_fn.__name__.removesuffix('_async')}() runs its own event loop; "
            f"inside asyncio (or Jupyter) await {async_fn.__name__}() instead"
        )

    wrapper.__name__ = async_fn.__name__.removesuffix("_async")
    wrapper.__qualname__ = wrapper.__name__
    wrapper.__doc__ = f"Synchronous `{async_fn.__name__}` (runs its own event loop)."
    return wrapper


async def collect(listing: Listing, on_count: OnCount | None, count: bool) -> list[Json]:
    """Every item; with `count` (-CountVariable), `on_count` gets how many were listed."""
    items = await listing.collect()
    if on_count is not None and count:
        on_count(listing.count)
    return items


async def settle(
    client: GraphClient,
    resource: Resource[Any],
    snapshot_id: str,
    job_id: str,
    wait: bool,
    timeout: float | None,
    on_poll: OnPoll | None,
) -> Json:
    """Read a just-created job back, or wait for it to finish."""
    fetch = functools.partial(read_job, client, resource, job_id, snapshot_id=snapshot_id)
    if not wait:
        return (await fetch()).raw
    job = await wait_for_job(
        fetch,
        interval=client.settings.poll_interval,
        timeout=timeout if timeout is not None else client.settings.timeout,
        on_poll=on_poll,
    )
    return job.raw

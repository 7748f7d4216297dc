"""
The PowerShell-parity functions: one per Graph PowerShell cmdlet of this API (and one per
operation the cmdlets lack), returning Graph's JSON as sent (camelCase dicts).

Each operation exists twice: `name_async(target, ...)` for asyncio code, where `target` is a
`GraphSettings` (a client is opened and closed around the call) or an open `GraphClient`; and
`name(settings, ...)`, a synchronous wrapper for plain scripts, which runs `asyncio.run`.
The CLI's parity commands are thin shells over the async versions. docs/powershell-parity.md
maps every cmdlet to its function and command.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
from collections.abc import AsyncIterator
from collections.abc import Callable
from collections.abc import Coroutine
from collections.abc import Sequence
from typing import Any
from typing import ParamSpec
from typing import TypeVar

from entra_recovery import aio
from entra_recovery.constants import ENTITY_TYPES
from entra_recovery.errors import UsageError
from entra_recovery.graph.client import GraphClient
from entra_recovery.graph.models import FilteringCriteria
from entra_recovery.graph.models import Job
from entra_recovery.graph.models import JobKind
from entra_recovery.graph.paging import ListQuery
from entra_recovery.graph.polling import wait_for_job
from entra_recovery.graph.settings import GraphSettings

Json = dict[str, Any]
Target = GraphSettings | GraphClient
OnPoll = Callable[[Job, float], None]
OnCount = Callable[[int], None]
P = ParamSpec("P")
R = TypeVar("R")


@contextlib.asynccontextmanager
async def _client(target: Target) -> AsyncIterator[GraphClient]:
    if isinstance(target, GraphClient):
        yield target
        return
    async with GraphClient(target) as client:
        yield client


def _sync(
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


def build_query(
    *,
    filter: str | None = None,
    select: Sequence[str] | None = None,
    orderby: Sequence[str] | None = None,
    top: int | None = None,
    page_size: int | None = None,
    all: bool = True,
    count: bool = False,
) -> ListQuery:
    """A ListQuery from the cmdlets' parameter names (-Filter -Property -Sort -Top ...)."""
    return ListQuery(
        filter=filter,
        select=tuple(select) if select else None,
        orderby=tuple(orderby) if orderby else None,
        top=top,
        page_size=page_size,
        count=count,
        all_pages=all,
    )


async def _collect(stream: Any, on_count: OnCount | None) -> list[Json]:
    items: list[Json] = [item async for item in stream]
    if on_count is not None and stream.count is not None:
        on_count(stream.count)
    return items


def criteria_from(
    entity_types: Sequence[str] = (), objects: Sequence[str] = ()
) -> FilteringCriteria:
    """The job scope from `--entity-type TYPE`s or `--object TYPE:ID`s (neither: everything).

    Raises:
        UsageError: both given, an unknown entity type, or an object not written TYPE:ID.
    """
    if entity_types and objects:
        raise UsageError("give entity types or objects, not both (a job has one scope)")
    known = ", ".join(ENTITY_TYPES)
    for entity_type in entity_types:
        if entity_type not in ENTITY_TYPES:
            raise UsageError(f"unknown entity type {entity_type!r}", hint=f"use one of: {known}")
    if entity_types:
        return FilteringCriteria.for_types(list(dict.fromkeys(entity_types)))
    grouped: dict[str, list[str]] = {}
    for item in objects:
        entity_type, sep, object_id = item.partition(":")
        if not sep or not entity_type or not object_id.strip():
            raise UsageError(
                f"{item!r} is not TYPE:ID", hint="for example --object user:a1b2c3d4-0001-..."
            )
        if entity_type not in ENTITY_TYPES:
            raise UsageError(f"unknown entity type {entity_type!r}", hint=f"use one of: {known}")
        ids = grouped.setdefault(entity_type, [])
        if object_id.strip() not in ids:
            ids.append(object_id.strip())
    return FilteringCriteria.for_objects(grouped)


# --- snapshots ---------------------------------------------------------------------------------


async def list_snapshots_async(
    target: Target, *, on_count: OnCount | None = None, **query: Any
) -> list[Json]:
    """Get-MgDirectoryRecoverySnapshot (list): every snapshot, all pages unless all=False."""
    async with _client(target) as client:
        return await _collect(client.iter_snapshots_raw(build_query(**query)), on_count)


async def get_snapshot_async(
    target: Target, snapshot_id: str, *, select: Sequence[str] | None = None
) -> Json:
    """Get-MgDirectoryRecoverySnapshot -SnapshotId."""
    async with _client(target) as client:
        return await client.get_snapshot_raw(snapshot_id, select=select)


async def count_snapshots_async(target: Target, *, filter: str | None = None) -> int:
    """Get-MgDirectoryRecoverySnapshotCount."""
    async with _client(target) as client:
        return await client.count_snapshots(filter=filter)


# --- jobs (tenant-wide) --------------------------------------------------------------------------


async def list_jobs_async(
    target: Target, *, on_count: OnCount | None = None, **query: Any
) -> list[Json]:
    """Get-MgDirectoryRecoveryJob (list): jobs of both kinds, all snapshots."""
    async with _client(target) as client:
        return await _collect(client.iter_jobs_raw(build_query(**query)), on_count)


async def get_job_async(
    target: Target, job_id: str, *, select: Sequence[str] | None = None
) -> Json:
    """Get-MgDirectoryRecoveryJob -RecoveryJobBaseId."""
    async with _client(target) as client:
        return await client.get_job_raw(job_id, select=select)


async def count_jobs_async(target: Target, *, filter: str | None = None) -> int:
    """Get-MgDirectoryRecoveryJobCount."""
    async with _client(target) as client:
        return await client.count_jobs(filter=filter)


async def cancel_job_async(target: Target, job_id: str) -> str | None:
    """Stop-MgDirectoryRecoveryJob: ask Graph to cancel; returns the `Location` it sent."""
    async with _client(target) as client:
        return await client.request_cancel(job_id)


async def wait_job_async(
    target: Target,
    job_id: str,
    *,
    timeout: float | None = None,
    interval: float | None = None,
    on_poll: OnPoll | None = None,
) -> Json:
    """Poll a job (tenant-wide route) until it is terminal; return its final JSON."""
    async with _client(target) as client:
        job = await wait_for_job(
            lambda: client.get_job(job_id),
            interval=interval or client.settings.poll_interval,
            timeout=timeout if timeout is not None else client.settings.timeout,
            on_poll=on_poll,
        )
        return job.raw


# --- preview jobs ------------------------------------------------------------------------------


async def list_preview_jobs_async(
    target: Target, snapshot_id: str, *, on_count: OnCount | None = None, **query: Any
) -> list[Json]:
    """Get-MgDirectoryRecoverySnapshotRecoveryPreviewJob -SnapshotId (list)."""
    async with _client(target) as client:
        stream = client.iter_preview_jobs_raw(snapshot_id, build_query(**query))
        return await _collect(stream, on_count)


async def get_preview_job_async(
    target: Target, snapshot_id: str, job_id: str, *, select: Sequence[str] | None = None
) -> Json:
    """Get-MgDirectoryRecoverySnapshotRecoveryPreviewJob -RecoveryPreviewJobId."""
    async with _client(target) as client:
        return await client.get_preview_job_raw(snapshot_id, job_id, select=select)


async def count_preview_jobs_async(
    target: Target, snapshot_id: str, *, filter: str | None = None
) -> int:
    """Get-MgDirectoryRecoverySnapshotRecoveryPreviewJobCount."""
    async with _client(target) as client:
        return await client.count_preview_jobs(snapshot_id, filter=filter)


async def create_preview_job_async(
    target: Target,
    snapshot_id: str,
    criteria: FilteringCriteria | None = None,
    *,
    wait: bool = False,
    timeout: float | None = None,
    on_poll: OnPoll | None = None,
) -> Json:
    """POST .../recoveryPreviewJobs (no cmdlet; samples use Invoke-MgGraphRequest).

    Returns the new job's JSON (read back after creation), or with `wait` the final JSON.
    """
    async with _client(target) as client:
        job_id = await client.create_preview_job(snapshot_id, criteria or FilteringCriteria())
        return await _settle(client, JobKind.PREVIEW, snapshot_id, job_id, wait, timeout, on_poll)


async def get_changes_async(
    target: Target,
    snapshot_id: str,
    job_id: str,
    *,
    on_count: OnCount | None = None,
    **query: Any,
) -> list[Json]:
    """getChanges (no cmdlet): every change object of a successful preview job, raw."""
    async with _client(target) as client:
        return await _collect(
            client.iter_changes_raw(snapshot_id, job_id, build_query(**query)), on_count
        )


async def iter_changes_async(
    target: Target, snapshot_id: str, job_id: str, **query: Any
) -> AsyncIterator[Json]:
    """getChanges as a stream: change objects as their pages arrive (for JSON Lines)."""
    async with _client(target) as client:
        async for item in client.iter_changes_raw(snapshot_id, job_id, build_query(**query)):
            yield item


# --- recovery jobs -----------------------------------------------------------------------------


async def list_recovery_jobs_async(
    target: Target, snapshot_id: str, *, on_count: OnCount | None = None, **query: Any
) -> list[Json]:
    """Get-MgDirectoryRecoverySnapshotRecoveryJob -SnapshotId (list)."""
    async with _client(target) as client:
        stream = client.iter_recovery_jobs_raw(snapshot_id, build_query(**query))
        return await _collect(stream, on_count)


async def get_recovery_job_async(
    target: Target, snapshot_id: str, job_id: str, *, select: Sequence[str] | None = None
) -> Json:
    """Get-MgDirectoryRecoverySnapshotRecoveryJob -RecoveryJobId."""
    async with _client(target) as client:
        return await client.get_recovery_job_raw(snapshot_id, job_id, select=select)


async def count_recovery_jobs_async(
    target: Target, snapshot_id: str, *, filter: str | None = None
) -> int:
    """Get-MgDirectoryRecoverySnapshotRecoveryJobCount."""
    async with _client(target) as client:
        return await client.count_recovery_jobs(snapshot_id, filter=filter)


async def create_recovery_job_async(
    target: Target,
    snapshot_id: str,
    criteria: FilteringCriteria | None = None,
    *,
    wait: bool = False,
    timeout: float | None = None,
    on_poll: OnPoll | None = None,
) -> Json:
    """POST .../recoveryJobs (no cmdlet): WRITES TO THE TENANT, ungated.

    This is the raw operation, like `Invoke-MgGraphRequest -Method POST`. The safe path is
    `entra-recovery plan apply` (fresh preview, fingerprint, guards, confirmation).
    """
    async with _client(target) as client:
        job_id = await client.create_recovery_job(snapshot_id, criteria or FilteringCriteria())
        return await _settle(client, JobKind.RECOVERY, snapshot_id, job_id, wait, timeout, on_poll)


async def get_failed_changes_async(
    target: Target,
    snapshot_id: str,
    job_id: str,
    *,
    on_count: OnCount | None = None,
    **query: Any,
) -> list[Json]:
    """getFailedChanges (no cmdlet): the changes a recovery job could not apply, raw."""
    async with _client(target) as client:
        stream = client.iter_failed_changes_raw(snapshot_id, job_id, build_query(**query))
        return await _collect(stream, on_count)


async def iter_failed_changes_async(
    target: Target, snapshot_id: str, job_id: str, **query: Any
) -> AsyncIterator[Json]:
    """getFailedChanges as a stream: failed change objects as their pages arrive."""
    async with _client(target) as client:
        stream = client.iter_failed_changes_raw(snapshot_id, job_id, build_query(**query))
        async for item in stream:
            yield item


async def _settle(
    client: GraphClient,
    kind: JobKind,
    snapshot_id: str,
    job_id: str,
    wait: bool,
    timeout: float | None,
    on_poll: OnPoll | None,
) -> Json:
    """Read a just-created job back, or wait for it to finish."""
    if kind is JobKind.PREVIEW:
        fetch = functools.partial(client.get_preview_job, snapshot_id, job_id)
    else:
        fetch = functools.partial(client.get_recovery_job, snapshot_id, job_id)
    if not wait:
        return (await fetch()).raw
    job = await wait_for_job(
        fetch,
        interval=client.settings.poll_interval,
        timeout=timeout if timeout is not None else client.settings.timeout,
        on_poll=on_poll,
    )
    return job.raw


# --- synchronous twins, for plain scripts --------------------------------------------------------

list_snapshots = _sync(list_snapshots_async)
get_snapshot = _sync(get_snapshot_async)
count_snapshots = _sync(count_snapshots_async)
list_jobs = _sync(list_jobs_async)
get_job = _sync(get_job_async)
count_jobs = _sync(count_jobs_async)
cancel_job = _sync(cancel_job_async)
wait_job = _sync(wait_job_async)
list_preview_jobs = _sync(list_preview_jobs_async)
get_preview_job = _sync(get_preview_job_async)
count_preview_jobs = _sync(count_preview_jobs_async)
create_preview_job = _sync(create_preview_job_async)
get_changes = _sync(get_changes_async)
list_recovery_jobs = _sync(list_recovery_jobs_async)
get_recovery_job = _sync(get_recovery_job_async)
count_recovery_jobs = _sync(count_recovery_jobs_async)
create_recovery_job = _sync(create_recovery_job_async)
get_failed_changes = _sync(get_failed_changes_async)

"""
The PowerShell-parity functions: one per Graph PowerShell cmdlet of this API (and one per
operation the cmdlets lack), returning Graph's JSON as sent (camelCase dicts).

Each operation exists twice: `name_async(target, ...)` for asyncio code, where `target` is a
`GraphSettings` (a client is opened and closed around the call) or an open `GraphClient`; and
`name(settings, ...)`, a synchronous wrapper for plain scripts, which runs `asyncio.run`.
List, get and count of the four collections are one implementation each, driven by the
`resources` table (`list_items_async(target, resource, ...)` and its two siblings); the named
functions (`list_snapshots_async`, ...) keep the cmdlets' shapes over them. The CLI's parity
commands are thin shells over the async versions. docs/powershell-parity.md maps every cmdlet
to its function and command.
"""

from __future__ import annotations

import functools
from collections.abc import AsyncIterator
from collections.abc import Sequence
from contextlib import aclosing
from typing import Any

from entra_recovery.graph.adapter import read_job
from entra_recovery.graph.calls import Json
from entra_recovery.graph.calls import OnCount
from entra_recovery.graph.calls import OnPoll
from entra_recovery.graph.calls import Target
from entra_recovery.graph.calls import collect
from entra_recovery.graph.calls import open_target
from entra_recovery.graph.calls import settle
from entra_recovery.graph.calls import sync_twin
from entra_recovery.graph.models import FilteringCriteria
from entra_recovery.graph.models import JobKind
from entra_recovery.graph.parameters import build_query
from entra_recovery.graph.parameters import criteria_from as criteria_from  # public here too
from entra_recovery.graph.polling import wait_for_job
from entra_recovery.graph.resources import JOBS
from entra_recovery.graph.resources import PREVIEW_JOBS
from entra_recovery.graph.resources import RECOVERY_JOBS
from entra_recovery.graph.resources import SNAPSHOTS
from entra_recovery.graph.resources import Resource

# --- the four collections, driven by resources.RESOURCES ---------------------------------------


async def list_items_async(
    target: Target,
    resource: Resource[Any],
    *,
    snapshot_id: str = "",
    on_count: OnCount | None = None,
    **query: Any,
) -> list[Json]:
    """A resource's cmdlet without an id (`resource.cmdlet`): all pages unless all=False."""
    parameters = build_query(**query)
    async with open_target(target) as client:
        listing = client.listing(resource, parameters, snapshot_id=snapshot_id)
        return await collect(listing, on_count, parameters.count)


async def get_item_async(
    target: Target,
    resource: Resource[Any],
    item_id: str,
    *,
    snapshot_id: str = "",
    select: Sequence[str] | None = None,
) -> Json:
    """A resource's cmdlet with an id: one item."""
    async with open_target(target) as client:
        return await client.get(resource, item_id, snapshot_id=snapshot_id, select=select)


async def count_items_async(
    target: Target, resource: Resource[Any], *, snapshot_id: str = "", filter: str | None = None
) -> int:
    """A resource's count cmdlet (`resource.count_cmdlet`)."""
    async with open_target(target) as client:
        return await client.count(resource, snapshot_id=snapshot_id, filter=filter)


# --- snapshots ---------------------------------------------------------------------------------


async def list_snapshots_async(
    target: Target, *, on_count: OnCount | None = None, **query: Any
) -> list[Json]:
    """Get-MgDirectoryRecoverySnapshot (list): every snapshot, all pages unless all=False."""
    return await list_items_async(target, SNAPSHOTS, on_count=on_count, **query)


async def get_snapshot_async(
    target: Target, snapshot_id: str, *, select: Sequence[str] | None = None
) -> Json:
    """Get-MgDirectoryRecoverySnapshot -SnapshotId."""
    return await get_item_async(target, SNAPSHOTS, snapshot_id, select=select)


async def count_snapshots_async(target: Target, *, filter: str | None = None) -> int:
    """Get-MgDirectoryRecoverySnapshotCount."""
    return await count_items_async(target, SNAPSHOTS, filter=filter)


# --- jobs (tenant-wide) --------------------------------------------------------------------------


async def list_jobs_async(
    target: Target, *, on_count: OnCount | None = None, **query: Any
) -> list[Json]:
    """Get-MgDirectoryRecoveryJob (list): jobs of both kinds, all snapshots."""
    return await list_items_async(target, JOBS, on_count=on_count, **query)


async def get_job_async(
    target: Target, job_id: str, *, select: Sequence[str] | None = None
) -> Json:
    """Get-MgDirectoryRecoveryJob -RecoveryJobBaseId."""
    return await get_item_async(target, JOBS, job_id, select=select)


async def count_jobs_async(target: Target, *, filter: str | None = None) -> int:
    """Get-MgDirectoryRecoveryJobCount."""
    return await count_items_async(target, JOBS, filter=filter)


async def cancel_job_async(target: Target, job_id: str) -> str | None:
    """Stop-MgDirectoryRecoveryJob: ask Graph to cancel; returns the `Location` it sent."""
    async with open_target(target) as client:
        return await client.cancel_job(job_id)


async def wait_job_async(
    target: Target,
    job_id: str,
    *,
    timeout: float | None = None,
    interval: float | None = None,
    on_poll: OnPoll | None = None,
) -> Json:
    """Poll a job (tenant-wide route) until it is terminal; return its final JSON."""
    async with open_target(target) as client:
        job = await wait_for_job(
            functools.partial(read_job, client, JOBS, job_id),
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
    return await list_items_async(
        target, PREVIEW_JOBS, snapshot_id=snapshot_id, on_count=on_count, **query
    )


async def get_preview_job_async(
    target: Target, snapshot_id: str, job_id: str, *, select: Sequence[str] | None = None
) -> Json:
    """Get-MgDirectoryRecoverySnapshotRecoveryPreviewJob -RecoveryPreviewJobId."""
    return await get_item_async(
        target, PREVIEW_JOBS, job_id, snapshot_id=snapshot_id, select=select
    )


async def count_preview_jobs_async(
    target: Target, snapshot_id: str, *, filter: str | None = None
) -> int:
    """Get-MgDirectoryRecoverySnapshotRecoveryPreviewJobCount."""
    return await count_items_async(target, PREVIEW_JOBS, snapshot_id=snapshot_id, filter=filter)


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
    async with open_target(target) as client:
        job_id = await client.create_job(
            JobKind.PREVIEW, snapshot_id, criteria or FilteringCriteria()
        )
        return await settle(client, PREVIEW_JOBS, snapshot_id, job_id, wait, timeout, on_poll)


async def get_changes_async(
    target: Target,
    snapshot_id: str,
    job_id: str,
    *,
    on_count: OnCount | None = None,
    **query: Any,
) -> list[Json]:
    """getChanges (no cmdlet): every change object of a successful preview job, raw."""
    parameters = build_query(**query)
    async with open_target(target) as client:
        listing = client.changes(snapshot_id, job_id, parameters)
        return await collect(listing, on_count, parameters.count)


async def iter_changes_async(
    target: Target, snapshot_id: str, job_id: str, **query: Any
) -> AsyncIterator[Json]:
    """getChanges as a stream: change objects as their pages arrive (for JSON Lines)."""
    async with open_target(target) as client:
        listing = client.changes(snapshot_id, job_id, build_query(**query))
        async with aclosing(listing.items()) as items:
            async for item in items:
                yield item


# --- recovery jobs -----------------------------------------------------------------------------


async def list_recovery_jobs_async(
    target: Target, snapshot_id: str, *, on_count: OnCount | None = None, **query: Any
) -> list[Json]:
    """Get-MgDirectoryRecoverySnapshotRecoveryJob -SnapshotId (list)."""
    return await list_items_async(
        target, RECOVERY_JOBS, snapshot_id=snapshot_id, on_count=on_count, **query
    )


async def get_recovery_job_async(
    target: Target, snapshot_id: str, job_id: str, *, select: Sequence[str] | None = None
) -> Json:
    """Get-MgDirectoryRecoverySnapshotRecoveryJob -RecoveryJobId."""
    return await get_item_async(
        target, RECOVERY_JOBS, job_id, snapshot_id=snapshot_id, select=select
    )


async def count_recovery_jobs_async(
    target: Target, snapshot_id: str, *, filter: str | None = None
) -> int:
    """Get-MgDirectoryRecoverySnapshotRecoveryJobCount."""
    return await count_items_async(target, RECOVERY_JOBS, snapshot_id=snapshot_id, filter=filter)


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
    async with open_target(target) as client:
        job_id = await client.create_job(
            JobKind.RECOVERY, snapshot_id, criteria or FilteringCriteria()
        )
        return await settle(client, RECOVERY_JOBS, snapshot_id, job_id, wait, timeout, on_poll)


async def get_failed_changes_async(
    target: Target,
    snapshot_id: str,
    job_id: str,
    *,
    on_count: OnCount | None = None,
    **query: Any,
) -> list[Json]:
    """getFailedChanges (no cmdlet): the changes a recovery job could not apply, raw."""
    parameters = build_query(**query)
    async with open_target(target) as client:
        listing = client.failed_changes(snapshot_id, job_id, parameters)
        return await collect(listing, on_count, parameters.count)


async def iter_failed_changes_async(
    target: Target, snapshot_id: str, job_id: str, **query: Any
) -> AsyncIterator[Json]:
    """getFailedChanges as a stream: failed change objects as their pages arrive."""
    async with open_target(target) as client:
        listing = client.failed_changes(snapshot_id, job_id, build_query(**query))
        async with aclosing(listing.items()) as items:
            async for item in items:
                yield item


# --- synchronous twins, for plain scripts --------------------------------------------------------

list_snapshots = sync_twin(list_snapshots_async)
get_snapshot = sync_twin(get_snapshot_async)
count_snapshots = sync_twin(count_snapshots_async)
list_jobs = sync_twin(list_jobs_async)
get_job = sync_twin(get_job_async)
count_jobs = sync_twin(count_jobs_async)
cancel_job = sync_twin(cancel_job_async)
wait_job = sync_twin(wait_job_async)
list_preview_jobs = sync_twin(list_preview_jobs_async)
get_preview_job = sync_twin(get_preview_job_async)
count_preview_jobs = sync_twin(count_preview_jobs_async)
create_preview_job = sync_twin(create_preview_job_async)
get_changes = sync_twin(get_changes_async)
list_recovery_jobs = sync_twin(list_recovery_jobs_async)
get_recovery_job = sync_twin(get_recovery_job_async)
count_recovery_jobs = sync_twin(count_recovery_jobs_async)
create_recovery_job = sync_twin(create_recovery_job_async)
get_failed_changes = sync_twin(get_failed_changes_async)

__all__ = [
    "Json",
    "OnCount",
    "OnPoll",
    "Target",
    "cancel_job",
    "cancel_job_async",
    "count_items_async",
    "count_jobs",
    "count_jobs_async",
    "count_preview_jobs",
    "count_preview_jobs_async",
    "count_recovery_jobs",
    "count_recovery_jobs_async",
    "count_snapshots",
    "count_snapshots_async",
    "create_preview_job",
    "create_preview_job_async",
    "create_recovery_job",
    "create_recovery_job_async",
    "criteria_from",
    "get_changes",
    "get_changes_async",
    "get_failed_changes",
    "get_failed_changes_async",
    "get_item_async",
    "get_job",
    "get_job_async",
    "get_preview_job",
    "get_preview_job_async",
    "get_recovery_job",
    "get_recovery_job_async",
    "get_snapshot",
    "get_snapshot_async",
    "iter_changes_async",
    "iter_failed_changes_async",
    "list_items_async",
    "list_jobs",
    "list_jobs_async",
    "list_preview_jobs",
    "list_preview_jobs_async",
    "list_recovery_jobs",
    "list_recovery_jobs_async",
    "list_snapshots",
    "list_snapshots_async",
    "wait_job",
    "wait_job_async",
]

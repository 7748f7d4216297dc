"""
Explaining two failures with a second look at Graph, so the message says what to do.

A 404 on a snapshot-scoped call lists the snapshots that do exist (it stays a plain 404 when
the snapshot is there and the job is not); a 409 on job creation names the job that is running
(only one job runs per tenant). Both read with the caller's client; if that read fails too,
the original error is kept.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from entra_recovery.errors import GraphError
from entra_recovery.errors import JobConflictError
from entra_recovery.errors import SnapshotNotFoundError
from entra_recovery.graph.models import Job
from entra_recovery.graph.models import JobKind
from entra_recovery.graph.resources import JOBS
from entra_recovery.graph.resources import SNAPSHOTS

if TYPE_CHECKING:
    from entra_recovery.graph.client import GraphClient


async def _available_snapshots(client: GraphClient) -> list[tuple[str, str]]:
    """(id, createdDateTime) of every snapshot; [] if even that cannot be read."""
    try:
        return [
            (str(s.get("id")), str(s.get("createdDateTime") or "?"))
            async for s in client.listing(SNAPSHOTS)
        ]
    except GraphError:
        return []


async def explain_missing_snapshot(
    client: GraphClient, exc: GraphError, snapshot_id: str
) -> GraphError:
    """Turn a 404 into SnapshotNotFoundError when the snapshot is not in the list."""
    snapshots = await _available_snapshots(client)
    available = [snapshot for snapshot, _ in snapshots]
    if snapshot_id in available:
        return exc
    listed = ", ".join(f"{sid} ({created})" for sid, created in snapshots) or "none"
    return SnapshotNotFoundError(
        f"snapshot {snapshot_id} does not exist or has expired",
        available=available,
        status=exc.status,
        code=exc.code,
        graph_message=exc.graph_message,
        request_id=exc.request_id,
        method=exc.method,
        url=exc.url,
        hint=f"available snapshots, oldest first: {listed}",
    )


async def explain_conflict(client: GraphClient, exc: JobConflictError) -> JobConflictError:
    """Name the job that blocks us (409: one job per tenant)."""
    try:
        jobs = [Job.from_json(j) async for j in client.listing(JOBS)]
        running = [job for job in jobs if not job.status.is_terminal]
    except GraphError:
        running = []
    if not running:
        return exc
    job = running[0]
    kind = {JobKind.PREVIEW: "preview", JobKind.RECOVERY: "recovery"}.get(job.kind, "a")
    return JobConflictError(
        f"{exc.message}: {kind} job {job.id} is {job.status_text} in this tenant, "
        "and only one job runs at a time",
        running_job_id=job.id,
        status=exc.status,
        code=exc.code,
        graph_message=exc.graph_message,
        request_id=exc.request_id,
        method=exc.method,
        url=exc.url,
        hint=f"wait for it (entra-recovery job wait {job.id}) or cancel it "
        f"(entra-recovery job cancel {job.id})",
    )

"""
`GraphApiAdapter`: the runner's `GraphApi` over a `GraphClient`, in our own records.

The last step inside `graph/` before the runner: `GraphClient` answers Graph's JSON as sent;
this adapter reads it into `Snapshot`, `Job` and `Identity` records and hands change pages on
as `ChangePage`s (raw change objects, with `has_floats`). It adds no Graph call of its own;
`client.open_client` yields one.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator
from contextlib import aclosing
from typing import TYPE_CHECKING
from typing import Any

from entra_recovery.graph.auth import identity_from_credential
from entra_recovery.graph.models import ChangePage
from entra_recovery.graph.models import FilteringCriteria
from entra_recovery.graph.models import Identity
from entra_recovery.graph.models import Job
from entra_recovery.graph.models import JobKind
from entra_recovery.graph.models import Snapshot
from entra_recovery.graph.paging import Listing
from entra_recovery.graph.paging import ListQuery
from entra_recovery.graph.resources import JOBS
from entra_recovery.graph.resources import PREVIEW_JOBS
from entra_recovery.graph.resources import RECOVERY_JOBS
from entra_recovery.graph.resources import SNAPSHOTS
from entra_recovery.graph.resources import Resource

if TYPE_CHECKING:
    from entra_recovery.graph.client import GraphClient


class GraphApiAdapter:
    """`GraphApi` (graph/api.py) over an open `GraphClient`; the client stays the caller's."""

    def __init__(self, client: GraphClient) -> None:
        self.client = client

    async def identity(self) -> Identity:
        """Claims of the token in use (tenant, user, scopes), read without verifying."""
        pipeline = self.client.pipeline
        choice = pipeline.choice()
        return await identity_from_credential(
            pipeline.credential(),
            choice.method,
            tenant=choice.tenant,
            authority=pipeline.settings.authority,
        )

    async def list_snapshots(self) -> list[Snapshot]:
        return [Snapshot.from_json(s) async for s in self.client.listing(SNAPSHOTS)]

    async def get_snapshot(self, snapshot_id: str) -> Snapshot:
        return Snapshot.from_json(await self.client.get(SNAPSHOTS, snapshot_id))

    async def list_jobs(self, *, filter: str | None = None) -> list[Job]:
        return [Job.from_json(j) async for j in self.client.listing(JOBS, ListQuery(filter=filter))]

    async def get_job(self, job_id: str) -> Job:
        return await read_job(self.client, JOBS, job_id)

    async def get_preview_job(self, snapshot_id: str, job_id: str) -> Job:
        return await read_job(self.client, PREVIEW_JOBS, job_id, snapshot_id=snapshot_id)

    async def get_recovery_job(self, snapshot_id: str, job_id: str) -> Job:
        return await read_job(self.client, RECOVERY_JOBS, job_id, snapshot_id=snapshot_id)

    async def start_preview_job(self, snapshot_id: str, criteria: FilteringCriteria) -> str:
        return await self.client.create_job(JobKind.PREVIEW, snapshot_id, criteria)

    async def start_recovery_job(self, snapshot_id: str, criteria: FilteringCriteria) -> str:
        return await self.client.create_job(JobKind.RECOVERY, snapshot_id, criteria)

    async def cancel_job(self, job_id: str, *, kind: JobKind | None = None) -> None:
        """Cancel; `kind` (when the caller knows it) saves looking the job up in the list."""
        await self.client.cancel_job(job_id, kind=kind)

    def iter_change_pages(
        self, snapshot_id: str, job_id: str, *, top: int = 999, max_pages: int | None = None
    ) -> AsyncGenerator[ChangePage, None]:
        query = ListQuery(page_size=top)
        return _change_pages(self.client.changes(snapshot_id, job_id, query, max_pages=max_pages))

    def iter_failed_change_pages(
        self, snapshot_id: str, job_id: str, *, top: int = 999, max_pages: int | None = None
    ) -> AsyncGenerator[ChangePage, None]:
        query = ListQuery(page_size=top)
        listing = self.client.failed_changes(snapshot_id, job_id, query, max_pages=max_pages)
        return _change_pages(listing)


async def read_job(
    client: GraphClient, resource: Resource[Any], job_id: str, *, snapshot_id: str = ""
) -> Job:
    """A job of `resource` (jobs, preview jobs, recovery jobs) as our `Job` record."""
    data = await client.get(resource, job_id, snapshot_id=snapshot_id)
    return Job.from_json(data, kind=resource.job_kind)


async def _change_pages(listing: Listing) -> AsyncGenerator[ChangePage, None]:
    async with aclosing(listing.pages()) as pages:
        async for page in pages:
            yield page.items

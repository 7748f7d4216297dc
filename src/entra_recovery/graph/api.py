"""
`GraphApi`: the narrow, async interface the plan runner depends on, in our own records.

`graph.adapter.GraphApiAdapter` implements it over a `GraphClient` (`graph.client.open_client`
yields one); tests may wrap that or use a small fake. Every method raises
`entra_recovery.errors.GraphError` (or a subclass) on failure.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator
from typing import Protocol

from entra_recovery.graph.models import ChangePage
from entra_recovery.graph.models import FilteringCriteria
from entra_recovery.graph.models import Identity
from entra_recovery.graph.models import Job
from entra_recovery.graph.models import Snapshot


class GraphApi(Protocol):
    """What the plan runner needs from Microsoft Graph."""

    async def identity(self) -> Identity:
        """Claims of the token in use (tenant, user); never the token itself."""
        ...

    async def list_snapshots(self) -> list[Snapshot]:
        """Every snapshot, all pages, oldest first as Graph returns them."""
        ...

    async def get_snapshot(self, snapshot_id: str) -> Snapshot:
        """One snapshot; `SnapshotNotFoundError` (listing the available ones) if absent."""
        ...

    async def list_jobs(self, *, filter: str | None = None) -> list[Job]:
        """Tenant-wide jobs of both kinds, all pages."""
        ...

    async def get_job(self, job_id: str) -> Job:
        """A job by id through the tenant-wide `jobs` collection."""
        ...

    async def get_preview_job(self, snapshot_id: str, job_id: str) -> Job: ...

    async def get_recovery_job(self, snapshot_id: str, job_id: str) -> Job: ...

    async def start_preview_job(self, snapshot_id: str, criteria: FilteringCriteria) -> str:
        """Create a preview job; return its id (parsed from `Location`)."""
        ...

    async def start_recovery_job(self, snapshot_id: str, criteria: FilteringCriteria) -> str:
        """Create a recovery job (writes to the tenant!); return its id."""
        ...

    async def cancel_job(self, job_id: str) -> None:
        """Cancel a job (POST .../jobs/{id}/...cancel); the job is never read by id first
        (`GET .../jobs/{id}` is undocumented): its kind, for the scope, comes from the job list.
        `NotFoundError` when the list has no such job."""
        ...

    def iter_change_pages(
        self, snapshot_id: str, job_id: str, *, top: int = 999, max_pages: int | None = None
    ) -> AsyncGenerator[ChangePage, None]:
        """Pages of raw change objects from getChanges, following nextLink verbatim.

        Every change object on a page has an entity type, an id and an action (strings; a
        malformed item is a `GraphError` naming the page and index, never dropped silently).

        Each page is a `ChangePage` (a list of change dicts exactly as Graph sent them) whose
        `has_floats` says whether any number on it has a fraction or an exponent: False lets
        the fingerprint use its fast JSON encoder for that page; True means "a float is there,
        or nobody knows", and is always safe. `top` is the `$top` sent per request; more than
        `max_pages` pages (default: the graph layer's own limit) is a `GraphError`, so a caller
        who knows how many changes to expect stops endless paging early.
        """
        ...

    def iter_failed_change_pages(
        self, snapshot_id: str, job_id: str, *, top: int = 999, max_pages: int | None = None
    ) -> AsyncGenerator[ChangePage, None]:
        """Pages of raw change objects from getFailedChanges (`ChangePage`s, as above)."""
        ...

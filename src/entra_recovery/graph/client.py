"""
`GraphClient`: every Entra Backup and Recovery operation, once, answering Graph's JSON as sent.

The face of `graph/` that speaks Graph: each method is one service operation and returns what
Graph sent (camelCase dicts, `Location` values, counts), which is what the PowerShell-parity
functions hand out. Requests come from the SDK's request builders (reached through the
`resources` table and `pipeline.Pipeline`) where they exist and from `raw.py` where they do
not; either way `transport.Transport` sends them through the SDK's request adapter. The runner
does not use this face directly: `open_client` yields a `GraphApiAdapter`, which turns these
answers into our own records (`graph.adapter`).
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from collections.abc import Awaitable
from collections.abc import Sequence
from typing import TYPE_CHECKING
from typing import Any
from typing import TypeVar

from entra_recovery.errors import GraphError
from entra_recovery.errors import JobConflictError
from entra_recovery.errors import NotFoundError
from entra_recovery.graph import operations as ops
from entra_recovery.graph import raw
from entra_recovery.graph.adapter import GraphApiAdapter
from entra_recovery.graph.auth import READ
from entra_recovery.graph.diagnose import explain_conflict
from entra_recovery.graph.diagnose import explain_missing_snapshot
from entra_recovery.graph.failures import JobCreation
from entra_recovery.graph.models import FilteringCriteria
from entra_recovery.graph.models import Job
from entra_recovery.graph.models import JobKind
from entra_recovery.graph.operations import Operation
from entra_recovery.graph.paging import ItemCheck
from entra_recovery.graph.paging import Listing
from entra_recovery.graph.paging import ListQuery
from entra_recovery.graph.paging import any_object
from entra_recovery.graph.paging import change_object
from entra_recovery.graph.pipeline import Pipeline
from entra_recovery.graph.pipeline import get_request
from entra_recovery.graph.resources import JOBS
from entra_recovery.graph.resources import CollectionBuilder
from entra_recovery.graph.resources import Resource
from entra_recovery.graph.settings import GraphSettings
from entra_recovery.graph.transport import RetryPolicy
from entra_recovery.graph.transport import Transport

if TYPE_CHECKING:
    from kiota_abstractions.request_information import RequestInformation

    from entra_recovery.graph.auth import Credential

Json = dict[str, Any]
T = TypeVar("T")
C = TypeVar("C", bound=CollectionBuilder)

# Which scope cancelling asks for, by the kind of the job (the cancel scope is undocumented).
_CANCEL = {JobKind.PREVIEW: ops.CANCEL_PREVIEW_JOB, JobKind.RECOVERY: ops.CANCEL_RECOVERY_JOB}
# The collection a new job's `Location` points into, by kind.
_CREATED_IN = {JobKind.PREVIEW: "recoveryPreviewJobs", JobKind.RECOVERY: "recoveryJobs"}


class GraphClient:
    """Talks to `/directory/recovery` on the configured Graph; use as an async context manager.

    Args:
        settings: base URL, API version, credential choice.
        credential: an azure.core credential to use instead of building one from settings.
        retry: how the SDK's RetryHandler retries 429/503/504 (honouring Retry-After).
        permissions: every permission this session will need (one interactive sign-in
            consents to all of them); each request still asks only for its own scope.
    """

    def __init__(
        self,
        settings: GraphSettings,
        *,
        credential: Credential | None = None,
        retry: RetryPolicy | None = None,
        permissions: Sequence[str] = READ,
    ) -> None:
        self.settings = settings
        self.pipeline = Pipeline(settings, credential=credential, permissions=permissions)
        self.transport = Transport(settings, self.pipeline.adapter_for, retry or RetryPolicy())

    async def __aenter__(self) -> GraphClient:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        """Close the HTTP connections (the credential stays the caller's if they gave one)."""
        await self.pipeline.aclose()

    # --- the four collections (resources.RESOURCES): list, get, count --------------------------

    def listing(
        self, resource: Resource[C], query: ListQuery | None = None, *, snapshot_id: str = ""
    ) -> Listing:
        """A collection as Graph sends it (`Get-Mg...` without an id); read it with `async for`.

        A 404 for a snapshot that is gone is not explained here (it surfaces while reading).
        """
        query = query or ListQuery()
        resource.check_filter(query.filter)
        builder = self._collection(resource, snapshot_id)
        request = get_request(builder, **query.builder_parameters())
        operation = resource.list_operation(snapshot_id)
        return self._listing(request, operation, query)

    async def get(
        self,
        resource: Resource[C],
        item_id: str,
        *,
        snapshot_id: str = "",
        select: Sequence[str] | None = None,
    ) -> Json:
        """One item (`Get-Mg... -Id`); a gone snapshot is a `SnapshotNotFoundError`."""
        builder = resource.by_id(self._collection(resource, snapshot_id), item_id)
        request = get_request(builder, select=list(select) if select else None)
        call = self.transport.send(request, resource.get_operation(item_id))
        snapshot = item_id if resource.items_are_snapshots else snapshot_id
        return (await self._explained(call, snapshot)).json_object()

    async def count(
        self, resource: Resource[C], *, snapshot_id: str = "", filter: str | None = None
    ) -> int:
        """How many items match (`Get-Mg...Count`: the `/$count` route, which exists in the SDK
        and the cmdlets but not in the service's docs: UNCONFIRMED). No `ConsistencyLevel`
        header: the reference says none is needed."""
        resource.check_filter(filter)
        operation = resource.count_operation(snapshot_id)
        request = get_request(self._collection(resource, snapshot_id).count, filter=filter)
        response = await self._explained(self.transport.send(request, operation), snapshot_id)
        text = response.body.decode("utf-8", "replace").strip().lstrip("\ufeff")
        try:
            return int(text)
        except ValueError:
            raise GraphError(
                f"{operation.action} failed: Graph sent {text[:40]!r}, not a number"
            ) from None

    def _collection(self, resource: Resource[C], snapshot_id: str) -> C:
        if resource.snapshot_scoped and not snapshot_id:
            raise ValueError(f"{resource.plural} belong to a snapshot: give its snapshot_id")
        return resource.collection(self.pipeline.recovery(), snapshot_id)

    # --- jobs -------------------------------------------------------------------------------------

    async def create_job(self, kind: JobKind, snapshot_id: str, criteria: FilteringCriteria) -> str:
        """POST a preview or recovery job (no builder: raw URL); return the id from `Location`.

        A recovery job WRITES TO THE TENANT. Never retried blindly: a 409 names the running job;
        only a 429 (refused before processing) is resent; a lost answer (deadline, 5xx, dropped
        connection, redirect) is a `JobCreationUncertain` and nothing is sent again.
        """
        if kind is JobKind.PREVIEW:
            operation = ops.CREATE_PREVIEW_JOB.describe(snapshot=snapshot_id)
            request = raw.create_preview_job_request(snapshot_id, criteria)
        elif kind is JobKind.RECOVERY:
            operation = ops.CREATE_RECOVERY_JOB.describe(snapshot=snapshot_id)
            request = raw.create_recovery_job_request(snapshot_id, criteria)
        else:
            raise ValueError(f"cannot create a job of kind {kind.value}")
        self.pipeline.require_delegated(operation.action)
        try:
            creates = JobCreation(kind.value, snapshot_id)
            call = self.transport.send(request, operation, creates=creates)
            response = await self._explained(call, snapshot_id)
        except JobConflictError as exc:
            raise await explain_conflict(self, exc) from None
        return raw.job_id_from_location(
            response.headers.get("location"), self.settings, collection=_CREATED_IN[kind]
        )

    async def cancel_job(self, job_id: str, *, kind: JobKind | None = None) -> str | None:
        """Cancel a job (Stop-MgDirectoryRecoveryJob); return the validated `Location`, if any.

        The job is not read first (`GET .../jobs/{id}` is not among the documented methods of
        recoveryJobBase: only List and Cancel are). Its kind picks the scope to ask for (the
        cancel permission is undocumented): give `kind` when you know it; otherwise it is
        looked up in the documented list (`$filter=id eq '...'`), which also says clearly
        when there is no such job. Cancelling twice is harmless, so the POST is resent on
        429/503/504 like a read; it never follows a redirect.

        Raises:
            NotFoundError: the tenant's job list has no job with this id (nothing was sent).
        """
        if kind is None or kind is JobKind.UNKNOWN:
            kind = await self._job_kind(job_id)
        operation = _CANCEL.get(kind, ops.CANCEL_JOB).describe(job=job_id)
        builder = self.pipeline.recovery().jobs.by_recovery_job_base_id(job_id)
        request = (
            builder.microsoft_graph_entra_recovery_services_cancel.to_post_request_information()
        )
        response = await self.transport.send(request, operation)
        location = response.headers.get("location")
        if location:
            raw.job_id_from_location(location, self.settings, collection="jobs")
        return location

    async def _job_kind(self, job_id: str) -> JobKind:
        """The kind of job `job_id`, from the tenant-wide list filtered by id."""
        literal = job_id.replace("'", "''")
        async for item in self.listing(JOBS, ListQuery(filter=f"id eq '{literal}'")):
            if item.get("id") == job_id:
                return Job.from_json(item).kind
        raise NotFoundError(
            f"cancelling job {job_id} failed: there is no such job in this tenant "
            "(the job list has none with this id)",
            status=404,
            hint="list the jobs with `entra-recovery job list`",
        )

    # --- changes ----------------------------------------------------------------------------------

    def changes(
        self,
        snapshot_id: str,
        job_id: str,
        query: ListQuery | None = None,
        *,
        max_pages: int | None = None,
    ) -> Listing:
        """Every change of a successful preview job, raw (getChanges; $top=999 unless told);
        a malformed change object or more than `max_pages` pages is an error."""
        query = query or ListQuery()
        request = raw.get_changes_request(snapshot_id, job_id, **query.change_parameters())
        operation = ops.GET_CHANGES.describe(job=job_id)
        return self._listing(request, operation, query, max_pages=max_pages, check=change_object)

    def failed_changes(
        self,
        snapshot_id: str,
        job_id: str,
        query: ListQuery | None = None,
        *,
        max_pages: int | None = None,
    ) -> Listing:
        """Every failed change of a recovery job, raw (getFailedChanges; checked as above)."""
        query = query or ListQuery()
        request = raw.get_failed_changes_request(snapshot_id, job_id, **query.change_parameters())
        operation = ops.GET_FAILED_CHANGES.describe(job=job_id)
        return self._listing(request, operation, query, max_pages=max_pages, check=change_object)

    # --- helpers ----------------------------------------------------------------------------------

    def _listing(
        self,
        request: RequestInformation,
        operation: Operation,
        query: ListQuery,
        *,
        max_pages: int | None = None,
        check: ItemCheck = any_object,
    ) -> Listing:
        return Listing(
            self.transport,
            request,
            operation,
            limit=query.top,
            all_pages=query.all_pages,
            max_pages=max_pages,
            check=check,
        )

    async def _explained(self, call: Awaitable[T], snapshot_id: str) -> T:
        """Await a call naming a snapshot; a 404 for a snapshot that is gone lists the others."""
        try:
            return await call
        except NotFoundError as exc:
            if not snapshot_id:
                raise
            raise await explain_missing_snapshot(self, exc, snapshot_id) from None


@contextlib.asynccontextmanager
async def open_client(
    settings: GraphSettings, *, permissions: Sequence[str] = READ, **kwargs: Any
) -> AsyncIterator[GraphApiAdapter]:
    """The runner's `GraphApi` for a session needing `permissions`, closed when the block ends.

    Args:
        settings: where Graph is and how to sign in.
        permissions: every permission the session will need (see `GraphClient`).
        **kwargs: `credential` and `retry`, passed on to `GraphClient`.
    """
    async with GraphClient(settings, permissions=permissions, **kwargs) as client:
        yield GraphApiAdapter(client)

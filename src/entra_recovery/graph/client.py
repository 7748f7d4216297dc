"""
`GraphClient`: every Entra Backup and Recovery operation, over msgraph-sdk.

The only module that imports msgraph (inside functions). Requests are built with the SDK's
request builders (`client.directory.recovery...`, query parameters, `$count` builders) where
they exist and with `raw.py` where they do not; either way they are sent by `Transport` through
the SDK's request adapter, one adapter per least-privileged scope set, all sharing one HTTP
pipeline. Two faces: `*_raw` / `iter_*_raw` methods return Graph's JSON as sent (camelCase, for
the PowerShell-parity functions), and the `GraphApi` methods return our models for the runner.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncGenerator
from collections.abc import AsyncIterator
from collections.abc import Awaitable
from collections.abc import Sequence
from contextlib import aclosing
from typing import Any
from typing import TypeVar

from entra_recovery.errors import GraphError
from entra_recovery.errors import JobConflictError
from entra_recovery.errors import NotFoundError
from entra_recovery.graph import operations as ops
from entra_recovery.graph import raw
from entra_recovery.graph.auth import READ
from entra_recovery.graph.auth import build_credential
from entra_recovery.graph.auth import identity_from_credential
from entra_recovery.graph.auth import resolve_method
from entra_recovery.graph.auth import scopes_for
from entra_recovery.graph.diagnose import explain_conflict
from entra_recovery.graph.diagnose import explain_missing_snapshot
from entra_recovery.graph.models import ChangePage
from entra_recovery.graph.models import FilteringCriteria
from entra_recovery.graph.models import Identity
from entra_recovery.graph.models import Job
from entra_recovery.graph.models import JobKind
from entra_recovery.graph.models import Snapshot
from entra_recovery.graph.operations import Operation
from entra_recovery.graph.paging import ItemStream
from entra_recovery.graph.paging import ListQuery
from entra_recovery.graph.paging import iter_items
from entra_recovery.graph.paging import iter_pages
from entra_recovery.graph.settings import GraphSettings
from entra_recovery.graph.transport import RetryPolicy
from entra_recovery.graph.transport import Transport

Json = dict[str, Any]
T = TypeVar("T")


class GraphClient:
    """Talks to `/directory/recovery` on the configured Graph; use as an async context manager.

    Args:
        settings: base URL, API version, credential choice.
        credential: an azure.core TokenCredential to use instead of building one from settings.
        retry: how the SDK's RetryHandler retries 429/503/504 (honouring Retry-After).
        permissions: every permission this session will need (one interactive sign-in
            consents to all of them); each request still asks only for its own scope.
    """

    def __init__(
        self,
        settings: GraphSettings,
        *,
        credential: Any | None = None,
        retry: RetryPolicy | None = None,
        permissions: Sequence[str] = READ,
    ) -> None:
        self.settings = settings
        self.permissions = tuple(permissions)
        self._method = "token" if credential is not None else resolve_method(settings)
        self._credential = credential
        self._http: Any = None
        self._adapters: dict[tuple[str, ...], Any] = {}
        self._recovery_builder: Any = None
        self.transport = Transport(settings, self._adapter_for, retry or RetryPolicy())

    async def __aenter__(self) -> GraphClient:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        """Close the HTTP connections (the credential stays the caller's if they gave one)."""
        if self._http is not None:
            # msgraph-core's AsyncGraphTransport does not pass aclose() on to the transport it
            # wraps, so the pooled connections are closed here explicitly.
            inner = getattr(getattr(self._http, "_transport", None), "transport", None)
            await self._http.aclose()
            if inner is not None:
                await inner.aclose()
            self._http = None
        self._adapters.clear()
        self._recovery_builder = None

    # --- the SDK pipeline --------------------------------------------------------------------

    def _get_credential(self) -> Any:
        if self._credential is None:
            self._credential = build_credential(self.settings, permissions=self.permissions)
        return self._credential

    def _adapter_for(self, permissions: Sequence[str]) -> Any:
        """The request adapter whose token provider asks for exactly these permissions."""
        key = tuple(permissions)
        adapter = self._adapters.get(key)
        if adapter is not None:
            return adapter
        from kiota_authentication_azure.azure_identity_authentication_provider import (
            AzureIdentityAuthenticationProvider,
        )
        from msgraph.graph_request_adapter import GraphRequestAdapter
        from msgraph.graph_request_adapter import options as sdk_options
        from msgraph_core import GraphClientFactory  # type: ignore[import-untyped]

        if self._http is None:
            self._http = GraphClientFactory.create_with_default_middleware(
                options=dict(sdk_options)
            )
        provider = AzureIdentityAuthenticationProvider(
            self._get_credential(),
            scopes=scopes_for(key, self._method),
            allowed_hosts=[self.settings.origin[1]],
        )
        adapter = GraphRequestAdapter(provider, client=self._http)
        adapter.base_url = self.settings.base_url
        self._adapters[key] = adapter
        return adapter

    def _recovery(self) -> Any:
        """`client.directory.recovery` of a GraphServiceClient on the read adapter."""
        if self._recovery_builder is None:
            from msgraph.graph_service_client import GraphServiceClient

            sdk = GraphServiceClient(request_adapter=self._adapter_for(READ))
            self._recovery_builder = sdk.directory.recovery
        return self._recovery_builder

    @staticmethod
    def _get_info(builder: Any, **query: Any) -> Any:
        """The builder's GET RequestInformation with its own query-parameter class filled in."""
        from kiota_abstractions.base_request_configuration import RequestConfiguration

        query_class = getattr(builder, f"{type(builder).__name__}GetQueryParameters", None)
        config = RequestConfiguration()  # type: ignore[var-annotated]
        if query_class is not None:
            values = {k: v for k, v in query.items() if v is not None}
            config.query_parameters = query_class(**values)
        return builder.to_get_request_information(config)

    async def _get_object(
        self, builder: Any, operation: Operation, select: Sequence[str] | None
    ) -> Json:
        info = self._get_info(builder, select=list(select) if select else None)
        return (await self.transport.send(info, operation)).json_object()

    async def _count(self, builder: Any, operation: Operation, filter: str | None) -> int:
        info = self._get_info(builder, filter=filter)
        info.headers.try_add("ConsistencyLevel", "eventual")
        response = await self.transport.send(info, operation)
        text = response.body.decode("utf-8", "replace").strip().lstrip("\ufeff")
        try:
            return int(text)
        except ValueError:
            raise GraphError(
                f"{operation.action} failed: Graph sent {text[:40]!r}, not a number"
            ) from None

    def _list(self, builder: Any, operation: Operation, query: ListQuery) -> ItemStream:
        info = self._get_info(builder, **query.builder_parameters())
        return iter_items(
            self.transport, info, operation, limit=query.top, all_pages=query.all_pages
        )

    # --- snapshots -----------------------------------------------------------------------------

    def iter_snapshots_raw(self, query: ListQuery | None = None) -> ItemStream:
        """Snapshots as Graph sends them (Get-MgDirectoryRecoverySnapshot)."""
        return self._list(self._recovery().snapshots, ops.LIST_SNAPSHOTS, query or ListQuery())

    async def get_snapshot_raw(
        self, snapshot_id: str, *, select: Sequence[str] | None = None
    ) -> Json:
        """One snapshot; `SnapshotNotFoundError` listing the available ones if it is gone."""
        operation = ops.GET_SNAPSHOT.describe(snapshot=snapshot_id)
        builder = self._recovery().snapshots.by_snapshot_id(snapshot_id)
        try:
            return await self._get_object(builder, operation, select)
        except NotFoundError as exc:
            raise await explain_missing_snapshot(self, exc, snapshot_id) from None

    async def count_snapshots(self, *, filter: str | None = None) -> int:
        return await self._count(self._recovery().snapshots.count, ops.COUNT_SNAPSHOTS, filter)

    # --- jobs (tenant-wide) ----------------------------------------------------------------------

    def iter_jobs_raw(self, query: ListQuery | None = None) -> ItemStream:
        """Jobs of both kinds, all snapshots (Get-MgDirectoryRecoveryJob)."""
        return self._list(self._recovery().jobs, ops.LIST_JOBS, query or ListQuery())

    async def get_job_raw(self, job_id: str, *, select: Sequence[str] | None = None) -> Json:
        builder = self._recovery().jobs.by_recovery_job_base_id(job_id)
        return await self._get_object(builder, ops.GET_JOB.describe(job=job_id), select)

    async def count_jobs(self, *, filter: str | None = None) -> int:
        return await self._count(self._recovery().jobs.count, ops.COUNT_JOBS, filter)

    async def request_cancel(self, job_id: str) -> str | None:
        """Cancel a job (Stop-MgDirectoryRecoveryJob); return the validated `Location`, if any.

        The job is read first: to say clearly when it does not exist, and to ask for the scope
        that matches its kind (the cancel permission is undocumented).
        """
        job = Job.from_json(await self.get_job_raw(job_id))
        operation = {
            JobKind.PREVIEW: ops.CANCEL_PREVIEW_JOB,
            JobKind.RECOVERY: ops.CANCEL_RECOVERY_JOB,
        }.get(job.kind, ops.CANCEL_JOB)
        builder = self._recovery().jobs.by_recovery_job_base_id(job_id)
        info = builder.microsoft_graph_entra_recovery_services_cancel.to_post_request_information()
        response = await self.transport.send(info, operation.describe(job=job_id))
        location = response.headers.get("location")
        if location:
            raw.job_id_from_location(location, self.settings, collection="jobs")
        return location

    # --- preview and recovery jobs of a snapshot -----------------------------------------------

    def _snapshot_jobs(self, snapshot_id: str, kind: JobKind) -> Any:
        item = self._recovery().snapshots.by_snapshot_id(snapshot_id)
        return item.recovery_preview_jobs if kind is JobKind.PREVIEW else item.recovery_jobs

    def iter_preview_jobs_raw(self, snapshot_id: str, query: ListQuery | None = None) -> ItemStream:
        operation = ops.LIST_PREVIEW_JOBS.describe(snapshot=snapshot_id)
        return self._list(
            self._snapshot_jobs(snapshot_id, JobKind.PREVIEW), operation, query or ListQuery()
        )

    def iter_recovery_jobs_raw(
        self, snapshot_id: str, query: ListQuery | None = None
    ) -> ItemStream:
        operation = ops.LIST_RECOVERY_JOBS.describe(snapshot=snapshot_id)
        return self._list(
            self._snapshot_jobs(snapshot_id, JobKind.RECOVERY), operation, query or ListQuery()
        )

    async def get_preview_job_raw(
        self, snapshot_id: str, job_id: str, *, select: Sequence[str] | None = None
    ) -> Json:
        builder = self._snapshot_jobs(snapshot_id, JobKind.PREVIEW).by_recovery_preview_job_id(
            job_id
        )
        operation = ops.GET_PREVIEW_JOB.describe(job=job_id)
        return await self._scoped(self._get_object(builder, operation, select), snapshot_id)

    async def get_recovery_job_raw(
        self, snapshot_id: str, job_id: str, *, select: Sequence[str] | None = None
    ) -> Json:
        builder = self._snapshot_jobs(snapshot_id, JobKind.RECOVERY).by_recovery_job_id(job_id)
        operation = ops.GET_RECOVERY_JOB.describe(job=job_id)
        return await self._scoped(self._get_object(builder, operation, select), snapshot_id)

    async def count_preview_jobs(self, snapshot_id: str, *, filter: str | None = None) -> int:
        builder = self._snapshot_jobs(snapshot_id, JobKind.PREVIEW).count
        operation = ops.COUNT_PREVIEW_JOBS.describe(snapshot=snapshot_id)
        return await self._scoped(self._count(builder, operation, filter), snapshot_id)

    async def count_recovery_jobs(self, snapshot_id: str, *, filter: str | None = None) -> int:
        builder = self._snapshot_jobs(snapshot_id, JobKind.RECOVERY).count
        operation = ops.COUNT_RECOVERY_JOBS.describe(snapshot=snapshot_id)
        return await self._scoped(self._count(builder, operation, filter), snapshot_id)

    async def _scoped(self, call: Awaitable[T], snapshot_id: str) -> T:
        """Await a snapshot-scoped call; a 404 for an unknown snapshot lists the available ones."""
        try:
            return await call
        except NotFoundError as exc:
            raise await explain_missing_snapshot(self, exc, snapshot_id) from None

    async def create_preview_job(self, snapshot_id: str, criteria: FilteringCriteria) -> str:
        """POST a preview job (raw URL: no builder); return the id from `Location`."""
        operation = ops.CREATE_PREVIEW_JOB.describe(snapshot=snapshot_id)
        info = raw.create_preview_job_request(snapshot_id, criteria)
        return await self._create(info, operation, snapshot_id, "recoveryPreviewJobs")

    async def create_recovery_job(self, snapshot_id: str, criteria: FilteringCriteria) -> str:
        """POST a recovery job (writes to the tenant; raw URL: no builder); return its id."""
        operation = ops.CREATE_RECOVERY_JOB.describe(snapshot=snapshot_id)
        info = raw.create_recovery_job_request(snapshot_id, criteria)
        return await self._create(info, operation, snapshot_id, "recoveryJobs")

    async def _create(
        self, info: Any, operation: Operation, snapshot_id: str, collection: str
    ) -> str:
        try:
            response = await self.transport.send(info, operation)
        except NotFoundError as exc:
            raise await explain_missing_snapshot(self, exc, snapshot_id) from None
        except JobConflictError as exc:
            raise await explain_conflict(self, exc) from None
        return raw.job_id_from_location(
            response.headers.get("location"), self.settings, collection=collection
        )

    # --- changes -----------------------------------------------------------------------------

    def iter_changes_raw(
        self, snapshot_id: str, job_id: str, query: ListQuery | None = None
    ) -> ItemStream:
        """Every change of a successful preview job, raw (getChanges; $top=999 by default)."""
        query = query or ListQuery()
        info = raw.get_changes_request(snapshot_id, job_id, **query.change_parameters())
        operation = ops.GET_CHANGES.describe(job=job_id)
        return iter_items(
            self.transport, info, operation, limit=query.top, all_pages=query.all_pages
        )

    def iter_failed_changes_raw(
        self, snapshot_id: str, job_id: str, query: ListQuery | None = None
    ) -> ItemStream:
        """Every failed change of a recovery job, raw (getFailedChanges)."""
        query = query or ListQuery()
        info = raw.get_failed_changes_request(snapshot_id, job_id, **query.change_parameters())
        operation = ops.GET_FAILED_CHANGES.describe(job=job_id)
        return iter_items(
            self.transport, info, operation, limit=query.top, all_pages=query.all_pages
        )

    # --- GraphApi (our models, for the runner) ---------------------------------------------------

    async def identity(self) -> Identity:
        """Claims of the token in use (tenant, user, scopes), read without verifying."""
        return await identity_from_credential(self._get_credential(), self._method)

    async def list_snapshots(self) -> list[Snapshot]:
        return [Snapshot.from_json(s) async for s in self.iter_snapshots_raw()]

    async def get_snapshot(self, snapshot_id: str) -> Snapshot:
        return Snapshot.from_json(await self.get_snapshot_raw(snapshot_id))

    async def list_jobs(self, *, filter: str | None = None) -> list[Job]:
        return [Job.from_json(j) async for j in self.iter_jobs_raw(ListQuery(filter=filter))]

    async def get_job(self, job_id: str) -> Job:
        return Job.from_json(await self.get_job_raw(job_id))

    async def get_preview_job(self, snapshot_id: str, job_id: str) -> Job:
        data = await self.get_preview_job_raw(snapshot_id, job_id)
        return Job.from_json(data, kind=JobKind.PREVIEW)

    async def get_recovery_job(self, snapshot_id: str, job_id: str) -> Job:
        data = await self.get_recovery_job_raw(snapshot_id, job_id)
        return Job.from_json(data, kind=JobKind.RECOVERY)

    async def start_preview_job(self, snapshot_id: str, criteria: FilteringCriteria) -> str:
        return await self.create_preview_job(snapshot_id, criteria)

    async def start_recovery_job(self, snapshot_id: str, criteria: FilteringCriteria) -> str:
        return await self.create_recovery_job(snapshot_id, criteria)

    async def cancel_job(self, job_id: str) -> None:
        await self.request_cancel(job_id)

    async def iter_change_pages(
        self, snapshot_id: str, job_id: str, *, top: int = 999
    ) -> AsyncGenerator[ChangePage, None]:
        info = raw.get_changes_request(snapshot_id, job_id, top=top)
        operation = ops.GET_CHANGES.describe(job=job_id)
        async with aclosing(iter_pages(self.transport, info, operation)) as pages:
            async for page in pages:
                yield page.items

    async def iter_failed_change_pages(
        self, snapshot_id: str, job_id: str, *, top: int = 999
    ) -> AsyncGenerator[ChangePage, None]:
        info = raw.get_failed_changes_request(snapshot_id, job_id, top=top)
        operation = ops.GET_FAILED_CHANGES.describe(job=job_id)
        async with aclosing(iter_pages(self.transport, info, operation)) as pages:
            async for page in pages:
                yield page.items


def make_client(settings: GraphSettings, **kwargs: Any) -> GraphClient:
    """A `GraphClient` for these settings (use it with `async with`)."""
    return GraphClient(settings, **kwargs)


@contextlib.asynccontextmanager
async def open_client(
    settings: GraphSettings, *, permissions: Sequence[str] = READ, **kwargs: Any
) -> AsyncIterator[GraphClient]:
    """A `GraphClient` for a session needing `permissions`, closed when the block ends."""
    client = GraphClient(settings, permissions=permissions, **kwargs)
    try:
        yield client
    finally:
        await client.aclose()

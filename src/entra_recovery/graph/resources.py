"""
The four readable collections of `/directory/recovery`, as one table.

Snapshots, jobs (tenant-wide, both kinds), and the preview jobs and recovery jobs of a snapshot
each have the same three operations, and one Graph PowerShell cmdlet for them (plus its
`...Count` twin): list (`Get-Mg...`), get (`Get-Mg... -Id`) and count. A `Resource` says how to
reach its request builders, what the operations are called in messages (and so which scope and
role they need) and what its parity functions and CLI group are named. `GraphClient.listing`,
`.get` and `.count`, the parity functions and the CLI commands are all driven by this table, and
a test holds docs/powershell-parity.md to it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING
from typing import Any
from typing import Generic
from typing import Protocol
from typing import TypeVar

from entra_recovery.constants import SCOPE_READ
from entra_recovery.errors import UsageError
from entra_recovery.graph.models import JobKind
from entra_recovery.graph.operations import ROLE_READER
from entra_recovery.graph.operations import Operation
from entra_recovery.graph.pipeline import GetBuilder

if TYPE_CHECKING:
    from msgraph.generated.directory.recovery.jobs.jobs_request_builder import JobsRequestBuilder
    from msgraph.generated.directory.recovery.recovery_request_builder import RecoveryRequestBuilder
    from msgraph.generated.directory.recovery.snapshots.item.recovery_jobs.recovery_jobs_request_builder import (  # noqa: E501
        RecoveryJobsRequestBuilder,
    )
    from msgraph.generated.directory.recovery.snapshots.item.recovery_preview_jobs.recovery_preview_jobs_request_builder import (  # noqa: E501
        RecoveryPreviewJobsRequestBuilder,
    )
    from msgraph.generated.directory.recovery.snapshots.snapshots_request_builder import (
        SnapshotsRequestBuilder,
    )


class CollectionBuilder(GetBuilder, Protocol):
    """A generated collection builder: GET lists it, `.count` counts it."""

    @property
    def count(self) -> GetBuilder: ...


C = TypeVar("C", bound=CollectionBuilder)


@dataclass(frozen=True)
class Resource(Generic[C]):
    """One collection of `/directory/recovery` and everything named after it.

    Attributes:
        name: Python plural, e.g. `preview_jobs`: `list_preview_jobs`, `count_preview_jobs`.
        item: Python singular, e.g. `preview_job`: `get_preview_job`, CLI group `preview-job`.
        cmdlet: the v1.0 Graph PowerShell cmdlet that lists and gets it (`Get-Mg...`); the
            count cmdlet adds `Count`, the beta ones insert `Beta` after `Mg`.
        collection: reaches its collection builder from `client.directory.recovery` (and the
            snapshot id, for a snapshot-scoped resource).
        by_id: reaches an item builder from the collection builder.
        snapshot_scoped: lives under one snapshot (`.../snapshots/{id}/...`), so a 404 may
            mean the snapshot is gone (the error then lists the snapshots that exist).
        items_are_snapshots: its ids are snapshot ids (the same 404 explanation for `get`).
        job_kind: what kind of job its items are (None: not jobs; UNKNOWN: either kind).
        filterable: whether its list documents `$filter` (reference section 2.2: the job
            collections do, snapshots do not); a filter is refused before sending otherwise.
    """

    name: str
    item: str
    cmdlet: str
    collection: Callable[[RecoveryRequestBuilder, str], C]
    by_id: Callable[[C, str], GetBuilder]
    snapshot_scoped: bool = False
    items_are_snapshots: bool = False
    job_kind: JobKind | None = None
    filterable: bool = True

    def check_filter(self, filter: str | None) -> None:
        """Refuse a `$filter` its documentation does not list (UsageError, nothing sent)."""
        if filter and not self.filterable:
            raise UsageError(
                f"$filter is not sent when listing or counting {self.plural}: the documentation "
                f"lists only $select, $top and $orderby for {self.plural} (whether Graph supports "
                "$filter there is UNCONFIRMED)",
                hint="sort and cut instead (--orderby 'createdDateTime desc' --top 1), or filter "
                "the output (-o json | jq ...)",
            )

    @property
    def plural(self) -> str:
        """The plural in words, e.g. `preview jobs` (messages, table titles)."""
        return self.name.replace("_", " ")

    @property
    def singular(self) -> str:
        """The singular in words, e.g. `preview job`."""
        return self.item.replace("_", " ")

    @property
    def cli_group(self) -> str:
        """The CLI command group, e.g. `preview-job`."""
        return self.item.replace("_", "-")

    @property
    def count_cmdlet(self) -> str:
        return f"{self.cmdlet}Count"

    def list_operation(self, snapshot_id: str | None = None) -> Operation:
        """Listing it, e.g. `listing preview jobs of snapshot SID`."""
        return _read(f"listing {self.plural}{self._of(snapshot_id)}")

    def get_operation(self, item_id: str) -> Operation:
        """Reading one item, e.g. `reading preview job JID`."""
        return _read(f"reading {self.singular} {item_id}")

    def count_operation(self, snapshot_id: str | None = None) -> Operation:
        """Counting it, e.g. `counting preview jobs of snapshot SID`."""
        return _read(f"counting {self.plural}{self._of(snapshot_id)}")

    def _of(self, snapshot_id: str | None) -> str:
        return f" of snapshot {snapshot_id}" if self.snapshot_scoped else ""


def _read(action: str) -> Operation:
    return Operation(action, (SCOPE_READ,), ROLE_READER)


SNAPSHOTS: Resource[SnapshotsRequestBuilder] = Resource(
    name="snapshots",
    item="snapshot",
    cmdlet="Get-MgDirectoryRecoverySnapshot",
    collection=lambda recovery, _: recovery.snapshots,
    by_id=lambda snapshots, snapshot_id: snapshots.by_snapshot_id(snapshot_id),
    items_are_snapshots=True,
    filterable=False,
)
JOBS: Resource[JobsRequestBuilder] = Resource(
    name="jobs",
    item="job",
    cmdlet="Get-MgDirectoryRecoveryJob",
    collection=lambda recovery, _: recovery.jobs,
    by_id=lambda jobs, job_id: jobs.by_recovery_job_base_id(job_id),
    job_kind=JobKind.UNKNOWN,
)
PREVIEW_JOBS: Resource[RecoveryPreviewJobsRequestBuilder] = Resource(
    name="preview_jobs",
    item="preview_job",
    cmdlet="Get-MgDirectoryRecoverySnapshotRecoveryPreviewJob",
    collection=lambda recovery, sid: recovery.snapshots.by_snapshot_id(sid).recovery_preview_jobs,
    by_id=lambda jobs, job_id: jobs.by_recovery_preview_job_id(job_id),
    snapshot_scoped=True,
    job_kind=JobKind.PREVIEW,
)
RECOVERY_JOBS: Resource[RecoveryJobsRequestBuilder] = Resource(
    name="recovery_jobs",
    item="recovery_job",
    cmdlet="Get-MgDirectoryRecoverySnapshotRecoveryJob",
    collection=lambda recovery, sid: recovery.snapshots.by_snapshot_id(sid).recovery_jobs,
    by_id=lambda jobs, job_id: jobs.by_recovery_job_id(job_id),
    snapshot_scoped=True,
    job_kind=JobKind.RECOVERY,
)

# Every resource, in the order of the cmdlet table in docs/powershell-parity.md.
RESOURCES: tuple[Resource[Any], ...] = (SNAPSHOTS, JOBS, PREVIEW_JOBS, RECOVERY_JOBS)

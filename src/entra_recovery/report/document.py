"""
The `Report`: one object every renderer consumes.

Step in the flow: after a preview (and possibly an apply) the runner assembles a `Report` from
the plan, the resolved snapshot, the preview job, the diff, the fingerprint and the guard
results; the CLI hands it to one or more renderers. Nothing here performs I/O or reads the
clock: `generated_at` is supplied by the caller.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from dataclasses import field
from datetime import datetime
from typing import Any
from typing import Final

from entra_recovery.constants import VERSION
from entra_recovery.diff.compare import DiffComparison
from entra_recovery.diff.guards import GuardResult
from entra_recovery.diff.guards import guards_ok
from entra_recovery.diff.model import Diff
from entra_recovery.diff.model import ObjectChange
from entra_recovery.timestamps import iso_z

TOOL_NAME: Final = "entra-recovery"

STATUS_NO_CHANGES: Final = "no-changes"
STATUS_CHANGES: Final = "changes"
STATUS_REFUSED: Final = "refused"
STATUS_APPLIED: Final = "applied"
STATUS_FAILED_CHANGES: Final = "failed-changes"
STATUS_FAILED: Final = "failed"
REPORT_STATUSES: Final = (
    STATUS_NO_CHANGES,
    STATUS_CHANGES,
    STATUS_REFUSED,
    STATUS_APPLIED,
    STATUS_FAILED_CHANGES,
    STATUS_FAILED,
)
_APPLY_STATUSES: Final = (STATUS_REFUSED, STATUS_APPLIED, STATUS_FAILED_CHANGES, STATUS_FAILED)


@dataclass(frozen=True, slots=True)
class PlanInfo:
    """The plan a report is about (from the plan file's metadata)."""

    name: str
    file: str | None = None
    sha256: str | None = None
    mode: str = "preview"
    change: str | None = None
    owner: str | None = None
    reviewers: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class SnapshotInfo:
    """The snapshot the preview compares against."""

    id: str
    created: datetime | None = None


@dataclass(frozen=True, slots=True)
class JobInfo:
    """The preview job: id, status (wire value) and the service's totals."""

    id: str | None
    status: str | None
    total_objects: int | None = None
    total_links: int | None = None


@dataclass(frozen=True, slots=True)
class ApplyInfo:
    """The recovery job of an apply, with the changes that failed (`getFailedChanges`)."""

    job_id: str
    status: str
    total_objects_modified: int | None = None
    total_links_modified: int | None = None
    total_failed_changes: int | None = None
    failed_changes: tuple[ObjectChange, ...] = ()


@dataclass(frozen=True, slots=True)
class Report:
    """
    Everything a renderer shows.

    Args:
        plan: plan name, file, sha256, mode, change reference, owner, reviewers.
        diff: the preview's diff.
        generated_at: when the report was made (given by the caller; renderers never read the
            clock). A naive datetime is taken as UTC.
        tool_version: the entra-recovery version.
        tenant: the tenant id.
        snapshot: the snapshot id and creation time.
        job: the preview job.
        fingerprint: `sha256:<hex>` of the change set (`diff.fingerprint`).
        approve_command: the command line that applies exactly this change set.
        guards: results of `evaluate_guards`.
        apply: the recovery job section of an apply report.
        status: one of REPORT_STATUSES (or a newer value); None computes it with
            `default_status`.
        comparison: how a fresh preview differs from the approved one (fingerprint mismatch).
        scope: a human description of the filtering criteria.
        messages: extra lines to show prominently, e.g. why an apply was refused.
    """

    plan: PlanInfo
    diff: Diff
    generated_at: datetime
    tool_version: str = VERSION
    tenant: str | None = None
    snapshot: SnapshotInfo | None = None
    job: JobInfo | None = None
    fingerprint: str | None = None
    approve_command: str | None = None
    guards: tuple[GuardResult, ...] = ()
    apply: ApplyInfo | None = None
    status: str | None = None
    comparison: DiffComparison | None = None
    scope: str | None = None
    messages: tuple[str, ...] = field(default=())

    def __post_init__(self) -> None:
        if self.status is None:
            object.__setattr__(self, "status", default_status(self.diff, self.apply))

    @property
    def kind(self) -> str:
        """`apply` for an apply run (finished or refused), otherwise `preview`."""
        if self.apply is not None or self.status in _APPLY_STATUSES:
            return "apply"
        return "preview"

    @property
    def guards_ok(self) -> bool:
        """True when every guard passed (`diff.guards_ok`)."""
        return guards_ok(self.guards)

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Report:
        """Load a report written by the JSON renderer (see `report.serialize`)."""
        from entra_recovery.report.serialize import report_from_json

        return report_from_json(data)


def default_status(diff: Diff, apply: ApplyInfo | None) -> str:
    """`no-changes`/`changes` for a preview; `applied`/`failed-changes`/`failed` for an apply."""
    if apply is not None:
        if apply.failed_changes or apply.total_failed_changes:
            return STATUS_FAILED_CHANGES
        return STATUS_APPLIED if apply.status == "successful" else STATUS_FAILED
    return STATUS_NO_CHANGES if diff.is_empty else STATUS_CHANGES


def format_time(value: datetime | None) -> str | None:
    """`timestamps.iso_z`, None kept."""
    return None if value is None else iso_z(value)

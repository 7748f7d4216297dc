"""
The public results of `entra_recovery.preview` and `entra_recovery.apply`.

Step in the flow: the last one, seen from Python. The runner's own records
(`runner.results.Preview`, `runner.results.ApplyResult`) carry everything the runner, its
journal and its gates need, and may change with them; these two thin, frozen facades are what
scripts hold, and they follow the semantic-versioning promise of docs/python-api.md. Both read
the runner's record and build reports through `runner.reporting.build_report`, exactly as the
CLI does, so a report rendered here is the CLI's report for the same run.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from dataclasses import field
from datetime import datetime
from typing import Any
from typing import Final

from entra_recovery.constants import ExitCode
from entra_recovery.diff import GuardResult
from entra_recovery.diff import ObjectChange
from entra_recovery.plan import Plan
from entra_recovery.report import RENDERERS
from entra_recovery.report import render
from entra_recovery.report import report_to_json
from entra_recovery.runner import results as runner_results
from entra_recovery.runner.reporting import build_report

REPORT_FORMATS: Final[tuple[str, ...]] = tuple(RENDERERS)
"""Every format `Preview.render` and `ApplyResult.render` accept, as the CLI's `--format`."""


def _check_format(format: str) -> str:
    if format not in RENDERERS:
        raise ValueError(
            f"unknown report format {format!r}; use one of {', '.join(REPORT_FORMATS)}"
        )
    return format


@dataclass(frozen=True)
class Preview:
    """A finished preview: what recovering the plan would change, and its fingerprint.

    Made by `entra_recovery.preview` (and handed to `apply`'s `confirm`); not built by callers.
    """

    _result: runner_results.Preview = field(repr=False)

    @property
    def plan(self) -> Plan:
        """The plan that was previewed."""
        return self._result.plan

    @property
    def fingerprint(self) -> str:
        """`sha256:<64 hex>` of the change set: what `apply(fingerprint=...)` approves."""
        return self._result.fingerprint

    @property
    def changes(self) -> tuple[ObjectChange, ...]:
        """One `ObjectChange` per directory object, sorted by type, display name and id."""
        return self._result.diff.changes

    @property
    def summary(self) -> Mapping[str, Mapping[str, int]]:
        """Number of objects by entity type, then by action (the JSON report's `summary`)."""
        return self._result.diff.counts

    @property
    def has_changes(self) -> bool:
        """True when the recovery would change at least one object."""
        return self._result.has_changes

    @property
    def exit_code(self) -> ExitCode:
        """What `plan preview` exits with: `CHANGES` (2) when there is drift, else `OK` (0)."""
        return ExitCode.CHANGES if self._result.has_changes else ExitCode.OK

    @property
    def guards(self) -> tuple[GuardResult, ...]:
        """Every guard of the plan, checked against this change set."""
        return self._result.guards

    @property
    def guards_ok(self) -> bool:
        """True when every guard passed (an apply would otherwise be refused)."""
        return self._result.guards_ok

    @property
    def snapshot_id(self) -> str:
        """The snapshot the plan resolved to."""
        return self._result.snapshot.id

    @property
    def snapshot_created(self) -> datetime | None:
        """When that snapshot was taken, when the service says."""
        return self._result.snapshot.created

    @property
    def job_id(self) -> str:
        """The preview job's id."""
        return self._result.job.id

    @property
    def run_id(self) -> str:
        """The run's id in the state directory (`entra-recovery run show RUN_ID`)."""
        return self._result.run_id

    @property
    def generated_at(self) -> datetime:
        """When the preview finished (UTC)."""
        return self._result.generated_at

    def render(self, format: str = "terminal") -> str:
        """The report in one of `REPORT_FORMATS`, as `plan preview --format` writes it.

        Raises:
            ValueError: for a format name not in `REPORT_FORMATS`.
        """
        return render(build_report(self._result), _check_format(format))

    def to_json(self) -> dict[str, Any]:
        """The JSON report as a dict (`schemas/diff-report.schema.json`)."""
        return report_to_json(build_report(self._result))

    def __repr__(self) -> str:
        return (
            f"Preview(plan={self.plan.name!r}, fingerprint={self.fingerprint!r}, "
            f"changes=<{len(self.changes)}>, snapshot_id={self.snapshot_id!r})"
        )


@dataclass(frozen=True)
class ApplyResult:
    """A finished apply: the fresh preview it ran, the recovery job and its failed changes.

    Made by `entra_recovery.apply`; not built by callers.
    """

    _result: runner_results.ApplyResult = field(repr=False)

    @property
    def preview(self) -> Preview:
        """The fresh preview this apply ran and approved (same fingerprint as reviewed)."""
        return Preview(self._result.preview)

    @property
    def job_id(self) -> str | None:
        """The recovery job's id; None when the fresh preview had nothing to recover."""
        job = self._result.job
        return None if job is None else job.id

    @property
    def status(self) -> str | None:
        """The recovery job's final status as Graph spells it (`successful`, ...), or None."""
        job = self._result.job
        return None if job is None else job.status_text

    @property
    def failed(self) -> tuple[ObjectChange, ...]:
        """The changes the service could not apply (`getFailedChanges`), each with a message."""
        return self._result.failed.changes

    @property
    def succeeded(self) -> bool:
        """True when the job succeeded with no failed change, or there was nothing to do."""
        return self._result.succeeded

    @property
    def exit_code(self) -> ExitCode:
        """What `plan apply` exits with: `FAILED_CHANGES` (4) or `OK` (0)."""
        return ExitCode.FAILED_CHANGES if self._result.failed.changes else ExitCode.OK

    @property
    def run_id(self) -> str:
        """The run's id in the state directory (`entra-recovery run show RUN_ID`)."""
        return self._result.preview.run_id

    @property
    def finished_at(self) -> datetime:
        """When the apply finished (UTC)."""
        return self._result.finished_at

    def render(self, format: str = "terminal") -> str:
        """The apply report in one of `REPORT_FORMATS`, as `plan apply --format` writes it.

        Raises:
            ValueError: for a format name not in `REPORT_FORMATS`.
        """
        report = build_report(self._result.preview, self._result)
        return render(report, _check_format(format))

    def to_json(self) -> dict[str, Any]:
        """The JSON apply report as a dict (`schemas/diff-report.schema.json`)."""
        return report_to_json(build_report(self._result.preview, self._result))

    def __repr__(self) -> str:
        return (
            f"ApplyResult(plan={self.preview.plan.name!r}, job_id={self.job_id!r}, "
            f"status={self.status!r}, failed=<{len(self.failed)}>)"
        )


__all__ = ["REPORT_FORMATS", "ApplyResult", "Preview"]

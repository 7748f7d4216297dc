"""
The batch index model: one row per plan of a `plan preview` batch, and `summary.json`.

Step in the flow: after every plan of a batch was previewed (or failed to load, was refused, or
errored), the CLI records one `BatchEntry` per plan and a `BatchSummary` over them; the
renderers of `report.batchindex` and `report.chat` and the JSON form below read it. Pure: no
I/O, no clock (the caller gives the start and end times), nothing a gate depends on.
"""

from __future__ import annotations

import enum
import json
from collections.abc import Iterable
from collections.abc import Mapping
from dataclasses import dataclass
from dataclasses import field
from datetime import datetime
from typing import Any
from typing import Final

from entra_recovery.constants import VERSION
from entra_recovery.constants import ExitCode
from entra_recovery.report.document import TOOL_NAME
from entra_recovery.timestamps import iso_z

BATCH_FORMAT_VERSION: Final = "1.0"
BATCH_SUMMARY_SCHEMA_FILE: Final = "batch-summary.schema.json"

# The batch index files written into --output-dir, by format.
SUMMARY_JSON: Final = "summary.json"
SUMMARY_MARKDOWN: Final = "summary.md"
SUMMARY_JUNIT: Final = "junit.xml"
SUMMARY_HTML: Final = "index.html"
INDEX_FILES: Final = (SUMMARY_JSON, SUMMARY_MARKDOWN, SUMMARY_JUNIT, SUMMARY_HTML)


class PlanOutcome(enum.StrEnum):
    """How one plan of a batch ended."""

    CLEAN = "clean"  # previewed: the tenant matches the snapshot for the plan's scope
    CHANGES = "changes"  # previewed: a recovery would change something
    REFUSED = "refused"  # a gate refused the plan (e.g. a sign-in for another tenant)
    ERROR = "error"  # the plan did not load or validate, or its preview failed

    @property
    def failed(self) -> bool:
        """True when the plan was not previewed (it counts as a failure of the batch)."""
        return self in (PlanOutcome.REFUSED, PlanOutcome.ERROR)


class BatchStatus(enum.StrEnum):
    """The batch's `status` in summary.json, matching its exit code."""

    CLEAN = "clean"
    CHANGES = "changes"
    FAILED = "failed"


@dataclass(frozen=True, slots=True)
class BatchEntry:
    """
    One plan of a batch.

    Args:
        file: the plan file as given (or found in a folder).
        outcome: how the plan ended.
        name: `metadata.name`; None when the plan did not load.
        tenant: the plan's tenant; None when the plan did not load.
        snapshot_id: the snapshot the preview compared against (previewed plans only).
        fingerprint: the change set's fingerprint (previewed plans only).
        counts: objects by action (previewed plans only; empty when clean).
        reports: the report files written for the plan, by format, relative to --output-dir.
        error: the error or refusal message.
        problems: `file:line:col: message` for each problem of a plan that did not load.
        guards_ok: False when a guard of the plan was violated (previewed plans only).
    """

    file: str
    outcome: PlanOutcome
    name: str | None = None
    tenant: str | None = None
    snapshot_id: str | None = None
    fingerprint: str | None = None
    counts: Mapping[str, int] = field(default_factory=dict)
    reports: Mapping[str, str] = field(default_factory=dict)
    error: str | None = None
    problems: tuple[str, ...] = ()
    guards_ok: bool | None = None

    @property
    def label(self) -> str:
        """The plan's name, or its file when it did not load."""
        return self.name or self.file

    @property
    def total_changes(self) -> int:
        return sum(self.counts.values())


def exit_code_of(outcomes: Iterable[PlanOutcome]) -> ExitCode:
    """1 if any plan errored or was refused, else 2 if any plan has changes, else 0."""
    seen = set(outcomes)
    if any(outcome.failed for outcome in seen):
        return ExitCode.ERROR
    if PlanOutcome.CHANGES in seen:
        return ExitCode.CHANGES
    return ExitCode.OK


@dataclass(frozen=True, slots=True)
class BatchSummary:
    """Every plan of a batch, in the order the plans were given, and when the batch ran."""

    entries: tuple[BatchEntry, ...]
    started_at: datetime
    finished_at: datetime
    tool_version: str = VERSION

    @property
    def exit_code(self) -> ExitCode:
        """`exit_code_of` the outcomes; a batch of one refused plan exits 3, as a single plan
        always has."""
        if len(self.entries) == 1 and self.entries[0].outcome is PlanOutcome.REFUSED:
            return ExitCode.REFUSED
        return exit_code_of(tuple(entry.outcome for entry in self.entries))

    @property
    def status(self) -> BatchStatus:
        code = self.exit_code
        if code is ExitCode.ERROR:
            return BatchStatus.FAILED
        return BatchStatus.CHANGES if code is ExitCode.CHANGES else BatchStatus.CLEAN

    def count(self, outcome: PlanOutcome) -> int:
        return sum(1 for entry in self.entries if entry.outcome is outcome)

    @property
    def action_totals(self) -> dict[str, int]:
        """Objects by action over every previewed plan (known actions first, then by name)."""
        totals: dict[str, int] = {}
        for entry in self.entries:
            for action, count in entry.counts.items():
                totals[action] = totals.get(action, 0) + count
        return dict(sorted(totals.items(), key=lambda item: (_action_rank(item[0]), item[0])))

    @property
    def headline(self) -> str:
        """`3 plans: 1 clean, 1 with changes, 0 refused, 1 error`."""
        plans = len(self.entries)
        noun = "plan" if plans == 1 else "plans"
        return (
            f"{plans} {noun}: {self.count(PlanOutcome.CLEAN)} clean, "
            f"{self.count(PlanOutcome.CHANGES)} with changes, "
            f"{self.count(PlanOutcome.REFUSED)} refused, {self.count(PlanOutcome.ERROR)} error"
        )


_ACTION_ORDER: Final = ("update", "restore", "softDelete")


def _action_rank(action: str) -> int:
    return _ACTION_ORDER.index(action) if action in _ACTION_ORDER else len(_ACTION_ORDER)


def counts_text(counts: Mapping[str, int]) -> str:
    """`2 update, 1 restore` (or `-` when there is nothing)."""
    ordered = sorted(counts.items(), key=lambda item: (_action_rank(item[0]), item[0]))
    return ", ".join(f"{n} {action}" for action, n in ordered if n) or "-"


def summary_to_json(summary: BatchSummary) -> dict[str, Any]:
    """The summary.json document (schemas/batch-summary.schema.json), keys in a stable order."""
    return {
        "format_version": BATCH_FORMAT_VERSION,
        "status": str(summary.status),
        "exitCode": int(summary.exit_code),
        "tool": {"name": TOOL_NAME, "version": summary.tool_version},
        "startedAt": iso_z(summary.started_at),
        "finishedAt": iso_z(summary.finished_at),
        "totals": {
            "plans": len(summary.entries),
            **{str(outcome): summary.count(outcome) for outcome in PlanOutcome},
            "byAction": summary.action_totals,
        },
        "plans": [_entry_to_json(entry) for entry in summary.entries],
    }


def _entry_to_json(entry: BatchEntry) -> dict[str, Any]:
    return {
        "name": entry.name,
        "file": entry.file,
        "tenant": entry.tenant,
        "snapshotId": entry.snapshot_id,
        "outcome": str(entry.outcome),
        "byAction": dict(entry.counts),
        "totalChanges": entry.total_changes,
        "fingerprint": entry.fingerprint,
        "guardsOk": entry.guards_ok,
        "reports": dict(entry.reports),
        "error": entry.error,
        "problems": list(entry.problems),
    }


def render_json(summary: BatchSummary) -> str:
    """summary.json's text: indented, ASCII only (any character a path or message can hold,
    lone surrogates included, is a JSON escape), a newline at the end."""
    return json.dumps(summary_to_json(summary), indent=2, ensure_ascii=True) + "\n"

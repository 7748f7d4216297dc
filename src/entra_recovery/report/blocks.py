"""
The content of the blocks every human-readable renderer shows: header, fingerprint, apply.

Step in the flow: `Report` -> these small records -> the terminal, Markdown and HTML renderers,
which only format them. Which facts a block holds, in which order, under which label and with
which value is decided here once; escaping, markup and layout are the renderers' business.
Values are raw text from the report (tenant text included): every renderer escapes them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from entra_recovery.report.document import ApplyInfo
from entra_recovery.report.document import Report
from entra_recovery.report.document import format_time

# Keys of the header rows whose layout differs between renderers.
ROW_PLAN: Final = "plan"
ROW_MODE: Final = "mode"
ROW_FILE: Final = "file"
ROW_SNAPSHOT: Final = "snapshot"
ROW_JOB: Final = "job"
# Rows whose value is an identifier, path or hash.
_LITERAL_ROWS: Final = frozenset({ROW_FILE, "tenant", ROW_SNAPSHOT, ROW_JOB})


@dataclass(frozen=True, slots=True)
class Note:
    """
    A value qualifying a header row's value: the plan's sha256, the snapshot's creation time.

    `label` names it on a row of its own (`Plan sha256`); `short` names it inside the
    parentheses of a one-line row (`sha256`), empty when the value needs no name (job status).
    """

    label: str
    short: str
    value: str


@dataclass(frozen=True, slots=True)
class HeaderRow:
    """
    One fact of a report's header.

    `value` is None when the report lacks the fact but not its notes (a sha256 without a
    file): empty text counts as no value. `literal` marks identifiers, paths and hashes (code
    font where a format has one).
    """

    key: str
    label: str
    value: str | None
    notes: tuple[Note, ...] = ()
    literal: bool = False


def header_rows(report: Report) -> tuple[HeaderRow, ...]:
    """
    The header facts in display order; a fact the report does not carry has no row.

    Order: plan, file (note: sha256), mode, change, owner, reviewers, tenant, scope, snapshot
    (note: created), preview job (note: status), generated. Renderers that name the plan in
    their title skip the `plan` and `mode` rows.
    """
    plan = report.plan
    snapshot = report.snapshot
    job = report.job
    rows = [
        _row(ROW_PLAN, "Plan", plan.name),
        _row(ROW_FILE, "Plan file", plan.file, Note("Plan sha256", "sha256", plan.sha256 or "")),
        _row(ROW_MODE, "Mode", plan.mode),
        _row("change", "Change", plan.change),
        _row("owner", "Owner", plan.owner),
        _row("reviewers", "Reviewers", ", ".join(plan.reviewers)),
        _row("tenant", "Tenant", report.tenant),
        _row("scope", "Scope", report.scope),
    ]
    if snapshot is not None:
        created = Note("Snapshot created", "created", format_time(snapshot.created) or "")
        rows.append(_row(ROW_SNAPSHOT, "Snapshot", snapshot.id, created))
    if job is not None:
        status = Note("Preview job status", "", str(job.status))
        rows.append(_row(ROW_JOB, "Preview job", str(job.id), status))
    rows.append(_row("generated", "Generated", format_time(report.generated_at)))
    return tuple(row for row in rows if row.value is not None or row.notes)


def _row(key: str, label: str, value: str | None, *notes: Note) -> HeaderRow:
    present = tuple(note for note in notes if note.value)
    return HeaderRow(key, label, value or None, present, key in _LITERAL_ROWS)


def job_totals(report: Report) -> tuple[str, ...]:
    """The preview job's own totals, `10 object(s)`, `5 link(s)`, for those the service gave."""
    job = report.job
    if job is None:
        return ()
    counts = ((job.total_objects, "object(s)"), (job.total_links, "link(s)"))
    return tuple(f"{n} {what}" for n, what in counts if n is not None)


@dataclass(frozen=True, slots=True)
class FingerprintBlock:
    """The fingerprint and, when there is a change set to apply, the command that applies it."""

    fingerprint: str | None
    approve_command: str | None


def fingerprint_block(report: Report) -> FingerprintBlock:
    """The fingerprint block; an empty diff has nothing to apply, so no approve command."""
    command = report.approve_command if not report.diff.is_empty else None
    return FingerprintBlock(report.fingerprint or None, command or None)


def apply_counts(apply: ApplyInfo) -> tuple[tuple[int, str], ...]:
    """
    The recovery job's totals the service gave, as (number, what): `(9, "object(s) modified")`.

    `what` writes a plural as `(s)`; a format that spells plurals out uses `plural(what)`.
    """
    counts = (
        (apply.total_objects_modified, "object(s) modified"),
        (apply.total_links_modified, "link(s) modified"),
        (apply.total_failed_changes, "failed change(s)"),
    )
    return tuple((n, what) for n, what in counts if n is not None)


def plural(what: str) -> str:
    """`object(s) modified` -> `objects modified`."""
    return what.replace("(s)", "s")

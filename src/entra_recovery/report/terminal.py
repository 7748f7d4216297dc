"""
Terminal renderer: a `terraform plan`-like listing grouped by entity type.

Step in the flow: the CLI prints this for `plan preview` / `plan apply` on a terminal.
`~` update, `+` restore, `-` soft delete, `?` an action unknown to us; per property
`~ path: current -> snapshot` with list items added (`+`) and removed (`-`); links as
`+ members: <id>` / `- members: <id>`; then guards, the summary line, the fingerprint and the
command that applies exactly this change set. Colour only when `options.color`.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Final

from entra_recovery.diff.model import LINK_ADD
from entra_recovery.diff.model import ObjectChange
from entra_recovery.report.blocks import ROW_JOB
from entra_recovery.report.blocks import ROW_MODE
from entra_recovery.report.blocks import ROW_PLAN
from entra_recovery.report.blocks import apply_counts
from entra_recovery.report.blocks import fingerprint_block
from entra_recovery.report.blocks import header_rows
from entra_recovery.report.blocks import job_totals
from entra_recovery.report.document import Report
from entra_recovery.report.options import RenderOptions
from entra_recovery.report.text import action_symbol
from entra_recovery.report.text import action_verb
from entra_recovery.report.text import clean
from entra_recovery.report.text import format_value
from entra_recovery.report.text import object_heading
from entra_recovery.report.text import property_symbol
from entra_recovery.report.text import quote
from entra_recovery.report.text import row_view
from entra_recovery.report.text import summary_line
from entra_recovery.report.text import totals_line

_COLORS: Final = {
    "+": "\x1b[32m",
    "-": "\x1b[31m",
    "~": "\x1b[33m",
    "?": "\x1b[35m",
    "!": "\x1b[31;1m",
    "bold": "\x1b[1m",
    "dim": "\x1b[2m",
}
_RESET: Final = "\x1b[0m"


class _Paint:
    __slots__ = ("enabled",)

    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled

    def __call__(self, style: str, text: str) -> str:
        if not self.enabled or style not in _COLORS:
            return text
        return f"{_COLORS[style]}{text}{_RESET}"


def iter_render(report: Report, options: RenderOptions) -> Iterator[str]:
    """The terminal report, one line (with its newline) at a time."""
    paint = _Paint(options.color)
    yield from _header(report, paint)
    for message in report.messages:
        yield paint("!", f"! {clean(message)}") + "\n"
    if report.messages:
        yield "\n"
    if report.comparison is not None and not report.comparison.is_empty:
        yield from _comparison(report, paint)
    yield from _changes(report, options, paint)
    if report.apply is not None:
        yield from _apply(report, options, paint)
    yield from _guards(report, paint)
    yield paint("bold", summary_line(report.diff)) + f" ({totals_line(report.diff)})\n"
    block = fingerprint_block(report)
    if block.fingerprint:
        yield f"Fingerprint: {block.fingerprint}\n"
    if block.approve_command:
        yield "To apply exactly this change set (after review):\n"
        yield f"  {block.approve_command}\n"


def _header(report: Report, paint: _Paint) -> Iterator[str]:
    """The title line, then one `Label:  value (notes)` line per header row."""
    title = f"entra-recovery {report.tool_version}: {report.kind} of plan {report.plan.name}"
    yield paint("bold", title) + f" [{report.status}]\n"
    for row in header_rows(report):
        if row.key in (ROW_PLAN, ROW_MODE) or row.value is None:
            continue  # the title names the plan
        notes = [f"{note.short} {note.value}" if note.short else note.value for note in row.notes]
        if row.key == ROW_JOB:
            notes.extend(job_totals(report))
        text = f"{row.value} ({', '.join(notes)})" if notes else row.value
        yield f"  {row.label + ':':<13}{clean(text)}\n"
    yield "\n"


def _changes(report: Report, options: RenderOptions, paint: _Paint) -> Iterator[str]:
    diff = report.diff
    if diff.is_empty:
        return
    yield (
        "Symbols: "
        + "  ".join(
            paint(s, f"{s} {w}")
            for s, w in (("~", "update"), ("+", "restore"), ("-", "soft delete"), ("?", "other"))
        )
        + "\n\n"
    )
    shown = 0
    limit = options.max_objects
    for entity_type, changes in diff.by_entity_type():
        if limit is not None and shown >= limit:
            break
        yield paint("bold", f"{entity_type} ({len(changes)})") + "\n"
        for change in changes:
            if limit is not None and shown >= limit:
                break
            shown += 1
            yield from _object(change, options, paint)
        yield "\n"
    if shown < diff.total_objects:
        yield paint("dim", f"… {diff.total_objects - shown} more object(s) not shown; use -v")
        yield "\n\n"


def _object(change: ObjectChange, options: RenderOptions, paint: _Paint) -> Iterator[str]:
    symbol = action_symbol(change.action)
    yield f"  {paint(symbol, symbol)} {object_heading(change)} {action_verb(change.action)}\n"
    if change.failure_message is not None:
        yield "      " + paint("!", f"! failed: {quote(change.failure_message)}") + "\n"
    lines = list(_rows(change, options, paint))
    limit = options.max_rows
    for line in lines if limit is None else lines[:limit]:
        yield f"      {line}\n"
    if limit is not None and len(lines) > limit:
        yield "      " + paint("dim", f"… {len(lines) - limit} more row(s); use -v") + "\n"
    for navigation in change.links_not_recovered:
        note = f"! {navigation}: reported by the service but not recovered (left as is)"
        yield "      " + paint("dim", note) + "\n"


def _rows(change: ObjectChange, options: RenderOptions, paint: _Paint) -> Iterator[str]:
    width = options.max_value_chars
    for row in change.properties:
        symbol = property_symbol(row)
        view = row_view(row, width)
        yield f"{paint(symbol, symbol)} {clean(row.path)}: {view.heading}"
        for item in view.added:
            yield "    " + paint("+", f"+ {format_value(item, width)}")
        for item in view.removed:
            yield "    " + paint("-", f"- {format_value(item, width)}")
    for link in change.links:
        symbol = "+" if link.operation == LINK_ADD else "-"
        details = [d for d in (link.target_type, link.target_name) if d]
        suffix = f" ({', '.join(quote(d) if d == link.target_name else clean(d) for d in details)})"
        text = f"{symbol} {clean(link.navigation)}: {clean(link.target_id)}"
        text += suffix if details else ""
        if not link.recovered:
            text += " [not recovered]"
        yield paint(symbol, text)


def _apply(report: Report, options: RenderOptions, paint: _Paint) -> Iterator[str]:
    apply = report.apply
    assert apply is not None
    yield paint("bold", f"Recovery job {apply.job_id}: {apply.status}") + "\n"
    text = ", ".join(f"{n} {what}" for n, what in apply_counts(apply))
    if text:
        yield f"  {text}\n"
    for change in apply.failed_changes:
        yield from _object(change, options, paint)
    yield "\n"


def _comparison(report: Report, paint: _Paint) -> Iterator[str]:
    comparison = report.comparison
    assert comparison is not None
    yield paint("bold", "Changed since the approved preview: " + comparison.describe()) + "\n"
    for change in comparison.added:
        yield "  " + paint("+", f"+ new: {object_heading(change)} ({change.action})") + "\n"
    for change in comparison.removed:
        yield "  " + paint("-", f"- gone: {object_heading(change)} ({change.action})") + "\n"
    for item in comparison.changed:
        what = list(item.properties) + list(item.links)
        if item.action_changed:
            what.insert(0, f"action {item.approved.action} -> {item.fresh.action}")
        yield "  " + paint("~", f"~ changed: {object_heading(item.fresh)}: {'; '.join(what)}")
        yield "\n"
    yield "\n"


def _guards(report: Report, paint: _Paint) -> Iterator[str]:
    if not report.guards:
        return
    yield paint("bold", "Guards:") + "\n"
    for result in report.guards:
        mark = paint("+", "ok  ") if result.ok else paint("!", "FAIL")
        yield f"  {mark} {clean(result.name)}: {clean(result.message)}\n"
        if result.objects:
            yield f"       objects: {clean(', '.join(result.objects))}\n"
    if not report.guards_ok:
        yield paint("!", "  An apply of this plan would be refused by its guards.") + "\n"
    yield "\n"

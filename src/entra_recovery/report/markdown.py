"""
Markdown renderer, sized for a pull-request comment or a CI job summary.

Step in the flow: `plan preview --format markdown` writes this for reviewers. A header table,
the summary per entity type and action, guards, the fingerprint and the approve command, then
one collapsible `<details>` section per object. When the whole text would pass
`options.markdown_limit` characters (default 60,000; GitHub comments stop at 65,536) it keeps
the summary, shows as many objects as fit and points to the full report.

Everything from the tenant is HTML-escaped, and Markdown punctuation and `@` are written as
character references, so names cannot inject markup, links or mentions.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Final

from entra_recovery.diff.model import LINK_ADD
from entra_recovery.diff.model import ObjectChange
from entra_recovery.diff.model import action_order
from entra_recovery.report.blocks import ROW_MODE
from entra_recovery.report.blocks import ROW_PLAN
from entra_recovery.report.blocks import apply_counts
from entra_recovery.report.blocks import fingerprint_block
from entra_recovery.report.blocks import header_rows
from entra_recovery.report.document import Report
from entra_recovery.report.options import RenderOptions
from entra_recovery.report.text import action_symbol
from entra_recovery.report.text import clean
from entra_recovery.report.text import format_value
from entra_recovery.report.text import property_symbol
from entra_recovery.report.text import row_view
from entra_recovery.report.text import summary_line
from entra_recovery.report.text import totals_line

# Rows per object when the caller sets no max_rows (keeps one huge object from eating the page).
DEFAULT_MAX_ROWS: Final = 100
_KNOWN_ACTIONS: Final = ("update", "restore", "softDelete")
# Header notes on a row of their own (a 64-digit hash would crowd its row); others go inline.
_NOTES_ON_OWN_ROW: Final = frozenset({"Plan sha256"})
_ESCAPES: Final = str.maketrans(
    {
        "&": "&amp;",
        "<": "&lt;",
        ">": "&gt;",
        '"': "&quot;",
        "|": "&#124;",
        "`": "&#96;",
        "*": "&#42;",
        "_": "&#95;",
        "[": "&#91;",
        "]": "&#93;",
        "\\": "&#92;",
        "~": "&#126;",
        "@": "&#64;",
        "#": "&#35;",
    }
)


def md(text: str) -> str:
    """Tenant text made inert in Markdown and HTML (one line)."""
    return clean(text).translate(_ESCAPES)


def code(text: str) -> str:
    return f"<code>{md(text)}</code>"


def iter_render(report: Report, options: RenderOptions) -> Iterator[str]:
    """The Markdown report in chunks; buffers at most about `markdown_limit` characters."""
    head = "".join(_head(report))
    tail = "".join(_tail(report, options))
    budget = options.markdown_limit - len(head) - len(tail) - 600
    sections: list[str] = []
    used = 0
    total = report.diff.total_objects
    limit = total if options.max_objects is None else min(total, options.max_objects)
    for index, change in enumerate(report.diff.changes):
        if index >= limit:
            break
        section = _section(change, options)
        if used + len(section) > budget:
            break
        sections.append(section)
        used += len(section)
    yield head
    if total:
        yield f"### Changes ({total} object(s))\n\n"
        if len(sections) < total:
            where = (
                f"the full report: {code(options.full_report)}"
                if options.full_report
                else "the JSON or HTML report (`--format json` / `--format html`) for all objects"
            )
            yield (
                f"> **Note:** Showing {len(sections)} of {total} objects "
                f"to fit a pull-request comment; see {where}.\n\n"
            )
        yield from sections
    yield tail


def _head(report: Report) -> Iterator[str]:
    title = f"entra-recovery {report.kind}: {code(report.plan.name)}"
    yield f"## {title} ({md(str(report.status))})\n\n"
    yield from _header_table(report)
    for message in report.messages:
        yield f"> **Warning:** {md(message)}\n\n"
    yield f"**{md(summary_line(report.diff))}** ({md(totals_line(report.diff))})\n\n"
    yield from _summary_table(report)
    yield from _guards(report)
    block = fingerprint_block(report)
    if block.fingerprint:
        yield f"**Fingerprint:** {code(block.fingerprint)}\n\n"
    if block.approve_command:
        yield "To apply exactly this change set after review:\n\n"
        yield f"<pre>{md(block.approve_command)}</pre>\n\n"
    if report.comparison is not None and not report.comparison.is_empty:
        comparison = report.comparison
        yield f"### Changed since the approved preview\n\n{md(comparison.describe())}\n\n"
        for change in comparison.added:
            yield f"- new: {_title(change)} ({md(change.action)})\n"
        for change in comparison.removed:
            yield f"- gone: {_title(change)} ({md(change.action)})\n"
        for item in comparison.changed:
            what = ", ".join(code(p) for p in (*item.properties, *item.links))
            action = f"action {md(item.approved.action)} → {md(item.fresh.action)}; "
            action = action if item.action_changed else ""
            yield f"- changed: {_title(item.fresh)}: {action}{what}\n"
        yield "\n"


def _header_table(report: Report) -> Iterator[str]:
    """The header rows as a two-column table; literal values (ids, paths) in code font."""
    yield "| | |\n|---|---|\n"
    for row in header_rows(report):
        if row.key in (ROW_PLAN, ROW_MODE):
            continue  # the title names the plan
        own_rows = [note for note in row.notes if note.label in _NOTES_ON_OWN_ROW]
        if row.value is not None:
            cell = code(row.value) if row.literal else md(row.value)
            inline = [md(note.value) for note in row.notes if note not in own_rows]
            if inline:
                cell += f" ({', '.join(inline)})"
            yield f"| {row.label} | {cell} |\n"
        for note in own_rows:
            yield f"| {note.label} | {code(note.value) if row.literal else md(note.value)} |\n"
    yield "\n"


def _summary_table(report: Report) -> Iterator[str]:
    diff = report.diff
    if diff.is_empty:
        return
    yield "| Entity type | update | restore | softDelete | other | Total |\n"
    yield "|---|---:|---:|---:|---:|---:|\n"
    totals = [0, 0, 0, 0]
    for entity_type, actions in diff.counts.items():
        cells = [actions.get(action, 0) for action in _KNOWN_ACTIONS]
        cells.append(sum(n for a, n in actions.items() if a not in _KNOWN_ACTIONS))
        totals = [t + c for t, c in zip(totals, cells, strict=True)]
        yield f"| {md(entity_type)} | " + " | ".join(map(str, cells)) + f" | {sum(cells)} |\n"
    yield "| **Total** | " + " | ".join(map(str, totals)) + f" | {sum(totals)} |\n\n"
    others = sorted((a for a in diff.action_totals if a not in _KNOWN_ACTIONS), key=action_order)
    if others:
        yield "Other actions (unknown to entra-recovery, shown as sent): "
        yield ", ".join(code(a) for a in others) + "\n\n"


def _guards(report: Report) -> Iterator[str]:
    if not report.guards:
        return
    yield "| Guard | Result | Details |\n|---|---|---|\n"
    for result in report.guards:
        mark = "✅ ok" if result.ok else "❌ violated"
        objects = ", ".join(code(o) for o in result.objects)
        details = md(result.message) + (f": {objects}" if objects else "")
        yield f"| {md(result.name)} | {mark} | {details} |\n"
    yield "\n"
    if not report.guards_ok:
        yield "**An apply of this plan would be refused by its guards.**\n\n"


def _title(change: ObjectChange) -> str:
    name = f"<b>{md(change.display_name)}</b> " if change.display_name else ""
    return f"{md(change.entity_type)} {name}({code(change.id)})"


def _section(change: ObjectChange, options: RenderOptions) -> str:
    symbol = action_symbol(change.action)
    counts = f"{len(change.properties)} propert{'y' if len(change.properties) == 1 else 'ies'}"
    if change.links:
        counts += f", {len(change.links)} link(s)"
    parts = [
        f"<details><summary><code>{symbol}</code> {_title(change)}: "
        f"{md(change.action)}, {counts}</summary>\n\n"
    ]
    if change.failure_message is not None:
        parts.append(f"**Failed:** {md(change.failure_message)}\n\n")
    rows = list(_rows(change, options))
    limit = DEFAULT_MAX_ROWS if options.max_rows is None else options.max_rows
    if rows:
        parts.append("| | Property or link | Current | Snapshot (the recovery sets) |\n")
        parts.append("|---|---|---|---|\n")
        parts.extend(rows[:limit])
        if len(rows) > limit:
            parts.append(f"\n_… {len(rows) - limit} more row(s) in the full report._\n")
        parts.append("\n")
    for navigation in change.links_not_recovered:
        parts.append(f"_{md(navigation)}: reported by the service but not recovered._\n\n")
    parts.append("</details>\n\n")
    return "".join(parts)


def _rows(change: ObjectChange, options: RenderOptions) -> Iterator[str]:
    width = options.max_value_chars
    for row in change.properties:
        view = row_view(row, width)
        side = md if view.listed else code  # a description reads as text, a value as code
        current, snapshot = side(view.current), side(view.snapshot)
        if view.kept:
            snapshot += f" ({view.kept} unchanged)"
        yield f"| {property_symbol(row)} | {code(row.path)} | {current} | {snapshot} |\n"
        for item in view.added:
            yield f"| + | ↳ added item | | {code(format_value(item, width))} |\n"
        for item in view.removed:
            yield f"| - | ↳ removed item | {code(format_value(item, width))} | |\n"
    for link in change.links:
        target = code(link.target_id)
        if link.target_type:
            target += f" ({md(link.target_type)})"
        if link.target_name:
            target += f" {md(link.target_name)}"
        note = "" if link.recovered else " (not recovered)"
        if link.operation == LINK_ADD:
            yield f"| + | link {code(link.navigation)}{note} | | {target} |\n"
        else:
            yield f"| - | link {code(link.navigation)}{note} | {target} | |\n"


def _tail(report: Report, options: RenderOptions) -> Iterator[str]:
    apply = report.apply
    if apply is None:
        return
    yield f"### Recovery job {code(apply.job_id)}: {md(apply.status)}\n\n"
    text = ", ".join(f"{n} {what}" for n, what in apply_counts(apply))
    if text:
        yield text + "\n\n"
    for change in apply.failed_changes[:50]:
        yield _section(change, options)
    if len(apply.failed_changes) > 50:
        yield f"_… {len(apply.failed_changes) - 50} more failed change(s) in the full report._\n\n"

"""
HTML renderer: one self-contained page for people who do not read JSON.

Step in the flow: `plan preview --format html` writes a file that opens offline: inline CSS,
an inline SVG stacked bar chart of the changes by entity type and action, the summary, guards,
fingerprint and one collapsible table per object. No script, no external URL; a
Content-Security-Policy meta tag forbids both even if a value slipped through. Every value from
the tenant is HTML-escaped (names such as `<script>` arrive as text).
"""

from __future__ import annotations

import html
from collections.abc import Iterator
from typing import Final

from entra_recovery.diff.model import LINK_ADD
from entra_recovery.diff.model import Diff
from entra_recovery.diff.model import ObjectChange
from entra_recovery.report.blocks import ROW_FILE
from entra_recovery.report.blocks import apply_counts
from entra_recovery.report.blocks import fingerprint_block
from entra_recovery.report.blocks import header_rows
from entra_recovery.report.blocks import plural
from entra_recovery.report.chart import COLOURS
from entra_recovery.report.chart import render_chart
from entra_recovery.report.document import Report
from entra_recovery.report.document import format_time
from entra_recovery.report.options import RenderOptions
from entra_recovery.report.text import action_symbol
from entra_recovery.report.text import action_verb
from entra_recovery.report.text import clean
from entra_recovery.report.text import format_value
from entra_recovery.report.text import property_symbol
from entra_recovery.report.text import row_view
from entra_recovery.report.text import summary_line
from entra_recovery.report.text import totals_line

CSS: Final = """
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;margin:0 auto;max-width:1200px;
padding:1.5em;color:#1d1d1f;background:#fff}
h1{font-size:1.5em;margin:.2em 0}h3{font-size:1.05em}
h2{font-size:1.2em;border-bottom:1px solid #ddd;padding-bottom:.2em;margin-top:1.6em}
table{border-collapse:collapse;margin:.5em 0}td,th{border:1px solid #ddd;padding:.25em .5em;
vertical-align:top;text-align:left}th{background:#f5f5f7}
td.n{text-align:right;font-variant-numeric:tabular-nums}
code,pre,.v{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:.92em}
.v{white-space:pre-wrap;overflow-wrap:anywhere;max-width:32em}
.id{white-space:nowrap}
pre{background:#f5f5f7;padding:.6em;overflow-x:auto;white-space:pre-wrap;overflow-wrap:anywhere}
details{border:1px solid #ddd;border-radius:4px;margin:.35em 0;padding:.2em .6em}
summary{cursor:pointer}
.status{display:inline-block;padding:.1em .6em;border-radius:1em;background:#eee;font-weight:600}
.ok{color:#2e7d32}.bad{color:#c62828;font-weight:600}
.s-update{color:#c98a00}.s-restore{color:#2e7d32}.s-softDelete{color:#c62828}.s-other{color:#6a1b9a}
.sym{font-family:ui-monospace,monospace;font-weight:700}
.add{color:#2e7d32}.rem{color:#c62828}.warn{background:#fff4e5;border-left:4px solid #c98a00;
padding:.4em .8em}
.legend span{margin-right:1.2em}.sw{display:inline-block;width:.9em;height:.9em;margin-right:.3em;
vertical-align:-.1em}
"""


def html_head(title: str) -> str:
    """The page's head, shared by the report and the batch index: one self-contained page that
    loads nothing (its Content-Security-Policy allows only the inline style)."""
    return (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta http-equiv="Content-Security-Policy" content="default-src \'none\'; '
        "style-src 'unsafe-inline'\">\n"
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{h(title)}</title>\n<style>{CSS}</style>\n</head>\n<body>\n"
    )


def h(value: object) -> str:
    """Escape for HTML text and attribute values."""
    return html.escape(clean(str(value)), quote=True)


def _action_class(action: str) -> str:
    return f"s-{action}" if action in COLOURS else "s-other"


def iter_render(report: Report, options: RenderOptions) -> Iterator[str]:
    """The HTML page in chunks (one per object)."""
    plan = report.plan
    kind = report.kind
    title = f"entra-recovery {kind}: {plan.name}"
    yield html_head(title)
    yield f'<h1>{h(title)}</h1>\n<p><span class="status">{h(report.status)}</span></p>\n'
    for message in report.messages:
        yield f'<p class="warn">{h(message)}</p>\n'
    yield from _overview(report)
    yield "<h2>Summary</h2>\n"
    yield f"<p><b>{h(summary_line(report.diff))}</b> ({h(totals_line(report.diff))})</p>\n"
    if not report.diff.is_empty:
        yield render_chart(report.diff)
        yield from _counts_table(report.diff)
    yield from _guards(report)
    block = fingerprint_block(report)
    if block.fingerprint:
        yield f"<h2>Fingerprint</h2>\n<p><code>{h(block.fingerprint)}</code></p>\n"
        if block.approve_command:
            yield "<p>To apply exactly this change set after review:</p>\n"
            yield f"<pre>{h(block.approve_command)}</pre>\n"
    if report.comparison is not None and not report.comparison.is_empty:
        yield from _comparison(report)
    if not report.diff.is_empty:
        yield from _changes(report.diff, options)
    if report.apply is not None:
        yield from _apply(report, options)
    yield (
        f"<hr>\n<p><small>Generated {h(format_time(report.generated_at))} by entra-recovery "
        f"{h(report.tool_version)}.</small></p>\n</body>\n</html>\n"
    )


def _full_report_note(shown: int, total: int, options: RenderOptions) -> str:
    """The pointer to the full report when the page shows only the first objects."""
    full = options.full_report
    if full and not full.endswith(".html"):
        where = f"the full report <code>{h(full)}</code>"
    else:
        where = "the JSON report (<code>--format json</code>), which holds every object"
    return (
        f'<p class="warn">Showing the first {shown:,} of {total:,} objects in detail (the counts '
        f"above cover them all); see {where}.</p>\n"
    )


def _changes(diff: Diff, options: RenderOptions) -> Iterator[str]:
    """One collapsible table per object, for the first `options.html_max_objects` objects."""
    limit = options.html_max_objects
    total = diff.total_objects
    shown = total if limit is None else min(total, limit)
    yield f"<h2>Changes ({total} objects)</h2>\n"
    if shown < total:
        yield _full_report_note(shown, total, options)
    left = shown
    for entity_type, changes in diff.by_entity_type():
        if left <= 0:
            break
        yield f"<h3>{h(entity_type)} ({len(changes)})</h3>\n"
        for change in changes[:left]:
            yield _object(change, options)
        left -= min(left, len(changes))
        if left <= 0 and len(changes) > 0 and shown < total:
            yield f"<p><i>&#8230; {total - shown:,} more object(s) in the full report.</i></p>\n"


def _overview(report: Report) -> Iterator[str]:
    """Every header row; a named note (sha256, created) gets a row of its own."""
    yield "<h2>Overview</h2>\n<table>\n"
    for row in header_rows(report):
        if row.value:
            inline = [note.value for note in row.notes if not note.short]
            cell = h(row.value)
            if row.literal and row.key != ROW_FILE:
                cell = f'<span class="id">{cell}</span>'
            if inline:
                cell += f" ({h(', '.join(inline))})"
            yield f"<tr><th>{h(row.label)}</th><td>{cell}</td></tr>\n"
        for note in row.notes:
            if note.short:
                yield f"<tr><th>{h(note.label)}</th><td>{h(note.value)}</td></tr>\n"
    yield "</table>\n"


def _actions(diff: Diff) -> list[str]:
    return list(diff.action_totals)


def _counts_table(diff: Diff) -> Iterator[str]:
    actions = _actions(diff)
    yield "<table>\n<tr><th>Entity type</th>"
    yield "".join(f"<th>{h(action)}</th>" for action in actions) + "<th>Total</th></tr>\n"
    for entity_type, counts in diff.counts.items():
        cells = "".join(f'<td class="n">{counts.get(a, 0)}</td>' for a in actions)
        total = sum(counts.values())
        yield f'<tr><td>{h(entity_type)}</td>{cells}<td class="n">{total}</td></tr>\n'
    totals = diff.action_totals
    cells = "".join(f'<td class="n"><b>{totals[a]}</b></td>' for a in actions)
    yield f'<tr><td><b>Total</b></td>{cells}<td class="n"><b>{diff.total_objects}</b></td></tr>\n'
    yield "</table>\n"


def _guards(report: Report) -> Iterator[str]:
    if not report.guards:
        return
    yield "<h2>Guards</h2>\n<table>\n<tr><th>Guard</th><th>Result</th><th>Details</th></tr>\n"
    for result in report.guards:
        mark = '<span class="ok">ok</span>' if result.ok else '<span class="bad">violated</span>'
        objects = "".join(f'<br><code class="id">{h(o)}</code>' for o in result.objects)
        details = f"{h(result.message)}{objects}"
        yield f"<tr><td>{h(result.name)}</td><td>{mark}</td><td>{details}</td></tr>\n"
    yield "</table>\n"
    if not report.guards_ok:
        yield '<p class="warn">An apply of this plan would be refused by its guards.</p>\n'


def _object(change: ObjectChange, options: RenderOptions) -> str:
    symbol = action_symbol(change.action)
    name = f" <b>{h(change.display_name)}</b>" if change.display_name else ""
    parts = [
        f'<details><summary><span class="sym {_action_class(change.action)}">{h(symbol)}</span> '
        f'{h(change.entity_type)}{name} <code class="id">{h(change.id)}</code> '
        f"{h(action_verb(change.action))}</summary>\n"
    ]
    if change.failure_message is not None:
        parts.append(f'<p class="warn">Failed: {h(change.failure_message)}</p>\n')
    if change.properties or change.links:
        parts.append(
            "<table>\n<tr><th></th><th>Property or link</th><th>Current</th>"
            "<th>Snapshot (the recovery sets)</th></tr>\n"
        )
        width = options.max_value_chars * 10 if options.max_value_chars else 0
        for row in change.properties:
            view = row_view(row, width)
            current, snapshot = h(view.current), h(view.snapshot)
            if view.kept:
                snapshot += f" ({view.kept} unchanged)"
            added, removed = view.added, view.removed
            parts.append(
                f'<tr><td class="sym">{property_symbol(row)}</td><td><code>{h(row.path)}</code>'
                f'</td><td class="v">{current}</td><td class="v">{snapshot}</td></tr>\n'
            )
            for item in added:
                parts.append(
                    '<tr><td class="sym add">+</td><td>&#8627; added item</td><td></td>'
                    f'<td class="v add">{h(format_value(item, width))}</td></tr>\n'
                )
            for item in removed:
                parts.append(
                    '<tr><td class="sym rem">-</td><td>&#8627; removed item</td>'
                    f'<td class="v rem">{h(format_value(item, width))}</td><td></td></tr>\n'
                )
        for link in change.links:
            target = f'<span class="id">{h(link.target_id)}</span>'
            extra = ", ".join(h(x) for x in (link.target_type, link.target_name) if x)
            cell = f'<td class="v">{target}{f" ({extra})" if extra else ""}</td>'
            note = "" if link.recovered else " (not recovered)"
            label = f"<td>link <code>{h(link.navigation)}</code>{note}</td>"
            if link.operation == LINK_ADD:
                parts.append(f'<tr><td class="sym add">+</td>{label}<td></td>{cell}</tr>\n')
            else:
                parts.append(f'<tr><td class="sym rem">-</td>{label}{cell}<td></td></tr>\n')
        parts.append("</table>\n")
    for navigation in change.links_not_recovered:
        parts.append(f"<p><i>{h(navigation)}: reported by the service but not recovered.</i></p>\n")
    parts.append("</details>\n")
    return "".join(parts)


def _comparison(report: Report) -> Iterator[str]:
    comparison = report.comparison
    assert comparison is not None
    yield f"<h2>Changed since the approved preview</h2>\n<p>{h(comparison.describe())}</p>\n<ul>\n"
    for change in comparison.added:
        yield f"<li>new: {h(change.entity_type)} {h(change.title)} ({h(change.action)})</li>\n"
    for change in comparison.removed:
        yield f"<li>gone: {h(change.entity_type)} {h(change.title)} ({h(change.action)})</li>\n"
    for item in comparison.changed:
        what = ", ".join(h(p) for p in (*item.properties, *item.links))
        if item.action_changed:
            what = f"action {h(item.approved.action)} &#8594; {h(item.fresh.action)}; {what}"
        yield f"<li>changed: {h(item.fresh.entity_type)} {h(item.fresh.title)}: {what}</li>\n"
    yield "</ul>\n"


def _apply(report: Report, options: RenderOptions) -> Iterator[str]:
    apply = report.apply
    assert apply is not None
    job = f'<code class="id">{h(apply.job_id)}</code>'
    yield f"<h2>Recovery job {job}: {h(apply.status)}</h2>\n<ul>\n"
    for value, what in apply_counts(apply):
        yield f"<li>{value} {plural(what)}</li>\n"
    yield "</ul>\n"
    limit = options.html_max_objects
    failed = apply.failed_changes if limit is None else apply.failed_changes[:limit]
    for change in failed:
        yield _object(change, options)
    if len(failed) < len(apply.failed_changes):
        more = len(apply.failed_changes) - len(failed)
        yield f"<p><i>&#8230; {more:,} more failed change(s) in the full report.</i></p>\n"

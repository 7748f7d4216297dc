"""
Batch index renderers: `summary.md`, `junit.xml` and `index.html` over one `BatchSummary`.

Step in the flow: `plan preview PATH... --output-dir DIR` writes each plan's reports, then these
three files next to them (and summary.md to `$GITHUB_STEP_SUMMARY`). One row per plan with its
outcome and counts, links to the plan's own reports, then the problems of the plans that did not
preview. Everything from a plan file (names, paths, messages) is escaped for the format, and
invisible or direction-changing characters are spelled out (`text.clean`), as in the reports.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Final
from urllib.parse import quote as url_quote

from entra_recovery.report.batch import BatchEntry
from entra_recovery.report.batch import BatchSummary
from entra_recovery.report.batch import PlanOutcome
from entra_recovery.report.document import TOOL_NAME
from entra_recovery.report.document import format_time
from entra_recovery.report.html import h
from entra_recovery.report.html import html_head
from entra_recovery.report.junit import xml_attr
from entra_recovery.report.junit import xml_text
from entra_recovery.report.markdown import md

KNOWN_ACTIONS: Final = ("update", "restore", "softDelete")
OUTCOME_MARKS: Final = {
    PlanOutcome.CLEAN: "✅",
    PlanOutcome.CHANGES: "⚠️",
    PlanOutcome.REFUSED: "⛔",
    PlanOutcome.ERROR: "❌",
}
JUNIT_CLASSNAME: Final = "entra-recovery.preview"
# The HTML report's classes: green, amber (the colour of updates), red.
_HTML_CLASSES: Final = {
    PlanOutcome.CLEAN: "ok",
    PlanOutcome.CHANGES: "s-update",
    PlanOutcome.REFUSED: "bad",
    PlanOutcome.ERROR: "bad",
}
_PREFIX: Final = "sha256:"


def action_cells(entry: BatchEntry) -> tuple[int, int, int, int]:
    """Objects to update, restore, soft-delete, and with any other action."""
    counts = entry.counts
    other = sum(n for action, n in counts.items() if action not in KNOWN_ACTIONS)
    update, restore, soft_delete = (counts.get(action, 0) for action in KNOWN_ACTIONS)
    return update, restore, soft_delete, other


def _count_texts(entry: BatchEntry) -> tuple[str, ...]:
    """The four counts as text; empty for a plan that was not previewed (nothing was counted)."""
    if entry.outcome.failed:
        return ("",) * 4
    return tuple(str(n) for n in action_cells(entry))


def short_fingerprint(fingerprint: str | None, digits: int = 12) -> str:
    """`sha256:` and the first `digits` hex digits, then `…` (the full one is in the plan's
    report and in summary.json)."""
    if not fingerprint:
        return ""
    return fingerprint[: len(_PREFIX) + digits] + "…"


def _href(path: str) -> str:
    return url_quote(path, safe="/")


# --- Markdown ----------------------------------------------------------------------------------


def render_markdown(summary: BatchSummary) -> str:
    """summary.md: fit for a GitHub job summary or a pull-request comment."""
    return "".join(_iter_markdown(summary))


def _iter_markdown(summary: BatchSummary) -> Iterator[str]:
    yield f"## {TOOL_NAME} plan preview: {md(summary.headline)}\n\n"
    yield (
        "| Plan | Tenant | Outcome | update | restore | softDelete | other | Fingerprint "
        "| Report |\n|---|---|---|--:|--:|--:|--:|---|---|\n"
    )
    for entry in summary.entries:
        counts = " | ".join(_count_texts(entry))
        fingerprint = f"<code>{md(short_fingerprint(entry.fingerprint))}</code>"
        report = entry.reports.get("markdown")
        link = f"[{md(report)}]({_href(report)})" if report else ""
        yield (
            f"| {md(entry.label)} | {md(entry.tenant or '')} | "
            f"{OUTCOME_MARKS[entry.outcome]} {entry.outcome} | {counts} | "
            f"{fingerprint if entry.fingerprint else ''} | {link} |\n"
        )
    failed = [entry for entry in summary.entries if entry.outcome.failed]
    if failed:
        yield "\n### Plans not previewed\n\n"
        for entry in failed:
            where = f"<code>{md(entry.file)}</code>"
            yield f"- **{md(entry.label)}** ({where}): {md(entry.error or '')}\n"
            for problem in entry.problems:
                yield f"  - <code>{md(problem)}</code>\n"
    yield (
        f"\n<sub>Exit code {int(summary.exit_code)}; started "
        f"{md(format_time(summary.started_at) or '')}, finished "
        f"{md(format_time(summary.finished_at) or '')} by {TOOL_NAME} "
        f"{md(summary.tool_version)}.</sub>\n"
    )


# --- JUnit -------------------------------------------------------------------------------------


def render_junit(summary: BatchSummary) -> str:
    """junit.xml: one `<testsuite>` per plan with one case; changes fail, errors are errors."""
    return "".join(_iter_junit(summary))


def _iter_junit(summary: BatchSummary) -> Iterator[str]:
    entries = summary.entries
    failures = summary.count(PlanOutcome.CHANGES)
    errors = summary.count(PlanOutcome.ERROR) + summary.count(PlanOutcome.REFUSED)
    timestamp = (format_time(summary.started_at) or "").removesuffix("Z")
    yield '<?xml version="1.0" encoding="UTF-8"?>\n'
    yield (
        f'<testsuites name="{TOOL_NAME} plan preview" tests="{len(entries)}" '
        f'failures="{failures}" errors="{errors}" skipped="0" time="0">\n'
    )
    for entry in entries:
        failed = int(entry.outcome is PlanOutcome.CHANGES)
        errored = int(entry.outcome.failed)
        yield (
            f'  <testsuite name={xml_attr(entry.label)} tests="1" failures="{failed}" '
            f'errors="{errored}" skipped="0" time="0" timestamp={xml_attr(timestamp)} '
            'hostname="entra-recovery">\n    <properties>\n'
        )
        properties = [
            ("outcome", str(entry.outcome)),
            ("plan.file", entry.file),
            ("tenant", entry.tenant),
            ("snapshot.id", entry.snapshot_id),
            ("fingerprint", entry.fingerprint),
            *((f"report.{name}", path) for name, path in entry.reports.items()),
        ]
        for name, value in properties:
            if value is not None:
                yield f"      <property name={xml_attr(name)} value={xml_attr(value)}/>\n"
        yield "    </properties>\n"
        yield _junit_case(entry)
        yield "  </testsuite>\n"
    yield "</testsuites>\n"


def _junit_case(entry: BatchEntry) -> str:
    head = (
        f'    <testcase classname={xml_attr(JUNIT_CLASSNAME)} name={xml_attr(entry.label)} time="0"'
    )
    if entry.outcome is PlanOutcome.CLEAN:
        return head + "/>\n"
    if entry.outcome is PlanOutcome.CHANGES:
        message = f"the recovery would change {entry.total_changes} object(s)"
        body = ", ".join(f"{n} {action}" for action, n in entry.counts.items())
        element = "failure"
    else:
        message = entry.error or str(entry.outcome)
        body = "\n".join(entry.problems) or message
        element = "error"
    text = "\n".join(xml_text(line) for line in body.split("\n"))
    return (
        f"{head}>\n      <{element} type={xml_attr(str(entry.outcome))} "
        f"message={xml_attr(message)}>{text}</{element}>\n    </testcase>\n"
    )


# --- HTML --------------------------------------------------------------------------------------


def render_html(summary: BatchSummary) -> str:
    """index.html: one self-contained page, the look of the HTML report, links to its pages."""
    return "".join(_iter_html(summary))


def _iter_html(summary: BatchSummary) -> Iterator[str]:
    title = f"{TOOL_NAME} plan preview: {len(summary.entries)} plan(s)"
    yield html_head(title)
    yield f'<h1>{h(title)}</h1>\n<p><span class="status">{h(summary.status)}</span> '
    yield f"{h(summary.headline)}; exit code {int(summary.exit_code)}</p>\n"
    yield "<h2>Plans</h2>\n<table>\n<tr><th>Plan</th><th>Tenant</th><th>Outcome</th>"
    yield "".join(f"<th>{h(action)}</th>" for action in (*KNOWN_ACTIONS, "other"))
    yield "<th>Fingerprint</th><th>Reports</th></tr>\n"
    for entry in summary.entries:
        yield _html_row(entry)
    yield "</table>\n"
    failed = [entry for entry in summary.entries if entry.outcome.failed]
    if failed:
        yield "<h2>Plans not previewed</h2>\n"
        for entry in failed:
            yield (
                f"<h3>{h(entry.label)}</h3>\n<p><code>{h(entry.file)}</code></p>\n"
                f'<p class="warn">{h(entry.error or entry.outcome)}</p>\n'
            )
            if entry.problems:
                yield "<pre>" + "\n".join(h(problem) for problem in entry.problems) + "</pre>\n"
    yield (
        f"<hr>\n<p><small>Started {h(format_time(summary.started_at))}, finished "
        f"{h(format_time(summary.finished_at))} by {TOOL_NAME} {h(summary.tool_version)}."
        "</small></p>\n</body>\n</html>\n"
    )


def _html_row(entry: BatchEntry) -> str:
    page = entry.reports.get("html")
    name = h(entry.label)
    if page:
        name = f'<a href="{h(_href(page))}">{name}</a>'
    outcome = f'<span class="{_HTML_CLASSES[entry.outcome]}">{h(entry.outcome)}</span>'
    counts = "".join(f'<td class="n">{n}</td>' for n in _count_texts(entry))
    fingerprint = f'<code class="id">{h(short_fingerprint(entry.fingerprint))}</code>'
    links = " ".join(
        f'<a href="{h(_href(path))}">{h(fmt)}</a>' for fmt, path in entry.reports.items()
    )
    tenant = f'<span class="id">{h(entry.tenant or "")}</span>'
    return (
        f"<tr><td>{name}</td><td>{tenant}</td><td>{outcome}</td>{counts}"
        f"<td>{fingerprint if entry.fingerprint else ''}</td><td>{links}</td></tr>\n"
    )

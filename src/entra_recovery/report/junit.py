"""
JUnit XML renderer: drift as test failures, for CI dashboards.

Step in the flow: scheduled previews publish this so a CI server shows drift per object.
One `<testsuite>` per plan; three guard test cases (failing when violated); then a failing
`<testcase>` per drifted object (classname = entity type, name = `display name (id)`), or a single
passing "no drift" case. In an apply report every object of the preview is a case that passes
unless it is among the failed changes, which fail with the service's `failureMessage`.
Order is deterministic; the timestamp is the report's `generated_at` (UTC, no zone suffix, as
the common JUnit schema expects); every text is escaped and stripped of characters XML 1.0
cannot hold.
"""

from __future__ import annotations

from collections.abc import Iterator
from collections.abc import Sequence
from datetime import UTC

from entra_recovery.diff.model import LINK_ADD
from entra_recovery.diff.model import ObjectChange
from entra_recovery.report.document import Report
from entra_recovery.report.options import RenderOptions
from entra_recovery.report.text import clean
from entra_recovery.report.text import format_value

GUARD_CLASSNAME = "entra-recovery.guards"
NO_DRIFT_CLASSNAME = "entra-recovery.drift"


def xml_text(value: str) -> str:
    """Element text: escaped, control characters and lone surrogates spelled out."""
    return clean(value).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def xml_attr(value: object) -> str:
    """A double-quoted attribute value (clean() already removed tabs and newlines)."""
    return '"' + xml_text(str(value)).replace('"', "&quot;") + '"'


class _Case:
    """One test case; failure details are formatted only when written."""

    __slots__ = ("change", "classname", "failure_message", "failure_type", "lines", "name")

    def __init__(
        self,
        classname: str,
        name: str,
        failure_type: str | None = None,
        failure_message: str | None = None,
        lines: tuple[str, ...] = (),
        change: ObjectChange | None = None,
    ) -> None:
        self.classname = classname
        self.name = name
        self.failure_type = failure_type
        self.failure_message = failure_message
        self.lines = lines
        self.change = change

    def xml(self) -> str:
        head = (
            f"    <testcase classname={xml_attr(self.classname)} name={xml_attr(self.name)} "
            'time="0"'
        )
        if self.failure_type is None:
            return head + "/>\n"
        lines = self.lines
        if self.change is not None:
            lines = (*lines, *_detail_lines(self.change))
        body = "\n".join(xml_text(line) for line in lines)
        return (
            f"{head}>\n      <failure type={xml_attr(self.failure_type)} "
            f"message={xml_attr(self.failure_message or '')}>{body}</failure>\n    </testcase>\n"
        )


def _name(change: ObjectChange) -> str:
    return f"{change.display_name} ({change.id})" if change.display_name else change.id


def _detail_lines(change: ObjectChange) -> tuple[str, ...]:
    lines = [f"{change.action}: {change.entity_type} {_name(change)}"]
    for row in change.properties:
        lines.append(
            f"~ {row.path}: {format_value(row.current, 500)} -> {format_value(row.snapshot, 500)}"
        )
    for link in change.links:
        lines.append(
            f"{'+' if link.operation == LINK_ADD else '-'} {link.navigation}: {link.target_id}"
        )
    return tuple(lines)


def _summary(change: ObjectChange) -> str:
    return (
        f"{change.action}: {len(change.properties)} property change(s), "
        f"{len(change.links)} link change(s)"
    )


def _cases(report: Report) -> Iterator[_Case]:
    for guard in report.guards:
        if guard.ok:
            yield _Case(GUARD_CLASSNAME, guard.name)
        else:
            lines = (guard.message, *guard.objects)
            yield _Case(GUARD_CLASSNAME, guard.name, "guard", guard.message, lines)
    apply = report.apply
    if apply is None:
        if report.diff.is_empty:
            yield _Case(NO_DRIFT_CLASSNAME, "no drift from the snapshot")
        for change in report.diff.changes:
            yield _Case(
                change.entity_type,
                _name(change),
                f"drift.{change.action}",
                _summary(change),
                change=change,
            )
        return
    failed = {change.key: change for change in apply.failed_changes}
    for change in report.diff.changes:
        failure = failed.pop(change.key, None)
        if failure is None:
            yield _Case(change.entity_type, _name(change))
        else:
            yield _failed_case(failure)
    for failure in apply.failed_changes:
        if failure.key in failed:
            yield _failed_case(failure)


def _failed_case(change: ObjectChange) -> _Case:
    message = change.failure_message or "the change failed (no message from the service)"
    return _Case(change.entity_type, _name(change), "failedChange", message, (message,), change)


def _counts(report: Report) -> tuple[int, int]:
    """(tests, failures) of one report's suite: a counting pass without formatting."""
    total = failures = 0
    for case in _cases(report):
        total += 1
        failures += case.failure_type is not None
    return total, failures


def _suite(report: Report, total: int, failures: int) -> Iterator[str]:
    generated = report.generated_at
    if generated.tzinfo is not None:
        generated = generated.astimezone(UTC).replace(tzinfo=None)
    timestamp = generated.isoformat(timespec="seconds")
    counts = f'tests="{total}" failures="{failures}" errors="0" skipped="0"'
    yield (
        f'  <testsuite name={xml_attr(report.plan.name)} {counts} time="0" '
        f'timestamp={xml_attr(timestamp)} hostname="entra-recovery">\n'
    )
    yield "    <properties>\n"
    properties = [
        ("status", report.status),
        ("plan.file", report.plan.file),
        ("plan.sha256", report.plan.sha256),
        ("tenant", report.tenant),
        ("snapshot.id", report.snapshot.id if report.snapshot else None),
        ("previewJob.id", report.job.id if report.job else None),
        ("fingerprint", report.fingerprint),
        ("recoveryJob.id", report.apply.job_id if report.apply else None),
        ("tool.version", report.tool_version),
    ]
    for name, value in properties:
        if value is not None:
            yield f"      <property name={xml_attr(name)} value={xml_attr(value)}/>\n"
    yield "    </properties>\n"
    for case in _cases(report):
        yield case.xml()
    yield "  </testsuite>\n"


def iter_render_many(reports: Sequence[Report]) -> Iterator[str]:
    """One JUnit document with a `<testsuite>` per report (a folder of plans in one file)."""
    counts = [_counts(report) for report in reports]
    total = sum(t for t, _ in counts)
    failures = sum(f for _, f in counts)
    yield '<?xml version="1.0" encoding="UTF-8"?>\n'
    yield (
        f'<testsuites name="entra-recovery" tests="{total}" failures="{failures}" errors="0" '
        'skipped="0" time="0">\n'
    )
    for report, (suite_total, suite_failures) in zip(reports, counts, strict=True):
        yield from _suite(report, suite_total, suite_failures)
    yield "</testsuites>\n"


def render_many(reports: Sequence[Report]) -> str:
    return "".join(iter_render_many(reports))


def iter_render(report: Report, options: RenderOptions) -> Iterator[str]:
    """The JUnit XML document for one plan, in chunks (one per test case)."""
    del options
    return iter_render_many((report,))

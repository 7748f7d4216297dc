"""report.serialize: the whole report as JSON and back (`report_to_json`, `Report.from_json`)."""

from __future__ import annotations

import json

import pytest

from entra_recovery.errors import ReportDataError
from entra_recovery.report import Report
from entra_recovery.report import report_to_json
from helpers import report_samples as s


@pytest.mark.parametrize("case", sorted(set(s.CASES) - {"refused"}))
def test_report_round_trips(case: str) -> None:
    """Report.from_json restores every field but `comparison`."""
    report = s.CASES[case]()
    again = Report.from_json(json.loads(json.dumps(report_to_json(report))))
    assert again == report


def test_comparison_is_not_read_back() -> None:
    """`comparison` is for people; a refused report loads without it and keeps the rest."""
    report = s.refused_report()
    again = Report.from_json(json.loads(json.dumps(report_to_json(report))))
    assert report.comparison is not None and again.comparison is None
    assert again.messages == report.messages and again.status == "refused"


def test_apply_section_keeps_failed_changes() -> None:
    """The failed changes and the job totals come back from `apply`."""
    data = report_to_json(s.apply_report())
    assert [c["failureMessage"] for c in data["apply"]["failedChanges"]] == [
        "Policy is locked by another administrator."
    ]
    again = Report.from_json(data)
    assert again.apply is not None and again.apply.total_failed_changes == 1


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("guards", [{"ok": True}], "malformed diff report"),
        ("generatedAt", "yesterday", "generatedAt"),
        ("generatedAt", None, "generatedAt"),
    ],
)
def test_malformed_report_fields_are_report_data_errors(
    field: str, value: object, message: str
) -> None:
    """A report whose fields have the wrong shape is refused with a clear message."""
    data = report_to_json(s.demo_report())
    data[field] = value
    with pytest.raises(ReportDataError, match=message):
        Report.from_json(data)

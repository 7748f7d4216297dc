"""diff.serialize: the change-set JSON both ways (`change_to_json`, `diff_from_json`)."""

from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import settings
from unit.diff import strategies as st_

from entra_recovery.diff import ABSENT
from entra_recovery.diff import ObjectChange
from entra_recovery.diff import build_diff
from entra_recovery.diff import compare
from entra_recovery.diff import diff_from_json
from entra_recovery.diff.serialize import change_to_json
from entra_recovery.errors import ReportDataError
from entra_recovery.report import report_to_json
from helpers import report_samples as s


def test_diff_round_trips_through_json_text() -> None:
    """A saved report loads back to an equal Diff (absent and null kept apart)."""
    report = s.demo_report()
    data = json.loads(json.dumps(report_to_json(report)))
    diff = diff_from_json(data)
    assert diff == report.diff
    assert compare(report.diff, diff).is_empty
    megan = next(c for c in diff.changes if c.id == s.MEGAN_UPDATE["id"])
    assert megan.properties[0].path == "department"
    assert megan.properties[0].current is ABSENT


def test_absent_is_an_omitted_key_with_a_flag() -> None:
    """The JSON marks an absent side by omission plus `currentAbsent: true`."""
    data = report_to_json(s.demo_report())
    megan = next(c for c in data["changes"] if c["id"] == s.MEGAN_UPDATE["id"])
    row = megan["properties"][0]
    assert row == {"path": "department", "currentAbsent": True, "snapshot": "Marketing"}
    adele = next(c for c in data["changes"] if c["id"] == s.ADELE_RESTORE["id"])
    assert adele["properties"][0]["snapshot"] is None


@pytest.mark.parametrize(
    "data",
    [
        {"format_version": "9.0", "changes": []},
        {"format_version": "1.0"},
        {"format_version": "1.0", "changes": [{"id": "x"}]},
    ],
)
def test_bad_reports_are_value_errors(data: dict) -> None:
    """Another format version or a malformed change gives a clear, user-facing error."""
    with pytest.raises(ReportDataError):
        diff_from_json(data)


@pytest.mark.parametrize("version", ["1.0", "1.7", "1"])
def test_any_minor_version_is_read(version: str) -> None:
    """Readers accept any 1.x (a new optional field only bumps the minor version)."""
    data = report_to_json(s.demo_report())
    data["format_version"] = version
    assert diff_from_json(data) == s.demo_report().diff


# --- properties ---------------------------------------------------------------------------


@settings(max_examples=150, deadline=None)
@given(st_.change_lists())
def test_any_diff_round_trips_through_json_text(changes: list[dict]) -> None:
    """Every diff the builder can make survives `change_to_json` -> JSON text -> `diff_from_json`:
    absent and null kept apart, links, big integers, floats and any text (lone surrogates too)."""
    diff = build_diff(changes)
    text = json.dumps([change_to_json(change) for change in diff.changes])
    again = diff_from_json(json.loads(text))
    assert again == diff
    assert [_absent_sides(c) for c in again.changes] == [_absent_sides(c) for c in diff.changes]


def _absent_sides(change: ObjectChange) -> list[tuple[bool, bool]]:
    # `ABSENT == None` is False, but spell it out: the round trip must keep the sentinel itself.
    return [(row.current is ABSENT, row.snapshot is ABSENT) for row in change.properties]

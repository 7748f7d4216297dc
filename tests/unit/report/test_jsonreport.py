"""JSON report: valid against its schema, stable key order, streamed."""

from __future__ import annotations

import json

import jsonschema
import pytest

from entra_recovery.constants import DIFF_REPORT_SCHEMA_FILE
from entra_recovery.diff import build_diff
from entra_recovery.report import render
from entra_recovery.report import report_to_json
from entra_recovery.resources import load_schema
from helpers import report_samples as s


@pytest.fixture(scope="module")
def validator() -> jsonschema.protocols.Validator:
    schema = load_schema(DIFF_REPORT_SCHEMA_FILE)  # the copy the package ships
    cls = jsonschema.validators.validator_for(schema)
    cls.check_schema(schema)
    return cls(schema, format_checker=cls.FORMAT_CHECKER)


@pytest.mark.parametrize("case", sorted(s.CASES))
def test_reports_validate_against_the_schema(case: str, validator) -> None:  # type: ignore[no-untyped-def]
    """Every sample report is valid JSON that matches schemas/diff-report.schema.json."""
    data = json.loads(render(s.CASES[case](), "json"))
    errors = sorted(validator.iter_errors(data), key=str)
    assert not errors, [f"{list(e.absolute_path)}: {e.message}" for e in errors]


def test_schema_rejects_absent_with_value(validator) -> None:  # type: ignore[no-untyped-def]
    """A property row cannot both be absent and carry a value."""
    data = report_to_json(s.demo_report())
    data["changes"][0]["properties"][0]["currentAbsent"] = True
    assert list(validator.iter_errors(data))
    del data["changes"][0]["properties"][0]["current"]
    assert not list(validator.iter_errors(data))
    del data["changes"][0]["properties"][0]["currentAbsent"]
    assert list(validator.iter_errors(data))


def test_contract_fields_and_order() -> None:
    """The design's contract fields, top-level order fixed, format_version first."""
    data = json.loads(render(s.demo_report(), "json"))
    assert list(data) == [
        "format_version", "status", "tool", "generatedAt", "plan", "tenant", "scope",
        "snapshot", "job", "fingerprint", "approveCommand", "messages", "guards", "summary",
        "changes", "apply", "comparison",
    ]  # fmt: skip
    assert data["format_version"] == "1.0"  # the contract's value, not whatever the constant says
    assert set(data["plan"]) >= {"name", "file", "sha256"}
    assert set(data["snapshot"]) == {"id", "createdDateTime"}
    assert set(data["job"]) >= {"id", "status"}
    assert data["summary"]["byEntityType"]["user"] == {"restore": 1, "update": 1}
    change = data["changes"][0]
    assert list(change)[:6] == ["entityType", "id", "displayName", "action", "properties", "links"]


def test_links_are_added_and_removed_lists() -> None:
    """members@delta becomes {navigation, recovered, added[], removed[]}."""
    data = json.loads(render(s.demo_report(), "json"))
    finance = next(c for c in data["changes"] if c["id"] == s.FINANCE_GROUP["id"])
    assert finance["links"] == [
        {
            "navigation": "members",
            "recovered": True,
            "added": [
                {"id": "a1b2c3d4-0004-4000-8000-000000000004", "type": "user"},
                {"id": "a1b2c3d4-0005-4000-8000-000000000005", "type": "user"},
            ],
            "removed": [{"id": "a1b2c3d4-0006-4000-8000-000000000006", "type": "user"}],
        }
    ]


def test_apply_failed_changes_carry_the_message() -> None:
    """getFailedChanges entries land in apply.failedChanges with failureMessage."""
    data = json.loads(render(s.apply_report(), "json"))
    assert data["status"] == "failed-changes"
    failed = data["apply"]["failedChanges"]
    assert failed[0]["failureMessage"] == "Policy is locked by another administrator."


def test_streamed_text_equals_the_whole_document() -> None:
    """The streamed text parses to report_to_json, one line per change."""
    report = s.apply_report()
    text = render(report, "json")
    assert json.loads(text) == report_to_json(report)
    lines = text.splitlines()
    change_lines = [line for line in lines if line.startswith('    {"entityType":')]
    assert len(change_lines) == report.diff.total_objects
    failed_lines = [line for line in lines if line.startswith('      {"entityType":')]
    assert len(failed_lines) == len(report.apply.failed_changes)  # type: ignore[union-attr]


def test_many_changes_stream_in_bounded_chunks() -> None:
    """Changes go out a few hundred at a time, so big reports never build one huge string."""
    from entra_recovery.report import iter_render

    changes = [
        {"entityTypeName": "user", "id": f"id-{i}", "recoveryAction": "update",
         "deltaFromCurrent": {"jobTitle": "a"}, "currentState": {"jobTitle": "b"}}
        for i in range(2000)
    ]  # fmt: skip
    report = s.demo_report(diff=build_diff(changes))
    chunks = list(iter_render(report, "json"))
    change_chunks = [c for c in chunks if '"entityType":"user"' in c]
    assert len(change_chunks) == 4  # 500 changes each
    assert max(len(c) for c in chunks) < 500 * 400
    assert len(json.loads("".join(chunks))["changes"]) == 2000


def test_lone_surrogates_stay_writable_and_round_trip() -> None:
    """A lone surrogate from Graph's JSON is written escaped, so UTF-8 output never fails."""
    raw = json.loads('{"entityTypeName": "user", "id": "1", "recoveryAction": "update",'
                     ' "displayName": "bad \\ud800 name", "deltaFromCurrent": {"city": "\\udfff"},'
                     ' "currentState": {"city": "x"}}')  # fmt: skip
    report = s.demo_report(diff=build_diff([raw]))
    text = render(report, "json")
    text.encode("utf-8")
    data = json.loads(text)
    assert data["changes"][0]["displayName"] == "bad \ud800 name"
    assert data["changes"][0]["properties"][0]["snapshot"] == "\udfff"
    for name in ("terminal", "markdown", "junit", "html"):
        render(report, name).encode("utf-8")

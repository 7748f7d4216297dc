"""`report.batch` and `report.batchindex`: the batch exit code, summary.json against its schema,
and plan text escaped in every index format."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from datetime import UTC
from datetime import datetime

import jsonschema
import pytest

from entra_recovery.constants import ExitCode
from entra_recovery.report.batch import BatchEntry
from entra_recovery.report.batch import BatchSummary
from entra_recovery.report.batch import PlanOutcome
from entra_recovery.report.batch import exit_code_of
from entra_recovery.report.batch import render_json
from entra_recovery.report.batchindex import render_html
from entra_recovery.report.batchindex import render_junit
from entra_recovery.report.batchindex import render_markdown
from entra_recovery.report.chat import slack_payload
from entra_recovery.resources import load_schema

CLEAN, CHANGES, REFUSED, ERROR = PlanOutcome
WHEN = datetime(2026, 11, 27, 2, 30, tzinfo=UTC)
HOSTILE = "<script>alert(1)</script>\u202e|*_[x](y)@here"


@pytest.mark.parametrize(
    ("outcomes", "code"),
    [
        ((), ExitCode.OK),
        ((CLEAN, CLEAN), ExitCode.OK),
        ((CLEAN, CHANGES), ExitCode.CHANGES),
        ((CHANGES, REFUSED), ExitCode.ERROR),
        ((CLEAN, ERROR, CHANGES), ExitCode.ERROR),
    ],
)
def test_batch_exit_code(outcomes: tuple[PlanOutcome, ...], code: ExitCode) -> None:
    """1 if any plan failed (error or refused), else 2 if any changes, else 0."""
    assert exit_code_of(outcomes) is code


def test_a_batch_of_one_refused_plan_exits_three() -> None:
    """A single plan keeps the single-plan exit code for a refusal."""
    summary = BatchSummary((BatchEntry("p.yaml", REFUSED, error="no"),), WHEN, WHEN)
    assert summary.exit_code is ExitCode.REFUSED


def _summary() -> BatchSummary:
    entries = (
        BatchEntry(
            "a.yaml",
            CHANGES,
            name="a",
            tenant="t",
            snapshot_id="s",
            fingerprint="sha256:" + "a" * 64,
            counts={"update": 2, "quarantine": 1},
            reports={"html": "a.html", "markdown": "a.md"},
            guards_ok=True,
        ),
        BatchEntry(HOSTILE, ERROR, error=HOSTILE, problems=(f"{HOSTILE}:1:1: bad",)),
    )
    return BatchSummary(entries, WHEN, WHEN)


def test_summary_json_validates_against_its_schema() -> None:
    """summary.json, unknown actions and hostile text included, is valid by its schema."""
    data = json.loads(render_json(_summary()))
    jsonschema.Draft202012Validator(load_schema("batch-summary.schema.json")).validate(data)
    assert data["totals"]["byAction"] == {"update": 2, "quarantine": 1}
    assert data["plans"][1]["file"] == HOSTILE


@pytest.mark.parametrize("render", [render_markdown, render_html, render_junit])
def test_plan_text_is_escaped(render: object) -> None:
    """No markup, link, mention or bidi control from a plan reaches an index file raw."""
    text = render(_summary())  # type: ignore[operator]
    assert "<script>" not in text and "\u202e" not in text
    assert "U+202E" in text
    if render is render_markdown:
        assert "[x](y)" not in text and "@here" not in text


def test_junit_counts_changes_as_failures_and_errors_as_errors() -> None:
    """One suite per plan; changes fail, errors are errors."""
    root = ET.fromstring(render_junit(_summary()))
    assert (root.get("tests"), root.get("failures"), root.get("errors")) == ("2", "1", "1")
    suites = root.findall("testsuite")
    assert suites[0].find("testcase/failure") is not None
    assert suites[1].find("testcase/error") is not None


def test_slack_text_cannot_mention_or_link() -> None:
    """Slack's control characters are escaped, so `<!channel>`-style text stays text."""
    text = slack_payload(_summary())["text"]
    assert "<" not in text.replace("&lt;", "")
    assert "1 error" in text and "2 update" in text

"""JUnit XML: parses, counts, one case per drifted object, failed changes as failures."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from entra_recovery.diff import build_diff
from entra_recovery.report import render
from helpers import report_samples as s


def _suite(report) -> ET.Element:  # type: ignore[no-untyped-def]
    root = ET.fromstring(render(report, "junit").encode("utf-8"))
    assert root.tag == "testsuites"
    suites = root.findall("testsuite")
    assert len(suites) == 1
    return suites[0]


def test_drift_is_one_failing_case_per_object() -> None:
    """Guards first, then a failing case per object with classname = entity type."""
    suite = _suite(s.demo_report())
    cases = suite.findall("testcase")
    assert [c.get("name") for c in cases[:3]] == [
        "maxChanges",
        "allowedActions",
        "protectedObjects",
    ]
    objects = cases[3:]
    assert len(objects) == 10
    assert all(c.find("failure") is not None for c in objects)
    legacy = next(c for c in objects if "Block legacy" in (c.get("name") or ""))
    assert legacy.get("classname") == "conditionalAccessPolicy"
    assert (
        legacy.get("name") == "Block legacy authentication (c3d4e5f6-0002-4000-8000-000000000002)"
    )
    assert suite.get("tests") == "13" and suite.get("failures") == "11"
    assert suite.get("timestamp") == "2026-11-28T14:00:00"
    assert suite.get("name") == s.PLAN.name


def test_no_drift_is_a_passing_case() -> None:
    """Without changes the suite passes."""
    suite = _suite(s.empty_report())
    cases = suite.findall("testcase")
    assert cases[-1].get("name") == "no drift from the snapshot"
    assert suite.get("failures") == "0"
    assert all(c.find("failure") is None for c in cases)


def test_apply_failures_carry_failure_message() -> None:
    """Objects applied pass; a failed change fails with the service's message."""
    suite = _suite(s.apply_report())
    failures = [c for c in suite.findall("testcase") if c.find("failure") is not None]
    messages = {c.find("failure").get("message") for c in failures}  # type: ignore[union-attr]
    assert "Policy is locked by another administrator." in messages
    failed_object = [c for c in failures if c.get("classname") == "conditionalAccessPolicy"]
    assert len(failed_object) == 1


def test_hostile_text_stays_valid_xml() -> None:
    """Markup, ]]> and control characters do not break the document."""
    raw = {
        "entityTypeName": "group",
        "id": "g\x01",
        "displayName": "<x>&]]>\x00\x1b\ud800",
        "recoveryAction": "update",
        "deltaFromCurrent": {"d": "\x0b"},
        "currentState": {},
    }
    suite = _suite(s.demo_report(diff=build_diff([raw])))
    case = suite.findall("testcase")[-1]
    assert case.get("name", "").startswith("<x>&]]>")


def test_many_plans_in_one_document() -> None:
    """render_many writes a suite per plan with totals on <testsuites>."""
    from entra_recovery.report.junit import render_many

    root = ET.fromstring(render_many([s.demo_report(), s.empty_report()]).encode("utf-8"))
    suites = root.findall("testsuite")
    assert len(suites) == 2
    assert root.get("tests") == "17" and root.get("failures") == "11"

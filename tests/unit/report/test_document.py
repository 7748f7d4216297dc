"""report.document: the Report's derived status and kind, and its time format."""

from __future__ import annotations

from datetime import UTC
from datetime import datetime
from datetime import timedelta
from datetime import timezone

import pytest

from entra_recovery.diff import GuardResult
from entra_recovery.diff import build_diff
from entra_recovery.report import ApplyInfo
from entra_recovery.report import default_status
from entra_recovery.report.document import format_time
from helpers import report_samples as s

_DIFF = build_diff(s.demo_changes())
_EMPTY = build_diff([])
_FAILED = build_diff([{**s.CA_MFA_ADMINS, "failureMessage": "locked"}]).changes


@pytest.mark.parametrize(
    ("diff", "apply", "status"),
    [
        (_EMPTY, None, "no-changes"),
        (_DIFF, None, "changes"),
        (_DIFF, ApplyInfo("j", "successful"), "applied"),
        (_EMPTY, ApplyInfo("j", "successful"), "applied"),
        (_DIFF, ApplyInfo("j", "failed"), "failed"),
        (_DIFF, ApplyInfo("j", "successful", total_failed_changes=2), "failed-changes"),
        (_DIFF, ApplyInfo("j", "successful", total_failed_changes=0), "applied"),
        (_DIFF, ApplyInfo("j", "failed", failed_changes=_FAILED), "failed-changes"),
    ],
)
def test_default_status(diff, apply, status: str) -> None:  # type: ignore[no-untyped-def]
    """Preview: drift or not; apply: failed changes beat the job status."""
    assert default_status(diff, apply) == status
    assert s.demo_report(diff=diff, apply=apply).status == status


def test_a_given_status_is_kept() -> None:
    """The runner's status (e.g. refused) is not recomputed."""
    assert s.demo_report(status="refused").status == "refused"


@pytest.mark.parametrize(
    ("overrides", "kind"),
    [
        ({}, "preview"),
        ({"apply": ApplyInfo("j", "successful")}, "apply"),
        ({"status": "refused"}, "apply"),
        ({"status": "failed"}, "apply"),
        ({"status": "some-new-status"}, "preview"),
    ],
)
def test_kind(overrides: dict, kind: str) -> None:
    """An apply run, finished or refused, is `apply`; everything else is `preview`."""
    assert s.demo_report(**overrides).kind == kind


def test_guards_ok() -> None:
    """One failed guard is enough; no guards at all is ok."""
    ok, bad = GuardResult("a", True, ""), GuardResult("b", False, "")
    assert s.demo_report(guards=(ok, ok)).guards_ok
    assert not s.demo_report(guards=(ok, bad)).guards_ok
    assert s.demo_report(guards=()).guards_ok


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (None, None),
        (datetime(2026, 11, 28, 14, 0, tzinfo=UTC), "2026-11-28T14:00:00Z"),
        (datetime(2026, 11, 28, 14, 0), "2026-11-28T14:00:00Z"),  # naive: taken as UTC
        (
            datetime(2026, 11, 28, 16, 0, tzinfo=timezone(timedelta(hours=2))),
            "2026-11-28T14:00:00Z",
        ),
    ],
)
def test_format_time(value: datetime | None, text: str | None) -> None:
    """UTC with `Z`; None stays None."""
    assert format_time(value) == text

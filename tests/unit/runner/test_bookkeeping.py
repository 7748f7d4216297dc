"""Run bookkeeping: each run's journal and audit line, and how each way of ending is recorded."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from entra_recovery.constants import AuditEvent
from entra_recovery.constants import AuditOutcome
from entra_recovery.constants import ExitCode
from entra_recovery.constants import JournalStep
from entra_recovery.constants import RunStatus
from entra_recovery.errors import ApplyNotApproved
from entra_recovery.errors import GateRefused
from entra_recovery.errors import RunJournalError
from entra_recovery.errors import UsageError
from entra_recovery.plan import Plan
from entra_recovery.plan import load_plan
from entra_recovery.runner.bookkeeping import MAX_ERROR_TEXT
from entra_recovery.runner.bookkeeping import RunRecorder
from entra_recovery.runner.bookkeeping import short_error
from helpers.planfiles import apply_data
from helpers.planfiles import write_plan


def _clock() -> datetime:
    return datetime(2026, 11, 28, 9, 30, tzinfo=UTC)


@pytest.fixture
def plan(tmp_path: Path) -> Plan:
    return load_plan(write_plan(tmp_path, apply_data("sha256:" + "ab" * 32)))


def _on_disk(path: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data


def _audit(recorder: RunRecorder) -> list[dict[str, Any]]:
    return recorder.audit.read()


def test_start_writes_a_running_journal(tmp_path: Path, plan: Plan) -> None:
    """A run is on disk as `running` from its first moment, named after its event."""
    recorder = RunRecorder(tmp_path / "state", clock=_clock)
    assert recorder.last_record is None
    book = recorder.start(AuditEvent.APPLY, plan)
    on_disk = _on_disk(book.journal.path)
    assert (on_disk["command"], on_disk["status"], on_disk["exit_code"]) == (
        "apply",
        "running",
        None,
    )
    assert on_disk["run_id"].startswith("20261128T093000Z-")
    assert recorder.last_record is book.record
    assert _audit(recorder) == []


def test_finish_records_exit_code_and_one_audit_line(tmp_path: Path, plan: Plan) -> None:
    """Finishing writes status, the exit code as a plain int, extra fields, then the audit."""
    recorder = RunRecorder(tmp_path / "state", clock=_clock)
    book = recorder.start(AuditEvent.APPLY, plan)
    with book.step(JournalStep.RECOVERY_JOB):
        book.update(recovery_job_id="job-1")
    book.finish(AuditOutcome.FAILED_CHANGES, ExitCode.FAILED_CHANGES, failed_change_count=2)
    on_disk = _on_disk(book.journal.path)
    assert (on_disk["status"], on_disk["exit_code"], on_disk["failed_change_count"]) == (
        "finished",
        4,
        2,
    )
    assert type(on_disk["exit_code"]) is int
    [line] = _audit(recorder)
    assert (line["event"], line["outcome"], line["run_id"]) == (
        "apply",
        "failed-changes",
        book.run_id,
    )
    assert (line["recovery_job_id"], line["failed_change_count"], line["detail"]) == (
        "job-1",
        2,
        None,
    )
    assert (line["change"], line["approvers"]) == ("CHG0012345", ["alice@contoso.com"])
    assert line["at"] == "2026-11-28T09:30:00Z"


def test_finish_can_audit_another_event(tmp_path: Path, plan: Plan) -> None:
    """A resumed recovery is audited as the apply it finishes; a failed job keeps `failed`."""
    recorder = RunRecorder(tmp_path / "state", clock=_clock)
    journal = recorder.start(AuditEvent.APPLY, plan).journal
    book = recorder.reopen(journal, plan)
    assert (book.event, recorder.last_record) == (AuditEvent.RESUME, journal.record)
    book.finish(
        AuditOutcome.JOB_ABANDONED,
        ExitCode.ERROR,
        status=RunStatus.FAILED,
        event=AuditEvent.APPLY,
    )
    assert (_on_disk(journal.path)["status"], _on_disk(journal.path)["exit_code"]) == ("failed", 1)
    assert [(a["event"], a["outcome"]) for a in _audit(recorder)] == [("apply", "job-abandoned")]


@pytest.mark.parametrize(
    ("error", "status", "outcome", "code"),
    [
        (GateRefused("no", gate="mode"), "refused", "refused", 3),
        (ApplyNotApproved(), "refused", "refused", 3),
        (KeyboardInterrupt(), "interrupted", "interrupted", 130),
        (asyncio.CancelledError(), "interrupted", "interrupted", 130),
        (RunJournalError("broken"), "failed", "error", 1),
        (UsageError("bad report"), "failed", "error", 64),
        (ValueError("a bug"), "failed", "error", 1),
    ],
)
def test_abort_records_how_the_run_was_stopped(
    tmp_path: Path, plan: Plan, error: BaseException, status: str, outcome: str, code: int
) -> None:
    """Each kind of exception ends the run with its status, outcome and exit code."""
    recorder = RunRecorder(tmp_path / "state", clock=_clock)
    book = recorder.start(AuditEvent.PREVIEW, plan)
    book.abort(error)
    on_disk = _on_disk(book.journal.path)
    text = str(error) or type(error).__name__
    assert (on_disk["status"], on_disk["exit_code"], on_disk["error"]) == (status, code, text)
    [line] = _audit(recorder)
    assert (line["event"], line["outcome"], line["detail"]) == ("preview", outcome, text)


def test_a_run_ends_only_once(tmp_path: Path, plan: Plan) -> None:
    """An exception after the run finished (e.g. the failed-job error) changes nothing."""
    recorder = RunRecorder(tmp_path / "state", clock=_clock)
    book = recorder.start(AuditEvent.APPLY, plan)
    book.finish(AuditOutcome.APPLIED, ExitCode.OK)
    book.abort(KeyboardInterrupt())
    assert (_on_disk(book.journal.path)["status"], _on_disk(book.journal.path)["error"]) == (
        "finished",
        None,
    )
    assert [a["outcome"] for a in _audit(recorder)] == ["applied"]


def test_long_errors_are_cut() -> None:
    """Journals and audit lines keep at most MAX_ERROR_TEXT characters of an error."""
    assert short_error(ValueError("x" * MAX_ERROR_TEXT)) == "x" * MAX_ERROR_TEXT
    cut = short_error(ValueError("x" * (MAX_ERROR_TEXT + 1)))
    assert cut == "x" * (MAX_ERROR_TEXT - 3) + "..."
    assert short_error(KeyboardInterrupt()) == "KeyboardInterrupt"

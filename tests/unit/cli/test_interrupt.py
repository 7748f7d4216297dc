"""What Ctrl-C during `plan apply` tells the user, at each point of the run."""

from __future__ import annotations

from pathlib import Path

import pytest

from entra_recovery.cli.plan_run_commands import _explain_interrupt
from entra_recovery.runner.journal import RunJournal


def _journal(tmp_path: Path) -> RunJournal:
    return RunJournal.create(
        tmp_path,
        command="apply",
        plan_path="p.yaml",
        plan_name="p",
        plan_sha256="00",
        tenant="t",
    )


def test_job_known_says_it_continues_and_how_to_follow_or_cancel(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """With a recovery job id, the message names resume and cancel commands."""
    journal = _journal(tmp_path)
    journal.update(recovery_intent_at="2026-11-28T09:00:00Z", recovery_job_id="job-42")
    _explain_interrupt(journal.record)
    err = capsys.readouterr().err
    assert "job-42 continues on the service side" in err
    assert f"entra-recovery run resume {journal.record.run_id}" in err
    assert "entra-recovery job cancel job-42" in err


def test_request_in_flight_points_at_resume(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Between the request and its answer, the job may exist: resume finds it."""
    journal = _journal(tmp_path)
    journal.update(recovery_intent_at="2026-11-28T09:00:00Z")
    _explain_interrupt(journal.record)
    assert "may have been created" in capsys.readouterr().err


def test_before_request_nothing_recovered(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Before the request, nothing was recovered."""
    _explain_interrupt(_journal(tmp_path).record)
    assert "nothing was recovered" in capsys.readouterr().err


def test_before_any_run_just_says_interrupted(capsys: pytest.CaptureFixture[str]) -> None:
    """Ctrl-C before the run had a journal (signing in, opening the client): one word."""
    _explain_interrupt(None)
    assert capsys.readouterr().err == "Interrupted.\n"

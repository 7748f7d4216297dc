"""What Ctrl-C during `plan apply` / `plan preview` tells the user, at each point of the run."""

from __future__ import annotations

from pathlib import Path

import pytest

from entra_recovery.cli.interrupts import explain_apply_interrupt
from entra_recovery.cli.interrupts import explain_preview_interrupt
from entra_recovery.runner.journal import RunJournal


def _journal(tmp_path: Path, command: str = "apply") -> RunJournal:
    return RunJournal.create(
        tmp_path,
        command=command,
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
    explain_apply_interrupt(journal.record)
    err = capsys.readouterr().err
    assert "job-42 continues on the service side" in err
    assert "only job slot" in err
    assert f"entra-recovery run resume {journal.record.run_id}" in err
    assert "entra-recovery job cancel job-42" in err


def test_request_in_flight_points_at_resume(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Between the request and its answer, the job may exist: resume finds it."""
    journal = _journal(tmp_path)
    journal.update(recovery_intent_at="2026-11-28T09:00:00Z")
    explain_apply_interrupt(journal.record)
    assert "may have been created" in capsys.readouterr().err


def test_before_request_nothing_recovered(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Before the request, nothing was recovered."""
    explain_apply_interrupt(_journal(tmp_path).record)
    assert "nothing was recovered" in capsys.readouterr().err


def test_apply_interrupted_during_its_preview_names_the_preview_job(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Ctrl-C while the apply's fresh preview runs: that preview job holds the slot."""
    journal = _journal(tmp_path)
    journal.update(preview_job_id="pj-7", preview_status="calculating")
    explain_apply_interrupt(journal.record)
    err = capsys.readouterr().err
    assert "Preview job pj-7 is still running" in err
    assert "entra-recovery job cancel pj-7" in err
    assert "nothing was recovered" in err


def test_before_any_run_says_no_job_runs(capsys: pytest.CaptureFixture[str]) -> None:
    """Ctrl-C before the run had a journal (signing in, opening the client)."""
    explain_apply_interrupt(None)
    assert capsys.readouterr().err == "Interrupted. No job of this run is running.\n"


def test_interrupted_preview_says_its_job_holds_the_slot(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A preview job still running holds the tenant's only slot: say so and how to cancel."""
    journal = _journal(tmp_path, "preview")
    journal.update(preview_job_id="pj-1", preview_status="initialized")
    explain_preview_interrupt(journal.record)
    err = capsys.readouterr().err
    assert "Preview job pj-1 is still running" in err
    assert "only job slot" in err
    assert "entra-recovery job cancel pj-1" in err


@pytest.mark.parametrize("status", [None, "successful"])
def test_interrupted_preview_without_a_running_job(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], status: str | None
) -> None:
    """No job yet, or it finished: nothing holds the slot."""
    journal = _journal(tmp_path, "preview")
    if status:
        journal.update(preview_job_id="pj-2", preview_status=status)
    explain_preview_interrupt(journal.record)
    assert "No job of this preview is running" in capsys.readouterr().err

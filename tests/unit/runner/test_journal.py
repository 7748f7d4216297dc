"""Run journals: written at every step, readable after a crash, found by id prefix."""

from __future__ import annotations

import json
import stat
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
from entra_recovery.constants import StepState
from entra_recovery.errors import RunJournalError
from entra_recovery.errors import UsageError
from entra_recovery.runner.audit import AuditLog
from entra_recovery.runner.audit import AuditRecord
from entra_recovery.runner.journal import RunJournal
from entra_recovery.runner.journal import list_runs
from entra_recovery.runner.journal import scan_runs


def _clock() -> datetime:
    return datetime(2026, 11, 28, 9, 30, tzinfo=UTC)


def _journal(tmp_path: Path) -> RunJournal:
    return RunJournal.create(
        tmp_path,
        command="apply",
        plan_path="plans/p.yaml",
        plan_name="p",
        plan_sha256="ab" * 32,
        tenant="5f0c1a2b-3c4d-4e5f-8a9b-0c1d2e3f4a5b",
        clock=_clock,
    )


def test_step_writes_before_and_after(tmp_path: Path) -> None:
    """A step is on disk as `started` while it runs and `finished` after."""
    journal = _journal(tmp_path)
    with journal.step(JournalStep.PREVIEW_JOB):
        on_disk = json.loads(journal.path.read_text())
        assert on_disk["steps"][-1]["state"] == "started"
    on_disk = json.loads(journal.path.read_text())
    assert [s["state"] for s in on_disk["steps"]] == ["started", "finished"]


def test_failed_step_is_recorded(tmp_path: Path) -> None:
    """An exception inside a step records `failed` with the exception type, then propagates."""
    journal = _journal(tmp_path)
    with pytest.raises(KeyboardInterrupt), journal.step(JournalStep.POLL_RECOVERY):
        raise KeyboardInterrupt
    reloaded = RunJournal.load(tmp_path, journal.record.run_id)
    assert reloaded.record.last_step is not None
    assert (reloaded.record.last_step.state, reloaded.record.last_step.detail) == (
        "failed",
        "KeyboardInterrupt",
    )


def test_load_by_prefix_and_listing(tmp_path: Path) -> None:
    """Runs are found by a unique prefix and listed newest first."""
    journal = _journal(tmp_path)
    journal.update(recovery_job_id="job-1")
    prefix = journal.record.run_id[:18]
    assert RunJournal.load(tmp_path, prefix).record.recovery_job_id == "job-1"
    assert [r.run_id for r in list_runs(tmp_path)] == [journal.record.run_id]


@pytest.mark.parametrize(
    "bad",
    ["", "../etc/passwd", ".hidden", "nope", "*", "2026*", "[0-9]", "20261128T093000Z-3f9a2c/x"],
)
def test_ids_not_shaped_like_run_ids_are_usage_errors(tmp_path: Path, bad: str) -> None:
    """Anything not shaped like a run id (or a prefix of one) is a usage error (exit 64),
    never a glob or a path."""
    _journal(tmp_path)
    with pytest.raises(UsageError, match="is not a run id") as info:
        RunJournal.load(tmp_path, bad)
    assert info.value.exit_code == 64


def test_an_unknown_run_id_is_a_clear_error(tmp_path: Path) -> None:
    """A well-shaped id of no run names the folder it looked in."""
    _journal(tmp_path)
    with pytest.raises(RunJournalError, match="no run '20990101T000000Z-abcdef'"):
        RunJournal.load(tmp_path, "20990101T000000Z-abcdef")


def test_files_are_private(tmp_path: Path) -> None:
    """Journals and the audit log are readable by the user only."""
    journal = _journal(tmp_path)
    log = AuditLog(tmp_path)
    log.append(
        AuditRecord(
            at="2026-11-28T09:30:00Z",
            event=AuditEvent.PREVIEW,
            outcome=AuditOutcome.CHANGES,
            run_id="r",
            user="admin@contoso",
            tenant="t",
            plan_name="p",
            plan_path="p.yaml",
            plan_sha256="00",
            change=None,
        )
    )
    assert stat.S_IMODE(journal.path.stat().st_mode) == 0o600
    assert stat.S_IMODE(log.path.stat().st_mode) == 0o600


def test_statuses_and_steps_read_back_as_enums(tmp_path: Path) -> None:
    """What a journal holds reads back as the enums it was written from."""
    journal = _journal(tmp_path)
    with journal.step(JournalStep.GATES):
        journal.update(status=RunStatus.REFUSED, exit_code=int(ExitCode.REFUSED))
    record = RunJournal.load(tmp_path, journal.record.run_id).record
    assert record.status is RunStatus.REFUSED and record.exit_code == 3
    assert [(s.name, s.state) for s in record.steps] == [
        (JournalStep.GATES, StepState.STARTED),
        (JournalStep.GATES, StepState.FINISHED),
    ]
    assert all(type(s.name) is JournalStep and type(s.state) is StepState for s in record.steps)


@pytest.mark.parametrize(
    "damage",
    [
        {"status": "paused"},
        {"steps": [{"name": "teleport", "state": "started", "at": "x"}]},
        {"steps": [{"name": "gates", "state": "halfway", "at": "x"}]},
        {"steps": [{"name": "gates"}]},
    ],
)
def test_a_journal_with_unknown_words_is_unreadable(
    tmp_path: Path, damage: dict[str, object]
) -> None:
    """A status or step this version never writes makes the journal unreadable, not guessed."""
    journal = _journal(tmp_path)
    data = json.loads(journal.path.read_text())
    data.update(damage)
    journal.path.write_text(json.dumps(data))
    with pytest.raises(RunJournalError, match="unreadable"):
        RunJournal.load(tmp_path, journal.record.run_id)
    assert list_runs(tmp_path) == []


@pytest.mark.parametrize(
    ("command", "synced"), [("apply", True), ("resume", True), ("preview", False)]
)
def test_journals_that_can_create_jobs_are_fsynced(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, command: str, synced: bool
) -> None:
    """Resume must find a recovery job after a power cut; a preview journal needs no fsync."""
    import os

    calls: list[int] = []
    real_fsync = os.fsync

    def counting_fsync(fd: int) -> None:
        calls.append(fd)
        real_fsync(fd)

    monkeypatch.setattr(os, "fsync", counting_fsync)
    journal = RunJournal.create(
        tmp_path,
        command=command,
        plan_path="plan.yaml",
        plan_name="p",
        plan_sha256="0" * 64,
        tenant="t",
        clock=_clock,
    )
    with journal.step(JournalStep.RECOVERY_JOB):
        journal.update(recovery_job_id="job-1")

    assert len(calls) == (4 if synced else 0)
    assert json.loads(journal.path.read_text())["recovery_job_id"] == "job-1"


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        ("null", "must be a JSON object, not null"),
        ("[]", "must be a JSON object, not array"),
        ("{", "Expecting"),
        ("", "Expecting value"),
        ('{"run_id": 5}', "field 'run_id' must be a string"),
        (None, "field 'steps'"),
        (None, "field 'change_count'"),
        (None, "'paused' is not a valid RunStatus"),
        (None, "is not a run id"),
        (None, "holds run"),
    ],
)
def test_damaged_journals_are_reported_not_hidden_behind(
    tmp_path: Path, content: str | None, reason: str
) -> None:
    """A damaged journal is skipped and reported by `scan_runs`; every other run still lists,
    and loading the damaged one says why it is unreadable."""
    good = _journal(tmp_path)
    damaged_id = "20261128T080000Z-0badc0"
    path = tmp_path / "runs" / f"{damaged_id}.json"
    if content is None:
        data = {**good.record.to_json(), "run_id": damaged_id}
        damage: dict[str, dict[str, Any]] = {
            "field 'steps'": {"steps": {"a": 1}},
            "field 'change_count'": {"change_count": "many"},
            "'paused' is not a valid RunStatus": {"status": "paused"},
            "is not a run id": {"run_id": "../x"},
            "holds run": {"run_id": good.record.run_id},
        }
        data.update(damage[reason])
        content = json.dumps(data)
    path.write_text(content)
    scan = scan_runs(tmp_path)
    assert [r.run_id for r in scan.records] == [good.record.run_id]
    [damaged] = scan.damaged
    assert damaged.path == path and reason in damaged.reason
    with pytest.raises(RunJournalError, match="unreadable"):
        RunJournal.load(tmp_path, damaged_id)

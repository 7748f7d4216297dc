"""Kill points: an apply stopped at every journal write, then `run resume`: never a second job.

Every write of an apply's journal is a kill point, tried two ways:
- `interrupt`: Ctrl-C (KeyboardInterrupt) raised at that write, before it reaches the disk; the
  runner's own handlers then end the run as interrupted (as they would for a real Ctrl-C);
- `crash`: the process dies at that write (nothing more is written: no journal, no audit line),
  as a power cut or `kill -9` would leave it.
Afterwards a fresh runner resumes the run. Whatever the point, the tenant has at most one
recovery job, resume never asks for one, and a job that exists is followed by the run.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from entra_recovery.errors import RunJournalError
from entra_recovery.graph.client import open_client
from entra_recovery.graph.settings import GraphSettings
from entra_recovery.plan import Plan
from entra_recovery.plan import load_plan
from entra_recovery.runner.audit import AuditLog
from entra_recovery.runner.journal import RunJournal
from entra_recovery.runner.journal import list_runs
from entra_recovery.runner.results import Preview
from entra_recovery.runner.runner import PlanRunner
from entra_recovery.testing import start_emulator
from helpers.planfiles import apply_data
from helpers.planfiles import write_plan

# Journal writes of one whole apply of the test plan (checked by the first test below).
APPLY_WRITES = 32
MODES = ("interrupt", "crash")


class Crash(BaseException):
    """The process died here."""


def _settings(server: Any) -> GraphSettings:
    return GraphSettings(
        graph_url=server.url,
        access_token=server.make_token(),
        auth_method="token",
        poll_interval=0.01,
    )


def _with_runner(server: Any, state: Path, body: Any) -> Any:
    async def go() -> Any:
        async with open_client(_settings(server)) as graph:
            return await body(PlanRunner(graph, state_dir=state, poll_interval=0.01))

    return asyncio.run(go())


def _yes(_: Preview) -> bool:
    return True


@pytest.fixture(scope="module")
def fingerprint(tmp_path_factory: pytest.TempPathFactory) -> str:
    """The demo tenant's fingerprint for the test plan (the same on every fresh emulator)."""
    folder = tmp_path_factory.mktemp("fingerprint")
    draft = apply_data()
    draft["mode"] = "preview"
    plan = load_plan(write_plan(folder, draft))
    server = start_emulator()
    try:
        preview: Preview = _with_runner(server, folder / "state", lambda r: r.preview(plan))
    finally:
        server.stop()
    return preview.fingerprint


@pytest.fixture
def server() -> Iterator[Any]:
    emulator = start_emulator()
    try:
        yield emulator
    finally:
        emulator.stop()


def _recovery_posts(server: Any) -> list[dict[str, Any]]:
    return [
        r
        for r in server.requests
        if r["method"] == "POST" and r["path"].rstrip("/").endswith("/recoveryJobs")
    ]


def _killing(monkeypatch: pytest.MonkeyPatch, at: int, mode: str) -> list[int]:
    """Stop the run at journal write number `at` (from 1); returns the write counter."""
    count = [0]
    dead = [False]
    save = RunJournal.save
    append = AuditLog.append

    def killing_save(self: RunJournal) -> None:
        if dead[0]:
            return  # a dead process writes nothing more
        count[0] += 1
        if count[0] == at:
            if mode == "crash":
                dead[0] = True
                raise Crash
            raise KeyboardInterrupt
        save(self)

    def killing_append(self: AuditLog, record: Any) -> None:
        if not dead[0]:
            append(self, record)

    monkeypatch.setattr(RunJournal, "save", killing_save)
    monkeypatch.setattr(AuditLog, "append", killing_append)
    return count


def _plan(tmp_path: Path, fingerprint: str) -> Plan:
    return load_plan(write_plan(tmp_path, apply_data(fingerprint)))


def test_the_kill_points_cover_every_journal_write(
    server: Any, tmp_path: Path, fingerprint: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An apply that is never stopped writes its journal APPLY_WRITES times."""
    count = _killing(monkeypatch, at=0, mode="crash")
    plan = _plan(tmp_path, fingerprint)
    _with_runner(server, tmp_path / "state", lambda r: r.apply(plan, confirm=_yes))
    assert count[0] == APPLY_WRITES
    assert len(_recovery_posts(server)) == 1


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("at", range(1, APPLY_WRITES + 1))
def test_resume_after_a_kill_never_makes_a_second_job(
    server: Any,
    tmp_path: Path,
    fingerprint: str,
    monkeypatch: pytest.MonkeyPatch,
    at: int,
    mode: str,
) -> None:
    """Killed at journal write `at`: resume follows the one job there is, or creates none."""
    state = tmp_path / "state"
    plan = _plan(tmp_path, fingerprint)
    with monkeypatch.context() as patch:
        _killing(patch, at, mode)
        with pytest.raises((Crash, KeyboardInterrupt)):
            _with_runner(server, state, lambda r: r.apply(plan, confirm=_yes))
    posts = _recovery_posts(server)
    assert len(posts) <= 1
    runs = list_runs(state) if (state / "runs").is_dir() else []
    if not runs:
        assert posts == []  # died before the journal existed: nothing was asked for
        return
    [record] = runs
    try:
        result = _with_runner(server, state, lambda r: r.resume(record.run_id))
    except RunJournalError as exc:
        # Refused: nothing was asked for, or the run had already finished with its job.
        assert not posts or record.status == "finished", str(exc)
    else:
        assert posts and result.job is not None
        assert RunJournal.load(state, record.run_id).record.recovery_job_id == result.job.id
    assert _recovery_posts(server) == posts

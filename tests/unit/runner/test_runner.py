"""PlanRunner against the emulator over real HTTP: failures, resume, busy tenant, batches."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from collections.abc import Callable
from importlib import resources
from pathlib import Path
from typing import Any

import pytest
import yaml

from entra_recovery.errors import JobConflictError
from entra_recovery.errors import RunJournalError
from entra_recovery.graph.client import open_client
from entra_recovery.graph.models import FilteringCriteria
from entra_recovery.graph.settings import GraphSettings
from entra_recovery.plan import Plan
from entra_recovery.plan import load_plan
from entra_recovery.runner.journal import RunJournal
from entra_recovery.runner.results import ApplyResult
from entra_recovery.runner.results import Preview
from entra_recovery.runner.runner import PlanRunner
from helpers.planfiles import CA_MFA_ADMINS
from helpers.planfiles import apply_data
from helpers.planfiles import plan_data
from helpers.planfiles import write_plan


def _settings(server: Any) -> GraphSettings:
    return GraphSettings(
        graph_url=server.url,
        access_token=server.make_token(),
        auth_method="token",
        poll_interval=0.05,
    )


def _posts(server: Any, collection: str) -> int:
    return sum(
        1
        for r in server.requests
        if r["method"] == "POST" and r["path"].rstrip("/").endswith("/" + collection)
    )


def _yes(_: Preview) -> bool:
    return True


async def _with_runner(
    server: Any, state: Path, body: Callable[[PlanRunner], Awaitable[Any]], **kwargs: Any
) -> Any:
    async with open_client(_settings(server)) as graph:
        return await body(PlanRunner(graph, state_dir=state, poll_interval=0.05, **kwargs))


def _approved_plan(server: Any, tmp_path: Path) -> Plan:
    """An apply plan for the CA scope, approved with the fingerprint of a fresh preview."""
    draft = load_plan(write_plan(tmp_path, apply_data(), "draft.yaml"))
    preview = asyncio.run(_with_runner(server, tmp_path / "state", lambda r: r.preview(draft)))
    return load_plan(write_plan(tmp_path, apply_data(preview.fingerprint), "approved.yaml"))


class _Wrapped:
    """The real GraphClient with a hook around `start_recovery_job` (a seam, not a mock)."""

    def __init__(self, graph: Any, after_create: Callable[[str], None]) -> None:
        self._graph = graph
        self._after_create = after_create

    def __getattr__(self, name: str) -> Any:
        return getattr(self._graph, name)

    async def start_recovery_job(self, snapshot_id: str, criteria: FilteringCriteria) -> str:
        job_id: str = await self._graph.start_recovery_job(snapshot_id, criteria)
        self._after_create(job_id)
        return job_id


def _apply_dying(server: Any, state: Path, plan: Plan, exc: BaseException) -> RunJournal:
    """Run an apply whose process "dies" (raises `exc`) right after the job was requested."""
    holder: dict[str, PlanRunner] = {}

    def die(_: str) -> None:
        raise exc

    async def go() -> None:
        async with open_client(_settings(server)) as graph:
            runner = PlanRunner(_Wrapped(graph, die), state_dir=state, poll_interval=0.05)  # type: ignore[arg-type]
            holder["runner"] = runner
            await runner.apply(plan, confirm=_yes)

    with pytest.raises(type(exc)):
        asyncio.run(go())
    book = holder["runner"].recorder.current
    assert book is not None
    return book.journal


def _failing_scenario(tmp_path: Path) -> Path:
    demo = resources.files("entra_recovery.emulator") / "scenarios" / "demo.yaml"
    data = yaml.safe_load(demo.read_text(encoding="utf-8"))
    data["jobs"]["failingObjects"] = {CA_MFA_ADMINS: "Policy is locked by another process."}
    path = tmp_path / "failing.yaml"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    return path


def test_failed_changes_are_collected(make_emulator: Any, tmp_path: Path) -> None:
    """A change that fails to apply comes back from getFailedChanges with its message."""
    server = make_emulator(scenario=str(_failing_scenario(tmp_path)))
    plan = _approved_plan(server, tmp_path)
    result: ApplyResult = asyncio.run(
        _with_runner(server, tmp_path / "state", lambda r: r.apply(plan, confirm=_yes))
    )
    assert [c.id for c in result.failed.changes] == [CA_MFA_ADMINS]
    assert result.failed.changes[0].failure_message == "Policy is locked by another process."
    journal = RunJournal.load(tmp_path / "state", result.preview.run_id).record
    assert (journal.status, journal.exit_code, journal.failed_change_count) == ("finished", 4, 1)


def test_resume_finds_a_job_whose_id_was_lost(emulator: Any, tmp_path: Path) -> None:
    """Killed between the request and recording its id: resume finds the job, creates none."""
    plan = _approved_plan(emulator, tmp_path)
    state = tmp_path / "state"
    journal = _apply_dying(emulator, state, plan, KeyboardInterrupt())
    assert journal.record.recovery_intent_at is not None
    assert journal.record.recovery_job_id is None  # died before the id was recorded
    created = [
        r for r in emulator.requests if r["method"] == "POST" and "recoveryJobs" in r["path"]
    ]
    assert len(created) == 1
    result = asyncio.run(_with_runner(emulator, state, lambda r: r.resume(journal.record.run_id)))
    assert result.job is not None and result.job.status.is_succeeded
    assert _posts(emulator, "recoveryJobs") == 1
    again = asyncio.run(
        _with_runner(
            emulator, state, lambda r: r.preview(load_plan(write_plan(tmp_path, plan_data())))
        )
    )
    assert not again.has_changes


def test_resume_with_recorded_job_id(emulator: Any, tmp_path: Path) -> None:
    """With the job id in the journal, resume polls exactly that job."""
    plan = _approved_plan(emulator, tmp_path)
    state = tmp_path / "state"

    async def go(runner: PlanRunner) -> None:
        original = runner.graph.start_recovery_job

        async def create_then_die(sid: str, criteria: FilteringCriteria) -> str:
            job_id = await original(sid, criteria)
            assert runner.recorder.current is not None
            runner.recorder.current.update(recovery_job_id=job_id)
            raise KeyboardInterrupt

        runner.graph.start_recovery_job = create_then_die  # type: ignore[method-assign]
        await runner.apply(plan, confirm=_yes)

    with pytest.raises(KeyboardInterrupt):
        asyncio.run(_with_runner(emulator, state, go))
    record = RunJournal.load(state, _latest_run(state)).record
    assert record.recovery_job_id and record.status == "interrupted"
    result = asyncio.run(_with_runner(emulator, state, lambda r: r.resume(record.run_id)))
    assert result.job is not None and result.job.id == record.recovery_job_id
    assert _posts(emulator, "recoveryJobs") == 1


def _latest_run(state: Path) -> str:
    from entra_recovery.runner.journal import list_runs

    return list_runs(state)[0].run_id


def test_resume_before_request_creates_nothing(emulator: Any, tmp_path: Path) -> None:
    """A run that stopped before asking for a recovery job is not resumed: nothing to follow."""
    plan = _approved_plan(emulator, tmp_path)
    state = tmp_path / "state"

    def refuse(_: Preview) -> bool:
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        asyncio.run(_with_runner(emulator, state, lambda r: r.apply(plan, confirm=refuse)))
    with pytest.raises(RunJournalError, match="before a recovery job was requested"):
        asyncio.run(_with_runner(emulator, state, lambda r: r.resume(_latest_run(state))))
    assert _posts(emulator, "recoveryJobs") == 0


def test_busy_tenant_stops_and_names_the_job(make_emulator: Any, tmp_path: Path) -> None:
    """With another job running, preview stops (exit 1) naming it, and creates nothing."""
    server = make_emulator(job_durations=60)
    plan = load_plan(write_plan(tmp_path, plan_data()))

    async def go(runner: PlanRunner) -> None:
        snapshot = (await runner.graph.list_snapshots())[-1]
        blocker = await runner.graph.start_preview_job(snapshot.id, FilteringCriteria())
        with pytest.raises(JobConflictError, match=blocker):
            await runner.preview(plan)

    asyncio.run(_with_runner(server, tmp_path / "state", go))
    assert _posts(server, "recoveryPreviewJobs") == 1


def test_wait_for_slot_queues_behind_the_running_job(make_emulator: Any, tmp_path: Path) -> None:
    """With --wait-for-slot the preview waits until the running job ends, then runs."""
    server = make_emulator(now=None, job_durations=0.2)
    plan = load_plan(write_plan(tmp_path, plan_data()))
    waits: list[str] = []

    async def go(runner: PlanRunner) -> Preview:
        snapshot = (await runner.graph.list_snapshots())[-1]
        blocker = await runner.graph.start_preview_job(snapshot.id, FilteringCriteria())
        runner.events.waiting_for_slot = lambda job, _: waits.append(job.id)  # type: ignore[method-assign]
        preview = await runner.preview(plan)
        assert (await runner.graph.get_job(blocker)).status.is_succeeded
        return preview

    preview = asyncio.run(
        _with_runner(server, tmp_path / "state", go, wait_for_slot=60, job_timeout=30)
    )
    assert preview.job.status.is_succeeded
    assert waits, "the runner must have waited for the other job"


def test_batch_shares_identical_preview_jobs(emulator: Any, tmp_path: Path) -> None:
    """Two plans with the same snapshot and scope share one preview job in one batch."""
    first = load_plan(write_plan(tmp_path, plan_data(), "a.yaml"))
    second_data = plan_data()
    second_data["metadata"] = {"name": "same-scope"}
    second = load_plan(write_plan(tmp_path, second_data, "b.yaml"))

    async def go(runner: PlanRunner) -> tuple[Preview, Preview]:
        return await runner.preview(first), await runner.preview(second)

    a, b = asyncio.run(_with_runner(emulator, tmp_path / "state", go, share_previews=True))
    assert a.job.id == b.job.id and a.fingerprint == b.fingerprint
    assert _posts(emulator, "recoveryPreviewJobs") == 1


def test_stale_fingerprint_explains_the_drift(emulator: Any, tmp_path: Path) -> None:
    """The refusal lists the object that changed since the approved preview."""
    from entra_recovery.errors import FingerprintMismatch

    plan = _approved_plan(emulator, tmp_path)
    emulator.state.update_object(
        "conditionalAccessPolicy", CA_MFA_ADMINS, {"state": "enabledForReportingButNotEnforced"}
    )
    with pytest.raises(FingerprintMismatch) as info:
        asyncio.run(
            _with_runner(emulator, tmp_path / "state", lambda r: r.apply(plan, confirm=_yes))
        )
    assert any(CA_MFA_ADMINS in line and "state" in line for line in info.value.details)
    assert _posts(emulator, "recoveryJobs") == 0


def test_an_unreadable_saved_index_still_refuses_with_a_way_forward(
    emulator: Any, tmp_path: Path
) -> None:
    """The index is written without fsync; one cut short by a crash reads as missing."""
    from entra_recovery.errors import FingerprintMismatch

    plan = _approved_plan(emulator, tmp_path)
    indexes = list((tmp_path / "state" / "previews").glob("*.json"))
    assert indexes
    for index in indexes:
        index.write_bytes(index.read_bytes()[:100])  # truncated
    emulator.state.update_object(
        "conditionalAccessPolicy", CA_MFA_ADMINS, {"state": "enabledForReportingButNotEnforced"}
    )
    with pytest.raises(FingerprintMismatch) as info:
        asyncio.run(
            _with_runner(emulator, tmp_path / "state", lambda r: r.apply(plan, confirm=_yes))
        )
    assert any("--approved-report" in line for line in info.value.details)
    assert _posts(emulator, "recoveryJobs") == 0

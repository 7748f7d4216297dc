"""`run resume` against the emulator over HTTP: each way a run can stop, and never a second job."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from entra_recovery.errors import RunJournalError
from entra_recovery.graph.client import open_client
from entra_recovery.graph.models import FilteringCriteria
from entra_recovery.graph.models import Job
from entra_recovery.graph.settings import GraphSettings
from entra_recovery.plan import Plan
from entra_recovery.plan import load_plan
from entra_recovery.runner.journal import RunJournal
from entra_recovery.runner.journal import list_runs
from entra_recovery.runner.results import Preview
from entra_recovery.runner.runner import PlanRunner
from helpers.planfiles import plan_data
from helpers.planfiles import write_plan

Runner = Callable[..., Any]
Approve = Callable[[Any, Path], Plan]
Count = Callable[[Any, str], int]


def _yes(_: Preview) -> bool:
    return True


class _Wrapped:
    """The real GraphClient with hooks around two calls (a seam, not a mock)."""

    def __init__(
        self,
        graph: Any,
        after_create: Callable[[str], None] | None = None,
        before_poll: Callable[[], None] | None = None,
    ) -> None:
        self._graph = graph
        self._after_create = after_create
        self._before_poll = before_poll

    def __getattr__(self, name: str) -> Any:
        return getattr(self._graph, name)

    async def start_recovery_job(self, snapshot_id: str, criteria: FilteringCriteria) -> str:
        job_id: str = await self._graph.start_recovery_job(snapshot_id, criteria)
        if self._after_create is not None:
            self._after_create(job_id)
        return job_id

    async def get_recovery_job(self, snapshot_id: str, job_id: str) -> Job:
        if self._before_poll is not None:
            self._before_poll()
        job: Job = await self._graph.get_recovery_job(snapshot_id, job_id)
        return job


def _run_wrapped(server: Any, state: Path, body: Callable[[PlanRunner], Any], **hooks: Any) -> Any:
    async def go() -> Any:
        async with open_client(graph_settings(server)) as graph:
            wrapped: Any = _Wrapped(graph, **hooks)
            return await body(PlanRunner(wrapped, state_dir=state, poll_interval=0.05))

    return asyncio.run(go())


def graph_settings(server: Any) -> GraphSettings:
    return GraphSettings(
        graph_url=server.url,
        access_token=server.make_token(),
        auth_method="token",
        poll_interval=0.05,
    )


def _die(_: str = "") -> None:
    raise KeyboardInterrupt


def _apply_dying(server: Any, state: Path, plan: Plan) -> RunJournal:
    """An apply whose process "dies" right after the recovery job was requested."""
    with pytest.raises(KeyboardInterrupt):
        _run_wrapped(server, state, lambda r: r.apply(plan, confirm=_yes), after_create=_die)
    return RunJournal.load(state, list_runs(state)[0].run_id)


def _audit(state: Path) -> list[tuple[str, str]]:
    lines = (state / "audit.jsonl").read_text(encoding="utf-8").splitlines()
    return [(json.loads(line)["event"], json.loads(line)["outcome"]) for line in lines]


def test_resume_finds_a_job_whose_id_was_lost(
    emulator: Any,
    tmp_path: Path,
    with_runner: Runner,
    approved_plan: Approve,
    count_posts: Count,
) -> None:
    """Killed between the request and recording its id: resume finds the job, creates none."""
    plan = approved_plan(emulator, tmp_path)
    state = tmp_path / "state"
    journal = _apply_dying(emulator, state, plan)
    assert journal.record.recovery_intent_at is not None
    assert journal.record.recovery_job_id is None  # died before the id was recorded
    assert count_posts(emulator, "recoveryJobs") == 1
    result = with_runner(emulator, state, lambda r: r.resume(journal.record.run_id))
    assert result.job is not None and result.job.status.is_succeeded
    assert count_posts(emulator, "recoveryJobs") == 1
    record = RunJournal.load(state, journal.record.run_id).record
    assert (record.status, record.exit_code, record.recovery_job_id) == (
        "finished",
        0,
        result.job.id,
    )
    assert [(s.name, s.state) for s in record.steps][-5:] == [
        ("resume", "started"),
        ("poll-recovery", "started"),
        ("poll-recovery", "finished"),
        ("failed-changes", "started"),
        ("failed-changes", "finished"),
    ]
    # A resumed recovery is audited as the apply it finishes.
    assert _audit(state)[-2:] == [("apply", "interrupted"), ("apply", "applied")]
    again = with_runner(
        emulator, state, lambda r: r.preview(load_plan(write_plan(tmp_path, plan_data())))
    )
    assert not again.has_changes


def test_resume_with_recorded_job_id(
    emulator: Any,
    tmp_path: Path,
    with_runner: Runner,
    approved_plan: Approve,
    count_posts: Count,
) -> None:
    """With the job id in the journal, resume polls exactly that job."""
    plan = approved_plan(emulator, tmp_path)
    state = tmp_path / "state"

    async def go(runner: PlanRunner) -> None:
        original = runner.graph.start_recovery_job

        async def create_then_die(sid: str, criteria: FilteringCriteria) -> str:
            job_id = await original(sid, criteria)
            assert runner.recorder.current is not None
            runner.recorder.current.update(recovery_job_id=job_id)
            raise KeyboardInterrupt

        runner.graph.start_recovery_job = create_then_die  # type: ignore[method-assign,assignment]
        await runner.apply(plan, confirm=_yes)

    with pytest.raises(KeyboardInterrupt):
        with_runner(emulator, state, go)
    record = RunJournal.load(state, list_runs(state)[0].run_id).record
    assert record.recovery_job_id and record.status == "interrupted"
    result = with_runner(emulator, state, lambda r: r.resume(record.run_id))
    assert result.job is not None and result.job.id == record.recovery_job_id
    assert count_posts(emulator, "recoveryJobs") == 1


def test_resume_before_request_creates_nothing(
    emulator: Any,
    tmp_path: Path,
    with_runner: Runner,
    approved_plan: Approve,
    count_posts: Count,
) -> None:
    """A run that stopped before asking for a recovery job is not resumed: nothing to follow."""
    plan = approved_plan(emulator, tmp_path)
    state = tmp_path / "state"

    def refuse(_: Preview) -> bool:
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        with_runner(emulator, state, lambda r: r.apply(plan, confirm=refuse))
    with pytest.raises(RunJournalError, match=r"before a recovery job was requested \(last step: "):
        with_runner(emulator, state, lambda r: r.resume(list_runs(state)[0].run_id))
    assert count_posts(emulator, "recoveryJobs") == 0


def test_an_interrupted_resume_is_audited_as_resume(
    emulator: Any, tmp_path: Path, approved_plan: Approve, count_posts: Count
) -> None:
    """Ctrl-C while resume polls: the journal says interrupted again, the audit says resume."""
    plan = approved_plan(emulator, tmp_path)
    state = tmp_path / "state"
    journal = _apply_dying(emulator, state, plan)
    with pytest.raises(KeyboardInterrupt):
        _run_wrapped(emulator, state, lambda r: r.resume(journal.record.run_id), before_poll=_die)
    record = RunJournal.load(state, journal.record.run_id).record
    assert (record.status, record.exit_code) == ("interrupted", 130)
    assert _audit(state)[-1] == ("resume", "interrupted")
    assert count_posts(emulator, "recoveryJobs") == 1


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"command": "preview"}, "was a preview; nothing to resume"),
        ({"status": "finished", "exit_code": 0}, r"already finished \(exit 0\)"),
        ({"plan_sha256": "0" * 64}, "changed since run"),
        ({"fingerprint": None}, "has no finished preview to resume from"),
        ({"fingerprint": "sha256:" + "0" * 64}, "no longer reads back the same"),
    ],
)
def test_a_run_that_cannot_be_resumed_is_refused(
    emulator: Any,
    tmp_path: Path,
    with_runner: Runner,
    approved_plan: Approve,
    count_posts: Count,
    change: dict[str, Any],
    message: str,
) -> None:
    """Each reason not to resume is an error that names it, and no job is created."""
    plan = approved_plan(emulator, tmp_path)
    state = tmp_path / "state"
    journal = _apply_dying(emulator, state, plan)
    journal.update(**change)
    audit_before = _audit(state)
    with pytest.raises(RunJournalError, match=message):
        with_runner(emulator, state, lambda r: r.resume(journal.record.run_id))
    assert count_posts(emulator, "recoveryJobs") == 1
    assert _audit(state) == audit_before  # a refused resume ends nothing: no audit line


def test_a_lost_request_that_never_arrived_is_not_guessed(
    emulator: Any, tmp_path: Path, with_runner: Runner, approved_plan: Approve
) -> None:
    """Intent recorded but no matching job in the tenant: nothing was recovered, apply again."""
    plan = approved_plan(emulator, tmp_path)
    state = tmp_path / "state"

    async def die_before_request(runner: PlanRunner) -> None:
        async def request_lost(sid: str, criteria: FilteringCriteria) -> str:
            raise KeyboardInterrupt

        runner.graph.start_recovery_job = request_lost  # type: ignore[method-assign,assignment]
        await runner.apply(plan, confirm=_yes)

    with pytest.raises(KeyboardInterrupt):
        with_runner(emulator, state, die_before_request)
    run_id = list_runs(state)[0].run_id
    with pytest.raises(RunJournalError, match="no such job exists") as info:
        with_runner(emulator, state, lambda r: r.resume(run_id))
    assert f"plan apply {plan.path}" in (info.value.hint or "")


def test_several_matching_jobs_are_not_guessed_between(
    emulator: Any, tmp_path: Path, with_runner: Runner, approved_plan: Approve, with_graph: Runner
) -> None:
    """Two recovery jobs fit the lost request: resume names both and picks neither."""
    plan = approved_plan(emulator, tmp_path)
    state = tmp_path / "state"
    journal = _apply_dying(emulator, state, plan)
    record = journal.record
    criteria = FilteringCriteria.from_json(record.criteria)
    assert record.snapshot_id is not None
    snapshot_id = record.snapshot_id

    async def second(graph: Any) -> str:
        job_id: str = await graph.start_recovery_job(snapshot_id, criteria)
        return job_id

    other = with_graph(emulator, second)
    with pytest.raises(RunJournalError, match="several recovery jobs match") as info:
        with_runner(emulator, state, lambda r: r.resume(record.run_id))
    assert other in str(info.value)


def test_resume_never_adopts_the_job_of_a_later_run(
    emulator: Any, tmp_path: Path, with_runner: Runner, approved_plan: Approve, count_posts: Count
) -> None:
    """Run A's request never arrived and resume said nothing was recovered; run B then
    recovered. Resuming A again must not adopt B's job (it used to: two journals and two
    `applied` audit lines for one job)."""
    plan = approved_plan(emulator, tmp_path)
    state = tmp_path / "state"

    async def die_before_request(runner: PlanRunner) -> None:
        async def request_lost(sid: str, criteria: FilteringCriteria) -> str:
            raise KeyboardInterrupt

        runner.graph.start_recovery_job = request_lost  # type: ignore[method-assign,assignment]
        await runner.apply(plan, confirm=_yes)

    with pytest.raises(KeyboardInterrupt):
        with_runner(emulator, state, die_before_request)
    run_a = list_runs(state)[0].run_id
    with pytest.raises(RunJournalError, match="nothing was recovered"):
        with_runner(emulator, state, lambda r: r.resume(run_a))
    assert RunJournal.load(state, run_a).record.nothing_recovered
    result = with_runner(emulator, state, lambda r: r.apply(plan, confirm=_yes))
    assert result.job is not None and count_posts(emulator, "recoveryJobs") == 1
    with pytest.raises(RunJournalError, match="is closed"):
        with_runner(emulator, state, lambda r: r.resume(run_a))
    assert [a for a in _audit(state) if a[1] == "applied"] == [("apply", "applied")]


def test_resume_skips_jobs_other_runs_own(
    emulator: Any, tmp_path: Path, with_runner: Runner, approved_plan: Approve, count_posts: Count
) -> None:
    """Even for a run not yet closed, a job that another journal records is never its own."""
    plan = approved_plan(emulator, tmp_path)
    state = tmp_path / "state"

    async def die_before_request(runner: PlanRunner) -> None:
        async def request_lost(sid: str, criteria: FilteringCriteria) -> str:
            raise KeyboardInterrupt

        runner.graph.start_recovery_job = request_lost  # type: ignore[method-assign,assignment]
        await runner.apply(plan, confirm=_yes)

    with pytest.raises(KeyboardInterrupt):
        with_runner(emulator, state, die_before_request)
    run_a = list_runs(state)[0].run_id
    later = with_runner(emulator, state, lambda r: r.apply(plan, confirm=_yes))
    assert later.job is not None
    with pytest.raises(RunJournalError, match="no such job exists"):
        with_runner(emulator, state, lambda r: r.resume(run_a))
    assert RunJournal.load(state, run_a).record.recovery_job_id is None
    assert count_posts(emulator, "recoveryJobs") == 1

"""Creating jobs exactly once, against the emulator: a lost answer is looked up, never resent."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from faults.runhelpers import UncertainGraph

from entra_recovery.errors import JobCreationUnresolved
from entra_recovery.graph.client import open_client
from entra_recovery.graph.models import FilteringCriteria
from entra_recovery.plan import Plan
from entra_recovery.plan import load_plan
from entra_recovery.runner.journal import list_runs
from entra_recovery.runner.results import ApplyResult
from entra_recovery.runner.results import Preview
from entra_recovery.runner.runner import PlanRunner
from entra_recovery.testing import PINNED_NOW
from helpers.planfiles import plan_data
from helpers.planfiles import write_plan

Approve = Callable[[Any, Path], Plan]
Count = Callable[[Any, str], int]


def _yes(_: Preview) -> bool:
    return True


def _settings(server: Any) -> Any:
    from entra_recovery.graph.settings import GraphSettings

    return GraphSettings(
        graph_url=server.url,
        access_token=server.make_token(),
        auth_method="token",
        poll_interval=0.05,
    )


def _run(server: Any, state: Path, wrap: Callable[[Any], Any], body: Any, **kwargs: Any) -> Any:
    """Await `body(runner)` with a runner over `wrap(real GraphApi)`."""

    async def go() -> Any:
        async with open_client(_settings(server)) as graph:
            runner = PlanRunner(wrap(graph), state_dir=state, poll_interval=0.05, **kwargs)
            return await body(runner)

    return asyncio.run(go())


def _audit(state: Path) -> list[tuple[str, str]]:
    lines = (state / "audit.jsonl").read_text(encoding="utf-8").splitlines()
    return [(json.loads(x)["event"], json.loads(x)["outcome"]) for x in lines]


@pytest.mark.parametrize("wait", [None, 3600.0])
def test_a_lost_answer_with_the_job_created_follows_that_job(
    emulator: Any, tmp_path: Path, approved_plan: Approve, count_posts: Count, wait: float | None
) -> None:
    """The recovery job was created but its answer lost: the run finds it and follows it to
    its end as if the service had answered; no second request, with or without a slot wait."""
    plan = approved_plan(emulator, tmp_path)
    state = tmp_path / "state"
    wrappers: list[UncertainGraph] = []

    def wrap(graph: Any) -> UncertainGraph:
        wrappers.append(UncertainGraph(graph, kind="recovery", created=True))
        return wrappers[-1]

    result: ApplyResult = _run(
        emulator, state, wrap, lambda r: r.apply(plan, confirm=_yes), wait_for_slot=wait
    )
    [lost] = wrappers[0].lost
    assert result.job is not None and result.job.id == lost and result.succeeded
    assert count_posts(emulator, "recoveryJobs") == 1
    [record] = [r for r in list_runs(state) if r.command == "apply"]
    assert (record.recovery_job_id, record.status, record.exit_code) == (lost, "finished", 0)
    assert _audit(state)[-1] == ("apply", "applied")


def test_a_lost_answer_without_a_job_stops_and_names_resume(
    emulator: Any, tmp_path: Path, approved_plan: Approve, count_posts: Count
) -> None:
    """No job appeared (looked for twice): stop, exit 1, name `run resume <id>`; no request."""
    plan = approved_plan(emulator, tmp_path)
    state = tmp_path / "state"
    sleeps: list[float] = []

    async def sleep(seconds: float) -> None:
        sleeps.append(seconds)

    def wrap(graph: Any) -> UncertainGraph:
        return UncertainGraph(graph, kind="recovery", created=False)

    with pytest.raises(JobCreationUnresolved, match="the request is not sent again") as info:
        _run(emulator, state, wrap, lambda r: r.apply(plan, confirm=_yes), sleep=sleep)
    [record] = [r for r in list_runs(state) if r.command == "apply"]
    assert info.value.exit_code == 1
    assert f"entra-recovery run resume {record.run_id}" in (info.value.hint or "")
    assert (record.status, record.recovery_job_id) == ("failed", None)
    assert record.recovery_intent_at is not None
    assert sleeps[-1] == 0.05  # one re-check, one poll interval later
    assert count_posts(emulator, "recoveryJobs") == 0


def test_a_job_listed_late_is_found_on_the_recheck(
    emulator: Any, tmp_path: Path, approved_plan: Approve, count_posts: Count
) -> None:
    """The job shows up only after a moment: the one re-check finds and follows it."""
    plan = approved_plan(emulator, tmp_path)
    state = tmp_path / "state"
    late: dict[str, Any] = {}

    class LateGraph(UncertainGraph):
        async def start_recovery_job(self, snapshot_id: str, criteria: FilteringCriteria) -> str:
            late["create"] = lambda: self._graph.start_recovery_job(snapshot_id, criteria)
            return await super().start_recovery_job(snapshot_id, criteria)

    async def sleep(seconds: float) -> None:
        if "create" in late:
            late["id"] = await late.pop("create")()  # the service gets to it now

    result: ApplyResult = _run(
        emulator,
        state,
        lambda g: LateGraph(g, kind="recovery", created=False),
        lambda r: r.apply(plan, confirm=_yes),
        sleep=sleep,
    )
    assert result.job is not None and result.job.id == late["id"]
    assert count_posts(emulator, "recoveryJobs") == 1


def test_a_409_from_our_own_resent_request_is_not_waited_out(
    make_emulator: Any, tmp_path: Path, approved_plan: Approve, count_posts: Count
) -> None:
    """A client that re-sends the POST after a lost answer gets 409 from its own first job; with
    --wait-for-slot the runner used to wait for that job and then create a second one."""
    server = make_emulator(job_durations=0.1)
    plan = approved_plan(server, tmp_path)
    state = tmp_path / "state"
    first: list[str] = []

    class ResendingGraph(UncertainGraph):
        async def start_recovery_job(self, snapshot_id: str, criteria: FilteringCriteria) -> str:
            first.append(await self._graph.start_recovery_job(snapshot_id, criteria))
            job_id: str = await self._graph.start_recovery_job(snapshot_id, criteria)  # 409
            return job_id

    result: ApplyResult = _run(
        server,
        state,
        lambda g: ResendingGraph(g),
        lambda r: r.apply(plan, confirm=_yes),
        wait_for_slot=3600.0,
    )
    assert result.job is not None and result.job.id == first[0]
    statuses = [r["status"] for r in server.requests if r["route"] == "recoveryJob.create"]
    assert statuses == [202, 409]  # both sent by the client; no third, so one job


@pytest.mark.parametrize("created", [True, False])
def test_a_lost_preview_answer_is_resolved_the_same_way(
    emulator: Any, tmp_path: Path, count_posts: Count, created: bool
) -> None:
    """The preview's request is journalled before it is sent; a lost answer is looked up."""
    plan = load_plan(write_plan(tmp_path, plan_data()))
    state = tmp_path / "state"
    seen_intent: list[str | None] = []

    class Watching(UncertainGraph):
        async def start_preview_job(self, snapshot_id: str, criteria: FilteringCriteria) -> str:
            seen_intent.append(list_runs(state)[0].preview_intent_at)  # on disk before sending
            return await super().start_preview_job(snapshot_id, criteria)

    def body(runner: PlanRunner) -> Any:
        return runner.preview(plan)

    wrap = lambda g: Watching(g, kind="preview", created=created)  # noqa: E731
    if not created:
        with pytest.raises(JobCreationUnresolved, match="the preview job request was lost"):
            _run(emulator, state, wrap, body, clock=lambda: PINNED_NOW)
        assert count_posts(emulator, "recoveryPreviewJobs") == 0
    else:
        preview: Preview = _run(emulator, state, wrap, body, clock=lambda: PINNED_NOW)
        assert preview.has_changes and list_runs(state)[0].preview_job_id == preview.job.id
        assert count_posts(emulator, "recoveryPreviewJobs") == 1
    assert seen_intent == ["2026-11-28T09:00:00Z"]

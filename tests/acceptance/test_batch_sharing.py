"""A batch of plans with different scopes shares one preview job per snapshot (issue 12).

`PlanRunner.plan_batch` then `preview` for each plan, as the CLI calls them, against the
emulator over HTTP through the real Graph client; the emulator's request log says how many
preview jobs were asked for, and each plan's report must equal a preview of that plan alone.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
from collections.abc import Awaitable
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import pytest

import entra_recovery
from entra_recovery.errors import FingerprintMismatch
from entra_recovery.errors import GateRefused
from entra_recovery.errors import JobConflictError
from entra_recovery.errors import RecoveryError
from entra_recovery.graph.client import open_client
from entra_recovery.graph.models import FilteringCriteria
from entra_recovery.graph.models import Job
from entra_recovery.graph.settings import GraphSettings
from entra_recovery.plan import Plan
from entra_recovery.plan import load_plan
from entra_recovery.report import render
from entra_recovery.report import report_to_json
from entra_recovery.runner.audit import AuditLog
from entra_recovery.runner.events import NoopEvents
from entra_recovery.runner.journal import RunJournal
from entra_recovery.runner.reporting import build_report
from entra_recovery.runner.results import Preview
from entra_recovery.runner.runner import PlanRunner
from entra_recovery.runner.saved import PreviewStore
from entra_recovery.testing import PINNED_NOW
from helpers.planfiles import CA_MFA_ADMINS
from helpers.planfiles import DELETED_USERS
from helpers.planfiles import apply_data
from helpers.planfiles import plan_data
from helpers.planfiles import write_plan

FINANCE_TEAM = "b2c3d4e5-0001-4000-8000-000000000001"
ROGUE_APP = "e5f6a7b8-0001-4000-8000-000000000001"
OTHER_TENANT = "00000000-0000-4000-8000-00000000beef"
PREVIEW_JOBS = "/recoveryPreviewJobs"
STALE = "sha256:" + hashlib.sha256(b"the change set reviewed last week").hexdigest()

# Three kinds of scope on one snapshot: by type, by ids, and `user` asked for both ways.
SCOPES: dict[str, dict[str, Any]] = {
    "ca-by-type": {"entityTypes": ["conditionalAccessPolicy"]},
    "users-by-id": {"objects": [{"entityType": "user", "ids": DELETED_USERS}]},
    "users-and-locations": {"entityTypes": ["user", "namedLocationPolicy"]},
    "group-and-app-by-id": {
        "objects": [
            {"entityType": "group", "ids": [FINANCE_TEAM]},
            {"entityType": "application", "ids": [ROGUE_APP]},
        ]
    },
    "one-policy-by-id": {
        "objects": [{"entityType": "conditionalAccessPolicy", "ids": [CA_MFA_ADMINS]}]
    },
}


def _plans(folder: Path, snapshot: dict[str, Any] | None = None, **more: Any) -> list[Plan]:
    folder.mkdir(parents=True, exist_ok=True)
    plans = []
    for name, scope in SCOPES.items():
        data = plan_data(metadata={"name": name}, scope=scope, **more)
        if snapshot is not None:
            data["snapshot"] = snapshot
        plans.append(load_plan(write_plan(folder, data, f"{name}.yaml")))
    return plans


def _run(server: Any, body: Callable[[Any], Awaitable[Any]]) -> Any:
    settings = GraphSettings(
        graph_url=server.url,
        access_token=server.make_token(),
        auth_method="token",
        poll_interval=0.05,
    )

    async def go() -> Any:
        async with open_client(settings) as graph:
            return await body(graph)

    return asyncio.run(go())


def _runner(graph: Any, state: Path, **kwargs: Any) -> PlanRunner:
    return PlanRunner(
        graph, state_dir=state, poll_interval=0.05, clock=lambda: PINNED_NOW, **kwargs
    )


def _batch(server: Any, state: Path, plans: list[Plan], **kwargs: Any) -> list[Preview | Exception]:
    """plan_batch, then preview each plan in turn (errors kept in place), as the CLI does."""

    async def body(graph: Any) -> list[Preview | Exception]:
        runner = _runner(graph, state, share_previews=True, **kwargs)
        await runner.plan_batch(plans)
        results: list[Preview | Exception] = []
        for plan in plans:
            try:
                results.append(await runner.preview(plan))
            except RecoveryError as exc:
                results.append(exc)
        return results

    result: list[Preview | Exception] = _run(server, body)
    return result


def _alone(server: Any, state: Path, plan: Plan) -> Preview:
    """A preview of one plan by itself: a runner of its own, no sharing."""
    result: Preview = _run(server, lambda graph: _runner(graph, state).preview(plan))
    return result


def _posts(server: Any, since: int = 0) -> list[dict[str, Any]]:
    return [
        r
        for r in server.requests[since:]
        if r["method"] == "POST" and r["path"].rstrip("/").endswith(PREVIEW_JOBS)
    ]


def _without_job_id(preview: Preview) -> dict[str, Any]:
    report = report_to_json(build_report(preview))
    report["job"] = {**report["job"], "id": "<job>"}
    return report


def test_one_job_for_plans_of_different_scopes_and_each_report_as_if_alone(
    emulator: Any, tmp_path: Path
) -> None:
    """Five plans of five scopes on one snapshot make exactly one preview-job POST, with the
    union of their scopes; each plan's report (JSON and Markdown), summary and fingerprint
    equal those of a preview of that plan alone, apart from the job id."""
    plans = _plans(tmp_path)
    before = len(emulator.requests)
    batch = _batch(emulator, tmp_path / "state", plans)
    posts = _posts(emulator, before)
    assert len(posts) == 1
    assert posts[0]["body"]["filteringCriteria"]["entityTypes"] == [
        "conditionalAccessPolicy",
        "user",
        "namedLocationPolicy",
        "group",
        "application",
    ]
    shared_job = {p.job.id for p in batch if isinstance(p, Preview)}
    assert len(shared_job) == 1 and all(isinstance(p, Preview) for p in batch)
    for plan, shared in zip(plans, batch, strict=True):
        assert isinstance(shared, Preview)
        alone = _alone(emulator, tmp_path / "alone", plan)
        assert shared.fingerprint == alone.fingerprint, plan.name
        assert shared.diff.counts == alone.diff.counts
        assert shared.has_changes, plan.name  # every scope finds something in the demo tenant
        assert _without_job_id(shared) == _without_job_id(alone)
        markdown = render(build_report(shared), "markdown").replace(shared.job.id, "<job>")
        assert markdown == render(build_report(alone), "markdown").replace(alone.job.id, "<job>")
    assert [p.diff.counts for p in batch if isinstance(p, Preview)][1] == {"user": {"restore": 2}}


def test_each_plan_keeps_its_own_run_record_naming_the_shared_job(
    emulator: Any, tmp_path: Path
) -> None:
    """Every plan's journal, audit line and saved change-set index is its own: its share's
    count and fingerprint, the shared job's id, and the job's merged criteria."""
    state = tmp_path / "state"
    plans = _plans(tmp_path)
    batch = [p for p in _batch(emulator, state, plans) if isinstance(p, Preview)]
    job_id = batch[0].job.id
    audit = {line["run_id"]: line for line in AuditLog(state).read()}
    for preview in batch:
        record = RunJournal.load(state, preview.run_id).record
        assert (record.preview_job_id, record.status) == (job_id, "finished")
        assert record.change_count == len(preview.diff.changes)
        assert record.fingerprint == preview.fingerprint
        assert record.criteria == preview.criteria.to_json()
        assert json.loads(record.preview_job_criteria or "null")["entityTypes"][0] == (
            "conditionalAccessPolicy"
        )
        line = audit[preview.run_id]
        assert (line["preview_job_id"], line["fingerprint"]) == (job_id, preview.fingerprint)
        assert line["change_count"] == len(preview.diff.changes)
        index = PreviewStore(state).load(preview.fingerprint)
        assert index is not None and index["plan"] == preview.plan.name
        assert len(index["changes"]) == len(preview.diff.changes)
    steps = [RunJournal.load(state, p.run_id).record.steps for p in batch]
    assert [s.detail for s in steps[0] if s.name == "preview-job"] == ["", ""]  # made it
    assert all(f"shared {job_id}" in [s.detail for s in later] for later in steps[1:])


def test_two_snapshots_make_two_jobs_one_after_the_other(
    make_emulator: Any, tmp_path: Path
) -> None:
    """Plans on two snapshots: one job per snapshot, the second asked for only once the first
    finished (no 409), each plan still equal to its preview alone."""
    server = make_emulator(job_durations=0.2)
    snapshots = _run(server, lambda graph: graph.list_snapshots())
    older = {"id": snapshots[-2].id}
    plans = _plans(tmp_path / "a") + _plans(tmp_path / "b", older)
    batch = _batch(server, tmp_path / "state", plans)
    posts = _posts(server)
    assert [p["status"] for p in posts] == [202, 202]
    assert [unquote(p["path"].split("/snapshots/")[1].split("/")[0]) for p in posts] == [
        snapshots[-1].id,
        older["id"],
    ]
    jobs = [p.job.id for p in batch if isinstance(p, Preview)]
    assert len(jobs) == 10 and len(set(jobs[:5])) == 1 and len(set(jobs[5:])) == 1
    first_done = max(
        i
        for i, r in enumerate(server.requests)
        if r["method"] == "GET" and jobs[0] in r["path"] and "getChanges" in r["path"]
    )
    assert server.requests.index(posts[1]) > first_done  # the second job after the first
    for plan, shared in zip(plans, batch, strict=True):
        assert isinstance(shared, Preview)
        assert shared.fingerprint == _alone(server, tmp_path / "alone", plan).fingerprint


def test_a_plan_that_cannot_be_resolved_fails_alone(emulator: Any, tmp_path: Path) -> None:
    """A plan for another tenant or an unknown snapshot gets its own error from its preview;
    it takes no part in the merged job, and the others share one job as before."""
    plans = _plans(tmp_path)
    foreign = load_plan(
        write_plan(tmp_path, plan_data(metadata={"name": "foreign"}, tenant=OTHER_TENANT), "f.yaml")
    )
    missing = load_plan(
        write_plan(
            tmp_path,
            plan_data(metadata={"name": "missing"}, snapshot={"id": "bm9uZQ=="}),
            "m.yaml",
        )
    )
    before = len(emulator.requests)
    results = _batch(emulator, tmp_path / "state", [foreign, *plans, missing])
    assert isinstance(results[0], GateRefused) and results[0].gate == "tenant"
    assert isinstance(results[-1], RecoveryError) and "bm9uZQ==" in str(results[-1])
    assert all(isinstance(p, Preview) for p in results[1:-1])
    assert len(_posts(emulator, before)) == 1
    listings = [
        r
        for r in emulator.requests[before:]
        if r["method"] == "GET" and r["path"].endswith("/snapshots")
    ]
    assert len(listings) == 1  # one snapshot listing for the whole batch
    for failed in (results[0], results[-1]):
        assert isinstance(failed, RecoveryError)
    journals = sorted((tmp_path / "state" / "runs").glob("*.json"))
    statuses = sorted(json.loads(p.read_text())["status"] for p in journals)
    assert statuses == [
        "failed",
        "finished",
        "finished",
        "finished",
        "finished",
        "finished",
        "refused",
    ]


def test_without_plan_batch_only_equal_scopes_share(emulator: Any, tmp_path: Path) -> None:
    """`preview` without `plan_batch` keeps sharing for equal snapshot and scope only."""
    plans = _plans(tmp_path)[:2]

    async def body(graph: Any) -> list[Preview]:
        runner = _runner(graph, tmp_path / "state", share_previews=True)
        return [await runner.preview(plan) for plan in plans]

    before = len(emulator.requests)
    first, second = _run(emulator, body)
    assert len(_posts(emulator, before)) == 2 and first.job.id != second.job.id


def test_apply_never_shares(emulator: Any, tmp_path: Path) -> None:
    """On a sharing runner whose batch holds the plan, apply still runs a fresh preview job of
    the plan's own criteria, not a share of the batch's job."""
    plans = _plans(tmp_path)
    own = load_plan(
        write_plan(
            tmp_path,
            apply_data(STALE, scope=SCOPES["users-by-id"]),
            "apply.yaml",
        )
    )

    async def body(graph: Any) -> None:
        runner = _runner(graph, tmp_path / "state", share_previews=True)
        await runner.plan_batch([*plans, own])
        await runner.preview(plans[0])  # the merged job, kept for the batch
        with pytest.raises(FingerprintMismatch):  # refused after its own fresh preview
            await runner.apply(own, confirm=lambda _: True)

    before = len(emulator.requests)
    _run(emulator, body)
    merged, fresh = _posts(emulator, before)
    assert "entityTypes" in merged["body"]["filteringCriteria"]
    assert fresh["body"]["filteringCriteria"]["filterValues"][0]["entityIds"] == DELETED_USERS


class _Waits(NoopEvents):
    def __init__(self) -> None:
        self.jobs: list[str] = []

    def waiting_for_slot(self, job: Job, elapsed: float) -> None:
        self.jobs.append(job.id)


def test_a_batch_waits_for_a_busy_slot_then_uses_it(make_emulator: Any, tmp_path: Path) -> None:
    """Another client's job holds the slot: the batch waits for it (naming it), never cancels
    it, and then makes its one merged job."""
    server = make_emulator(job_durations=0.3)
    waits = _Waits()
    plans = _plans(tmp_path)

    async def body(graph: Any) -> tuple[str, list[Preview], Job]:
        snapshot = (await graph.list_snapshots())[-1]
        blocker = await graph.start_preview_job(snapshot.id, FilteringCriteria.for_types(["user"]))
        runner = _runner(graph, tmp_path / "state", share_previews=True, wait_for_slot=60)
        runner.events = waits
        await runner.plan_batch(plans)
        previews = [await runner.preview(plan) for plan in plans]
        return blocker, previews, await graph.get_job(blocker)

    blocker, previews, blocker_job = _run(server, body)
    assert waits.jobs and set(waits.jobs) == {blocker}
    assert blocker_job.status_text == "successful"  # ran to its end: not cancelled by us
    assert not [r for r in server.requests if "cancel" in r["path"]]
    assert [p["status"] for p in _posts(server)] == [202, 202]  # the blocker's, then ours
    assert len({p.job.id for p in previews}) == 1 and previews[0].job.id != blocker


def test_a_slot_busy_past_the_wait_fails_clearly_and_creates_nothing(
    make_emulator: Any, tmp_path: Path
) -> None:
    """Past the wait, each plan fails naming the job that holds the slot; no job was created
    and the other client's job is left running."""
    server = make_emulator(job_durations=3600)
    clock = {"now": 0.0}

    async def sleep(seconds: float) -> None:
        clock["now"] += seconds

    async def body(graph: Any) -> tuple[str, list[Preview | Exception], Job]:
        snapshot = (await graph.list_snapshots())[-1]
        blocker = await graph.start_preview_job(snapshot.id, FilteringCriteria.for_types(["user"]))
        runner = _runner(
            graph,
            tmp_path / "state",
            share_previews=True,
            wait_for_slot=120,
            sleep=sleep,
            monotonic=lambda: clock["now"],
        )
        plans = _plans(tmp_path)[:2]
        await runner.plan_batch(plans)
        results: list[Preview | Exception] = []
        for plan in plans:
            try:
                results.append(await runner.preview(plan))
            except JobConflictError as exc:
                results.append(exc)
        return blocker, results, await graph.get_job(blocker)

    blocker, results, blocker_job = _run(server, body)
    for error in results:
        assert isinstance(error, JobConflictError) and error.running_job_id == blocker
        assert f"({blocker}, " in str(error) and "no job was created" in str(error)
    assert len(_posts(server)) == 1  # the blocker's only
    assert not blocker_job.status.is_terminal
    assert not [r for r in server.requests if "cancel" in r["path"]]


def test_preview_many_shares_one_job_and_keeps_errors_in_place(
    emulator: Any, tmp_path: Path
) -> None:
    """The Python API: one preview job for the plans of one snapshot, a result per plan in
    order, a plan that does not load reported in its place."""
    paths = [str(p.path) for p in _plans(tmp_path)] + [str(tmp_path / "nope.yaml")]
    settings = entra_recovery.Settings(
        graph_url=emulator.url,
        auth="token",
        access_token=emulator.make_token(),
        state_dir=tmp_path / "state",
        poll_interval=0.05,
    )
    before = len(emulator.requests)
    results = entra_recovery.preview_many(paths, settings=settings)
    assert len(_posts(emulator, before)) == 1
    assert isinstance(results[-1], entra_recovery.PlanLoadError)
    previews = [r for r in results[:-1] if isinstance(r, entra_recovery.Preview)]
    assert [p.plan.name for p in previews] == list(SCOPES)
    assert len({p.job_id for p in previews}) == 1
    single = entra_recovery.preview(paths[1], settings=settings)
    assert previews[1].fingerprint == single.fingerprint
    assert previews[1].to_json()["summary"] == single.to_json()["summary"]

"""PlanRunner against the emulator over real HTTP: outcomes, journals, audit, busy tenant."""

from __future__ import annotations

import gc
import json
from collections.abc import Callable
from importlib import resources
from pathlib import Path
from typing import Any

import pytest
import yaml

from entra_recovery.constants import AuditOutcome
from entra_recovery.errors import JobConflictError
from entra_recovery.errors import JobFailedError
from entra_recovery.graph.models import FilteringCriteria
from entra_recovery.graph.models import Job
from entra_recovery.graph.models import JobStatus
from entra_recovery.plan import Plan
from entra_recovery.plan import load_plan
from entra_recovery.runner.events import NoopEvents
from entra_recovery.runner.journal import RunJournal
from entra_recovery.runner.results import ApplyResult
from entra_recovery.runner.results import Preview
from entra_recovery.runner.runner import _FAILED_JOB_OUTCOMES
from entra_recovery.runner.runner import PlanRunner
from helpers.planfiles import CA_MFA_ADMINS
from helpers.planfiles import plan_data
from helpers.planfiles import write_plan

Runner = Callable[..., Any]
Approve = Callable[[Any, Path], Plan]
Count = Callable[[Any, str], int]


def _yes(_: Preview) -> bool:
    return True


def _scenario(tmp_path: Path, **jobs: Any) -> Path:
    """The demo scenario with `jobs` settings changed (failing objects, outcomes)."""
    demo = resources.files("entra_recovery.emulator") / "scenarios" / "demo.yaml"
    data = yaml.safe_load(demo.read_text(encoding="utf-8"))
    data["jobs"].update(jobs)
    path = tmp_path / "scenario.yaml"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    return path


def _audit(state: Path) -> list[dict[str, Any]]:
    lines = (state / "audit.jsonl").read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines]


def test_preview_journal_and_audit(emulator: Any, tmp_path: Path, with_runner: Runner) -> None:
    """A preview with changes ends `finished`, exit 2, audited as `changes`."""
    plan = load_plan(write_plan(tmp_path, plan_data()))
    state = tmp_path / "state"
    preview: Preview = with_runner(emulator, state, lambda r: r.preview(plan))
    record = RunJournal.load(state, preview.run_id).record
    assert (record.command, record.status, record.exit_code) == ("preview", "finished", 2)
    assert [(s.name, s.state) for s in record.steps] == [
        ("resolve", "started"),
        ("resolve", "finished"),
        ("preview-job", "started"),
        ("preview-job", "finished"),
        ("poll-preview", "started"),
        ("poll-preview", "finished"),
        ("changes", "started"),
        ("changes", "finished"),
    ]
    line = _audit(state)[-1]
    assert (line["event"], line["outcome"], line["run_id"]) == ("preview", "changes", record.run_id)
    assert line["change_count"] == len(preview.diff.changes) == record.change_count


def test_failed_changes_are_collected(
    make_emulator: Any, tmp_path: Path, with_runner: Runner, approved_plan: Approve
) -> None:
    """A change that fails to apply comes back from getFailedChanges with its message."""
    failing = {CA_MFA_ADMINS: "Policy is locked by another process."}
    server = make_emulator(scenario=str(_scenario(tmp_path, failingObjects=failing)))
    plan = approved_plan(server, tmp_path)
    result: ApplyResult = with_runner(
        server, tmp_path / "state", lambda r: r.apply(plan, confirm=_yes)
    )
    assert [c.id for c in result.failed.changes] == [CA_MFA_ADMINS]
    assert result.failed.changes[0].failure_message == "Policy is locked by another process."
    journal = RunJournal.load(tmp_path / "state", result.preview.run_id).record
    assert (journal.status, journal.exit_code, journal.failed_change_count) == ("finished", 4, 1)
    assert _audit(tmp_path / "state")[-1]["outcome"] == "failed-changes"


def test_a_failed_recovery_job_is_audited_with_its_status(
    make_emulator: Any, tmp_path: Path, with_runner: Runner, approved_plan: Approve
) -> None:
    """A recovery job that ends `failed`: exit 1, `job-failed`, and no getFailedChanges (it is
    documented for a completed job with totalFailedChanges > 0 only)."""
    server = make_emulator(scenario=str(_scenario(tmp_path, recoveryOutcome="failed")))
    plan = approved_plan(server, tmp_path)
    with pytest.raises(JobFailedError, match="ended failed"):
        with_runner(server, tmp_path / "state", lambda r: r.apply(plan, confirm=_yes))
    assert [r for r in server.requests if r["route"] == "getFailedChanges"] == []
    runs = sorted((tmp_path / "state" / "runs").glob("*.json"))
    records = [RunJournal.load(tmp_path / "state", p.stem).record for p in runs]
    applied = [r for r in records if r.command == "apply"]
    assert [(r.status, r.exit_code, r.error) for r in applied] == [("failed", 1, None)]
    assert [(a["event"], a["outcome"]) for a in _audit(tmp_path / "state")][-1] == (
        "apply",
        "job-failed",
    )


def test_every_failed_job_status_has_an_outcome() -> None:
    """The `job-<status>` outcomes are exactly the failed job statuses."""
    failed = {status for status in JobStatus if status.is_failed}
    assert set(_FAILED_JOB_OUTCOMES) == failed
    assert {f"job-{s.value}" for s in failed} == {
        o.value for o in AuditOutcome if o.value.startswith("job-")
    }
    assert all(o.value == f"job-{s.value}" for s, o in _FAILED_JOB_OUTCOMES.items())


def test_the_runner_leaves_the_garbage_collector_alone(
    emulator: Any, tmp_path: Path, with_runner: Runner
) -> None:
    """The library never switches the collector off on its caller's behalf (only the CLI may)."""
    seen: list[bool] = []

    class Probe(NoopEvents):
        def stage_started(self, stage: str, detail: str) -> None:
            seen.append(gc.isenabled())

        def changes_listed(self, count: int) -> None:
            seen.append(gc.isenabled())

        def stage_finished(self, stage: str, detail: str) -> None:
            seen.append(gc.isenabled())

    plan = load_plan(write_plan(tmp_path, plan_data()))
    assert gc.isenabled()
    with_runner(emulator, tmp_path / "state", lambda r: r.preview(plan), events=Probe())
    assert len(seen) >= 5 and all(seen)
    assert gc.isenabled()


def test_busy_tenant_stops_and_names_the_job(
    make_emulator: Any, tmp_path: Path, with_runner: Runner, count_posts: Count
) -> None:
    """With another job running, preview stops (exit 1) naming it, and creates nothing."""
    server = make_emulator(job_durations=60)
    plan = load_plan(write_plan(tmp_path, plan_data()))

    async def go(runner: PlanRunner) -> None:
        snapshot = (await runner.graph.list_snapshots())[-1]
        blocker = await runner.graph.start_preview_job(snapshot.id, FilteringCriteria())
        with pytest.raises(JobConflictError, match=blocker):
            await runner.preview(plan)

    with_runner(server, tmp_path / "state", go)
    assert count_posts(server, "recoveryPreviewJobs") == 1


def test_wait_for_slot_queues_behind_the_running_job(
    make_emulator: Any, tmp_path: Path, with_runner: Runner
) -> None:
    """With wait_for_slot the preview waits (on the runner's clock) until the running job
    ends, then runs."""
    # Recovery jobs run for an hour; preview jobs finish at once.
    durations = {"initialized": 0, "loadingData": 0, "calculating": 0, "running": 3600}
    server = make_emulator(job_durations=durations)
    plan = load_plan(write_plan(tmp_path, plan_data()))
    waits: list[str] = []
    sleeps: list[float] = []
    now = [0.0]

    class Waits(NoopEvents):
        def waiting_for_slot(self, job: Job, elapsed: float) -> None:
            waits.append(job.id)

    async def go(runner: PlanRunner) -> tuple[Preview, str]:
        snapshot = (await runner.graph.list_snapshots())[-1]
        users = FilteringCriteria(entity_types=("user",))
        blocker = await runner.graph.start_recovery_job(snapshot.id, users)

        async def sleep(seconds: float) -> None:
            sleeps.append(seconds)
            now[0] += seconds
            await runner.graph.cancel_job(blocker)

        runner.sleep = sleep
        return await runner.preview(plan), blocker

    preview, blocker = with_runner(
        server,
        tmp_path / "state",
        go,
        events=Waits(),
        wait_for_slot=60,
        job_timeout=30,
        monotonic=lambda: now[0],
    )
    assert preview.job.status.is_succeeded
    assert (waits, sleeps) == ([blocker], [0.05])


def test_a_runner_that_does_not_share_keeps_no_previews(
    emulator: Any, tmp_path: Path, with_runner: Runner, count_posts: Count
) -> None:
    """Without share_previews there is no cache, and each preview gets its own job."""
    plan = load_plan(write_plan(tmp_path, plan_data()))

    async def go(runner: PlanRunner) -> tuple[Preview, Preview]:
        assert runner.shared_previews is None
        return await runner.preview(plan), await runner.preview(plan)

    a, b = with_runner(emulator, tmp_path / "state", go)
    assert a.job.id != b.job.id and a.fingerprint == b.fingerprint
    assert count_posts(emulator, "recoveryPreviewJobs") == 2


def test_stale_fingerprint_explains_the_drift(
    emulator: Any,
    tmp_path: Path,
    with_runner: Runner,
    approved_plan: Approve,
    count_posts: Count,
) -> None:
    """The refusal lists the object that changed since the approved preview."""
    from entra_recovery.errors import FingerprintMismatch

    plan = approved_plan(emulator, tmp_path)
    emulator.state.update_object(
        "conditionalAccessPolicy", CA_MFA_ADMINS, {"state": "enabledForReportingButNotEnforced"}
    )
    with pytest.raises(FingerprintMismatch) as info:
        with_runner(emulator, tmp_path / "state", lambda r: r.apply(plan, confirm=_yes))
    assert any(CA_MFA_ADMINS in line and "state" in line for line in info.value.details)
    assert count_posts(emulator, "recoveryJobs") == 0
    line = _audit(tmp_path / "state")[-1]
    assert (line["event"], line["outcome"]) == ("apply", "refused")
    assert "does not match" in line["detail"]


def test_an_unreadable_saved_index_still_refuses_with_a_way_forward(
    emulator: Any,
    tmp_path: Path,
    with_runner: Runner,
    approved_plan: Approve,
    count_posts: Count,
) -> None:
    """The index is written without fsync; one cut short by a crash reads as missing."""
    from entra_recovery.errors import FingerprintMismatch

    plan = approved_plan(emulator, tmp_path)
    indexes = list((tmp_path / "state" / "previews").glob("*.json"))
    assert indexes
    for index in indexes:
        index.write_bytes(index.read_bytes()[:100])  # truncated
    emulator.state.update_object(
        "conditionalAccessPolicy", CA_MFA_ADMINS, {"state": "enabledForReportingButNotEnforced"}
    )
    with pytest.raises(FingerprintMismatch) as info:
        with_runner(emulator, tmp_path / "state", lambda r: r.apply(plan, confirm=_yes))
    assert any("--approved-report" in line for line in info.value.details)
    assert count_posts(emulator, "recoveryJobs") == 0


def test_an_apply_with_nothing_to_recover_creates_no_job(
    make_emulator: Any,
    tmp_path: Path,
    with_runner: Runner,
    approved_plan: Approve,
    count_posts: Count,
) -> None:
    """The fresh preview is empty: exit 0, no recovery job, audited as `no-changes`."""
    server = make_emulator(scenario="empty")
    plan = approved_plan(server, tmp_path)
    result: ApplyResult = with_runner(
        server, tmp_path / "state", lambda r: r.apply(plan, confirm=_yes)
    )
    assert (result.job, result.succeeded) == (None, True)
    record = RunJournal.load(tmp_path / "state", result.preview.run_id).record
    assert (record.status, record.exit_code) == ("finished", 0)
    assert "confirm" not in [s.name for s in record.steps]
    assert _audit(tmp_path / "state")[-1]["outcome"] == "no-changes"
    assert count_posts(server, "recoveryJobs") == 0


def test_a_declined_confirmation_refuses(
    emulator: Any,
    tmp_path: Path,
    with_runner: Runner,
    approved_plan: Approve,
    count_posts: Count,
) -> None:
    """Saying no at the prompt refuses (exit 3) at the confirm step, and creates nothing."""
    from entra_recovery.errors import ApplyNotApproved

    plan = approved_plan(emulator, tmp_path)
    with pytest.raises(ApplyNotApproved):
        with_runner(emulator, tmp_path / "state", lambda r: r.apply(plan, confirm=lambda _: False))
    runs = sorted((tmp_path / "state" / "runs").glob("*.json"))
    records = [RunJournal.load(tmp_path / "state", p.stem).record for p in runs]
    [record] = [r for r in records if r.command == "apply"]
    assert (record.status, record.exit_code) == ("refused", 3)
    assert record.last_step is not None
    assert (record.last_step.name, record.last_step.state) == ("confirm", "failed")
    assert count_posts(emulator, "recoveryJobs") == 0

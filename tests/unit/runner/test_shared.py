"""Preview jobs shared by the plans of one batch: keyed by snapshot and filtering criteria."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from entra_recovery.diff import DiffBuilder
from entra_recovery.graph.models import FilteringCriteria
from entra_recovery.graph.models import Job
from entra_recovery.plan import load_plan
from entra_recovery.runner.changes import ChangeSet
from entra_recovery.runner.journal import RunJournal
from entra_recovery.runner.results import Preview
from entra_recovery.runner.runner import PlanRunner
from entra_recovery.runner.shared import SharedPreviewKey
from entra_recovery.runner.shared import SharedPreviews
from helpers.planfiles import DELETED_USERS
from helpers.planfiles import plan_data
from helpers.planfiles import write_plan

CA = FilteringCriteria(entity_types=("conditionalAccessPolicy",))


def _job(job_id: str) -> Job:
    return Job.from_json({"id": job_id, "status": "successful"})


def _changes(fingerprint: str) -> ChangeSet:
    return ChangeSet(DiffBuilder().build(), fingerprint)


def test_same_snapshot_and_equal_criteria_share() -> None:
    """Keys compare by value: an equal criteria object built elsewhere finds the entry."""
    shared = SharedPreviews()
    shared.add(SharedPreviewKey("s1", CA), _job("j1"), _changes("sha256:a"))
    again = SharedPreviewKey("s1", FilteringCriteria(entity_types=("conditionalAccessPolicy",)))
    entry = shared.get(again)
    assert entry is not None and entry.job.id == "j1"
    assert entry.changes.fingerprint == "sha256:a"


def test_another_snapshot_or_scope_does_not_share() -> None:
    """A different snapshot, or other criteria (order counts, as for the service), miss."""
    shared = SharedPreviews()
    both = FilteringCriteria(entity_types=("conditionalAccessPolicy", "namedLocationPolicy"))
    shared.add(SharedPreviewKey("s1", both), _job("j1"), _changes("sha256:a"))
    swapped = FilteringCriteria(entity_types=("namedLocationPolicy", "conditionalAccessPolicy"))
    assert shared.get(SharedPreviewKey("s2", both)) is None
    assert shared.get(SharedPreviewKey("s1", swapped)) is None
    assert shared.get(SharedPreviewKey("s1", FilteringCriteria())) is None


def test_the_first_preview_for_a_key_wins() -> None:
    """Every plan of a batch sees the same change set for the same scope."""
    shared = SharedPreviews()
    key = SharedPreviewKey("s1", CA)
    shared.add(key, _job("j1"), _changes("sha256:a"))
    kept = shared.add(key, _job("j2"), _changes("sha256:b"))
    assert (kept.job.id, len(shared)) == ("j1", 1)


def test_batch_shares_identical_preview_jobs(
    emulator: Any,
    tmp_path: Path,
    with_runner: Callable[..., Any],
    count_posts: Callable[[Any, str], int],
) -> None:
    """Two plans with the same snapshot and scope share one preview job in one batch."""
    first = load_plan(write_plan(tmp_path, plan_data(), "a.yaml"))
    second_data = plan_data()
    second_data["metadata"] = {"name": "same-scope"}
    second = load_plan(write_plan(tmp_path, second_data, "b.yaml"))
    state = tmp_path / "state"

    async def go(runner: PlanRunner) -> tuple[Preview, Preview, int]:
        a, b = await runner.preview(first), await runner.preview(second)
        assert runner.shared_previews is not None
        return a, b, len(runner.shared_previews)

    a, b, kept = with_runner(emulator, state, go, share_previews=True)
    assert a.job.id == b.job.id and a.fingerprint == b.fingerprint and kept == 1
    assert count_posts(emulator, "recoveryPreviewJobs") == 1
    record = RunJournal.load(state, b.run_id).record
    assert [(s.name, s.state, s.detail) for s in record.steps][-2:] == [
        ("resolve", "finished", ""),
        ("preview-job", "finished", f"shared {a.job.id}"),
    ]
    assert (record.preview_job_id, record.fingerprint) == (a.job.id, a.fingerprint)


def test_a_planned_group_lets_its_change_set_go_after_its_last_plan(
    emulator: Any,
    tmp_path: Path,
    with_runner: Callable[..., Any],
    count_posts: Callable[[Any, str], int],
) -> None:
    """After `plan_batch`, a group's change set is kept until each of its plans (a plan listed
    twice: both times) had its share, and then let go: one job, nothing kept afterwards."""
    by_type = load_plan(write_plan(tmp_path, plan_data(), "a.yaml"))
    by_id_data = plan_data(scope={"objects": [{"entityType": "user", "ids": DELETED_USERS}]})
    by_id_data["metadata"] = {"name": "by-id"}
    by_id = load_plan(write_plan(tmp_path, by_id_data, "b.yaml"))

    async def go(runner: PlanRunner) -> list[int]:
        assert runner.shared_previews is not None
        await runner.plan_batch([by_type, by_id, by_type])
        kept = []
        for plan in (by_type, by_id, by_type):
            await runner.preview(plan)
            kept.append(len(runner.shared_previews))
        return kept

    kept = with_runner(emulator, tmp_path / "state", go, share_previews=True)
    assert kept == [1, 1, 0]
    assert count_posts(emulator, "recoveryPreviewJobs") == 1


def test_plan_batch_needs_a_sharing_runner(
    emulator: Any, tmp_path: Path, with_runner: Callable[..., Any]
) -> None:
    """A runner that does not share has nothing to plan a batch for."""

    async def go(runner: PlanRunner) -> None:
        await runner.plan_batch([])

    with pytest.raises(ValueError, match="share_previews=True"):
        with_runner(emulator, tmp_path / "state", go)

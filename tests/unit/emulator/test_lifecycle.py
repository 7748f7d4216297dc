"""Job lifecycle over time, on a fake clock: phases, Prefer and unknownFutureValue, cancel,
forced failures, deterministic ids."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from unit.emulator.graphhttp import NAMES_FILTER
from unit.emulator.graphhttp import NS
from unit.emulator.graphhttp import ROOT
from unit.emulator.graphhttp import Graph

PHASE = 10.0


class FakeClock:
    """A monotonic clock that moves only when the test says so."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def timed_graph(make_graph: Callable[..., Graph], clock: FakeClock) -> Callable[..., Graph]:
    """`timed_graph(job_durations=...)`: an emulator whose job phases follow `clock`."""

    def make(**kwargs: object) -> Graph:
        return make_graph(monotonic=clock, **kwargs)

    return make


def status(graph: Graph, location: str) -> str:
    return str(graph.get(location).json["status"])


def test_preview_steps_through_its_phases(
    timed_graph: Callable[..., Graph], clock: FakeClock
) -> None:
    """A first preview of a snapshot is initialized, loadingData, calculating, then successful."""
    graph = timed_graph(job_durations=PHASE)
    location = graph.start()
    seen = [status(graph, location)]
    for _ in range(3):
        clock.advance(PHASE - 0.01)
        assert status(graph, location) == seen[-1]  # not a moment early
        clock.advance(0.01)
        seen.append(status(graph, location))
    assert seen == ["initialized", "loadingData", "calculating", "successful"]


def test_a_new_job_reports_nothing_calculated_yet(timed_graph: Callable[..., Graph]) -> None:
    """Right after creation a job has no completion time and no counts."""
    graph = timed_graph(job_durations=PHASE)
    job = graph.get(graph.start()).json
    assert job["status"] == "initialized"
    assert job["jobCompletionDateTime"] is None
    assert job["totalChangedObjectsCalculated"] is None


def test_finished_preview_has_its_completion_time_and_counts(
    timed_graph: Callable[..., Graph], clock: FakeClock
) -> None:
    """The completion time is the pinned start plus the phases' durations."""
    graph = timed_graph(job_durations=PHASE)
    location = graph.start()
    clock.advance(3 * PHASE)
    done = graph.get(location).json
    assert done["status"] == "successful"
    assert done["jobCompletionDateTime"] == "2026-11-28T09:00:30Z"  # 09:00:00 + 3 phases
    assert done["totalChangedObjectsCalculated"] == 10


def test_second_job_on_a_loaded_snapshot_skips_loading_data(
    timed_graph: Callable[..., Graph], clock: FakeClock
) -> None:
    """Once a snapshot is loaded, the next job goes straight from initialized to calculating."""
    graph = timed_graph(job_durations=PHASE)
    clock.advance(3 * PHASE)
    assert status(graph, graph.start()) == "initialized"
    clock.advance(3 * PHASE)
    location = graph.start()
    clock.advance(PHASE)
    assert status(graph, location) == "calculating"
    clock.advance(PHASE)
    assert status(graph, location) == "successful"


def test_recovery_runs_after_calculating_and_modifies_objects_as_it_goes(
    timed_graph: Callable[..., Graph], clock: FakeClock
) -> None:
    """A recovery's running phase reports progress in proportion to the time spent in it."""
    graph = timed_graph(
        job_durations={"initialized": 1, "loadingData": 1, "calculating": 2, "running": 4}
    )
    location = graph.start("recoveryJobs")
    clock.advance(2)
    assert status(graph, location) == "calculating"
    clock.advance(2 + 2)  # halfway through running
    halfway = graph.get(location).json
    assert halfway["status"] == "running"
    assert halfway["totalObjectsModified"] == 5
    clock.advance(2)
    done = graph.get(location).json
    assert done["status"] == "successful"
    assert done["totalObjectsModified"] == 10


def test_without_prefer_hidden_statuses_are_unknown_future_value(
    timed_graph: Callable[..., Graph],
) -> None:
    """loadingData and calculating read as unknownFutureValue without the Prefer header."""
    graph = timed_graph(job_durations={"initialized": 0, "loadingData": 30})  # others: scenario
    location = graph.start()
    assert status(graph, location) == "loadingData"
    graph.prefer = False
    assert status(graph, location) == "unknownFutureValue"
    listed = graph.get(f"{ROOT}/jobs").json["value"]
    assert listed[0]["status"] == "unknownFutureValue"


def test_cancel_abandons_a_pending_job(timed_graph: Callable[..., Graph]) -> None:
    """Cancelling an unfinished job answers 202 and leaves it abandoned with a completion time."""
    graph = timed_graph(job_durations=PHASE)
    location = graph.start()
    job_id = location.rsplit("/", 1)[1]
    assert graph.post(f"{ROOT}/jobs/{job_id}/{NS}.cancel").status == 202
    job = graph.get(location).json
    assert job["status"] == "abandoned"
    assert job["jobCompletionDateTime"] == "2026-11-28T09:00:00Z"


def test_terminal_jobs_cannot_be_cancelled(timed_graph: Callable[..., Graph]) -> None:
    """A second cancel is a 400 naming the job's final status, and cancel takes no body."""
    graph = timed_graph(job_durations=PHASE)
    job_id = graph.start().rsplit("/", 1)[1]
    graph.post(f"{ROOT}/jobs/{job_id}/{NS}.cancel")
    again = graph.post(f"{ROOT}/jobs/{job_id}/{NS}.cancel")
    assert again.status == 400
    assert "already completed with status 'abandoned'" in again.error["message"]
    assert graph.post(f"{ROOT}/jobs/{job_id}/{NS}.cancel", {"x": 1}).status == 400


def test_cancel_while_running_keeps_what_was_applied(
    timed_graph: Callable[..., Graph], clock: FakeClock
) -> None:
    """Cancelling a recovery mid-run keeps the objects written so far, and only those."""
    graph = timed_graph(
        job_durations={"initialized": 0, "loadingData": 0, "calculating": 0, "running": 10}
    )
    sid = graph.latest()
    location = graph.start("recoveryJobs", sid=sid)
    clock.advance(5.5)
    running = graph.get(location).json
    assert running["status"] == "running"
    assert running["totalObjectsModified"] == 5
    graph.post(f"{ROOT}/jobs/{location.rsplit('/', 1)[1]}/{NS}.cancel")
    done = graph.get(location).json
    assert done["status"] == "abandoned"
    assert done["totalObjectsModified"] == 5
    preview = graph.start(sid=sid)
    clock.advance(1)
    assert len(graph.changes(preview)) == 10 - 5


def test_scenario_makes_previews_fail(make_graph: Callable[..., Graph], tmp_path: Path) -> None:
    """A scenario's previewOutcome: failed ends previews failed, without changes or a lock."""
    path = tmp_path / "failing.yaml"
    path.write_text("extends: demo\njobs: {previewOutcome: failed}\n", encoding="utf-8")
    graph = make_graph(scenario=str(path))
    location = graph.start()
    job = graph.get(location).json
    assert job["status"] == "failed" and job["jobCompletionDateTime"]
    assert graph.get(f"{location}/{NS}.getChanges").status == 400
    assert graph.create().status == 202  # a failed job does not block the next one


def test_fault_header_makes_one_job_fail(graph: Graph) -> None:
    """X-Emulator-Fault: job-failed fails that one recovery; nothing is applied."""
    reply = graph.post(
        f"{ROOT}/snapshots/{graph.latest()}/recoveryJobs",
        headers={"X-Emulator-Fault": "job-failed"},
    )
    assert reply.status == 202
    job = graph.get(str(reply.header("location"))).json
    assert job["status"] == "failed"
    assert len(graph.preview()) == 10  # nothing was applied
    assert status(graph, graph.start()) == "successful"


def test_filtering_criteria_echo_hides_evolvable_members(graph: Graph) -> None:
    """Without Prefer, entity types newer than the base enum read as unknownFutureValue."""
    criteria = {"@odata.type": NAMES_FILTER, "entityTypes": ["user", "organization"]}
    location = graph.start(criteria=criteria)
    assert graph.get(location).json["filteringCriteria"] == criteria
    graph.prefer = False
    echoed = graph.get(location).json["filteringCriteria"]
    assert echoed["entityTypes"] == ["user", "unknownFutureValue"]


def test_job_ids_are_deterministic_per_server(make_graph: Callable[..., Graph]) -> None:
    """Two servers with the pinned clock hand out the same job id sequence."""
    first, second = make_graph(), make_graph()
    ids = [g.start().rsplit("/", 1)[1] for g in (first, second)]
    assert ids[0] == ids[1]
    assert first.start().rsplit("/", 1)[1] != ids[0]

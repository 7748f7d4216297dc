"""Job lifecycle over time: phases, Prefer and unknownFutureValue, cancel, forced failures."""

from __future__ import annotations

import time
from collections.abc import Callable

from unit.emulator.graphhttp import NAMES_FILTER
from unit.emulator.graphhttp import NS
from unit.emulator.graphhttp import ROOT
from unit.emulator.graphhttp import Graph

PHASE = 0.25


def statuses(graph: Graph, location: str, limit: float = 5.0) -> list[str]:
    """Poll until terminal; the distinct statuses seen, in order."""
    seen: list[str] = []
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        status = graph.get(location).json["status"]
        if not seen or seen[-1] != status:
            seen.append(status)
        if status in ("successful", "failed", "abandoned"):
            break
        time.sleep(0.03)
    return seen


def test_preview_goes_through_loading_and_calculating(make_graph: Callable[..., Graph]) -> None:
    graph = make_graph(job_durations=PHASE)
    location = graph.start()
    job = graph.get(location).json
    assert job["status"] == "initialized"
    assert job["jobCompletionDateTime"] is None
    assert job["totalChangedObjectsCalculated"] is None
    assert statuses(graph, location) == ["initialized", "loadingData", "calculating", "successful"]
    done = graph.get(location).json
    assert done["jobCompletionDateTime"] == "2026-11-28T09:00:00Z"  # pinned clock, start + 0.75 s
    assert done["totalChangedObjectsCalculated"] == 10
    # the snapshot is loaded now: the next job skips loadingData
    second = graph.start()
    assert statuses(graph, second) == ["initialized", "calculating", "successful"]


def test_recovery_runs_after_calculating(make_graph: Callable[..., Graph]) -> None:
    graph = make_graph(
        job_durations={"initialized": 0.05, "loadingData": 0.05, "calculating": 0.2, "running": 0.3}
    )
    location = graph.start("recoveryJobs")
    seen = statuses(graph, location)
    assert seen[-2:] == ["running", "successful"]
    assert "calculating" in seen
    assert graph.get(location).json["totalObjectsModified"] == 10


def test_without_prefer_hidden_statuses_are_unknown_future_value(
    make_graph: Callable[..., Graph],
) -> None:
    graph = make_graph(job_durations={"initialized": 0, "loadingData": 30})  # others: scenario
    location = graph.start()
    assert graph.get(location).json["status"] == "loadingData"
    graph.prefer = False
    assert graph.get(location).json["status"] == "unknownFutureValue"
    listed = graph.get(f"{ROOT}/jobs").json["value"]
    assert listed[0]["status"] == "unknownFutureValue"


def test_cancel_abandons_and_terminal_jobs_cannot_be_cancelled(
    make_graph: Callable[..., Graph],
) -> None:
    graph = make_graph(job_durations=30)
    location = graph.start()
    job_id = location.rsplit("/", 1)[1]
    assert graph.post(f"{ROOT}/jobs/{job_id}/{NS}.cancel").status == 202
    job = graph.get(location).json
    assert job["status"] == "abandoned" and job["jobCompletionDateTime"]
    again = graph.post(f"{ROOT}/jobs/{job_id}/{NS}.cancel")
    assert again.status == 400 and "already completed" in again.error["message"]
    assert graph.post(f"{ROOT}/jobs/{job_id}/{NS}.cancel", {"x": 1}).status == 400


def test_cancel_while_running_keeps_what_was_applied(make_graph: Callable[..., Graph]) -> None:
    graph = make_graph(
        job_durations={"initialized": 0, "loadingData": 0, "calculating": 0, "running": 1.0}
    )
    sid = graph.latest()
    location = graph.start("recoveryJobs", sid=sid)
    time.sleep(0.55)
    running = graph.get(location).json
    assert running["status"] == "running"
    assert 0 < running["totalObjectsModified"] < 10
    graph.post(f"{ROOT}/jobs/{location.rsplit('/', 1)[1]}/{NS}.cancel")
    done = graph.get(location).json
    assert done["status"] == "abandoned"
    applied = done["totalObjectsModified"]
    assert applied >= running["totalObjectsModified"]
    remaining = graph.preview(sid=sid)
    assert len(remaining) == 10 - applied


def test_scenario_makes_previews_fail(make_graph: Callable[..., Graph], tmp_path: object) -> None:
    from pathlib import Path

    path = Path(str(tmp_path)) / "failing.yaml"
    path.write_text("extends: demo\njobs: {previewOutcome: failed}\n", encoding="utf-8")
    graph = make_graph(scenario=str(path))
    location = graph.start()
    job = graph.get(location).json
    assert job["status"] == "failed" and job["jobCompletionDateTime"]
    assert graph.get(f"{location}/{NS}.getChanges").status == 400
    assert graph.create().status == 202  # a failed job does not block the next one


def test_fault_header_makes_one_job_fail(graph: Graph) -> None:
    reply = graph.post(
        f"{ROOT}/snapshots/{graph.latest()}/recoveryJobs",
        headers={"X-Emulator-Fault": "job-failed"},
    )
    assert reply.status == 202
    job = graph.get(str(reply.header("location"))).json
    assert job["status"] == "failed"
    assert len(graph.preview()) == 10  # nothing was applied
    assert graph.get(graph.start()).json["status"] == "successful"


def test_filtering_criteria_echo_hides_evolvable_members(graph: Graph) -> None:
    criteria = {"@odata.type": NAMES_FILTER, "entityTypes": ["user", "organization"]}
    location = graph.start(criteria=criteria)
    assert graph.get(location).json["filteringCriteria"] == criteria
    graph.prefer = False
    echoed = graph.get(location).json["filteringCriteria"]
    assert echoed["entityTypes"] == ["user", "unknownFutureValue"]

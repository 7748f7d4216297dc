"""Fault injection: the X-Emulator-Fault header and scenario rules."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

import pytest
from unit.emulator.graphhttp import NS
from unit.emulator.graphhttp import ROOT
from unit.emulator.graphhttp import Graph

from entra_recovery.emulator.scenario import ScenarioError


def test_header_throttle_unavailable_and_slow(graph: Graph) -> None:
    path = f"{ROOT}/snapshots"
    throttled = graph.get(path, headers={"X-Emulator-Fault": "throttle"})
    assert throttled.status == 429 and throttled.header("retry-after") == "1"
    assert throttled.error["code"] == "TooManyRequests"
    longer = graph.get(path, headers={"X-Emulator-Fault": "throttle=3"})
    assert longer.header("retry-after") == "3"
    unavailable = graph.get(path, headers={"X-Emulator-Fault": "unavailable"})
    assert unavailable.status == 503 and unavailable.header("retry-after") == "1"
    started = time.monotonic()
    slow = graph.get(path, headers={"X-Emulator-Fault": "slow=0.3"})
    assert slow.status == 200 and time.monotonic() - started >= 0.3
    assert graph.get(path, headers={"X-Emulator-Fault": "explode"}).status == 400
    assert graph.get(path).status == 200


def test_scenario_rules_throttle_the_first_requests_of_a_route(
    make_graph: Callable[..., Graph], tmp_path: Path
) -> None:
    path = tmp_path / "faulty.yaml"
    path.write_text(
        "extends: demo\n"
        "faults:\n"
        "  - {route: getChanges, fault: throttle, first: 2, retryAfter: 2}\n"
        "  - {route: previewJob.get, fault: unavailable, first: 1}\n"
        "  - {route: snapshots.list, method: GET, fault: slow, seconds: 0.05}\n",
        encoding="utf-8",
    )
    graph = make_graph(scenario=str(path))
    location = graph.start()
    assert graph.get(location).status == 503
    assert graph.get(location).status == 200
    url = f"{location}/{NS}.getChanges"
    assert [graph.get(url).status for _ in range(3)] == [429, 429, 200]
    statuses = [(r["route"], r["status"]) for r in graph.server.requests]
    assert ("getChanges", 429) in statuses and ("previewJob.get", 503) in statuses


def test_bad_fault_rules_are_refused(make_graph: Callable[..., Graph], tmp_path: Path) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text("extends: demo\nfaults:\n  - {route: x, fault: explode}\n", encoding="utf-8")
    with pytest.raises(ScenarioError, match="fault must be one of"):
        make_graph(scenario=str(path))


def test_scenario_rule_makes_the_first_recovery_fail(
    make_graph: Callable[..., Graph], tmp_path: Path
) -> None:
    path = tmp_path / "failing-recovery.yaml"
    path.write_text(
        "extends: demo\nfaults:\n  - {route: recoveryJob.create, fault: job-failed, first: 1}\n",
        encoding="utf-8",
    )
    graph = make_graph(scenario=str(path))
    assert graph.get(graph.start("recoveryJobs")).json["status"] == "failed"
    assert graph.get(graph.start("recoveryJobs")).json["status"] == "successful"
    assert graph.preview() == []

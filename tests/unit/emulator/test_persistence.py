"""--state persistence, the request log, scenarios and parameters."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from unit.emulator.graphhttp import ADELE
from unit.emulator.graphhttp import BREAK_GLASS
from unit.emulator.graphhttp import NAMES_FILTER
from unit.emulator.graphhttp import ROOT
from unit.emulator.graphhttp import Graph

from entra_recovery.emulator.scenario import ScenarioError
from entra_recovery.emulator.scenario import bundled_names


def test_state_file_carries_a_recovery_into_the_next_run(
    make_graph: Callable[..., Graph], tmp_path: Path
) -> None:
    state = tmp_path / "tenant.json"
    first = make_graph(state_file=str(state))
    assert state.exists()
    criteria = {"@odata.type": NAMES_FILTER, "entityTypes": ["user"]}
    assert len(first.preview(criteria)) == 3
    first.start("recoveryJobs", criteria)
    first.server.stop()
    second = make_graph(state_file=str(state))
    assert second.preview(criteria) == []
    assert len(second.preview()) == 7
    second.server.state.update_object("user", BREAK_GLASS, {"jobTitle": "persisted edit"})
    third = make_graph(state_file=str(state))
    assert (third.server.state.current("user", BREAK_GLASS) or {})["jobTitle"] == "persisted edit"


def test_bad_state_file_is_a_clear_error(make_graph: Callable[..., Graph], tmp_path: Path) -> None:
    state = tmp_path / "tenant.json"
    state.write_text('{"format": "something else"}', encoding="utf-8")
    with pytest.raises(ValueError, match="not an emulator state file"):
        make_graph(state_file=str(state))


def test_request_log_in_memory_and_as_json_lines_never_holds_the_token(
    make_graph: Callable[..., Graph], tmp_path: Path
) -> None:
    log = tmp_path / "requests.jsonl"
    graph = make_graph(request_log=str(log))
    graph.start(criteria={"@odata.type": NAMES_FILTER, "entityTypes": ["user"]})
    graph.get(f"{ROOT}/jobs?$top=5", headers={"client-request-id": "c-1"})
    graph.server.stop()
    lines = [json.loads(line) for line in log.read_text(encoding="utf-8").splitlines()]
    assert lines == graph.server.requests
    post = next(r for r in lines if r["method"] == "POST")
    assert post["route"] == "previewJob.create" and post["status"] == 202
    assert post["body"] == {
        "filteringCriteria": {"@odata.type": NAMES_FILTER, "entityTypes": ["user"]}
    }
    assert post["headers"]["authorization"] == "REDACTED"
    assert post["has_token"] is True
    assert post["token"]["tid"] == graph.server.tenant_id
    assert "EntraBackup.ReadWrite.Preview" in post["token"]["scp"]
    listing = lines[-1]
    assert listing["query"] == {"$top": "5"} and listing["path"] == f"/v1.0{ROOT}/jobs"
    assert listing["headers"]["client-request-id"] == "c-1"
    token = graph.token or ""
    assert token.split(".")[1] not in log.read_text(encoding="utf-8")


def test_empty_scenario_has_no_drift(make_graph: Callable[..., Graph]) -> None:
    graph = make_graph(scenario="empty")
    for snapshot in graph.snapshots():
        assert graph.preview(sid=snapshot["id"]) == []


def test_large_scenario_size_parameter(make_graph: Callable[..., Graph]) -> None:
    graph = make_graph(scenario="large", params={"size": 500})
    location = graph.start()
    job = graph.get(location).json
    assert job["totalChangedObjectsCalculated"] == 500 + 10  # generated + the demo incident
    changes = graph.changes(location, "?$top=999")
    actions = {c["recoveryAction"] for c in changes}
    assert actions == {"update", "restore", "softDelete"}
    assert any("members@delta" in c["deltaFromCurrent"] for c in changes)
    graph.start("recoveryJobs")
    assert graph.preview() == []


def test_large_is_deterministic(make_graph: Callable[..., Graph]) -> None:
    one = make_graph(scenario="large", params={"size": 200}).preview()
    two = make_graph(scenario="large", params={"size": 200}).preview()
    assert one == two


def test_scenario_errors(make_graph: Callable[..., Graph], tmp_path: Path) -> None:
    assert {"demo", "large", "empty"} <= set(bundled_names())
    with pytest.raises(ScenarioError, match="unknown scenario"):
        make_graph(scenario="nope")
    with pytest.raises(ScenarioError, match="no parameter 'sise'"):
        make_graph(scenario="large", params={"sise": 5})
    broken = tmp_path / "broken.yaml"
    broken.write_text(
        "extends: demo\nhistory:\n  - day: 0\n    events:\n"
        "      - {op: delete, type: user, id: missing}\n",
        encoding="utf-8",
    )
    with pytest.raises(ScenarioError, match="missing object"):
        make_graph(scenario=str(broken))
    unknown = tmp_path / "unknown.yaml"
    unknown.write_text("extends: demo\ncolour: blue\n", encoding="utf-8")
    with pytest.raises(ScenarioError, match="unknown key"):
        make_graph(scenario=str(unknown))


def test_custom_scenario_file_with_its_own_history(
    make_graph: Callable[..., Graph], tmp_path: Path
) -> None:
    custom = tmp_path / "custom.yaml"
    custom.write_text(
        "extends: empty\nhistory:\n  - day: 0\n    events:\n"
        f"      - {{op: delete, type: user, id: {BREAK_GLASS}}}\n"
        f"      - {{op: update, type: user, id: {ADELE}, set: {{city: Paris}}}}\n",
        encoding="utf-8",
    )
    graph = make_graph(scenario=str(custom))
    changes = graph.preview()
    assert [(c["id"], c["recoveryAction"]) for c in changes] == [
        (ADELE, "update"),
        (BREAK_GLASS, "restore"),
    ]

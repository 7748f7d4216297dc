"""Recovery writes to the tenant: full loop to zero changes, scopes, failures, current state."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from unit.emulator.graphhttp import ADELE
from unit.emulator.graphhttp import ALEX
from unit.emulator.graphhttp import CA_LEGACY
from unit.emulator.graphhttp import CA_MFA
from unit.emulator.graphhttp import FINANCE
from unit.emulator.graphhttp import IDS_FILTER
from unit.emulator.graphhttp import NAMES_FILTER
from unit.emulator.graphhttp import NS
from unit.emulator.graphhttp import ROGUE_APP
from unit.emulator.graphhttp import Graph
from unit.emulator.graphhttp import by_id


@pytest.mark.parametrize("snapshot_index", [-1, 0])
def test_full_recovery_then_the_same_preview_is_empty(graph: Graph, snapshot_index: int) -> None:
    sid = graph.snapshots()[snapshot_index]["id"]
    before = graph.preview(sid=sid)
    assert before
    location = graph.start("recoveryJobs", sid=sid)
    job = graph.get(location).json
    assert job["status"] == "successful"
    assert job["totalObjectsModified"] == len(before)
    assert job["totalFailedChanges"] == 0
    assert graph.preview(sid=sid) == []


def test_recovery_really_changes_the_tenant(graph: Graph) -> None:
    state = graph.server.state
    graph.start("recoveryJobs")
    assert "deletedDateTime" not in (state.current("user", ADELE) or {})
    assert (state.current("conditionalAccessPolicy", CA_MFA) or {})["state"] == "enabled"
    assert (state.current("application", ROGUE_APP) or {})["deletedDateTime"]
    members = [m["id"] for m in (state.current("group", FINANCE) or {})["members"]]
    assert "a1b2c3d4-0004-4000-8000-000000000004" in members
    assert "a1b2c3d4-0007-4000-8000-000000000007" not in members


def test_scoped_recovery_leaves_the_rest(graph: Graph) -> None:
    criteria = {"@odata.type": NAMES_FILTER, "entityTypes": ["conditionalAccessPolicy"]}
    graph.start("recoveryJobs", criteria)
    assert graph.preview(criteria) == []
    remaining = graph.preview()
    assert len(remaining) == 7
    assert "conditionalAccessPolicy" not in {c["entityTypeName"] for c in remaining}
    by_ids = {
        "@odata.type": IDS_FILTER,
        "filterValues": [{"entityType": "user", "entityIds": [ADELE]}],
    }
    graph.start("recoveryJobs", by_ids)
    assert ADELE not in by_id(graph.preview()) and ALEX in by_id(graph.preview())


def test_recovery_plan_is_computed_against_the_tenant_when_it_starts(graph: Graph) -> None:
    preview = graph.preview()
    assert CA_LEGACY in by_id(preview)
    graph.server.state.update_object(
        "user", "a1b2c3d4-0010-4000-8000-000000000010", {"jobTitle": "edited after the preview"}
    )
    location = graph.start("recoveryJobs")
    assert graph.get(location).json["totalObjectsModified"] == len(preview) + 1
    assert graph.preview() == []


def test_failing_objects_appear_in_get_failed_changes(
    make_graph: Callable[..., Graph], tmp_path: Path
) -> None:
    path = tmp_path / "failing.yaml"
    path.write_text(
        "extends: demo\n"
        "jobs:\n"
        "  failingObjects:\n"
        f"    {CA_MFA}: 'Update failed: policy is locked by another administrator.'\n"
        f"    {ADELE}: 'Restore failed: the user principal name is in use.'\n",
        encoding="utf-8",
    )
    graph = make_graph(scenario=str(path))
    location = graph.start("recoveryJobs")
    job = graph.get(location).json
    assert job["status"] == "successful"
    assert job["totalFailedChanges"] == 2
    assert job["totalObjectsModified"] == 8
    failed = graph.get(f"{location}/{NS}.getFailedChanges").json
    assert len(failed["value"]) == 2 and "@odata.count" not in failed
    items = by_id(failed["value"])
    assert items[CA_MFA]["failureMessage"].startswith("Update failed")
    assert items[ADELE]["recoveryAction"] == "restore"
    assert items[ADELE]["@odata.type"] == f"#{NS}.recoveryChangeObjectBase"
    assert items[CA_MFA]["deltaFromCurrent"] == {
        "@odata.type": "#microsoft.graph.conditionalAccessPolicy",
        "state": "enabled",
    }
    remaining = by_id(graph.preview())
    assert set(remaining) == {CA_MFA, ADELE}

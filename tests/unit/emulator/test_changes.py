"""The demo incident as change objects: exact shapes (reference §5), scopes, older snapshots."""

from __future__ import annotations

from unit.emulator.graphhttp import ADELE
from unit.emulator.graphhttp import ALEX
from unit.emulator.graphhttp import BREAK_GLASS
from unit.emulator.graphhttp import CA_DEVICE
from unit.emulator.graphhttp import CA_LEGACY
from unit.emulator.graphhttp import CA_MFA
from unit.emulator.graphhttp import FINANCE
from unit.emulator.graphhttp import HQ
from unit.emulator.graphhttp import IDS_FILTER
from unit.emulator.graphhttp import MEGAN
from unit.emulator.graphhttp import NAMES_FILTER
from unit.emulator.graphhttp import ROGUE_APP
from unit.emulator.graphhttp import ROGUE_SP
from unit.emulator.graphhttp import Graph
from unit.emulator.graphhttp import by_id

PATTI = "a1b2c3d4-0007-4000-8000-000000000007"
LEE = "a1b2c3d4-0004-4000-8000-000000000004"
LYNNE = "a1b2c3d4-0005-4000-8000-000000000005"


def test_demo_incident_is_exactly_the_documented_change_set(graph: Graph) -> None:
    changes = graph.preview()
    assert [(c["entityTypeName"], c["id"], c["recoveryAction"]) for c in changes] == [
        ("user", ADELE, "restore"),
        ("user", ALEX, "restore"),
        ("user", MEGAN, "update"),
        ("group", FINANCE, "update"),
        ("conditionalAccessPolicy", CA_MFA, "update"),
        ("conditionalAccessPolicy", CA_LEGACY, "update"),
        ("conditionalAccessPolicy", CA_DEVICE, "update"),
        ("namedLocationPolicy", HQ, "update"),
        ("application", ROGUE_APP, "softDelete"),
        ("servicePrincipal", ROGUE_SP, "softDelete"),
    ]
    assert BREAK_GLASS not in by_id(changes)


def test_update_restore_and_soft_delete_shapes(graph: Graph) -> None:
    changes = by_id(graph.preview())
    assert changes[MEGAN] == {
        "entityTypeName": "user",
        "id": MEGAN,
        "displayName": "Megan Bowen",
        "recoveryAction": "update",
        "deltaFromCurrent": {
            "@odata.type": "#microsoft.graph.user",
            "department": "Marketing",
            "jobTitle": "Marketing Manager",
        },
        "currentState": {
            "@odata.type": "#microsoft.graph.user",
            "department": "Finance",
            "jobTitle": "Finance Manager",
        },
    }
    adele = changes[ADELE]
    assert adele["displayName"] == "Adele Vance"
    assert adele["deltaFromCurrent"] == {
        "@odata.type": "#microsoft.graph.user",
        "deletedDateTime": None,
    }
    assert adele["currentState"]["deletedDateTime"].startswith("2026-11-28T")
    rogue = changes[ROGUE_APP]
    assert rogue["displayName"] == "Totally Legit Sync"
    assert rogue["deltaFromCurrent"] == {
        "@odata.type": "#microsoft.graph.application",
        "@removed": {"reason": "changed"},
        "deletedDateTime": "2026-11-28T02:30:00Z",
    }
    assert rogue["currentState"] == {
        "@odata.type": "#microsoft.graph.application",
        "deletedDateTime": None,
    }


def test_group_members_delta_with_and_without_removed(graph: Graph) -> None:
    finance = by_id(graph.preview())[FINANCE]
    delta = finance["deltaFromCurrent"]
    assert delta["members@delta"] == [
        {"@odata.type": "#microsoft.graph.user", "id": LEE},
        {"@odata.type": "#microsoft.graph.user", "id": LYNNE},
        {"@odata.type": "#microsoft.graph.user", "id": PATTI, "@removed": {"reason": "changed"}},
    ]
    assert delta["description"] == "Finance department staff with access to finance systems"
    assert finance["currentState"] == {
        "@odata.type": "#microsoft.graph.group",
        "description": "Finance (temporary access during migration)",
    }


def test_conditional_access_changes_carry_whole_nested_objects(graph: Graph) -> None:
    changes = by_id(graph.preview())
    assert changes[CA_MFA]["deltaFromCurrent"] == {
        "@odata.type": "#microsoft.graph.conditionalAccessPolicy",
        "state": "enabled",
    }
    assert changes[CA_MFA]["currentState"]["state"] == "disabled"
    legacy = changes[CA_LEGACY]
    assert set(legacy["deltaFromCurrent"]) == {"@odata.type", "conditions"}
    snap_conditions = legacy["deltaFromCurrent"]["conditions"]
    now_conditions = legacy["currentState"]["conditions"]
    assert snap_conditions["users"]["excludeUsers"] == [BREAK_GLASS]
    assert now_conditions["users"]["excludeUsers"] == [BREAK_GLASS, PATTI]
    assert snap_conditions["clientAppTypes"] == ["exchangeActiveSync", "other"]
    assert now_conditions["clientAppTypes"] == ["other"]
    assert snap_conditions["applications"] == now_conditions["applications"]  # whole object
    grant = changes[CA_DEVICE]
    assert grant["deltaFromCurrent"]["grantControls"]["builtInControls"] == [
        "compliantDevice",
        "mfa",
    ]
    assert grant["currentState"]["grantControls"]["builtInControls"] == ["mfa"]
    hq = changes[HQ]
    assert hq["deltaFromCurrent"]["@odata.type"] == "#microsoft.graph.ipNamedLocation"
    assert len(hq["currentState"]["ipRanges"]) == len(hq["deltaFromCurrent"]["ipRanges"]) + 1


def test_scope_by_entity_names_and_by_ids(graph: Graph) -> None:
    users = graph.preview({"@odata.type": NAMES_FILTER, "entityTypes": ["user", "group"]})
    assert {c["entityTypeName"] for c in users} == {"user", "group"}
    assert len(users) == 4
    by_ids = graph.preview(
        {
            "@odata.type": IDS_FILTER,
            "filterValues": [
                {"entityType": "user", "entityIds": [ADELE, BREAK_GLASS, "not-an-object"]},
                {"entityType": "conditionalAccessPolicy", "entityIds": [CA_MFA]},
            ],
        }
    )
    assert [c["id"] for c in by_ids] == [ADELE, CA_MFA]


def test_older_snapshots_show_more_including_evolvable_types(graph: Graph) -> None:
    snapshots = graph.snapshots()
    counts = [len(graph.preview(sid=s["id"])) for s in snapshots]
    assert counts == sorted(counts, reverse=True) and counts[0] > counts[-1] == 10
    oldest = graph.preview(sid=snapshots[0]["id"])
    kinds = {c["entityTypeName"] for c in oldest}
    assert {
        "oAuth2PermissionGrant",
        "appRoleAssignment",
        "organization",
        "authorizationPolicy",
        "authenticationMethodPolicy",
        "authenticationStrengthPolicy",
    } <= kinds
    organization = next(c for c in oldest if c["entityTypeName"] == "organization")
    assert organization["deltaFromCurrent"]["@odata.type"] == "#microsoft.graph.organization"
    graph.prefer = False
    hidden = graph.changes(graph.start(sid=snapshots[0]["id"]))
    names = [c["entityTypeName"] for c in hidden]
    assert "organization" not in names and "unknownFutureValue" in names
    assert len(hidden) == len(oldest)


def test_state_mutations_show_up_in_the_next_preview(graph: Graph) -> None:
    state = graph.server.state
    state.update_object("user", BREAK_GLASS, {"accountEnabled": False})
    state.soft_delete("group", FINANCE)
    state.create_object("user", {"id": "new-user-1", "displayName": "Mallory"})
    changes = by_id(graph.preview())
    assert changes[BREAK_GLASS]["deltaFromCurrent"]["accountEnabled"] is True
    assert changes[BREAK_GLASS]["currentState"]["accountEnabled"] is False
    assert changes[FINANCE]["recoveryAction"] == "restore"
    assert changes[FINANCE]["deltaFromCurrent"]["deletedDateTime"] is None
    assert changes[FINANCE]["deltaFromCurrent"]["members@delta"]
    assert changes["new-user-1"]["recoveryAction"] == "softDelete"
    assert changes["new-user-1"]["displayName"] == "Mallory"


def test_preview_result_is_frozen_when_it_finishes(graph: Graph) -> None:
    location = graph.start()
    before = graph.changes(location)
    graph.server.state.update_object("user", BREAK_GLASS, {"jobTitle": "changed"})
    assert graph.changes(location) == before
    assert len(graph.preview()) == len(before) + 1

"""DiffBuilder: raw change dicts to the diff model."""

from __future__ import annotations

import pytest

from entra_recovery.diff import ABSENT
from entra_recovery.diff import DiffBuilder
from entra_recovery.diff import LinkChange
from entra_recovery.diff import PropertyChange
from entra_recovery.diff import build_diff
from entra_recovery.diff import object_change_from_raw
from entra_recovery.errors import ReportDataError
from helpers import report_samples as s


def _rows(change: dict) -> dict[str, PropertyChange]:
    return {row.path: row for row in object_change_from_raw(change).properties}


def test_nested_dicts_become_dotted_leaf_paths() -> None:
    """Nested CA conditions compare recursively; unchanged leaves are not rows."""
    rows = _rows(s.CA_LEGACY_AUTH)
    assert sorted(rows) == [
        "conditions.clientAppTypes",
        "conditions.locations",
        "conditions.users.excludeUsers",
    ]


def test_lists_get_added_and_removed_items() -> None:
    """Added = in the snapshot only (the recovery adds it), removed = in current only."""
    rows = _rows(s.CA_LEGACY_AUTH)
    exclude = rows["conditions.users.excludeUsers"]
    assert exclude.added == ()
    assert exclude.removed == ("a1b2c3d4-0007-4000-8000-000000000007",)
    apps = rows["conditions.clientAppTypes"]
    assert apps.current == ["exchangeActiveSync"]
    assert apps.snapshot == ["exchangeActiveSync", "other"]
    assert apps.added == ("other",)
    assert apps.removed == ()


def test_list_of_objects_difference_by_value() -> None:
    """IP ranges (dicts) compare by canonical value."""
    row = _rows(s.NAMED_LOCATION)["ipRanges"]
    assert row.added == ()
    assert row.removed == (
        {"@odata.type": "#microsoft.graph.iPv4CidrRange", "cidrAddress": "198.51.100.0/24"},
    )


def test_object_on_one_side_only_is_one_row() -> None:
    """`locations` is null in the snapshot and an object now: one row, not leaf rows."""
    row = _rows(s.CA_LEGACY_AUTH)["conditions.locations"]
    assert row.current == {"includeLocations": ["All"]}
    assert row.snapshot is None
    assert row.added is None and row.removed is None


def test_absent_differs_from_null() -> None:
    """A key missing from currentState is ABSENT, not None."""
    rows = _rows(s.MEGAN_UPDATE)
    assert rows["department"].current is ABSENT
    assert rows["department"].snapshot == "Marketing"
    restore = _rows(s.ADELE_RESTORE)["deletedDateTime"]
    assert restore.snapshot is None
    assert restore.current == "2026-11-28T09:14:00Z"


def test_links_from_delta_arrays() -> None:
    """Items with @removed are removals, others additions; types lose their namespace."""
    change = object_change_from_raw(s.FINANCE_GROUP)
    assert change.links == (
        LinkChange("members", "a1b2c3d4-0004-4000-8000-000000000004", "user", "add"),
        LinkChange("members", "a1b2c3d4-0005-4000-8000-000000000005", "user", "add"),
        LinkChange("members", "a1b2c3d4-0006-4000-8000-000000000006", "user", "remove"),
    )
    assert change.links_not_recovered == ()


def test_owner_links_are_flagged_not_recovered() -> None:
    """owners@delta is shown but flagged: the service does not recover owners."""
    change = object_change_from_raw(s.REFERENCE_GROUP_UPDATE)
    assert change.links_not_recovered == ("owners",)
    owner = next(link for link in change.links if link.navigation == "owners")
    assert owner.target_name == "John Miler" and not owner.recovered


def test_unknown_type_action_and_object_id_pass_through() -> None:
    """Unknown entity types and actions are kept; `objectId` stands in for `id`."""
    change = object_change_from_raw(s.UNKNOWN_TYPE_AND_ACTION)
    assert change.entity_type == "crossTenantAccessPolicy"
    assert change.action == "quarantine"
    assert change.id == "f6a7b8c9-0001-4000-8000-000000000001"
    assert change.display_name is None and change.title == change.id


def test_soft_delete_ignores_annotations() -> None:
    """The object-level @removed and @odata.type never become rows."""
    change = object_change_from_raw(s.ROGUE_APP)
    assert [row.path for row in change.properties] == ["deletedDateTime"]
    assert change.action == "softDelete"


def test_display_name_falls_back_to_state() -> None:
    """Without a top-level displayName the current, then the snapshot name is used."""
    raw = {
        "entityTypeName": "user",
        "id": "x",
        "recoveryAction": "update",
        "deltaFromCurrent": {"displayName": "Old"},
        "currentState": {},
    }
    assert object_change_from_raw(raw).display_name == "Old"
    raw["currentState"] = {"displayName": "New"}
    assert object_change_from_raw(raw).display_name == "New"


@pytest.mark.parametrize(
    ("current", "snapshot", "rows"),
    [
        (True, True, 0),
        (1, True, 1),  # type-aware: 1 is not True
        (None, None, 0),
        ([1, 2], [2, 1], 1),  # order matters for the value, not for added/removed
        ([1], [True], 1),  # type-aware inside lists too
        ([1], [1.0], 1),
        ([{"a": 1}], [{"a": True}], 1),
        ([{"a": [1]}], [{"a": [1]}], 0),
        ({"a": {"b": 1}}, {"a": {"b": 1}}, 0),
    ],
)
def test_equal_values_give_no_row(current: object, snapshot: object, rows: int) -> None:
    """Only real differences become rows."""
    raw = {
        "entityTypeName": "x",
        "id": "1",
        "recoveryAction": "update",
        "deltaFromCurrent": {"p": snapshot},
        "currentState": {"p": current},
    }
    assert len(object_change_from_raw(raw).properties) == rows


def test_missing_state_blocks_are_tolerated() -> None:
    """A change without deltaFromCurrent/currentState is still one object."""
    change = object_change_from_raw({"entityTypeName": "user", "id": "1"})
    assert change.action == "unknown" and change.properties == () and change.links == ()


def test_bad_change_is_a_clear_error() -> None:
    """Non-object input is refused with a user-facing message, not an AttributeError."""
    with pytest.raises(ReportDataError, match="JSON object"):
        object_change_from_raw(["nope"])  # type: ignore[arg-type]
    with pytest.raises(ReportDataError, match="currentState"):
        object_change_from_raw({"currentState": "nope"})


def test_diff_is_sorted_and_counted() -> None:
    """Changes sort by (type, name, id) and the summary counts per type and action."""
    diff = build_diff(reversed(s.demo_changes()))
    keys = [(c.entity_type, c.title) for c in diff.changes]
    assert keys == sorted(keys, key=lambda k: (k[0], k[1].casefold()))
    assert diff.counts["user"] == {"restore": 1, "update": 1}
    assert diff.counts["crossTenantAccessPolicy"] == {"quarantine": 1}
    assert diff.action_totals == {"update": 7, "restore": 1, "softDelete": 1, "quarantine": 1}
    assert diff.total_objects == 10
    assert diff.total_links == 6
    assert diff.total_properties == sum(len(c.properties) for c in diff.changes)
    assert [t for t, _ in diff.by_entity_type()] == sorted(diff.counts)


def test_builder_pages_equal_single_adds() -> None:
    """add_page and add give the same diff, whatever the page order."""
    changes = s.demo_changes()
    one = DiffBuilder()
    for change in changes:
        one.add(change)
    two = DiffBuilder()
    two.add_page(changes[5:])
    two.add_page(changes[:5])
    assert one.build() == two.build()
    assert len(two) == len(changes)

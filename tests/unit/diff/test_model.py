"""diff.model: the ABSENT sentinel, the sort order and the summary counts of a Diff."""

from __future__ import annotations

import copy
import pickle

from entra_recovery.diff import ABSENT
from entra_recovery.diff import Diff
from entra_recovery.diff import LinkChange
from entra_recovery.diff import ObjectChange
from entra_recovery.diff import PropertyChange
from entra_recovery.diff.model import action_order


def test_absent_is_one_falsy_object_that_survives_copies() -> None:
    """ABSENT is not None, is falsy and stays itself through copy and pickle."""
    assert ABSENT is not None and not ABSENT and repr(ABSENT) == "<absent>"
    assert copy.deepcopy(ABSENT) is ABSENT
    assert pickle.loads(pickle.dumps(PropertyChange("p", ABSENT, 1))).current is ABSENT


def test_changes_sort_by_type_then_case_folded_name_then_id() -> None:
    """Names compare case-insensitively; a missing name sorts first; ties go by id."""
    changes = [
        ObjectChange("user", "3", "bob", "update"),
        ObjectChange("group", "9", "Zed", "update"),
        ObjectChange("user", "2", "Alice", "restore"),
        ObjectChange("user", "1", "alice", "update"),
        ObjectChange("user", "0", None, "quarantine"),
    ]
    diff = Diff.from_changes(changes)
    assert [c.id for c in diff.changes] == ["9", "0", "2", "1", "3"]
    assert [(t, len(group)) for t, group in diff.by_entity_type()] == [("group", 1), ("user", 4)]


def test_counts_and_totals() -> None:
    """Counts per type and action (sorted), totals of rows, actions in service order."""
    link = LinkChange("members", "m", "user", "add")
    changes = [
        ObjectChange("user", "1", None, "softDelete", (PropertyChange("a", 1, 2),)),
        ObjectChange("user", "2", None, "update", (), (link, link)),
        ObjectChange("group", "3", None, "zeta"),
        ObjectChange("group", "4", None, "alpha"),
        ObjectChange("group", "5", None, "restore"),
        ObjectChange("group", "6", None, "update"),
    ]
    diff = Diff.from_changes(changes)
    assert diff.counts == {
        "group": {"alpha": 1, "restore": 1, "update": 1, "zeta": 1},
        "user": {"softDelete": 1, "update": 1},
    }
    assert list(diff.counts["group"]) == ["alpha", "restore", "update", "zeta"]
    assert list(diff.action_totals.items()) == [
        ("update", 2),
        ("restore", 1),
        ("softDelete", 1),
        ("alpha", 1),
        ("zeta", 1),
    ]
    assert (diff.total_objects, diff.total_properties, diff.total_links) == (6, 1, 2)
    assert not diff.is_empty and Diff.from_changes([]).is_empty


def test_action_order() -> None:
    """update, restore, softDelete, then the rest alphabetically."""
    actions = ["zeta", "softDelete", "Alpha", "update", "restore"]
    assert sorted(actions, key=action_order) == ["update", "restore", "softDelete", "Alpha", "zeta"]


def test_object_and_link_helpers() -> None:
    """The title falls back to the id; owners links are not recovered."""
    assert ObjectChange("user", "1", None, "update").title == "1"
    assert ObjectChange("user", "1", "", "update").title == "1"
    assert ObjectChange("user", "1", "Ann", "update").key == ("user", "1")
    assert not LinkChange("owners", "x", None, "add").recovered
    assert LinkChange("members", "x", None, "add").recovered


def test_repr_stays_short() -> None:
    """A diff of many changes has a one-line repr (the full one takes seconds for 100,000)."""
    diff = Diff.from_changes([ObjectChange("user", str(i), None, "update") for i in range(1000)])
    assert repr(diff).startswith("Diff(<1000 object change(s)>") and len(repr(diff)) < 200

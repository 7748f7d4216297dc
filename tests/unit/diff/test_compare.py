"""compare: how a fresh diff differs from the approved one."""

from __future__ import annotations

import copy
from dataclasses import replace
from typing import Any

from hypothesis import assume
from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st
from unit.diff import strategies as st_

from entra_recovery.diff import Diff
from entra_recovery.diff import build_diff
from entra_recovery.diff import compare
from helpers import report_samples as s


def test_identical_diffs_compare_empty() -> None:
    """Same changes, nothing to report."""
    result = compare(build_diff(s.demo_changes()), build_diff(s.demo_changes()))
    assert result.is_empty
    assert result.describe() == "0 object(s) added, 0 removed, 0 changed since approval"


def test_added_removed_and_changed_objects() -> None:
    """Objects are matched by (entity type, id); changed ones name paths and links."""
    approved = s.demo_changes()
    fresh = s.demo_changes()
    fresh = [c for c in fresh if c.get("id") != s.ADELE_RESTORE["id"]]
    fresh.append(copy.deepcopy(s.REFERENCE_USER_UPDATE))
    legacy = next(c for c in fresh if c.get("id") == s.CA_LEGACY_AUTH["id"])
    legacy["currentState"]["conditions"]["clientAppTypes"] = ["browser"]
    group = next(c for c in fresh if c.get("id") == s.FINANCE_GROUP["id"])
    group["deltaFromCurrent"]["members@delta"].pop()
    mfa = next(c for c in fresh if c.get("id") == s.CA_MFA_ADMINS["id"])
    mfa["recoveryAction"] = "softDelete"

    result = compare(build_diff(approved), build_diff(fresh))
    assert [c.id for c in result.added] == [s.REFERENCE_USER_UPDATE["id"]]
    assert [c.id for c in result.removed] == [s.ADELE_RESTORE["id"]]
    changed = {item.id: item for item in result.changed}
    assert set(changed) == {s.CA_LEGACY_AUTH["id"], s.FINANCE_GROUP["id"], s.CA_MFA_ADMINS["id"]}
    assert changed[s.CA_LEGACY_AUTH["id"]].properties == ("conditions.clientAppTypes",)
    assert changed[s.FINANCE_GROUP["id"]].links == (
        "remove members a1b2c3d4-0006-4000-8000-000000000006",
    )
    assert changed[s.CA_MFA_ADMINS["id"]].action_changed
    assert not result.is_empty


def test_null_versus_absent_is_a_change() -> None:
    """A value that became absent (or null) counts as changed."""
    approved = [copy.deepcopy(s.MEGAN_UPDATE)]
    fresh = copy.deepcopy(approved)
    fresh[0]["currentState"]["department"] = None
    result = compare(build_diff(approved), build_diff(fresh))
    assert result.changed[0].properties == ("department",)


def test_an_object_listed_twice_pairs_in_order() -> None:
    """A page that repeats an object compares empty with itself; an extra copy is `added`."""
    twice = [{"entityTypeName": "user", "id": "1"}, {"entityTypeName": "user", "id": "1",
             "recoveryAction": "update"}]  # fmt: skip
    diff = build_diff(twice)
    assert compare(diff, diff).is_empty
    thrice = build_diff([*twice, {"entityTypeName": "user", "id": "1", "recoveryAction": "x"}])
    result = compare(diff, thrice)
    assert [c.action for c in result.added] == ["x"]
    assert result.removed == () and result.changed == ()


def test_one_path_twice_is_compared_row_by_row() -> None:
    """A top-level key `a.b` and the key `b` nested in `a` share a path; both rows count."""
    raw: dict[str, Any] = {"entityTypeName": "group", "id": "1", "recoveryAction": "update",
           "deltaFromCurrent": {"a.b": 1, "a": {"b": 2}},
           "currentState": {"a.b": 0, "a": {"b": 0}}}  # fmt: skip
    approved = build_diff([raw])
    assert [row.path for row in approved.changes[0].properties] == ["a.b", "a.b"]
    fresh = copy.deepcopy(raw)
    fresh["deltaFromCurrent"]["a"]["b"] = 5  # the nested one, the first of the two rows
    result = compare(approved, build_diff([fresh]))
    assert [item.properties for item in result.changed] == [("a.b",)]


# --- properties ---------------------------------------------------------------------------


@settings(max_examples=150, deadline=None)
@given(st_.change_lists())
def test_a_diff_compares_empty_with_itself(changes: list[dict]) -> None:
    """`compare(d, d)` is empty for any diff, also when two changes name the same object."""
    diff = build_diff(changes)
    assert compare(diff, diff).is_empty
    assert compare(diff, build_diff(copy.deepcopy(changes))).is_empty


@settings(max_examples=150, deadline=None)
@given(st_.change_lists(), st.data())
def test_one_mutated_property_is_found(changes: list[dict], data: st.DataObject) -> None:
    """Changing one row's snapshot value shows as exactly that object and that path."""
    diff = build_diff(changes)
    with_rows = [i for i, change in enumerate(diff.changes) if change.properties]
    assume(with_rows)
    index = data.draw(st.sampled_from(with_rows), label="object")
    target = diff.changes[index]
    row_index = data.draw(st.integers(0, len(target.properties) - 1), label="row")
    row = target.properties[row_index]
    # a value no JSON value equals: an object holding the old value
    rows = list(target.properties)
    rows[row_index] = replace(row, snapshot={"mutated": row.snapshot})
    mutated = list(diff.changes)
    mutated[index] = replace(target, properties=tuple(rows))

    result = compare(diff, Diff.from_changes(mutated))

    assert result.added == () and result.removed == ()
    assert len(result.changed) == 1
    item = result.changed[0]
    assert item.approved is target and item.fresh is mutated[index]
    assert item.properties == (row.path,)
    assert item.links == () and not item.action_changed

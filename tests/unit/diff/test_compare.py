"""compare: how a fresh diff differs from the approved one."""

from __future__ import annotations

import copy

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

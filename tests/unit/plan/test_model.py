"""The plan model: selectors, scopes, criteria, labels and the shipped examples' values."""

from __future__ import annotations

import hashlib
from datetime import UTC
from datetime import datetime
from datetime import timedelta
from datetime import timezone
from pathlib import Path

import pytest

from entra_recovery.constants import PlanMode
from entra_recovery.plan import ObjectScope
from entra_recovery.plan import Scope
from entra_recovery.plan import SnapshotSelector
from entra_recovery.plan import load_plan

PLANS = Path(__file__).parents[3] / "recovery_plans"
EXAMPLES = Path(__file__).parents[2] / "examples" / "plans" / "valid"
BREAK_GLASS = "a1b2c3d4-0009-4000-8000-000000000009"


@pytest.mark.parametrize(
    "kwargs",
    [
        {},
        {"latest": True, "id": "MjAyNi0xMS0yN1QwMjozMDowMFo="},
        {"id": "x", "before": datetime(2026, 11, 27, tzinfo=UTC)},
        {"before": datetime(2026, 11, 27)},  # naive
    ],
)
def test_snapshot_selector_needs_exactly_one_aware_choice(kwargs: dict[str, object]) -> None:
    """Zero or two choices, or a naive `before`, are refused."""
    with pytest.raises(ValueError):
        SnapshotSelector(**kwargs)  # type: ignore[arg-type]


def test_scope_takes_types_or_objects_not_both() -> None:
    """A scope with both entity types and objects is refused."""
    with pytest.raises(ValueError):
        Scope(entity_types=("user",), objects=())


def test_labels_keep_file_order_and_hash() -> None:
    """Labels are a tuple of pairs in file order; `label()` reads one."""
    plan = load_plan(PLANS / "rollback-ca-incident.yaml")
    assert plan.metadata.labels == (("team", "identity"), ("incident", "4711"))
    assert plan.metadata.label("incident") == "4711"
    assert plan.metadata.label("missing") is None
    assert hash(plan.metadata) == hash(load_plan(PLANS / "rollback-ca-incident.yaml").metadata)


def test_rollback_example_values() -> None:
    """The README's plan loads into the values the runner relies on."""
    plan = load_plan(PLANS / "rollback-ca-incident.yaml")
    assert plan.name == "rollback-ca-incident"
    assert plan.tenant == "5f0c1a2b-3c4d-4e5f-8a9b-0c1d2e3f4a5b"
    assert plan.snapshot == SnapshotSelector(latest=True)
    assert plan.scope.entity_types == ("conditionalAccessPolicy", "namedLocationPolicy")
    assert plan.mode is PlanMode.PREVIEW
    assert plan.guards.max_changes == 50
    assert plan.guards.protected_objects == (BREAK_GLASS,)
    assert plan.approval is None
    assert plan.report_formats == ("markdown", "json")
    raw = (PLANS / "rollback-ca-incident.yaml").read_bytes()
    assert plan.sha256 == hashlib.sha256(raw).hexdigest()
    assert hash(plan) == hash(load_plan(PLANS / "rollback-ca-incident.yaml"))


def test_apply_example_values() -> None:
    """The apply example carries its change, approval and default-free guards."""
    plan = load_plan(PLANS / "apply-ca-rollback.yaml")
    assert plan.mode is PlanMode.APPLY
    assert plan.metadata.change == "CHG0012345"
    assert plan.approval is not None
    assert plan.approval.fingerprint == "sha256:" + "0" * 64
    assert plan.approval.approved_by == ("alice@contoso.com",)


def test_defaults() -> None:
    """Without guards, report or mode, the defaults apply (softDelete is not allowed)."""
    plan = load_plan(EXAMPLES / "before-with-offset.yaml")
    assert plan.mode is PlanMode.PREVIEW
    assert plan.guards.allowed_actions == ("update", "restore")
    assert plan.guards.max_changes is None
    assert plan.report_formats == ("terminal",)
    assert plan.snapshot.before == datetime(2026, 11, 27, 8, tzinfo=timezone(timedelta(hours=1)))


def test_ids_are_normalised_to_lower_case() -> None:
    """GUIDs compare case-insensitively, so the model stores them lower-cased."""
    plan = load_plan(EXAMPLES / "snapshot-by-id.yml")
    assert plan.scope.objects == (ObjectScope("user", ("a1b2c3d4-0003-4000-8000-000000000003",)),)
    assert plan.snapshot.id == "MjAyNi0xMS0yN1QwMjozMDowMFo="

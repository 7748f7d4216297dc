"""Resolving a plan's targets: scope criteria, tenant check and snapshot selection."""

from __future__ import annotations

from datetime import UTC
from datetime import datetime
from datetime import timedelta
from datetime import timezone

import pytest

from entra_recovery.errors import GateRefused
from entra_recovery.errors import SnapshotNotFoundError
from entra_recovery.graph.models import FilteringCriteria
from entra_recovery.graph.models import Identity
from entra_recovery.graph.models import Snapshot
from entra_recovery.plan import ObjectScope
from entra_recovery.plan import Scope
from entra_recovery.plan import SnapshotSelector
from entra_recovery.runner.resolve import available_hint
from entra_recovery.runner.resolve import check_tenant
from entra_recovery.runner.resolve import criteria_for
from entra_recovery.runner.resolve import select_snapshot

TENANT = "5f0c1a2b-3c4d-4e5f-8a9b-0c1d2e3f4a5b"


def _snap(snapshot_id: str, created: datetime | None) -> Snapshot:
    return Snapshot(id=snapshot_id, created=created, total_changed_objects=None)


NOV = [
    _snap("s25", datetime(2026, 11, 25, 2, 30, tzinfo=UTC)),
    _snap("s27", datetime(2026, 11, 27, 2, 30, tzinfo=UTC)),
    _snap("s26", datetime(2026, 11, 26, 2, 30, tzinfo=UTC)),
]


def test_criteria_for_each_kind_of_scope() -> None:
    """Types, objects by id, and no scope map onto the jobs' filtering criteria."""
    assert criteria_for(Scope(entity_types=("user",))) == FilteringCriteria(entity_types=("user",))
    objects = Scope(objects=(ObjectScope("user", ("a", "b")),))
    assert criteria_for(objects) == FilteringCriteria(objects=(("user", ("a", "b")),))
    assert criteria_for(Scope()).is_everything


def test_latest_is_the_newest_whatever_the_order() -> None:
    """`latest` picks the newest snapshot even when Graph lists them out of order."""
    assert select_snapshot(SnapshotSelector(latest=True), NOV).id == "s27"


def test_by_id_finds_that_snapshot() -> None:
    """`id` picks exactly that snapshot."""
    assert select_snapshot(SnapshotSelector(id="s25"), NOV).id == "s25"


def test_by_id_missing_lists_the_available_ones_newest_first() -> None:
    """An unknown id names every snapshot that exists, newest first."""
    with pytest.raises(SnapshotNotFoundError) as info:
        select_snapshot(SnapshotSelector(id="gone"), NOV)
    assert "snapshot gone does not exist or has expired" in str(info.value)
    assert info.value.available == ("s25", "s27", "s26")
    hint = info.value.hint or ""
    assert hint.index("s27") < hint.index("s26") < hint.index("s25")


@pytest.mark.parametrize(
    ("before", "expected"),
    [
        (datetime(2026, 11, 27, 2, 30, tzinfo=UTC), "s27"),  # at the instant itself
        (datetime(2026, 11, 27, 2, 29, tzinfo=UTC), "s26"),
        (datetime(2026, 11, 26, 4, 0, tzinfo=timezone(timedelta(hours=2))), "s25"),
        (datetime(2026, 11, 26, 5, 0, tzinfo=timezone(timedelta(hours=2))), "s26"),
        (datetime(2030, 1, 1, tzinfo=UTC), "s27"),
    ],
)
def test_before_picks_the_newest_at_or_before(before: datetime, expected: str) -> None:
    """`before` picks the newest snapshot created at or before the instant, in any offset."""
    assert select_snapshot(SnapshotSelector(before=before), NOV).id == expected


def test_before_with_none_eligible_says_so() -> None:
    """A `before` older than every snapshot is an error naming the instant in UTC."""
    before = datetime(2026, 11, 25, 4, 0, tzinfo=timezone(timedelta(hours=3)))
    with pytest.raises(SnapshotNotFoundError) as info:
        select_snapshot(SnapshotSelector(before=before), NOV)
    assert "no snapshot was created at or before 2026-11-25T01:00:00Z" in str(info.value)


def test_before_skips_snapshots_without_a_time() -> None:
    """A snapshot whose creation time is unknown is never picked by `before`."""
    snapshots = [_snap("unknown", None), *NOV]
    before = datetime(2030, 1, 1, tzinfo=UTC)
    assert select_snapshot(SnapshotSelector(before=before), snapshots).id == "s27"
    assert "unknown (unknown time)" in available_hint(snapshots)


def test_no_snapshots_at_all() -> None:
    """A tenant without snapshots gets an error that says they are taken daily."""
    with pytest.raises(SnapshotNotFoundError) as info:
        select_snapshot(SnapshotSelector(latest=True), [])
    assert "no snapshots" in str(info.value)
    assert "taken daily" in (info.value.hint or "")


@pytest.mark.parametrize(
    ("claimed", "message"),
    [
        (None, "carries no 'tid' claim"),
        ("00000000-0000-4000-8000-000000000000", "but the plan targets"),
    ],
)
def test_tenant_check_refuses(claimed: str | None, message: str) -> None:
    """A token without a tenant, or for another tenant, is refused by the tenant gate."""
    with pytest.raises(GateRefused) as info:
        check_tenant(TENANT, Identity(claimed, None, None, None))
    assert message in str(info.value)
    assert info.value.gate == "tenant"


def test_tenant_check_ignores_case() -> None:
    """The tenant ids compare without regard to case."""
    check_tenant(TENANT.upper(), Identity(TENANT, None, None, None))

"""
Resolve a plan's targets: the tenant check, the snapshot selector and the scope's criteria.

Pure functions over what Graph returned, so they are easy to test and reuse: `check_tenant`
refuses a token for another tenant before any job is created; `select_snapshot` turns
`latest` / `id` / `before` into one snapshot, or explains which ones exist; `criteria_for`
maps a plan's scope onto the filtering criteria of the preview and recovery jobs.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC
from datetime import datetime

from entra_recovery.errors import GateRefused
from entra_recovery.errors import SnapshotNotFoundError
from entra_recovery.graph.models import FilteringCriteria
from entra_recovery.graph.models import Identity
from entra_recovery.graph.models import Snapshot
from entra_recovery.plan import Scope
from entra_recovery.plan import SnapshotSelector
from entra_recovery.timestamps import iso_z


def criteria_for(scope: Scope) -> FilteringCriteria:
    """The filtering criteria of the preview and recovery jobs for a plan's scope."""
    if scope.entity_types is not None:
        return FilteringCriteria(entity_types=scope.entity_types)
    if scope.objects is not None:
        return FilteringCriteria(objects=tuple((o.entity_type, o.ids) for o in scope.objects))
    return FilteringCriteria()


def check_tenant(plan_tenant: str, identity: Identity) -> None:
    """Refuse unless the token's `tid` claim names the plan's tenant."""
    if not identity.tenant_id:
        raise GateRefused(
            "cannot verify the tenant: the access token carries no 'tid' claim",
            gate="tenant",
            hint="use a Microsoft Entra access token (a JWT) for the plan's tenant",
        )
    if identity.tenant_id.lower() != plan_tenant.lower():
        raise GateRefused(
            f"the token is for tenant {identity.tenant_id}, but the plan targets {plan_tenant}",
            gate="tenant",
            hint="sign in to the plan's tenant, or fix `tenant:` in the plan",
        )


def _describe(snapshots: Sequence[Snapshot]) -> list[str]:
    return [f"{s.id} ({_stamp(s.created)})" for s in sorted(snapshots, key=_created, reverse=True)]


def _created(snapshot: Snapshot) -> datetime:
    return snapshot.created or datetime.min.replace(tzinfo=UTC)


def _stamp(moment: datetime | None) -> str:
    return "unknown time" if moment is None else iso_z(moment)


def available_hint(snapshots: Sequence[Snapshot]) -> str:
    if not snapshots:
        return "the tenant has no snapshots yet (they are taken daily)"
    return "available snapshots: " + ", ".join(_describe(snapshots))


def select_snapshot(selector: SnapshotSelector, snapshots: Sequence[Snapshot]) -> Snapshot:
    """The snapshot the selector names, from the list Graph returned."""
    if not snapshots:
        raise SnapshotNotFoundError(
            "the tenant has no snapshots", available=(), hint=available_hint(snapshots)
        )
    if selector.id is not None:
        for snapshot in snapshots:
            if snapshot.id == selector.id:
                return snapshot
        raise SnapshotNotFoundError(
            f"snapshot {selector.id} does not exist or has expired",
            available=[s.id for s in snapshots],
            hint=available_hint(snapshots),
        )
    if selector.before is not None:
        before = selector.before
        if before.tzinfo is None:
            before = before.replace(tzinfo=UTC)
        eligible = [s for s in snapshots if s.created is not None and s.created <= before]
        if not eligible:
            raise SnapshotNotFoundError(
                f"no snapshot was created at or before {_stamp(before)}",
                available=[s.id for s in snapshots],
                hint=available_hint(snapshots),
            )
        return max(eligible, key=_created)
    return max(snapshots, key=_created)

"""
Resolve a plan's targets: the tenant check, the snapshot selector and the scope's criteria.

Pure functions over what Graph returned, so they are easy to test and reuse: `check_tenant`
refuses a token for another tenant before any job is created; `select_snapshot` turns
`latest` / `id` / `before` into one snapshot (the pure selection lives in `graph.snapshots`, which
the parity commands share), or explains which ones exist; `criteria_for`
maps a plan's scope onto the filtering criteria of the preview and recovery jobs.
"""

from __future__ import annotations

from collections.abc import Sequence

from entra_recovery.errors import GateRefused
from entra_recovery.graph.models import FilteringCriteria
from entra_recovery.graph.models import Identity
from entra_recovery.graph.models import Snapshot
from entra_recovery.graph.snapshots import available_hint as available_hint  # re-exported
from entra_recovery.graph.snapshots import select_snapshot as graph_select
from entra_recovery.plan import Scope
from entra_recovery.plan import SnapshotSelector


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


def select_snapshot(selector: SnapshotSelector, snapshots: Sequence[Snapshot]) -> Snapshot:
    """The snapshot the selector names, from the list Graph returned (graph.snapshots)."""
    return graph_select(snapshots, snapshot_id=selector.id, before=selector.before)

"""
A batch of plans planned together: each plan's snapshot, and one merged preview job per snapshot.

Step in the flow: **batch resolve** -> (per plan) shared preview job -> share -> diff. The
runner's `plan_batch(plans)` reads who the token is for and the snapshot list once, resolves
every plan here (tenant gate, snapshot selector, scope), groups the plans by snapshot id and
gives each group the union of its plans' criteria (`merge`). `preview(plan)` then takes the
plan's resolution from here instead of resolving again: the first plan of a group creates the
merged job, the others reuse its change set, each taking its own share of it.

A plan whose resolution failed keeps its error, raised by its own `preview` (the other plans
are unaffected and are not part of any group). A failure of the batch as a whole (who the token
is for, the snapshot list) is every plan's error.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from entra_recovery.errors import RecoveryError
from entra_recovery.graph.api import GraphApi
from entra_recovery.graph.models import FilteringCriteria
from entra_recovery.graph.models import Identity
from entra_recovery.graph.models import Snapshot
from entra_recovery.plan import Plan
from entra_recovery.runner.bookkeeping import RunBook
from entra_recovery.runner.merge import merge_criteria
from entra_recovery.runner.resolve import check_tenant
from entra_recovery.runner.resolve import criteria_for
from entra_recovery.runner.resolve import select_snapshot
from entra_recovery.runner.shared import SharedPreviewKey
from entra_recovery.runner.shared import SharedPreviews


@dataclass(frozen=True)
class Resolution:
    """Where one plan of a batch stands: its snapshot and criteria, and its group's job's."""

    identity: Identity
    snapshot: Snapshot
    criteria: FilteringCriteria  # the plan's own (its fingerprint uses these)
    job_criteria: FilteringCriteria  # the merged preview job's, for the plan's snapshot


@dataclass(frozen=True)
class Unresolved:
    """A plan of a batch that could not be resolved, and why."""

    identity: Identity | None
    error: RecoveryError


class PreviewBatch:
    """The resolutions of one `plan_batch` call, by plan, and which plans are still to come.

    Owner: the `PlanRunner` that planned the batch; lifetime: until the next `plan_batch`.
    Plans are found by value (`Plan` is frozen and hashable), so an equal plan object finds the
    same resolution. `finished(plan, shared)` lets a group's change set go after its last plan.
    """

    def __init__(
        self, entries: dict[Plan, Resolution | Unresolved], plans: Sequence[Plan] = ()
    ) -> None:
        self._entries = entries
        # Previews still to come per group: one per plan of `plans` (a plan listed twice, twice).
        self._pending: dict[tuple[str, FilteringCriteria], int] = {}
        for plan in plans:
            entry = entries.get(plan)
            if isinstance(entry, Resolution):
                self._pending[_group(entry)] = self._pending.get(_group(entry), 0) + 1

    @classmethod
    def resolve(
        cls, plans: Sequence[Plan], identity: Identity, snapshots: Sequence[Snapshot]
    ) -> PreviewBatch:
        """Resolve every plan against one identity and one snapshot list, then merge per snapshot.

        `snapshots` may be empty when no plan passes the tenant gate (then nothing was listed).
        """
        resolved: dict[Plan, tuple[Snapshot, FilteringCriteria] | Unresolved] = {}
        for plan in plans:
            try:
                check_tenant(plan.tenant, identity)
                resolved[plan] = (
                    select_snapshot(plan.snapshot, snapshots),
                    criteria_for(plan.scope),
                )
            except RecoveryError as exc:
                resolved[plan] = Unresolved(identity, exc)
        groups: dict[str, list[FilteringCriteria]] = {}
        for entry in resolved.values():
            if isinstance(entry, tuple):
                groups.setdefault(entry[0].id, []).append(entry[1])
        merged = {snapshot_id: merge_criteria(group) for snapshot_id, group in groups.items()}
        entries: dict[Plan, Resolution | Unresolved] = {
            plan: (
                entry
                if isinstance(entry, Unresolved)
                else Resolution(identity, entry[0], entry[1], merged[entry[0].id])
            )
            for plan, entry in resolved.items()
        }
        return cls(entries, plans)

    @classmethod
    def failed(
        cls, plans: Sequence[Plan], error: RecoveryError, identity: Identity | None = None
    ) -> PreviewBatch:
        """A batch that could not be resolved at all: `error` is every plan's."""
        return cls({plan: Unresolved(identity, error) for plan in plans})

    def lookup(self, plan: Plan) -> Resolution | Unresolved | None:
        """The plan's resolution, its error, or None for a plan that is not in this batch."""
        return self._entries.get(plan)

    def groups(self) -> dict[str, FilteringCriteria]:
        """The merged criteria of each snapshot's preview job, by snapshot id."""
        return {
            entry.snapshot.id: entry.job_criteria
            for entry in self._entries.values()
            if isinstance(entry, Resolution)
        }

    def finished(self, plan: Plan, shared: SharedPreviews) -> None:
        """Note that `plan` was previewed; when it was the last plan of its group, the group's
        change set is let go from `shared` (a later preview of it makes a new job)."""
        entry = self._entries.get(plan)
        if not isinstance(entry, Resolution):
            return
        key = _group(entry)
        if key not in self._pending:
            return
        self._pending[key] -= 1
        if self._pending[key] <= 0:
            del self._pending[key]
            shared.discard(SharedPreviewKey(*key))


def _group(entry: Resolution) -> tuple[str, FilteringCriteria]:
    return (entry.snapshot.id, entry.job_criteria)


async def plan_previews(graph: GraphApi, plans: Sequence[Plan]) -> PreviewBatch:
    """Resolve a batch with one look at who the token is for and one snapshot listing (none
    when no plan is for the token's tenant); a Graph failure there is every plan's error."""
    identity: Identity | None = None
    try:
        identity = await graph.identity()
        own = any(_same_tenant(plan.tenant, identity) for plan in plans)
        snapshots = await graph.list_snapshots() if own else []
    except RecoveryError as exc:
        return PreviewBatch.failed(plans, exc, identity)
    return PreviewBatch.resolve(plans, identity, snapshots)


async def resolve_plan(
    graph: GraphApi, batch: PreviewBatch | None, plan: Plan, book: RunBook
) -> Resolution:
    """One plan's resolution: from `batch` when it holds the plan (its error raised), else
    looked up now, with a job of the plan's own criteria. Who the token is for goes to `book`.

    Raises:
        RecoveryError: the tenant gate refused, the snapshot cannot be found, Graph failed.
    """
    planned = batch.lookup(plan) if batch is not None else None
    if isinstance(planned, Unresolved):
        if planned.identity is not None:
            book.update(user=planned.identity.display)
        raise planned.error
    if planned is not None:
        book.update(user=planned.identity.display)
        return planned
    identity = await graph.identity()
    book.update(user=identity.display)
    check_tenant(plan.tenant, identity)
    snapshot = select_snapshot(plan.snapshot, await graph.list_snapshots())
    criteria = criteria_for(plan.scope)
    return Resolution(identity, snapshot, criteria, criteria)


def _same_tenant(plan_tenant: str, identity: Identity) -> bool:
    try:
        check_tenant(plan_tenant, identity)
    except RecoveryError:
        return False
    return True

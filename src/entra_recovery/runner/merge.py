"""
One preview job for several scopes: the union of the plans' filtering criteria, and each plan's
share of the merged job's change set.

Step in the flow: batch resolve -> **merge** -> one preview job per snapshot -> changes ->
**share** per plan -> diff, fingerprint, guards. Real preview jobs take minutes to hours and
hold the tenant's one job slot, so the plans of a batch that resolve to one snapshot ask for
one job whose criteria cover all of theirs.

Graph's `filteringCriteria` is a single object of one of two shapes (reference 4.4): entity
names (`recoveryJobEntityNamesFilter`) or ids per entity type
(`recoveryJobEntityNameAndIdsFilter`, each type at most once); a job cannot carry both. So:

- any plan without a scope restriction: the merged job covers everything (no criteria);
- only by-id scopes: ids united per entity type (first appearance order, no repeats);
- any by-type scope: entity names, the by-type types and then every by-id type (a by-id scope
  is widened to its whole type, since the names filter cannot name ids).

Pure code over our own records. `selects` mirrors how the service applies criteria to the
change objects it lists (the bundled emulator does the same, `emulator.criteria`/`diff`): a
names filter keeps the changes of those entity types, an ids filter keeps the changes whose
(entity type, id) it names. `share_of` cuts a plan's share out of a merged change set with
that rule: the share's diff, digests and fingerprint (under the plan's own criteria) are what
a preview of the plan alone would give. Shares hold references to the merged set's change
records, not copies.
"""

from __future__ import annotations

from collections.abc import Callable
from collections.abc import Iterable
from dataclasses import replace

from entra_recovery.diff import Diff
from entra_recovery.diff import fingerprint_from_digests
from entra_recovery.graph.models import FilteringCriteria
from entra_recovery.graph.models import Job
from entra_recovery.runner.changes import ChangeSet

Selector = Callable[[str, str], bool]


def merge_criteria(criteria: Iterable[FilteringCriteria]) -> FilteringCriteria:
    """The criteria of one job that covers every one of `criteria`; see the module docstring.

    Raises:
        ValueError: for no criteria at all, or criteria of a shape we cannot read (plans never
            make those; only a job Graph described can carry them).
    """
    by_type: dict[str, None] = {}  # ordered sets
    by_ids: dict[str, dict[str, None]] = {}
    seen = False
    for one in criteria:
        seen = True
        if one.is_unknown:
            raise ValueError("criteria of an unknown shape cannot be merged")
        if one.is_everything:
            return FilteringCriteria()
        if one.entity_types is not None:
            by_type.update(dict.fromkeys(one.entity_types))
        for entity_type, ids in one.objects or ():
            by_ids.setdefault(entity_type, {}).update(dict.fromkeys(ids))
    if not seen:
        raise ValueError("merging needs the criteria of at least one plan")
    if by_type:
        return FilteringCriteria(entity_types=tuple({**by_type, **dict.fromkeys(by_ids)}))
    return FilteringCriteria(objects=tuple((t, tuple(ids)) for t, ids in by_ids.items()))


def selects(criteria: FilteringCriteria) -> Selector:
    """`select(entity_type, object_id)`: whether a job with `criteria` lists that change."""
    if criteria.is_unknown:
        raise ValueError("criteria of an unknown shape select nothing we can tell")
    if criteria.entity_types is not None:
        types = frozenset(criteria.entity_types)
        return lambda entity_type, _object_id: entity_type in types
    if criteria.objects is not None:
        wanted = {(t, object_id) for t, ids in criteria.objects for object_id in ids}
        return lambda entity_type, object_id: (entity_type, object_id) in wanted
    return lambda _entity_type, _object_id: True


def covers(wide: FilteringCriteria, narrow: FilteringCriteria) -> bool:
    """Whether a job with `wide` criteria lists every change a job with `narrow` would."""
    if wide.is_everything:
        return True
    if narrow.is_everything or narrow.is_unknown or wide.is_unknown:
        return False
    select = selects(wide)
    if narrow.entity_types is not None:
        return wide.entity_types is not None and set(narrow.entity_types) <= set(wide.entity_types)
    return all(select(t, object_id) for t, ids in narrow.objects or () for object_id in ids)


def share_of(
    changes: ChangeSet, snapshot_id: str, job_criteria: FilteringCriteria, plan: FilteringCriteria
) -> ChangeSet:
    """The changes `plan` selects from the change set of a job made with `job_criteria`.

    When the two criteria are equal the change set is returned as it is (its fingerprint
    already uses those criteria).

    Raises:
        ValueError: `job_criteria` does not cover `plan` (the job may miss some of its changes).
    """
    if plan == job_criteria:
        return changes
    if not covers(job_criteria, plan):
        raise ValueError(f"a job for {job_criteria.describe()} does not cover {plan.describe()}")
    select = selects(plan)
    kept = [c for c in changes.diff.changes if select(c.entity_type, c.id)]
    digests = {key: hexed for key, hexed in changes.digests.items() if select(*key)}
    fingerprint = fingerprint_from_digests(snapshot_id, plan.to_json(), digests)
    return ChangeSet(Diff.from_changes(kept), fingerprint, digests)


def job_share(job: Job, whole: ChangeSet, share: ChangeSet, plan: FilteringCriteria) -> Job:
    """The merged job as a plan alone would have seen its own: the plan's criteria, and the
    totals of its share (counted as `runner.totals` checked the whole), unknown where the
    service did not say. Id, status and times stay the shared job's."""
    if share is whole:
        return job
    return replace(
        job,
        criteria=plan,
        total_changed_objects=(
            None if job.total_changed_objects is None else len(share.diff.changes)
        ),
        total_changed_links=None if job.total_changed_links is None else share.diff.total_links,
    )

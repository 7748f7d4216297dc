"""
Finding a job whose creation answer was lost: one question, asked by two steps.

Step in the flow: preview job / recovery job (when the answer to the creating POST was lost,
`JobCreationUncertain`, or a 409 came back to a POST that may have been re-sent) and `run
resume` (when a run died between asking for the recovery job and recording its id). Both ask:
which job of the tenant is the one *we* asked for? A job matches when it is

- of the same kind (preview or recovery);
- for the same snapshot: its `targetStateDateTime` is the snapshot's `createdDateTime`, compared
  as instants (any offset or fraction spelling); a job that reports no target time, or a
  snapshot without a creation time, is not excluded for that reason alone;
- for the same filtering criteria, order-insensitive: entity names as a set, by-id scopes as
  `{entity type: set of ids}`;
- started at or after the request: on the service's clock when we have a reading of it (for a
  recovery job, the start of the preview job of the same run), otherwise our send time minus
  `CLOCK_SKEW` (a job that reports no start time is not excluded for that reason alone);
- not one we saw before sending (`seen_before`), and not recorded by any other run's journal
  (`owned_job_ids`): another run's job is never adopted.

Exactly one match is followed; none or several stop the run. Guessing is never an option: the
cost of a wrong guess is a second recovery job, or following somebody else's.
"""

from __future__ import annotations

from collections.abc import Iterable
from collections.abc import Sequence
from dataclasses import dataclass
from dataclasses import field
from datetime import datetime
from datetime import timedelta
from pathlib import Path

from entra_recovery.graph.models import FilteringCriteria
from entra_recovery.graph.models import Job
from entra_recovery.graph.models import JobKind
from entra_recovery.runner.journal import scan_runs

# How far our clock may run ahead of the service's. Used only when no reading of the service's
# clock is at hand (a preview job's request): a job that started more than this before our send
# time cannot be the answer to our request. Kerberos tolerates the same five minutes.
CLOCK_SKEW = timedelta(minutes=5)

# Two instants closer than this are the same snapshot time (services may add a fraction).
_SAME_INSTANT = timedelta(seconds=1)

CriteriaKey = tuple[str, frozenset[str] | frozenset[tuple[str, frozenset[str]]] | None]


@dataclass(frozen=True)
class JobQuery:
    """The job a request asked for, as far as the service can tell us about it."""

    kind: JobKind
    snapshot_created: datetime | None
    criteria: FilteringCriteria
    not_before: datetime | None
    excluded: frozenset[str] = field(default_factory=frozenset)

    @classmethod
    def after_send(
        cls,
        kind: JobKind,
        snapshot_created: datetime | None,
        criteria: FilteringCriteria,
        *,
        sent_at: datetime,
        service_not_before: datetime | None,
        excluded: Iterable[str] = (),
    ) -> JobQuery:
        """A query for a request sent at `sent_at` (our clock); the service's clock wins."""
        not_before = service_not_before if service_not_before else sent_at - CLOCK_SKEW
        return cls(kind, snapshot_created, criteria, not_before, frozenset(excluded))


def criteria_key(criteria: FilteringCriteria) -> CriteriaKey:
    """The filtering criteria with order (and repetition) taken out, for comparison."""
    if criteria.entity_types is not None:
        return ("types", frozenset(criteria.entity_types))
    if criteria.objects is not None:
        merged: dict[str, set[str]] = {}
        for entity_type, ids in criteria.objects:
            merged.setdefault(entity_type, set()).update(ids)
        return ("objects", frozenset((t, frozenset(ids)) for t, ids in merged.items()))
    return ("everything", None)


def same_instant(left: datetime | None, right: datetime | None) -> bool:
    """Whether two instants are the same (offsets and fractions aside); unknown is not a no."""
    if left is None or right is None:
        return True
    return abs(left - right) < _SAME_INSTANT


def matching_jobs(jobs: Sequence[Job], query: JobQuery) -> list[Job]:
    """The jobs that may be the one `query` asked for (see the module docstring)."""
    wanted = criteria_key(query.criteria)
    found = []
    for job in jobs:
        if job.kind is not query.kind or job.id in query.excluded:
            continue
        if not same_instant(job.target_state, query.snapshot_created):
            continue
        if criteria_key(job.criteria) != wanted:
            continue
        if query.not_before and job.started and job.started < query.not_before:
            continue
        found.append(job)
    return found


def owned_job_ids(state_dir: Path, *, except_run: str) -> frozenset[str]:
    """Every job id (preview or recovery) that a journal other than `except_run`'s records.

    Damaged journals are skipped here (`run list` reports them); their jobs cannot be told.
    """
    owned: set[str] = set()
    for record in scan_runs(state_dir).records:
        if record.run_id == except_run:
            continue
        owned.update(j for j in (record.preview_job_id, record.recovery_job_id) if j)
    return frozenset(owned)

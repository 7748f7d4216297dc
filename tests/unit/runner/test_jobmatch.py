"""Which listed job answers a request whose answer was lost: one function, many ways to say no."""

from __future__ import annotations

from datetime import UTC
from datetime import datetime
from datetime import timedelta
from datetime import timezone
from pathlib import Path
from typing import Any

import pytest

from entra_recovery.graph.models import FilteringCriteria
from entra_recovery.graph.models import Job
from entra_recovery.graph.models import JobKind
from entra_recovery.runner.jobmatch import CLOCK_SKEW
from entra_recovery.runner.jobmatch import JobQuery
from entra_recovery.runner.jobmatch import criteria_key
from entra_recovery.runner.jobmatch import matching_jobs
from entra_recovery.runner.jobmatch import owned_job_ids
from entra_recovery.runner.journal import RunJournal

SNAPSHOT = datetime(2026, 11, 28, 2, 30, tzinfo=UTC)
SENT = datetime(2026, 11, 28, 9, 0, tzinfo=UTC)
RECOVERY = "#microsoft.graph.entraRecoveryServices.recoveryJob"
BY_IDS = {
    "@odata.type": "#microsoft.graph.entraRecoveryServices.recoveryJobEntityNameAndIdsFilter",
    "filterValues": [
        {"entityType": "user", "entityIds": ["u1", "u2"]},
        {"entityType": "group", "entityIds": ["g1"]},
    ],
}


def _job(**overrides: Any) -> Job:
    data: dict[str, Any] = {
        "@odata.type": RECOVERY,
        "id": "job-1",
        "status": "running",
        "targetStateDateTime": "2026-11-28T02:30:00Z",
        "jobStartDateTime": "2026-11-28T09:00:01Z",
        "filteringCriteria": BY_IDS,
    }
    data.update(overrides)
    return Job.from_json(data)


def _query(**overrides: Any) -> JobQuery:
    values: dict[str, Any] = {
        "kind": JobKind.RECOVERY,
        "snapshot_created": SNAPSHOT,
        "criteria": FilteringCriteria(objects=(("group", ("g1",)), ("user", ("u2", "u1")))),
        "not_before": SENT,
    }
    values.update(overrides)
    return JobQuery(**values)


@pytest.mark.parametrize(
    "overrides",
    [
        {},
        {"targetStateDateTime": "2026-11-28T04:30:00+02:00"},  # same instant, another offset
        {"targetStateDateTime": "2026-11-28T02:30:00.0000000Z"},  # seven-digit fraction
        {"targetStateDateTime": None},  # no target time: not excluded for that alone
        {"jobStartDateTime": None},  # no start time: likewise
        {"jobStartDateTime": "2026-11-28T09:00:00Z"},  # at the request: "at or after"
    ],
)
def test_the_job_we_asked_for_matches(overrides: dict[str, Any]) -> None:
    """Same kind, snapshot instant, criteria in any order, started at or after the request."""
    assert [j.id for j in matching_jobs([_job(**overrides)], _query())] == ["job-1"]


@pytest.mark.parametrize(
    ("overrides", "query"),
    [
        ({"@odata.type": "#microsoft.graph.entraRecoveryServices.recoveryPreviewJob"}, {}),
        ({"targetStateDateTime": "2026-11-27T02:30:00Z"}, {}),
        ({"jobStartDateTime": "2026-11-28T08:59:59Z"}, {}),
        ({"filteringCriteria": None}, {}),
        ({}, {"criteria": FilteringCriteria(objects=(("user", ("u1", "u2")),))}),
        ({}, {"excluded": frozenset({"job-1"})}),
    ],
)
def test_other_jobs_do_not(overrides: dict[str, Any], query: dict[str, Any]) -> None:
    """Another kind, snapshot, scope or an earlier start, or a job someone owns: no match."""
    assert matching_jobs([_job(**overrides)], _query(**query)) == []


def test_criteria_compare_as_sets() -> None:
    """Entity names as a set; by-id scopes as {type: set(ids)}; everything is its own key."""
    assert criteria_key(FilteringCriteria(entity_types=("user", "group"))) == criteria_key(
        FilteringCriteria(entity_types=("group", "user", "group"))
    )
    assert criteria_key(FilteringCriteria(objects=(("user", ("a", "b")),))) == criteria_key(
        FilteringCriteria(objects=(("user", ("b",)), ("user", ("a",))))
    )
    assert criteria_key(FilteringCriteria()) != criteria_key(FilteringCriteria(entity_types=()))


def test_without_the_service_clock_our_send_time_less_the_skew_is_the_bound() -> None:
    """A preview request has no service-clock reading: the local send time minus CLOCK_SKEW."""
    query = JobQuery.after_send(
        JobKind.RECOVERY,
        SNAPSHOT,
        FilteringCriteria(entity_types=("user",)),
        sent_at=SENT.astimezone(timezone(timedelta(hours=-5))),
        service_not_before=None,
    )
    assert query.not_before == SENT - CLOCK_SKEW
    service = JobQuery.after_send(
        JobKind.RECOVERY, SNAPSHOT, FilteringCriteria(), sent_at=SENT, service_not_before=SNAPSHOT
    )
    assert service.not_before == SNAPSHOT


def test_jobs_of_other_runs_are_owned(tmp_path: Path) -> None:
    """Every preview and recovery job id another journal records is owned; ours is not."""
    ours = RunJournal.create(
        tmp_path, command="apply", plan_path="p", plan_name="p", plan_sha256="0", tenant="t"
    )
    other = RunJournal.create(
        tmp_path, command="apply", plan_path="p", plan_name="p", plan_sha256="0", tenant="t"
    )
    ours.update(preview_job_id="mine", recovery_job_id="mine-too")
    other.update(preview_job_id="p-2", recovery_job_id="r-2")
    (tmp_path / "runs" / "20261128T090000Z-abcdef.json").write_text("null")  # skipped
    assert owned_job_ids(tmp_path, except_run=ours.record.run_id) == {"p-2", "r-2"}

"""Our own Graph records: parsing and the filtering-criteria wire form."""

from __future__ import annotations

from datetime import UTC
from datetime import datetime
from datetime import timedelta

import pytest

from entra_recovery.graph.models import FilteringCriteria
from entra_recovery.graph.models import Job
from entra_recovery.graph.models import JobKind
from entra_recovery.graph.models import JobStatus


@pytest.mark.parametrize(
    ("wire", "terminal", "succeeded", "failed"),
    [
        ("initialized", False, False, False),
        ("loadingData", False, False, False),
        ("calculating", False, False, False),
        ("running", False, False, False),
        ("successful", True, True, False),
        ("failed", True, False, True),
        ("abandoned", True, False, True),
        ("unknownFutureValue", False, False, False),
        ("somethingNew", False, False, False),
    ],
)
def test_job_status_properties(wire: str, terminal: bool, succeeded: bool, failed: bool) -> None:
    """Each wire status maps to the right terminal/succeeded/failed reading."""
    status = JobStatus.parse(wire)
    assert (status.is_terminal, status.is_succeeded, status.is_failed) == (
        terminal,
        succeeded,
        failed,
    )


def test_filtering_criteria_round_trip_by_ids() -> None:
    """By-id criteria serialise to the documented shape and read back equal."""
    criteria = FilteringCriteria.for_objects({"user": ["a", "b"], "group": ["c"]})
    wire = criteria.to_json()
    assert wire is not None
    assert wire["@odata.type"].endswith("recoveryJobEntityNameAndIdsFilter")
    assert wire["filterValues"][0]["entityIds"] == ["a", "b"]
    assert FilteringCriteria.from_json(wire) == criteria


def test_everything_sends_no_body() -> None:
    """The whole-tenant scope sends no body at all."""
    assert FilteringCriteria().request_body() is None


def test_job_kind_from_discriminator() -> None:
    """`@odata.type` decides the job kind; the endpoint's kind is only a fallback."""
    job = Job.from_json(
        {
            "@odata.type": "#microsoft.graph.entraRecoveryServices.recoveryJob",
            "id": "j",
            "status": "running",
        },
        kind=JobKind.PREVIEW,
    )
    assert job.kind is JobKind.RECOVERY
    assert job.status is JobStatus.RUNNING


NAMES = "#microsoft.graph.entraRecoveryServices.recoveryJobEntityNamesFilter"
IDS = "#microsoft.graph.entraRecoveryServices.recoveryJobEntityNameAndIdsFilter"
PAIR = "#microsoft.graph.entraRecoveryServices.entityTypeAndIds"

# filteringCriteria shapes Graph might send that are neither null nor a documented filter.
ODD_CRITERIA = [
    "user",
    ["user", "group"],
    42,
    True,
    {},
    {"@odata.type": "#microsoft.graph.entraRecoveryServices.recoveryJobSomethingNew"},
    {"@odata.type": "#microsoft.graph.entraRecoveryServices.recoveryJobFilteringCriteriaBase"},
    {"@odata.type": NAMES, "entityTypes": None},
    {"@odata.type": NAMES, "entityTypes": "user"},
    {"@odata.type": NAMES, "entityTypes": []},
    {"@odata.type": NAMES, "entityTypes": ["user", None]},
    {"@odata.type": NAMES, "entityTypes": [{"name": "user"}]},
    {"@odata.type": NAMES, "entityTypes": ["user"], "extra": 1},
    {"@odata.type": IDS, "entityTypes": ["user"]},
    {"@odata.type": IDS, "filterValues": None},
    {"@odata.type": IDS, "filterValues": "user:a"},
    {"@odata.type": IDS, "filterValues": [None]},
    {"@odata.type": IDS, "filterValues": ["user"]},
    {"@odata.type": IDS, "filterValues": [{"entityType": None, "entityIds": ["a"]}]},
    {"@odata.type": IDS, "filterValues": [{"entityType": "user", "entityIds": None}]},
    {"@odata.type": IDS, "filterValues": [{"entityType": "user", "entityIds": ["a", None]}]},
    {"@odata.type": IDS, "filterValues": [{"@odata.type": "#x", "entityType": "user"}]},
    {"entityTypes": ["user"], "filterValues": []},
    {"@odata.type": None, "entityTypes": ["user"], "filterValues": None},
]


@pytest.mark.parametrize("odd", ODD_CRITERIA, ids=lambda v: repr(v)[:40])
def test_odd_filtering_criteria_are_kept_raw_as_unknown(odd: object) -> None:
    """Any other shape reads without error as "unknown criteria": kept as sent, not
    everything, and equal to no plan's criteria."""
    job = Job.from_json({"id": "j", "status": "running", "filteringCriteria": odd})
    criteria = job.criteria
    assert criteria.is_unknown and not criteria.is_everything
    assert criteria.to_json() == odd
    assert "unknown criteria" in criteria.describe()
    plans = [
        FilteringCriteria(),
        FilteringCriteria.for_types(["user"]),
        FilteringCriteria.for_types(["user", "group"]),
        FilteringCriteria.for_objects({"user": ["a"]}),
    ]
    assert all(criteria != plan for plan in plans)
    assert hash(criteria) == hash(FilteringCriteria.from_json(odd))
    with pytest.raises(ValueError, match="unknown shape"):
        criteria.request_body()


@pytest.mark.parametrize(
    ("wire", "expected"),
    [
        (None, FilteringCriteria()),
        ({"@odata.type": NAMES, "entityTypes": ["user"]}, FilteringCriteria.for_types(["user"])),
        ({"entityTypes": ["user"]}, FilteringCriteria.for_types(["user"])),
        (
            {"@odata.type": IDS, "filterValues": [{"entityType": "user", "entityIds": ["a"]}]},
            FilteringCriteria.for_objects({"user": ["a"]}),
        ),
        (
            {
                "@odata.type": IDS,
                "filterValues": [{"@odata.type": PAIR, "entityType": "user", "entityIds": ["a"]}],
            },
            FilteringCriteria.for_objects({"user": ["a"]}),
        ),
        (
            {"@odata.type": NAMES, "entityTypes": ["unknownFutureValue"]},
            FilteringCriteria.for_types(["unknownFutureValue"]),
        ),
    ],
)
def test_documented_criteria_read_as_before(wire: object, expected: FilteringCriteria) -> None:
    """null is the whole tenant; the two documented filters read into their fields."""
    assert FilteringCriteria.from_json(wire) == expected
    assert not expected.is_unknown


def test_a_job_list_with_odd_criteria_reads_every_job() -> None:
    """One odd job in the tenant's list does not stop the others from being read."""
    jobs = [
        Job.from_json({"id": str(i), "filteringCriteria": odd})
        for i, odd in enumerate(ODD_CRITERIA)
    ]
    assert [job.id for job in jobs] == [str(i) for i in range(len(ODD_CRITERIA))]


@pytest.mark.parametrize(
    ("wire", "expected"),
    [
        ("2026-11-28T02:30:00", datetime(2026, 11, 28, 2, 30, tzinfo=UTC)),
        # Graph's seven fraction digits (100 ns ticks): read to the microsecond
        ("2026-11-28T02:30:00.1234567", datetime(2026, 11, 28, 2, 30, 0, 123456, tzinfo=UTC)),
        ("2026-11-28T02:30:00.123456", datetime(2026, 11, 28, 2, 30, 0, 123456, tzinfo=UTC)),
        ("2026-11-28T02:30:00Z", datetime(2026, 11, 28, 2, 30, tzinfo=UTC)),
        ("2026-11-28T03:30:00+01:00", datetime(2026, 11, 28, 2, 30, tzinfo=UTC)),
        ("yesterday", None),
        (1764297000, None),
        (None, None),
    ],
)
def test_job_times_without_a_zone_read_as_utc(wire: object, expected: datetime | None) -> None:
    """A time without a zone is UTC (as Graph's own); unreadable times are None, no crash."""
    job = Job.from_json(
        {"id": "j", "targetStateDateTime": wire, "jobStartDateTime": wire, "status": "running"}
    )
    assert job.target_state == expected and job.started == expected
    if isinstance(wire, str) and wire[-1].isdigit() and "+" not in wire:
        assert job.target_state is not None and job.target_state.utcoffset() == timedelta(0)


@pytest.mark.parametrize("status", ["pausedByService", "", None, 3, {"x": 1}])
def test_unknown_job_statuses_pass_through(status: object) -> None:
    """An unknown status is UNKNOWN (not terminal) and its text is kept as sent."""
    job = Job.from_json({"id": "j", "status": status})
    assert job.status is JobStatus.UNKNOWN and not job.status.is_terminal
    assert job.status_text == (str(status) if status else "")

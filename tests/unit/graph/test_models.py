"""Our own Graph records: parsing and the filtering-criteria wire form."""

from __future__ import annotations

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

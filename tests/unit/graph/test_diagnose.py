"""A second look at Graph after a 404 or a 409, so the message says what to do."""

from __future__ import annotations

from typing import Any

import pytest

from entra_recovery.errors import JobConflictError
from entra_recovery.errors import NotFoundError
from entra_recovery.errors import SnapshotNotFoundError
from entra_recovery.graph.models import FilteringCriteria
from entra_recovery.graph.models import JobKind
from entra_recovery.graph.resources import PREVIEW_JOBS
from entra_recovery.graph.resources import RECOVERY_JOBS
from entra_recovery.graph.resources import SNAPSHOTS

from .conftest import BASE
from .conftest import JSON
from .conftest import PREVIEW_TYPE
from .conftest import RECOVERY_TYPE
from .conftest import SID
from .conftest import run
from .conftest import with_client

NOT_FOUND = {"error": {"code": "NotFound", "message": "This isn't a valid timestamp for recovery."}}


def test_404_on_job_creation_lists_the_available_snapshots(server: Any) -> None:
    """Creating a job on a gone snapshot names the snapshots that exist."""
    server.json("GET", f"{BASE}/snapshots", {"value": [{"id": "AAA="}, {"id": "BBB="}]})
    server.reply("POST", f"{BASE}/snapshots/gone=/recoveryPreviewJobs", (404, JSON, NOT_FOUND))
    with pytest.raises(SnapshotNotFoundError) as info:
        run(
            with_client(
                server, lambda c: c.create_job(JobKind.PREVIEW, "gone=", FilteringCriteria())
            )
        )
    assert info.value.available == ("AAA=", "BBB=")
    assert info.value.status == 404 and info.value.code == "NotFound"
    assert "does not exist or has expired" in str(info.value)
    assert "AAA= (?), BBB= (?)" in (info.value.hint or "")


@pytest.mark.parametrize(
    ("call", "path"),
    [
        (lambda c: c.get(SNAPSHOTS, "gone="), f"{BASE}/snapshots/gone="),
        (lambda c: c.count(PREVIEW_JOBS, snapshot_id="gone="), "/recoveryPreviewJobs/$count"),
        (lambda c: c.get(RECOVERY_JOBS, "j", snapshot_id="gone="), "/recoveryJobs/j"),
    ],
)
def test_404_naming_a_gone_snapshot_is_explained(server: Any, call: Any, path: str) -> None:
    """get of a snapshot, and every call on a snapshot's jobs, list what exists."""
    server.json("GET", f"{BASE}/snapshots", {"value": [{"id": SID}]})
    with pytest.raises(SnapshotNotFoundError) as info:
        run(with_client(server, call))
    assert info.value.available == (SID,)


def test_404_job_of_an_existing_snapshot_stays_not_found(server: Any) -> None:
    """An unknown job under a listed snapshot is a plain NotFoundError."""
    server.json("GET", f"{BASE}/snapshots", {"value": [{"id": SID}]})
    with pytest.raises(NotFoundError) as info:
        run(with_client(server, lambda c: c.get(PREVIEW_JOBS, "nope", snapshot_id=SID)))
    assert not isinstance(info.value, SnapshotNotFoundError)


def test_409_names_the_running_job(server: Any) -> None:
    """A conflict lists the jobs and names the one that is not terminal."""
    jobs = [
        {"id": "old", "status": "successful", "@odata.type": RECOVERY_TYPE},
        {"id": "busy", "status": "calculating", "@odata.type": PREVIEW_TYPE},
    ]
    server.json("GET", f"{BASE}/jobs", {"value": jobs})
    conflict = {"error": {"code": "Conflict", "message": "A recovery job is in progress."}}
    server.reply("POST", f"{BASE}/snapshots/{SID}/recoveryJobs", (409, JSON, conflict))
    with pytest.raises(JobConflictError) as info:
        run(with_client(server, lambda c: c.create_job(JobKind.RECOVERY, SID, FilteringCriteria())))
    assert info.value.running_job_id == "busy"
    assert "preview job busy is calculating" in str(info.value)
    assert "entra-recovery job cancel busy" in (info.value.hint or "")

"""The parity functions: synchronous twins for scripts, scope parsing, camelCase output."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from entra_recovery.errors import UsageError
from entra_recovery.graph import parity
from entra_recovery.graph.client import GraphClient
from entra_recovery.graph.models import FilteringCriteria
from entra_recovery.graph.resources import PREVIEW_JOBS

BASE = "/v1.0/directory/recovery"
SID = "MjAyNi0xMS0yOFQwMjozMDowMFo="
JOB = "d3f8e7e8-7e87-4a7f-9d2c-c1c2d7e8e1f1"
JSON = {"Content-Type": "application/json"}
PREVIEW = "#microsoft.graph.entraRecoveryServices.recoveryPreviewJob"


def test_sync_list_snapshots_returns_graph_json(server: Any) -> None:
    """A plain script gets camelCase dicts exactly as Graph sent them; count=True counts the
    items listed (no $count is sent; an unasked @odata.count is not taken for it)."""
    item = {"@odata.type": "#x.snapshot", "id": SID, "createdDateTime": "2026-11-28T02:30:00Z"}
    server.json("GET", f"{BASE}/snapshots", {"value": [item], "@odata.count": 5})
    counts: list[int] = []
    assert parity.list_snapshots(server.settings(), count=True, on_count=counts.append) == [item]
    assert counts == [1]
    assert "$count" not in server.requests[0].query
    parity.list_snapshots(server.settings(), on_count=counts.append)
    assert counts == [1]
    assert parity.list_snapshots.__name__ == "list_snapshots"


def test_first_page_only_like_the_cmdlets_without_all(server: Any) -> None:
    """all=False stops after the first page."""
    server.json(
        "GET",
        f"{BASE}/jobs",
        {"value": [{"id": "a"}], "@odata.nextLink": f"{server.url}{BASE}/jobs?$skiptoken=2"},
    )
    assert parity.list_jobs(server.settings(), all=False) == [{"id": "a"}]
    assert len(server.requests) == 1


def test_create_preview_job_and_wait(server: Any) -> None:
    """Create returns the job read back; with wait, the final job after polling."""
    location = f"{server.url}{BASE}/snapshots/{SID}/recoveryPreviewJobs/{JOB}"
    server.reply(
        "POST", f"{BASE}/snapshots/{SID}/recoveryPreviewJobs", (202, {"Location": location}, None)
    )
    path = f"{BASE}/snapshots/{SID}/recoveryPreviewJobs/{JOB}"
    server.reply(
        "GET",
        path,
        (200, JSON, {"@odata.type": PREVIEW, "id": JOB, "status": "loadingData"}),
        (200, JSON, {"@odata.type": PREVIEW, "id": JOB, "status": "calculating"}),
        (200, JSON, {"@odata.type": PREVIEW, "id": JOB, "status": "successful"}),
    )
    polled: list[str] = []
    final = parity.create_preview_job(
        server.settings(),
        SID,
        FilteringCriteria.for_types(["user"]),
        wait=True,
        on_poll=lambda job, _: polled.append(job.status_text),
    )
    assert final["status"] == "successful"
    assert polled == ["loadingData", "calculating", "successful"]


def test_async_functions_accept_an_open_client(server: Any) -> None:
    """Several calls can share one GraphClient."""
    server.json("GET", f"{BASE}/snapshots", {"value": [{"id": SID}]})
    server.reply("GET", f"{BASE}/snapshots/$count", (200, {"Content-Type": "text/plain"}, "1"))

    async def go() -> Any:
        async with GraphClient(server.settings()) as client:
            return (
                await parity.list_snapshots_async(client),
                await parity.count_snapshots_async(client),
            )

    assert asyncio.run(go()) == ([{"id": SID}], 1)


def test_named_functions_and_the_table_driven_ones_agree(server: Any) -> None:
    """list_preview_jobs_async is list_items_async on PREVIEW_JOBS, and so on."""
    path = f"{BASE}/snapshots/{SID}/recoveryPreviewJobs"
    server.json("GET", path, {"value": [{"id": JOB}]})
    server.json("GET", f"{path}/{JOB}", {"id": JOB})
    server.reply("GET", f"{path}/$count", (200, {"Content-Type": "text/plain"}, "1"))
    settings = server.settings()

    async def go() -> Any:
        async with GraphClient(settings) as client:
            return [
                await parity.list_preview_jobs_async(client, SID),
                await parity.list_items_async(client, PREVIEW_JOBS, snapshot_id=SID),
                await parity.get_preview_job_async(client, SID, JOB),
                await parity.get_item_async(client, PREVIEW_JOBS, JOB, snapshot_id=SID),
                await parity.count_preview_jobs_async(client, SID),
                await parity.count_items_async(client, PREVIEW_JOBS, snapshot_id=SID),
            ]

    assert asyncio.run(go()) == [[{"id": JOB}]] * 2 + [{"id": JOB}] * 2 + [1, 1]


def test_cancel_job_returns_the_location(server: Any) -> None:
    """Stop-MgDirectoryRecoveryJob: the Location Graph sent comes back."""
    server.json("GET", f"{BASE}/jobs", {"value": [{"id": JOB, "@odata.type": PREVIEW}]})
    location = f"{server.url}{BASE}/jobs/{JOB}"
    cancel = f"{BASE}/jobs/{JOB}/microsoft.graph.entraRecoveryServices.cancel"
    server.reply("POST", cancel, (202, {"Location": location}, None))
    assert parity.cancel_job(server.settings(), JOB) == location


def test_sync_function_inside_a_running_loop_points_to_the_async_twin(server: Any) -> None:
    """Calling the synchronous form from asyncio names the coroutine to await instead."""

    async def go() -> None:
        parity.list_snapshots(server.settings())

    with pytest.raises(UsageError, match="await list_snapshots_async"):
        asyncio.run(go())

"""GraphClient against a scriptable loopback server, through the real msgraph-sdk pipeline."""

from __future__ import annotations

import asyncio
import json
import logging
import time
from typing import Any

import pytest

from entra_recovery.constants import PREFER_UNKNOWN_ENUMS
from entra_recovery.errors import ForeignHostError
from entra_recovery.errors import GraphAuthError
from entra_recovery.errors import GraphError
from entra_recovery.errors import JobConflictError
from entra_recovery.errors import NotFoundError
from entra_recovery.errors import PermissionDeniedError
from entra_recovery.errors import SnapshotNotFoundError
from entra_recovery.errors import ThrottledError
from entra_recovery.graph.client import GraphClient
from entra_recovery.graph.models import FilteringCriteria
from entra_recovery.graph.models import JobKind
from entra_recovery.graph.models import JobStatus
from entra_recovery.graph.paging import ListQuery
from entra_recovery.graph.transport import RetryPolicy

BASE = "/v1.0/directory/recovery"
SID = "MjAyNi0xMS0yOFQwMjozMDowMFo="
JOB = "d3f8e7e8-7e87-4a7f-9d2c-c1c2d7e8e1f1"
JSON = {"Content-Type": "application/json"}


def run(coro: Any) -> Any:
    return asyncio.run(coro)


async def _collect(server: Any, factory: Any, **settings: Any) -> Any:
    async with GraphClient(server.settings(**settings), retry=RetryPolicy(delay=0)) as client:
        return await factory(client)


def paged(server: Any, path: str, pages: list[list[dict[str, Any]]]) -> None:
    """Serve `pages` at path, chained by absolute nextLinks with a skiptoken."""

    def handler(request: Any) -> Any:
        token = int(request.query.get("$skiptoken", ["0"])[0])
        body: dict[str, Any] = {"value": pages[token]}
        if token + 1 < len(pages):
            body["@odata.nextLink"] = f"{server.url}{path}?$skiptoken={token + 1}"
        return 200, JSON, body

    server.handle("GET", path, handler)


def test_list_snapshots_follows_three_pages_with_prefer_on_every_request(server: Any) -> None:
    """All pages are read, in order, and every request carries Prefer and the bearer token."""
    pages = [
        [{"id": f"s{p}{i}", "createdDateTime": "2026-11-28T02:30:00Z"} for i in range(2)]
        for p in range(3)
    ]
    paged(server, f"{BASE}/snapshots", pages)
    snapshots = run(_collect(server, lambda c: c.list_snapshots()))
    assert [s.id for s in snapshots] == ["s00", "s01", "s10", "s11", "s20", "s21"]
    assert len(server.requests) == 3
    for request in server.requests:
        assert request.headers["prefer"] == PREFER_UNKNOWN_ENUMS
        assert request.headers["authorization"].startswith("Bearer eyJ")


def test_list_query_parameters_reach_graph(server: Any) -> None:
    """--filter/--select/--orderby/--top map to $filter/$select/$orderby/$top."""
    server.json("GET", f"{BASE}/jobs", {"value": [{"id": "a"}, {"id": "b"}], "@odata.count": 2})
    query = ListQuery(
        filter="status eq 'running'",
        select=("id", "status"),
        orderby=("jobStartDateTime desc",),
        top=1,
        count=True,
    )

    async def go(client: GraphClient) -> Any:
        stream = client.iter_jobs_raw(query)
        items = await stream.collect()
        return items, stream.count

    items, count = run(_collect(server, go))
    assert items == [{"id": "a"}] and count == 2
    q = server.requests[0].query
    assert q["$filter"] == ["status eq 'running'"]
    assert q["$select"] == ["id,status"]
    assert q["$orderby"] == ["jobStartDateTime desc"]
    assert q["$top"] == ["1"] and q["$count"] == ["true"]


def test_foreign_next_link_is_refused_before_any_request(make_server: Any) -> None:
    """A nextLink to another port is refused and the other server receives nothing."""
    graph, foreign = make_server(), make_server()
    graph.json(
        "GET",
        f"{BASE}/snapshots",
        {"value": [{"id": "a"}], "@odata.nextLink": f"{foreign.url}{BASE}/snapshots?$skiptoken=x"},
    )
    foreign.json("GET", f"{BASE}/snapshots", {"value": [{"id": "stolen"}]})
    with pytest.raises(ForeignHostError) as info:
        run(_collect(graph, lambda c: c.list_snapshots()))
    assert foreign.requests == []
    assert "refusing to follow @odata.nextLink" in str(info.value)


def test_changes_stream_raw_json_with_top_999(server: Any) -> None:
    """getChanges goes by raw URL with $top=999 and keeps @removed / *@delta as sent."""
    change = {
        "entityTypeName": "group",
        "id": "g",
        "recoveryAction": "update",
        "deltaFromCurrent": {"members@delta": [{"id": "u", "@removed": {"reason": "changed"}}]},
    }
    path = (
        f"{BASE}/snapshots/{SID}/recoveryPreviewJobs/{JOB}"
        "/microsoft.graph.entraRecoveryServices.getChanges"
    )
    paged(server, path, [[change], [dict(change, id="h")]])

    async def go(client: GraphClient) -> Any:
        return [page async for page in client.iter_change_pages(SID, JOB)]

    pages = run(_collect(server, go))
    assert pages == [[change], [dict(change, id="h")]]
    assert server.requests[0].query["$top"] == ["999"]


def _one_change_page(server: Any, body: str) -> Any:
    """getChanges answers with `body` (one page); the page as the client yields it."""
    path = (
        f"{BASE}/snapshots/{SID}/recoveryPreviewJobs/{JOB}"
        "/microsoft.graph.entraRecoveryServices.getChanges"
    )
    server.reply("GET", path, (200, {"Content-Type": "application/json"}, body))

    async def go(client: GraphClient) -> Any:
        return [page async for page in client.iter_change_pages(SID, JOB)]

    [page] = run(_collect(server, go))
    return page


@pytest.mark.parametrize(
    ("body", "has_floats"),
    [
        ('{"value": [{"id": "a", "deltaFromCurrent": {"n": 10, "s": "1.5e-05"}}]}', False),
        ('{"value": [{"id": "a", "deltaFromCurrent": {"n": 1.0}}]}', True),
        ('{"value": [{"id": "a", "deltaFromCurrent": {"n": [3, 2E3]}}]}', True),
    ],
)
def test_change_pages_say_whether_they_hold_floats(
    server: Any, body: str, has_floats: bool
) -> None:
    """Pages carry has_floats from parsing, so the fingerprint may take its msgspec path."""
    page = _one_change_page(server, body)
    assert page.has_floats is has_floats
    assert page == json.loads(body)["value"]


@pytest.mark.parametrize("constant", ["NaN", "Infinity", "-Infinity"])
def test_non_json_numbers_are_refused(server: Any, constant: str) -> None:
    server.reply(
        "GET",
        f"{BASE}/snapshots",
        (200, {"Content-Type": "application/json"}, f'{{"value": [{{"id": {constant}}}]}}'),
    )
    with pytest.raises(GraphError, match="not JSON"):
        run(_collect(server, lambda c: c.list_snapshots()))


def test_create_preview_job_posts_scope_and_reads_location(server: Any) -> None:
    """The job id comes from the Location header; the body is the filtering criteria."""
    location = f"{server.url}{BASE}/snapshots/{SID}/recoveryPreviewJobs/{JOB}"
    server.reply(
        "POST", f"{BASE}/snapshots/{SID}/recoveryPreviewJobs", (202, {"Location": location}, None)
    )
    criteria = FilteringCriteria.for_types(["user"])
    job_id = run(_collect(server, lambda c: c.start_preview_job(SID, criteria)))
    assert job_id == JOB
    request = server.requests[0]
    assert json.loads(request.body) == criteria.request_body()
    assert request.headers["content-type"] == "application/json"
    assert request.headers["prefer"] == PREFER_UNKNOWN_ENUMS


@pytest.mark.parametrize(
    "location",
    [
        None,
        "http://127.0.0.1:1/v1.0/directory/recovery/snapshots/x/recoveryPreviewJobs/abc",
        "{url}/v1.0/elsewhere/abc",
        "{url}/v1.0/directory/recovery/snapshots/x/recoveryPreviewJobs/a%20b",
    ],
)
def test_bad_location_is_refused(server: Any, location: str | None) -> None:
    """A missing, foreign or malformed Location never yields a job id."""
    headers = {} if location is None else {"Location": location.format(url=server.url)}
    server.reply("POST", f"{BASE}/snapshots/{SID}/recoveryPreviewJobs", (202, headers, None))
    with pytest.raises(GraphError):
        run(_collect(server, lambda c: c.start_preview_job(SID, FilteringCriteria())))


def test_429_is_retried_per_retry_after(server: Any) -> None:
    """The SDK's RetryHandler waits Retry-After seconds and the second answer wins."""
    server.reply(
        "GET",
        f"{BASE}/jobs/{JOB}",
        (
            429,
            {"Retry-After": "1", **JSON},
            {"error": {"code": "TooManyRequests", "message": "slow down"}},
        ),
        (
            200,
            JSON,
            {
                "id": JOB,
                "status": "calculating",
                "@odata.type": "#microsoft.graph.entraRecoveryServices.recoveryPreviewJob",
            },
        ),
    )
    started = time.monotonic()
    job = run(_collect(server, lambda c: c.get_job(JOB)))
    assert time.monotonic() - started >= 0.9
    assert job.status is JobStatus.CALCULATING and job.kind is JobKind.PREVIEW
    assert len(server.requests) == 2


def test_throttling_beyond_budget_raises_throttled_error(server: Any) -> None:
    """Retries are bounded; the error carries the Retry-After Graph sent."""
    server.reply("GET", f"{BASE}/jobs/{JOB}", (503, {"Retry-After": "1000"}, ""))
    with pytest.raises(ThrottledError) as info:
        run(_collect(server, lambda c: c.get_job(JOB)))
    assert info.value.retry_after == 1000.0 and info.value.status == 503


def test_error_envelope_is_parsed(server: Any) -> None:
    """Status, code, message and request-id come from the Graph error envelope."""
    body = {
        "error": {
            "code": "Authorization_RequestDenied",
            "message": "Authorization has been denied for this request.",
            "innerError": {"request-id": "rid-1", "client-request-id": "cid-1"},
        }
    }
    server.reply("GET", f"{BASE}/snapshots", (403, JSON, body))
    with pytest.raises(PermissionDeniedError) as info:
        run(_collect(server, lambda c: c.list_snapshots()))
    exc = info.value
    assert (exc.status, exc.code, exc.request_id, exc.client_request_id) == (
        403,
        "Authorization_RequestDenied",
        "rid-1",
        "cid-1",
    )
    assert exc.method == "GET" and exc.url == f"{server.url}{BASE}/snapshots"
    assert str(exc) == (
        "listing snapshots failed (HTTP 403, Authorization_RequestDenied): "
        "Authorization has been denied for this request. [request-id rid-1]"
    )
    assert "EntraBackup.Read.All" in (exc.hint or "") and "Microsoft Entra Backup Reader" in (
        exc.hint or ""
    )


def test_401_is_an_auth_error_and_token_never_in_message(server: Any) -> None:
    """A server echoing the token gets it redacted."""
    server.reply(
        "GET",
        f"{BASE}/snapshots",
        (
            401,
            JSON,
            {
                "error": {
                    "code": "InvalidAuthenticationToken",
                    "message": "bad token Bearer eyJabc.def.ghi",
                }
            },
        ),
    )
    with pytest.raises(GraphAuthError) as info:
        run(_collect(server, lambda c: c.list_snapshots()))
    assert "eyJ" not in str(info.value) and "[redacted]" in str(info.value)


def test_404_snapshot_lists_available_ones(server: Any) -> None:
    """Creating a job on a gone snapshot names the snapshots that exist."""
    server.json("GET", f"{BASE}/snapshots", {"value": [{"id": "AAA="}, {"id": "BBB="}]})
    server.reply(
        "POST",
        f"{BASE}/snapshots/gone=/recoveryPreviewJobs",
        (
            404,
            JSON,
            {
                "error": {
                    "code": "NotFound",
                    "message": "This isn't a valid timestamp for recovery.",
                }
            },
        ),
    )
    with pytest.raises(SnapshotNotFoundError) as info:
        run(_collect(server, lambda c: c.start_preview_job("gone=", FilteringCriteria())))
    assert info.value.available == ("AAA=", "BBB=")
    assert "does not exist or has expired" in str(info.value)
    assert "AAA= (?), BBB= (?)" in (info.value.hint or "")


def test_404_job_of_existing_snapshot_stays_not_found(server: Any) -> None:
    """An unknown job under a listed snapshot is a plain NotFoundError."""
    server.json("GET", f"{BASE}/snapshots", {"value": [{"id": SID}]})
    with pytest.raises(NotFoundError) as info:
        run(_collect(server, lambda c: c.get_preview_job(SID, "nope")))
    assert not isinstance(info.value, SnapshotNotFoundError)


def test_409_names_the_running_job(server: Any) -> None:
    """A conflict lists the jobs and names the one that is not terminal."""
    server.json(
        "GET",
        f"{BASE}/jobs",
        {
            "value": [
                {
                    "id": "old",
                    "status": "successful",
                    "@odata.type": "#microsoft.graph.entraRecoveryServices.recoveryJob",
                },
                {
                    "id": "busy",
                    "status": "calculating",
                    "@odata.type": "#microsoft.graph.entraRecoveryServices.recoveryPreviewJob",
                },
            ]
        },
    )
    server.reply(
        "POST",
        f"{BASE}/snapshots/{SID}/recoveryJobs",
        (
            409,
            JSON,
            {"error": {"code": "Conflict", "message": "A recovery job is currently in progress."}},
        ),
    )
    with pytest.raises(JobConflictError) as info:
        run(_collect(server, lambda c: c.start_recovery_job(SID, FilteringCriteria())))
    assert info.value.running_job_id == "busy"
    assert "preview job busy is calculating" in str(info.value)


def test_cancel_reads_the_job_then_posts_cancel(server: Any) -> None:
    """Cancel returns the Location of the tenant-level job."""
    server.json(
        "GET",
        f"{BASE}/jobs/{JOB}",
        {
            "id": JOB,
            "status": "running",
            "@odata.type": "#microsoft.graph.entraRecoveryServices.recoveryJob",
        },
    )
    location = f"{server.url}{BASE}/jobs/{JOB}"
    server.reply(
        "POST",
        f"{BASE}/jobs/{JOB}/microsoft.graph.entraRecoveryServices.cancel",
        (202, {"Location": location}, None),
    )
    assert run(_collect(server, lambda c: c.request_cancel(JOB))) == location
    assert [r.method for r in server.requests] == ["GET", "POST"]


def test_count_reads_a_plain_integer(server: Any) -> None:
    """$count answers text/plain."""
    server.reply("GET", f"{BASE}/snapshots/$count", (200, {"Content-Type": "text/plain"}, "7"))
    assert run(_collect(server, lambda c: c.count_snapshots())) == 7


def test_beta_uses_the_beta_base_url(server: Any) -> None:
    """api_version=beta changes the path prefix only."""
    server.json("GET", "/beta/directory/recovery/snapshots", {"value": [{"id": "b"}]})
    snapshots = run(_collect(server, lambda c: c.list_snapshots(), api_version="beta"))
    assert [s.id for s in snapshots] == ["b"]


def test_unreachable_graph_is_one_clear_error() -> None:
    """No server on the port: a GraphError naming the URL, not a traceback."""
    from entra_recovery.graph.settings import GraphSettings

    settings = GraphSettings(graph_url="http://127.0.0.1:9", access_token="t", auth_method="token")

    async def go() -> Any:
        async with GraphClient(settings) as client:
            return await client.list_snapshots()

    with pytest.raises(GraphError) as info:
        run(go())
    assert "could not reach Graph at http://127.0.0.1:9" in str(info.value)


def test_token_never_reaches_logs(server: Any, caplog: pytest.LogCaptureFixture) -> None:
    """Even at DEBUG level, nothing the SDK or httpx logs contains the token."""
    server.reply("GET", f"{BASE}/snapshots", (500, JSON, {"error": {"code": "x", "message": "y"}}))
    token = server.settings().access_token
    with caplog.at_level(logging.DEBUG), pytest.raises(GraphError) as info:
        run(_collect(server, lambda c: c.list_snapshots()))
    assert server.requests[0].headers["authorization"] == f"Bearer {token}"
    assert caplog.records, "expected the HTTP stack to log at DEBUG level"
    assert all(token not in record.getMessage() for record in caplog.records)
    assert token not in str(info.value) and token not in repr(info.value.__dict__)


@pytest.mark.parametrize("credential_class", [None, "async"])
def test_identity_reads_claims_without_a_request(server: Any, credential_class: Any) -> None:
    """identity() decodes the token's claims (sync or async credential); Graph is not called."""
    from entra_recovery.graph.auth import AsyncStaticTokenCredential

    settings = server.settings()
    credential = AsyncStaticTokenCredential(settings.access_token) if credential_class else None

    async def go() -> Any:
        async with GraphClient(settings, credential=credential) as client:
            return await client.identity()

    identity = run(go())
    assert (identity.tenant_id, identity.user) == ("t-1", "a@b.c")
    assert identity.scopes == ("EntraBackup.Read.All",)
    assert server.requests == []


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (
            '{"value": [{"n": 18446744073709551616, "m": -9223372036854775809}]}',
            [{"n": 2**64, "m": -(2**63) - 1}],
        ),
        ('{"value": [{"s": "\\ud800 lone"}]}', [{"s": "\ud800 lone"}]),
    ],
)
def test_big_integers_and_lone_surrogates_parse_exactly(
    server: Any, body: str, expected: list[dict[str, Any]]
) -> None:
    """Values are exactly what json.loads gives (msgspec where it can, json where it cannot)."""
    page = _one_change_page(server, body)
    assert page == expected == json.loads(body)["value"]
    assert page.has_floats is False

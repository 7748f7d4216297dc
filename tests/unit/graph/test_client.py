"""GraphClient, the JSON face: each operation once, against a loopback server through the SDK."""

from __future__ import annotations

import json
import logging
from typing import Any

import pytest

from entra_recovery.constants import PREFER_UNKNOWN_ENUMS
from entra_recovery.errors import GraphAuthError
from entra_recovery.errors import GraphError
from entra_recovery.errors import NotFoundError
from entra_recovery.errors import PermissionDeniedError
from entra_recovery.errors import UsageError
from entra_recovery.graph.client import GraphClient
from entra_recovery.graph.models import FilteringCriteria
from entra_recovery.graph.models import JobKind
from entra_recovery.graph.paging import ListQuery
from entra_recovery.graph.resources import JOBS
from entra_recovery.graph.resources import PREVIEW_JOBS
from entra_recovery.graph.resources import RECOVERY_JOBS
from entra_recovery.graph.resources import RESOURCES
from entra_recovery.graph.resources import SNAPSHOTS
from entra_recovery.graph.resources import Resource

from .conftest import BASE
from .conftest import JOB
from .conftest import JSON
from .conftest import PREVIEW_TYPE
from .conftest import RECOVERY_TYPE
from .conftest import SID
from .conftest import run
from .conftest import with_client

# Where each resource lives on the wire (the table reaches it through the SDK's builders).
PATHS = {
    "snapshots": f"{BASE}/snapshots",
    "jobs": f"{BASE}/jobs",
    "preview_jobs": f"{BASE}/snapshots/{SID}/recoveryPreviewJobs",
    "recovery_jobs": f"{BASE}/snapshots/{SID}/recoveryJobs",
}


def _scope(resource: Resource[Any]) -> dict[str, Any]:
    return {"snapshot_id": SID} if resource.snapshot_scoped else {}


@pytest.mark.parametrize("resource", RESOURCES, ids=lambda r: r.name)
def test_list_get_and_count_reach_each_resource_as_graph_json(
    server: Any, resource: Resource[Any]
) -> None:
    """One implementation serves all four collections; items come back exactly as sent."""
    path = PATHS[resource.name]
    item = {"id": "x1", "someNewProperty": {"nested": [1, 2]}, "@odata.type": "#x"}
    server.json("GET", path, {"value": [item]})
    server.json("GET", f"{path}/x1", item)
    server.reply("GET", f"{path}/$count", (200, {"Content-Type": "text/plain"}, "\ufeff3"))

    filter = "id eq 'x1'" if resource.filterable else None

    async def go(client: GraphClient) -> Any:
        listed = await client.listing(resource, **_scope(resource)).collect()
        got = await client.get(resource, "x1", select=["id"], **_scope(resource))
        counted = await client.count(resource, filter=filter, **_scope(resource))
        return listed, got, counted

    assert run(with_client(server, go)) == ([item], item, 3)
    listing, get, count = server.requests
    assert (listing.path, get.path, count.path) == (path, f"{path}/x1", f"{path}/$count")
    assert get.query["$select"] == ["id"]
    assert count.query.get("$filter") == ([filter] if filter else None)
    assert {r.headers["prefer"] for r in server.requests} == {PREFER_UNKNOWN_ENUMS}
    # The reference: nothing but Authorization, Prefer and Content-Type is needed.
    assert not [r for r in server.requests if "consistencylevel" in r.headers]


@pytest.mark.parametrize("resource", [PREVIEW_JOBS, RECOVERY_JOBS], ids=lambda r: r.name)
def test_snapshot_scoped_resources_need_a_snapshot_id(server: Any, resource: Any) -> None:
    """Asking for a snapshot's jobs without naming the snapshot is a programming error."""
    with pytest.raises(ValueError, match="belong to a snapshot"):
        run(with_client(server, lambda c: c.count(resource)))
    assert server.requests == []


def test_list_query_parameters_reach_graph(server: Any) -> None:
    """--filter/--select/--orderby/--top map to $filter/$select/$orderby/$top; count is
    counted here (the items listed), never asked of Graph as $count."""
    server.json("GET", f"{BASE}/jobs", {"value": [{"id": "a"}, {"id": "b"}], "@odata.count": 7})
    query = ListQuery(
        filter="status eq 'running'",
        select=("id", "status"),
        orderby=("jobStartDateTime desc",),
        top=1,
        count=True,
    )

    async def go(client: GraphClient) -> Any:
        listing = client.listing(JOBS, query)
        return await listing.collect(), listing.count

    items, count = run(with_client(server, go))
    assert items == [{"id": "a"}] and count == 1
    q = server.requests[0].query
    assert q["$filter"] == ["status eq 'running'"]
    assert q["$select"] == ["id,status"]
    assert q["$orderby"] == ["jobStartDateTime desc"]
    assert q["$top"] == ["1"] and "$count" not in q


@pytest.mark.parametrize(
    "call",
    [
        lambda c: c.listing(SNAPSHOTS, ListQuery(filter="id eq 'x'")),
        lambda c: c.count(SNAPSHOTS, filter="id eq 'x'"),
        lambda c: c.changes(SID, JOB, ListQuery(filter="entityTypeName eq 'user'")),
        lambda c: c.failed_changes(SID, JOB, ListQuery(filter="id eq 'x'")),
        lambda c: c.changes(SID, JOB, ListQuery(orderby=("id",))),
    ],
    ids=["list-snapshots", "count-snapshots", "changes", "failed-changes", "changes-orderby"],
)
def test_undocumented_options_are_refused_before_sending(server: Any, call: Any) -> None:
    """$filter on snapshots and $filter/$orderby on the change functions are UNCONFIRMED:
    a usage error that says so, and nothing reaches Graph."""

    async def go(client: GraphClient) -> Any:
        result = call(client)
        return await result if not hasattr(result, "collect") else await result.collect()

    with pytest.raises(UsageError) as info:
        run(with_client(server, go))
    assert "UNCONFIRMED" in str(info.value) and "is not sent" in str(info.value)
    assert info.value.hint
    assert server.requests == []


def test_count_that_is_not_a_number_is_a_graph_error(server: Any) -> None:
    """$count answering something else says what it got."""
    server.reply("GET", f"{BASE}/snapshots/$count", (200, {"Content-Type": "text/plain"}, "many"))
    with pytest.raises(GraphError, match="counting snapshots failed: Graph sent 'many'"):
        run(with_client(server, lambda c: c.count(SNAPSHOTS)))


@pytest.mark.parametrize(
    ("kind", "collection"),
    [(JobKind.PREVIEW, "recoveryPreviewJobs"), (JobKind.RECOVERY, "recoveryJobs")],
)
def test_create_job_posts_the_scope_and_reads_location(
    server: Any, kind: JobKind, collection: str
) -> None:
    """The job id comes from the Location header; the body is the filtering criteria."""
    path = f"{BASE}/snapshots/{SID}/{collection}"
    server.reply("POST", path, (202, {"Location": f"{server.url}{path}/{JOB}"}, None))
    criteria = FilteringCriteria.for_types(["user"])
    job_id = run(with_client(server, lambda c: c.create_job(kind, SID, criteria)))
    assert job_id == JOB
    request = server.requests[0]
    assert json.loads(request.body) == criteria.request_body()
    assert request.headers["content-type"] == "application/json"
    assert request.headers["prefer"] == PREFER_UNKNOWN_ENUMS


def test_a_job_of_unknown_kind_cannot_be_created(server: Any) -> None:
    """Only preview and recovery jobs exist to be created."""
    with pytest.raises(ValueError, match="unknown"):
        run(with_client(server, lambda c: c.create_job(JobKind.UNKNOWN, SID, FilteringCriteria())))


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
        run(with_client(server, lambda c: c.create_job(JobKind.PREVIEW, SID, FilteringCriteria())))


def test_cancel_finds_the_kind_in_the_list_then_posts_cancel_with_its_scope(
    server: Any,
) -> None:
    """No GET of the job itself (undocumented): the documented list, filtered by id, gives the
    kind; cancel returns the Location of the tenant-level job; a 403 names the recovery scope."""
    other = {"id": "other", "@odata.type": PREVIEW_TYPE}
    server.json(
        "GET", f"{BASE}/jobs", {"value": [other, {"id": JOB, "@odata.type": RECOVERY_TYPE}]}
    )
    location = f"{server.url}{BASE}/jobs/{JOB}"
    cancel = f"{BASE}/jobs/{JOB}/microsoft.graph.entraRecoveryServices.cancel"
    server.reply("POST", cancel, (202, {"Location": location}, None))
    assert run(with_client(server, lambda c: c.cancel_job(JOB))) == location
    assert [(r.method, r.path) for r in server.requests] == [
        ("GET", f"{BASE}/jobs"),
        ("POST", cancel),
    ]
    assert server.requests[0].query["$filter"] == [f"id eq '{JOB}'"]
    server.reply("POST", cancel, (403, JSON, {"error": {"code": "Forbidden", "message": "no"}}))
    with pytest.raises(PermissionDeniedError) as info:
        run(with_client(server, lambda c: c.cancel_job(JOB)))
    assert "cancelling recovery job" in str(info.value)
    assert "EntraBackup.ReadWrite.Recovery" in (info.value.hint or "")
    assert not [r for r in server.requests if r.path == f"{BASE}/jobs/{JOB}"]


def test_cancel_of_a_job_that_is_not_listed_is_not_found_and_sends_no_cancel(
    server: Any,
) -> None:
    """An id the job list does not have: a clear "no such job", and no POST."""
    server.json("GET", f"{BASE}/jobs", {"value": []})
    with pytest.raises(NotFoundError) as info:
        run(with_client(server, lambda c: c.cancel_job("it's-gone")))
    assert "no such job" in str(info.value) and "job list" in (info.value.hint or "")
    assert [r.method for r in server.requests] == ["GET"]
    assert server.requests[0].query["$filter"] == ["id eq 'it''s-gone'"]


@pytest.mark.parametrize("kind", [JobKind.PREVIEW, JobKind.RECOVERY])
def test_cancel_with_a_known_kind_posts_only(server: Any, kind: JobKind) -> None:
    """The caller's kind picks the scope; nothing is read first."""
    cancel = f"{BASE}/jobs/{JOB}/microsoft.graph.entraRecoveryServices.cancel"
    server.reply("POST", cancel, (403, JSON, {"error": {"code": "Forbidden", "message": "no"}}))
    with pytest.raises(PermissionDeniedError) as info:
        run(with_client(server, lambda c: c.cancel_job(JOB, kind=kind)))
    assert f"cancelling {kind.value} job" in str(info.value)
    assert [r.method for r in server.requests] == ["POST"]


def test_changes_and_failed_changes_keep_raw_json_with_top_999(server: Any) -> None:
    """getChanges/getFailedChanges go by raw URL, $top=999, @removed and *@delta as sent."""
    change = {
        "entityTypeName": "group",
        "id": "g",
        "recoveryAction": "update",
        "deltaFromCurrent": {"members@delta": [{"id": "u", "@removed": {"reason": "changed"}}]},
    }
    preview = f"{BASE}/snapshots/{SID}/recoveryPreviewJobs/{JOB}"
    recovery = f"{BASE}/snapshots/{SID}/recoveryJobs/{JOB}"
    server.json(
        "GET", f"{preview}/microsoft.graph.entraRecoveryServices.getChanges", {"value": [change]}
    )
    server.json(
        "GET",
        f"{recovery}/microsoft.graph.entraRecoveryServices.getFailedChanges",
        {"value": [dict(change, failureMessage="locked")]},
    )

    async def go(client: GraphClient) -> Any:
        changes = await client.changes(SID, JOB).collect()
        failed = await client.failed_changes(SID, JOB, ListQuery(page_size=10)).collect()
        return changes, failed

    changes, failed = run(with_client(server, go))
    assert changes == [change] and failed == [dict(change, failureMessage="locked")]
    assert [r.query["$top"] for r in server.requests] == [["999"], ["10"]]


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
        run(with_client(server, lambda c: c.listing(SNAPSHOTS).collect()))
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
    assert "EntraBackup.Read.All" in (exc.hint or "")
    assert "Microsoft Entra Backup Reader" in (exc.hint or "")


def test_401_is_an_auth_error_and_token_never_in_message(server: Any) -> None:
    """A server echoing the token gets it redacted."""
    message = "bad token Bearer eyJabc.def.ghi"
    error = {"error": {"code": "InvalidAuthenticationToken", "message": message}}
    server.reply("GET", f"{BASE}/snapshots", (401, JSON, error))
    with pytest.raises(GraphAuthError) as info:
        run(with_client(server, lambda c: c.listing(SNAPSHOTS).collect()))
    assert "eyJ" not in str(info.value) and "[redacted]" in str(info.value)


def test_beta_uses_the_beta_base_url(server: Any) -> None:
    """api_version=beta changes the path prefix only."""
    server.json("GET", "/beta/directory/recovery/snapshots", {"value": [{"id": "b"}]})
    items = run(with_client(server, lambda c: c.listing(SNAPSHOTS).collect(), api_version="beta"))
    assert items == [{"id": "b"}]


def test_token_never_reaches_logs(server: Any, caplog: pytest.LogCaptureFixture) -> None:
    """Even at DEBUG level, nothing the SDK or httpx logs contains the token."""
    server.reply("GET", f"{BASE}/snapshots", (500, JSON, {"error": {"code": "x", "message": "y"}}))
    token = server.settings().access_token
    with caplog.at_level(logging.DEBUG), pytest.raises(GraphError) as info:
        run(with_client(server, lambda c: c.listing(SNAPSHOTS).collect()))
    assert server.requests[0].headers["authorization"] == f"Bearer {token}"
    assert caplog.records, "expected the HTTP stack to log at DEBUG level"
    assert all(token not in record.getMessage() for record in caplog.records)
    assert token not in str(info.value) and token not in repr(info.value.__dict__)


def test_an_opaque_token_echoed_by_the_server_is_redacted_verbatim(server: Any) -> None:
    """A token of no recognisable shape (not a JWT, no `Bearer` before it) that the server
    quotes back is still removed: the client knows the exact value it sent."""
    opaque = "Zq81opaqueTOKENvalue7731xyz"
    error = {"error": {"code": "InvalidAuthenticationToken", "message": f"rejected {opaque}"}}
    server.reply("GET", f"{BASE}/snapshots", (401, JSON, error))
    with pytest.raises(GraphAuthError) as info:
        run(with_client(server, lambda c: c.listing(SNAPSHOTS).collect(), access_token=opaque))
    assert opaque not in str(info.value)
    assert "rejected [redacted]" in str(info.value)

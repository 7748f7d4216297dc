"""GraphApiAdapter, the runner's GraphApi: our records over GraphClient, real HTTP, real SDK."""

from __future__ import annotations

import json
import time
from typing import Any

import pytest

from entra_recovery.constants import PREFER_UNKNOWN_ENUMS
from entra_recovery.errors import GraphError
from entra_recovery.errors import ThrottledError
from entra_recovery.graph.adapter import GraphApiAdapter
from entra_recovery.graph.api import GraphApi
from entra_recovery.graph.auth import AsyncStaticTokenCredential
from entra_recovery.graph.client import GraphClient
from entra_recovery.graph.models import FilteringCriteria
from entra_recovery.graph.models import JobKind
from entra_recovery.graph.models import JobStatus
from entra_recovery.graph.settings import GraphSettings

from .conftest import BASE
from .conftest import CHANGES_PATH
from .conftest import JOB
from .conftest import JSON
from .conftest import PREVIEW_TYPE
from .conftest import SID
from .conftest import paged
from .conftest import run
from .conftest import with_api


def test_the_adapter_is_a_graph_api() -> None:
    """What open_client yields satisfies the runner's protocol (checked by mypy too)."""
    api: GraphApi = GraphApiAdapter(GraphClient(GraphSettings()))
    assert isinstance(api, GraphApiAdapter)


def test_list_snapshots_follows_three_pages_with_prefer_on_every_request(server: Any) -> None:
    """All pages are read, in order, and every request carries Prefer and the bearer token."""
    pages = [
        [{"id": f"s{p}{i}", "createdDateTime": "2026-11-28T02:30:00Z"} for i in range(2)]
        for p in range(3)
    ]
    paged(server, f"{BASE}/snapshots", pages)
    snapshots = run(with_api(server, lambda g: g.list_snapshots()))
    assert [s.id for s in snapshots] == ["s00", "s01", "s10", "s11", "s20", "s21"]
    assert len(server.requests) == 3
    for request in server.requests:
        assert request.headers["prefer"] == PREFER_UNKNOWN_ENUMS
        assert request.headers["authorization"].startswith("Bearer eyJ")


@pytest.mark.parametrize(
    ("method", "path", "kind"),
    [
        ("get_job", f"{BASE}/jobs/{JOB}", JobKind.PREVIEW),
        ("get_preview_job", f"{BASE}/snapshots/{SID}/recoveryPreviewJobs/{JOB}", JobKind.PREVIEW),
        ("get_recovery_job", f"{BASE}/snapshots/{SID}/recoveryJobs/{JOB}", JobKind.RECOVERY),
    ],
)
def test_jobs_are_read_into_job_records(server: Any, method: str, path: str, kind: Any) -> None:
    """A snapshot's jobs take their kind from the route when @odata.type is absent."""
    body = {"id": JOB, "status": "calculating"}
    if method == "get_job":
        body["@odata.type"] = PREVIEW_TYPE
    server.json("GET", path, body)
    args = (JOB,) if method == "get_job" else (SID, JOB)
    job = run(with_api(server, lambda g: getattr(g, method)(*args)))
    assert (job.id, job.kind, job.status) == (JOB, kind, JobStatus.CALCULATING)
    assert job.raw == body


def test_start_jobs_return_the_new_ids(server: Any) -> None:
    """start_preview_job and start_recovery_job POST and read the id from Location."""
    for collection in ("recoveryPreviewJobs", "recoveryJobs"):
        path = f"{BASE}/snapshots/{SID}/{collection}"
        server.reply("POST", path, (202, {"Location": f"{server.url}{path}/{JOB}"}, None))

    async def go(graph: Any) -> Any:
        return (
            await graph.start_preview_job(SID, FilteringCriteria()),
            await graph.start_recovery_job(SID, FilteringCriteria.for_types(["user"])),
        )

    assert run(with_api(server, go)) == (JOB, JOB)


def test_change_pages_stream_raw_json_with_top_999(server: Any) -> None:
    """getChanges pages arrive as sent, one ChangePage per Graph page."""
    change = {"entityTypeName": "group", "id": "g", "recoveryAction": "update"}
    paged(server, CHANGES_PATH, [[change], [dict(change, id="h")]])

    async def go(graph: Any) -> Any:
        return [page async for page in graph.iter_change_pages(SID, JOB)]

    assert run(with_api(server, go)) == [[change], [dict(change, id="h")]]
    assert server.requests[0].query["$top"] == ["999"]


# The fields every change object carries (reference section 4.5), as JSON text and as a dict.
HEAD = '"entityTypeName": "user", "id": "a", "recoveryAction": "update"'
HEAD_JSON = json.loads("{" + HEAD + "}")


def _page(fields: str) -> str:
    """One getChanges page holding one change: HEAD plus `fields` (JSON text)."""
    return '{"value": [{' + HEAD + ", " + fields + "}]}"


def _one_change_page(server: Any, body: str) -> Any:
    """getChanges answers with `body` (one page); the page as the adapter yields it."""
    server.reply("GET", CHANGES_PATH, (200, JSON, body))

    async def go(graph: Any) -> Any:
        return [page async for page in graph.iter_change_pages(SID, JOB)]

    [page] = run(with_api(server, go))
    return page


@pytest.mark.parametrize(
    ("body", "has_floats"),
    [
        (_page('"deltaFromCurrent": {"n": 10, "s": "1.5e-05"}'), False),
        (_page('"deltaFromCurrent": {"n": 1.0}'), True),
        (_page('"deltaFromCurrent": {"n": [3, 2E3]}'), True),
    ],
)
def test_change_pages_say_whether_they_hold_floats(
    server: Any, body: str, has_floats: bool
) -> None:
    """Pages carry has_floats from parsing, so the fingerprint may take its msgspec path."""
    page = _one_change_page(server, body)
    assert page.has_floats is has_floats
    assert page == json.loads(body)["value"]


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (
            _page('"n": 18446744073709551616, "m": -9223372036854775809'),
            [{**HEAD_JSON, "n": 2**64, "m": -(2**63) - 1}],
        ),
        (_page('"s": "\\ud800 lone"'), [{**HEAD_JSON, "s": "\ud800 lone"}]),
    ],
)
def test_big_integers_and_lone_surrogates_parse_exactly(
    server: Any, body: str, expected: list[dict[str, Any]]
) -> None:
    """Values are exactly what json.loads gives (msgspec where it can, json where it cannot)."""
    page = _one_change_page(server, body)
    assert page == expected == json.loads(body)["value"]
    assert page.has_floats is False


def test_failed_change_pages(server: Any) -> None:
    """getFailedChanges pages arrive as sent."""
    path = (
        f"{BASE}/snapshots/{SID}/recoveryJobs/{JOB}"
        "/microsoft.graph.entraRecoveryServices.getFailedChanges"
    )
    failed = {**HEAD_JSON, "failureMessage": "locked"}
    server.json("GET", path, {"value": [failed]})

    async def go(graph: Any) -> Any:
        return [page async for page in graph.iter_failed_change_pages(SID, JOB, top=50)]

    assert run(with_api(server, go)) == [[failed]]
    assert server.requests[0].query["$top"] == ["50"]


def test_429_is_retried_per_retry_after(server: Any) -> None:
    """The SDK's RetryHandler waits Retry-After seconds and the second answer wins."""
    throttled = {"error": {"code": "TooManyRequests", "message": "slow down"}}
    job = {"id": JOB, "status": "calculating", "@odata.type": PREVIEW_TYPE}
    server.reply(
        "GET",
        f"{BASE}/jobs/{JOB}",
        (429, {"Retry-After": "1", **JSON}, throttled),
        (200, JSON, job),
    )
    started = time.monotonic()
    got = run(with_api(server, lambda g: g.get_job(JOB)))
    assert time.monotonic() - started >= 0.9
    assert got.status is JobStatus.CALCULATING and got.kind is JobKind.PREVIEW
    assert len(server.requests) == 2


def test_throttling_beyond_budget_raises_throttled_error(server: Any) -> None:
    """Retries are bounded; the error carries the Retry-After Graph sent."""
    server.reply("GET", f"{BASE}/jobs/{JOB}", (503, {"Retry-After": "1000"}, ""))
    with pytest.raises(ThrottledError) as info:
        run(with_api(server, lambda g: g.get_job(JOB)))
    assert info.value.retry_after == 1000.0 and info.value.status == 503


def test_cancel_job_returns_nothing(server: Any) -> None:
    """The runner's cancel is fire and forget (the parity function returns the Location)."""
    server.json("GET", f"{BASE}/jobs", {"value": [{"id": JOB, "@odata.type": PREVIEW_TYPE}]})
    cancel = f"{BASE}/jobs/{JOB}/microsoft.graph.entraRecoveryServices.cancel"
    server.reply("POST", cancel, (202, {}, None))
    assert run(with_api(server, lambda g: g.cancel_job(JOB))) is None


def test_cancel_job_of_a_known_kind_sends_only_the_cancel(server: Any) -> None:
    """A caller who knows the kind saves the lookup: one POST, no GET of any kind."""
    cancel = f"{BASE}/jobs/{JOB}/microsoft.graph.entraRecoveryServices.cancel"
    server.reply("POST", cancel, (202, {}, None))
    run(with_api(server, lambda g: g.cancel_job(JOB, kind=JobKind.RECOVERY)))
    assert [(r.method, r.path) for r in server.requests] == [("POST", cancel)]


def test_unreachable_graph_is_one_clear_error() -> None:
    """No server on the port: a GraphError naming the URL, not a traceback."""
    from entra_recovery.graph.client import open_client

    settings = GraphSettings(graph_url="http://127.0.0.1:9", access_token="t", auth_method="token")

    async def go() -> Any:
        async with open_client(settings) as graph:
            return await graph.list_snapshots()

    with pytest.raises(GraphError) as info:
        run(go())
    assert "could not reach Graph at http://127.0.0.1:9" in str(info.value)


@pytest.mark.parametrize("credential_class", [None, "async"])
def test_identity_reads_claims_without_a_request(server: Any, credential_class: Any) -> None:
    """identity() decodes the token's claims (sync or async credential); Graph is not called."""
    settings = server.settings()
    credential = AsyncStaticTokenCredential(settings.access_token) if credential_class else None
    identity = run(_identity(settings, credential))
    assert (identity.tenant_id, identity.user) == ("t-1", "a@b.c")
    assert identity.scopes == ("EntraBackup.Read.All",)
    assert server.requests == []


async def _identity(settings: GraphSettings, credential: Any) -> Any:
    from entra_recovery.graph.client import open_client

    async with open_client(settings, credential=credential) as graph:
        return await graph.identity()


def test_change_pages_stop_at_the_callers_page_limit(server: Any) -> None:
    """`max_pages` from the caller (who knows how many changes to expect) ends paging early."""
    path = CHANGES_PATH

    def endless(request: Any) -> Any:
        n = int(request.query.get("n", ["0"])[0]) + 1
        link = f"{server.url}{path}?n={n}"
        return (200, JSON, {"value": [{**HEAD_JSON, "id": str(n)}], "@odata.nextLink": link})

    server.handle("GET", path, endless)

    async def read(api: Any) -> int:
        pages = 0
        async for _ in api.iter_change_pages(SID, JOB, max_pages=3):
            pages += 1
        return pages

    with pytest.raises(GraphError, match="after 3 pages"):
        run(with_api(server, read))
    assert len(server.requests) == 3

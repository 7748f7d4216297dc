"""Sending one request: headers, the origin check, what is resent, redirects, answer bodies
(decoding, size cap) and the deadline, all over real HTTP through the SDK pipeline."""

from __future__ import annotations

import json
import tracemalloc
import zlib
from collections.abc import Callable
from typing import Any

import pytest

from entra_recovery.constants import MAX_REDIRECTS
from entra_recovery.errors import ForeignHostError
from entra_recovery.errors import GraphError
from entra_recovery.errors import JobCreationUncertain
from entra_recovery.errors import RequestTimeoutError
from entra_recovery.errors import ResponseTooLargeError
from entra_recovery.graph import operations as ops
from entra_recovery.graph import raw
from entra_recovery.graph.client import GraphClient
from entra_recovery.graph.models import FilteringCriteria
from entra_recovery.graph.models import JobKind
from entra_recovery.graph.resources import SNAPSHOTS
from entra_recovery.graph.settings import GraphSettings
from entra_recovery.graph.transport import Response
from entra_recovery.graph.transport import RetryPolicy

from .conftest import BASE
from .conftest import JOB
from .conftest import JSON
from .conftest import SID
from .conftest import TOKEN
from .conftest import run
from .conftest import with_client


def test_every_request_asks_for_unknown_enum_members_and_json(server: Any) -> None:
    """Prefer and Accept go out on raw-URL requests as on builder ones."""
    path = f"{BASE}/snapshots/{SID}/recoveryPreviewJobs"
    server.reply("POST", path, (202, {"Location": f"{server.url}{path}/j"}, None))

    async def go(client: Any) -> Any:
        request = raw.create_preview_job_request(SID, FilteringCriteria())
        return await client.transport.send(request, ops.CREATE_PREVIEW_JOB)

    response = run(with_client(server, go))
    assert response.status == 202 and response.headers["location"].endswith("/j")
    headers = server.requests[0].headers
    assert headers["prefer"] == "include-unknown-enum-members"
    assert headers["accept"] == "application/json"


def test_a_foreign_url_is_refused_before_sending(make_server: Any) -> None:
    """The URL is checked against the configured origin before the request leaves."""
    graph, foreign = make_server(), make_server()

    async def go(client: Any) -> Any:
        request = raw.next_link_request(f"{graph.url}/x", graph.settings())
        request.url = f"{foreign.url}/x"
        return await client.transport.send(request, ops.GET_CHANGES, what="@odata.nextLink")

    with pytest.raises(ForeignHostError):
        run(with_client(graph, go))
    assert foreign.requests == [] and graph.requests == []


@pytest.mark.parametrize(
    ("body", "data", "floats"),
    [
        (b"", None, False),
        (b'{"a": 1}', {"a": 1}, False),
        (b'{"a": 1.5}', {"a": 1.5}, True),
    ],
)
def test_response_json_and_floats(body: bytes, data: Any, floats: bool) -> None:
    """The body is parsed once, and says whether it held a float."""
    assert Response(200, {}, body, "https://x/y").json_with_floats() == (data, floats)


def test_a_body_that_is_not_json_names_the_url_without_its_query() -> None:
    """Parsing failures are GraphErrors; skip tokens stay out of the message."""
    with pytest.raises(GraphError) as info:
        Response(
            200, {}, b"<html>", "https://graph.microsoft.com/v1.0/x?$skiptoken=s"
        ).json_object()
    assert str(info.value).startswith("Graph sent a body that is not JSON")
    assert "skiptoken" not in str(info.value)


# --- what is resent -------------------------------------------------------------------------


def _create(kind: JobKind = JobKind.PREVIEW) -> Callable[[Any], Any]:
    return lambda client: client.create_job(kind, SID, FilteringCriteria())


@pytest.mark.parametrize("status", [500, 502, 503, 504, 429])
def test_a_get_is_resent_on_throttling_and_transient_server_errors(
    server: Any, status: int
) -> None:
    """GETs are idempotent: 429/500/502/503/504 are retried (Retry-After honoured)."""
    server.reply(
        "GET",
        f"{BASE}/snapshots",
        (status, {"Retry-After": "0.01"}, None),
        (200, JSON, {"value": []}),
    )
    assert run(with_client(server, lambda c: c.listing(SNAPSHOTS).collect())) == []
    assert len(server.requests) == 2


@pytest.mark.parametrize("status", [500, 502, 503, 504])
@pytest.mark.parametrize("kind", [JobKind.PREVIEW, JobKind.RECOVERY])
def test_a_job_creating_post_is_sent_once_and_a_5xx_is_uncertain(
    server: Any, status: int, kind: JobKind
) -> None:
    """A 5xx may come after the job was created: exactly one POST, JobCreationUncertain."""
    collection = "recoveryPreviewJobs" if kind is JobKind.PREVIEW else "recoveryJobs"
    server.reply("POST", f"{BASE}/snapshots/{SID}/{collection}", (status, {}, None))
    with pytest.raises(JobCreationUncertain) as info:
        run(with_client(server, _create(kind)))
    assert len(server.requests) == 1
    error = info.value
    assert (error.kind, error.snapshot_id, error.status, error.method) == (
        kind.value,
        SID,
        status,
        "POST",
    )
    assert error.url is not None and error.url.endswith(collection)
    assert f"the {kind.value} job may or may not have been created" in str(error)
    assert "will not be sent again" in str(error)


def test_a_429_on_a_job_post_is_waited_out_and_resent(server: Any) -> None:
    """429 means Graph did not process the POST: it is resent after Retry-After."""
    path = f"{BASE}/snapshots/{SID}/recoveryPreviewJobs"
    server.reply(
        "POST",
        path,
        (429, {"Retry-After": "0.01"}, None),
        (202, {"Location": f"{server.url}{path}/{JOB}"}, None),
    )
    assert run(with_client(server, _create())) == JOB
    assert [r.method for r in server.requests] == ["POST", "POST"]


@pytest.mark.parametrize("status", [400, 401, 403, 404, 409])
def test_unambiguous_answers_to_a_job_post_keep_their_errors(server: Any, status: int) -> None:
    """4xx means the job was not created: the usual GraphError subclasses, never uncertain."""
    server.json("GET", f"{BASE}/snapshots", {"value": []})
    server.json("GET", f"{BASE}/jobs", {"value": []})
    path = f"{BASE}/snapshots/{SID}/recoveryPreviewJobs"
    server.reply("POST", path, (status, JSON, {"error": {"code": "X", "message": "no"}}))
    with pytest.raises(GraphError) as info:
        run(with_client(server, _create()))
    assert not isinstance(info.value, JobCreationUncertain)
    assert sum(1 for r in server.requests if r.method == "POST") == 1


def test_a_job_post_to_a_closed_port_is_not_uncertain() -> None:
    """Connection refused: nothing reached a server, so it is a plain 'could not reach'."""
    from faults.transport_servers import refused_url

    settings = GraphSettings(graph_url=refused_url(), access_token=TOKEN, auth_method="token")

    async def go() -> Any:
        async with GraphClient(settings, retry=RetryPolicy(delay=0)) as client:
            return await _create()(client)

    with pytest.raises(GraphError, match="could not reach Graph") as info:
        run(go())
    assert not isinstance(info.value, JobCreationUncertain)


# --- redirects --------------------------------------------------------------------------------

REDIRECTS = [301, 302, 303, 307, 308]


@pytest.mark.parametrize("status", REDIRECTS)
def test_a_get_follows_a_same_origin_redirect_with_its_token(server: Any, status: int) -> None:
    """On Graph's own origin a GET is redirected (relative Location), token kept."""
    server.reply("GET", f"{BASE}/snapshots", (status, {"Location": f"{BASE}/moved"}, None))
    server.json("GET", f"{BASE}/moved", {"value": [{"id": "s"}]})
    assert run(with_client(server, lambda c: c.listing(SNAPSHOTS).collect())) == [{"id": "s"}]
    assert [r.path for r in server.requests] == [f"{BASE}/snapshots", f"{BASE}/moved"]
    assert server.requests[1].headers["authorization"] == f"Bearer {TOKEN}"


@pytest.mark.parametrize("status", REDIRECTS)
def test_a_get_never_follows_a_redirect_off_origin(make_server: Any, status: int) -> None:
    """Another host (here: another port) is refused by name; it receives nothing."""
    graph, foreign = make_server(), make_server()
    graph.reply("GET", f"{BASE}/snapshots", (status, {"Location": f"{foreign.url}/x"}, None))
    with pytest.raises(ForeignHostError) as info:
        run(with_client(graph, lambda c: c.listing(SNAPSHOTS).collect()))
    assert foreign.requests == []
    assert f"redirected (HTTP {status}) to {foreign.url}" in str(info.value)


@pytest.mark.parametrize("status", REDIRECTS)
@pytest.mark.parametrize("where", ["same-origin", "off-origin"])
def test_a_job_post_never_follows_a_redirect(make_server: Any, status: int, where: str) -> None:
    """A redirect answer to a job POST is not followed (no body sent twice): uncertain."""
    graph, foreign = make_server(), make_server()
    target = f"{BASE}/elsewhere" if where == "same-origin" else f"{foreign.url}/x"
    path = f"{BASE}/snapshots/{SID}/recoveryPreviewJobs"
    graph.reply("POST", path, (status, {"Location": target}, None))
    with pytest.raises(JobCreationUncertain) as info:
        run(with_client(graph, _create()))
    assert [r.method for r in graph.requests] == ["POST"] and foreign.requests == []
    assert info.value.status is None or info.value.status == status


@pytest.mark.parametrize("status", REDIRECTS)
def test_another_post_never_follows_a_redirect(server: Any, status: int) -> None:
    """Any other POST (cancel) answered with a redirect stops with a clear error."""
    cancel = f"{BASE}/jobs/{JOB}/microsoft.graph.entraRecoveryServices.cancel"
    server.reply("POST", cancel, (status, {"Location": f"{BASE}/x"}, None))
    with pytest.raises(GraphError, match=r"never sent again to another URL"):
        run(with_client(server, lambda c: c.cancel_job(JOB, kind=JobKind.PREVIEW)))
    assert [r.method for r in server.requests] == ["POST"]


def test_a_same_origin_redirect_loop_stops_after_three_hops(server: Any) -> None:
    """At most MAX_REDIRECTS hops, then an error naming the count."""
    server.reply("GET", f"{BASE}/snapshots", (302, {"Location": f"{BASE}/snapshots"}, None))
    with pytest.raises(GraphError, match="more than 3 redirects"):
        run(with_client(server, lambda c: c.listing(SNAPSHOTS).collect()))
    assert len(server.requests) == 1 + MAX_REDIRECTS


# --- answer bodies ----------------------------------------------------------------------------


def _gzip(data: bytes) -> bytes:
    compressor = zlib.compressobj(6, zlib.DEFLATED, zlib.MAX_WBITS | 16)
    return compressor.compress(data) + compressor.flush()


@pytest.mark.parametrize(
    ("encoding", "encode"),
    [
        ("gzip", _gzip),
        ("deflate", zlib.compress),
        ("deflate", lambda d: zlib.compress(d, wbits=-zlib.MAX_WBITS)),
        ("identity", lambda d: d),
    ],
)
def test_compressed_answers_are_decoded(server: Any, encoding: str, encode: Any) -> None:
    """gzip, zlib deflate, raw deflate and identity bodies arrive decoded."""
    body = json.dumps({"value": [{"id": "s" * 5000}]}).encode()
    headers = {**JSON, "Content-Encoding": encoding}
    server.reply("GET", f"{BASE}/snapshots", (200, headers, encode(body)))
    items = run(with_client(server, lambda c: c.listing(SNAPSHOTS).collect()))
    assert items == [{"id": "s" * 5000}]
    assert server.requests[0].headers["accept-encoding"] == "gzip, deflate"


@pytest.mark.parametrize(
    ("headers", "body", "message"),
    [
        ({"Content-Encoding": "br"}, b"x", "unsupported Content-Encoding"),
        ({"Content-Encoding": "gzip, gzip"}, b"x", "unsupported Content-Encoding"),
        ({"Content-Encoding": "gzip"}, b"not gzip at all", "corrupt"),
        ({"Content-Encoding": "gzip"}, _gzip(b"{}" * 1000)[:30], "ended early"),
    ],
)
def test_an_undecodable_answer_is_a_graph_error(
    server: Any, headers: dict[str, str], body: bytes, message: str
) -> None:
    """Encodings we did not ask for, corrupt and cut-off bodies are refused, not trusted."""
    server.reply("GET", f"{BASE}/snapshots", (200, headers, body))
    with pytest.raises(GraphError, match=message):
        run(with_client(server, lambda c: c.listing(SNAPSHOTS).collect()))


@pytest.mark.parametrize("encoding", ["identity", "gzip"])
def test_the_size_cap_counts_decoded_bytes(server: Any, encoding: str) -> None:
    """A body of exactly the cap passes; one byte more is a ResponseTooLargeError."""
    cap = 4096
    exact = b'{"value": []}'.ljust(cap)
    encode = _gzip if encoding == "gzip" else (lambda d: d)
    headers = {**JSON, "Content-Encoding": encoding}
    server.reply("GET", f"{BASE}/snapshots", (200, headers, encode(exact)))
    listing = lambda c: c.listing(SNAPSHOTS).collect()  # noqa: E731
    assert run(with_client(server, listing, max_response_bytes=cap)) == []
    server.reply("GET", f"{BASE}/snapshots", (200, headers, encode(exact + b" ")))
    with pytest.raises(ResponseTooLargeError, match="larger than the cap of 4096 bytes"):
        run(with_client(server, listing, max_response_bytes=cap))


def test_a_gzip_bomb_is_stopped_while_inflating(server: Any) -> None:
    """256 MiB of zeros in 256 KB of gzip: refused with Python allocations far below that."""
    from faults.transport_servers import gzip_bomb

    bomb = gzip_bomb(256 << 20)
    headers = {**JSON, "Content-Encoding": "gzip"}
    server.reply("GET", f"{BASE}/snapshots", (200, headers, bomb))
    tracemalloc.start()
    try:
        with pytest.raises(ResponseTooLargeError):
            run(
                with_client(
                    server,
                    lambda c: c.listing(SNAPSHOTS).collect(),
                    max_response_bytes=1 << 20,
                )
            )
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 16 << 20, f"peak {peak >> 20} MiB"


# --- the deadline -----------------------------------------------------------------------------


def test_one_deadline_covers_a_slow_body(server: Any) -> None:
    """A body that keeps coming slower than the deadline ends as RequestTimeoutError."""
    import time

    def slow(request: Any) -> Any:
        time.sleep(0.6)
        return 200, JSON, {"value": []}

    server.handle("GET", f"{BASE}/snapshots", slow)
    with pytest.raises(RequestTimeoutError) as info:
        run(with_client(server, lambda c: c.listing(SNAPSHOTS).collect(), request_timeout=0.2))
    assert "listing snapshots failed" in str(info.value)
    assert "request deadline of 0.2 s" in str(info.value)

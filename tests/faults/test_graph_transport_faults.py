"""The graph transport against misbehaving servers: one table, each case run twice.

Every case names what the server does, what runs (a CLI command and the same operation through
`GraphClient`), and what must come out: the exit code and a message fragment for the CLI, the
exception type for the library. Every run must also end in bounded time (no hang: small
`--request-timeout`), without a traceback, without the token in any text, and, for the body
cases, with bounded memory. docs/reliability.md ("Graph transport") lists the same table.
"""

from __future__ import annotations

import asyncio
import time
import tracemalloc
from collections.abc import Callable
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from faults.transport_servers import BASE
from faults.transport_servers import JOB
from faults.transport_servers import SID
from faults.transport_servers import Behaviour
from faults.transport_servers import FaultServer
from faults.transport_servers import RawRequest
from faults.transport_servers import Wire
from faults.transport_servers import answer
from faults.transport_servers import gzip_bomb
from faults.transport_servers import preview_job
from faults.transport_servers import refused_url
from faults.transport_servers import sequence
from faults.transport_servers import snapshot_list

from entra_recovery.errors import ForeignHostError
from entra_recovery.errors import GraphError
from entra_recovery.errors import JobCreationUncertain
from entra_recovery.errors import RequestTimeoutError
from entra_recovery.errors import ResponseTooLargeError
from entra_recovery.errors import ThrottledError
from entra_recovery.graph.client import GraphClient
from entra_recovery.graph.models import FilteringCriteria
from entra_recovery.graph.models import JobKind
from entra_recovery.graph.resources import SNAPSHOTS
from entra_recovery.graph.settings import GraphSettings
from entra_recovery.graph.transport import RetryPolicy
from helpers.clirun import run_cli

# Opaque (not a JWT, no "Bearer" next to it in echoes): only the value registry can catch it.
TOKEN = "opaque-fault-token-7f3a9c1e5b2d4a6f8e0c"
DEADLINE = 1.0  # --request-timeout for every case: a bound for hangs, not a speed target
TIME_LIMIT = 20.0
MEMORY_LIMIT = 160 * 1024 * 1024  # peak Python allocations; the bomb inflates to 1 GiB
JOBS = f"{BASE}/snapshots/{SID}/recoveryPreviewJobs"
RECOVERY_TYPE = "#microsoft.graph.entraRecoveryServices.recoveryJob"

COMMANDS = {
    "snapshots": ("snapshot", "list", "-o", "json"),
    "preview": ("preview-job", "create", SID, "-o", "json"),
    "recovery": ("recovery-job", "create", SID, "--yes", "-o", "json"),
    "cancel": ("job", "cancel", JOB, "--yes"),
}


async def _operation(client: GraphClient, name: str) -> Any:
    if name == "snapshots":
        return await client.listing(SNAPSHOTS).collect()
    if name in ("preview", "recovery"):
        kind = JobKind.PREVIEW if name == "preview" else JobKind.RECOVERY
        return await client.create_job(kind, SID, FilteringCriteria())
    return await client.cancel_job(JOB)


# --- behaviours -------------------------------------------------------------------------------


def by_method(**behaviours: Behaviour) -> Behaviour:
    """GET and POST answered by different behaviours (the CLI reads a new job back)."""

    def behave(request: RawRequest, wire: Wire) -> None:
        behaviours[request.method.lower()](request, wire)

    return behave


def drip(request: RawRequest, wire: Wire) -> None:
    body = b'{"value": []}' + b" " * 200
    wire.head(200, {"Content-Type": "application/json", "Content-Length": str(len(body))})
    wire.drip(body)


def stall(request: RawRequest, wire: Wire) -> None:
    wire.hold()


def reset(request: RawRequest, wire: Wire) -> None:
    wire.reset()


def truncated(request: RawRequest, wire: Wire) -> None:
    wire.head(200, {"Content-Type": "application/json", "Content-Length": "500"})
    wire.raw(b'{"value": [')


def bomb(request: RawRequest, wire: Wire) -> None:
    data = gzip_bomb()
    wire.head(200, {"Content-Type": "application/json", "Content-Encoding": "gzip"})
    wire.raw(data)


def declared_huge(request: RawRequest, wire: Wire) -> None:
    wire.head(200, {"Content-Type": "application/json", "Content-Length": str(10 << 30)})
    wire.hold()


def endless(request: RawRequest, wire: Wire) -> None:
    wire.head(200, {"Content-Type": "application/json", "Transfer-Encoding": "chunked"})
    wire.stream(b"x" * 65536, 1 << 30)


def echo_token(request: RawRequest, wire: Wire) -> None:
    """Echo the token and the Authorization header everywhere an error can show them."""
    authorization = request.headers.get("authorization", "")
    token = authorization.removeprefix("Bearer ")
    body = {
        "error": {
            "code": "BadRequest",
            "message": f"bad token {token}; header was {authorization}",
            "innerError": {"request-id": token},
        }
    }
    wire.send(400, {"request-id": token, "x-echo": authorization, "WWW-Authenticate": token}, body)


def redirect(status: int, to: Callable[[str], str]) -> Callable[[str], Behaviour]:
    def build(foreign: str) -> Behaviour:
        return answer(status, b"", {"Location": to(foreign)})

    return build


def created(request: RawRequest, wire: Wire) -> None:
    host = request.headers.get("host", "127.0.0.1")
    wire.send(202, {"Location": f"http://{host}{JOBS}/{JOB}"})


# --- the table --------------------------------------------------------------------------------


@dataclass(frozen=True)
class FaultCase:
    """One misbehaviour, what runs against it and what must come out."""

    name: str
    does: str  # what the server does (docs/reliability.md quotes it)
    serve: Callable[[str], Behaviour]  # a fresh behaviour, given the foreign server's URL
    run: str  # a key of COMMANDS
    exit_code: int
    fragment: str
    error: type[Exception] | None  # None: the operation succeeds
    posts: int | None = None  # exactly this many POSTs reached the server
    gets: int | None = None  # exactly this many GETs reached the server
    memory: bool = False  # also bound the peak memory (and allow 64 MiB to arrive in time)
    refused: bool = False  # nothing listens at all


def _fixed(behaviour: Behaviour) -> Callable[[str], Behaviour]:
    return lambda foreign: behaviour


UNCERTAIN = "may or may not have been created"
CASES = [
    FaultCase(
        "drip-body",
        "sends headers, then the body one byte every 0.1 s",
        _fixed(drip),
        "snapshots",
        1,
        f"within the request deadline of {DEADLINE:g} s",
        RequestTimeoutError,
        gets=1,
    ),
    FaultCase(
        "stall-before-headers",
        "reads the request and never answers",
        _fixed(stall),
        "snapshots",
        1,
        "sent no complete answer within the request deadline",
        RequestTimeoutError,
        gets=1,
    ),
    FaultCase(
        "job-post-504",
        "answers every POST with 504",
        _fixed(answer(504, {"error": {"code": "GatewayTimeout", "message": "x"}})),
        "preview",
        1,
        UNCERTAIN,
        JobCreationUncertain,
        posts=1,
    ),
    FaultCase(
        "recovery-post-500",
        "answers the recovery job POST with 500",
        _fixed(answer(500, {"error": {"code": "InternalServerError", "message": "x"}})),
        "recovery",
        1,
        "the recovery job may or may not have been created",
        JobCreationUncertain,
        posts=1,
    ),
    FaultCase(
        "job-post-reset",
        "reads the whole POST, then resets the connection",
        _fixed(reset),
        "preview",
        1,
        UNCERTAIN,
        JobCreationUncertain,
        posts=1,
    ),
    FaultCase(
        "job-post-stall",
        "reads the whole POST and never answers",
        _fixed(stall),
        "recovery",
        1,
        UNCERTAIN,
        JobCreationUncertain,
        posts=1,
    ),
    FaultCase(
        "job-post-refused",
        "nothing listens (connection refused: nothing was sent)",
        _fixed(stall),
        "preview",
        1,
        "could not reach Graph",
        GraphError,
        refused=True,
    ),
    FaultCase(
        "job-post-429-then-created",
        "answers 429 with Retry-After 0.05, then 202",
        lambda _: by_method(
            post=sequence(answer(429, b"", {"Retry-After": "0.05"}), created),
            get=answer(200, preview_job()),
        ),
        "preview",
        0,
        JOB,
        None,
        posts=2,
    ),
    FaultCase(
        "job-post-429-forever",
        "answers every POST with 429, Retry-After 0.01",
        _fixed(answer(429, b"", {"Retry-After": "0.01"})),
        "preview",
        1,
        "throttling",
        ThrottledError,
        posts=5,
    ),
    FaultCase(
        "get-500-then-ok",
        "answers the first GET with 500 (Retry-After 0.05), then 200",
        lambda _: sequence(answer(500, b"", {"Retry-After": "0.05"}), answer(200, snapshot_list())),
        "snapshots",
        0,
        SID,
        None,
        gets=2,
    ),
    FaultCase(
        "get-429-retry-after",
        "answers the first GET with 429 (Retry-After 0.1), then 200",
        lambda _: sequence(answer(429, b"", {"Retry-After": "0.1"}), answer(200, snapshot_list())),
        "snapshots",
        0,
        SID,
        None,
        gets=2,
    ),
    FaultCase(
        "cancel-503-then-ok",
        "answers the cancel POST with 503, then 202 (cancelling twice is harmless)",
        lambda _: by_method(
            # the kind comes from the documented list filtered by id, never GET /jobs/{id}
            get=answer(200, {"value": [{**preview_job(), "@odata.type": RECOVERY_TYPE}]}),
            post=sequence(answer(503, b"", {"Retry-After": "0.05"}), answer(202)),
        ),
        "cancel",
        0,
        "",
        None,
        posts=2,
    ),
    FaultCase(
        "gzip-bomb",
        "sends 1 MB of gzip that inflates to 1 GiB",
        _fixed(bomb),
        "snapshots",
        1,
        "larger than the cap of 64 MiB",
        ResponseTooLargeError,
        memory=True,
    ),
    FaultCase(
        "huge-plain-body",
        "streams an endless chunked body (no Content-Length)",
        _fixed(endless),
        "snapshots",
        1,
        "larger than the cap of 64 MiB",
        ResponseTooLargeError,
        memory=True,
    ),
    FaultCase(
        "declared-huge-body",
        "declares Content-Length: 10 GiB",
        _fixed(declared_huge),
        "snapshots",
        1,
        "larger than the cap of 64 MiB",
        ResponseTooLargeError,
    ),
    FaultCase(
        "redirect-off-origin-get",
        "answers the GET with 302 to another host",
        redirect(302, lambda foreign: f"{foreign}{BASE}/snapshots"),
        "snapshots",
        1,
        "Graph redirected (HTTP 302) to http://127.0.0.1:",
        ForeignHostError,
        gets=1,
    ),
    FaultCase(
        "redirect-off-origin-post",
        "answers the job POST with 307 to another host",
        redirect(307, lambda foreign: f"{foreign}{JOBS}"),
        "preview",
        1,
        UNCERTAIN,
        JobCreationUncertain,
        posts=1,
    ),
    FaultCase(
        "redirect-loop",
        "answers every GET with 302 to itself",
        _fixed(answer(302, b"", {"Location": f"{BASE}/snapshots"})),
        "snapshots",
        1,
        "more than 3 redirects",
        GraphError,
        gets=4,
    ),
    FaultCase(
        "not-json",
        "answers 200 with an HTML page",
        _fixed(answer(200, b"<html>hello</html>", {"Content-Type": "text/html"})),
        "snapshots",
        1,
        "not JSON",
        GraphError,
    ),
    FaultCase(
        "json-not-object",
        "answers 200 with a JSON array",
        _fixed(answer(200, [1, 2])),
        "snapshots",
        1,
        "not an object",
        GraphError,
    ),
    FaultCase(
        "truncated-json",
        "answers 200 with a complete body that is cut-off JSON",
        _fixed(answer(200, b'{"value": [{"id": "x"', {"Content-Type": "application/json"})),
        "snapshots",
        1,
        "not JSON",
        GraphError,
    ),
    FaultCase(
        "truncated-body",
        "declares 500 bytes, sends 11, closes",
        _fixed(truncated),
        "snapshots",
        1,
        "broke before a complete answer",
        GraphError,
    ),
    FaultCase(
        "token-echoed",
        "echoes the token and Authorization header in its error body and headers",
        _fixed(echo_token),
        "snapshots",
        1,
        "HTTP 400",
        GraphError,
    ),
    FaultCase(
        "token-echoed-on-job-post",
        "echoes the token in a 400 answer to the job POST (not ambiguous: not created)",
        _fixed(echo_token),
        "preview",
        1,
        "HTTP 400",
        GraphError,
        posts=1,
    ),
]


@pytest.fixture
def servers(request: pytest.FixtureRequest) -> Iterator[tuple[FaultServer, FaultServer, str]]:
    """The case's Graph server, a foreign server, and the URL the client is pointed at."""
    case: FaultCase = request.param
    foreign = FaultServer(answer(200, snapshot_list())).start()
    graph = FaultServer(case.serve(foreign.url)).start()
    yield graph, foreign, refused_url() if case.refused else graph.url
    graph.stop()
    foreign.stop()


def _bounded(measure_memory: bool, action: Callable[[], Any]) -> Any:
    """Run `action`; assert it ended in time (and, when asked, in bounded memory)."""
    if measure_memory:
        tracemalloc.start()
    started = time.monotonic()
    try:
        return action()
    finally:
        elapsed = time.monotonic() - started
        if measure_memory:
            peak = tracemalloc.get_traced_memory()[1]
            tracemalloc.stop()
            assert peak < MEMORY_LIMIT, f"peak {peak / 2**20:.0f} MiB"
        assert elapsed < TIME_LIMIT, f"took {elapsed:.1f} s"


def _check_counts(case: FaultCase, graph: FaultServer, foreign: FaultServer) -> None:
    if case.posts is not None:
        assert graph.count("POST") == case.posts
    if case.gets is not None:
        assert graph.count("GET") == case.gets
    assert foreign.requests == [], "a redirect off the Graph origin was followed"


def _deadline(case: FaultCase) -> float:
    """Small, so a hang ends fast; the body cases move 64 MiB under tracemalloc first."""
    return 10.0 if case.memory else DEADLINE


def _ids(case: FaultCase) -> str:
    return case.name


@pytest.mark.parametrize("servers", CASES, ids=_ids, indirect=True)
def test_cli_outcome(servers: tuple[FaultServer, FaultServer, str], request: Any) -> None:
    """The CLI ends with the case's exit code and message, in time, with no traceback or token."""
    case: FaultCase = request.node.callspec.params["servers"]
    graph, foreign, url = servers
    env = {"ENTRA_RECOVERY_GRAPH_URL": url, "ENTRA_RECOVERY_ACCESS_TOKEN": TOKEN}
    args = ["--request-timeout", f"{_deadline(case):g}", *COMMANDS[case.run]]
    result = _bounded(case.memory, lambda: run_cli(args, env=env))
    output = result.stdout + result.stderr
    assert result.code == case.exit_code, output
    assert case.fragment in output
    assert "Traceback" not in output and "unexpected error" not in output
    assert TOKEN not in output
    _check_counts(case, graph, foreign)


@pytest.mark.parametrize("servers", CASES, ids=_ids, indirect=True)
def test_library_outcome(servers: tuple[FaultServer, FaultServer, str], request: Any) -> None:
    """GraphClient raises the case's exception type (or succeeds), in time, token-free."""
    case: FaultCase = request.node.callspec.params["servers"]
    graph, foreign, url = servers
    settings = GraphSettings(
        graph_url=url, access_token=TOKEN, auth_method="token", request_timeout=_deadline(case)
    )

    async def go() -> Any:
        async with GraphClient(settings, retry=RetryPolicy(delay=0)) as client:
            return await _operation(client, case.run)

    if case.error is None:
        _bounded(case.memory, lambda: asyncio.run(go()))
    else:
        with pytest.raises(case.error) as info:
            _bounded(case.memory, lambda: asyncio.run(go()))
        error = info.value
        text = " ".join(str(v) for v in vars(error).values()) + str(error)
        assert TOKEN not in text
        if case.error is JobCreationUncertain:
            assert isinstance(error, JobCreationUncertain)
            assert error.kind == case.run and error.snapshot_id == SID
            assert error.method == "POST" and error.url and "will not be sent again" in str(error)
    _check_counts(case, graph, foreign)


def test_docs_list_every_case() -> None:
    """docs/reliability.md ("Graph transport") names every case and the count."""
    from pathlib import Path

    docs = (Path(__file__).parents[2] / "docs" / "reliability.md").read_text(encoding="utf-8")
    names = [case.name for case in CASES]
    assert len(names) == len(set(names))
    assert f"**{len(CASES)} cases**" in docs
    assert [name for name in names if f"| `{name}` |" not in docs] == []

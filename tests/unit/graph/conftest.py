"""Fixtures for the graph tests: a scriptable loopback Graph server and a credential guard."""

from __future__ import annotations

import json
import threading
from collections import deque
from collections.abc import Callable
from collections.abc import Iterator
from dataclasses import dataclass
from dataclasses import field
from http.server import BaseHTTPRequestHandler
from http.server import ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs
from urllib.parse import unquote
from urllib.parse import urlsplit

import pytest

from entra_recovery.graph.settings import GraphSettings

TOKEN = "eyJhbGciOiJub25lIiwidHlwIjoiSldUIn0.eyJ0aWQiOiJ0LTEiLCJ1cG4iOiJhQGIuYyIsInNjcCI6IkVudHJhQmFja3VwLlJlYWQuQWxsIn0."  # noqa: E501


class _QuietServer(ThreadingHTTPServer):
    """A client that hung up mid-answer is what some tests do on purpose; the stdlib would print
    its traceback into whatever stderr a later test is capturing."""

    daemon_threads = True

    def handle_error(self, request: object, client_address: object) -> None:
        return None


class YouForgotToUseTheEmulator(BaseException):
    """A test tried to build a real azure-identity credential.

    A BaseException, so that no error mapping in the code under test (which turns every
    `Exception` from credential building into a `GraphAuthError`) can soften it.
    """


@pytest.fixture(autouse=True)
def _fresh_credentials() -> Iterator[None]:
    """Each test starts without the credentials an earlier one built (one per process)."""
    from entra_recovery.graph import auth

    auth.forget_credentials()
    yield
    auth.forget_credentials()


@pytest.fixture
def home(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """HOME in tmp: azure-identity's persistent cache lands in tmp/home/.IdentityService."""
    folder = tmp_path / "home"
    folder.mkdir()
    monkeypatch.setenv("HOME", str(folder))
    return folder


@pytest.fixture(autouse=True)
def _no_real_credentials(monkeypatch: pytest.MonkeyPatch) -> None:
    """Any attempt to build a real azure-identity credential fails loudly."""

    def refuse(*args: object, **kwargs: object) -> object:
        raise YouForgotToUseTheEmulator("tests must use a static token (auth_method=token)")

    monkeypatch.setattr("entra_recovery.graph.auth._build_azure_credential", refuse)


Reply = tuple[int, dict[str, str], Any]
Handler = Callable[["Request"], Reply]


@dataclass
class Request:
    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    body: bytes


@dataclass
class GraphTestServer:
    """A tiny loopback HTTP server: routes map (METHOD, path) to queued or fixed replies."""

    routes: dict[tuple[str, str], deque[Reply] | Handler] = field(default_factory=dict)
    requests: list[Request] = field(default_factory=list)
    _server: ThreadingHTTPServer | None = None

    @property
    def url(self) -> str:
        assert self._server is not None
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def settings(self, **overrides: Any) -> GraphSettings:
        values: dict[str, Any] = {
            "graph_url": self.url,
            "access_token": TOKEN,
            "auth_method": "token",
            "poll_interval": 0.01,
        }
        values.update(overrides)
        return GraphSettings(**values)

    def reply(self, method: str, path: str, *replies: Reply) -> None:
        """Queue replies for a route (the last one repeats)."""
        self.routes[(method, path)] = deque(replies)

    def handle(self, method: str, path: str, handler: Handler) -> None:
        self.routes[(method, path)] = handler

    def json(self, method: str, path: str, data: Any, status: int = 200) -> None:
        self.reply(method, path, (status, {"Content-Type": "application/json"}, data))

    def _answer(self, request: Request) -> Reply:
        route = self.routes.get((request.method, request.path))
        if route is None:
            return (
                404,
                {"Content-Type": "application/json"},
                {"error": {"code": "notFound", "message": f"no route {request.path}"}},
            )
        if callable(route):
            return route(request)
        return route.popleft() if len(route) > 1 else route[0]

    def start(self) -> None:
        owner = self

        class _Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def _do(self) -> None:
                parts = urlsplit(self.path)
                length = int(self.headers.get("Content-Length") or 0)
                request = Request(
                    method=self.command,
                    path=unquote(parts.path),
                    query={k: v for k, v in parse_qs(parts.query).items()},
                    headers={k.lower(): v for k, v in self.headers.items()},
                    body=self.rfile.read(length) if length else b"",
                )
                owner.requests.append(request)
                status, headers, body = owner._answer(request)
                if isinstance(body, bytes | str):
                    data = body.encode() if isinstance(body, str) else body
                else:
                    data = b"" if body is None else json.dumps(body).encode()
                self.send_response(status)
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            do_GET = _do
            do_POST = _do

            def log_message(self, *args: object) -> None:
                return None

        self._server = _QuietServer(("127.0.0.1", 0), _Handler)
        threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        ).start()

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()


@pytest.fixture
def make_server() -> Iterator[Callable[[], GraphTestServer]]:
    servers: list[GraphTestServer] = []

    def make() -> GraphTestServer:
        server = GraphTestServer()
        server.start()
        servers.append(server)
        return server

    yield make
    for server in servers:
        server.stop()


@pytest.fixture
def server(make_server: Callable[[], GraphTestServer]) -> GraphTestServer:
    return make_server()


# --- shared by the graph tests (imported as `from .conftest import ...`) -------------------------

BASE = "/v1.0/directory/recovery"
SID = "MjAyNi0xMS0yOFQwMjozMDowMFo="
JOB = "d3f8e7e8-7e87-4a7f-9d2c-c1c2d7e8e1f1"
JSON = {"Content-Type": "application/json"}
PREVIEW_TYPE = "#microsoft.graph.entraRecoveryServices.recoveryPreviewJob"
RECOVERY_TYPE = "#microsoft.graph.entraRecoveryServices.recoveryJob"
CHANGES_PATH = (
    f"{BASE}/snapshots/{SID}/recoveryPreviewJobs/{JOB}"
    "/microsoft.graph.entraRecoveryServices.getChanges"
)


def run(coro: Any) -> Any:
    import asyncio

    return asyncio.run(coro)


async def with_client(server: GraphTestServer, use: Callable[[Any], Any], **settings: Any) -> Any:
    """Open a GraphClient on `server` (no retry delay), await `use(client)`, close it."""
    from entra_recovery.graph.client import GraphClient
    from entra_recovery.graph.transport import RetryPolicy

    async with GraphClient(server.settings(**settings), retry=RetryPolicy(delay=0)) as client:
        return await use(client)


async def with_api(server: GraphTestServer, use: Callable[[Any], Any], **settings: Any) -> Any:
    """The same through `open_client`: `use` gets the runner's GraphApi (our records)."""
    from entra_recovery.graph.client import open_client
    from entra_recovery.graph.transport import RetryPolicy

    async with open_client(server.settings(**settings), retry=RetryPolicy(delay=0)) as graph:
        return await use(graph)


def paged(server: GraphTestServer, path: str, pages: list[list[dict[str, Any]]]) -> None:
    """Serve `pages` at path, chained by absolute nextLinks with a skiptoken."""

    def handler(request: Request) -> Reply:
        token = int(request.query.get("$skiptoken", ["0"])[0])
        body: dict[str, Any] = {"value": pages[token]}
        if token + 1 < len(pages):
            body["@odata.nextLink"] = f"{server.url}{path}?$skiptoken={token + 1}"
        return 200, JSON, body

    server.handle("GET", path, handler)

"""A nextLink or Location pointing at another host: the CLI refuses, the other host hears nothing.

Two loopback servers on different ports: "graph" (the configured Graph URL) answers with links
to "foreign", which records every request it would receive.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler
from http.server import ThreadingHTTPServer
from typing import Any

import pytest

from helpers.clirun import run_cli

BASE = "/v1.0/directory/recovery"
SID = "MjAyNi0xMS0yOFQwMjozMDowMFo="
TOKEN = "eyJhbGciOiJub25lIn0.eyJ0aWQiOiJ0In0.c2VjcmV0LXNpZ25hdHVyZQ"

Answer = Callable[[str, str], tuple[int, dict[str, str], Any]]


class Server:
    """A loopback HTTP server answering with `answer(method, path)`; requests are recorded."""

    def __init__(self, answer: Answer) -> None:
        self.requests: list[tuple[str, str, dict[str, str]]] = []
        owner = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def _do(self) -> None:
                self.rfile.read(int(self.headers.get("Content-Length") or 0))
                owner.requests.append((self.command, self.path, dict(self.headers)))
                status, headers, body = answer(self.command, self.path)
                data = b"" if body is None else json.dumps(body).encode()
                self.send_response(status)
                for name, value in {"Content-Type": "application/json", **headers}.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            do_GET = do_POST = _do

            def log_message(self, *args: object) -> None:
                return None

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        threading.Thread(
            target=self.httpd.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        ).start()

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def foreign() -> Iterator[Server]:
    server = Server(lambda method, path: (200, {}, {"value": [{"id": "stolen"}]}))
    yield server
    server.stop()


@pytest.fixture
def graph(foreign: Server) -> Iterator[Server]:
    def answer(method: str, path: str) -> tuple[int, dict[str, str], Any]:
        if method == "GET" and path.startswith(f"{BASE}/snapshots"):
            link = f"{foreign.url}{BASE}/snapshots?$skiptoken=2"
            return 200, {}, {"value": [{"id": SID}], "@odata.nextLink": link}
        if method == "POST" and path.endswith("/recoveryPreviewJobs"):
            location = f"{foreign.url}{BASE}/snapshots/{SID}/recoveryPreviewJobs/j1"
            return 202, {"Location": location}, None
        return 404, {}, {"error": {"code": "NotFound", "message": path}}

    server = Server(answer)
    yield server
    server.stop()


def _env(graph: Server) -> dict[str, str]:
    return {"ENTRA_RECOVERY_GRAPH_URL": graph.url, "ENTRA_RECOVERY_ACCESS_TOKEN": TOKEN}


def test_foreign_next_link_is_refused(graph: Server, foreign: Server) -> None:
    """snapshot list stops at the foreign nextLink with one clear line; no token leaks."""
    result = run_cli(["snapshot", "list", "-o", "json"], _env(graph))
    assert result.code == 1
    assert "refusing to follow @odata.nextLink" in result.stderr
    assert foreign.url.replace("http://", "") in result.stderr
    assert foreign.requests == []
    assert len(graph.requests) == 1
    assert graph.requests[0][2]["authorization"] == f"Bearer {TOKEN}"
    assert TOKEN not in result.stderr and "Traceback" not in result.stderr


def test_foreign_location_is_refused(graph: Server, foreign: Server) -> None:
    """A created job whose Location points elsewhere is never polled there."""
    result = run_cli(["preview-job", "create", SID, "--wait", "-o", "json"], _env(graph))
    assert result.code == 1
    assert "refusing to follow the Location header" in result.stderr
    assert foreign.requests == []

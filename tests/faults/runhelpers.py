"""Helpers for the runner's fault tests: a lost-answer `GraphApi` seam and a rewriting proxy.

- `UncertainGraph` wraps the real emulator-backed `GraphApi` and loses the answer to a
  job-creating request: the request goes through (or not), then `JobCreationUncertain` is
  raised, as the graph layer does for a timeout, a 5xx or a dropped connection. It is our own
  protocol, not the SDK: the HTTP traffic is real. Once the graph layer raises it for real, the
  tests still hold, since the wrapper raises it itself.
- `RewritingProxy` is a loopback HTTP server in front of the emulator that rewrites chosen
  JSON answers (what a misbehaving service would send), so the whole CLI, the SDK pipeline
  included, sees them over real HTTP.
"""

from __future__ import annotations

import contextlib
import http.client
import json
import threading
from collections.abc import AsyncIterator
from collections.abc import Callable
from dataclasses import dataclass
from dataclasses import field
from http.server import BaseHTTPRequestHandler
from http.server import ThreadingHTTPServer
from typing import Any
from urllib.parse import urlsplit

import pytest

from entra_recovery.errors import JobCreationUncertain
from entra_recovery.graph.models import FilteringCriteria


class UncertainGraph:
    """The real `GraphApi` whose first `times` job-creating answers of `kind` are lost.

    `created`: whether the lost request reached the service (and created the job) or not.
    """

    def __init__(
        self, graph: Any, *, kind: str = "recovery", created: bool = True, times: int = 1
    ) -> None:
        self._graph = graph
        self.kind = kind
        self.created = created
        self.remaining = times
        self.lost: list[str] = []  # ids of jobs whose answer was lost ("" when none was made)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._graph, name)

    async def start_recovery_job(self, snapshot_id: str, criteria: FilteringCriteria) -> str:
        return await self._start("recovery", self._graph.start_recovery_job, snapshot_id, criteria)

    async def start_preview_job(self, snapshot_id: str, criteria: FilteringCriteria) -> str:
        return await self._start("preview", self._graph.start_preview_job, snapshot_id, criteria)

    async def _start(
        self, kind: str, create: Any, snapshot_id: str, criteria: FilteringCriteria
    ) -> str:
        if kind != self.kind or self.remaining <= 0:
            job_id: str = await create(snapshot_id, criteria)
            return job_id
        self.remaining -= 1
        self.lost.append(await create(snapshot_id, criteria) if self.created else "")
        raise JobCreationUncertain(
            f"starting {kind} job failed: the connection was lost after the request was sent",
            kind=kind,
            snapshot_id=snapshot_id,
            status=504,
        )


def lose_job_answers(monkeypatch: pytest.MonkeyPatch, **options: Any) -> list[UncertainGraph]:
    """Make every CLI command in this test talk through an `UncertainGraph(**options)`.

    Returns the list the wrappers are appended to (one per opened client).
    """
    from entra_recovery.graph import client as client_module

    real = client_module.open_client
    made: list[UncertainGraph] = []

    @contextlib.asynccontextmanager
    async def wrapped(*args: Any, **kwargs: Any) -> AsyncIterator[Any]:
        async with real(*args, **kwargs) as graph:
            made.append(UncertainGraph(graph, **options))
            yield made[-1]

    monkeypatch.setattr(client_module, "open_client", wrapped)
    return made


Rewrite = Callable[[str, str, Any], Any]


@dataclass
class RewritingProxy:
    """Forwards every request to `upstream` (the emulator) and lets `rewrite(method, path,
    json)` change JSON answers; the `Host` header is passed on, so the emulator's absolute
    `Location` and `@odata.nextLink` point back at the proxy."""

    upstream: str
    rewrite: Rewrite
    # (method, path, status) -> the status the client sees (the body is then dropped): a 504
    # after the emulator made the job is a lost answer, over real HTTP through the SDK.
    status: Callable[[str, str, int], int] | None = None
    _server: ThreadingHTTPServer | None = field(default=None, repr=False)

    @property
    def url(self) -> str:
        assert self._server is not None
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def start(self) -> RewritingProxy:
        owner = self
        target = urlsplit(self.upstream)

        class _Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def _do(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else None
                host = target.hostname or "127.0.0.1"
                connection = http.client.HTTPConnection(host, target.port, timeout=30)
                headers = {k: v for k, v in self.headers.items() if k.lower() != "content-length"}
                connection.request(self.command, self.path, body=body, headers=headers)
                answer = connection.getresponse()
                data = answer.read()
                if answer.getheader("Content-Type", "").startswith("application/json") and data:
                    changed = owner.rewrite(
                        self.command, urlsplit(self.path).path, json.loads(data)
                    )
                    data = json.dumps(changed).encode()
                status = answer.status
                if owner.status is not None:
                    status = owner.status(self.command, urlsplit(self.path).path, answer.status)
                if status != answer.status:
                    self.send_response(status)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    connection.close()
                    return
                self.send_response(status)
                for name, value in answer.getheaders():
                    if name.lower() not in ("content-length", "transfer-encoding", "connection"):
                        self.send_header(name, value)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)
                connection.close()

            do_GET = _do
            do_POST = _do

            def log_message(self, *args: object) -> None:
                return None

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        ).start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()


GET_CHANGES = "microsoft.graph.entraRecoveryServices.getChanges"


def is_preview_job(method: str, path: str) -> bool:
    """A GET of one preview job (what the runner polls)."""
    parts = path.rstrip("/").split("/")
    return method == "GET" and len(parts) >= 2 and parts[-2] == "recoveryPreviewJobs"


def is_get_changes(method: str, path: str) -> bool:
    return method == "GET" and path.endswith("/" + GET_CHANGES)


def inflate_object_total(method: str, path: str, data: Any) -> Any:
    """The preview job says one more changed object than getChanges will list."""
    if is_preview_job(method, path) and isinstance(data.get("totalChangedObjectsCalculated"), int):
        data["totalChangedObjectsCalculated"] += 1
    return data


def repeat_first_change(method: str, path: str, data: Any) -> Any:
    """getChanges lists its first object twice (and the job's count agrees: 1 more)."""
    if is_get_changes(method, path) and data.get("value"):
        data["value"].append(data["value"][0])
    return inflate_object_total(method, path, data)


def no_object_total(method: str, path: str, data: Any) -> Any:
    """The preview job never says how many objects it calculated."""
    if is_preview_job(method, path):
        data["totalChangedObjectsCalculated"] = None
    return data

"""A loopback HTTP proxy in front of the emulator that rewrites chosen answers.

What a misbehaving service would send, over real HTTP: the CLI, the SDK pipeline included,
talks to the proxy; the proxy forwards every request to the emulator and lets a rewrite change
the JSON of successful answers, or a status hook replace an answer's status (a 504 for a POST
the emulator did carry out is a lost answer). The `Host` header is passed on, so the absolute
`Location` and `@odata.nextLink` the emulator builds point back at the proxy.
"""

from __future__ import annotations

import http.client
import json
import threading
from collections.abc import Callable
from dataclasses import dataclass
from dataclasses import field
from http.server import BaseHTTPRequestHandler
from http.server import ThreadingHTTPServer
from typing import Any
from urllib.parse import urlsplit

Rewrite = Callable[[str, str, Any], Any]


class _QuietServer(ThreadingHTTPServer):
    """A client that hung up mid-answer is what some tests do on purpose; the stdlib would print
    its traceback into whatever stderr a later test is capturing."""

    daemon_threads = True

    def handle_error(self, request: object, client_address: object) -> None:
        return None


@dataclass
class RewritingProxy:
    """Forwards every request to `upstream` (the emulator); `rewrite(method, path, json)`
    returns the JSON a successful answer carries instead, `status(method, path, status)` the
    status the client sees (a changed status drops the body)."""

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
                is_json = answer.getheader("Content-Type", "").startswith("application/json")
                if is_json and data and 200 <= answer.status < 300:
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

        self._server = _QuietServer(("127.0.0.1", 0), _Handler)
        threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        ).start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()

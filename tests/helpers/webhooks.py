"""A chat webhook receiver on loopback (http.server in a thread) that records what it got."""

from __future__ import annotations

import contextlib
import json
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from dataclasses import field
from http.server import BaseHTTPRequestHandler
from http.server import ThreadingHTTPServer
from typing import Any

# A path and query shaped like real webhook secrets; they must never be printed.
SECRET_PATH = "/services/T0SECRET/B0SECRET/XyZsecretTokenValue"
SECRET_QUERY = "sig=SuperSecretSignature"


@dataclass
class Receiver:
    """What the receiver answers (`status`, or `hang` seconds before answering) and got."""

    status: int = 200
    hang: float = 0.0
    redirect_to: str | None = None
    payloads: list[Any] = field(default_factory=list)
    paths: list[str] = field(default_factory=list)
    url: str = ""

    def secret_url(self) -> str:
        return f"{self.url}{SECRET_PATH}?{SECRET_QUERY}"


@contextlib.contextmanager
def webhook_receiver(
    status: int = 200, hang: float = 0.0, redirect_to: str | None = None
) -> Iterator[Receiver]:
    """A receiver on 127.0.0.1 for the block; `receiver.url` is its base URL."""
    receiver = Receiver(status=status, hang=hang, redirect_to=redirect_to)

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length", "0"))
            body = self.rfile.read(length)
            receiver.paths.append(self.path)
            receiver.payloads.append(json.loads(body))
            if receiver.hang:
                time.sleep(receiver.hang)
            if receiver.redirect_to is not None:
                self.send_response(307)
                self.send_header("Location", receiver.redirect_to)
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            self.send_response(receiver.status)
            self.send_header("Content-Length", "2")
            self.end_headers()
            self.wfile.write(b"ok")

        def log_message(self, format: str, *args: Any) -> None:
            return None

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    receiver.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield receiver
    finally:
        server.shutdown()
        server.server_close()

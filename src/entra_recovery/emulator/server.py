"""
`EmulatorServer`: the Graph emulator on a loopback socket, in a background thread.

A `ThreadingHTTPServer` (HTTP/1.1, keep-alive) parses requests into `http.Request`, hands them
to `app.EmulatorApp`, writes the response and records a structured, token-free entry in
`server.requests` (and, when asked, a JSON-lines file). Construction seeds the tenant from the
scenario (or the `state_file` when it exists) and pins the clock when `now` is given. With
`tenants`, several tenants are served, each its own state and jobs, picked per request by the
token's `tid` (`emulator.tenants`).
"""

from __future__ import annotations

import math
import sys
import threading
import time
import uuid
from collections.abc import Callable
from collections.abc import Sequence
from datetime import UTC
from datetime import datetime
from http.server import BaseHTTPRequestHandler
from http.server import ThreadingHTTPServer
from pathlib import Path
from types import TracebackType
from typing import Any
from urllib.parse import parse_qsl
from urllib.parse import unquote
from urllib.parse import urlsplit

from entra_recovery.emulator import auth
from entra_recovery.emulator.errors import EmulatorHttpError
from entra_recovery.emulator.http import Request
from entra_recovery.emulator.http import Response
from entra_recovery.emulator.jobs import PHASES
from entra_recovery.emulator.jobs import JobRules
from entra_recovery.emulator.requestlog import RequestLog
from entra_recovery.emulator.scenario import DAY
from entra_recovery.emulator.scenario import load_scenario
from entra_recovery.emulator.tenants import TenantRouter
from entra_recovery.emulator.tenants import TenantService
from entra_recovery.emulator.tenants import TenantSetup
from entra_recovery.emulator.tenants import build_service
from entra_recovery.emulator.tenants import tenant_ids

MAX_BODY = 1 << 20
DRAIN_LIMIT = 16 << 20


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # headers and body are separate writes: no 40 ms stalls
    server_version = "entra-recovery-emulator"
    sys_version = ""
    emulator: EmulatorServer

    def log_message(self, format: str, *args: Any) -> None:
        """Silence the stdlib's stderr access log (the request log replaces it)."""

    def _serve(self) -> None:
        started = time.perf_counter()
        split = urlsplit(self.path)
        raw_segments = [s for s in split.path.split("/") if s]
        version = raw_segments[0] if raw_segments else ""
        headers = {k.lower(): v for k, v in self.headers.items()}
        try:
            length = int(headers.get("content-length") or 0)
        except ValueError:
            length = -1
        too_large = length > MAX_BODY or length < 0
        body = self.rfile.read(length) if length > 0 and not too_large else b""
        if too_large and 0 < length <= DRAIN_LIMIT:
            self.rfile.read(length)  # read and drop, so the client sees the 413
        host = headers.get("host") or f"{self.emulator.host}:{self.emulator.port}"
        request = Request(
            method=self.command,
            path=split.path,
            version=version,
            segments=tuple(unquote(s) for s in raw_segments[1:]),
            query=dict(parse_qsl(split.query, keep_blank_values=True)),
            headers=headers,
            body=body,
            base_url=f"http://{host}",
        )
        service = None if too_large else self.emulator.tenants.route(headers.get("authorization"))
        if too_large:
            if not 0 < length <= DRAIN_LIMIT:  # the body stays unread: close afterwards
                self.close_connection = True
            error = EmulatorHttpError(413, f"The request body must be at most {MAX_BODY} bytes.")
            response = self.emulator.app.error_response(error, request, str(uuid.uuid4()))
            route, caller = "unknown", auth.Caller(has_token="authorization" in headers)
        else:
            app = service.app if service is not None else self.emulator.app
            response, route, caller = app.handle(request)
        # Log first: a client that got its answer must find the request in the log.
        tenant = service.tenant_id if service is not None else None
        self.emulator.log.record(request, response, route, caller, started, tenant)
        self._write(response)

    def version_string(self) -> str:
        return self.server_version

    def _write(self, response: Response) -> None:
        self.send_response(response.status)
        if self.close_connection:
            self.send_header("Connection", "close")
        if response.content_type:
            self.send_header("Content-Type", response.content_type)
        for name, value in response.headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(response.body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(response.body)

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = _serve


class _QuietServer(ThreadingHTTPServer):
    """Never a traceback on the CLI's terminal: a client that went away (Ctrl-C, a closed
    connection) is normal, anything else is one line on stderr."""

    daemon_threads = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        kind, exc, _ = sys.exc_info()
        if kind is None or issubclass(kind, (ConnectionError, TimeoutError, KeyboardInterrupt)):
            return
        print(
            f"emulator: request from {client_address} failed: {kind.__name__}: {exc}",
            file=sys.stderr,
        )


class EmulatorServer:
    """The Graph emulator; `start()` serves in a background thread until `stop()`."""

    def __init__(
        self,
        scenario: str = "demo",
        state_file: str | Path | None = None,
        host: str = "127.0.0.1",
        port: int = 0,
        request_log: str | Path | None = None,
        params: dict[str, Any] | None = None,
        now: datetime | None = None,
        job_durations: float | dict[str, float] | None = None,
        monotonic: Callable[[], float] = time.monotonic,
        tenants: int | Sequence[str] = 1,
    ) -> None:
        """`monotonic` drives the job phases (tests pass a fake clock to step through them);
        `tenants` is how many tenants to serve, or their ids (see `emulator.tenants`)."""
        self.scenario = load_scenario(scenario, params)
        self.host = host
        self.port = port
        self._pinned = now.astimezone(UTC).timestamp() if now is not None else None
        durations = dict(self.scenario.durations)
        if isinstance(job_durations, (int, float)):
            durations = dict.fromkeys(PHASES, float(job_durations))
        elif job_durations is not None:
            durations.update({k: float(v) for k, v in job_durations.items()})
        rules = self.scenario.job_rules
        setup = TenantSetup(
            scenario=self.scenario,
            clock=self._clock,
            seeding_time=self._seeding_time(),
            rules=JobRules(
                durations,
                rules.preview_outcome,
                rules.recovery_outcome,
                dict(rules.failing_objects),
            ),
            monotonic=monotonic,
            pinned=self._pinned is not None,
        )
        path = Path(state_file) if state_file else None
        self.tenants = TenantRouter(
            [
                build_service(setup, tenant_id, number, path)
                for number, tenant_id in enumerate(
                    tenant_ids(self.scenario.tenant_id, tenants), start=1
                )
            ]
        )
        first = self.tenants.services[0]
        self.state, self.jobs, self.app = first.state, first.jobs, first.app
        self.log = RequestLog(Path(request_log) if request_log else None)
        self._httpd: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    def _clock(self) -> float:
        return self._pinned if self._pinned is not None else time.time()

    def _seeding_time(self) -> float:
        """The "now" the history is seeded against: a scenario with a `clock:` time base is
        seeded at the latest instant that is that base plus whole days, so the same day's runs
        get the same history, snapshot ids and fingerprints (the service clock itself stays the
        real one: the tool matches the jobs it creates by their times)."""
        now = self._clock()
        base = self.scenario.clock
        if self._pinned is not None or base is None:
            return now
        return base + math.floor((now - base) / DAY) * DAY

    # -- public interface ----------------------------------------------------------------------

    @property
    def tenant_id(self) -> str:
        return self.state.tenant_id

    @property
    def tenant_ids(self) -> list[str]:
        """Every tenant served, the scenario's own first."""
        return [service.tenant_id for service in self.tenants.services]

    def serves(self, tenant_id: str) -> bool:
        return tenant_id.lower() in (served.lower() for served in self.tenant_ids)

    def service(self, tenant_id: str) -> TenantService:
        """A served tenant's state, jobs and app (KeyError for a tenant not served)."""
        for service in self.tenants.services:
            if service.tenant_id.lower() == tenant_id.lower():
                return service
        raise KeyError(tenant_id)

    @property
    def requests(self) -> list[dict[str, Any]]:
        """Every request, each tagged with the tenant that served it (`tenant`)."""
        return self.log.entries

    @property
    def url(self) -> str:
        host = self.host if ":" not in self.host else f"[{self.host}]"
        return f"http://{host}:{self.port}"

    def make_token(
        self,
        scopes: list[str] | tuple[str, ...] | None = None,
        roles: list[str] | tuple[str, ...] | None = None,
        tenant_id: str | None = None,
        user: str = auth.DEFAULT_USER,
    ) -> str:
        """An unsigned JWT for this tenant (all three scopes unless `scopes`/`roles` given)."""
        return auth.make_token(tenant_id or self.tenant_id, scopes, roles, user)

    def start(self) -> EmulatorServer:
        if self._httpd is not None:
            return self
        handler = type("Handler", (_Handler,), {"emulator": self})
        self._httpd = _QuietServer((self.host, self.port), handler)
        self.port = int(self._httpd.server_address[1])
        self._thread = threading.Thread(
            target=self._httpd.serve_forever,
            kwargs={"poll_interval": 0.05},
            name=f"entra-recovery-emulator:{self.port}",
            daemon=True,
        )
        self._thread.start()
        return self

    def serve_forever(self) -> None:
        """Serve in the calling thread (the CLI); returns after `stop()` or Ctrl-C."""
        self.start()
        assert self._thread is not None
        try:
            while self._thread.is_alive():
                self._thread.join(0.2)
        finally:
            self.stop()

    def stop(self) -> None:
        """Stop serving; jobs whose time is up finish first (a recovery lands in --state)."""
        for service in self.tenants.services:
            with service.state.lock:
                service.jobs.advance()
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
            self._httpd = None
        if self._thread is not None:
            self._thread.join(5)
            self._thread = None
        self.log.close()

    def __enter__(self) -> EmulatorServer:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

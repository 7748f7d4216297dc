"""
The structured request log: one record per request, in memory and optionally as JSON lines.

Records never contain the token: the Authorization header is replaced by `REDACTED`, and only
`has_token` plus a summary of the claims (tid, oid, upn, scp, roles) are kept.
"""

from __future__ import annotations

import json
import threading
import time
from datetime import UTC
from datetime import datetime
from pathlib import Path
from typing import IO
from typing import Any

from entra_recovery.emulator.auth import Caller
from entra_recovery.emulator.http import Request
from entra_recovery.emulator.http import Response

REDACTED = "REDACTED"


def _body(request: Request) -> Any:
    if not request.body:
        return None
    try:
        return json.loads(request.body)
    except (ValueError, UnicodeDecodeError):
        return {"unparsed": request.body[:200].decode("utf-8", "replace")}


class RequestLog:
    def __init__(self, path: Path | None) -> None:
        self.entries: list[dict[str, Any]] = []
        self._lock = threading.Lock()
        self._file: IO[str] | None = path.open("a", encoding="utf-8") if path else None

    def record(
        self,
        request: Request,
        response: Response,
        route: str,
        caller: Caller,
        started: float,
        tenant: str | None = None,
    ) -> None:
        """Append one entry; `tenant` is the served tenant that answered (None: no such tenant)."""
        headers = {
            name: (REDACTED if name.lower() == "authorization" else value)
            for name, value in request.headers.items()
        }
        entry = {
            "time": datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z"),
            "method": request.method,
            "path": request.path,
            "query": dict(request.query),
            "route": route,
            "tenant": tenant,
            "headers": headers,
            "has_token": caller.has_token or "authorization" in request.headers,
            "token": caller.summary(),
            "body": _body(request),
            "status": response.status,
            "request_id": response.headers.get("request-id"),
            "duration_ms": round((time.perf_counter() - started) * 1000, 3),
        }
        with self._lock:
            self.entries.append(entry)
            if self._file is not None:
                self._file.write(json.dumps(entry, separators=(",", ":")) + "\n")
                self._file.flush()

    def close(self) -> None:
        with self._lock:
            if self._file is not None:
                self._file.close()
                self._file = None

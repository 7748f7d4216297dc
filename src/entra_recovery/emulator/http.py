"""Request and response records passed between the HTTP handler and the route functions."""

from __future__ import annotations

import json
from dataclasses import dataclass
from dataclasses import field
from typing import Any

from entra_recovery.constants import PREFER_UNKNOWN_ENUMS


@dataclass(frozen=True)
class Request:
    method: str
    path: str  # as sent, without the query string
    version: str  # "v1.0" or "beta"
    segments: tuple[str, ...]  # decoded path segments after the version
    query: dict[str, str]
    headers: dict[str, str]  # lower-case names
    body: bytes
    base_url: str  # "http://host:port" the client used
    fail_job: bool = False  # a fault makes the job this request creates end `failed`

    def header(self, name: str) -> str | None:
        return self.headers.get(name.lower())

    @property
    def prefer_unknown(self) -> bool:
        prefer = self.header("prefer") or ""
        return any(p.strip().lower() == PREFER_UNKNOWN_ENUMS for p in prefer.split(","))

    def url(self, path: str) -> str:
        """Absolute URL of `path` (starting with /directory) on this version."""
        return f"{self.base_url}/{self.version}{path}"


@dataclass
class Response:
    status: int = 200
    body: bytes = b""
    content_type: str | None = "application/json; odata.metadata=minimal; odata.streaming=true"
    headers: dict[str, str] = field(default_factory=dict)


def json_response(data: Any, status: int = 200) -> Response:
    return Response(status, json.dumps(data, separators=(",", ":"), ensure_ascii=False).encode())


def accepted(location: str) -> Response:
    return Response(202, b"", None, {"Location": location})

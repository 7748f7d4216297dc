"""A tiny Graph client over http.client for the emulator tests (real HTTP, no SDK), and ids."""

from __future__ import annotations

import http.client
import json
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from entra_recovery.constants import PREFER_UNKNOWN_ENUMS
from entra_recovery.emulator.server import EmulatorServer

ROOT = "/directory/recovery"
NS = "microsoft.graph.entraRecoveryServices"
ADELE = "a1b2c3d4-0001-4000-8000-000000000001"
ALEX = "a1b2c3d4-0002-4000-8000-000000000002"
MEGAN = "a1b2c3d4-0003-4000-8000-000000000003"
BREAK_GLASS = "a1b2c3d4-0009-4000-8000-000000000009"
FINANCE = "b2c3d4e5-0001-4000-8000-000000000001"
CA_MFA = "c3d4e5f6-0001-4000-8000-000000000001"
CA_LEGACY = "c3d4e5f6-0002-4000-8000-000000000002"
CA_DEVICE = "c3d4e5f6-0003-4000-8000-000000000003"
HQ = "d4e5f6a7-0001-4000-8000-000000000001"
ROGUE_APP = "e5f6a7b8-0001-4000-8000-000000000001"
ROGUE_SP = "e5f6a7b8-0002-4000-8000-000000000002"
TENANT = "5f0c1a2b-3c4d-4e5f-8a9b-0c1d2e3f4a5b"
NAMES_FILTER = f"#{NS}.recoveryJobEntityNamesFilter"
IDS_FILTER = f"#{NS}.recoveryJobEntityNameAndIdsFilter"


@dataclass
class Reply:
    status: int
    headers: dict[str, str]
    raw: bytes

    @property
    def json(self) -> Any:
        return json.loads(self.raw)

    def header(self, name: str) -> str | None:
        return self.headers.get(name.lower())

    @property
    def error(self) -> dict[str, Any]:
        return dict(self.json["error"])


class Graph:
    """Calls one emulator; `token=None` sends no Authorization header."""

    def __init__(self, server: EmulatorServer, version: str = "v1.0") -> None:
        self.server = server
        self.version = version
        self.token: str | None = server.make_token()
        self.prefer = True
        self.conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)

    def call(
        self,
        method: str,
        path: str,
        body: Any = None,
        headers: dict[str, str] | None = None,
        raw_body: bytes | None = None,
    ) -> Reply:
        if path.startswith("http"):
            split = urlsplit(path)
            assert split.netloc == f"127.0.0.1:{self.server.port}", path
            path = split.path + ("?" + split.query if split.query else "")
        elif not path.startswith("/v1.0") and not path.startswith("/beta"):
            path = f"/{self.version}{path}"
        sent: dict[str, str] = {}
        if self.token is not None:
            sent["Authorization"] = f"Bearer {self.token}"
        if self.prefer:
            sent["Prefer"] = PREFER_UNKNOWN_ENUMS
        data = raw_body
        if body is not None:
            data = json.dumps(body).encode()
            sent["Content-Type"] = "application/json"
        sent.update(headers or {})
        self.conn.request(method, path.replace(" ", "%20"), body=data, headers=sent)
        response = self.conn.getresponse()
        raw = response.read()
        return Reply(response.status, {k.lower(): v for k, v in response.getheaders()}, raw)

    def close(self) -> None:
        self.conn.close()

    def other(self, version: str) -> Graph:
        """A second client on the same server (another API version)."""
        return Graph(self.server, version)

    def get(self, path: str, **kwargs: Any) -> Reply:
        return self.call("GET", path, **kwargs)

    def post(self, path: str, body: Any = None, **kwargs: Any) -> Reply:
        return self.call("POST", path, body, **kwargs)

    # -- conveniences ----------------------------------------------------------------------

    def snapshots(self) -> list[dict[str, Any]]:
        reply = self.get(f"{ROOT}/snapshots")
        assert reply.status == 200, reply.raw
        return list(reply.json["value"])

    def latest(self) -> str:
        return str(self.snapshots()[-1]["id"])

    def create(
        self, kind: str = "recoveryPreviewJobs", criteria: Any = None, sid: str | None = None
    ) -> Reply:
        body = None if criteria is None else {"filteringCriteria": criteria}
        return self.post(f"{ROOT}/snapshots/{sid or self.latest()}/{kind}", body)

    def start(
        self, kind: str = "recoveryPreviewJobs", criteria: Any = None, sid: str | None = None
    ) -> str:
        """Create a job and return its Location (absolute URL)."""
        reply = self.create(kind, criteria, sid)
        assert reply.status == 202, reply.raw
        return str(reply.header("location"))

    def changes(self, location: str, query: str = "") -> list[dict[str, Any]]:
        """Every change of a finished preview (follows nextLink)."""
        url: str | None = f"{location}/{NS}.getChanges{query}"
        items: list[dict[str, Any]] = []
        while url:
            reply = self.get(url)
            assert reply.status == 200, reply.raw
            items.extend(reply.json["value"])
            url = reply.json.get("@odata.nextLink")
        return items

    def preview(self, criteria: Any = None, sid: str | None = None) -> list[dict[str, Any]]:
        return self.changes(self.start("recoveryPreviewJobs", criteria, sid))


def by_id(changes: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {c["id"]: c for c in changes}

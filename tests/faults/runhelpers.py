"""Helpers for the runner's fault tests: a lost-answer `GraphApi` seam and a rewriting proxy.

- `UncertainGraph` wraps the real emulator-backed `GraphApi` and loses the answer to a
  job-creating request: the request goes through (or not), then `JobCreationUncertain` is
  raised, as the graph layer does for a timeout, a 5xx or a dropped connection. It is our own
  protocol, not the SDK: the HTTP traffic is real. Once the graph layer raises it for real, the
  tests still hold, since the wrapper raises it itself.
- rewrites for `helpers.proxy.RewritingProxy` (a loopback HTTP server in front of the emulator
  that changes chosen JSON answers, so the whole CLI, the SDK pipeline included, sees what a
  misbehaving service would send over real HTTP).
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from typing import Any

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

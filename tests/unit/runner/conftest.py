"""Fixtures for the runner tests: a real Graph client and a `PlanRunner` over the emulator."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from entra_recovery.graph.client import open_client
from entra_recovery.graph.settings import GraphSettings
from entra_recovery.plan import Plan
from entra_recovery.plan import load_plan
from entra_recovery.runner.results import Preview
from entra_recovery.runner.runner import PlanRunner
from helpers.planfiles import apply_data
from helpers.planfiles import write_plan


def graph_settings(server: Any) -> GraphSettings:
    """Settings that point the real client at `server` with its default token."""
    return GraphSettings(
        graph_url=server.url,
        access_token=server.make_token(),
        auth_method="token",
        poll_interval=0.05,
    )


def _run_with_graph(server: Any, body: Callable[[Any], Awaitable[Any]]) -> Any:
    async def go() -> Any:
        async with open_client(graph_settings(server)) as graph:
            return await body(graph)

    return asyncio.run(go())


def _run_with_runner(
    server: Any, state: Path, body: Callable[[PlanRunner], Awaitable[Any]], **kwargs: Any
) -> Any:
    async def go(graph: Any) -> Any:
        return await body(PlanRunner(graph, state_dir=state, poll_interval=0.05, **kwargs))

    return _run_with_graph(server, go)


@pytest.fixture
def with_graph() -> Callable[..., Any]:
    """Factory: `with_graph(server, body)` awaits `body(graph)` over a real client."""
    return _run_with_graph


@pytest.fixture
def with_runner() -> Callable[..., Any]:
    """Factory: `with_runner(server, state, body, **runner_kwargs)` awaits `body(runner)`."""
    return _run_with_runner


@pytest.fixture
def approved_plan() -> Callable[[Any, Path], Plan]:
    """Factory: an apply plan for the CA scope, approved with a fresh preview's fingerprint."""

    def make(server: Any, tmp_path: Path) -> Plan:
        draft = load_plan(write_plan(tmp_path, apply_data(), "draft.yaml"))
        preview: Preview = _run_with_runner(
            server, tmp_path / "state", lambda runner: runner.preview(draft)
        )
        return load_plan(write_plan(tmp_path, apply_data(preview.fingerprint), "approved.yaml"))

    return make


def posts(server: Any, collection: str) -> int:
    """How many POSTs `server` got to a job collection (`recoveryJobs`, ...)."""
    return sum(
        1
        for r in server.requests
        if r["method"] == "POST" and r["path"].rstrip("/").endswith("/" + collection)
    )


@pytest.fixture
def count_posts() -> Callable[[Any, str], int]:
    """`count_posts(server, "recoveryJobs")`: job-creating requests the emulator received."""
    return posts

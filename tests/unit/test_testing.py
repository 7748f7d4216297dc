"""`entra_recovery.testing`: the emulator fixtures and the CLI environment helpers."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC
from datetime import datetime

from unit.emulator.graphhttp import ROOT
from unit.emulator.graphhttp import Graph

from entra_recovery.emulator.server import EmulatorServer
from entra_recovery.testing import PINNED_NOW
from entra_recovery.testing import emulator_env


def test_emulator_fixture_is_demo_pinned_and_instant(emulator: EmulatorServer) -> None:
    """The `emulator` fixture serves the demo tenant at PINNED_NOW, and its jobs end at once."""
    graph = Graph(emulator)
    try:
        assert emulator.scenario.name == "demo"
        assert emulator.state.clock() == PINNED_NOW.timestamp()
        assert graph.snapshots()[-1]["createdDateTime"] == "2026-11-28T02:30:00Z"
        assert graph.get(graph.start()).json["status"] == "successful"
    finally:
        graph.close()


def test_emulator_env_points_the_cli_at_the_server(emulator: EmulatorServer) -> None:
    """`emulator_env` gives the server's URL, a token for its tenant and a short poll interval."""
    env = emulator_env(emulator)
    assert env["ENTRA_RECOVERY_GRAPH_URL"] == f"http://127.0.0.1:{emulator.port}"
    assert env["ENTRA_RECOVERY_POLL_INTERVAL"] == "0.05"
    graph = Graph(emulator)
    graph.token = env["ENTRA_RECOVERY_ACCESS_TOKEN"]
    try:
        assert graph.get(f"{ROOT}/snapshots").status == 200
        graph.token = emulator.make_token(tenant_id="00000000-0000-4000-8000-000000000000")
        assert graph.get(f"{ROOT}/snapshots").status == 401  # so the tenant is what counts
    finally:
        graph.close()


def test_make_emulator_overrides_and_context_manager(
    make_emulator: Callable[..., EmulatorServer],
) -> None:
    """`make_emulator` takes overrides (scenario, clock); the server is a context manager too."""
    server = make_emulator(scenario="empty", now=datetime(2026, 1, 1, 1, 0, tzinfo=UTC))
    graph = Graph(server)
    try:
        newest = graph.snapshots()[-1]["createdDateTime"]
        assert newest == "2025-12-31T02:30:00Z"  # before 02:30Z: yesterday's snapshot
    finally:
        graph.close()
    with EmulatorServer(scenario="empty", job_durations=0) as other:
        assert other.port and other.url.startswith("http://127.0.0.1:")

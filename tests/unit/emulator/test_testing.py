"""The public test helpers and the tenant model's mutation API."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC
from datetime import datetime

import pytest
from unit.emulator.graphhttp import ADELE
from unit.emulator.graphhttp import BREAK_GLASS
from unit.emulator.graphhttp import FINANCE
from unit.emulator.graphhttp import ROOT
from unit.emulator.graphhttp import Graph

from entra_recovery.emulator.server import EmulatorServer
from entra_recovery.testing import PINNED_NOW
from entra_recovery.testing import emulator_env


def test_emulator_fixture_is_demo_pinned_and_instant(emulator: EmulatorServer) -> None:
    assert datetime(2026, 11, 28, 9, 0, tzinfo=UTC) == PINNED_NOW
    assert emulator.scenario.name == "demo"
    assert emulator.url == f"http://127.0.0.1:{emulator.port}"
    env = emulator_env(emulator)
    assert env["ENTRA_RECOVERY_GRAPH_URL"] == emulator.url
    assert env["ENTRA_RECOVERY_POLL_INTERVAL"] == "0.05"
    assert env["ENTRA_RECOVERY_ACCESS_TOKEN"].count(".") == 2


def test_make_emulator_overrides_and_context_manager(
    make_emulator: Callable[..., EmulatorServer],
) -> None:
    server = make_emulator(scenario="empty", now=datetime(2026, 1, 1, 1, 0, tzinfo=UTC))
    graph = Graph(server)
    try:
        newest = graph.snapshots()[-1]["createdDateTime"]
        assert newest == "2025-12-31T02:30:00Z"  # before 02:30Z: yesterday's snapshot
    finally:
        graph.close()
    with EmulatorServer(scenario="empty", job_durations=0) as other:
        assert other.port and other.url.startswith("http://127.0.0.1:")


def test_state_mutation_api(graph: Graph) -> None:
    state = graph.server.state
    with pytest.raises(KeyError):
        state.update_object("user", "no-such-user", {"city": "x"})
    with pytest.raises(ValueError, match="id of an object"):
        state.update_object("user", ADELE, {"id": "other"})
    with pytest.raises(KeyError, match="unknown entity type"):
        state.update_object("users", ADELE, {})
    with pytest.raises(KeyError, match="not a live object"):
        state.soft_delete("user", ADELE)  # deleted by the incident already
    with pytest.raises(ValueError, match="already exists"):
        state.create_object("user", {"id": BREAK_GLASS})
    state.restore("user", ADELE)
    state.remove_member(FINANCE, "a1b2c3d4-0003-4000-8000-000000000003")
    state.add_member(FINANCE, BREAK_GLASS)
    changes = {c["id"]: c for c in graph.preview()}
    assert ADELE not in changes
    links = changes[FINANCE]["deltaFromCurrent"]["members@delta"]
    assert {
        "@odata.type": "#microsoft.graph.user",
        "id": BREAK_GLASS,
        "@removed": {"reason": "changed"},
    } in links
    assert graph.get(f"{ROOT}/jobs/$count").raw == b"1"


def test_job_ids_are_deterministic_per_server(make_graph: Callable[..., Graph]) -> None:
    first, second = make_graph(), make_graph()
    ids = [g.start().rsplit("/", 1)[1] for g in (first, second)]
    assert ids[0] == ids[1]
    assert first.start().rsplit("/", 1)[1] != ids[0]

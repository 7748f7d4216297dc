"""The tenant model's mutation API, as scenarios and tests use it."""

from __future__ import annotations

import pytest
from unit.emulator.graphhttp import ADELE
from unit.emulator.graphhttp import BREAK_GLASS
from unit.emulator.graphhttp import FINANCE
from unit.emulator.graphhttp import ROOT
from unit.emulator.graphhttp import Graph


def test_state_mutation_api(graph: Graph) -> None:
    """Bad mutations raise; good ones show up in the next preview."""
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

"""Fixtures for the emulator tests: `graph` talks to the `emulator` fixture over HTTP."""

from __future__ import annotations

from collections.abc import Callable
from collections.abc import Iterator
from typing import Any

import pytest
from unit.emulator.graphhttp import Graph

from entra_recovery.emulator.server import EmulatorServer


@pytest.fixture
def graph(emulator: EmulatorServer) -> Iterator[Graph]:
    client = Graph(emulator)
    yield client
    client.close()


@pytest.fixture
def make_graph(make_emulator: Callable[..., EmulatorServer]) -> Iterator[Callable[..., Graph]]:
    clients: list[Graph] = []

    def make(version: str = "v1.0", **kwargs: Any) -> Graph:
        client = Graph(make_emulator(**kwargs), version)
        clients.append(client)
        return client

    yield make
    for client in clients:
        client.close()

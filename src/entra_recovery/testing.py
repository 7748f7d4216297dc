"""
Public test helpers: pytest fixtures that run the Graph emulator, and CLI environment helpers.

Load with `pytest_plugins = ["entra_recovery.testing"]`. `emulator` is a started demo-scenario
`EmulatorServer` with zero job durations and the clock pinned at 2026-11-28T09:00:00Z;
`make_emulator(**kwargs)` starts more (same defaults, overridable) and stops them at teardown.
Importing this module does not need pytest.
"""

from __future__ import annotations

from collections.abc import Callable
from collections.abc import Iterator
from datetime import UTC
from datetime import datetime
from typing import TYPE_CHECKING
from typing import Any

from entra_recovery.constants import ENV_ACCESS_TOKEN
from entra_recovery.constants import ENV_GRAPH_URL
from entra_recovery.constants import ENV_POLL_INTERVAL

if TYPE_CHECKING:
    from entra_recovery.emulator.server import EmulatorServer

PINNED_NOW = datetime(2026, 11, 28, 9, 0, 0, tzinfo=UTC)
TEST_DEFAULTS: dict[str, Any] = {"scenario": "demo", "now": PINNED_NOW, "job_durations": 0}


def start_emulator(**kwargs: Any) -> EmulatorServer:
    """A started emulator with the test defaults (demo, pinned clock, zero durations)."""
    from entra_recovery.emulator.server import EmulatorServer

    return EmulatorServer(**{**TEST_DEFAULTS, **kwargs}).start()


def emulator_env(server: EmulatorServer) -> dict[str, str]:
    """Environment variables that point the CLI at `server` with its default token."""
    return {
        ENV_GRAPH_URL: server.url,
        ENV_ACCESS_TOKEN: server.make_token(),
        ENV_POLL_INTERVAL: "0.05",
    }


try:
    import pytest
except ImportError:  # pragma: no cover - pytest is optional for library users
    pytest = None  # type: ignore[assignment]

if pytest is not None:

    @pytest.fixture
    def emulator() -> Iterator[EmulatorServer]:
        """The demo tenant on a free loopback port (jobs finish instantly, clock pinned)."""
        server = start_emulator()
        try:
            yield server
        finally:
            server.stop()

    @pytest.fixture
    def make_emulator() -> Iterator[Callable[..., EmulatorServer]]:
        """Factory: `make_emulator(scenario="empty", ...)`; every server is stopped afterwards."""
        servers: list[EmulatorServer] = []

        def make(**kwargs: Any) -> EmulatorServer:
            server = start_emulator(**kwargs)
            servers.append(server)
            return server

        try:
            yield make
        finally:
            for server in servers:
                server.stop()

"""
`AppContext`: the global options, and the lazy construction of what commands need.

Commands that do not talk to Graph never build credentials or start the emulator: both happen
only when a command calls `graph_settings()` / `graph_client()`.
"""

from __future__ import annotations

import contextlib
import dataclasses
import os
import sys
from dataclasses import dataclass
from dataclasses import field
from pathlib import Path
from typing import TYPE_CHECKING
from typing import Any

from entra_recovery.graph.settings import GraphSettings
from entra_recovery.statedir import default_state_dir

if TYPE_CHECKING:
    from entra_recovery.emulator.server import EmulatorServer


def person_at_terminal() -> bool:
    """True when someone can answer a sign-in prompt: stdin and stderr are terminals."""
    return sys.stdin.isatty() and sys.stderr.isatty()


@dataclass
class AppContext:
    """Values of the global options, plus resources started on demand."""

    emulator: bool = False
    emulator_scenario: str | None = None
    emulator_state: str | None = None
    emulator_tenants: int = 1
    graph_url: str | None = None
    api_version: str | None = None
    poll_interval: float | None = None
    request_timeout: float | None = None
    auth_method: str | None = None
    tenant_id: str | None = None
    client_id: str | None = None
    color: str = "auto"
    quiet: bool = False
    state_dir: str | None = None
    _emulator_server: EmulatorServer | None = field(default=None, repr=False)
    _settings: GraphSettings | None = field(default=None, repr=False)
    _exit_stack: contextlib.ExitStack = field(default_factory=contextlib.ExitStack, repr=False)

    def graph_settings(self) -> GraphSettings:
        """Settings from options over environment; with --emulator, start it and use it."""
        if self._settings is not None:
            return self._settings
        overrides: dict[str, Any] = {
            "graph_url": self.graph_url,
            "api_version": self.api_version,
            "poll_interval": self.poll_interval,
            "request_timeout": self.request_timeout,
            "auth_method": self.auth_method,
            "tenant_id": self.tenant_id,
            "client_id": self.client_id,
            "interactive": person_at_terminal(),
            "signin_dir": self.base_state_dir() / "signins",
        }
        if self.emulator:
            server = self.start_emulator()
            overrides["graph_url"] = server.url
            overrides["access_token"] = server.make_token()
            overrides["auth_method"] = "token"
            if self.poll_interval is None and not os.environ.get("ENTRA_RECOVERY_POLL_INTERVAL"):
                overrides["poll_interval"] = 0.2
        self._settings = GraphSettings.from_env(**overrides)
        return self._settings

    def base_state_dir(self) -> Path:
        """--state-dir, else ENTRA_RECOVERY_STATE_DIR, else the user's default."""
        return Path(self.state_dir).expanduser() if self.state_dir else default_state_dir()

    def settings_for_tenant(self, tenant: str | None) -> GraphSettings:
        """The settings for work in `tenant` (a plan's): its stored sign-in and authority, unless
        --tenant-id or ENTRA_RECOVERY_TENANT_ID named one explicitly (then the runner's tenant
        gate refuses a plan for another tenant)."""
        settings = self.graph_settings()
        if self.emulator:
            # Each tenant the emulator serves gets its own token; any other keeps the default
            # token, so the runner's tenant gate refuses the plan as for a real tenant.
            server = self.start_emulator()
            if tenant is None or not server.serves(tenant):
                return settings
            return dataclasses.replace(settings, access_token=server.make_token(tenant_id=tenant))
        if tenant is None or settings.tenant_id is not None:
            return settings
        return dataclasses.replace(settings, tenant_id=tenant)

    def start_emulator(self) -> EmulatorServer:
        """Start the bundled emulator in-process on a free loopback port (once)."""
        if self._emulator_server is None:
            from entra_recovery.emulator.server import EmulatorServer

            server = EmulatorServer(
                scenario=self.emulator_scenario or "demo",
                state_file=self.emulator_state,
                tenants=self.emulator_tenants,
            )
            server.start()
            self._exit_stack.callback(server.stop)
            self._emulator_server = server
        return self._emulator_server

    def close(self) -> None:
        self._exit_stack.close()

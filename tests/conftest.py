"""Test-wide fixtures: protect the machine from real network and real credentials."""

from __future__ import annotations

import ipaddress
import socket

import pytest

pytest_plugins = ["entra_recovery.testing"]

_real_connect = socket.socket.connect


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--update-golden",
        action="store_true",
        default=False,
        help="rewrite tests/golden/** from the current renderers instead of comparing",
    )


def _is_loopback(address: object) -> bool:
    if isinstance(address, tuple) and address:
        host = address[0]
        if host in ("localhost",):
            return True
        try:
            return ipaddress.ip_address(host).is_loopback
        except ValueError:
            return False
    return True  # unix sockets and the like


@pytest.fixture(autouse=True, scope="session")
def _loopback_only() -> object:
    """Outbound network is blocked except loopback: tests never reach a real Graph."""

    def guarded_connect(self: socket.socket, address: object) -> object:
        if not _is_loopback(address):
            raise RuntimeError(f"test tried to connect to {address!r}: only loopback is allowed")
        return _real_connect(self, address)  # type: ignore[arg-type]

    socket.socket.connect = guarded_connect  # type: ignore[method-assign,assignment]
    yield
    socket.socket.connect = _real_connect  # type: ignore[method-assign]


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory) -> None:
    """No ENTRA_RECOVERY_* or AZURE_* settings leak in from the developer's shell, and no test
    appends to the job summary of the CI run that runs it (GITHUB_STEP_SUMMARY)."""
    import os

    for name in list(os.environ):
        if name.startswith(("ENTRA_RECOVERY_", "AZURE_")) or name == "GITHUB_STEP_SUMMARY":
            monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("ENTRA_RECOVERY_STATE_DIR", str(tmp_path_factory.mktemp("state")))
    monkeypatch.setenv("NO_COLOR", "1")

"""`--help` and commands that never reach Graph do not import msgraph (python -X importtime)."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

HEAVY = ("msgraph", "kiota_", "azure.identity")


def imported_modules(*args: str, token: str | None = None) -> tuple[str, set[str]]:
    """Run the CLI in a fresh interpreter; return its stderr messages and every module it
    imported."""
    result = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "entra_recovery", *args],
        capture_output=True,
        text=True,
        timeout=60,
        env={
            **os.environ,
            "PATH": "/usr/bin:/bin",
            **({"ENTRA_RECOVERY_ACCESS_TOKEN": token} if token else {}),
        },
        check=False,
    )
    modules = set()
    messages = []
    for line in result.stderr.splitlines():
        if line.startswith("import time:") and "|" in line:
            modules.add(line.rsplit("|", 1)[1].strip())
        else:
            messages.append(line)
    return "\n".join(messages), modules


@pytest.mark.parametrize(
    "args",
    [
        ("--help",),
        ("snapshot", "--help"),
        ("recovery-job", "create", "--help"),
        ("preview-job", "create", "SID", "--object", "not-type-and-id"),
        ("recovery-job", "create", "SID", "--what-if"),
    ],
)
def test_no_sdk_import_without_graph_call(args: tuple[str, ...]) -> None:
    """msgraph, kiota and azure-identity stay unloaded."""
    messages, modules = imported_modules(*args)
    assert modules, "importtime output was not captured"
    heavy = sorted(m for m in modules if m.startswith(HEAVY))
    assert heavy == [], f"{args} imported {heavy[:5]}: {messages}"
    assert "unexpected error" not in messages


def test_a_graph_command_does_load_the_sdk() -> None:
    """The check can fail: a command that calls Graph does import msgraph."""
    messages, modules = imported_modules(
        "--graph-url", "http://127.0.0.1:9", "snapshot", "list", "-o", "json", token="t"
    )
    assert any(m.startswith("msgraph") for m in modules)
    assert "could not reach Graph at http://127.0.0.1:9" in messages

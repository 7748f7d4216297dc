"""A server that puts our own opaque token into its data: every output redacts it verbatim."""

from __future__ import annotations

import json

import pytest
from faults.transport_servers import FaultServer
from faults.transport_servers import answer

from helpers.clirun import run_cli

OPAQUE = "opaqueTOKEN-5b1f9d0c7a3e4f21"  # no JWT shape, no `Bearer` in front of it


@pytest.mark.parametrize("fmt", ["json", "jsonl", "table"])
def test_parity_output_never_prints_the_token(fmt: str) -> None:
    """`snapshot list -o FMT` against a server echoing the token in a field: stdout shows
    `[redacted]`, never the value (the JSON stays valid)."""
    item = {"id": "MjAyNi0xMS0yOFQwMjozMDowMFo=", "createdDateTime": "2026-11-28T02:30:00Z"}
    item["note"] = f"issued for {OPAQUE}"
    server = FaultServer(answer(200, {"value": [item]})).start()
    try:
        env = {"ENTRA_RECOVERY_GRAPH_URL": server.url, "ENTRA_RECOVERY_ACCESS_TOKEN": OPAQUE}
        result = run_cli(["snapshot", "list", "--select", "id,note", "-o", fmt], env=env)
    finally:
        server.stop()
    assert result.code == 0, result.stderr
    assert OPAQUE not in result.stdout + result.stderr
    assert "[redacted]" in result.stdout
    if fmt == "json":
        assert json.loads(result.stdout)[0]["note"] == "issued for [redacted]"

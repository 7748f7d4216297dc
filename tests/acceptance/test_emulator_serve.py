"""`entra-recovery emulator serve` as a subprocess: URL + token printed, serves, stops on Ctrl-C."""

from __future__ import annotations

import json
import os
import shlex
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from helpers.clirun import run_cli


def _serve(*args: str) -> tuple[subprocess.Popen[str], dict[str, str]]:
    process = subprocess.Popen(
        [sys.executable, "-m", "entra_recovery", "emulator", "serve", "--port", "0", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    assert process.stdout is not None
    found: dict[str, str] = {}
    for line in process.stdout:
        words = shlex.split(line)
        if words and words[0] == "export":
            key, _, value = words[1].partition("=")
            found[key] = value
        elif line.startswith("ENTRA_RECOVERY_"):
            found["unexported " + line.strip()] = ""
        if "ENTRA_RECOVERY_ACCESS_TOKEN" in found:
            break
    return process, found


def _stop(process: subprocess.Popen[str]) -> None:
    process.send_signal(signal.SIGINT)
    process.communicate(timeout=15)


def _wait(location: str, token: str) -> None:
    for _ in range(100):
        status = json.loads(_get(location, token)[2])["status"]
        if status in ("successful", "failed", "abandoned"):
            assert status == "successful"
            return
        time.sleep(0.1)
    raise AssertionError(f"job {location} did not finish")


def _get(url: str, token: str) -> tuple[int, dict[str, str], bytes]:
    request = urllib.request.Request(url, headers={"Authorization": f"Bearer {token}"})
    with urllib.request.urlopen(request, timeout=10) as response:
        return response.status, dict(response.headers), response.read()


def _post(url: str, token: str) -> tuple[int, str]:
    request = urllib.request.Request(
        url, method="POST", data=b"", headers={"Authorization": f"Bearer {token}"}
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        return response.status, response.headers["Location"]


@pytest.mark.slow
def test_serve_prints_url_and_token_and_stops_on_ctrl_c(tmp_path: Path) -> None:
    """`emulator serve` prints its URL and token, serves, persists --state and stops on Ctrl-C."""
    state = tmp_path / "tenant.json"
    log = tmp_path / "requests.jsonl"
    process, found = _serve("--state", str(state), "--request-log", str(log))
    try:
        base = found["ENTRA_RECOVERY_GRAPH_URL"]
        token = found["ENTRA_RECOVERY_ACCESS_TOKEN"]
        assert base.startswith("http://127.0.0.1:")
        status, _, body = _get(f"{base}/v1.0/directory/recovery/snapshots", token)
        assert status == 200 and len(json.loads(body)["value"]) == 7
        sid = json.loads(body)["value"][-1]["id"]
        status, location = _post(
            f"{base}/beta/directory/recovery/snapshots/{sid}/recoveryJobs", "any-opaque-token"
        )
        assert status == 202 and location.startswith(f"{base}/beta/directory/recovery/")
        _wait(location, token)
    finally:
        _stop(process)
    assert process.returncode in (0, 130)
    assert token not in log.read_text(encoding="utf-8")
    assert state.exists()
    # the recovery persisted: a second run previews nothing for the latest snapshot
    process, found = _serve("--state", str(state))
    try:
        base, token = found["ENTRA_RECOVERY_GRAPH_URL"], found["ENTRA_RECOVERY_ACCESS_TOKEN"]
        root = f"{base}/v1.0/directory/recovery/snapshots/{sid}"
        _, location = _post(f"{root}/recoveryPreviewJobs", token)
        _wait(location, token)
        changes = f"{location}/microsoft.graph.entraRecoveryServices.getChanges"
        assert json.loads(_get(changes, token)[2])["value"] == []
    finally:
        _stop(process)


def test_serve_refuses_an_unknown_scenario() -> None:
    """An unknown scenario or a malformed --scenario-param is refused with a message."""
    result = run_cli(["emulator", "serve", "--scenario", "nope"])
    assert result.code != 0
    assert "unknown scenario 'nope'" in result.stderr
    bad = run_cli(["emulator", "serve", "--scenario-param", "size"])
    assert bad.code != 0 and "KEY=VALUE" in bad.stderr


def test_serve_prints_lines_a_shell_can_paste(tmp_path: Path) -> None:
    """The printed settings are `export` lines: pasted into bash they reach the CLI (a bare
    `VAR=value` line would leave it pointing at real Graph); `--env-format pwsh` prints `$env:`."""
    process, found = _serve()
    try:
        assert set(found) == {"ENTRA_RECOVERY_GRAPH_URL", "ENTRA_RECOVERY_ACCESS_TOKEN"}
        script = "\n".join(f"export {k}={shlex.quote(v)}" for k, v in found.items())
        echoed = subprocess.run(
            ["bash", "-c", script + "\nbash -c 'echo \"$ENTRA_RECOVERY_GRAPH_URL\"'"],
            capture_output=True,
            text=True,
            check=True,
        )
        assert echoed.stdout.strip() == found["ENTRA_RECOVERY_GRAPH_URL"]
    finally:
        _stop(process)
    pwsh = subprocess.Popen(
        [sys.executable, "-m", "entra_recovery", "emulator", "serve", "--env-format", "pwsh"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    assert pwsh.stdout is not None
    lines = [pwsh.stdout.readline() for _ in range(3)]
    _stop(pwsh)
    assert lines[1].startswith('$env:ENTRA_RECOVERY_GRAPH_URL = "http://127.0.0.1:')
    assert lines[2].startswith('$env:ENTRA_RECOVERY_ACCESS_TOKEN = "')


@pytest.mark.slow
def test_serve_several_tenants_prints_each_tenant() -> None:
    """`--tenants 2` names both tenants and prints a working token for the second one."""
    process, found = _serve("--tenants", "2")
    assert process.stdout is not None
    try:
        lines = [process.stdout.readline() for _ in range(2)]
        assert lines[0].startswith("That token is for tenant 5f0c1a2b-")
        tenant, _, token = lines[1].strip().partition(": ")
        base = found["ENTRA_RECOVERY_GRAPH_URL"]
        status, _, body = _get(f"{base}/v1.0/directory/recovery/snapshots", token)
        assert status == 200 and len(json.loads(body)["value"]) == 7
        default = found["ENTRA_RECOVERY_ACCESS_TOKEN"]
        assert _get(f"{base}/v1.0/directory/recovery/jobs", default)[0] == 200
    finally:
        _stop(process)
    assert tenant == "b755df15-6348-51e3-a6d8-9ccb2b3a1e32"

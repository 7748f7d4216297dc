"""`plan apply` at a real terminal (a pseudo-terminal): the confirmation prompt is not drawn
over by a spinner, and only a typed `yes` starts the recovery."""

from __future__ import annotations

import json
import os
import re
import select
import signal
import sys
import time
from pathlib import Path

import pytest

pty = pytest.importorskip("pty")

PROMPT = b"Type 'yes' to recover"
SPINNER = re.compile("[\u2800-\u28ff]")  # rich's dots spinner frames
PLAN = Path(__file__).resolve().parents[2] / "recovery_plans" / "apply-ca-rollback.yaml"


def _cli(*args: str) -> list[str]:
    return [sys.executable, "-m", "entra_recovery", *args]


def _in_pty(argv: list[str], answer: bytes, env: dict[str, str]) -> tuple[str, str, int]:
    """Run `argv` on a pseudo-terminal, type `answer` once the prompt shows (after giving a
    spinner a second to draw over it); return the screen before and after the answer."""
    pid, fd = pty.fork()
    if pid == 0:  # pragma: no cover - the child
        os.execvpe(argv[0], argv, env)
    out, sent_at, deadline = b"", None, time.monotonic() + 60
    while time.monotonic() < deadline:
        ready, _, _ = select.select([fd], [], [], 0.1)
        if ready:
            try:
                chunk = os.read(fd, 65536)
            except OSError:
                break
            if not chunk:
                break
            out += chunk
        if sent_at is None and PROMPT in out:
            time.sleep(1.0)
            while select.select([fd], [], [], 0.2)[0]:
                out += os.read(fd, 65536)
            sent_at = len(out)
            os.write(fd, answer + b"\r")
    else:
        os.kill(pid, signal.SIGKILL)
    _, status = os.waitpid(pid, 0)
    os.close(fd)
    assert sent_at is not None, out.decode(errors="replace")
    text = out.decode(errors="replace")
    cut = len(out[:sent_at].decode(errors="replace"))
    return text[:cut], text[cut:], os.waitstatus_to_exitcode(status)


def _recovery_posts(state_file: Path) -> int:
    """Recovery jobs the emulator saw (its request log), not counting previews."""
    log = state_file.with_suffix(".log")
    if not log.exists():
        return 0
    lines = [json.loads(line) for line in log.read_text().splitlines() if line.strip()]
    return sum(1 for r in lines if r["method"] == "POST" and r["path"].endswith("/recoveryJobs"))


@pytest.mark.slow
@pytest.mark.skipif(sys.platform == "win32", reason="needs a POSIX pseudo-terminal")
def test_apply_prompt_at_a_terminal(tmp_path: Path) -> None:
    state = tmp_path / "tenant.json"
    env = {
        **os.environ,
        "ENTRA_RECOVERY_STATE_DIR": str(tmp_path / "state"),
        "COLUMNS": "120",
        "TERM": "xterm",
        "PYTHONUNBUFFERED": "1",
    }
    env.pop("NO_COLOR", None)
    base = ["--emulator", "--emulator-state", str(state)]
    import subprocess

    preview = subprocess.run(
        _cli(*base, "plan", "preview", str(PLAN)), capture_output=True, text=True, env=env
    )
    assert preview.returncode == 2, preview.stderr
    fingerprint = re.search(r"sha256:[0-9a-f]{64}", preview.stdout.split("Fingerprint:")[1])
    assert fingerprint is not None
    apply = _cli(*base, "plan", "apply", str(PLAN), "--fingerprint", fingerprint.group(0))

    # `y` is not `yes`: refused (exit 3), no recovery job in the emulator's tenant.
    before, after, code = _in_pty(apply, b"y", env)
    assert code == 3, before + after
    assert "matches the approved one" in before
    for shown in ("tenant:", "snapshot:", "objects:", fingerprint.group(0)):
        assert shown in before.split("cannot be undone")[-1]
    prompt_line = before[before.rindex("Type 'yes'") :]
    assert not SPINNER.search(prompt_line), repr(prompt_line)
    assert not SPINNER.search(after), repr(after)
    assert "To apply exactly this change set" not in before
    assert "not confirmed" in after
    runs = sorted((tmp_path / "state" / "emulator" / "runs").glob("*.json"))
    assert json.loads(runs[-1].read_text())["recovery_job_id"] is None

    # `yes`: the recovery runs and succeeds.
    before, after, code = _in_pty(apply, b"yes", env)
    assert code == 0, before + after
    assert re.search(r"Recovery job \S+ successful", after), after
    runs = sorted((tmp_path / "state" / "emulator" / "runs").glob("*.json"))
    assert json.loads(runs[-1].read_text())["recovery_job_id"]

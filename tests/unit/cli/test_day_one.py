"""Day one at the terminal: next steps that work, clear refusals, the emulator's own state,
shell completion and a progress clock that ticks."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from rich.console import Console

from entra_recovery.cli.progress import TerminalProgress
from entra_recovery.graph.models import Job
from helpers.clirun import run_cli
from helpers.planfiles import apply_data
from helpers.planfiles import plan_data
from helpers.planfiles import write_plan

PLACEHOLDER = "sha256:" + "0" * 64


def _emulated(tmp_path: Path, *args: str) -> Any:
    env = {"ENTRA_RECOVERY_STATE_DIR": str(tmp_path / "state")}
    return run_cli(["--emulator", *args], env)


def test_preview_only_plan_says_how_to_approve_not_a_refused_command(tmp_path: Path) -> None:
    """A `mode: preview` plan's preview ends with how to approve it, never with a `plan apply`
    command that would be refused (exit 3)."""
    plan = write_plan(tmp_path, plan_data())
    result = _emulated(tmp_path, "plan", "preview", str(plan))
    assert result.code == 2, result.stderr
    assert "To apply exactly this change set" not in result.stdout
    assert "--fingerprint" not in result.stdout + result.stderr
    assert "mode: apply" in result.stderr
    assert "change: <your change reference>" in result.stderr
    fingerprint = result.stdout.split("Fingerprint: ")[1].split()[0]
    assert f"fingerprint: {fingerprint}" in result.stderr


def test_apply_mode_plan_keeps_its_apply_command(tmp_path: Path) -> None:
    plan = write_plan(tmp_path, apply_data())
    result = _emulated(tmp_path, "plan", "preview", str(plan))
    assert "To apply exactly this change set" in result.stdout
    assert "mode: apply" not in result.stderr


def test_placeholder_fingerprint_is_not_called_tenant_drift(tmp_path: Path) -> None:
    """`sha256:000...` was never a preview's fingerprint: say so, not "the tenant changed"."""
    plan = write_plan(tmp_path, apply_data(PLACEHOLDER))
    result = _emulated(tmp_path, "plan", "apply", str(plan), "--yes")
    assert result.code == 3
    assert "placeholder" in result.stderr
    assert "tenant changed" not in result.stderr


def test_two_bare_emulator_runs_give_the_same_fingerprint(tmp_path: Path) -> None:
    """The demo's history is seeded against a pinned time base, not the instant of the run."""
    repo = Path(__file__).resolve().parents[3]
    plan = repo / "recovery_plans" / "restore-deleted-users.yaml"
    prints = {
        _emulated(tmp_path, "plan", "preview", str(plan)).stdout.split("Fingerprint: ")[1][:71]
        for _ in range(2)
    }
    assert len(prints) == 1


def test_emulator_runs_keep_their_own_state_and_audit_names_the_endpoint(
    tmp_path: Path,
) -> None:
    plan = write_plan(tmp_path, plan_data())
    _emulated(tmp_path, "plan", "preview", str(plan))
    assert not (tmp_path / "state" / "audit.jsonl").exists()
    [record] = [
        json.loads(line)
        for line in (tmp_path / "state" / "emulator" / "audit.jsonl").read_text().splitlines()
    ]
    assert record["graph_url"].startswith("http://127.0.0.1:")


def test_unknown_job_under_bare_emulator_hints_at_emulator_state(tmp_path: Path) -> None:
    result = _emulated(tmp_path, "job", "get", "00000000-0000-4000-8000-000000000000")
    assert result.code == 1
    assert "--emulator-state FILE" in result.stderr
    assert "emulator serve" in result.stderr


@pytest.mark.parametrize("shell", ["bash", "zsh", "fish"])
def test_completion_prints_a_script(shell: str) -> None:
    result = run_cli(["completion", shell])
    assert result.code == 0
    assert "_ENTRA_RECOVERY_COMPLETE" in result.stdout
    assert "entra-recovery" in result.stdout


def test_elapsed_clock_ticks_between_polls(monkeypatch: pytest.MonkeyPatch) -> None:
    """The elapsed time moves every second, not only when a poll comes back; the reading of
    changes shows `n / N` from the job's total; the label says which job (never "job job")."""
    now = [100.0]
    monkeypatch.setattr("entra_recovery.cli.progress.time.monotonic", lambda: now[0])
    progress = TerminalProgress(enabled=False, console=Console())
    progress.stage_started("preview-job", "scope")
    job = Job.from_json(
        {
            "id": "j1",
            "status": "initialized",
            "totalChangedObjectsCalculated": 40,
            "@odata.type": "#microsoft.graph.entraRecoveryServices.recoveryPreviewJob",
        }
    )
    progress.job_polled(job, 0.0)
    assert progress.line() == "preview job j1: initialized (0s, 40 objects)"
    now[0] += 17
    assert progress.line() == "preview job j1: initialized (17s, 40 objects)"
    progress.changes_listed(10)
    assert progress.line().startswith("reading changes: 10 / 40")
    assert "job job" not in progress.line()

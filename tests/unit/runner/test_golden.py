"""The runner's terminal and Markdown output for the demo incident, against golden files."""

from __future__ import annotations

import asyncio
from datetime import UTC
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from entra_recovery.graph.client import open_client
from entra_recovery.graph.settings import GraphSettings
from entra_recovery.plan import load_plan
from entra_recovery.report import RENDERERS
from entra_recovery.report import RenderOptions
from entra_recovery.runner.reporting import build_report
from entra_recovery.runner.runner import PlanRunner

ROOT = Path(__file__).resolve().parents[3]
GOLDEN = ROOT / "tests" / "golden" / "runner"
FIXED = datetime(2026, 11, 28, 9, 0, tzinfo=UTC)


def _preview(server: Any, plan_path: str, state: Path) -> Any:
    settings = GraphSettings(
        graph_url=server.url,
        access_token=server.make_token(),
        auth_method="token",
        poll_interval=0.05,
    )

    async def go() -> Any:
        async with open_client(settings) as graph:
            runner = PlanRunner(graph, state_dir=state, poll_interval=0.05, clock=lambda: FIXED)
            return await runner.preview(load_plan(plan_path))

    return asyncio.run(go())


@pytest.mark.parametrize(
    ("plan", "fmt", "suffix"),
    [
        ("rollback-ca-incident", "terminal", ".txt"),
        ("rollback-ca-incident", "markdown", ".md"),
        ("restore-deleted-users", "terminal", ".txt"),
        ("undo-group-membership", "terminal", ".txt"),
    ],
)
def test_runner_output_matches_golden(
    emulator: Any,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    request: pytest.FixtureRequest,
    plan: str,
    fmt: str,
    suffix: str,
) -> None:
    """A preview of a shipped example renders exactly as the golden file (job ids masked)."""
    monkeypatch.chdir(ROOT)
    preview = _preview(emulator, f"recovery_plans/{plan}.yaml", tmp_path)
    text = RENDERERS[fmt].render(build_report(preview), RenderOptions())
    text = text.replace(preview.job.id, "<preview-job-id>")
    golden = GOLDEN / f"{plan}{suffix}"
    if request.config.getoption("--update-golden"):
        golden.write_text(text, encoding="utf-8")
    assert text == golden.read_text(encoding="utf-8")

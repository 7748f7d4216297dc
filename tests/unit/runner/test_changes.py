"""Reading a preview job's changes: pages into the diff, fingerprint and digests, with progress."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from entra_recovery.diff import Fingerprinter
from entra_recovery.plan import load_plan
from entra_recovery.runner.changes import ChangeSet
from entra_recovery.runner.changes import read_changes
from entra_recovery.runner.events import NoopEvents
from entra_recovery.runner.results import Preview
from entra_recovery.runner.runner import PlanRunner
from helpers.planfiles import plan_data
from helpers.planfiles import write_plan


class Progress(NoopEvents):
    def __init__(self) -> None:
        self.seen: list[tuple[str, object]] = []

    def stage_started(self, stage: str, detail: str) -> None:
        self.seen.append(("started", stage))

    def changes_listed(self, count: int) -> None:
        self.seen.append(("listed", count))

    def stage_finished(self, stage: str, detail: str) -> None:
        self.seen.append(("finished", detail))


def test_read_changes_rebuilds_the_preview_change_set(
    emulator: Any, tmp_path: Path, with_runner: Callable[..., Any]
) -> None:
    """Re-reading a finished preview job gives its diff, fingerprint and digests again."""
    plan = load_plan(write_plan(tmp_path, plan_data()))
    progress = Progress()

    async def go(runner: PlanRunner) -> tuple[Preview, ChangeSet]:
        preview = await runner.preview(plan)
        changes = await read_changes(
            runner.graph, progress, preview.snapshot, preview.criteria, preview.job
        )
        return preview, changes

    preview, changes = with_runner(emulator, tmp_path / "state", go)
    assert changes.diff == preview.diff
    assert changes.fingerprint == preview.fingerprint
    assert dict(changes.digests) == dict(preview.digests)
    assert set(changes.digests) == {c.key for c in preview.diff.changes}
    count = len(preview.diff.changes)
    assert progress.seen == [
        ("started", "changes"),
        ("listed", count),
        ("finished", f"{count} change(s)"),
    ]


@pytest.mark.parametrize("chunk", [1, 3])
def test_chunking_does_not_change_the_result(
    emulator: Any,
    tmp_path: Path,
    with_runner: Callable[..., Any],
    monkeypatch: pytest.MonkeyPatch,
    chunk: int,
) -> None:
    """Pages are processed in chunks between event-loop visits; the change set is the same."""
    plan = load_plan(write_plan(tmp_path, plan_data()))
    whole: Preview = with_runner(emulator, tmp_path / "state", lambda r: r.preview(plan))
    monkeypatch.setattr("entra_recovery.runner.changes.CHUNK", chunk)

    async def go(runner: PlanRunner) -> ChangeSet:
        return await read_changes(
            runner.graph, NoopEvents(), whole.snapshot, whole.criteria, whole.job
        )

    changes: ChangeSet = with_runner(emulator, tmp_path / "state", go)
    assert (changes.diff, changes.fingerprint) == (whole.diff, whole.fingerprint)
    assert Fingerprinter(whole.snapshot.id, whole.criteria.to_json()).hexdigest() != (
        changes.fingerprint
    )

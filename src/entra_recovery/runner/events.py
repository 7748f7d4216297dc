"""
`RunnerEvents`: the narrow progress interface between the runner and whoever displays it.

The runner reports what it is doing (stages, job polls, change pages); the CLI implements this
with a progress display on a terminal and stays quiet otherwise. `NoopEvents` is the default.
"""

from __future__ import annotations

from typing import Protocol

from entra_recovery.graph.models import Job


class RunnerEvents(Protocol):
    """Progress callbacks; every method must return quickly and never raise."""

    def stage_started(self, stage: str, detail: str) -> None: ...

    def stage_finished(self, stage: str, detail: str) -> None: ...

    def job_polled(self, job: Job, elapsed: float) -> None: ...

    def changes_listed(self, count: int) -> None: ...

    def waiting_for_slot(self, job: Job, elapsed: float) -> None: ...


class NoopEvents:
    """Events that go nowhere (library use, tests, non-interactive runs)."""

    def stage_started(self, stage: str, detail: str) -> None:
        return None

    def stage_finished(self, stage: str, detail: str) -> None:
        return None

    def job_polled(self, job: Job, elapsed: float) -> None:
        return None

    def changes_listed(self, count: int) -> None:
        return None

    def waiting_for_slot(self, job: Job, elapsed: float) -> None:
        return None

"""
Progress display for long work (polling, paging): a live status line on a terminal, nothing in
pipelines or with `--quiet`. Implements the runner's `RunnerEvents`.
"""

from __future__ import annotations

import sys
import time
from types import TracebackType

from rich.console import Console
from rich.status import Status

from entra_recovery.graph.models import Job


class TerminalProgress:
    """A rich status line on stderr: stage, job status, elapsed time, objects calculated."""

    def __init__(self, *, enabled: bool, label: str = "") -> None:
        self.enabled = enabled
        self.label = label
        self._console = Console(stderr=True, highlight=False)
        self._status: Status | None = None
        self._stage = ""
        self._started = time.monotonic()

    @classmethod
    def for_stderr(cls, *, quiet: bool, label: str = "") -> TerminalProgress:
        return cls(enabled=(not quiet) and sys.stderr.isatty(), label=label)

    def __enter__(self) -> TerminalProgress:
        if self.enabled:
            self._status = self._console.status(self._text("starting"))
            self._status.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self._status is not None:
            self._status.stop()
            self._status = None

    def _text(self, message: str) -> str:
        prefix = f"[bold]{self.label}[/bold] " if self.label else ""
        return f"{prefix}{message}"

    def _update(self, message: str) -> None:
        if self._status is not None:
            self._status.update(self._text(message))

    def stage_started(self, stage: str, detail: str) -> None:
        self._stage = stage
        self._update(f"{stage}: {detail}")

    def stage_finished(self, stage: str, detail: str) -> None:
        if self.enabled:
            self._console.print(f"[green]✓[/green] {stage}: {detail}", highlight=False)

    def job_polled(self, job: Job, elapsed: float) -> None:
        counts = []
        if job.total_changed_objects is not None:
            counts.append(f"{job.total_changed_objects} objects")
        if job.total_changed_links is not None:
            counts.append(f"{job.total_changed_links} links")
        if job.total_objects_modified is not None:
            counts.append(f"{job.total_objects_modified} modified")
        extra = f", {', '.join(counts)}" if counts else ""
        self._update(f"job {job.id}: {job.status_text or '?'} ({elapsed:.0f}s{extra})")

    def changes_listed(self, count: int) -> None:
        self._update(f"reading changes: {count}")

    def waiting_for_slot(self, job: Job, elapsed: float) -> None:
        self._update(f"waiting for job {job.id} ({job.status_text}) to finish ({elapsed:.0f}s)")

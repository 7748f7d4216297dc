"""
Progress display for long work (polling, paging): a live status line on a terminal, nothing in
pipelines or with `--quiet`. Implements the runner's `RunnerEvents`.

The elapsed time is drawn by the display itself (it ticks every second between polls, which
on a real tenant are 30 s apart). Every live display is registered while it runs, so a prompt
can stop them all first (`paused_displays`): a spinner never draws over a question.
"""

from __future__ import annotations

import contextlib
import sys
import time
from collections.abc import Iterator
from types import TracebackType

from rich.console import Console
from rich.status import Status
from rich.text import Text

from entra_recovery.constants import JournalStep
from entra_recovery.graph.models import Job

_ACTIVE: list[TerminalProgress] = []


@contextlib.contextmanager
def paused_displays() -> Iterator[None]:
    """Stop every live display (erasing its line) for the block, e.g. around a prompt; they
    resume after it, unless it raised (a refusal ends the run: nothing more to draw)."""
    paused = [progress for progress in _ACTIVE if progress.live]
    for progress in paused:
        progress.stop()
    yield
    for progress in paused:
        progress.resume()


class _Line:
    """The status text, rendered afresh at every refresh so the elapsed clock ticks."""

    def __init__(self, owner: TerminalProgress) -> None:
        self.owner = owner

    def __rich__(self) -> Text:
        return Text.from_markup(self.owner.line())


class TerminalProgress:
    """A rich status line on stderr: stage, job status, elapsed time, objects calculated."""

    def __init__(self, *, enabled: bool, label: str = "", console: Console | None = None) -> None:
        self.enabled = enabled
        self.label = label
        self._console = console or Console(stderr=True, highlight=False)
        self._status: Status | None = None
        self._message = "starting"
        self._job_name = "job"
        self._since: float | None = None  # monotonic start of what the clock measures
        self._total: int | None = None  # the job's total of changed objects

    @classmethod
    def for_stderr(cls, *, quiet: bool, label: str = "") -> TerminalProgress:
        return cls(enabled=(not quiet) and sys.stderr.isatty(), label=label)

    @property
    def live(self) -> bool:
        return self._status is not None

    def __enter__(self) -> TerminalProgress:
        if self.enabled:
            _ACTIVE.append(self)
            self.resume()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()
        if self in _ACTIVE:
            _ACTIVE.remove(self)

    def stop(self) -> None:
        """Stop drawing and erase the status line."""
        if self._status is not None:
            self._status.stop()
            self._status = None

    def resume(self) -> None:
        if self.enabled and self._status is None:
            self._status = self._console.status(_Line(self))
            self._status.start()

    def line(self, now: float | None = None) -> str:
        """The status text as drawn now (with the ticking elapsed clock)."""
        prefix = f"[bold]{self.label}[/bold] " if self.label else ""
        text = self._message
        if self._since is not None:
            elapsed = (time.monotonic() if now is None else now) - self._since
            text = text.replace("{elapsed}", f"{max(0.0, elapsed):.0f}s")
        return f"{prefix}{text}"

    def _set(self, message: str, since: float | None = None) -> None:
        self._message = message
        self._since = since

    def stage_started(self, stage: str, detail: str) -> None:
        if stage == JournalStep.RECOVERY_JOB:
            self._job_name = "recovery job"
        elif stage == JournalStep.PREVIEW_JOB:
            self._job_name = "preview job"
        self._set(f"{stage}: {detail} ({{elapsed}})", time.monotonic())

    def stage_finished(self, stage: str, detail: str) -> None:
        if self.enabled:
            self._console.print(f"[green]✓[/green] {stage}: {detail}", highlight=False)

    def job_polled(self, job: Job, elapsed: float) -> None:
        counts = []
        if job.total_changed_objects is not None:
            counts.append(f"{job.total_changed_objects} objects")
            self._total = job.total_changed_objects
        if job.total_changed_links is not None:
            counts.append(f"{job.total_changed_links} links")
        if job.total_objects_modified is not None:
            counts.append(f"{job.total_objects_modified} modified")
        extra = f", {', '.join(counts)}" if counts else ""
        status = job.status_text or "?"
        self._set(
            f"{self._job_name} {job.id}: {status} ({{elapsed}}{extra})",
            time.monotonic() - elapsed,
        )

    def changes_listed(self, count: int) -> None:
        since = self._since if self._message.startswith("reading changes") else time.monotonic()
        total = f" / {self._total}" if self._total is not None else ""
        self._set(f"reading changes: {count}{total} ({{elapsed}})", since)

    def waiting_for_slot(self, job: Job, elapsed: float) -> None:
        self._set(
            f"waiting for job {job.id} ({job.status_text}) to finish ({{elapsed}})",
            time.monotonic() - elapsed,
        )


class LineProgress:
    """One line on stderr per stage of a plan, prefixed by the plan's name, for batches that
    preview several tenants at once: live status lines of concurrent plans would draw over each
    other. Job polls and change pages print nothing (they come every few seconds); quiet with
    `--quiet` and when stderr is not a terminal, like `TerminalProgress`."""

    def __init__(self, *, enabled: bool, label: str, console: Console | None = None) -> None:
        self.enabled = enabled
        self.label = label
        self._console = console or Console(stderr=True, highlight=False)
        self._waiting_for: str | None = None  # the job last announced as blocking the slot

    @classmethod
    def for_stderr(cls, *, quiet: bool, label: str) -> LineProgress:
        return cls(enabled=(not quiet) and sys.stderr.isatty(), label=label)

    def __enter__(self) -> LineProgress:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        return None

    def _line(self, text: str) -> None:
        if self.enabled:
            self._console.print(Text(f"{self.label}: {text}"), highlight=False)

    def stage_started(self, stage: str, detail: str) -> None:
        self._line(f"{stage}: {detail}")

    def stage_finished(self, stage: str, detail: str) -> None:
        self._line(f"✓ {stage}: {detail}")

    def job_polled(self, job: Job, elapsed: float) -> None:
        return None

    def changes_listed(self, count: int) -> None:
        return None

    def waiting_for_slot(self, job: Job, elapsed: float) -> None:
        if job.id != self._waiting_for:  # once per blocking job, not at every poll
            self._waiting_for = job.id
            self._line(f"waiting for job {job.id} ({job.status_text}) to finish")

"""
The run journal: one JSON file per run, written before and after every step.

A run killed at any point leaves a journal that says how far it got, so that `run show` can
explain it and `run resume` can finish it. The decisive entry is `recovery_intent_at`: it is
written *before* the recovery job is requested, and `recovery_job_id` right after, so a resumed
run can tell "no job was requested", "a job was requested but its id was lost" (look it up, never
create a second one) and "job N is known" (just poll it). Journals never hold a token.
"""

from __future__ import annotations

import contextlib
import json
import secrets
from collections.abc import Iterator
from dataclasses import asdict
from dataclasses import dataclass
from dataclasses import field
from dataclasses import fields
from datetime import UTC
from pathlib import Path
from typing import Any

from entra_recovery.constants import JournalStep
from entra_recovery.constants import RunStatus
from entra_recovery.constants import StepState
from entra_recovery.errors import RunJournalError
from entra_recovery.runner.statedir import ensure_dir
from entra_recovery.runner.statedir import write_private
from entra_recovery.timestamps import Clock
from entra_recovery.timestamps import iso_z
from entra_recovery.timestamps import utc_now

JOURNAL_VERSION = 1
RUNS_FOLDER = "runs"


@dataclass
class RunStep:
    """One step of a run, as it was recorded."""

    name: JournalStep
    state: StepState
    at: str
    detail: str = ""

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> RunStep:
        """A step as read back (TypeError or ValueError when it is not one we write)."""
        step = cls(**data)
        step.name = JournalStep(step.name)
        step.state = StepState(step.state)
        return step


@dataclass
class RunRecord:
    """Everything a run has learnt so far; serialised as the journal file."""

    run_id: str
    command: str  # preview | apply
    plan_path: str
    plan_name: str
    plan_sha256: str
    tenant: str
    started_at: str
    updated_at: str
    status: RunStatus = RunStatus.RUNNING
    user: str | None = None
    snapshot_id: str | None = None
    snapshot_created: str | None = None
    criteria: dict[str, Any] | None = None
    preview_job_id: str | None = None
    preview_status: str | None = None
    change_count: int | None = None
    fingerprint: str | None = None
    approved_fingerprint: str | None = None
    recovery_intent_at: str | None = None
    recovery_job_id: str | None = None
    recovery_status: str | None = None
    failed_change_count: int | None = None
    exit_code: int | None = None  # an `ExitCode` value, kept a plain int in the file
    error: str | None = None
    reports: list[str] = field(default_factory=list)
    steps: list[RunStep] = field(default_factory=list)
    version: int = JOURNAL_VERSION

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> RunRecord:
        known = {f.name for f in fields(cls)}
        values = {k: v for k, v in data.items() if k in known}
        values["steps"] = [RunStep.from_json(s) for s in data.get("steps") or ()]
        if "status" in values:
            values["status"] = RunStatus(values["status"])
        return cls(**values)

    @property
    def last_step(self) -> RunStep | None:
        return self.steps[-1] if self.steps else None


class RunJournal:
    """A run's journal file; every change is written to disk at once (atomically)."""

    def __init__(self, path: Path, record: RunRecord, *, clock: Clock = utc_now) -> None:
        self.path = path
        self.record = record
        self._clock = clock

    @classmethod
    def create(
        cls,
        state_dir: Path,
        *,
        command: str,
        plan_path: str,
        plan_name: str,
        plan_sha256: str,
        tenant: str,
        clock: Clock = utc_now,
    ) -> RunJournal:
        """Start a new journal with a fresh run id and write it."""
        now = clock()
        run_id = f"{now.astimezone(UTC):%Y%m%dT%H%M%SZ}-{secrets.token_hex(3)}"
        stamp = iso_z(now)
        record = RunRecord(
            run_id=run_id,
            command=command,
            plan_path=plan_path,
            plan_name=plan_name,
            plan_sha256=plan_sha256,
            tenant=tenant,
            started_at=stamp,
            updated_at=stamp,
        )
        journal = cls(runs_dir(state_dir) / f"{run_id}.json", record, clock=clock)
        journal.save()
        return journal

    @classmethod
    def load(cls, state_dir: Path, run_id: str, *, clock: Clock = utc_now) -> RunJournal:
        """Open an existing run by id (or unique id prefix)."""
        path = find_run(state_dir, run_id)
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            record = RunRecord.from_json(data)
        except (OSError, ValueError, TypeError) as exc:
            raise RunJournalError(f"run journal {path} is unreadable: {exc}") from None
        if record.version > JOURNAL_VERSION:
            raise RunJournalError(
                f"run {record.run_id} was written by a newer entra-recovery "
                f"(journal version {record.version}); upgrade to resume it"
            )
        return cls(path, record, clock=clock)

    def save(self) -> None:
        self.record.updated_at = iso_z(self._clock())
        text = json.dumps(self.record.to_json(), indent=2, sort_keys=False, default=str)
        # Every write is atomic; those of runs that can create a recovery job are also fsynced,
        # because resume must know about a job even after a power cut. A preview's journal
        # is only for inspection, and a dozen fsyncs per preview add up in scheduled batches.
        durable = self.record.command != "preview"
        write_private(self.path, (text + "\n").encode("utf-8"), durable=durable)

    def update(self, **values: Any) -> None:
        """Set fields and write the journal."""
        for key, value in values.items():
            if not hasattr(self.record, key):
                raise AttributeError(f"RunRecord has no field {key!r}")
            setattr(self.record, key, value)
        self.save()

    def mark(self, name: JournalStep, state: StepState, detail: str = "") -> None:
        """Record a step transition and write the journal."""
        self.record.steps.append(RunStep(name, state, iso_z(self._clock()), detail))
        self.save()

    @contextlib.contextmanager
    def step(self, name: JournalStep, detail: str = "") -> Iterator[None]:
        """Write `started` before the block and `finished`/`failed` after it."""
        self.mark(name, StepState.STARTED, detail)
        try:
            yield
        except BaseException as exc:
            self.mark(name, StepState.FAILED, type(exc).__name__)
            raise
        self.mark(name, StepState.FINISHED)

    def now_stamp(self) -> str:
        return iso_z(self._clock())


def runs_dir(state_dir: Path) -> Path:
    return ensure_dir(state_dir / RUNS_FOLDER)


def find_run(state_dir: Path, run_id: str) -> Path:
    """The journal path for a run id or a unique prefix of one."""
    if not run_id or "/" in run_id or "\\" in run_id or run_id.startswith("."):
        raise RunJournalError(f"invalid run id {run_id!r}")
    folder = runs_dir(state_dir)
    exact = folder / f"{run_id}.json"
    if exact.is_file():
        return exact
    matches = sorted(p for p in folder.glob(f"{run_id}*.json") if not p.name.startswith("."))
    if len(matches) == 1:
        return matches[0]
    if not matches:
        raise RunJournalError(
            f"no run {run_id!r} in {folder}", hint="list runs with `entra-recovery run list`"
        )
    raise RunJournalError(f"run id {run_id!r} is ambiguous: {', '.join(p.stem for p in matches)}")


def list_runs(state_dir: Path) -> list[RunRecord]:
    """Every readable journal, newest first."""
    records: list[RunRecord] = []
    for path in runs_dir(state_dir).glob("*.json"):
        if path.name.startswith("."):
            continue
        try:
            records.append(RunRecord.from_json(json.loads(path.read_text(encoding="utf-8"))))
        except (OSError, ValueError, TypeError):
            continue
    return sorted(records, key=lambda r: r.started_at, reverse=True)

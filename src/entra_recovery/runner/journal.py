"""
The run journal: one JSON file per run, written before and after every step.

A run killed at any point leaves a journal that says how far it got, so that `run show` can
explain it and `run resume` can finish it. The decisive entry is `recovery_intent_at`: it is
written *before* the recovery job is requested, and `recovery_job_id` right after, so a resumed
run can tell "no job was requested", "a job was requested but its id was lost" (look it up, never
create a second one) and "job N is known" (just poll it). Journals never hold a token.

Step in the flow: alongside every step. What is read back is checked, not trusted: a journal
whose shape or words this version never writes is damaged (`scan_runs` reports it and lists
the others), and run ids from the command line must look like run ids before they reach a path.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import secrets
from collections.abc import Iterator
from dataclasses import asdict
from dataclasses import dataclass
from dataclasses import field
from dataclasses import fields
from datetime import UTC
from pathlib import Path
from typing import Any

from entra_recovery.constants import AuditEvent
from entra_recovery.constants import JournalStep
from entra_recovery.constants import RunStatus
from entra_recovery.constants import StepState
from entra_recovery.errors import RunJournalError
from entra_recovery.errors import UsageError
from entra_recovery.statedir import ensure_dir
from entra_recovery.statedir import write_private
from entra_recovery.timestamps import Clock
from entra_recovery.timestamps import iso_z
from entra_recovery.timestamps import utc_now

JOURNAL_VERSION = 1
RUNS_FOLDER = "runs"
# A run id: the UTC start to the second, then 6 random hex digits (`RunJournal.create`).
RUN_ID = re.compile(r"[0-9]{8}T[0-9]{6}Z-[0-9a-f]{6}")
# What `run show|resume` accept: a run id or a prefix of one, nothing path- or glob-like.
RUN_ID_PREFIX = re.compile(r"[0-9]{1,8}|[0-9]{8}T[0-9]{0,6}|[0-9]{8}T[0-9]{6}Z(?:-[0-9a-f]{0,6})?")


@dataclass
class RunStep:
    """One step of a run, as it was recorded."""

    name: JournalStep
    state: StepState
    at: str
    detail: str = ""

    @classmethod
    def from_json(cls, data: Any) -> RunStep:
        """A step as read back (TypeError or ValueError when it is not one we write)."""
        if not isinstance(data, dict):
            raise TypeError(f"a step must be an object, not {type(data).__name__}")
        step = cls(**data)
        step.name = JournalStep(step.name)
        step.state = StepState(step.state)
        if not isinstance(step.at, str) or not isinstance(step.detail, str):
            raise TypeError("a step's 'at' and 'detail' must be strings")
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
    # The preview job's `filteringCriteria` as JSON text ("null": everything) when they are not
    # the plan's: a batch's job, merged for every plan of its snapshot; this run took its share.
    preview_job_criteria: str | None = None
    change_count: int | None = None
    fingerprint: str | None = None
    approved_fingerprint: str | None = None
    preview_intent_at: str | None = None  # written before the preview job is requested
    recovery_intent_at: str | None = None  # written before the recovery job is requested
    recovery_job_id: str | None = None
    recovery_status: str | None = None
    failed_change_count: int | None = None
    exit_code: int | None = None  # an `ExitCode` value, kept a plain int in the file
    error: str | None = None
    # True once `run resume` found that the requested recovery job never existed: the run is
    # closed (nothing was recovered) and a later resume must not adopt another run's job.
    nothing_recovered: bool = False
    reports: list[str] = field(default_factory=list)
    steps: list[RunStep] = field(default_factory=list)
    version: int = JOURNAL_VERSION

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: Any) -> RunRecord:
        """A journal as read back; TypeError or ValueError when it is not one we write
        (not an object, a field of the wrong type, a status or step word we never write)."""
        if not isinstance(data, dict):
            raise TypeError(f"a journal must be a JSON object, not {_json_type(data)}")
        known = {f.name for f in fields(cls)}
        values = {k: v for k, v in data.items() if k in known}
        _check_fields(values)
        values["steps"] = [RunStep.from_json(s) for s in values.get("steps") or ()]
        if "status" in values:
            values["status"] = RunStatus(values["status"])
        if not RUN_ID.fullmatch(values.get("run_id") or ""):
            raise ValueError(f"run_id {values.get('run_id')!r} is not a run id")
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
            record = read_record(path)
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
    ensure_dir(state_dir)
    return ensure_dir(state_dir / RUNS_FOLDER)


def check_run_id(run_id: str) -> str:
    """`run_id` if it is shaped like a run id or a prefix of one; else `UsageError` (exit 64).

    Nothing else ever reaches a path or a directory listing.
    """
    if not RUN_ID_PREFIX.fullmatch(run_id):
        raise UsageError(
            f"{run_id!r} is not a run id (they look like 20261128T093000Z-3f9a2c; a unique "
            "prefix of one will do)",
            hint="list runs with `entra-recovery run list`",
        )
    return run_id


def find_run(state_dir: Path, run_id: str) -> Path:
    """The journal path for a run id or a unique prefix of one."""
    check_run_id(run_id)
    folder = runs_dir(state_dir)
    exact = folder / f"{run_id}.json"
    if exact.is_file():
        return exact
    matches = sorted(p for p in _journal_paths(folder) if p.stem.startswith(run_id))
    if len(matches) == 1:
        return matches[0]
    if not matches:
        raise RunJournalError(
            f"no run {run_id!r} in {folder}", hint="list runs with `entra-recovery run list`"
        )
    raise RunJournalError(f"run id {run_id!r} is ambiguous: {', '.join(p.stem for p in matches)}")


@dataclass(frozen=True)
class DamagedJournal:
    """A journal file that could not be read, and why."""

    path: Path
    reason: str


@dataclass(frozen=True)
class RunScan:
    """Every journal of a state directory: the readable ones (newest first) and the others."""

    records: list[RunRecord]
    damaged: list[DamagedJournal]


def scan_runs(state_dir: Path) -> RunScan:
    """Read every journal; a damaged one is reported, never allowed to hide the others."""
    records: list[RunRecord] = []
    damaged: list[DamagedJournal] = []
    for path in _journal_paths(runs_dir(state_dir)):
        try:
            records.append(read_record(path))
        except (OSError, ValueError, TypeError) as exc:
            damaged.append(DamagedJournal(path, str(exc) or type(exc).__name__))
    records.sort(key=lambda r: r.started_at, reverse=True)
    return RunScan(records, damaged)


def list_runs(state_dir: Path) -> list[RunRecord]:
    """Every readable journal, newest first (damaged ones skipped: see `scan_runs`)."""
    return scan_runs(state_dir).records


def read_record(path: Path) -> RunRecord:
    """The record of one journal file; it must name the run its file is named after."""
    record = RunRecord.from_json(json.loads(path.read_text(encoding="utf-8")))
    if record.run_id != path.stem:
        raise ValueError(f"it holds run {record.run_id}, not {path.stem}")
    return record


def _journal_paths(folder: Path) -> list[Path]:
    """The journal files of `folder` (`<run id>.json`); temporary and other files are not."""
    return sorted(
        folder / name
        for name in os.listdir(folder)
        if name.endswith(".json") and RUN_ID.fullmatch(name[: -len(".json")])
    )


# Field name -> the JSON types a journal may hold there (None: null allowed).
_STRING_FIELDS = (
    "run_id",
    "command",
    "plan_path",
    "plan_name",
    "plan_sha256",
    "tenant",
    "started_at",
    "updated_at",
)
_OPTIONAL_STRING_FIELDS = (
    "user",
    "snapshot_id",
    "snapshot_created",
    "preview_job_id",
    "preview_status",
    "preview_job_criteria",
    "fingerprint",
    "approved_fingerprint",
    "preview_intent_at",
    "recovery_intent_at",
    "recovery_job_id",
    "recovery_status",
    "error",
)
_OPTIONAL_INT_FIELDS = ("change_count", "failed_change_count", "exit_code")


def _check_fields(values: dict[str, Any]) -> None:
    """TypeError naming the first field whose value is of a type this version never writes."""
    for name in _STRING_FIELDS:
        if not isinstance(values.get(name), str):
            raise TypeError(f"field {name!r} must be a string, not {_json_type(values.get(name))}")
    bad = [n for n in _OPTIONAL_STRING_FIELDS if not isinstance(values.get(n), str | None)]
    bad += [n for n in _OPTIONAL_INT_FIELDS if not _is_int(values.get(n), optional=True)]
    if not _is_int(values.get("version", JOURNAL_VERSION), optional=False):
        bad.append("version")
    if not isinstance(values.get("criteria"), dict | None):
        bad.append("criteria")
    if not isinstance(values.get("nothing_recovered", False), bool):
        bad.append("nothing_recovered")
    reports = values.get("reports", [])
    if not (isinstance(reports, list) and all(isinstance(r, str) for r in reports)):
        bad.append("reports")
    if not isinstance(values.get("steps", []), list):
        bad.append("steps")
    if bad:
        raise TypeError(f"field {bad[0]!r} has a {_json_type(values.get(bad[0]))} value")
    AuditEvent(values["command"])  # ValueError for a command word we never write


def _is_int(value: Any, *, optional: bool) -> bool:
    if value is None:
        return optional
    return isinstance(value, int) and not isinstance(value, bool)


def _json_type(value: Any) -> str:
    names = {dict: "object", list: "array", str: "string", bool: "boolean", type(None): "null"}
    return names.get(type(value), "number")

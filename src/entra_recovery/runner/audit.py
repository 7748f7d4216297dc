"""
The audit log: one JSON line per preview and apply, appended and never rewritten.

Step in the flow: the end of every run. Who (from the token's claims), when, which plan (path
and sha256), the fingerprint, approvers, change reference, job ids and the outcome. Never a
token or a secret: records are built from named fields only. `graph_url` names the Graph
endpoint the run was made against, so a run against the emulator is never mistaken for one
against a real tenant.

A crash in the middle of an append can leave a torn last line (no newline). The next append
starts on a fresh line (it writes the missing newline first, in the same write), so a new
record is never glued onto the torn one; readers skip and report lines that are not records.
"""

from __future__ import annotations

import json
import os
from dataclasses import asdict
from dataclasses import dataclass
from dataclasses import field
from pathlib import Path
from typing import Any

from entra_recovery.constants import VERSION
from entra_recovery.constants import AuditEvent
from entra_recovery.constants import AuditOutcome
from entra_recovery.statedir import ensure_dir

AUDIT_FILE = "audit.jsonl"


@dataclass(frozen=True)
class AuditRecord:
    """One line of the audit log."""

    at: str
    event: AuditEvent
    outcome: AuditOutcome
    run_id: str
    user: str | None
    tenant: str
    plan_name: str
    plan_path: str
    plan_sha256: str
    change: str | None
    approvers: tuple[str, ...] = ()
    snapshot_id: str | None = None
    fingerprint: str | None = None
    preview_job_id: str | None = None
    recovery_job_id: str | None = None
    change_count: int | None = None
    failed_change_count: int | None = None
    detail: str | None = None
    tool_version: str = VERSION
    graph_url: str | None = None  # the Graph endpoint the run talked to (the emulator's, ...)


@dataclass(frozen=True)
class AuditReading:
    """The records of the audit log, and the line numbers (from 1) that were not records."""

    records: list[dict[str, Any]] = field(default_factory=list)
    damaged_lines: list[int] = field(default_factory=list)


class AuditLog:
    """Appends records to `<state dir>/audit.jsonl` (0600)."""

    def __init__(self, state_dir: Path) -> None:
        self.path = ensure_dir(state_dir) / AUDIT_FILE

    def append(self, record: AuditRecord) -> None:
        line = json.dumps(asdict(record), sort_keys=True, ensure_ascii=False, default=str)
        data = (line + "\n").encode("utf-8")
        flags = os.O_RDWR | os.O_APPEND | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0)
        fd = os.open(self.path, flags, 0o600)
        try:
            size = os.fstat(fd).st_size
            if size and os.pread(fd, 1, size - 1) != b"\n":
                data = b"\n" + data  # a torn last line: start ours on a fresh one
            os.write(fd, data)
            os.fsync(fd)
        finally:
            os.close(fd)

    def read(self) -> list[dict[str, Any]]:
        """All records (for `run audit` and tests); lines that are not records are skipped."""
        return self.read_all().records

    def read_all(self) -> AuditReading:
        """All records, and which lines were skipped (a torn line, anything not a record)."""
        reading = AuditReading()
        if not self.path.exists():
            return reading
        with self.path.open(encoding="utf-8", errors="replace") as handle:
            for number, line in enumerate(handle, start=1):
                if not line.strip():
                    continue
                try:
                    record = json.loads(line)
                except ValueError:
                    record = None
                if isinstance(record, dict):
                    reading.records.append(record)
                else:
                    reading.damaged_lines.append(number)
        return reading

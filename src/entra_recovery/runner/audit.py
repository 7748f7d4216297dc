"""
The audit log: one JSON line per preview and apply, appended and never rewritten.

Who (from the token's claims), when, which plan (path and sha256), the fingerprint, approvers,
change reference, job ids and the outcome. Never a token or a secret: records are built from
named fields only.
"""

from __future__ import annotations

import json
import os
from dataclasses import asdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from entra_recovery.constants import VERSION
from entra_recovery.constants import AuditEvent
from entra_recovery.constants import AuditOutcome
from entra_recovery.runner.statedir import ensure_dir

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


class AuditLog:
    """Appends records to `<state dir>/audit.jsonl` (0600)."""

    def __init__(self, state_dir: Path) -> None:
        self.path = ensure_dir(state_dir) / AUDIT_FILE

    def append(self, record: AuditRecord) -> None:
        line = json.dumps(asdict(record), sort_keys=True, ensure_ascii=False, default=str)
        fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        try:
            os.write(fd, (line + "\n").encode("utf-8"))
            os.fsync(fd)
        finally:
            os.close(fd)

    def read(self) -> list[dict[str, Any]]:
        """All records (for `run audit` and tests)."""
        if not self.path.exists():
            return []
        with self.path.open(encoding="utf-8") as handle:
            return [json.loads(line) for line in handle if line.strip()]

"""
The whole exception tree, and nothing else.

Every expected, user-facing failure is a `RecoveryError`; its `str()` is the message the CLI
shows after `Error: `, and its `exit_code` is what the process returns. Data lives in fields so
that callers can branch on it; messages never contain tokens or secrets.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from entra_recovery.constants import ExitCode


class RecoveryError(Exception):
    """An expected failure the user can act on."""

    exit_code: ExitCode = ExitCode.ERROR

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return self.message


class UsageError(RecoveryError):
    """The command line or its environment is wrong (exit 64)."""

    exit_code = ExitCode.USAGE


# --- plans -----------------------------------------------------------------------------------


class PlanError(RecoveryError):
    """A plan file could not be used."""


@dataclass(frozen=True)
class Issue:
    """One problem found in a plan file, located as precisely as we can."""

    path: str
    line: int
    column: int
    json_path: str
    message: str
    hint: str | None = None
    source_line: str | None = None
    width: int = 1

    def headline(self) -> str:
        """Return the `path:line:col: $.json.path: message` line."""
        return f"{self.path}:{self.line}:{self.column}: {self.json_path}: {self.message}"


class PlanLoadError(PlanError):
    """The file is missing, unreadable, not YAML, or unsafe YAML (carries line/col when known)."""

    def __init__(
        self,
        message: str,
        *,
        path: str,
        line: int = 1,
        column: int = 1,
        hint: str | None = None,
    ) -> None:
        super().__init__(message, hint=hint)
        self.path = path
        self.line = line
        self.column = column


class PlanValidationError(PlanError):
    """The plan does not satisfy the schema or the semantic rules."""

    def __init__(self, path: str, issues: Sequence[Issue]) -> None:
        count = len(issues)
        noun = "problem" if count == 1 else "problems"
        super().__init__(f"{path}: {count} {noun} found")
        self.path = path
        self.issues = tuple(issues)


# --- Graph -----------------------------------------------------------------------------------


class GraphError(RecoveryError):
    """Graph answered with an error, or could not be reached."""

    def __init__(
        self,
        message: str,
        *,
        status: int | None = None,
        code: str | None = None,
        graph_message: str | None = None,
        request_id: str | None = None,
        client_request_id: str | None = None,
        method: str | None = None,
        url: str | None = None,
        hint: str | None = None,
    ) -> None:
        super().__init__(message, hint=hint)
        self.status = status
        self.code = code
        self.graph_message = graph_message
        self.request_id = request_id
        self.client_request_id = client_request_id
        self.method = method
        self.url = url

    def __str__(self) -> str:
        parts = [self.message]
        detail = []
        if self.status is not None:
            detail.append(f"HTTP {self.status}")
        if self.code:
            detail.append(self.code)
        if detail:
            parts.append(f"({', '.join(detail)})")
        if self.graph_message and self.graph_message not in self.message:
            parts.append(f": {self.graph_message}")
        if self.request_id:
            parts.append(f" [request-id {self.request_id}]")
        return " ".join(parts[:2]) + "".join(parts[2:])


class GraphAuthError(GraphError):
    """No usable credential, or Graph said 401."""


class PermissionDeniedError(GraphError):
    """Graph said 403: the caller lacks a scope or an Entra role."""


class NotFoundError(GraphError):
    """Graph said 404: unknown or expired snapshot or job."""


class SnapshotNotFoundError(NotFoundError):
    """The snapshot id is not (or no longer) in the list of available snapshots."""

    def __init__(self, message: str, *, available: Sequence[str] = (), **kwargs: object) -> None:
        super().__init__(message, **kwargs)  # type: ignore[arg-type]
        self.available = tuple(available)


class JobConflictError(GraphError):
    """Graph said 409: another job runs in this tenant."""

    def __init__(
        self, message: str, *, running_job_id: str | None = None, **kwargs: object
    ) -> None:
        super().__init__(message, **kwargs)  # type: ignore[arg-type]
        self.running_job_id = running_job_id


class ThrottledError(GraphError):
    """Graph kept answering 429/503 beyond our retry budget."""

    def __init__(self, message: str, *, retry_after: float | None = None, **kwargs: object) -> None:
        super().__init__(message, **kwargs)  # type: ignore[arg-type]
        self.retry_after = retry_after  # seconds Graph asked us to wait, when it said


class ForeignHostError(GraphError):
    """A nextLink or Location points at a host other than the configured Graph host."""


class JobCreationUncertain(GraphError):
    """A job-creating POST was sent but its answer was lost: a timeout, a 5xx, a dropped
    connection. The job may or may not exist; the POST is never sent again blindly.

    The graph layer raises it; the runner resolves it by looking for the job (kind, snapshot,
    criteria, started at or after `sent_at`) and follows the one it finds, or stops and names
    `run resume` when it cannot tell.
    """

    def __init__(self, message: str, *, kind: str, snapshot_id: str, **kwargs: object) -> None:
        super().__init__(message, **kwargs)  # type: ignore[arg-type]
        self.kind = kind  # "preview" or "recovery"
        self.snapshot_id = snapshot_id


class ResponseTooLargeError(GraphError):
    """An answer's (decompressed) body passed the size cap."""


class RequestTimeoutError(GraphError):
    """A request did not complete (connect, send, body) within the request deadline."""


# --- jobs and runs ---------------------------------------------------------------------------


class JobFailedError(RecoveryError):
    """A preview or recovery job ended `failed` or `abandoned`."""

    def __init__(self, message: str, *, job_id: str, status: str) -> None:
        super().__init__(message)
        self.job_id = job_id
        self.status = status


class PollTimeoutError(RecoveryError):
    """A job did not reach a terminal status in time."""

    def __init__(self, message: str, *, job_id: str, last_status: str | None = None) -> None:
        super().__init__(message)
        self.job_id = job_id
        self.last_status = last_status


class GateRefused(RecoveryError):
    """A gate (mode, fingerprint, guard, tenant, confirmation) refused an apply (exit 3)."""

    exit_code = ExitCode.REFUSED

    def __init__(
        self,
        message: str,
        *,
        gate: str,
        hint: str | None = None,
        details: tuple[str, ...] = (),
    ) -> None:
        super().__init__(message, hint=hint)
        self.gate = gate
        self.details = details


class FingerprintMismatch(GateRefused):
    """The fresh preview's fingerprint differs from the approved one."""

    def __init__(
        self, *, approved: str, fresh: str, details: tuple[str, ...] = (), hint: str | None = None
    ) -> None:
        super().__init__(
            f"the tenant changed since the review: approved fingerprint {approved} "
            f"does not match the fresh preview's {fresh}",
            gate="fingerprint",
            hint=hint,
            details=details,
        )
        self.approved = approved
        self.fresh = fresh


class ApplyNotApproved(GateRefused):
    """Apply was called without confirmation."""

    def __init__(
        self, message: str = "the recovery was not confirmed", *, hint: str | None = None
    ) -> None:
        super().__init__(message, gate="confirmation", hint=hint)


class RunJournalError(RecoveryError):
    """A run journal is missing, unreadable or cannot be resumed."""


class NothingRecovered(RunJournalError):
    """The recovery job a run asked for does not exist: nothing was recovered."""


class JobCreationUnresolved(RecoveryError):
    """The answer to a job-creating request was lost and the job cannot be told for sure
    (none or several jobs match); the run stops and names `run resume` or `job list`."""


class ChangeListMismatch(RecoveryError):
    """getChanges listed something other than what the preview job calculated (exit 1)."""


class StateDirError(RecoveryError):
    """The state directory (or a folder in it) is not private to the user: refused, exit 1."""


# --- reports ---------------------------------------------------------------------------------


class ReportDataError(RecoveryError, ValueError):
    """A change object from Graph or a saved JSON report does not have the expected shape."""

"""
Run bookkeeping: the journal written around every step and the audit line that ends a run.

Step in the flow: alongside every step. `RunRecorder` belongs to a runner (or to the CLI
command that builds one) and opens one `RunBook` per run; the book writes the journal's steps
and fields and ends the run exactly once, as finished, refused, interrupted or failed, with its
exit code in the journal and its outcome in the audit log. The recorder remembers the current
run, so a caller that was interrupted can still say how far the run got.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from entra_recovery.constants import AuditEvent
from entra_recovery.constants import AuditOutcome
from entra_recovery.constants import ExitCode
from entra_recovery.constants import JournalStep
from entra_recovery.constants import RunStatus
from entra_recovery.constants import StepState
from entra_recovery.errors import GateRefused
from entra_recovery.errors import RecoveryError
from entra_recovery.plan import Plan
from entra_recovery.redaction import redact
from entra_recovery.runner.audit import AuditLog
from entra_recovery.runner.audit import AuditRecord
from entra_recovery.runner.journal import RunJournal
from entra_recovery.runner.journal import RunRecord
from entra_recovery.timestamps import Clock
from entra_recovery.timestamps import utc_now

# Longest error text kept in a journal or an audit line.
MAX_ERROR_TEXT = 500


class RunBook:
    """The journal and audit record of one run of one plan."""

    def __init__(
        self,
        journal: RunJournal,
        audit: AuditLog,
        plan: Plan,
        event: AuditEvent,
        graph_url: str | None = None,
    ) -> None:
        self.graph_url = graph_url
        self.journal = journal
        self.audit = audit
        self.plan = plan
        self.event = event

    @property
    def record(self) -> RunRecord:
        return self.journal.record

    @property
    def run_id(self) -> str:
        return self.journal.record.run_id

    def update(self, **values: Any) -> None:
        """Set journal fields and write the journal."""
        self.journal.update(**values)

    def mark(self, step: JournalStep, state: StepState, detail: str = "") -> None:
        """Record one step transition."""
        self.journal.mark(step, state, detail)

    @contextlib.contextmanager
    def step(self, step: JournalStep, detail: str = "") -> Iterator[None]:
        """Record `step` as started before the block and finished or failed after it."""
        with self.journal.step(step, detail):
            yield

    def now_stamp(self) -> str:
        return self.journal.now_stamp()

    def finish(
        self,
        outcome: AuditOutcome,
        code: ExitCode,
        *,
        status: RunStatus = RunStatus.FINISHED,
        event: AuditEvent | None = None,
        **values: Any,
    ) -> None:
        """End the run: status and exit code (plus `values`) in the journal, then the audit line.

        `event` overrides the book's own (a resumed recovery is audited as the apply it ends).
        """
        self.journal.update(status=status, exit_code=int(code), **values)
        self._audit(event or self.event, outcome)

    def abort(self, exc: BaseException) -> None:
        """End a run that `exc` stopped, unless it already ended (then this does nothing)."""
        if self.journal.record.status != RunStatus.RUNNING:
            return
        status, outcome, code = ending_for(exc)
        text = short_error(exc)
        self.journal.update(status=status, exit_code=int(code), error=text)
        self._audit(self.event, outcome, detail=text)

    def _audit(self, event: AuditEvent, outcome: AuditOutcome, detail: str | None = None) -> None:
        record = self.journal.record
        plan = self.plan
        approval = plan.approval
        self.audit.append(
            AuditRecord(
                at=self.journal.now_stamp(),
                event=event,
                outcome=outcome,
                run_id=record.run_id,
                user=record.user,
                tenant=plan.tenant,
                plan_name=plan.name,
                plan_path=plan.path,
                plan_sha256=plan.sha256,
                change=plan.metadata.change,
                approvers=approval.approved_by if approval else (),
                snapshot_id=record.snapshot_id,
                fingerprint=record.fingerprint,
                preview_job_id=record.preview_job_id,
                recovery_job_id=record.recovery_job_id,
                change_count=record.change_count,
                failed_change_count=record.failed_change_count,
                detail=detail,
                graph_url=self.graph_url,
            )
        )


class RunRecorder:
    """Opens the run books of one runner; journals and the audit log live under `state_dir`.

    Owner: whoever builds the runner. The CLI builds it itself, so that after Ctrl-C it can read
    `last_record` and tell the user whether a recovery job was requested.
    """

    def __init__(
        self, state_dir: Path, *, clock: Clock = utc_now, graph_url: str | None = None
    ) -> None:
        self.state_dir = state_dir
        self.graph_url = graph_url
        self.clock = clock
        self.audit = AuditLog(state_dir)
        self.current: RunBook | None = None

    @property
    def last_record(self) -> RunRecord | None:
        """The journal record of the run started (or resumed) last, if any."""
        return self.current.record if self.current is not None else None

    def start(self, event: AuditEvent, plan: Plan) -> RunBook:
        """A new run with a fresh journal (its command is `event`)."""
        journal = RunJournal.create(
            self.state_dir,
            command=event,
            plan_path=plan.path,
            plan_name=plan.name,
            plan_sha256=plan.sha256,
            tenant=plan.tenant,
            clock=self.clock,
        )
        return self._opened(RunBook(journal, self.audit, plan, event, self.graph_url))

    def load(self, run_id: str) -> RunJournal:
        """The journal of an earlier run, by id or unique id prefix."""
        return RunJournal.load(self.state_dir, run_id, clock=self.clock)

    def reopen(self, journal: RunJournal, plan: Plan) -> RunBook:
        """Continue an earlier run's journal; what ends it is audited as `resume`."""
        return self._opened(RunBook(journal, self.audit, plan, AuditEvent.RESUME, self.graph_url))

    def _opened(self, book: RunBook) -> RunBook:
        self.current = book
        return book


def ending_for(exc: BaseException) -> tuple[RunStatus, AuditOutcome, ExitCode]:
    """How an exception ends a run: journal status, audit outcome, exit code."""
    if isinstance(exc, GateRefused):
        return RunStatus.REFUSED, AuditOutcome.REFUSED, exc.exit_code
    if isinstance(exc, KeyboardInterrupt | asyncio.CancelledError):
        return RunStatus.INTERRUPTED, AuditOutcome.INTERRUPTED, ExitCode.INTERRUPTED
    if isinstance(exc, RecoveryError):
        return RunStatus.FAILED, AuditOutcome.ERROR, exc.exit_code
    return RunStatus.FAILED, AuditOutcome.ERROR, ExitCode.ERROR


def short_error(exc: BaseException) -> str:
    """The exception's message (or type name), redacted, cut to `MAX_ERROR_TEXT` characters."""
    text = redact(str(exc)) or type(exc).__name__
    if len(text) <= MAX_ERROR_TEXT:
        return text
    return text[: MAX_ERROR_TEXT - 3] + "..."

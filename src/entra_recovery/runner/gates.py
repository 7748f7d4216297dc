"""
The gates between a preview and a recovery job: mode, fingerprint, guards.

Each gate raises `GateRefused` (exit 3) with a message that says what to do. Confirmation, the
last gate, belongs to the caller (the CLI prompts or takes `--yes`).
"""

from __future__ import annotations

from pathlib import Path

from entra_recovery.constants import PlanMode
from entra_recovery.diff import Diff
from entra_recovery.diff import GuardResult
from entra_recovery.diff import evaluate_guards
from entra_recovery.diff import is_fingerprint
from entra_recovery.errors import FingerprintMismatch
from entra_recovery.errors import GateRefused
from entra_recovery.plan import Plan
from entra_recovery.runner.results import Preview
from entra_recovery.runner.saved import PreviewStore


def check_mode(plan: Plan, fingerprint: str | None) -> str:
    """Refuse plans that may not apply; return the approved fingerprint to compare against."""
    if plan.mode is not PlanMode.APPLY:
        raise GateRefused(
            f"plan {plan.name!r} is in mode {plan.mode.value!r}; "
            "only `mode: apply` plans may recover",
            gate="mode",
            hint="review the preview, then set `mode: apply` (with metadata.change) in a "
            "reviewed commit",
        )
    approved = fingerprint or (plan.approval.fingerprint if plan.approval else None)
    if not approved:
        raise GateRefused(
            f"plan {plan.name!r} has no approved fingerprint",
            gate="fingerprint",
            hint=f"run `entra-recovery plan preview {plan.path}`, have the report reviewed, and "
            "put its fingerprint in approval.fingerprint (or pass --fingerprint)",
        )
    if not is_fingerprint(approved):
        raise GateRefused(
            f"{approved!r} is not a fingerprint (expected sha256: and 64 hex digits)",
            gate="fingerprint",
        )
    return approved


def check_fingerprint(
    approved: str, preview: Preview, store: PreviewStore, approved_report: Path | None
) -> None:
    """Refuse when the fresh change set is not the one that was reviewed; explain the drift."""
    if preview.fingerprint == approved:
        return
    if is_placeholder(approved):
        raise GateRefused(
            f"the approved fingerprint {approved} is a placeholder, never the fingerprint of a "
            "real preview; the fresh preview's is " + preview.fingerprint,
            gate="fingerprint",
            hint="have the fresh preview reviewed, then put its fingerprint in the plan's "
            "approval.fingerprint (or pass --fingerprint)",
        )
    details = store.explain(approved, preview, approved_report)
    raise FingerprintMismatch(
        approved=approved,
        fresh=preview.fingerprint,
        details=details,
        hint="review the fresh preview; if it is right, approve its fingerprint "
        f"({preview.fingerprint}) in the plan",
    )


def is_placeholder(fingerprint: str) -> bool:
    """True for a fingerprint of the right shape that no preview gives (`sha256:000...`, any
    hex digit repeated): a real sha256 digest uses many of the 16 hex digits, a placeholder
    typed by hand or copied from an example uses one or two."""
    digest = fingerprint.removeprefix("sha256:").lower()
    return len(set(digest)) <= 2


def evaluate_plan_guards(plan: Plan, diff: Diff) -> tuple[GuardResult, ...]:
    """The plan's guards over a change set (a preview shows them; `check_guards` enforces them)."""
    return evaluate_guards(
        diff,
        max_changes=plan.guards.max_changes,
        allowed_actions=plan.guards.allowed_actions,
        protected_objects=plan.guards.protected_objects,
    )


def check_guards(preview: Preview) -> None:
    """Refuse when any guard failed on the fresh preview."""
    failed = preview.failed_guards
    if failed:
        raise GateRefused(
            f"{len(failed)} guard(s) failed: " + "; ".join(g.message for g in failed),
            gate="guards",
            details=tuple(f"{g.name}: {g.message}" for g in failed),
            hint="narrow the plan's scope, or change the guards in a reviewed commit",
        )

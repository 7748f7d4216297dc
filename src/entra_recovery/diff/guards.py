"""
Plan guards over a diff: `maxChanges`, `allowedActions`, `protectedObjects`.

Step in the flow: after the diff is built, the runner calls `evaluate_guards`; a preview report
flags the violations, an apply refuses (exit 3) when any result is not ok. Pure function: no
I/O, the same diff and settings always give the same results.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Final

from entra_recovery.constants import DEFAULT_ALLOWED_ACTIONS
from entra_recovery.diff.model import Diff

GUARD_MAX_CHANGES: Final = "maxChanges"
GUARD_ALLOWED_ACTIONS: Final = "allowedActions"
GUARD_PROTECTED_OBJECTS: Final = "protectedObjects"


@dataclass(frozen=True, slots=True)
class GuardResult:
    """
    The outcome of one guard.

    `objects` lists the ids of the objects that violate it (empty when ok).
    """

    name: str
    ok: bool
    message: str
    objects: tuple[str, ...] = ()


def evaluate_guards(
    diff: Diff,
    max_changes: int | None = None,
    allowed_actions: Iterable[str] | None = None,
    protected_objects: Iterable[str] | None = None,
) -> tuple[GuardResult, ...]:
    """
    Check a diff against a plan's guards; always returns the three results in a fixed order.

    Args:
        diff: the preview's diff.
        max_changes: the most object changes allowed; None means no limit.
        allowed_actions: the recovery actions allowed; None means `update` and `restore`.
            `softDelete` and any action unknown to us are violations unless listed.
        protected_objects: object ids no change may touch: neither the object itself nor a
            link (`members@delta` and the like) pointing at it.

    Returns:
        (maxChanges, allowedActions, protectedObjects) results.
    """
    return (
        _max_changes(diff, max_changes),
        _allowed_actions(diff, allowed_actions),
        _protected_objects(diff, protected_objects),
    )


def guards_ok(results: Iterable[GuardResult]) -> bool:
    """True when every guard passed."""
    return all(result.ok for result in results)


def _max_changes(diff: Diff, limit: int | None) -> GuardResult:
    count = diff.total_objects
    if limit is None:
        return GuardResult(GUARD_MAX_CHANGES, True, f"{count} object change(s); no limit set")
    if count > limit:
        return GuardResult(
            GUARD_MAX_CHANGES, False, f"{count} object changes exceed the limit of {limit}"
        )
    return GuardResult(GUARD_MAX_CHANGES, True, f"{count} object change(s), limit {limit}")


def _allowed_actions(diff: Diff, allowed: Iterable[str] | None) -> GuardResult:
    allowed_set = tuple(DEFAULT_ALLOWED_ACTIONS if allowed is None else dict.fromkeys(allowed))
    bad = [change for change in diff.changes if change.action not in allowed_set]
    listed = ", ".join(allowed_set) if allowed_set else "none"
    if not bad:
        return GuardResult(GUARD_ALLOWED_ACTIONS, True, f"all actions allowed ({listed})")
    by_action: dict[str, int] = {}
    for change in bad:
        by_action[change.action] = by_action.get(change.action, 0) + 1
    found = ", ".join(f"{action} ({n})" for action, n in sorted(by_action.items()))
    return GuardResult(
        GUARD_ALLOWED_ACTIONS,
        False,
        f"actions not allowed: {found}; allowed: {listed}",
        tuple(change.id for change in bad),
    )


def _protected_objects(diff: Diff, protected: Iterable[str] | None) -> GuardResult:
    wanted = {item.casefold() for item in protected or ()}
    if not wanted:
        return GuardResult(GUARD_PROTECTED_OBJECTS, True, "no protected objects set")
    touched: dict[str, None] = {}
    for change in diff.changes:
        if change.id.casefold() in wanted:
            touched[change.id] = None
        for link in change.links:
            if link.target_id.casefold() in wanted:
                touched[link.target_id] = None
    if not touched:
        return GuardResult(
            GUARD_PROTECTED_OBJECTS,
            True,
            f"no change touches the {len(wanted)} protected object(s)",
        )
    return GuardResult(
        GUARD_PROTECTED_OBJECTS,
        False,
        f"{len(touched)} protected object(s) would be touched",
        tuple(touched),
    )

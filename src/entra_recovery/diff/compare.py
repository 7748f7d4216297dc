"""
Compare two diffs: how a fresh preview differs from the approved one.

Step in the flow: `plan apply` runs a fresh preview; when its fingerprint differs from the
approved fingerprint, the runner loads the approved preview's JSON report (`diff_from_json`) and
shows `compare(approved, fresh)` before refusing.
"""

from __future__ import annotations

from dataclasses import dataclass

from entra_recovery.diff.model import Diff
from entra_recovery.diff.model import LinkChange
from entra_recovery.diff.model import ObjectChange
from entra_recovery.diff.model import PropertyChange


@dataclass(frozen=True, slots=True)
class ObjectDifference:
    """One object present in both diffs with a different planned change."""

    approved: ObjectChange
    fresh: ObjectChange
    action_changed: bool
    properties: tuple[str, ...]  # paths whose row was added, removed or has other values
    links: tuple[str, ...]  # "add members <id>" / "remove members <id>" present in one only

    @property
    def entity_type(self) -> str:
        return self.fresh.entity_type

    @property
    def id(self) -> str:
        return self.fresh.id


@dataclass(frozen=True, slots=True)
class DiffComparison:
    """Objects only in the fresh diff (`added`), only in the approved one (`removed`), or both."""

    added: tuple[ObjectChange, ...] = ()
    removed: tuple[ObjectChange, ...] = ()
    changed: tuple[ObjectDifference, ...] = ()

    @property
    def is_empty(self) -> bool:
        return not (self.added or self.removed or self.changed)

    def describe(self) -> str:
        """One line: `2 object(s) added, 1 removed, 3 changed since approval`."""
        return (
            f"{len(self.added)} object(s) added, {len(self.removed)} removed, "
            f"{len(self.changed)} changed since approval"
        )


def compare(approved: Diff, fresh: Diff) -> DiffComparison:
    """Compare by (entity type, id); results follow the diffs' sort order."""
    approved_by_key = {change.key: change for change in approved.changes}
    fresh_keys = {change.key for change in fresh.changes}
    added: list[ObjectChange] = []
    changed: list[ObjectDifference] = []
    for change in fresh.changes:
        before = approved_by_key.get(change.key)
        if before is None:
            added.append(change)
            continue
        difference = _difference(before, change)
        if difference is not None:
            changed.append(difference)
    removed = [change for change in approved.changes if change.key not in fresh_keys]
    return DiffComparison(tuple(added), tuple(removed), tuple(changed))


def _difference(approved: ObjectChange, fresh: ObjectChange) -> ObjectDifference | None:
    action_changed = approved.action != fresh.action
    before = {row.path: row for row in approved.properties}
    after = {row.path: row for row in fresh.properties}
    paths = [
        path
        for path in sorted(set(before) | set(after))
        if not _same_row(before.get(path), after.get(path))
    ]
    links = sorted(
        set(map(_link_text, approved.links)).symmetric_difference(map(_link_text, fresh.links))
    )
    if not (action_changed or paths or links):
        return None
    return ObjectDifference(approved, fresh, action_changed, tuple(paths), tuple(links))


def _same_row(left: PropertyChange | None, right: PropertyChange | None) -> bool:
    if left is None or right is None:
        return left is right
    return bool(
        _same_value(left.current, right.current) and _same_value(left.snapshot, right.snapshot)
    )


def _same_value(left: object, right: object) -> bool:
    return type(left) is type(right) and left == right


def _link_text(link: LinkChange) -> str:
    return f"{link.operation} {link.navigation} {link.target_id}"

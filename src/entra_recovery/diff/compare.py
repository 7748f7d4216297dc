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
    """
    Compare by (entity type, id); results follow the diffs' sort order.

    When one diff names an object more than once (Graph should not, but a page can repeat), the
    changes of that object are paired in order and only the unpaired ones are added or removed.
    """
    unpaired: dict[tuple[str, str], list[ObjectChange]] = {}
    for change in reversed(approved.changes):
        unpaired.setdefault(change.key, []).append(change)
    added: list[ObjectChange] = []
    changed: list[ObjectDifference] = []
    for change in fresh.changes:
        candidates = unpaired.get(change.key)
        if not candidates:
            added.append(change)
            continue
        difference = _difference(candidates.pop(), change)
        if difference is not None:
            changed.append(difference)
    left = {id(change) for group in unpaired.values() for change in group}
    removed = [change for change in approved.changes if id(change) in left]
    return DiffComparison(tuple(added), tuple(removed), tuple(changed))


def _difference(approved: ObjectChange, fresh: ObjectChange) -> ObjectDifference | None:
    action_changed = approved.action != fresh.action
    before = _rows_by_path(approved.properties)
    after = _rows_by_path(fresh.properties)
    paths = [
        path
        for path in sorted(before.keys() | after.keys())
        if not _same_rows(before.get(path, []), after.get(path, []))
    ]
    links = sorted(
        set(map(_link_text, approved.links)).symmetric_difference(map(_link_text, fresh.links))
    )
    if not (action_changed or paths or links):
        return None
    return ObjectDifference(approved, fresh, action_changed, tuple(paths), tuple(links))


def _rows_by_path(rows: tuple[PropertyChange, ...]) -> dict[str, list[PropertyChange]]:
    # One path can have two rows: a top-level key "a.b" and the key "b" nested in "a".
    by_path: dict[str, list[PropertyChange]] = {}
    for row in rows:
        by_path.setdefault(row.path, []).append(row)
    return by_path


def _same_rows(left: list[PropertyChange], right: list[PropertyChange]) -> bool:
    return len(left) == len(right) and all(map(_same_row, left, right))


def _same_row(left: PropertyChange, right: PropertyChange) -> bool:
    return bool(
        _same_value(left.current, right.current) and _same_value(left.snapshot, right.snapshot)
    )


def _same_value(left: object, right: object) -> bool:
    return type(left) is type(right) and left == right


def _link_text(link: LinkChange) -> str:
    return f"{link.operation} {link.navigation} {link.target_id}"

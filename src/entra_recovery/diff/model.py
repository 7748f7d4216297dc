"""
The diff model: what a recovery would change, one record per directory object.

Step in the flow: the runner pages through `getChanges` (or `getFailedChanges`), feeds every raw
change dict to `diff.builder.DiffBuilder`, which turns it into the records below; renderers only
read them. Records are slotted dataclasses so that 100,000 changes stay small in memory; they
are not frozen because a frozen dataclass is five times slower to build, but nothing changes
them after the builder made them (treat them as read-only).

Values (`PropertyChange.current`, `.snapshot`) are the JSON values exactly as Graph sent them
(str, int, float, bool, None, list, dict) and must be treated as read-only; a side that has no
value at all holds the `ABSENT` sentinel, which is different from JSON `null` (`None`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from dataclasses import field
from operator import itemgetter
from typing import Any
from typing import Final

# Navigations the service reports in `*@delta` but does not recover (reference 5.3, 6.8).
NOT_RECOVERED_LINKS: Final = frozenset({"owners", "manager", "sponsors"})

ACTION_UPDATE: Final = "update"
ACTION_RESTORE: Final = "restore"
ACTION_SOFT_DELETE: Final = "softDelete"
# Used when a change object carries no `recoveryAction` at all.
ACTION_MISSING: Final = "unknown"

LINK_ADD: Final = "add"
LINK_REMOVE: Final = "remove"


class _Absent:
    """Type of `ABSENT`: a property that one side does not carry at all (not JSON null)."""

    __slots__ = ()
    _instance: _Absent | None = None

    def __new__(cls) -> _Absent:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "<absent>"

    def __bool__(self) -> bool:
        return False

    def __reduce__(self) -> str:
        return "ABSENT"


ABSENT: Final = _Absent()
"""The value of a side that has no such key (JSON reports omit the key and set a flag)."""


@dataclass(slots=True)
class PropertyChange:
    """
    One property row: a dotted leaf path, its current value and the snapshot value.

    `snapshot` is what the recovery would write; `current` is the tenant's value now (or, for
    failed changes, at the recovery attempt). For two lists, `added` holds the items the recovery
    would add (in the snapshot, not current) and `removed` the items it would remove (current, not
    in the snapshot); both are compared set-like and keep their source order. They are None when
    either side is not a list.
    """

    path: str
    current: Any
    snapshot: Any
    added: tuple[Any, ...] | None = None
    removed: tuple[Any, ...] | None = None


@dataclass(slots=True)
class LinkChange:
    """
    One relationship row from a `<navigation>@delta` array.

    `operation` is "add" (the link existed in the snapshot and comes back) or "remove" (the item
    carries `@removed`: added after the snapshot, the recovery removes it). `target_type` is the
    item's `@odata.type` without the `#microsoft.graph.` prefix, or None.
    """

    navigation: str
    target_id: str
    target_type: str | None
    operation: str
    target_name: str | None = None

    @property
    def recovered(self) -> bool:
        """False for navigations the service reports but does not recover (owners, ...)."""
        return self.navigation not in NOT_RECOVERED_LINKS


@dataclass(slots=True)
class ObjectChange:
    """Everything a recovery would do to one directory object."""

    entity_type: str
    id: str
    display_name: str | None
    action: str
    properties: tuple[PropertyChange, ...] = ()
    links: tuple[LinkChange, ...] = ()
    failure_message: str | None = None
    links_not_recovered: tuple[str, ...] = ()

    @property
    def title(self) -> str:
        """Display name, or the id when the change carries no name."""
        return self.display_name if self.display_name else self.id

    @property
    def key(self) -> tuple[str, str]:
        """Identity across two diffs: (entity type, id)."""
        return (self.entity_type, self.id)


@dataclass(frozen=True, slots=True, repr=False)
class Diff:
    """
    All object changes of one preview (or the failed changes of one recovery job).

    `changes` is sorted by (entity type, case-folded display name, display name, id).
    `counts` maps entity type -> action -> number of objects (both in sorted order).
    """

    changes: tuple[ObjectChange, ...] = ()
    counts: Mapping[str, Mapping[str, int]] = field(default_factory=dict)
    total_properties: int = 0
    total_links: int = 0

    @classmethod
    def from_changes(cls, changes: tuple[ObjectChange, ...] | list[ObjectChange]) -> Diff:
        """Sort object changes and compute the summary counts."""
        # Decorate in one comprehension and sort on the first item (C-level key): a key
        # function call per change costs twice as much for 100,000 changes.
        decorated = [
            ((c.entity_type, (name := c.display_name or "").casefold(), name, c.id), c)
            for c in changes
        ]
        decorated.sort(key=itemgetter(0))
        ordered = [c for _, c in decorated]
        counts: dict[str, dict[str, int]] = {}
        properties = links = 0
        for change in ordered:
            per_type = counts.setdefault(change.entity_type, {})
            per_type[change.action] = per_type.get(change.action, 0) + 1
            properties += len(change.properties)
            links += len(change.links)
        sorted_counts = {t: dict(sorted(counts[t].items())) for t in sorted(counts)}
        return cls(tuple(ordered), sorted_counts, properties, links)

    def __repr__(self) -> str:
        # Short on purpose: the full repr of 100,000 changes takes seconds to build.
        return (
            f"Diff(<{len(self.changes)} object change(s)>, counts={dict(self.counts)!r}, "
            f"total_properties={self.total_properties}, total_links={self.total_links})"
        )

    @property
    def total_objects(self) -> int:
        return len(self.changes)

    @property
    def is_empty(self) -> bool:
        return not self.changes

    @property
    def action_totals(self) -> dict[str, int]:
        """Number of objects per action, known actions first in service order, then the rest."""
        totals: dict[str, int] = {}
        for per_type in self.counts.values():
            for action, count in per_type.items():
                totals[action] = totals.get(action, 0) + count
        return dict(sorted(totals.items(), key=lambda kv: action_order(kv[0])))

    def by_entity_type(self) -> list[tuple[str, tuple[ObjectChange, ...]]]:
        """The changes grouped by entity type, in `changes` order."""
        groups: list[tuple[str, tuple[ObjectChange, ...]]] = []
        start = 0
        items = self.changes
        for index in range(1, len(items) + 1):
            if index == len(items) or items[index].entity_type != items[start].entity_type:
                groups.append((items[start].entity_type, items[start:index]))
                start = index
        return groups


_ACTION_ORDER: Final = {ACTION_UPDATE: 0, ACTION_RESTORE: 1, ACTION_SOFT_DELETE: 2}


def action_order(action: str) -> tuple[int, str]:
    """Sort key for actions: update, restore, softDelete, then unknown ones alphabetically."""
    return (_ACTION_ORDER.get(action, 3), action)

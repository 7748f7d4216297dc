"""
Streaming builder: raw Graph change objects in, `Diff` out.

Step in the flow: the runner calls `DiffBuilder.add_page(page)` for every page of `getChanges`
(or `getFailedChanges`) as it arrives and `build()` once at the end. Each raw change is turned
into an `ObjectChange` straight away and the raw dict can be dropped, so memory holds only the
diff records (plus references to the leaf values they show).

Reading rules (reference section 5): `deltaFromCurrent` holds the snapshot values the recovery
would write, `currentState` the tenant's current values; annotation keys (`@odata.type`,
`@removed`, ...) are ignored; nested objects are compared recursively into dotted leaf paths (an
object present on one side only is one row); `<nav>@delta` arrays become link rows; unknown
entity types and actions are kept as they are.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from collections.abc import Mapping
from sys import intern
from typing import Any

from entra_recovery.diff.model import ABSENT
from entra_recovery.diff.model import ACTION_MISSING
from entra_recovery.diff.model import LINK_ADD
from entra_recovery.diff.model import LINK_REMOVE
from entra_recovery.diff.model import NOT_RECOVERED_LINKS
from entra_recovery.diff.model import Diff
from entra_recovery.diff.model import LinkChange
from entra_recovery.diff.model import ObjectChange
from entra_recovery.diff.model import PropertyChange
from entra_recovery.errors import ReportDataError

_DELTA_SUFFIX = "@delta"
_ODATA_TYPE_PREFIX = "#microsoft.graph."


class DiffBuilder:
    """
    Collects change objects one at a time and builds a sorted `Diff`.

    Example:
        builder = DiffBuilder()
        for page in pages:
            builder.add_page(page)
        diff = builder.build()
    """

    __slots__ = ("_changes",)

    def __init__(self) -> None:
        self._changes: list[ObjectChange] = []

    def add(self, change: Mapping[str, Any]) -> ObjectChange:
        """Convert one raw change dict and keep it; returns the record made from it."""
        record = object_change_from_raw(change)
        self._changes.append(record)
        return record

    def add_page(self, page: Iterable[Mapping[str, Any]]) -> None:
        """Add every change of one page (`value` array of a getChanges response)."""
        for change in page:
            self.add(change)

    def __len__(self) -> int:
        return len(self._changes)

    def build(self) -> Diff:
        """The sorted diff with summary counts; the builder can keep collecting afterwards."""
        return Diff.from_changes(self._changes)


def build_diff(changes: Iterable[Mapping[str, Any]]) -> Diff:
    """Build a diff from an iterable of raw change dicts in one call."""
    builder = DiffBuilder()
    builder.add_page(changes)
    return builder.build()


def object_change_from_raw(change: Mapping[str, Any]) -> ObjectChange:
    """
    Turn one raw change object into an `ObjectChange`.

    The top level is compared inline (this runs once per change, 100,000 times for a big
    preview); nested objects and lists go through `_compare`.

    Raises:
        ReportDataError: when `change` (or its `deltaFromCurrent`/`currentState`) is not a JSON
            object.
    """
    if type(change) is not dict and not isinstance(change, Mapping):
        raise ReportDataError(
            f"a change object from Graph must be a JSON object, not {type(change).__name__}"
        )
    get = change.get
    delta = get("deltaFromCurrent")
    if type(delta) is not dict:
        delta = _mapping(delta, "deltaFromCurrent")
    current = get("currentState")
    if type(current) is not dict:
        current = _mapping(current, "currentState")
    properties: list[PropertyChange] = []
    links: list[LinkChange] = []
    current_get = current.get
    delta_get = delta.get
    for key in sorted(delta.keys() | current.keys() if current else delta):
        if "@" in key:  # annotations (`@odata.type`, `@removed`, ...) and `<nav>@delta`
            if key.endswith(_DELTA_SUFFIX) and key in delta:
                links.extend(_links(key[: -len(_DELTA_SUFFIX)], delta[key]))
            continue
        now = current_get(key, ABSENT)
        then = delta_get(key, ABSENT)
        kind = type(now)
        if kind is type(then) and (kind is dict or kind is list or now == then):
            _compare(key, now, then, properties)  # nested, list, or equal (no row)
        else:
            properties.append(PropertyChange(intern(key), now, then))
    not_recovered: tuple[str, ...] = ()
    if links:
        links.sort(key=_link_sort_key)
        not_recovered = tuple(sorted({link.navigation for link in links} & NOT_RECOVERED_LINKS))
    entity_type = get("entityTypeName")
    action = get("recoveryAction")
    object_id = get("id")
    name = get("displayName")
    failure = get("failureMessage")
    return ObjectChange(
        intern(entity_type) if type(entity_type) is str and entity_type else _name(entity_type),
        object_id if type(object_id) is str else _object_id(change),
        name if type(name) is str and name else _display_name(current, delta),
        intern(action) if type(action) is str and action else _name(action, ACTION_MISSING),
        tuple(properties),
        tuple(links) if links else (),
        None if failure is None else str(failure),
        not_recovered,
    )


def _link_sort_key(link: LinkChange) -> tuple[str, str, str]:
    return (link.navigation, link.operation, link.target_id)


def _mapping(value: Any, what: str) -> Mapping[str, Any]:
    if type(value) is dict:
        return value
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        raise ReportDataError(
            f"`{what}` of a change object must be a JSON object, not {type(value).__name__}"
        )
    return value


def _name(value: Any, default: str = "unknown") -> str:
    if type(value) is str:
        return intern(value) if value else default
    return default if value is None else intern(str(value))


def _object_id(change: Mapping[str, Any]) -> str:
    value = change.get("id")
    if value is None:
        value = change.get("objectId")  # one beta getFailedChanges sample uses `objectId`
    return "" if value is None else str(value)


def _display_name(current: Mapping[str, Any], delta: Mapping[str, Any]) -> str | None:
    """The name when the change itself carries none: current state's, else the snapshot's."""
    for value in (current.get("displayName"), delta.get("displayName")):
        if isinstance(value, str) and value:
            return value
    return None


def canonical_json(value: Any) -> str:
    """Sorted keys, no whitespace, non-ASCII kept: the form used to compare and hash values."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def _compare(path: str, current: Any, snapshot: Any, out: list[PropertyChange]) -> None:
    """
    Append rows for `path`; recurse when both sides are JSON objects.

    Equal values give no row; equality is type-aware at the top (`true` is not `1`).
    """
    kind = type(current)
    if kind is type(snapshot):
        if kind is dict:
            for key in sorted(current.keys() | snapshot.keys()):
                if "@" not in key:
                    _compare(
                        f"{path}.{key}", current.get(key, ABSENT), snapshot.get(key, ABSENT), out
                    )
            return
        if current is ABSENT or (current == snapshot and _strictly_equal(current, snapshot)):
            return
        if kind is list:
            added, removed = _list_difference(current, snapshot)
            out.append(PropertyChange(intern(path), current, snapshot, added, removed))
            return
    out.append(PropertyChange(intern(path), current, snapshot))


def _strictly_equal(left: Any, right: Any) -> bool:
    """`left == right` with JSON types told apart at every depth (`1`, `1.0`, `true` differ)."""
    kind = type(left)
    if kind is not type(right):
        return False
    if kind is list:
        return len(left) == len(right) and all(map(_strictly_equal, left, right))
    if kind is dict:
        return left.keys() == right.keys() and all(
            _strictly_equal(v, right[k]) for k, v in left.items()
        )
    return bool(left == right)


def _list_difference(current: list[Any], snapshot: list[Any]) -> tuple[tuple[Any, ...], ...]:
    """(added, removed): set-like difference by canonical JSON, in each list's own order."""
    current_keys = {_item_key(item) for item in current}
    snapshot_keys = {_item_key(item) for item in snapshot}
    added = _unique(item for item in snapshot if _item_key(item) not in current_keys)
    removed = _unique(item for item in current if _item_key(item) not in snapshot_keys)
    return added, removed


def _item_key(item: Any) -> Any:
    if isinstance(item, str | int | float | bool) or item is None:
        return (type(item).__name__, item)
    return ("json", canonical_json(item))


def _unique(items: Iterable[Any]) -> tuple[Any, ...]:
    seen: set[Any] = set()
    result = []
    for item in items:
        key = _item_key(item)
        if key not in seen:
            seen.add(key)
            result.append(item)
    return tuple(result)


def _links(navigation: str, items: Any) -> list[LinkChange]:
    nav = intern(navigation)
    if not isinstance(items, list):
        items = [items]
    result = []
    for item in items:
        if isinstance(item, Mapping):
            target = item.get("id")
            target_id = "" if target is None else str(target)
            operation = LINK_REMOVE if "@removed" in item else LINK_ADD
            name = item.get("displayName")
            result.append(
                LinkChange(
                    nav,
                    target_id,
                    _short_type(item.get("@odata.type")),
                    operation,
                    name if isinstance(name, str) else None,
                )
            )
        else:
            result.append(LinkChange(nav, str(item), None, LINK_ADD))
    return result


def _short_type(value: Any) -> str | None:
    if not isinstance(value, str) or not value:
        return None
    if value.startswith(_ODATA_TYPE_PREFIX):
        value = value[len(_ODATA_TYPE_PREFIX) :]
    return intern(value.lstrip("#"))

"""
The difference calculation: snapshot state vs current state -> change objects (reference §5).

`compute_changes` is what a preview job runs when it finishes and what a recovery job runs
when it starts. Change objects carry `deltaFromCurrent` (snapshot values of the differing
properties plus `members@delta` links) and `currentState` (current values of the same
properties), typed as the directory entity; they are sorted by entity type order, then id.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from entra_recovery.constants import ENTITY_TYPES
from entra_recovery.emulator.state import TenantState
from entra_recovery.emulator.state import is_live
from entra_recovery.emulator.state import iso

# entity type -> scoped ids (None = every object of that type)
Scope = dict[str, frozenset[str] | None]

ODATA_ENTITY_TYPES = {
    "namedLocationPolicy": "#microsoft.graph.namedLocation",
    "authenticationMethodPolicy": "#microsoft.graph.authenticationMethodsPolicy",
}
_NOT_COMPARED = frozenset({"id", "deletedDateTime", "members", "@odata.type"})
REMOVED = {"reason": "changed"}


@dataclass(frozen=True)
class Change:
    """One change object plus the facts recovery needs to apply it."""

    entity_type: str
    object_id: str
    action: str
    links: int
    document: dict[str, Any]


def full_scope() -> Scope:
    return dict.fromkeys(ENTITY_TYPES)


def odata_type(entity_type: str, value: dict[str, Any] | None) -> str:
    if value and isinstance(value.get("@odata.type"), str):
        return str(value["@odata.type"])
    return ODATA_ENTITY_TYPES.get(entity_type, f"#microsoft.graph.{entity_type}")


def _member_delta(snap: dict[str, Any], cur: dict[str, Any]) -> list[dict[str, Any]]:
    before = {link["id"]: link for link in snap.get("members", [])}
    after = {link["id"]: link for link in cur.get("members", [])}
    delta: list[dict[str, Any]] = [dict(link) for mid, link in before.items() if mid not in after]
    delta.extend(
        {**link, "@removed": dict(REMOVED)} for mid, link in after.items() if mid not in before
    )
    return delta


def diff_object(
    entity_type: str,
    object_id: str,
    snap: dict[str, Any] | None,
    cur: dict[str, Any] | None,
    snapshot_ts: float,
) -> Change | None:
    """The change that takes `cur` back to `snap`, or None when nothing differs."""
    if cur is None or (not is_live(snap) and not is_live(cur)):
        return None  # never existed now, hard-deleted, or deleted on both sides
    kind = odata_type(entity_type, cur or snap)
    delta: dict[str, Any] = {"@odata.type": kind}
    current: dict[str, Any] = {"@odata.type": kind}
    links = 0
    if not is_live(snap):
        action = "softDelete"
        delta["@removed"] = dict(REMOVED)
        delta["deletedDateTime"] = iso(snapshot_ts)
        current["deletedDateTime"] = None
    else:
        assert snap is not None
        action = "update" if is_live(cur) else "restore"
        if action == "restore":
            delta["deletedDateTime"] = None
            current["deletedDateTime"] = cur["deletedDateTime"]
        for key in sorted((snap.keys() | cur.keys()) - _NOT_COMPARED):
            if snap.get(key) != cur.get(key):
                delta[key] = snap.get(key)
                current[key] = cur.get(key)
        if entity_type == "group":
            members = _member_delta(snap, cur)
            if members:
                delta["members@delta"] = members
                links = len(members)
        if action == "update" and len(delta) == 1:
            return None
    document = {
        "entityTypeName": entity_type,
        "id": object_id,
        "displayName": cur.get("displayName", snap.get("displayName") if snap else None),
        "recoveryAction": action,
        "deltaFromCurrent": delta,
        "currentState": current,
    }
    return Change(entity_type, object_id, action, links, document)


def iter_changes(state: TenantState, snapshot_ts: float, scope: Scope) -> Iterator[Change]:
    """Every change in `scope`, in order: entity type (service order), then id.

    A generator, so callers can encode or slim each change before the next one is built
    (a 100,000-change preview never holds all change documents at once). Hold `state.lock`.
    """
    for entity_type in ENTITY_TYPES:
        if entity_type not in scope:
            continue
        wanted = scope[entity_type]
        candidates = sorted(state.ids(entity_type)) if wanted is None else sorted(wanted)
        for object_id in candidates:
            cur = state.at(entity_type, object_id, float("inf"))
            snap = state.at(entity_type, object_id, snapshot_ts)
            change = diff_object(entity_type, object_id, snap, cur, snapshot_ts)
            if change is not None:
                yield change


def compute_changes(state: TenantState, snapshot_ts: float, scope: Scope) -> list[Change]:
    with state.lock:
        return list(iter_changes(state, snapshot_ts, scope))


def apply_change(state: TenantState, change: Change, snapshot_ts: float) -> None:
    """Write one change to the current tenant: the object goes back to its snapshot version."""
    entity_type, object_id = change.entity_type, change.object_id
    cur = state.at(entity_type, object_id, float("inf"))
    snap = state.at(entity_type, object_id, snapshot_ts)
    if cur is None:
        return
    if change.action == "softDelete":
        value = dict(cur)
        value["deletedDateTime"] = iso(state.clock())
    else:
        assert snap is not None
        value = dict(cur)
        value.pop("deletedDateTime", None)
        for key in (snap.keys() | cur.keys()) - _NOT_COMPARED:
            if key in snap:
                value[key] = snap[key]
            else:
                value.pop(key, None)
        if "members" in snap or "members" in cur:
            value["members"] = list(snap.get("members", []))
    state.record(entity_type, object_id, value, state.clock())

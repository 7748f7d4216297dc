"""
The emulated tenant: every directory object with its full version history.

Each object keeps a list of `(timestamp, value)` versions (value None = not existing yet);
a snapshot is simply "the versions in force at 02:30Z on day N", so seven snapshots of a
tenant cost one extra version per changed object, not seven copies (copy-on-write history).
Soft-deleted objects carry `deletedDateTime`; group membership lives in `members` as a list
of `{"@odata.type", "id"}` links. Tests mutate the current state through the public methods
to make the tenant drift.
"""

from __future__ import annotations

import bisect
import copy
import json
import os
import threading
from collections.abc import Callable
from collections.abc import Iterator
from datetime import UTC
from datetime import datetime
from pathlib import Path
from typing import Any

from entra_recovery.constants import ENTITY_TYPES

STATE_FORMAT = "entra-recovery-emulator-state/1"

Version = tuple[float, dict[str, Any] | None]


def iso(ts: float) -> str:
    """Epoch seconds -> Graph's `YYYY-MM-DDTHH:MM:SSZ`."""
    return datetime.fromtimestamp(ts, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_iso(text: str) -> float:
    """Graph timestamp (with `Z` or offset, optional fraction) -> epoch seconds."""
    value = datetime.fromisoformat(text.replace("Z", "+00:00"))
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.timestamp()


def is_live(value: dict[str, Any] | None) -> bool:
    return value is not None and not value.get("deletedDateTime")


class TenantState:
    """All objects of one tenant with their history; thread-safe through `lock`."""

    def __init__(self, tenant_id: str, clock: Callable[[], float]) -> None:
        self.tenant_id = tenant_id
        self.clock = clock
        self.lock = threading.RLock()
        self._objects: dict[str, dict[str, list[Version]]] = {t: {} for t in ENTITY_TYPES}
        self.state_file: Path | None = None
        self.revision = 0

    # -- reading -----------------------------------------------------------------------------

    def _history(self, entity_type: str, object_id: str) -> list[Version] | None:
        if entity_type not in self._objects:
            raise KeyError(f"unknown entity type {entity_type!r}")
        return self._objects[entity_type].get(object_id)

    def current(self, entity_type: str, object_id: str) -> dict[str, Any] | None:
        """The object as it is now (a copy), None when it never existed."""
        history = self._history(entity_type, object_id)
        return copy.deepcopy(history[-1][1]) if history else None

    def at(self, entity_type: str, object_id: str, ts: float) -> dict[str, Any] | None:
        """The object as it was at `ts` (shared, do not mutate)."""
        history = self._history(entity_type, object_id)
        if not history:
            return None
        index = bisect.bisect_right(history, ts, key=lambda version: version[0])
        return history[index - 1][1] if index else None

    def ids(self, entity_type: str) -> list[str]:
        return list(self._objects[entity_type])

    def histories(self, entity_type: str) -> Iterator[tuple[str, list[Version]]]:
        yield from self._objects[entity_type].items()

    def count(self) -> int:
        return sum(len(objects) for objects in self._objects.values())

    def changed_between(self, start: float, end: float) -> int:
        """How many objects got a new version in (start, end]."""
        total = 0
        for objects in self._objects.values():
            for history in objects.values():
                index = bisect.bisect_right(history, start, key=lambda version: version[0])
                if index < len(history) and history[index][0] <= end:
                    total += 1
        return total

    # -- writing -----------------------------------------------------------------------------

    def record(
        self, entity_type: str, object_id: str, value: dict[str, Any] | None, ts: float
    ) -> None:
        """Append a version (low level: scenario loading and recovery)."""
        if entity_type not in self._objects:
            raise KeyError(f"unknown entity type {entity_type!r}")
        history = self._objects[entity_type].setdefault(object_id, [])
        if history and ts < history[-1][0]:
            ts = history[-1][0]
        history.append((ts, value))
        self.revision += 1

    def create_object(self, entity_type: str, obj: dict[str, Any]) -> dict[str, Any]:
        """Create `obj` (must carry `id`) now; it shows as `softDelete` in later previews."""
        with self.lock:
            object_id = str(obj["id"])
            if is_live(self.at(entity_type, object_id, float("inf"))):
                raise ValueError(f"{entity_type} {object_id} already exists")
            value = copy.deepcopy(obj)
            value.pop("deletedDateTime", None)
            self.record(entity_type, object_id, value, self.clock())
            self.save()
            return copy.deepcopy(value)

    def update_object(
        self, entity_type: str, object_id: str, changes: dict[str, Any]
    ) -> dict[str, Any]:
        """Set properties of an existing object now (`None` removes a property)."""
        with self.lock:
            value = self.current(entity_type, object_id)
            if value is None:
                raise KeyError(f"{entity_type} {object_id} does not exist")
            for key, new in changes.items():
                if key == "id":
                    raise ValueError("the id of an object cannot change")
                if new is None and key != "deletedDateTime":
                    value.pop(key, None)
                else:
                    value[key] = copy.deepcopy(new)
            self.record(entity_type, object_id, value, self.clock())
            self.save()
            return copy.deepcopy(value)

    def soft_delete(self, entity_type: str, object_id: str) -> None:
        """Move a live object to the deleted items (sets `deletedDateTime`)."""
        with self.lock:
            value = self.current(entity_type, object_id)
            if not is_live(value):
                raise KeyError(f"{entity_type} {object_id} is not a live object")
            self.update_object(entity_type, object_id, {"deletedDateTime": iso(self.clock())})

    def restore(self, entity_type: str, object_id: str) -> None:
        """Bring a soft-deleted object back (same id)."""
        with self.lock:
            value = self.current(entity_type, object_id)
            if value is None or is_live(value):
                raise KeyError(f"{entity_type} {object_id} is not soft-deleted")
            value.pop("deletedDateTime", None)
            self.record(entity_type, object_id, value, self.clock())
            self.save()

    def add_member(self, group_id: str, member_id: str, member_type: str = "user") -> None:
        with self.lock:
            value = self.current("group", group_id)
            if value is None:
                raise KeyError(f"group {group_id} does not exist")
            members = value.setdefault("members", [])
            if all(link["id"] != member_id for link in members):
                members.append({"@odata.type": f"#microsoft.graph.{member_type}", "id": member_id})
            self.record("group", group_id, value, self.clock())
            self.save()

    def remove_member(self, group_id: str, member_id: str) -> None:
        with self.lock:
            value = self.current("group", group_id)
            if value is None:
                raise KeyError(f"group {group_id} does not exist")
            value["members"] = [m for m in value.get("members", []) if m["id"] != member_id]
            self.record("group", group_id, value, self.clock())
            self.save()

    # -- persistence -------------------------------------------------------------------------

    def to_json(self) -> dict[str, Any]:
        return {
            "format": STATE_FORMAT,
            "tenantId": self.tenant_id,
            "objects": {
                entity_type: {
                    object_id: [[iso_precise(ts), value] for ts, value in history]
                    for object_id, history in objects.items()
                }
                for entity_type, objects in self._objects.items()
                if objects
            },
        }

    def load_json(self, data: dict[str, Any]) -> None:
        """Replace the whole history with a saved one (see `to_json`)."""
        if data.get("format") != STATE_FORMAT:
            raise ValueError(f"not an emulator state file (expected format {STATE_FORMAT})")
        self._objects = {t: {} for t in ENTITY_TYPES}
        for entity_type, objects in data.get("objects", {}).items():
            if entity_type not in self._objects:
                raise ValueError(f"unknown entity type {entity_type!r} in state file")
            for object_id, history in objects.items():
                self._objects[entity_type][object_id] = [
                    (parse_iso(ts), value) for ts, value in history
                ]
        self.tenant_id = str(data.get("tenantId", self.tenant_id))
        self.revision += 1

    def save(self) -> None:
        """Write the state file (atomically) when one is configured."""
        if self.state_file is None:
            return
        with self.lock:
            tmp = self.state_file.with_name(self.state_file.name + ".tmp")
            tmp.write_text(json.dumps(self.to_json(), separators=(",", ":")), encoding="utf-8")
            os.replace(tmp, self.state_file)


def iso_precise(ts: float) -> str:
    """Epoch seconds -> ISO with microseconds (state files keep ordering exact)."""
    return datetime.fromtimestamp(ts, UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")

"""
Step 4 of validation: the rules a JSON Schema cannot express.

Runs on the plain data after the apiVersion/kind gate, next to the schema check, and is
defensive about shapes (the schema reports wrong types; these checks just skip them):

- `mode: apply` needs `metadata.change`;
- an entity type appears at most once under `scope.objects`, and ids are unique within it;
- `snapshot.before` is a real instant with a time zone (quoted or not in YAML) that has a UTC
  equivalent;
- an object that is in `guards.protectedObjects` and also explicitly in `scope.objects` is a
  contradiction (apply would always refuse), so it is an error;
- at most `MAX_SCOPE_IDS` ids in a by-id scope (the portal stops at 100 per scope; whether the
  API enforces that is undocumented, so we only refuse what is clearly a mistake).

`softDelete` is allowed only when `guards.allowedActions` lists it: that is the model's
default (`update`, `restore`), so no check is needed here beyond the schema's enum.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from collections.abc import Mapping
from datetime import UTC
from datetime import datetime
from typing import Any

from entra_recovery.plan.schema import Finding

MAX_SCOPE_IDS = 1000
_SPACE_BEFORE_ZONE = re.compile(r"\s+(?=(?:[Zz]|[+-]\d{1,2}(?::?\d{2})?)$)")
_SHORT_OFFSET = re.compile(r"([+-])(\d)(?=(?::?\d{2})?$)")


def parse_instant(text: str | datetime) -> datetime | None:
    """An ISO 8601 / YAML timestamp as a datetime (naive when it has no zone), or None.

    Our loader keeps timestamps as text; a datetime (from `yaml.safe_load` data) passes through.
    """
    if isinstance(text, datetime):
        return text
    candidate = _SPACE_BEFORE_ZONE.sub("", text.strip())
    candidate = (
        _SHORT_OFFSET.sub(r"\g<1>0\g<2>", candidate)
        if "T" in candidate.upper() or " " in candidate
        else candidate
    )
    try:
        return datetime.fromisoformat(candidate)
    except ValueError:
        return None


def _mapping(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def _check_mode(data: Mapping[str, Any]) -> Iterator[Finding]:
    metadata = data.get("metadata")
    if data.get("mode") == "apply" and isinstance(metadata, Mapping) and not metadata.get("change"):
        yield Finding(
            ("mode",),
            "mode apply needs metadata.change (the change reference that authorises it)",
            "add `change: CHG...` under metadata, or set mode: preview",
        )


def _check_before(data: Mapping[str, Any]) -> Iterator[Finding]:
    before = _mapping(data.get("snapshot")).get("before")
    if isinstance(before, datetime):
        before = before.isoformat()
    if not isinstance(before, str) or not before.strip():
        return
    moment = parse_instant(before)
    if moment is None:
        yield Finding(
            ("snapshot", "before"),
            f"{before!r} is not a date and time",
            "use ISO 8601 with a zone, e.g. 2026-11-27T08:00:00Z",
        )
    elif moment.utcoffset() is None:
        yield Finding(
            ("snapshot", "before"),
            f"{before!r} has no time zone",
            "add Z for UTC (2026-11-27T08:00:00Z) or an offset such as +01:00",
        )
    elif not _in_utc_range(moment):
        yield Finding(
            ("snapshot", "before"),
            f"{before!r} is out of range: it has no UTC equivalent",
            "snapshots are kept for a few days; use a recent instant, e.g. 2026-11-27T08:00:00Z",
        )


def _in_utc_range(moment: datetime) -> bool:
    """Whether an aware instant converts to UTC (0001-01-01T00:00+01:00 does not)."""
    try:
        moment.astimezone(UTC)
    except OverflowError:
        return False
    return True


def _check_objects(data: Mapping[str, Any]) -> Iterator[Finding]:
    objects = _mapping(data.get("scope")).get("objects")
    if not isinstance(objects, list):
        return
    protected_list = _mapping(data.get("guards")).get("protectedObjects")
    protected = {
        p.lower()
        for p in (protected_list if isinstance(protected_list, list) else ())
        if isinstance(p, str)
    }
    first_type: dict[str, int] = {}
    total = 0
    for index, entry in enumerate(objects):
        if not isinstance(entry, Mapping):
            continue
        entity_type = entry.get("entityType")
        if isinstance(entity_type, str):
            if entity_type in first_type:
                yield Finding(
                    ("scope", "objects", index, "entityType"),
                    f"entity type {entity_type!r} appears more than once under scope.objects "
                    f"(first at scope.objects[{first_type[entity_type]}])",
                    "list all ids of one type in a single entry",
                )
            else:
                first_type[entity_type] = index
        ids = entry.get("ids")
        if not isinstance(ids, list):
            continue
        total += len(ids)
        first_id: dict[str, int] = {}
        for position, object_id in enumerate(ids):
            if not isinstance(object_id, str):
                continue
            where = ("scope", "objects", index, "ids", position)
            key = object_id.lower()
            if key in first_id:
                yield Finding(
                    where,
                    f"duplicate id {object_id!r} (also at ids[{first_id[key]}])",
                    "remove the duplicate",
                )
                continue
            first_id[key] = position
            if key in protected:
                yield Finding(
                    where,
                    f"{object_id!r} is in scope and also in guards.protectedObjects",
                    "apply would always refuse: remove it from scope.objects or from "
                    "guards.protectedObjects",
                )
    if total > MAX_SCOPE_IDS:
        yield Finding(
            ("scope", "objects"),
            f"{total} object ids in scope; a plan takes at most {MAX_SCOPE_IDS}",
            "split the recovery into several plans, or scope by entityTypes",
        )


def semantic_findings(data: Any) -> list[Finding]:
    """Every semantic problem in the plan data (which may not satisfy the schema)."""
    if not isinstance(data, Mapping):
        return []
    return [*_check_mode(data), *_check_before(data), *_check_objects(data)]

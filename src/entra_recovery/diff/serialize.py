"""
JSON form of the change-set model, both ways: the one place that spells a change as JSON.

Step in the flow: the JSON report (`report.jsonreport`) writes these dicts a change at a time;
`plan apply` reads a reviewed report back with `diff_from_json` to explain how a fresh preview
differs from the approved one.

Absent values: a property row whose side has no value at all omits `current` (or `snapshot`)
and carries `"currentAbsent": true` (or `"snapshotAbsent": true`); JSON `null` means the
property exists and is null.
"""

from __future__ import annotations

from collections.abc import Iterable
from collections.abc import Mapping
from typing import Any
from typing import Final

from entra_recovery.diff.compare import DiffComparison
from entra_recovery.diff.guards import GuardResult
from entra_recovery.diff.model import ABSENT
from entra_recovery.diff.model import LINK_ADD
from entra_recovery.diff.model import LINK_REMOVE
from entra_recovery.diff.model import Diff
from entra_recovery.diff.model import LinkChange
from entra_recovery.diff.model import ObjectChange
from entra_recovery.diff.model import PropertyChange
from entra_recovery.errors import ReportDataError

FORMAT_VERSION: Final = "1.0"
"""Version of the JSON diff report format (`format_version`); a new major is not readable."""


def property_to_json(row: PropertyChange) -> dict[str, Any]:
    data: dict[str, Any] = {"path": row.path}
    if row.current is ABSENT:
        data["currentAbsent"] = True
    else:
        data["current"] = row.current
    if row.snapshot is ABSENT:
        data["snapshotAbsent"] = True
    else:
        data["snapshot"] = row.snapshot
    if row.added is not None:
        data["added"] = list(row.added)
    if row.removed is not None:
        data["removed"] = list(row.removed)
    return data


def _link_target(link: LinkChange) -> dict[str, Any]:
    data: dict[str, Any] = {"id": link.target_id}
    if link.target_type is not None:
        data["type"] = link.target_type
    if link.target_name is not None:
        data["displayName"] = link.target_name
    return data


def links_to_json(links: Iterable[LinkChange]) -> list[dict[str, Any]]:
    """Links grouped per navigation: `{navigation, recovered, added[], removed[]}`."""
    groups: dict[str, dict[str, Any]] = {}
    for link in links:
        group = groups.get(link.navigation)
        if group is None:
            group = groups[link.navigation] = {
                "navigation": link.navigation,
                "recovered": link.recovered,
                "added": [],
                "removed": [],
            }
        group["added" if link.operation == LINK_ADD else "removed"].append(_link_target(link))
    return list(groups.values())


def change_to_json(change: ObjectChange) -> dict[str, Any]:
    data: dict[str, Any] = {
        "entityType": change.entity_type,
        "id": change.id,
        "displayName": change.display_name,
        "action": change.action,
        "properties": [property_to_json(row) for row in change.properties],
        "links": links_to_json(change.links) if change.links else [],
    }
    if change.links_not_recovered:
        data["linksNotRecovered"] = list(change.links_not_recovered)
    if change.failure_message is not None:
        data["failureMessage"] = change.failure_message
    return data


def summary_to_json(diff: Diff) -> dict[str, Any]:
    return {
        "totalObjects": diff.total_objects,
        "totalProperties": diff.total_properties,
        "totalLinks": diff.total_links,
        "byAction": diff.action_totals,
        "byEntityType": {t: dict(actions) for t, actions in diff.counts.items()},
    }


def guard_to_json(result: GuardResult) -> dict[str, Any]:
    return {
        "name": result.name,
        "ok": result.ok,
        "message": result.message,
        "objects": list(result.objects),
    }


def comparison_to_json(comparison: DiffComparison) -> dict[str, Any]:
    def ref(change: ObjectChange) -> dict[str, Any]:
        return {
            "entityType": change.entity_type,
            "id": change.id,
            "displayName": change.display_name,
            "action": change.action,
        }

    return {
        "added": [ref(change) for change in comparison.added],
        "removed": [ref(change) for change in comparison.removed],
        "changed": [
            {
                **ref(item.fresh),
                "approvedAction": item.approved.action,
                "properties": list(item.properties),
                "links": list(item.links),
            }
            for item in comparison.changed
        ],
    }


# --- reading back -------------------------------------------------------------------------


def str_or_none(value: Any) -> str | None:
    """`value` as text, None kept."""
    return None if value is None else str(value)


def opt_int(value: Any) -> int | None:
    """`value` if it is an integer (not a bool), else None."""
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def property_from_json(data: Mapping[str, Any]) -> PropertyChange:
    added = data.get("added")
    removed = data.get("removed")
    return PropertyChange(
        path=str(data["path"]),
        current=ABSENT if data.get("currentAbsent") else data.get("current"),
        snapshot=ABSENT if data.get("snapshotAbsent") else data.get("snapshot"),
        added=None if added is None else tuple(added),
        removed=None if removed is None else tuple(removed),
    )


def links_from_json(groups: Iterable[Mapping[str, Any]]) -> tuple[LinkChange, ...]:
    links = []
    for group in groups:
        navigation = str(group["navigation"])
        for operation, key in ((LINK_ADD, "added"), (LINK_REMOVE, "removed")):
            for target in group.get(key) or ():
                links.append(
                    LinkChange(
                        navigation,
                        str(target["id"]),
                        str_or_none(target.get("type")),
                        operation,
                        str_or_none(target.get("displayName")),
                    )
                )
    links.sort(key=lambda link: (link.navigation, link.operation, link.target_id))
    return tuple(links)


def change_from_json(data: Mapping[str, Any]) -> ObjectChange:
    return ObjectChange(
        entity_type=str(data["entityType"]),
        id=str(data["id"]),
        display_name=str_or_none(data.get("displayName")),
        action=str(data["action"]),
        properties=tuple(property_from_json(row) for row in data.get("properties") or ()),
        links=links_from_json(data.get("links") or ()),
        failure_message=str_or_none(data.get("failureMessage")),
        links_not_recovered=tuple(str(nav) for nav in data.get("linksNotRecovered") or ()),
    )


def diff_from_json(data: Mapping[str, Any] | Iterable[Mapping[str, Any]]) -> Diff:
    """
    Rebuild a `Diff` from a JSON report (the whole document) or from its `changes` list.

    Raises:
        ReportDataError: (a ValueError) when the data is not a diff report of a known format
            version or a change in it is malformed.
    """
    if isinstance(data, Mapping):
        version = str(data.get("format_version", ""))
        if version.split(".")[0] != FORMAT_VERSION.split(".")[0]:
            raise ReportDataError(
                f"not a diff report of format version {FORMAT_VERSION} (found {version or 'none'})"
            )
        changes = data.get("changes")
        if not isinstance(changes, list):
            raise ReportDataError("the diff report has no `changes` list")
        data = changes
    try:
        return Diff.from_changes([change_from_json(item) for item in data])
    except (KeyError, TypeError, AttributeError) as exc:
        raise ReportDataError(f"malformed change in the diff report: {exc!r}") from exc


def guard_from_json(data: Mapping[str, Any]) -> GuardResult:
    return GuardResult(
        str(data["name"]),
        bool(data["ok"]),
        str(data.get("message", "")),
        tuple(str(o) for o in data.get("objects") or ()),
    )

"""
JSON form of the report model, both ways.

Step in the flow: the JSON renderer writes these dicts (a change at a time, to stream big
reports); `plan apply` reads a saved preview report back with `diff_from_json` /
`Report.from_json` to show how a fresh preview differs from the approved one.

Absent values: a property row whose side has no value at all omits `current` (or `snapshot`)
and carries `"currentAbsent": true` (or `"snapshotAbsent": true`); JSON `null` means the
property exists and is null.
"""

from __future__ import annotations

from collections.abc import Iterable
from collections.abc import Mapping
from typing import Any
from typing import Final

from entra_recovery.errors import ReportDataError
from entra_recovery.report.compare import DiffComparison
from entra_recovery.report.document import TOOL_NAME
from entra_recovery.report.document import ApplyInfo
from entra_recovery.report.document import JobInfo
from entra_recovery.report.document import PlanInfo
from entra_recovery.report.document import Report
from entra_recovery.report.document import SnapshotInfo
from entra_recovery.report.document import format_time
from entra_recovery.report.document import parse_time
from entra_recovery.report.guards import GuardResult
from entra_recovery.report.model import ABSENT
from entra_recovery.report.model import LINK_ADD
from entra_recovery.report.model import LINK_REMOVE
from entra_recovery.report.model import Diff
from entra_recovery.report.model import LinkChange
from entra_recovery.report.model import ObjectChange
from entra_recovery.report.model import PropertyChange

FORMAT_VERSION: Final = "1.0"


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


def report_head_to_json(report: Report) -> dict[str, Any]:
    """Every top-level field before `changes`, in the contract's key order."""
    plan = report.plan
    return {
        "format_version": FORMAT_VERSION,
        "status": report.status,
        "tool": {"name": TOOL_NAME, "version": report.tool_version},
        "generatedAt": format_time(report.generated_at),
        "plan": {
            "name": plan.name,
            "file": plan.file,
            "sha256": plan.sha256,
            "mode": plan.mode,
            "change": plan.change,
            "owner": plan.owner,
            "reviewers": list(plan.reviewers),
        },
        "tenant": report.tenant,
        "scope": report.scope,
        "snapshot": None
        if report.snapshot is None
        else {"id": report.snapshot.id, "createdDateTime": format_time(report.snapshot.created)},
        "job": None
        if report.job is None
        else {
            "id": report.job.id,
            "status": report.job.status,
            "totalChangedObjects": report.job.total_objects,
            "totalChangedLinks": report.job.total_links,
        },
        "fingerprint": report.fingerprint,
        "approveCommand": report.approve_command,
        "messages": list(report.messages),
        "guards": [guard_to_json(result) for result in report.guards],
        "summary": summary_to_json(report.diff),
    }


def report_tail_to_json(report: Report) -> dict[str, Any]:
    """Every top-level field after `changes` (apply without its failed changes, comparison)."""
    apply = report.apply
    return {
        "apply": None
        if apply is None
        else {
            "job": {"id": apply.job_id, "status": apply.status},
            "totalObjectsModified": apply.total_objects_modified,
            "totalLinksModified": apply.total_links_modified,
            "totalFailedChanges": apply.total_failed_changes,
        },
        "comparison": None if report.comparison is None else comparison_to_json(report.comparison),
    }


def report_to_json(report: Report) -> dict[str, Any]:
    """The whole JSON report as one dict (fine for small reports; the renderer streams)."""
    data = report_head_to_json(report)
    data["changes"] = [change_to_json(change) for change in report.diff.changes]
    data.update(report_tail_to_json(report))
    if report.apply is not None:
        data["apply"]["failedChanges"] = [change_to_json(c) for c in report.apply.failed_changes]
    return data


# --- reading back -------------------------------------------------------------------------


def _str_or_none(value: Any) -> str | None:
    return None if value is None else str(value)


def _opt_int(value: Any) -> int | None:
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
                        _str_or_none(target.get("type")),
                        operation,
                        _str_or_none(target.get("displayName")),
                    )
                )
    links.sort(key=lambda link: (link.navigation, link.operation, link.target_id))
    return tuple(links)


def change_from_json(data: Mapping[str, Any]) -> ObjectChange:
    return ObjectChange(
        entity_type=str(data["entityType"]),
        id=str(data["id"]),
        display_name=_str_or_none(data.get("displayName")),
        action=str(data["action"]),
        properties=tuple(property_from_json(row) for row in data.get("properties") or ()),
        links=links_from_json(data.get("links") or ()),
        failure_message=_str_or_none(data.get("failureMessage")),
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


def report_from_json(data: Mapping[str, Any]) -> Report:
    """
    Rebuild a `Report` (everything but `comparison`) from the JSON renderer's output.

    Raises:
        ReportDataError: when the data is not a diff report this version can read.
    """
    diff = diff_from_json(data)
    try:
        return _report_from_json(data, diff)
    except (KeyError, TypeError, AttributeError) as exc:
        raise ReportDataError(f"malformed diff report: {exc!r}") from exc


def _report_from_json(data: Mapping[str, Any], diff: Diff) -> Report:
    plan = data.get("plan") or {}
    snapshot = data.get("snapshot")
    job = data.get("job")
    apply = data.get("apply")
    generated = parse_time(data.get("generatedAt"))
    if generated is None:
        raise ReportDataError("the diff report has no valid `generatedAt`")
    return Report(
        plan=PlanInfo(
            name=str(plan.get("name", "")),
            file=_str_or_none(plan.get("file")),
            sha256=_str_or_none(plan.get("sha256")),
            mode=str(plan.get("mode") or "preview"),
            change=_str_or_none(plan.get("change")),
            owner=_str_or_none(plan.get("owner")),
            reviewers=tuple(str(r) for r in plan.get("reviewers") or ()),
        ),
        diff=diff,
        generated_at=generated,
        tool_version=str((data.get("tool") or {}).get("version", "")),
        tenant=_str_or_none(data.get("tenant")),
        snapshot=None
        if not snapshot
        else SnapshotInfo(str(snapshot.get("id")), parse_time(snapshot.get("createdDateTime"))),
        job=None
        if not job
        else JobInfo(
            _str_or_none(job.get("id")),
            _str_or_none(job.get("status")),
            _opt_int(job.get("totalChangedObjects")),
            _opt_int(job.get("totalChangedLinks")),
        ),
        fingerprint=_str_or_none(data.get("fingerprint")),
        approve_command=_str_or_none(data.get("approveCommand")),
        guards=tuple(
            GuardResult(
                str(g["name"]),
                bool(g["ok"]),
                str(g.get("message", "")),
                tuple(str(o) for o in g.get("objects") or ()),
            )
            for g in data.get("guards") or ()
        ),
        apply=None
        if not apply
        else ApplyInfo(
            job_id=str((apply.get("job") or {}).get("id", "")),
            status=str((apply.get("job") or {}).get("status", "")),
            total_objects_modified=_opt_int(apply.get("totalObjectsModified")),
            total_links_modified=_opt_int(apply.get("totalLinksModified")),
            total_failed_changes=_opt_int(apply.get("totalFailedChanges")),
            failed_changes=tuple(change_from_json(c) for c in apply.get("failedChanges") or ()),
        ),
        status=_str_or_none(data.get("status")),
        scope=_str_or_none(data.get("scope")),
        messages=tuple(str(m) for m in data.get("messages") or ()),
    )

"""
JSON form of a whole report (`Report`), both ways, around the change-set JSON of `diff.serialize`.

Step in the flow: the JSON renderer writes the head, then the changes a change at a time (to
stream big reports), then the tail; `Report.from_json` reads a saved report back.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from entra_recovery.diff.model import Diff
from entra_recovery.diff.serialize import FORMAT_VERSION
from entra_recovery.diff.serialize import change_from_json
from entra_recovery.diff.serialize import change_to_json
from entra_recovery.diff.serialize import comparison_to_json
from entra_recovery.diff.serialize import diff_from_json
from entra_recovery.diff.serialize import guard_from_json
from entra_recovery.diff.serialize import guard_to_json
from entra_recovery.diff.serialize import opt_int
from entra_recovery.diff.serialize import str_or_none
from entra_recovery.diff.serialize import summary_to_json
from entra_recovery.errors import ReportDataError
from entra_recovery.report.document import TOOL_NAME
from entra_recovery.report.document import ApplyInfo
from entra_recovery.report.document import JobInfo
from entra_recovery.report.document import PlanInfo
from entra_recovery.report.document import Report
from entra_recovery.report.document import SnapshotInfo
from entra_recovery.report.document import format_time
from entra_recovery.timestamps import parse_iso


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
    generated = parse_iso(data.get("generatedAt"))
    if generated is None:
        raise ReportDataError("the diff report has no valid `generatedAt`")
    return Report(
        plan=PlanInfo(
            name=str(plan.get("name", "")),
            file=str_or_none(plan.get("file")),
            sha256=str_or_none(plan.get("sha256")),
            mode=str(plan.get("mode") or "preview"),
            change=str_or_none(plan.get("change")),
            owner=str_or_none(plan.get("owner")),
            reviewers=tuple(str(r) for r in plan.get("reviewers") or ()),
        ),
        diff=diff,
        generated_at=generated,
        tool_version=str((data.get("tool") or {}).get("version", "")),
        tenant=str_or_none(data.get("tenant")),
        snapshot=None
        if not snapshot
        else SnapshotInfo(str(snapshot.get("id")), parse_iso(snapshot.get("createdDateTime"))),
        job=None
        if not job
        else JobInfo(
            str_or_none(job.get("id")),
            str_or_none(job.get("status")),
            opt_int(job.get("totalChangedObjects")),
            opt_int(job.get("totalChangedLinks")),
        ),
        fingerprint=str_or_none(data.get("fingerprint")),
        approve_command=str_or_none(data.get("approveCommand")),
        guards=tuple(guard_from_json(g) for g in data.get("guards") or ()),
        apply=None
        if not apply
        else ApplyInfo(
            job_id=str((apply.get("job") or {}).get("id", "")),
            status=str((apply.get("job") or {}).get("status", "")),
            total_objects_modified=opt_int(apply.get("totalObjectsModified")),
            total_links_modified=opt_int(apply.get("totalLinksModified")),
            total_failed_changes=opt_int(apply.get("totalFailedChanges")),
            failed_changes=tuple(change_from_json(c) for c in apply.get("failedChanges") or ()),
        ),
        status=str_or_none(data.get("status")),
        scope=str_or_none(data.get("scope")),
        messages=tuple(str(m) for m in data.get("messages") or ()),
    )

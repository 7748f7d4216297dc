"""
From runner results to the one `report.Report` every renderer consumes.

The runner knows the plan, snapshot, jobs, diff, fingerprint and guards; this module only maps
them onto the report model, including the command that approves exactly this change set.
"""

from __future__ import annotations

import shlex
from datetime import datetime

from entra_recovery.constants import PlanMode
from entra_recovery.diff import DiffComparison
from entra_recovery.report import ApplyInfo
from entra_recovery.report import JobInfo
from entra_recovery.report import PlanInfo
from entra_recovery.report import Report
from entra_recovery.report import SnapshotInfo
from entra_recovery.runner.results import ApplyResult
from entra_recovery.runner.results import Preview


def approve_command(preview: Preview) -> str | None:
    """The command line that applies exactly the previewed change set; None for a plan in
    `mode: preview`, which `plan apply` refuses (the CLI says how to approve it instead)."""
    if preview.plan.mode is not PlanMode.APPLY:
        return None
    path = shlex.quote(preview.plan.path)
    return f"entra-recovery plan apply {path} --fingerprint {preview.fingerprint}"


def build_report(
    preview: Preview,
    result: ApplyResult | None = None,
    *,
    status: str | None = None,
    comparison: DiffComparison | None = None,
    messages: tuple[str, ...] = (),
    generated_at: datetime | None = None,
) -> Report:
    """The report for a preview, or for an apply when `result` is given."""
    plan = preview.plan
    job = preview.job
    apply_info = None
    if result is not None and result.job is not None:
        rjob = result.job
        apply_info = ApplyInfo(
            job_id=rjob.id,
            status=rjob.status_text,
            total_objects_modified=rjob.total_objects_modified,
            total_links_modified=rjob.total_links_modified,
            total_failed_changes=rjob.total_failed_changes,
            failed_changes=tuple(result.failed.changes),
        )
    return Report(
        plan=PlanInfo(
            name=plan.name,
            file=plan.path,
            sha256=plan.sha256,
            mode=plan.mode,
            change=plan.metadata.change,
            owner=plan.metadata.owner,
            reviewers=tuple(plan.metadata.reviewers),
        ),
        diff=preview.diff,
        generated_at=generated_at or (result.finished_at if result else preview.generated_at),
        tenant=plan.tenant,
        snapshot=SnapshotInfo(id=preview.snapshot.id, created=preview.snapshot.created),
        job=JobInfo(
            id=job.id,
            status=job.status_text,
            total_objects=job.total_changed_objects,
            total_links=job.total_changed_links,
        ),
        fingerprint=preview.fingerprint,
        approve_command=approve_command(preview) if preview.has_changes else None,
        guards=preview.guards,
        apply=apply_info,
        status=status,
        comparison=comparison,
        scope=preview.criteria.describe(),
        messages=messages,
    )

"""report.blocks: which header, fingerprint and apply facts the renderers show, in which order."""

from __future__ import annotations

from entra_recovery.diff import build_diff
from entra_recovery.report import ApplyInfo
from entra_recovery.report import JobInfo
from entra_recovery.report import PlanInfo
from entra_recovery.report.blocks import Note
from entra_recovery.report.blocks import apply_counts
from entra_recovery.report.blocks import fingerprint_block
from entra_recovery.report.blocks import header_rows
from entra_recovery.report.blocks import job_totals
from entra_recovery.report.blocks import plural
from helpers import report_samples as s


def test_header_rows_of_the_demo_report() -> None:
    """Every fact in display order, with its label, value and notes."""
    rows = header_rows(s.demo_report())
    assert [(row.key, row.label, row.value) for row in rows] == [
        ("plan", "Plan", "rollback-incident-4711"),
        ("file", "Plan file", "recovery_plans/rollback-incident.yaml"),
        ("mode", "Mode", "preview"),
        ("change", "Change", "CHG0012345"),
        ("owner", "Owner", "identity-ops@contoso.com"),
        ("reviewers", "Reviewers", "alice@contoso.com"),
        ("tenant", "Tenant", s.TENANT),
        (
            "scope",
            "Scope",
            "entity types: user, group, conditionalAccessPolicy, namedLocationPolicy",
        ),
        ("snapshot", "Snapshot", s.SNAPSHOT_ID),
        ("job", "Preview job", "9d1e2f3a-0001-4000-8000-00000000aaaa"),
        ("generated", "Generated", "2026-11-28T14:00:00Z"),
    ]
    notes = {row.key: row.notes for row in rows if row.notes}
    assert notes == {
        "file": (Note("Plan sha256", "sha256", s.PLAN.sha256 or ""),),
        "snapshot": (Note("Snapshot created", "created", "2026-11-28T02:30:00Z"),),
        "job": (Note("Preview job status", "", "successful"),),
    }
    assert [row.key for row in rows if row.literal] == ["file", "tenant", "snapshot", "job"]


def test_missing_and_empty_facts_have_no_row() -> None:
    """None and empty text are no value; several reviewers are one row."""
    plan = PlanInfo("p", file=None, sha256=None, change="", owner=None, reviewers=("a", "b"))
    report = s.demo_report(plan=plan, tenant="", scope=None, snapshot=None, job=None)
    rows = header_rows(report)
    assert [row.key for row in rows] == ["plan", "mode", "reviewers", "generated"]
    assert rows[2].value == "a, b"


def test_a_sha256_without_a_file_keeps_its_note() -> None:
    """The row stays for its note, with no value of its own."""
    report = s.demo_report(plan=PlanInfo("p", file=None, sha256="ab"))
    file_row = next(row for row in header_rows(report) if row.key == "file")
    assert file_row.value is None
    assert file_row.notes == (Note("Plan sha256", "sha256", "ab"),)


def test_job_totals_list_only_what_the_service_gave() -> None:
    """A total the job did not report is left out; no job, no totals."""
    assert job_totals(s.demo_report()) == ("10 object(s)", "5 link(s)")
    assert job_totals(s.demo_report(job=JobInfo("j", "running", None, 3))) == ("3 link(s)",)
    assert job_totals(s.demo_report(job=None)) == ()


def test_fingerprint_block_has_no_command_without_changes() -> None:
    """An empty diff has nothing to apply; an empty fingerprint counts as none."""
    demo = s.demo_report()
    block = fingerprint_block(demo)
    assert (block.fingerprint, block.approve_command) == (demo.fingerprint, demo.approve_command)
    empty = fingerprint_block(s.demo_report(diff=build_diff([])))
    assert empty.fingerprint == demo.fingerprint and empty.approve_command is None
    assert fingerprint_block(s.demo_report(fingerprint="", approve_command="")) == (
        fingerprint_block(s.demo_report(fingerprint=None, approve_command=None))
    )
    assert fingerprint_block(s.demo_report(fingerprint=None)).fingerprint is None


def test_apply_counts_skip_unknown_totals() -> None:
    """Only the totals the recovery job reported, in a fixed order; zero is a total."""
    apply = ApplyInfo("j", "successful", 9, None, 0)
    assert apply_counts(apply) == ((9, "object(s) modified"), (0, "failed change(s)"))
    assert apply_counts(ApplyInfo("j", "failed")) == ()


def test_plural_spells_out_the_plural() -> None:
    """HTML writes `objects modified` where text formats write `object(s) modified`."""
    assert [plural(what) for _, what in apply_counts(ApplyInfo("j", "s", 1, 1, 1))] == [
        "objects modified",
        "links modified",
        "failed changes",
    ]

"""`plan preview` / `plan apply` end to end: the CLI, the runner and the emulator over HTTP."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from entra_recovery.resources import load_schema
from entra_recovery.testing import emulator_env
from helpers.clirun import run_cli
from helpers.planfiles import CA_MFA_ADMINS
from helpers.planfiles import DELETED_USERS
from helpers.planfiles import apply_data
from helpers.planfiles import plan_data
from helpers.planfiles import write_plan

EXAMPLES = Path(__file__).resolve().parents[2] / "recovery_plans"


def _env(server: Any, tmp_path: Path) -> dict[str, str]:
    return {**emulator_env(server), "ENTRA_RECOVERY_STATE_DIR": str(tmp_path / "state")}


def _posts(server: Any, collection: str) -> list[dict[str, Any]]:
    return [
        r
        for r in server.requests
        if r["method"] == "POST" and r["path"].rstrip("/").endswith("/" + collection)
    ]


_VOID = {
    "area",
    "base",
    "br",
    "col",
    "embed",
    "hr",
    "img",
    "input",
    "link",
    "meta",
    "source",
    "wbr",
}


class _TagBalance(HTMLParser):
    """Tracks open elements; any end tag that does not close the innermost one is recorded."""

    def __init__(self) -> None:
        super().__init__()
        self.open: list[str] = []
        self.stray: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in _VOID:
            self.open.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if self.open and self.open[-1] == tag:
            self.open.pop()
        else:
            self.stray.append(tag)


def _unclosed_tags(html: str) -> list[str]:
    """Tags left open or closed out of order (empty for a well-nested document)."""
    parser = _TagBalance()
    parser.feed(html)
    parser.close()
    return parser.open + parser.stray


def _fingerprint(stdout: str) -> str:
    for token in stdout.split():
        if token.startswith("sha256:") and len(token) == 71:
            return token
    raise AssertionError(f"no fingerprint in output:\n{stdout}")


@pytest.mark.parametrize("example", sorted(p.name for p in EXAMPLES.glob("*.yaml")))
def test_every_example_plan_previews(emulator: Any, tmp_path: Path, example: str) -> None:
    """Each shipped example previews against the demo tenant and reports drift (exit 2)."""
    result = run_cli(["plan", "preview", str(EXAMPLES / example)], _env(emulator, tmp_path))
    assert result.code == 2, result.stderr
    _fingerprint(result.stdout)  # the fingerprint to approve is printed
    assert _posts(emulator, "recoveryJobs") == []


def test_no_drift_exits_zero(make_emulator: Any, tmp_path: Path) -> None:
    """A tenant without drift previews clean: exit 0."""
    server = make_emulator(scenario="empty")
    plan = write_plan(tmp_path, plan_data())
    result = run_cli(["plan", "preview", str(plan)], _env(server, tmp_path))
    assert result.code == 0, result.stderr


def test_folder_of_plans_and_every_format(emulator: Any, tmp_path: Path) -> None:
    """A folder previews plan by plan; each format is written and well-formed."""
    plans = tmp_path / "plans"
    plans.mkdir()
    write_plan(plans, plan_data(), "a.yaml")
    other = plan_data(scope={"objects": [{"entityType": "user", "ids": DELETED_USERS}]})
    other["metadata"] = {"name": "restore-users"}
    write_plan(plans, other, "b.yaml")
    out = tmp_path / "reports"
    args = ["plan", "preview", str(plans), "--output-dir", str(out)]
    for fmt in ("terminal", "json", "junit", "markdown", "html"):
        args += ["--format", fmt]
    result = run_cli(args, _env(emulator, tmp_path))
    assert result.code == 2, result.stderr
    for name in ("test-plan", "restore-users"):
        report = json.loads((out / f"{name}.json").read_text())
        jsonschema.validate(report, load_schema("diff-report.schema.json"))
        fingerprint = report["fingerprint"]
        assert len(fingerprint) == 71 and fingerprint.startswith("sha256:")
        ids = [c["id"] for c in report["changes"]]
        assert ids, "the demo incident must show up"
        suite = ET.parse(out / f"{name}.xml").getroot()
        cases = list(suite.iter("testcase"))
        assert len(cases) == 3 + len(ids)  # three guards, then one case per changed object
        assert [c.get("name", "").rsplit("(", 1)[-1].rstrip(")") for c in cases[3:]] == ids
        properties = {p.get("name"): p.get("value") for p in suite.iter("property")}
        assert properties["fingerprint"] == fingerprint
        html = (out / f"{name}.html").read_text()
        assert _unclosed_tags(html) == []
        assert fingerprint in html and all(i in html for i in ids)
        markdown = (out / f"{name}.md").read_text()
        assert f"**Fingerprint:** <code>{fingerprint}</code>" in markdown
        assert "| Entity type | update | restore | softDelete | other | Total |" in markdown
    restored = json.loads((out / "restore-users.json").read_text())
    assert {c["action"] for c in restored["changes"]} == {"restore"}


def test_wrong_tenant_is_refused_before_any_job(emulator: Any, tmp_path: Path) -> None:
    """A token for another tenant: exit 3 and no preview job created."""
    plan = write_plan(tmp_path, plan_data(tenant="11111111-2222-4333-8444-555555555555"))
    result = run_cli(["plan", "preview", str(plan)], _env(emulator, tmp_path))
    assert result.code == 3
    assert "tenant" in result.stderr
    assert _posts(emulator, "recoveryPreviewJobs") == []


def test_apply_refuses_preview_mode(emulator: Any, tmp_path: Path) -> None:
    """`mode: preview` plans never apply (exit 3), and nothing is created."""
    plan = write_plan(tmp_path, plan_data())
    result = run_cli(
        ["plan", "apply", str(plan), "--yes", "--fingerprint", "sha256:" + "0" * 64],
        _env(emulator, tmp_path),
    )
    assert result.code == 3
    assert "mode" in result.stderr
    assert _posts(emulator, "recoveryJobs") == []
    assert _posts(emulator, "recoveryPreviewJobs") == []
    audit = (tmp_path / "state" / "audit.jsonl").read_text().splitlines()
    assert [json.loads(line)["outcome"] for line in audit] == ["refused"]


def _preview_fingerprint(server: Any, tmp_path: Path, plan: Path) -> str:
    result = run_cli(["plan", "preview", str(plan)], _env(server, tmp_path))
    assert result.code == 2, result.stderr
    return _fingerprint(result.stdout)


def test_apply_refuses_stale_fingerprint(emulator: Any, tmp_path: Path) -> None:
    """The tenant drifted after the review: exit 3, the drift explained, no recovery job."""
    plan = write_plan(tmp_path, apply_data())
    fingerprint = _preview_fingerprint(emulator, tmp_path, plan)
    emulator.state.update_object(
        "conditionalAccessPolicy", CA_MFA_ADMINS, {"displayName": "Require MFA (edited)"}
    )
    result = run_cli(
        ["plan", "apply", str(plan), "--yes", "--fingerprint", fingerprint],
        _env(emulator, tmp_path),
    )
    assert result.code == 3, result.stderr
    assert "changed since approval" in result.stderr
    assert CA_MFA_ADMINS in result.stderr
    assert _posts(emulator, "recoveryJobs") == []


def test_apply_refuses_guard_violation(emulator: Any, tmp_path: Path) -> None:
    """A guard that fails on the fresh preview refuses the apply (exit 3)."""
    data = apply_data(guards={"maxChanges": 1})
    plan = write_plan(tmp_path, data)
    fingerprint = _preview_fingerprint(emulator, tmp_path, plan)
    result = run_cli(
        ["plan", "apply", str(plan), "--yes", "--fingerprint", fingerprint],
        _env(emulator, tmp_path),
    )
    assert result.code == 3
    assert "maxChanges" in result.stderr
    assert _posts(emulator, "recoveryJobs") == []


def test_apply_without_confirmation_is_refused(emulator: Any, tmp_path: Path) -> None:
    """A non-interactive apply without --yes refuses (exit 3) after showing the diff."""
    plan = write_plan(tmp_path, apply_data())
    fingerprint = _preview_fingerprint(emulator, tmp_path, plan)
    result = run_cli(
        ["plan", "apply", str(plan), "--fingerprint", fingerprint], _env(emulator, tmp_path)
    )
    assert result.code == 3
    assert "--yes" in result.stderr
    assert "Require MFA for administrators" in result.stdout
    assert _posts(emulator, "recoveryJobs") == []


def test_apply_recovers_and_next_preview_is_empty(emulator: Any, tmp_path: Path) -> None:
    """An approved apply recovers (exit 0); the same plan then previews clean (exit 0)."""
    plan = write_plan(tmp_path, apply_data())
    fingerprint = _preview_fingerprint(emulator, tmp_path, plan)
    approved = write_plan(tmp_path, apply_data(fingerprint), "approved.yaml")
    env = _env(emulator, tmp_path)
    result = run_cli(["plan", "apply", str(approved), "--yes"], env)
    assert result.code == 0, result.stderr
    assert len(_posts(emulator, "recoveryJobs")) == 1
    after = run_cli(["plan", "preview", str(plan)], env)
    assert after.code == 0, after.stdout
    audit = [
        json.loads(line) for line in (tmp_path / "state" / "audit.jsonl").read_text().splitlines()
    ]
    assert [a["outcome"] for a in audit] == ["changes", "applied", "no-changes"]
    assert audit[1]["approvers"] == ["alice@contoso.com"]
    assert audit[1]["change"] == "CHG0012345"
    token = env["ENTRA_RECOVERY_ACCESS_TOKEN"]
    for path in (tmp_path / "state").rglob("*"):
        if path.is_file() and not path.name.endswith(".gz"):
            assert token not in path.read_text()


def test_failed_changes_exit_four(make_emulator: Any, tmp_path: Path) -> None:
    """A recovery with a failed change exits 4 and lists it with its failure message."""
    from importlib import resources

    import yaml

    demo = resources.files("entra_recovery.emulator") / "scenarios" / "demo.yaml"
    data = yaml.safe_load(demo.read_text(encoding="utf-8"))
    data["jobs"]["failingObjects"] = {CA_MFA_ADMINS: "Policy is locked by another process."}
    scenario = tmp_path / "failing.yaml"
    scenario.write_text(yaml.safe_dump(data), encoding="utf-8")
    server = make_emulator(scenario=str(scenario))
    plan = write_plan(tmp_path, apply_data())
    fingerprint = _preview_fingerprint(server, tmp_path, plan)
    env = _env(server, tmp_path)
    result = run_cli(["plan", "apply", str(plan), "--yes", "--fingerprint", fingerprint], env)
    assert result.code == 4, result.stderr
    assert "Policy is locked by another process." in result.stdout
    runs = run_cli(["run", "list"], env)
    assert runs.code == 0 and "apply" in runs.stdout and "exit 4" in runs.stdout
    run_id = runs.stdout.split()[0]
    shown = run_cli(["run", "show", run_id], env)
    assert shown.code == 0
    assert "poll-recovery" in shown.stdout and fingerprint in shown.stdout


def test_missing_plan_file_is_a_clear_error(emulator: Any, tmp_path: Path) -> None:
    """A plan that does not exist: exit 1, one clear line, no traceback, no job."""
    result = run_cli(["plan", "preview", str(tmp_path / "nope.yaml")], _env(emulator, tmp_path))
    assert result.code == 1
    assert "Traceback" not in result.stderr and "nope.yaml" in result.stderr
    assert _posts(emulator, "recoveryPreviewJobs") == []


def test_folder_into_one_junit_file(emulator: Any, tmp_path: Path) -> None:
    """Several plans with `--format junit --output FILE`: one document, a suite per plan."""
    plans = tmp_path / "plans"
    plans.mkdir()
    write_plan(plans, plan_data(), "a.yaml")
    empty_scope = plan_data(scope={"entityTypes": ["authorizationPolicy"]})
    empty_scope["metadata"] = {"name": "authz"}
    write_plan(plans, empty_scope, "b.yaml")
    out = tmp_path / "junit.xml"
    result = run_cli(
        ["plan", "preview", str(plans), "--format", "junit", "--output", str(out)],
        _env(emulator, tmp_path),
    )
    assert result.code == 2, result.stderr
    suites = ET.parse(out).getroot()
    assert suites.tag == "testsuites"
    assert [s.get("name") for s in suites.iter("testsuite")] == ["test-plan", "authz"]


def test_output_with_several_formats_is_a_usage_error(emulator: Any, tmp_path: Path) -> None:
    """`--output` with two formats is refused before any job (exit 64)."""
    plan = write_plan(tmp_path, plan_data())
    result = run_cli(
        ["plan", "preview", str(plan), "--format", "json", "--format", "html", "--output", "x"],
        _env(emulator, tmp_path),
    )
    assert result.code == 64
    assert _posts(emulator, "recoveryPreviewJobs") == []


def test_apply_refusal_explains_drift_from_the_approved_report(
    emulator: Any, tmp_path: Path
) -> None:
    """`--approved-report` names the objects and properties that changed since the review."""
    plan = write_plan(tmp_path, apply_data())
    env = _env(emulator, tmp_path)
    report = tmp_path / "approved.json"
    reviewed = run_cli(
        ["plan", "preview", str(plan), "--format", "json", "--output", str(report)], env
    )
    assert reviewed.code == 2, reviewed.stderr
    fingerprint = json.loads(report.read_text())["fingerprint"]
    emulator.state.update_object(
        "conditionalAccessPolicy", CA_MFA_ADMINS, {"displayName": "Require MFA (edited)"}
    )
    args = ["plan", "apply", str(plan), "--yes", "--fingerprint", fingerprint]
    result = run_cli([*args, "--approved-report", str(report)], env)
    assert result.code == 3, result.stderr
    assert "  0 object(s) added, 0 removed, 1 changed since approval\n" in result.stderr
    line = f'  ~ conditionalAccessPolicy "Require MFA (edited)" ({CA_MFA_ADMINS}): displayName\n'
    assert line in result.stderr
    assert _posts(emulator, "recoveryJobs") == []


def test_ctrl_c_during_recovery_explains_and_resume_finishes(
    emulator: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Ctrl-C after the recovery job was requested: exit 130, the job named with the commands
    to follow or cancel it; `run resume` then follows that job to its end without a new one."""
    from entra_recovery.cli.progress import TerminalProgress

    plan = write_plan(tmp_path, apply_data())
    env = _env(emulator, tmp_path)
    fingerprint = _preview_fingerprint(emulator, tmp_path, plan)

    def interrupt_at_recovery(self: TerminalProgress, stage: str, detail: str) -> None:
        if stage == "recovery-job":
            raise KeyboardInterrupt

    with monkeypatch.context() as patch:
        patch.setattr(TerminalProgress, "stage_started", interrupt_at_recovery)
        result = run_cli(["plan", "apply", str(plan), "--yes", "--fingerprint", fingerprint], env)
    assert result.code == 130, result.stderr
    [job] = _posts(emulator, "recoveryJobs")
    runs = json.loads(run_cli(["run", "list", "--json"], env).stdout)
    record = next(r for r in runs if r["command"] == "apply")
    assert (record["status"], record["exit_code"]) == ("interrupted", 130)
    job_id = record["recovery_job_id"]
    assert f"Recovery job {job_id} continues on the service side" in result.stderr
    assert "Traceback" not in result.stderr
    assert f"entra-recovery run resume {record['run_id']}" in result.stderr
    assert f"entra-recovery job cancel {job_id}" in result.stderr
    shown = run_cli(["run", "show", record["run_id"]], env)
    assert f"next: entra-recovery run resume {record['run_id']}; or cancel it" in shown.stdout
    resumed = run_cli(["run", "resume", record["run_id"]], env)
    assert resumed.code == 0, resumed.stderr
    assert f"Recovery job {job_id} successful" in resumed.stdout
    assert _posts(emulator, "recoveryJobs") == [job]
    audit = [
        json.loads(line) for line in (tmp_path / "state" / "audit.jsonl").read_text().splitlines()
    ]
    assert [(a["event"], a["outcome"]) for a in audit] == [
        ("preview", "changes"),
        ("apply", "interrupted"),
        ("apply", "applied"),
    ]

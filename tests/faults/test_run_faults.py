"""The runner's side of the hardening: each way the service or the state folder misbehaves, the
exit code and message the user gets, and never a traceback or a second recovery job.

Each case says what goes wrong (a lost answer at our `GraphApi` seam, a proxy in front of the
emulator rewriting answers, or a damaged state folder), then drives the real CLI over HTTP.
"""

from __future__ import annotations

import json
import os
import stat
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from faults.runhelpers import inflate_object_total
from faults.runhelpers import lose_job_answers
from faults.runhelpers import no_object_total
from faults.runhelpers import repeat_first_change

from entra_recovery.runner.audit import AuditLog
from entra_recovery.testing import emulator_env
from helpers.clirun import CliResult
from helpers.clirun import run_cli
from helpers.planfiles import apply_data
from helpers.planfiles import plan_data
from helpers.planfiles import write_plan
from helpers.proxy import RewritingProxy

# A run id no run has, shaped like one.
NO_SUCH_RUN = "20261128T090000Z-abcdef"
OTHER_UID = 4242


@dataclass
class Ctx:
    """One case's world: an emulator, a state folder, the CLI environment."""

    make_emulator: Callable[..., Any]
    tmp_path: Path
    monkeypatch: pytest.MonkeyPatch
    server: Any = None
    proxy: RewritingProxy | None = None

    def __post_init__(self) -> None:
        self.server = self.make_emulator()

    @property
    def state(self) -> Path:
        return self.tmp_path / "state"

    def env(self, url: str | None = None) -> dict[str, str]:
        env = {**emulator_env(self.server), "ENTRA_RECOVERY_STATE_DIR": str(self.state)}
        if url:
            env["ENTRA_RECOVERY_GRAPH_URL"] = url
        return env

    def cli(self, *args: str, url: str | None = None) -> CliResult:
        return run_cli(list(args), self.env(url))

    def posts(self, collection: str) -> int:
        return sum(
            1
            for r in self.server.requests
            if r["method"] == "POST" and r["path"].rstrip("/").endswith("/" + collection)
        )

    def plan(self, **overrides: Any) -> str:
        return str(write_plan(self.tmp_path, plan_data(**overrides)))

    def approved_apply(self) -> list[str]:
        """`plan apply` arguments for an apply plan approved with a fresh fingerprint."""
        path = write_plan(self.tmp_path, apply_data(), "apply.yaml")
        preview = self.cli("plan", "preview", str(path), "--format", "json")
        fingerprint = json.loads(preview.stdout)["fingerprint"]
        return ["plan", "apply", str(path), "--yes", "--fingerprint", fingerprint]

    def runs(self) -> list[dict[str, Any]]:
        return [json.loads(p.read_text()) for p in sorted((self.state / "runs").glob("*.json"))]

    def proxied(self, rewrite: Callable[[str, str, Any], Any]) -> str:
        self.proxy = RewritingProxy(self.server.url, rewrite).start()
        return self.proxy.url


# --- the cases ------------------------------------------------------------------------------


def lost_recovery_answer_job_created(ctx: Ctx) -> CliResult:
    args = ctx.approved_apply()
    made = lose_job_answers(ctx.monkeypatch, kind="recovery", created=True)
    result = ctx.cli(*args)
    [lost] = made[0].lost
    assert ctx.posts("recoveryJobs") == 1
    [apply] = [r for r in ctx.runs() if r["command"] == "apply"]
    assert (apply["recovery_job_id"], apply["status"]) == (lost, "finished")
    assert f"Recovery job {lost} successful" in result.stdout
    return result


def lost_recovery_answer_no_job(ctx: Ctx) -> CliResult:
    args = ctx.approved_apply()
    with pytest.MonkeyPatch.context() as patch:
        lose_job_answers(patch, kind="recovery", created=False)
        result = ctx.cli(*args)
    [apply] = [r for r in ctx.runs() if r["command"] == "apply"]
    assert f"entra-recovery run resume {apply['run_id']}" in result.stderr
    assert apply["recovery_intent_at"] and apply["recovery_job_id"] is None
    assert ctx.posts("recoveryJobs") == 0
    # resume looks again: still nothing, so the run is closed as "nothing recovered"...
    resumed = ctx.cli("run", "resume", apply["run_id"])
    assert resumed.code == 1 and "nothing was recovered" in resumed.stderr
    # ...and stays closed, even once a later apply has made a job that would match.
    assert ctx.cli(*args).code == 0
    again = ctx.cli("run", "resume", apply["run_id"])
    assert again.code == 1 and "is closed" in again.stderr
    assert ctx.posts("recoveryJobs") == 1
    return result


def lost_preview_answer_job_created(ctx: Ctx) -> CliResult:
    made = lose_job_answers(ctx.monkeypatch, kind="preview", created=True)
    result = ctx.cli("plan", "preview", ctx.plan())
    [lost] = made[0].lost
    assert ctx.posts("recoveryPreviewJobs") == 1
    assert [r["preview_job_id"] for r in ctx.runs()] == [lost]
    assert ctx.runs()[0]["preview_intent_at"]
    return result


def lost_preview_answer_no_job(ctx: Ctx) -> CliResult:
    lose_job_answers(ctx.monkeypatch, kind="preview", created=False)
    result = ctx.cli("plan", "preview", ctx.plan())
    assert ctx.posts("recoveryPreviewJobs") == 0
    return result


def totals_disagree(ctx: Ctx) -> CliResult:
    return ctx.cli("plan", "preview", ctx.plan(), url=ctx.proxied(inflate_object_total))


def duplicate_objects(ctx: Ctx) -> CliResult:
    return ctx.cli("plan", "preview", ctx.plan(), url=ctx.proxied(repeat_first_change))


def empty_list_without_total(ctx: Ctx) -> CliResult:
    quiet = ctx.plan(scope={"entityTypes": ["authorizationPolicy"]})
    assert ctx.cli("plan", "preview", quiet).code == 0  # truly nothing to recover here
    return ctx.cli("plan", "preview", quiet, url=ctx.proxied(no_object_total))


def torn_audit_line(ctx: Ctx) -> CliResult:
    ctx.state.mkdir(mode=0o700)
    (ctx.state / "audit.jsonl").write_bytes(b'{"at": "2026-11-28T08:00:00Z", "event": "prev')
    os.chmod(ctx.state / "audit.jsonl", 0o600)
    result = ctx.cli("plan", "preview", ctx.plan())
    reading = AuditLog(ctx.state).read_all()
    assert reading.damaged_lines == [1]
    assert [(r["event"], r["outcome"]) for r in reading.records] == [("preview", "changes")]
    return result


def null_journal(ctx: Ctx) -> CliResult:
    assert ctx.cli("plan", "preview", ctx.plan()).code == 2
    (ctx.state / "runs" / f"{NO_SUCH_RUN}.json").write_text("null")
    listed = ctx.cli("run", "list")
    assert listed.code == 0 and "test-plan" in listed.stdout
    assert f"warning: skipped damaged run journal {ctx.state / 'runs' / NO_SUCH_RUN}" in (
        listed.stderr
    )
    assert ctx.cli("run", "resume", NO_SUCH_RUN).code == 1
    return ctx.cli("run", "show", NO_SUCH_RUN)


def hostile_run_id(ctx: Ctx) -> CliResult:
    assert ctx.cli("run", "resume", "../../etc/passwd").code == 64
    return ctx.cli("run", "show", "*")


def world_writable_state_dir(ctx: Ctx) -> CliResult:
    ctx.state.mkdir()
    os.chmod(ctx.state, 0o777)
    result = ctx.cli("plan", "preview", ctx.plan())
    assert ctx.posts("recoveryPreviewJobs") == 0
    return result


def foreign_state_dir(ctx: Ctx) -> CliResult:
    if os.getuid() != 0:
        pytest.skip("making a folder someone else's needs root")
    target = ctx.tmp_path / "theirs"
    target.mkdir(mode=0o700)
    os.chown(target, OTHER_UID, -1)
    ctx.state.symlink_to(target)  # a symlinked state dir is judged by its target
    result = ctx.cli("plan", "preview", ctx.plan())
    assert ctx.posts("recoveryPreviewJobs") == 0 and list(target.iterdir()) == []
    return result


def symlink_at_temp_path(ctx: Ctx) -> CliResult:
    plan = ctx.plan()
    first = ctx.cli("plan", "preview", plan, "--format", "json")
    digest = json.loads(first.stdout)["fingerprint"].removeprefix("sha256:")
    victim = ctx.tmp_path / "victim.txt"
    victim.write_text("precious")
    planted = ctx.state / "previews" / f".{digest}.json.{os.getpid()}.tmp"
    planted.symlink_to(victim)
    result = ctx.cli("plan", "preview", plan)
    assert victim.read_text() == "precious" and planted.is_symlink()
    assert json.loads((ctx.state / "previews" / f"{digest}.json").read_text())["changes"]
    return result


def duplicate_plan_names(ctx: Ctx) -> CliResult:
    folder = ctx.tmp_path / "plans"
    folder.mkdir()
    write_plan(folder, plan_data(), "a.yaml")
    write_plan(folder, plan_data(scope={"entityTypes": ["user"]}), "b.yaml")
    result = ctx.cli("plan", "preview", str(folder), "--output-dir", str(ctx.tmp_path / "out"))
    assert ctx.posts("recoveryPreviewJobs") == 0
    assert str(folder / "a.yaml") in result.stderr and str(folder / "b.yaml") in result.stderr
    return result


@dataclass(frozen=True)
class Case:
    """What misbehaves, how the run is driven, and what the user must see."""

    what: str
    run: Callable[[Ctx], CliResult]
    code: int
    message: str
    emulator: tuple[tuple[str, Any], ...] = ()


CASES = [
    Case(
        "the answer to the recovery-job POST is lost, the job was created",
        lost_recovery_answer_job_created,
        0,
        "object(s) and",
    ),
    Case(
        "the answer to the recovery-job POST is lost, no job was created",
        lost_recovery_answer_no_job,
        1,
        "the request is not sent again",
    ),
    Case(
        "the answer to the preview-job POST is lost, the job was created",
        lost_preview_answer_job_created,
        2,
        "Require MFA for administrators",
        (("now", None),),  # the local clock and the service's agree (no pinned emulator)
    ),
    Case(
        "the answer to the preview-job POST is lost, no job was created",
        lost_preview_answer_no_job,
        1,
        "entra-recovery job list",
        (("now", None),),
    ),
    Case(
        "the preview job counts one more object than getChanges lists",
        totals_disagree,
        1,
        "calculated 5 changed object(s) (totalChangedObjectsCalculated), but getChanges listed 4",
    ),
    Case(
        "getChanges lists one object twice",
        duplicate_objects,
        1,
        "listed the same object more than once (conditionalAccessPolicy c3d4e5f6-0001",
    ),
    Case(
        "an empty change list from a job that never said how many it calculated",
        empty_list_without_total,
        1,
        "listed no changes, but the job did not say how many it calculated",
    ),
    Case("a crash left a torn last audit line", torn_audit_line, 2, "Require MFA"),
    Case("a journal holds null", null_journal, 1, "is unreadable"),
    Case("a run id that is a glob", hostile_run_id, 64, "'*' is not a run id"),
    Case("the state dir is world-writable", world_writable_state_dir, 1, "chmod 700"),
    Case("the state dir is a symlink to someone else's", foreign_state_dir, 1, "chown"),
    Case("a symlink is planted at the temporary file's name", symlink_at_temp_path, 2, "MFA"),
    Case("two plans of a batch share a name", duplicate_plan_names, 1, "same metadata.name"),
]


@pytest.mark.parametrize("case", CASES, ids=[c.run.__name__ for c in CASES])
def test_fault(
    case: Case, make_emulator: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each fault gives its exit code and message, and no traceback."""
    ctx = Ctx(lambda: make_emulator(**dict(case.emulator)), tmp_path, monkeypatch)
    try:
        result = case.run(ctx)
    finally:
        if ctx.proxy is not None:
            ctx.proxy.stop()
    assert result.code == case.code, result.stdout + result.stderr
    assert case.message in result.stdout + result.stderr
    assert "Traceback" not in result.stdout + result.stderr
    assert "unexpected error" not in result.stderr


def test_state_files_stay_private(
    make_emulator: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A fresh state folder and every folder in it are created 0700, its files 0600."""
    ctx = Ctx(make_emulator, tmp_path / "deep", monkeypatch)
    assert ctx.cli("plan", "preview", str(write_plan(tmp_path, plan_data()))).code == 2
    for folder in (tmp_path / "deep", ctx.state, ctx.state / "runs", ctx.state / "previews"):
        assert stat.S_IMODE(folder.stat().st_mode) == 0o700, folder
    for file in ctx.state.rglob("*.json*"):
        assert stat.S_IMODE(file.stat().st_mode) == 0o600, file


def _lose_recovery_post_answer(method: str, path: str, status: int) -> int:
    """The recovery-job POST reaches the emulator (which makes the job); its 202 becomes 504."""
    return 504 if method == "POST" and path.endswith("/recoveryJobs") else status


def test_a_504_after_the_recovery_job_was_made_is_followed_end_to_end(
    make_emulator: Callable[..., Any], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No seam: the real SDK pipeline sees a 504 for a POST that did create the job. The POST
    is sent once (no SDK retry), the runner finds the job and follows it: one job, exit 0."""
    ctx = Ctx(make_emulator, tmp_path, monkeypatch)
    args = ctx.approved_apply()
    ctx.proxy = RewritingProxy(
        ctx.server.url, lambda m, p, data: data, status=_lose_recovery_post_answer
    ).start()
    try:
        result = ctx.cli(*args, "--wait-for-slot", "30s", url=ctx.proxy.url)
    finally:
        ctx.proxy.stop()
    assert result.code == 0, result.stderr
    assert ctx.posts("recoveryJobs") == 1
    [apply] = [r for r in ctx.runs() if r["command"] == "apply"]
    assert apply["status"] == "finished" and apply["recovery_job_id"]
    assert f"Recovery job {apply['recovery_job_id']} successful" in result.stdout
    assert "Traceback" not in result.stderr

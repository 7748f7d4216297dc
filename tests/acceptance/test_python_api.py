"""The public Python API end to end: docs/python-api.md's examples run against the emulator and
type-check under mypy --strict; preview and apply agree with the CLI on fingerprints and gates."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import textwrap
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import mypy.api
import pytest

import entra_recovery
from entra_recovery import ExitCode
from entra_recovery.testing import emulator_env
from helpers.clirun import run_cli
from helpers.planfiles import apply_data
from helpers.planfiles import plan_data
from helpers.planfiles import write_plan

ROOT = Path(__file__).resolve().parents[2]
DOC = ROOT / "docs" / "python-api.md"
_FENCE = re.compile(
    r"(?:<!-- example: exit (?P<exit>\d+) -->\n)?```python\n(?P<code>.*?)```", re.DOTALL
)
# Files the examples name, copied into each example's working folder.
_FIXTURES = ("recovery_plans", "tests/examples/plans/invalid/unknown-key.yaml")
# Third-party packages mypy skips over (they load lazily and are big to analyse).
_MYPY_INI = """\
[mypy]
strict = True
python_version = 3.11
[mypy-msgraph.*,msgraph_core.*,kiota_abstractions.*,kiota_http.*,azure.*,httpx.*]
follow_imports = skip
ignore_missing_imports = True
"""


@dataclass(frozen=True)
class Example:
    line: int
    code: str
    exit: int

    @property
    def name(self) -> str:
        return f"python-api.md:{self.line}"


def _examples() -> list[Example]:
    text = DOC.read_text(encoding="utf-8")
    return [
        Example(text.count("\n", 0, m.start("code")) + 1, m["code"], int(m["exit"] or 0))
        for m in _FENCE.finditer(text)
    ]


EXAMPLES = _examples()


def _workdir(tmp_path: Path, server: Any, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A folder holding the files the examples name, set up as the current directory, with
    the emulator's URL and token and a private state directory in the environment."""
    work = tmp_path / "work"
    for name in _FIXTURES:
        source, target = ROOT / name, work / name
        target.parent.mkdir(parents=True, exist_ok=True)
        if source.is_dir():
            shutil.copytree(source, target)
        else:
            shutil.copy(source, target)
    monkeypatch.chdir(work)
    for key, value in emulator_env(server).items():
        monkeypatch.setenv(key, value)
    monkeypatch.setenv("ENTRA_RECOVERY_STATE_DIR", str(tmp_path / "state"))
    return work


def test_the_page_has_examples() -> None:
    """The extraction finds the page's examples (so the tests below can fail)."""
    assert len(EXAMPLES) >= 8
    assert any(example.exit == ExitCode.CHANGES for example in EXAMPLES)


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda example: example.name)
def test_the_docs_example_runs(
    example: Example, emulator: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each ```python block of docs/python-api.md runs against a fresh demo tenant."""
    _workdir(tmp_path, emulator, monkeypatch)
    code = compile(example.code, f"{DOC}:{example.line}", "exec")
    try:
        exec(code, {"__name__": "__main__"})
        exited = 0
    except SystemExit as stop:
        exited = int(stop.code or 0)
    assert exited == example.exit


def test_the_docs_examples_type_check(tmp_path: Path) -> None:
    """Every example passes mypy --strict against the package's own annotations."""
    config = tmp_path / "mypy.ini"
    config.write_text(_MYPY_INI, encoding="utf-8")
    files = []
    for index, example in enumerate(EXAMPLES):
        path = tmp_path / f"example_{index}_line_{example.line}.py"
        path.write_text(example.code, encoding="utf-8")
        files.append(str(path))
    args = ["--config-file", str(config), "--cache-dir", str(tmp_path / "cache"), *files]
    stdout, stderr, status = mypy.api.run(args)
    assert status == 0, stdout + stderr


def test_the_type_check_can_fail(tmp_path: Path) -> None:
    """The same mypy setup rejects a misuse of the API (a wrong confirm callable)."""
    config = tmp_path / "mypy.ini"
    config.write_text(_MYPY_INI, encoding="utf-8")
    bad = tmp_path / "bad.py"
    bad.write_text(
        "import entra_recovery\n"
        "entra_recovery.apply('p.yaml', confirm=lambda preview: preview.nope)\n",
        encoding="utf-8",
    )
    args = ["--config-file", str(config), "--cache-dir", str(tmp_path / "cache"), str(bad)]
    stdout, _, status = mypy.api.run(args)
    assert status == 1
    assert '"Preview" has no attribute "nope"' in stdout


def test_import_does_not_load_the_sdk() -> None:
    """`import entra_recovery` (every public name) leaves msgraph, kiota and azure unloaded."""
    code = textwrap.dedent(
        """
        import sys
        import entra_recovery
        for name in entra_recovery.__all__:
            getattr(entra_recovery, name)
        heavy = sorted(m for m in sys.modules if m.startswith(("msgraph", "kiota", "azure")))
        print(len(sys.modules), heavy)
        """
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("ENTRA_RECOVERY_")}
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True
    )
    count, heavy = done.stdout.split(" ", 1)
    assert int(count) > 50  # the check ran after a real import
    assert heavy.strip() == "[]"


# --- the API against the CLI -----------------------------------------------------------------


def _env(server: Any, tmp_path: Path) -> dict[str, str]:
    return {**emulator_env(server), "ENTRA_RECOVERY_STATE_DIR": str(tmp_path / "state")}


def _settings(server: Any, tmp_path: Path) -> entra_recovery.Settings:
    return entra_recovery.Settings(
        graph_url=server.url,
        auth="token",
        access_token=server.make_token(),
        state_dir=tmp_path / "state",
        poll_interval=0.05,
    )


STALE = "sha256:" + "0" * 64


def _reviewed(tmp_path: Path, settings: entra_recovery.Settings) -> str:
    """The fingerprint a reviewer approves: the preview-mode plan's, same scope."""
    return entra_recovery.preview(write_plan(tmp_path, plan_data()), settings=settings).fingerprint


def _recovery_posts(server: Any) -> list[dict[str, Any]]:
    return [
        r
        for r in server.requests
        if r["method"] == "POST" and r["path"].rstrip("/").endswith("/recoveryJobs")
    ]


def test_preview_matches_the_cli(emulator: Any, tmp_path: Path) -> None:
    """The API's preview has the CLI's fingerprint, exit code and JSON change set."""
    plan = write_plan(tmp_path, plan_data())
    cli = run_cli(["plan", "preview", str(plan), "--format", "json"], env=_env(emulator, tmp_path))
    assert cli.code == ExitCode.CHANGES, cli.stderr
    from_cli = json.loads(cli.stdout)
    preview = entra_recovery.preview(plan, settings=_settings(emulator, tmp_path))
    assert preview.exit_code == cli.code
    assert preview.fingerprint == from_cli["fingerprint"]
    ours = preview.to_json()
    assert ours["changes"] == from_cli["changes"]
    assert ours["summary"] == from_cli["summary"]
    assert json.loads(preview.render("json"))["fingerprint"] == from_cli["fingerprint"]


def test_no_confirm_no_recovery_job(emulator: Any, tmp_path: Path) -> None:
    """apply without confirm is refused like the CLI without --yes: exit 3, no recovery job."""
    settings = _settings(emulator, tmp_path)
    fingerprint = _reviewed(tmp_path, settings)
    plan = write_plan(tmp_path, apply_data(fingerprint), "apply.yaml")
    with pytest.raises(entra_recovery.ApplyNotApproved) as refused:
        entra_recovery.apply(plan, settings=settings)
    assert refused.value.exit_code == ExitCode.REFUSED
    cli = run_cli(["plan", "apply", str(plan)], env=_env(emulator, tmp_path))
    assert cli.code == refused.value.exit_code
    assert _recovery_posts(emulator) == []


def test_a_confirm_that_says_no_is_a_refusal(emulator: Any, tmp_path: Path) -> None:
    """confirm gets the fresh Preview; anything but True refuses and creates no job."""
    settings = _settings(emulator, tmp_path)
    fingerprint = _reviewed(tmp_path, settings)
    plan = write_plan(tmp_path, apply_data(fingerprint), "apply.yaml")
    seen: list[entra_recovery.Preview] = []

    def confirm(fresh: entra_recovery.Preview) -> bool:
        seen.append(fresh)
        return False

    with pytest.raises(entra_recovery.ApplyNotApproved):
        entra_recovery.apply(plan, confirm=confirm, settings=settings)
    assert [fresh.fingerprint for fresh in seen] == [fingerprint]
    assert _recovery_posts(emulator) == []


@pytest.mark.parametrize(
    ("data", "gate"),
    [
        (plan_data(), "mode"),
        (apply_data(STALE), "fingerprint"),
        (apply_data(None), "fingerprint"),
        (apply_data(STALE, tenant="00000000-0000-4000-8000-000000000000"), "tenant"),
    ],
    ids=["preview-mode", "stale-fingerprint", "no-approval", "other-tenant"],
)
def test_gates_refuse_like_the_cli(
    emulator: Any, tmp_path: Path, data: dict[str, Any], gate: str
) -> None:
    """Each gate refuses through the API with the CLI's exit code, even with confirm=True."""
    plan = write_plan(tmp_path, data)
    with pytest.raises(entra_recovery.RecoveryError) as refused:
        entra_recovery.apply(plan, confirm=lambda p: True, settings=_settings(emulator, tmp_path))
    cli = run_cli(["plan", "apply", str(plan), "--yes"], env=_env(emulator, tmp_path))
    assert refused.value.exit_code == cli.code == ExitCode.REFUSED
    assert getattr(refused.value, "gate", None) == gate
    assert _recovery_posts(emulator) == []


def test_apply_with_confirm_recovers(emulator: Any, tmp_path: Path) -> None:
    """Approved and confirmed, apply creates one recovery job and leaves nothing to recover."""
    settings = _settings(emulator, tmp_path)
    fingerprint = _reviewed(tmp_path, settings)
    plan = write_plan(tmp_path, apply_data(), "apply.yaml")
    result = entra_recovery.apply(
        plan, fingerprint=fingerprint, confirm=lambda p: True, settings=settings
    )
    assert (result.exit_code, result.succeeded, result.status) == (0, True, "successful")
    assert result.preview.fingerprint == fingerprint
    assert len(_recovery_posts(emulator)) == 1
    assert result.to_json()["apply"]["job"]["id"] == result.job_id
    again = entra_recovery.preview(write_plan(tmp_path, plan_data()), settings=settings)
    assert again.exit_code == ExitCode.OK

"""`entra-recovery plan validate | init | schema`: exit codes, output formats, folders."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from helpers.clirun import run_cli

ROOT = Path(__file__).parents[2]
PLANS = ROOT / "recovery_plans"
INVALID = ROOT / "tests" / "examples" / "plans" / "invalid"
GOOD = PLANS / "rollback-ca-incident.yaml"
BAD = INVALID / "unknown-key.yaml"


def test_valid_plans_exit_0_with_ok_lines_and_summary() -> None:
    """A folder of valid plans: one ok line per file, a summary, exit 0."""
    result = run_cli(["plan", "validate", str(PLANS)])
    assert result.code == 0, result.stdout
    lines = result.stdout.splitlines()
    assert lines[:-1] == [f"{p}: ok" for p in sorted(PLANS.glob("*.yaml"))]
    assert lines[-1] == "5 plans checked: 5 valid"
    assert result.stderr == ""


def test_any_invalid_file_exits_1() -> None:
    """One invalid file among valid ones makes the run fail, and every file is reported."""
    result = run_cli(["plan", "validate", str(GOOD), str(BAD)])
    assert result.code == 1
    assert f"{GOOD}: ok" in result.stdout
    assert f"{BAD}:7:3: $.snapshot.latests: unknown key 'latests'" in result.stdout
    assert result.stdout.endswith("2 plans checked: 1 valid, 1 invalid (1 problem)\n")


def test_quiet_prints_only_problems() -> None:
    """--quiet drops ok lines and the summary; valid input prints nothing."""
    assert run_cli(["plan", "validate", "--quiet", str(GOOD)]).stdout == ""
    result = run_cli(["plan", "validate", "-q", str(GOOD), str(BAD)])
    assert result.stdout.splitlines()[0].startswith(f"{BAD}:7:3: ")
    assert "ok" not in result.stdout.split("\n")[-2]


def test_global_quiet_is_honoured() -> None:
    """`entra-recovery -q plan validate` is quiet too."""
    assert run_cli(["-q", "plan", "validate", str(GOOD)]).stdout == ""


def test_json_format() -> None:
    """--format json: status, per-file issues with line/column/jsonPath, and counts."""
    result = run_cli(["plan", "validate", "--format", "json", str(GOOD), str(BAD)])
    assert result.code == 1
    document = json.loads(result.stdout)
    assert document["format_version"] == "1.0"
    assert document["status"] == "invalid"
    good, bad = document["files"]
    assert good == {
        "path": str(GOOD),
        "valid": True,
        "name": "rollback-ca-incident",
        "sha256": good["sha256"],
        "issues": [],
    }
    assert bad["issues"] == [
        {
            "line": 7,
            "column": 3,
            "jsonPath": "$.snapshot.latests",
            "message": "unknown key 'latests'",
            "hint": "did you mean 'latest'?",
            "width": 7,
        }
    ]
    assert document["summary"] == {"files": 2, "valid": 1, "invalid": 1, "issues": 1}


def test_missing_file_is_a_located_problem_not_a_traceback(tmp_path: Path) -> None:
    """A path that does not exist is reported like any other problem."""
    missing = tmp_path / "nope.yaml"
    result = run_cli(["plan", "validate", "-q", str(missing)])
    assert result.code == 1
    assert result.stdout == f"{missing}:1:1: $: no such file\n   hint: check the path\n"


def test_validate_needs_a_path() -> None:
    """No PATH is a usage error (64)."""
    assert run_cli(["plan", "validate"]).code == 64


def test_init_prints_a_valid_starter_plan(tmp_path: Path) -> None:
    """`plan init` prints a commented plan that validates as is."""
    result = run_cli(["plan", "init"])
    assert result.code == 0
    assert result.stdout.count("\n# ") + result.stdout.count("  # ") > 10
    path = tmp_path / "starter.yaml"
    path.write_text(result.stdout, encoding="utf-8")
    assert run_cli(["plan", "validate", str(path)]).code == 0


def test_init_writes_and_refuses_to_overwrite(tmp_path: Path) -> None:
    """`plan init PATH` writes the file; a second time needs --force."""
    path = tmp_path / "plan.yaml"
    first = run_cli(["plan", "init", str(path)])
    assert first.code == 0 and path.is_file()
    path.write_text("mine", encoding="utf-8")
    again = run_cli(["plan", "init", str(path)])
    assert again.code == 1
    assert "already exists" in again.stderr and "--force" in again.stderr
    assert path.read_text(encoding="utf-8") == "mine"
    assert run_cli(["plan", "init", "--force", str(path)]).code == 0
    assert path.read_text(encoding="utf-8").startswith("# ")


def test_schema_prints_the_shipped_schema() -> None:
    """`plan schema` prints schemas/recovery-plan.schema.json."""
    result = run_cli(["plan", "schema"])
    assert result.code == 0
    expected = (ROOT / "schemas" / "recovery-plan.schema.json").read_text(encoding="utf-8")
    assert result.stdout == expected


def test_validate_one_file_does_not_import_the_graph_sdk() -> None:
    """A fresh `plan validate FILE` loads neither msgraph, kiota nor azure."""
    result = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "entra_recovery", "plan", "validate", str(GOOD)],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "PATH": "/usr/bin:/bin"},
        check=False,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    modules = {
        line.rsplit("|", 1)[1].strip()
        for line in result.stderr.splitlines()
        if line.startswith("import time:") and "|" in line
    }
    assert "entra_recovery.plan.loader" in modules  # the check can see our own imports
    heavy = sorted(m for m in modules if m.startswith(("msgraph", "kiota", "azure")))
    assert heavy == []


@pytest.mark.parametrize("extension", ["yaml", "yml"])
def test_folders_are_expanded_recursively(tmp_path: Path, extension: str) -> None:
    """Folders contribute their *.yaml and *.yml files, nested ones too, sorted."""
    nested = tmp_path / "team" / "sub"
    nested.mkdir(parents=True)
    (nested / f"a.{extension}").write_bytes(GOOD.read_bytes())
    (tmp_path / "notes.txt").write_text("not a plan")
    result = run_cli(["plan", "validate", str(tmp_path)])
    assert result.code == 0
    assert f"{nested / f'a.{extension}'}: ok" in result.stdout


def test_pre_commit_hook_definition() -> None:
    """.pre-commit-hooks.yaml offers the validate command as a hook."""
    import yaml

    hooks = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    (hook,) = hooks
    assert hook["id"] == "entra-recovery-validate-plans"
    assert hook["entry"] == "entra-recovery plan validate --quiet"
    assert hook["language"] == "python"


def test_third_party_validators_accept_our_plans() -> None:
    """check-jsonschema (what editors and other tools use) accepts every valid plan with our
    schema, and rejects a schema-level mistake."""
    tool = Path(sys.executable).with_name("check-jsonschema")
    if not tool.exists():
        pytest.skip("check-jsonschema is not installed (pip install -e '.[dev]')")
    schema = ROOT / "schemas" / "recovery-plan.schema.json"
    valid = [*PLANS.glob("*.yaml"), *(INVALID.parent / "valid").iterdir()]
    ok = subprocess.run(
        [str(tool), "--schemafile", str(schema), *map(str, sorted(valid))],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert ok.returncode == 0, ok.stdout + ok.stderr
    bad = subprocess.run(
        [str(tool), "--schemafile", str(schema), str(BAD)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert bad.returncode == 1


@pytest.mark.parametrize("command", ["validate", "preview"])
def test_an_empty_folder_is_an_error_for_every_plan_command(command: str, tmp_path: Path) -> None:
    """`plan validate` and `plan preview` both refuse a folder without plan files, in the same
    words and with exit 1, before anything talks to Graph."""
    (tmp_path / "notes.txt").write_text("not a plan", encoding="utf-8")
    result = run_cli(["plan", command, str(tmp_path)])
    assert result.code == 1
    assert f"{tmp_path}" in result.stdout + result.stderr
    assert "no plan files (*.yaml, *.yml) in this folder" in result.stdout + result.stderr

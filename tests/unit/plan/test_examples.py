"""Example plan files: every invalid case prints exactly its expected output; valid ones load."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
import yaml

from entra_recovery.plan import load_plan
from entra_recovery.plan.loader import build_plan
from helpers.clirun import run_cli

EXAMPLES = Path(__file__).parents[2] / "examples" / "plans"
INVALID = sorted(p.name for p in (EXAMPLES / "invalid").glob("*.yaml"))
VALID = sorted(p.name for p in (EXAMPLES / "valid").iterdir() if p.suffix in (".yaml", ".yml"))
SHIPPED = Path(__file__).parents[3] / "recovery_plans"


def test_there_are_examples() -> None:
    """The example folders are not empty (a glob typo would silently test nothing)."""
    assert len(INVALID) >= 30
    assert len(VALID) >= 5


@pytest.mark.parametrize("name", INVALID)
def test_invalid_example_prints_expected_output(
    name: str, monkeypatch: pytest.MonkeyPatch, request: pytest.FixtureRequest
) -> None:
    """`plan validate --quiet` prints exactly <case>.expected.txt and exits 1
    (`pytest --update-golden` rewrites the expected files instead)."""
    monkeypatch.chdir(EXAMPLES / "invalid")
    result = run_cli(["plan", "validate", "--quiet", name])
    golden = Path(name).with_suffix(".expected.txt")
    if request.config.getoption("--update-golden"):
        golden.write_text(result.stdout, encoding="utf-8")
    expected = golden.read_text(encoding="utf-8")
    assert result.stdout == expected
    assert result.code == 1
    assert result.stderr == ""


@pytest.mark.parametrize("name", INVALID)
def test_every_invalid_problem_is_located(name: str) -> None:
    """Each expected output names line and column >= 1 for every problem."""
    text = (EXAMPLES / "invalid" / name).with_suffix(".expected.txt").read_text(encoding="utf-8")
    headlines = [line for line in text.splitlines() if line.startswith(name + ":")]
    assert headlines
    for headline in headlines:
        _, line, column, _ = headline.split(":", 3)
        assert int(line) >= 1 and int(column) >= 1


@pytest.mark.parametrize("name", VALID)
def test_valid_example_loads_and_round_trips(name: str) -> None:
    """A valid plan loads, and dumping its data and loading again gives the same Plan."""
    path = EXAMPLES / "valid" / name
    plan = load_plan(path)
    data = yaml.safe_load(path.read_text(encoding="utf-8-sig"))
    again = build_plan(
        yaml.safe_load(yaml.safe_dump(_jsonable(data))), path=plan.path, sha256=plan.sha256
    )
    assert again == plan
    assert hash(plan) == hash(again)
    assert dataclasses.replace(plan, sha256="0" * 64) != plan  # the file's bytes count too


@pytest.mark.parametrize("path", sorted(SHIPPED.glob("*.yaml")), ids=lambda p: p.name)
def test_shipped_plans_are_valid(path: Path) -> None:
    """Every plan in recovery_plans/ validates and carries the schema modeline."""
    plan = load_plan(path)
    assert plan.name == path.stem
    first = path.read_text(encoding="utf-8").splitlines()[0]
    assert first == "# yaml-language-server: $schema=../schemas/recovery-plan.schema.json"


def _jsonable(value: object) -> object:
    """PyYAML turns unquoted timestamps into datetimes; plans compare them as text."""
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_jsonable(v) for v in value]
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value

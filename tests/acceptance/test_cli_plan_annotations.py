"""`plan validate --format github|azure|json`: annotations on stdout, exit codes as for text."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from helpers.clirun import run_cli

ROOT = Path(__file__).parents[2]
GOOD = ROOT / "recovery_plans" / "rollback-ca-incident.yaml"
# A file name no CI annotation may be broken by: newline, `::`, `]`, `;`, `,`, `%`.
HOSTILE_NAME = "evil\n::error file=x::owned,%0A];##vso[task.complete result=Succeeded]%.yaml"
# A key name is echoed in its error message ("unknown key '...'"): the same characters.
HOSTILE_PLAN = (
    'apiVersion: entra-recovery/v1\nkind: RecoveryPlan\n"a\\n::warning::b]##vso[x];%25\\r\\nc": 1\n'
)


@pytest.fixture
def hostile(tmp_path: Path) -> Path:
    path = tmp_path / HOSTILE_NAME
    path.write_text(HOSTILE_PLAN, encoding="utf-8")
    return path


@pytest.mark.parametrize(("ci", "prefix"), [("github", "::error "), ("azure", "##vso[")])
def test_every_stdout_line_is_one_annotation(ci: str, prefix: str, hostile: Path) -> None:
    """Each problem is one line starting with the command; nothing else reaches stdout."""
    result = run_cli(["plan", "validate", "--format", ci, str(GOOD), str(hostile)])
    assert result.code == 1
    lines = result.stdout.split("\n")
    assert lines.pop() == ""
    assert len(lines) == 5  # four missing keys and the unknown one
    assert all(line.startswith(prefix) and "\r" not in line for line in lines)
    assert result.stderr == "2 plans checked: 1 valid, 1 invalid (5 problems)\n"


# The JSON path holds the key as it is (real newlines); the message writes them out (`\\n`).
RAW_KEY = "'a%0A::warning::b]##vso[x];%25%0D%0Ac'"  # its newlines as both CIs escape them
ECHOED_KEY = "'a\\n::warning::b]##vso[x];%25\\r\\nc'"
HINT = (
    "hint: allowed keys here: apiVersion, kind, metadata, tenant, snapshot, scope, mode, "
    "guards, approval, report"
)


def test_github_escapes_the_path_and_the_echoed_key(hostile: Path) -> None:
    """The file property loses `:` `,` `%` and newlines to escapes; the message keeps `::`."""
    result = run_cli(["plan", "validate", "-q", "--format", "github", str(hostile)])
    last = result.stdout.splitlines()[-1]
    folder = str(hostile.parent).replace(":", "%3A").replace(",", "%2C")
    name = "evil%0A%3A%3Aerror file=x%3A%3Aowned%2C%250A];##vso[task.complete result=Succeeded]%25"
    message = f"$[{RAW_KEY}]: unknown key {ECHOED_KEY}%0A{HINT}".replace("%25", "%2525")
    assert last == f"::error file={folder}/{name}.yaml,line=3,col=1::{message}"
    assert result.stderr == ""


def test_azure_escapes_the_path_and_the_echoed_key(hostile: Path) -> None:
    """sourcepath loses `]` `;` `%` and newlines to escapes; the message keeps `]` and `;`."""
    result = run_cli(["plan", "validate", "-q", "--format", "azure", str(hostile)])
    last = result.stdout.splitlines()[-1]
    folder = str(hostile.parent).replace(";", "%3B").replace("]", "%5D")
    name = "evil%0A::error file=x::owned,%AZP250A%5D%3B##vso[task.complete result=Succeeded%5D"
    name += "%AZP25"
    message = f"$[{RAW_KEY}]: unknown key {ECHOED_KEY}%0A{HINT}".replace("%25", "%AZP2525")
    assert last == (
        f"##vso[task.logissue type=error;sourcepath={folder}/{name}.yaml;linenumber=3;"
        f"columnnumber=1]{message}"
    )


@pytest.mark.parametrize("ci", ["github", "azure", "json", "text"])
def test_exit_codes_do_not_depend_on_the_format(ci: str, hostile: Path) -> None:
    """0 all valid, 1 any invalid, 64 a usage error; valid plans print no annotation."""
    valid = run_cli(["plan", "validate", "--format", ci, str(GOOD)])
    assert valid.code == 0
    if ci in ("github", "azure"):
        assert valid.stdout == ""
        assert valid.stderr == "1 plan checked: 1 valid\n"
    assert run_cli(["plan", "validate", "--format", ci, str(hostile)]).code == 1
    assert run_cli(["plan", "validate", "--format", ci]).code == 64


def test_unknown_format_is_a_usage_error() -> None:
    """A format that does not exist is refused with 64."""
    assert run_cli(["plan", "validate", "--format", "gitlab", str(GOOD)]).code == 64


def test_json_carries_the_hostile_name_verbatim(hostile: Path) -> None:
    """JSON needs no CI escaping: the path and message come back exactly."""
    result = run_cli(["plan", "validate", "--format", "json", str(hostile)])
    document = json.loads(result.stdout)
    (entry,) = document["files"]
    assert entry["path"] == str(hostile)
    assert entry["valid"] is False
    assert {"line": 3, "column": 1}.items() <= entry["issues"][-1].items()
    assert entry["issues"][-1]["message"] == f"unknown key {ECHOED_KEY}"

"""docs/reports.md: every code example runs and says what the code does."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from entra_recovery.diff import fingerprint
from helpers import report_samples as s

DOC = Path(__file__).parents[3] / "docs" / "reports.md"


def _blocks(language: str) -> list[str]:
    text = DOC.read_text(encoding="utf-8")
    return re.findall(rf"^```{language}\n(.*?)^```", text, flags=re.MULTILINE | re.DOTALL)


def test_python_api_example_runs(capsys: pytest.CaptureFixture[str]) -> None:
    """The Python API example imports what it names and runs as written."""
    (example,) = [block for block in _blocks("python") if "entra_recovery" in block]
    exec(compile(example, str(DOC), "exec"), {"__name__": "docs_example"})
    assert json.loads(capsys.readouterr().out)["status"] == "changes"


def test_recipe_script_recomputes_the_fingerprint(tmp_path: Path) -> None:
    """The stand-alone recipe script gives the fingerprint, lone surrogates included."""
    (script,) = [block for block in _blocks("python") if "hashlib" in block]
    (tmp_path / "recipe.py").write_text(script, encoding="utf-8")
    changes = [*s.demo_changes(), json.loads('{"id": "x", "deltaFromCurrent": {"a": "\\ud800"}}')]
    (tmp_path / "changes.json").write_text(json.dumps(changes), encoding="utf-8")
    criteria = json.dumps(s.CRITERIA)
    result = subprocess.run(
        [sys.executable, "recipe.py", s.SNAPSHOT_ID, criteria, "changes.json"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=True,
    )
    assert result.stdout.strip() == fingerprint(s.SNAPSHOT_ID, s.CRITERIA, changes)


def test_json_examples_parse() -> None:
    """The JSON examples are JSON; the worked example's change is the demo's MFA policy."""
    blocks = [json.loads(block) for block in _blocks("json")]
    assert s.CA_MFA_ADMINS in blocks

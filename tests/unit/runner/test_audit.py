"""The audit log: append-only JSON lines whose vocabulary is the one docs/runs.md documents."""

from __future__ import annotations

import json
import re
from dataclasses import fields
from pathlib import Path

import pytest

from entra_recovery.constants import AuditEvent
from entra_recovery.constants import AuditOutcome
from entra_recovery.runner.audit import AuditLog
from entra_recovery.runner.audit import AuditRecord

RUNS_DOC = Path(__file__).resolve().parents[3] / "docs" / "runs.md"


def _record(outcome: AuditOutcome, **overrides: object) -> AuditRecord:
    values: dict[str, object] = {
        "at": "2026-11-28T09:30:00Z",
        "event": AuditEvent.APPLY,
        "outcome": outcome,
        "run_id": "r",
        "user": "u",
        "tenant": "t",
        "plan_name": "p",
        "plan_path": "p.yaml",
        "plan_sha256": "00",
        "change": "CHG1",
        "approvers": ("alice@contoso.com",),
    }
    values.update(overrides)
    return AuditRecord(**values)  # type: ignore[arg-type]


def _audit_section() -> str:
    text = RUNS_DOC.read_text(encoding="utf-8")
    start = text.index("## Audit log")
    end = text.find("\n## ", start + 1)
    return text[start : end if end != -1 else None]


def _documented(heading: str) -> list[str]:
    """The backticked names that start the bullets under `### heading` in the audit section."""
    section = _audit_section()
    start = section.index(f"### {heading}\n")
    end = section.find("\n### ", start + 1)
    body = section[start : end if end != -1 else None]
    return re.findall(r"^- `([^`]+)`", body, flags=re.MULTILINE)


def test_audit_is_append_only(tmp_path: Path) -> None:
    """Each record is one more JSON line; earlier lines stay as written."""
    log = AuditLog(tmp_path)
    log.append(_record(AuditOutcome.CHANGES))
    first = log.path.read_bytes()
    log.append(_record(AuditOutcome.APPLIED))
    assert log.path.read_bytes().startswith(first)
    lines = log.path.read_text().splitlines()
    assert [json.loads(line)["outcome"] for line in lines] == ["changes", "applied"]
    assert json.loads(lines[1])["approvers"] == ["alice@contoso.com"]
    assert [r["outcome"] for r in log.read()] == ["changes", "applied"]


def test_an_append_after_a_torn_line_starts_on_a_fresh_line(tmp_path: Path) -> None:
    """A crash left half a line: the next record is not glued onto it, and readers skip and
    report the torn one."""
    log = AuditLog(tmp_path)
    log.append(_record(AuditOutcome.CHANGES))
    with log.path.open("ab") as handle:
        handle.write(b'{"at": "2026-11-28T09:31:00Z", "ev')  # the crash
    log.append(_record(AuditOutcome.APPLIED))
    lines = log.path.read_text().splitlines()
    assert len(lines) == 3 and json.loads(lines[2])["outcome"] == "applied"
    reading = log.read_all()
    assert [r["outcome"] for r in reading.records] == ["changes", "applied"]
    assert reading.damaged_lines == [2]
    log.append(_record(AuditOutcome.REFUSED))  # a whole last line: no extra newline
    assert log.path.read_text().count("\n\n") == 0


def test_enums_are_written_as_plain_strings(tmp_path: Path) -> None:
    """An audit line holds the enum values, exactly as the bare strings were written."""
    log = AuditLog(tmp_path)
    log.append(_record(AuditOutcome.NO_CHANGES, event=AuditEvent.PREVIEW))
    line = log.path.read_text(encoding="utf-8")
    assert '"event": "preview"' in line and '"outcome": "no-changes"' in line


@pytest.mark.parametrize(("heading", "enum"), [("Events", AuditEvent), ("Outcomes", AuditOutcome)])
def test_documented_vocabulary_is_the_written_one(
    heading: str, enum: type[AuditEvent] | type[AuditOutcome]
) -> None:
    """docs/runs.md lists exactly the events and outcomes the runner can write, in order."""
    assert _documented(heading) == [member.value for member in enum]


def test_documented_keys_are_the_written_ones(tmp_path: Path) -> None:
    """docs/runs.md names every key of an audit line, and no other."""
    match = re.search(r"Each line's keys: (.*?)\.\n", _audit_section(), flags=re.DOTALL)
    assert match is not None
    documented = re.findall(r"`([a-z_0-9]+)`", match.group(1))
    log = AuditLog(tmp_path)
    log.append(_record(AuditOutcome.APPLIED))
    assert documented == [f.name for f in fields(AuditRecord)]
    assert sorted(documented) == sorted(log.read()[0])

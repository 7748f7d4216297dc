"""Safe YAML loading: limits, tags, duplicate keys and errors as `PlanLoadError`."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from entra_recovery.errors import PlanLoadError
from entra_recovery.errors import PlanValidationError
from entra_recovery.plan import load_plan
from entra_recovery.plan import validate_paths
from entra_recovery.plan import yaml as plan_yaml
from entra_recovery.plan.positions import json_path
from entra_recovery.plan.semantic import parse_instant


def test_file_over_the_size_limit_is_refused(tmp_path: Path) -> None:
    """A file over 1 MiB is refused before parsing."""
    path = tmp_path / "big.yaml"
    path.write_bytes(b"# " + b"x" * plan_yaml.MAX_FILE_BYTES)
    with pytest.raises(PlanLoadError, match="larger than 1024 KiB"):
        load_plan(path)


def test_recursive_alias_is_refused() -> None:
    """An alias inside its own anchor fails with a located error, not a hang."""
    with pytest.raises(PlanLoadError, match="recursive") as info:
        plan_yaml.parse(b"a: &x [1, *x]\n", "p.yaml")
    assert (info.value.line, info.value.column) == (1, 4)


def test_billion_laughs_fails_fast(tmp_path: Path) -> None:
    """Nine levels of nine aliases fail in well under a second."""
    lines = ['l0: &l0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for level in range(1, 10):
        lines.append(f"l{level}: &l{level} [" + ",".join([f"*l{level - 1}"] * 9) + "]")
    started = time.perf_counter()
    with pytest.raises(PlanLoadError, match="too many aliases"):
        plan_yaml.parse("\n".join(lines).encode(), "p.yaml")
    assert time.perf_counter() - started < 0.5


def test_a_few_aliases_are_fine() -> None:
    """Plain anchors and aliases within the limits load."""
    doc = plan_yaml.parse(b"a: &x [1, 2]\nb: *x\n", "p.yaml")
    assert doc.data == {"a": [1, 2], "b": [1, 2]}


@pytest.mark.parametrize("text", ["x: !Ref y\n", "x: !!binary aGk=\n", "x: !!set {a}\n"])
def test_custom_and_non_json_tags_are_refused(text: str) -> None:
    """Only JSON-compatible standard tags are accepted."""
    with pytest.raises(PlanLoadError, match="custom YAML tag"):
        plan_yaml.parse(text.encode(), "p.yaml")


def test_timestamps_stay_text() -> None:
    """Unquoted timestamps reach the schema as their source text."""
    assert plan_yaml.parse(b"t: 2026-11-27T08:00:00Z\n", "p.yaml").data == {
        "t": "2026-11-27T08:00:00Z"
    }


def test_missing_file_and_folder(tmp_path: Path) -> None:
    """A missing path and a folder are load errors with a message, not tracebacks."""
    with pytest.raises(PlanLoadError, match=r"nope\.yaml:1:1: no such file"):
        load_plan(tmp_path / "nope.yaml")
    with pytest.raises(PlanLoadError, match="folder"):
        load_plan(tmp_path)


def test_validation_error_carries_every_issue(tmp_path: Path) -> None:
    """`load_plan` raises one PlanValidationError holding all issues, sorted."""
    path = tmp_path / "p.yaml"
    path.write_text("apiVersion: entra-recovery/v1\nkind: RecoveryPlan\nmode: fast\n")
    with pytest.raises(PlanValidationError) as info:
        load_plan(path)
    lines = [(i.line, i.column) for i in info.value.issues]
    assert lines == sorted(lines)
    assert {i.json_path for i in info.value.issues} == {"$", "$.mode"}
    assert str(info.value) == f"{path}: 5 problems found"
    assert info.value.hint is not None
    assert info.value.hint.startswith(
        f"{path}:1:1: $: missing required key 'metadata' (and 4 more)"
    )


def test_empty_folder_is_a_problem(tmp_path: Path) -> None:
    """A folder without plans fails rather than passing silently."""
    (results,) = validate_paths([str(tmp_path)])
    assert not results.ok
    assert "no plan files" in results.issues[0].message


@pytest.mark.parametrize(
    "path,expected",
    [
        ((), "$"),
        (("scope", "objects", 1, "ids", 0), "$.scope.objects[1].ids[0]"),
        (("metadata", "labels", "a b"), "$.metadata.labels['a b']"),
    ],
)
def test_json_path(path: tuple[str | int, ...], expected: str) -> None:
    """JSON paths read like check-jsonschema's."""
    assert json_path(path) == expected


@pytest.mark.parametrize(
    "text,aware",
    [
        ("2026-11-27T08:00:00Z", True),
        ("2026-11-27 08:00:00 +01:00", True),
        ("2026-11-27t08:00:00.5-5", True),
        ("2026-11-27T08:00:00", False),
        ("2026-11-27", False),
    ],
)
def test_parse_instant(text: str, aware: bool) -> None:
    """ISO 8601 and YAML timestamp spellings parse; naive ones are recognised as naive."""
    moment = parse_instant(text)
    assert moment is not None
    assert (moment.utcoffset() is not None) == aware


def test_datetime_values_from_other_loaders_are_understood() -> None:
    """Data from `yaml.safe_load` carries datetimes: aware ones pass, naive ones are flagged."""
    from datetime import UTC
    from datetime import datetime

    from entra_recovery.plan.semantic import semantic_findings

    aware = {"snapshot": {"before": datetime(2026, 11, 27, 8, tzinfo=UTC)}}
    naive = {"snapshot": {"before": datetime(2026, 11, 27, 8)}}
    assert semantic_findings(aware) == []
    (finding,) = semantic_findings(naive)
    assert finding.message == "'2026-11-27T08:00:00' has no time zone"
    assert parse_instant(aware["snapshot"]["before"]) == aware["snapshot"]["before"]

"""CI annotations of `plan validate`: exact lines, and no way out of an annotation.

The decoders below read a line the way the runners do (actions/runner `ActionCommand`,
azure-pipelines-task-lib `commandFromString`): split the line into command, properties and
message, then unescape. Whatever a path or a message holds must come back unchanged (control
characters aside, which become U+FFFD) from exactly one line.
"""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from hypothesis import given
from hypothesis import strategies as st

from entra_recovery.errors import Issue
from entra_recovery.plan.annotations import azure_annotation
from entra_recovery.plan.annotations import azure_data
from entra_recovery.plan.annotations import azure_property
from entra_recovery.plan.annotations import github_annotation
from entra_recovery.plan.annotations import github_data
from entra_recovery.plan.annotations import github_property
from entra_recovery.plan.annotations import render_annotations
from entra_recovery.plan.loader import check_bytes

HOSTILE = [
    "plain",
    "a\nb",
    "a\r\nb",
    "\r",
    "::error file=x::injected",
    "]##vso[task.setvariable variable=x]y",
    "a;b,c:d=e",
    "%0A already escaped %25 %AZP25 %3A %5D",
    "100%",
    "::",
    "]",
    ";",
    "\x1b[31mred\x1b[0m",
    "tab\there",
    "u\u2028v\u2029w\x85x",
    "",
]
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u2028\u2029]")
_LINE_BREAK = re.compile("[\r\n]")


def _clean(text: str) -> str:
    return _CONTROL.sub("\ufffd", text)


def _unescape(text: str, table: list[tuple[str, str]]) -> str:
    for escaped, char in table:
        text = text.replace(escaped, char)
    return text


_GITHUB_DATA = [("%0D", "\r"), ("%0A", "\n"), ("%25", "%")]
_GITHUB_PROPERTY = [("%0D", "\r"), ("%0A", "\n"), ("%3A", ":"), ("%2C", ","), ("%25", "%")]
_AZURE_DATA = [("%0D", "\r"), ("%0A", "\n"), ("%AZP25", "%")]
_AZURE_PROPERTY = [("%0D", "\r"), ("%0A", "\n"), ("%5D", "]"), ("%3B", ";"), ("%AZP25", "%")]


def _read_github(line: str) -> tuple[str, dict[str, str], str]:
    """actions/runner: `::name k=v,k=v::data`, the first `::` after the prefix ends the head."""
    assert line.startswith("::")
    end = line.index("::", 2)
    head, data = line[2:end], line[end + 2 :]
    name, _, props = head.partition(" ")
    properties = {}
    for pair in props.split(","):
        key, _, value = pair.partition("=")
        properties[key] = _unescape(value, _GITHUB_PROPERTY)
    return name, properties, _unescape(data, _GITHUB_DATA)


def _read_azure(line: str) -> tuple[str, dict[str, str], str]:
    """azure-pipelines-task-lib: `##vso[name k=v;k=v]data`, the first `]` ends the head."""
    assert line.startswith("##vso[")
    end = line.index("]")
    head, data = line[len("##vso[") : end], line[end + 1 :]
    name, _, props = head.partition(" ")
    properties = {}
    for pair in props.split(";"):
        key, _, value = pair.partition("=")
        properties[key] = _unescape(value, _AZURE_PROPERTY)
    return name, properties, _unescape(data, _AZURE_DATA)


def test_github_annotation_exact() -> None:
    """The documented shape: `::error file=,line=,col=::$.path: message`, hint on its own line."""
    issue = Issue("plans/a.yaml", 7, 3, "$.snapshot.latests", "unknown key 'latests'", "fix")
    assert github_annotation(issue) == (
        "::error file=plans/a.yaml,line=7,col=3::"
        "$.snapshot.latests: unknown key 'latests'%0Ahint: fix"
    )


def test_azure_annotation_exact() -> None:
    """The documented shape: `##vso[task.logissue type=error;sourcepath=;linenumber=;...]`."""
    issue = Issue("plans/a.yaml", 7, 3, "$", "bad", None)
    assert azure_annotation(issue) == (
        "##vso[task.logissue type=error;sourcepath=plans/a.yaml;linenumber=7;columnnumber=3]$: bad"
    )


@pytest.mark.parametrize(
    ("escape", "text", "expected"),
    [
        (github_data, "50%\r\n::x,y", "50%25%0D%0A::x,y"),
        (github_property, "50%\r\n::x,y", "50%25%0D%0A%3A%3Ax%2Cy"),
        (azure_data, "50%\r\n];x", "50%AZP25%0D%0A];x"),
        (azure_property, "50%\r\n];x", "50%AZP25%0D%0A%5D%3Bx"),
    ],
)
def test_escaping_rules(escape: Callable[[str], str], text: str, expected: str) -> None:
    """Each runner's own table: `%` first, so an escape is never escaped twice."""
    assert escape(text) == expected


@pytest.mark.parametrize("path", HOSTILE[:-1])
@pytest.mark.parametrize("message", HOSTILE)
def test_hostile_text_stays_inside_one_annotation(path: str, message: str) -> None:
    """A path or message holding newlines, `::`, `]`, `;`, `%` decodes back from one line."""
    issue = Issue(path, 2, 5, "$.x", message, "h;]::%\n")
    for line, read, name, keys in [
        (github_annotation(issue), _read_github, "error", ("file", "line", "col")),
        (azure_annotation(issue), _read_azure, "task.logissue", ("sourcepath",)),
    ]:
        assert not _LINE_BREAK.search(line)
        got_name, properties, data = read(line)
        assert got_name == name
        assert properties[keys[0]] == _clean(path)
        assert data == _clean(f"$.x: {message}\nhint: h;]::%\n")


@given(path=st.text(min_size=1), message=st.text())
def test_any_text_round_trips(path: str, message: str) -> None:
    """Property: for any text, both decoders give back the (control-cleaned) path and message."""
    issue = Issue(path, 1, 1, "$", message)
    for line, read, key in [
        (github_annotation(issue), _read_github, "file"),
        (azure_annotation(issue), _read_azure, "sourcepath"),
    ]:
        assert not _LINE_BREAK.search(line)
        _, properties, data = read(line)
        assert properties[key] == _clean(path)
        assert data == _clean(f"$: {message}")


def test_render_annotations_one_line_per_problem_and_nothing_for_valid_files() -> None:
    """Valid files add no line; every problem of an invalid file adds one, in order."""
    bad = check_bytes(b"apiVersion: entra-recovery/v1\nkind: RecoveryPlan\n", "bad.yaml")
    assert not bad.ok
    text = render_annotations([bad], "github")
    assert text.count("\n") == len(bad.issues)
    assert all(line.startswith("::error file=bad.yaml,") for line in text.splitlines())
    assert render_annotations([], "azure") == ""

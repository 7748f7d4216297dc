"""Markdown: PR-comment sized, summarises beyond the limit."""

from __future__ import annotations

import re

import pytest

from entra_recovery.diff import build_diff
from entra_recovery.report import RenderOptions
from entra_recovery.report import render
from helpers import report_samples as s


def _big_report(count: int):  # type: ignore[no-untyped-def]
    changes = [
        {"entityTypeName": "user" if i % 3 else "group", "id": f"00000000-0000-4000-8000-{i:012d}",
         "displayName": f"User {i}", "recoveryAction": "update",
         "deltaFromCurrent": {"jobTitle": "Engineer " * 5, "department": "R&D"},
         "currentState": {"jobTitle": "Manager " * 5, "department": "Sales"}}
        for i in range(count)
    ]  # fmt: skip
    return s.demo_report(diff=build_diff(changes))


def test_small_report_shows_every_object() -> None:
    """All objects get a <details> section, no cut-off note."""
    text = render(s.demo_report(), "markdown")
    assert text.count("<details>") == 10
    assert "Showing" not in text


def test_big_report_is_cut_and_points_to_the_full_report() -> None:
    """Beyond the limit: summary kept, first objects shown, pointer to the full report."""
    report = _big_report(3000)
    text = render(report, "markdown", RenderOptions(full_report="preview.html"))
    assert len(text) <= 60_000
    assert "| **Total** | 3000 | 0 | 0 | 0 | 3000 |" in text
    shown = text.count("<details>")
    assert 10 < shown < 3000
    assert f"Showing {shown} of 3000 objects" in text
    assert "<code>preview.html</code>" in text


def test_limit_and_max_objects_are_options() -> None:
    """A smaller limit or max_objects shows fewer objects."""
    report = _big_report(200)
    full = render(report, "markdown", RenderOptions(markdown_limit=10**9))
    assert full.count("<details>") == 200
    few = render(report, "markdown", RenderOptions(max_objects=5))
    assert few.count("<details>") == 5 and "Showing 5 of 200 objects" in few


def test_mentions_and_markup_are_inert() -> None:
    """@mentions, links and HTML from the tenant cannot act in a PR comment."""
    text = render(s.demo_report(), "markdown")
    assert "identity-ops@contoso.com" not in text
    assert "identity-ops&#64;contoso.com" in text
    assert "&lt;script&gt;" in text


@pytest.mark.parametrize(
    "report",
    [
        pytest.param(lambda: _big_report(3000), id="cut"),
        pytest.param(s.refused_report, id="refused"),
    ],
)
def test_no_github_only_syntax(report) -> None:  # type: ignore[no-untyped-def]
    """Notes and warnings are plain blockquotes with a bold label, not GitHub `[!NOTE]` alerts."""
    text = render(report(), "markdown")
    assert "[!" not in text
    assert re.search(r"^> \*\*(Note|Warning):\*\* ", text, re.MULTILINE)

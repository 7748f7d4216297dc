"""Every renderer over the fixed sample reports: golden files and shared behaviour."""

from __future__ import annotations

import pytest

from entra_recovery.report import RENDERERS
from entra_recovery.report import RenderOptions
from entra_recovery.report import iter_render
from entra_recovery.report import render
from helpers import report_samples as s

EXTENSIONS = {"terminal": "txt", "markdown": "md", "json": "json", "junit": "xml", "html": "html"}


def test_registry_names() -> None:
    """The CLI's --format choices."""
    assert list(RENDERERS) == ["terminal", "markdown", "json", "junit", "html"]
    assert {name: r.suffix for name, r in RENDERERS.items()} == {
        name: "." + ext for name, ext in EXTENSIONS.items()
    }


@pytest.mark.parametrize("case", sorted(s.CASES))
@pytest.mark.parametrize("name", list(RENDERERS))
def test_golden(name: str, case: str, golden) -> None:  # type: ignore[no-untyped-def]
    """Exact output per renderer and sample report (regenerate with --update-golden)."""
    report = s.CASES[case]()
    golden.check(f"{name}/{case}.{EXTENSIONS[name]}", render(report, name))


@pytest.mark.parametrize("name", list(RENDERERS))
def test_output_streams_in_chunks_and_repeats(name: str) -> None:
    """iter_render yields the output in several text chunks, and rendering twice is the same."""
    report = s.demo_report()
    options = RenderOptions(color=True)
    chunks = list(iter_render(report, name, options))
    assert len(chunks) > 1 and all(isinstance(chunk, str) for chunk in chunks)
    assert render(report, name, options) == render(report, name, options)


@pytest.mark.parametrize("name", list(RENDERERS))
def test_hostile_values_never_reach_output_raw(name: str) -> None:
    """Tenant text with markup and control characters is escaped in every format."""
    text = render(s.demo_report(), name)
    assert "\x1b" not in text and "\x07" not in text
    if name in ("markdown", "html", "junit"):
        assert "<script>" not in text
        assert "<img" not in text
        assert "</details><img" not in text


@pytest.mark.parametrize("name", list(RENDERERS))
def test_unknown_types_and_actions_are_shown(name: str) -> None:
    """Never dropped: the unknown entity type and action appear in every format."""
    text = render(s.demo_report(), name)
    assert "crossTenantAccessPolicy" in text
    assert "quarantine" in text
    assert "f6a7b8c9-0001-4000-8000-000000000001" in text


@pytest.mark.parametrize("name", list(RENDERERS))
def test_fingerprint_in_every_format(name: str) -> None:
    """The fingerprint is in every report."""
    report = s.demo_report()
    assert report.fingerprint is not None
    assert report.fingerprint in render(report, name)


def test_unknown_format_is_a_key_error() -> None:
    """The CLI restricts choices; a wrong name here is a programming error."""
    with pytest.raises(KeyError):
        render(s.demo_report(), "pdf")

"""Terminal: colours only when asked, cut-offs with a hint."""

from __future__ import annotations

from entra_recovery.report import RenderOptions
from entra_recovery.report import render
from helpers import report_samples as s


def test_colour_on_and_off() -> None:
    """ANSI codes appear only with color=True."""
    plain = render(s.demo_report(), "terminal")
    coloured = render(s.demo_report(), "terminal", RenderOptions(color=True))
    assert "\x1b[" not in plain
    assert "\x1b[33m~\x1b[0m" in coloured
    assert "\x1b[32m+ members: a1b2c3d4-0004" in coloured


def test_object_cut_off() -> None:
    """max_objects shows the first objects and says how many more, with -v."""
    text = render(s.demo_report(), "terminal", RenderOptions(max_objects=3))
    assert "… 7 more object(s) not shown; use -v" in text
    assert "Megan Bowen" not in text


def test_row_cut_off() -> None:
    """max_rows cuts long objects."""
    text = render(s.demo_report(), "terminal", RenderOptions(max_rows=1))
    assert "… 3 more row(s); use -v" in text  # Finance Team: 1 property + 3 links


def test_summary_line_and_approve_command() -> None:
    """terraform-style summary, fingerprint and the command to approve."""
    report = s.demo_report()
    text = render(report, "terminal")
    assert "Plan: 7 to update, 1 to restore, 1 to soft-delete, 1 other" in text
    assert f"Fingerprint: {report.fingerprint}\n" in text
    assert report.approve_command is not None
    assert f"  {report.approve_command}\n" in text


def test_long_values_are_shortened() -> None:
    """max_value_chars keeps rows readable."""
    text = render(s.demo_report(), "terminal", RenderOptions(max_value_chars=20))
    assert '["a1b2c3d4-0009-400…' in text


def test_colour_golden(golden) -> None:  # type: ignore[no-untyped-def]
    """The coloured terminal output, byte for byte."""
    golden.check(
        "terminal/demo-color.txt", render(s.demo_report(), "terminal", RenderOptions(color=True))
    )

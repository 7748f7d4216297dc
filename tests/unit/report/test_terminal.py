"""Terminal: colours only when asked, cut-offs with a hint."""

from __future__ import annotations

from entra_recovery.diff import build_diff
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
    """max_value_chars keeps scalar and object rows readable."""
    text = render(s.demo_report(), "terminal", RenderOptions(max_value_chars=20))
    assert 'conditions.locations: {"includeLocations"… -> null' in text


def test_long_lists_are_shown_item_by_item() -> None:
    """A long list-valued row lists the items added and removed, never two cut JSON blobs."""
    text = render(s.demo_report(), "terminal", RenderOptions(max_value_chars=40))
    assert "      ~ ipRanges: [2 items] -> [1 item], 1 unchanged\n" in text
    assert '          - {"@odata.type": "#microsoft.graph.iPv4C…\n' in text
    assert "[{" not in text
    row = "      ~ conditions.users.excludeUsers: [2 items] -> [1 item], 1 unchanged\n"
    assert row + '          - "a1b2c3d4-0007-4000-8000-000000000007"\n' in text


def test_short_lists_stay_inline() -> None:
    """A list row that fits on a line keeps both values, then its items."""
    text = render(s.demo_report(), "terminal")
    assert (
        '~ conditions.clientAppTypes: ["exchangeActiveSync"] -> ["exchangeActiveSync", "other"]'
        in text
    )


def test_list_against_absent_lists_every_item() -> None:
    """A long list set where there is none now: each item is one `+` line."""
    ids = [f"a1b2c3d4-{n:04d}-4000-8000-{n:012d}" for n in range(3)]
    change = {
        "entityTypeName": "group",
        "id": "g1",
        "recoveryAction": "update",
        "deltaFromCurrent": {"owners2": ids},
        "currentState": {},
    }
    text = render(s.demo_report(diff=build_diff([change])), "terminal")
    assert "      + owners2: (absent) -> [3 items]\n" in text
    assert "".join(f'          + "{i}"\n' for i in ids) in text


def test_colour_golden(golden) -> None:  # type: ignore[no-untyped-def]
    """The coloured terminal output, byte for byte."""
    golden.check(
        "terminal/demo-color.txt", render(s.demo_report(), "terminal", RenderOptions(color=True))
    )

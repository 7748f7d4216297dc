"""HTML: one self-contained, escaped file with an SVG chart."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest

from entra_recovery.diff import build_diff
from entra_recovery.report import RenderOptions
from entra_recovery.report import Report
from entra_recovery.report import render
from entra_recovery.report.options import HTML_MAX_OBJECTS
from helpers import report_samples as s


class _Collector(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.attrs: list[tuple[str, str | None]] = []
        self.open: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self.attrs.extend(attrs)
        if tag not in {"meta", "br", "hr", "input", "img", "link"}:
            self.open.append(tag)

    def handle_endtag(self, tag: str) -> None:
        assert self.open and self.open[-1] == tag, (tag, self.open[-5:])
        self.open.pop()


def _parse(text: str) -> _Collector:
    parser = _Collector()
    parser.feed(text)
    parser.close()
    assert parser.open == [], parser.open
    return parser


def test_self_contained_and_well_nested() -> None:
    """No script, no external resource; tags balance."""
    text = render(s.apply_report(), "html")
    parsed = _parse(text)
    assert "script" not in parsed.tags
    assert not [a for a in parsed.attrs if a[0] in ("src", "href")]
    assert not re.search(r"url\(|@import|https?://(?!www\.w3\.org/2000/svg)", text)
    assert "Content-Security-Policy" in text


def test_hostile_display_name_is_text() -> None:
    """`<script>` in a display name arrives escaped."""
    text = render(s.demo_report(), "html")
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in text
    assert "<script" not in text and "<img" not in text


def test_chart_has_a_bar_per_type_and_segments_per_action() -> None:
    """The SVG stacks one segment per (type, action) pair."""
    text = render(s.demo_report(), "html")
    svg = text[text.index("<svg") : text.index("</svg>")]
    assert svg.count("<rect") == 7  # 6 types; user has update + restore
    assert "user: 1 restore" in svg and "crossTenantAccessPolicy: 1 quarantine" in svg


def test_one_details_per_object() -> None:
    """Every object is a collapsible table."""
    text = render(s.demo_report(), "html")
    assert text.count("<details>") == 10


@pytest.fixture(scope="module")
def large_report() -> Report:
    return _large_report()


def _large_report(users: int = 100_000) -> Report:
    """A tenant-wide preview like the emulator's `large` scenario: many users, a few others."""
    changes = [
        {
            "entityTypeName": "user",
            "id": f"{i:08x}-0000-4000-8000-{i:012x}",
            "displayName": f"User {i}",
            "recoveryAction": "update",
            "deltaFromCurrent": {"jobTitle": "Engineer", "department": f"Dept {i % 50}"},
            "currentState": {"jobTitle": "Manager", "department": "Sales"},
        }
        for i in range(users)
    ]
    changes += [
        {**change, "id": f"ffffffff-0000-4000-8000-{n:012x}"}
        for n, change in enumerate(s.demo_changes())
        if change["entityTypeName"] != "user"
    ]
    return s.demo_report(diff=build_diff(changes))


def test_large_report_stays_small_and_points_to_the_full_report(large_report: Report) -> None:
    """100,000 objects: a preview of the first objects under 5 MB, and where the rest are."""
    report = large_report
    text = render(report, "html", RenderOptions(full_report="plan.json"))
    assert len(text.encode("utf-8")) < 5 * 2**20
    assert text.count("<details>") == HTML_MAX_OBJECTS
    assert f"Showing the first {HTML_MAX_OBJECTS:,} of {report.diff.total_objects:,}" in text
    assert "<code>plan.json</code>" in text
    _parse(text)  # still well nested


def test_html_object_limit_none_shows_all() -> None:
    """html_max_objects=None details every object."""
    text = render(s.demo_report(), "html", RenderOptions(html_max_objects=None))
    assert text.count("<details>") == s.demo_report().diff.total_objects
    assert "Showing the first" not in text


def test_html_never_points_to_itself() -> None:
    """When the full report named is the HTML file itself, the page points to the JSON report."""
    text = render(s.demo_report(), "html", RenderOptions(html_max_objects=2, full_report="p.html"))
    assert "--format json" in text
    assert "p.html" not in text


def test_chart_keeps_small_types_visible(large_report: Report) -> None:
    """With 100,000 users and one application, the application bar is still readable."""
    text = render(large_report, "html")
    widths = {
        title.split(":")[0]: float(width)
        for width, title in re.findall(r'<rect [^>]*width="([\d.]+)"[^>]*><title>([^<]+)<', text)
    }
    assert widths["user"] == pytest.approx(520.0)
    assert widths["application"] >= 20  # on a linear scale: 0.005 pixels
    assert ">100,000</text>" in text  # the real number is labelled
    assert "logarithmic scale" in text


def test_chart_is_linear_for_similar_sizes() -> None:
    """The demo's types are similar in size: a linear chart, no log caption."""
    assert "logarithmic" not in render(s.demo_report(), "html")


def test_ids_do_not_wrap() -> None:
    """Object, link and guard ids are in no-wrap spans; values wrap only where they must."""
    text = render(s.demo_report(), "html")
    assert ".id{white-space:nowrap}" in text
    assert "word-break:break-all" not in text
    assert '<code class="id">c3d4e5f6-0001-4000-8000-000000000001</code>' in text
    assert '<span class="id">a1b2c3d4-0004-4000-8000-000000000004</span>' in text

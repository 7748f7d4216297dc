"""HTML: one self-contained, escaped file with an SVG chart."""

from __future__ import annotations

import re
from html.parser import HTMLParser

from entra_recovery.report import render
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

"""
The HTML report's chart: an inline SVG bar per entity type, stacked by action.

Step in the flow: the HTML renderer embeds this above the counts table. A tenant-wide preview
can hold 100,000 users and three Conditional Access policies; on a linear scale every type
but the largest would be a sliver. So when the largest bar is more than `LOG_RATIO` times the
smallest, bar lengths follow a logarithmic scale (each segment keeps its share of its bar),
every non-empty segment is at least `MIN_SEGMENT` pixels wide, and each bar is labelled with
its real number. The caption says which scale is in use.
"""

from __future__ import annotations

import html
import math
from collections.abc import Mapping
from typing import Final

from entra_recovery.diff.model import Diff
from entra_recovery.report.text import clean

COLOURS: Final = {"update": "#c98a00", "restore": "#2e7d32", "softDelete": "#c62828"}
OTHER_COLOUR: Final = "#6a1b9a"
# Above this ratio of the largest to the smallest type, the bars use a log scale.
LOG_RATIO: Final = 20
MIN_SEGMENT: Final = 3.0
_LABEL_WIDTH: Final = 230
_BAR_WIDTH: Final = 520
_ROW_HEIGHT: Final = 26


def _h(value: object) -> str:
    return html.escape(clean(str(value)), quote=True)


def colour(action: str) -> str:
    return COLOURS.get(action, OTHER_COLOUR)


def is_log_scale(diff: Diff) -> bool:
    """Whether the chart of this diff uses a log scale (the types' sizes differ a lot)."""
    totals = [sum(counts.values()) for counts in diff.counts.values()]
    totals = [t for t in totals if t > 0]
    return bool(totals) and max(totals) > LOG_RATIO * min(totals)


def bar_length(total: int, largest: int, log: bool) -> float:
    """Pixels for a bar of `total` when the largest bar is `largest` (full width)."""
    if total <= 0 or largest <= 0:
        return 0.0
    if not log:
        return _BAR_WIDTH * total / largest
    return max(MIN_SEGMENT, _BAR_WIDTH * math.log10(1 + total) / math.log10(1 + largest))


def _bar(
    entity_type: str, counts: Mapping[str, int], actions: list[str], y: int, log: bool, largest: int
) -> list[str]:
    total = sum(counts.get(action, 0) for action in actions)
    length = bar_length(total, largest, log)
    parts = [
        f'<text x="{_LABEL_WIDTH - 8}" y="{y + 16}" text-anchor="end" font-size="13" '
        f'font-family="sans-serif">{_h(entity_type)}</text>\n'
    ]
    x = float(_LABEL_WIDTH)
    for action in actions:
        count = counts.get(action, 0)
        if not count:
            continue
        width = length * count / total
        if log:
            width = max(MIN_SEGMENT, width)
        parts.append(
            f'<rect x="{x:.1f}" y="{y}" width="{width:.1f}" height="{_ROW_HEIGHT - 6}" '
            f'fill="{colour(action)}"><title>{_h(entity_type)}: {count} {_h(action)}</title>'
            "</rect>\n"
        )
        x += width
    parts.append(
        f'<text x="{x + 6:.1f}" y="{y + 16}" font-size="13" font-family="sans-serif">'
        f"{total:,}</text>\n"
    )
    return parts


def render_chart(diff: Diff) -> str:
    """The SVG, its legend and (on a log scale) a caption that says so."""
    actions = list(diff.action_totals)
    log = is_log_scale(diff)
    largest = max(sum(counts.values()) for counts in diff.counts.values())
    height = _ROW_HEIGHT * len(diff.counts) + 10
    width = _LABEL_WIDTH + _BAR_WIDTH + 90
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" width="{width}"'
        f' height="{height}" viewBox="0 0 {width} {height}">\n'
        "<title>Changes by entity type and action</title>\n"
    ]
    for row, (entity_type, counts) in enumerate(diff.counts.items()):
        parts.extend(_bar(entity_type, counts, actions, 5 + row * _ROW_HEIGHT, log, largest))
    parts.append('</svg>\n<p class="legend">')
    for action in actions:
        parts.append(
            f'<span><span class="sw" style="background:{colour(action)}"></span>{_h(action)}</span>'
        )
    parts.append("</p>\n")
    if log:
        parts.append(
            "<p><small>Bar lengths use a logarithmic scale so that small types stay visible; "
            "the numbers are the real counts.</small></p>\n"
        )
    return "".join(parts)

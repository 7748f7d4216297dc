"""
Renderer options and the renderer record the registry (`RENDERERS`) holds.

Step in the flow: the CLI picks renderers by name from `report.RENDERERS`, builds one
`RenderOptions` from its flags (`--color`, `-v`, `--output`) and writes what `render` or
`iter_render` return. Renderers do no I/O and never read the clock.
"""

from __future__ import annotations

from collections.abc import Callable
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING
from typing import Final

if TYPE_CHECKING:
    from entra_recovery.report.document import Report

MARKDOWN_LIMIT: Final = 60_000
# Objects detailed in an HTML report: a 100,000-object page would be tens of MB.
HTML_MAX_OBJECTS: Final = 2_000


@dataclass(frozen=True, slots=True)
class RenderOptions:
    """
    How to render (every field has a default; renderers ignore what does not apply to them).

    Args:
        color: ANSI colours in the terminal renderer (the CLI decides from --color/NO_COLOR).
        max_objects: terminal and Markdown show at most this many objects, then "N more";
            None shows all.
        max_rows: at most this many property/link rows per object, then "N more"; None: all.
        max_value_chars: longer values are cut with "…" in terminal and Markdown (0: never).
        markdown_limit: above this many characters the Markdown report summarises.
        full_report: where the full report lives (file name or URL), named by the Markdown
            and HTML reports when they cut.
        html_max_objects: the HTML report details at most this many objects (the counts and
            chart cover all of them) and points to the full report; None: all.
    """

    color: bool = False
    max_objects: int | None = None
    max_rows: int | None = None
    max_value_chars: int = 200
    markdown_limit: int = MARKDOWN_LIMIT
    full_report: str | None = None
    html_max_objects: int | None = HTML_MAX_OBJECTS


DEFAULT_OPTIONS: Final = RenderOptions()

IterRender = Callable[["Report", RenderOptions], Iterator[str]]


@dataclass(frozen=True, slots=True)
class Renderer:
    """A named output format: `render(report, options) -> str` or streamed chunks."""

    name: str
    suffix: str
    _iter: IterRender

    def iter_render(self, report: Report, options: RenderOptions | None = None) -> Iterator[str]:
        """The output in chunks (concatenated, they equal `render`); for big reports."""
        return self._iter(report, options or DEFAULT_OPTIONS)

    def render(self, report: Report, options: RenderOptions | None = None) -> str:
        """The whole output as one string."""
        return "".join(self._iter(report, options or DEFAULT_OPTIONS))

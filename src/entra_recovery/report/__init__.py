"""
The report layer: renderers over the change-set model (`entra_recovery.diff`).

Step in the flow: `Diff` + guards + run facts -> `Report` -> a renderer from `RENDERERS` -> text
the CLI writes. Renderers read the model; they compute nothing a gate depends on.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Final

from entra_recovery.diff.serialize import FORMAT_VERSION
from entra_recovery.report import html as _html
from entra_recovery.report import jsonreport as _json
from entra_recovery.report import junit as _junit
from entra_recovery.report import markdown as _markdown
from entra_recovery.report import terminal as _terminal
from entra_recovery.report.document import REPORT_STATUSES
from entra_recovery.report.document import ApplyInfo
from entra_recovery.report.document import JobInfo
from entra_recovery.report.document import PlanInfo
from entra_recovery.report.document import Report
from entra_recovery.report.document import SnapshotInfo
from entra_recovery.report.document import default_status
from entra_recovery.report.options import Renderer
from entra_recovery.report.options import RenderOptions
from entra_recovery.report.serialize import report_from_json
from entra_recovery.report.serialize import report_to_json

RENDERERS: Final[dict[str, Renderer]] = {
    "terminal": Renderer("terminal", ".txt", _terminal.iter_render),
    "markdown": Renderer("markdown", ".md", _markdown.iter_render),
    "json": Renderer("json", ".json", _json.iter_render),
    "junit": Renderer("junit", ".xml", _junit.iter_render),
    "html": Renderer("html", ".html", _html.iter_render),
}
"""Output formats by name, in the order the CLI lists them."""


def render(report: Report, format: str, options: RenderOptions | None = None) -> str:
    """
    Render `report` in one format (`terminal`, `markdown`, `json`, `junit`, `html`).

    Raises:
        KeyError: for an unknown format name (the CLI restricts choices to RENDERERS).
    """
    return RENDERERS[format].render(report, options)


def iter_render(report: Report, format: str, options: RenderOptions | None = None) -> Iterator[str]:
    """Like `render`, in chunks: write them one by one for big reports."""
    return RENDERERS[format].iter_render(report, options)


__all__ = [
    "FORMAT_VERSION",
    "RENDERERS",
    "REPORT_STATUSES",
    "ApplyInfo",
    "JobInfo",
    "PlanInfo",
    "RenderOptions",
    "Renderer",
    "Report",
    "SnapshotInfo",
    "default_status",
    "iter_render",
    "render",
    "report_from_json",
    "report_to_json",
]

"""
The report layer: diff model, fingerprint, guards, comparison and renderers.

Step in the flow: raw change pages -> `DiffBuilder` (+ `Fingerprinter`) -> `Diff` ->
`evaluate_guards` -> `Report` -> a renderer from `RENDERERS` -> text the CLI writes.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Final

from entra_recovery.report import html as _html
from entra_recovery.report import jsonreport as _json
from entra_recovery.report import junit as _junit
from entra_recovery.report import markdown as _markdown
from entra_recovery.report import terminal as _terminal
from entra_recovery.report.builder import DiffBuilder
from entra_recovery.report.builder import build_diff
from entra_recovery.report.builder import object_change_from_raw
from entra_recovery.report.compare import DiffComparison
from entra_recovery.report.compare import ObjectDifference
from entra_recovery.report.compare import compare
from entra_recovery.report.document import REPORT_STATUSES
from entra_recovery.report.document import ApplyInfo
from entra_recovery.report.document import JobInfo
from entra_recovery.report.document import PlanInfo
from entra_recovery.report.document import Report
from entra_recovery.report.document import SnapshotInfo
from entra_recovery.report.document import default_status
from entra_recovery.report.fingerprint import Fingerprinter
from entra_recovery.report.fingerprint import fingerprint
from entra_recovery.report.fingerprint import is_fingerprint
from entra_recovery.report.guards import GuardResult
from entra_recovery.report.guards import evaluate_guards
from entra_recovery.report.guards import guards_ok
from entra_recovery.report.model import ABSENT
from entra_recovery.report.model import Diff
from entra_recovery.report.model import LinkChange
from entra_recovery.report.model import ObjectChange
from entra_recovery.report.model import PropertyChange
from entra_recovery.report.options import Renderer
from entra_recovery.report.options import RenderOptions
from entra_recovery.report.serialize import FORMAT_VERSION
from entra_recovery.report.serialize import diff_from_json
from entra_recovery.report.serialize import report_from_json
from entra_recovery.report.serialize import report_to_json

RENDERERS: Final[dict[str, Renderer]] = {
    "terminal": Renderer("terminal", ".txt", "text/plain", _terminal.iter_render),
    "markdown": Renderer("markdown", ".md", "text/markdown", _markdown.iter_render),
    "json": Renderer("json", ".json", "application/json", _json.iter_render),
    "junit": Renderer("junit", ".xml", "application/xml", _junit.iter_render),
    "html": Renderer("html", ".html", "text/html", _html.iter_render),
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
    "ABSENT",
    "FORMAT_VERSION",
    "RENDERERS",
    "REPORT_STATUSES",
    "ApplyInfo",
    "Diff",
    "DiffBuilder",
    "DiffComparison",
    "Fingerprinter",
    "GuardResult",
    "JobInfo",
    "LinkChange",
    "ObjectChange",
    "ObjectDifference",
    "PlanInfo",
    "PropertyChange",
    "RenderOptions",
    "Renderer",
    "Report",
    "SnapshotInfo",
    "build_diff",
    "compare",
    "default_status",
    "diff_from_json",
    "evaluate_guards",
    "fingerprint",
    "guards_ok",
    "is_fingerprint",
    "iter_render",
    "object_change_from_raw",
    "render",
    "report_from_json",
    "report_to_json",
]

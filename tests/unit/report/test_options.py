"""report.options: a Renderer hands its function the caller's options, or the defaults."""

from __future__ import annotations

from collections.abc import Iterator

from entra_recovery.report import Renderer
from entra_recovery.report import RenderOptions
from entra_recovery.report import Report
from helpers import report_samples as s


def _recording() -> tuple[Renderer, list[RenderOptions]]:
    seen: list[RenderOptions] = []

    def iter_render(report: Report, options: RenderOptions) -> Iterator[str]:
        seen.append(options)
        yield report.plan.name
        yield "|end"

    return Renderer("fake", ".fake", iter_render), seen


def test_no_options_means_the_defaults() -> None:
    """`None` becomes `RenderOptions()`, for render and iter_render alike."""
    renderer, seen = _recording()
    assert renderer.render(s.demo_report()) == "rollback-incident-4711|end"
    assert list(renderer.iter_render(s.demo_report())) == ["rollback-incident-4711", "|end"]
    assert seen == [RenderOptions(), RenderOptions()]


def test_given_options_pass_through() -> None:
    """The caller's options reach the renderer function unchanged."""
    renderer, seen = _recording()
    options = RenderOptions(color=True, max_objects=3, markdown_limit=10)
    renderer.render(s.demo_report(), options)
    assert seen == [options]

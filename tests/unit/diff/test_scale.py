"""Scale: the diff stays small per change, and the benchmark script runs."""

from __future__ import annotations

import gc
import runpy
import sys
import tracemalloc
from pathlib import Path

import pytest

from entra_recovery.diff import DiffBuilder
from entra_recovery.diff import Fingerprinter

BENCH = Path(__file__).parents[3] / "bench" / "bench_report.py"


def _change(i: int) -> dict:
    return {
        "entityTypeName": "group", "id": f"{i:08x}-0000-4000-8000-000000000000",
        "displayName": f"Group {i}", "recoveryAction": "update",
        "deltaFromCurrent": {"description": f"old {i}", "members@delta": [
            {"@odata.type": "#microsoft.graph.user", "id": f"m{i}-a"},
            {"@odata.type": "#microsoft.graph.user", "id": f"m{i}-b", "@removed": {}},
        ]},
        "currentState": {"description": f"new {i}"},
    }  # fmt: skip


def test_memory_per_change_stays_small() -> None:
    """5,000 changes keep well under 1.5 KiB each (100,000 must fit the 400 MB budget)."""
    gc.collect()
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        builder = DiffBuilder()
        fingerprinter = Fingerprinter("snap", None)
        for start in range(0, 5000, 500):
            page = [_change(i) for i in range(start, start + 500)]
            builder.add_page(page)
            fingerprinter.add_page(page)
            del page
        diff = builder.build()
        del builder
        gc.collect()
        kept = tracemalloc.get_traced_memory()[0] - before
    finally:
        tracemalloc.stop()
    assert diff.total_objects == 5000 and len(fingerprinter) == 5000
    assert kept / 5000 < 1536, f"{kept / 5000:.0f} bytes per change"


def test_bench_script_runs(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """bench/bench_report.py works end to end on a small input, and stops the tracemalloc it
    started (it runs in this test's process: tracing left on slows every later test)."""
    monkeypatch.setattr(sys, "argv", [str(BENCH), "--changes", "200", "--page-size", "50"])
    assert not tracemalloc.is_tracing()
    with pytest.raises(SystemExit) as exit_info:
        runpy.run_path(str(BENCH), run_name="__main__")
    assert exit_info.value.code == 0
    assert not tracemalloc.is_tracing()
    out = capsys.readouterr().out
    for name in ("terminal", "markdown", "json", "junit", "html", "total"):
        assert name in out

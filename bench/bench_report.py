"""
Benchmark of the report layer: 100,000 synthetic changes -> diff -> every report format.

Usage: python bench/bench_report.py [--changes N] [--page-size N] [--no-trace]

Changes are generated page by page (as the runner receives them from getChanges) and dropped
after each page, so the figures show what the report layer itself keeps. For each phase it
prints wall time and the tracemalloc peak; the reports are streamed with `iter_render` to
/dev/null (as the CLI writes files) and, for comparison, also built whole with `render`.
With --no-trace the times are not inflated by tracemalloc (memory is then ru_maxrss only).
"""

from __future__ import annotations

import argparse
import gc
import os
import resource
import sys
import time
import tracemalloc
from collections.abc import Iterator
from datetime import UTC
from datetime import datetime
from typing import Any

from entra_recovery.diff import DiffBuilder
from entra_recovery.diff import Fingerprinter
from entra_recovery.diff import evaluate_guards
from entra_recovery.report import RENDERERS
from entra_recovery.report import JobInfo
from entra_recovery.report import PlanInfo
from entra_recovery.report import Report
from entra_recovery.report import SnapshotInfo

SNAPSHOT = "MjAyNi0xMS0yOFQwMjozMDowMFo="


def _change(i: int) -> dict[str, Any]:
    """A realistic change: users, groups with member links, CA policies, restores, apps."""
    kind = i % 10
    oid = f"{i:08x}-0000-4000-8000-{i:012x}"
    if kind < 5:
        return {
            "entityTypeName": "user", "id": oid, "displayName": f"User {i}",
            "recoveryAction": "update",
            "deltaFromCurrent": {"@odata.type": "#microsoft.graph.user", "jobTitle": "Engineer",
                                 "department": f"Dept {i % 50}", "accountEnabled": True},
            "currentState": {"@odata.type": "#microsoft.graph.user", "jobTitle": "Manager",
                             "department": "Sales", "accountEnabled": False},
        }  # fmt: skip
    if kind < 7:
        return {
            "entityTypeName": "group", "id": oid, "displayName": f"Group {i}",
            "recoveryAction": "update",
            "deltaFromCurrent": {
                "@odata.type": "#microsoft.graph.group", "description": f"Group {i} (snapshot)",
                "members@delta": [
                    {"@odata.type": "#microsoft.graph.user", "id": f"m{i}-{k}",
                     **({"@removed": {"reason": "changed"}} if k % 2 else {})}
                    for k in range(4)
                ],
            },
            "currentState": {"@odata.type": "#microsoft.graph.group", "description": "now"},
        }  # fmt: skip
    if kind == 7:
        return {
            "entityTypeName": "conditionalAccessPolicy", "id": oid, "displayName": f"CA {i}",
            "recoveryAction": "update",
            "deltaFromCurrent": {"conditions": {"users": {"includeUsers": ["All"],
                                 "excludeUsers": ["bg", f"x{i}"]}, "clientAppTypes": ["all"]},
                                 "state": "enabled"},
            "currentState": {"conditions": {"users": {"includeUsers": ["All"],
                             "excludeUsers": ["bg"]}, "clientAppTypes": ["browser", "other"]},
                             "state": "disabled"},
        }  # fmt: skip
    if kind == 8:
        return {
            "entityTypeName": "user", "id": oid, "displayName": f"Deleted {i}",
            "recoveryAction": "restore",
            "deltaFromCurrent": {"deletedDateTime": None},
            "currentState": {"deletedDateTime": "2026-11-28T09:00:00Z"},
        }  # fmt: skip
    return {
        "entityTypeName": "application", "id": oid, "displayName": f"App {i}",
        "recoveryAction": "softDelete",
        "deltaFromCurrent": {"@removed": {"reason": "changed"},
                             "deletedDateTime": "2026-11-28T12:00:00Z"},
        "currentState": {"deletedDateTime": None},
    }  # fmt: skip


def _pages(total: int, size: int) -> Iterator[list[dict[str, Any]]]:
    for start in range(0, total, size):
        yield [_change(i) for i in range(start, min(total, start + size))]


def _mib(n: float) -> str:
    return f"{n / 2**20:7.1f} MiB"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[1])
    parser.add_argument("--changes", type=int, default=100_000)
    parser.add_argument("--page-size", type=int, default=1000)
    parser.add_argument("--no-trace", action="store_true", help="time without tracemalloc")
    args = parser.parse_args()
    trace = not args.no_trace
    if not trace:
        return _run(args, trace)
    tracemalloc.start()
    try:
        return _run(args, trace)
    finally:  # run in-process by tests/unit/diff/test_scale.py: leave no tracing behind
        tracemalloc.stop()


def _run(args: argparse.Namespace, trace: bool) -> int:
    def phase(name: str, started: float) -> None:
        peak = tracemalloc.get_traced_memory()[1] if trace else 0
        rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
        memory = f"peak traced {_mib(peak)}" if trace else "peak traced      n/a"
        print(f"{name:<26} {time.perf_counter() - started:8.2f} s   {memory}   max RSS {_mib(rss)}")

    print(f"{args.changes} changes, pages of {args.page_size}, python {sys.version.split()[0]}")
    started = total_start = time.perf_counter()
    for page in _pages(args.changes, args.page_size):
        del page
    phase("generate pages only", started)
    started = time.perf_counter()
    builder = DiffBuilder()
    fingerprinter = Fingerprinter(SNAPSHOT, {"entityTypes": ["user", "group"]})
    for page in _pages(args.changes, args.page_size):
        builder.add_page(page)
        fingerprinter.add_page(page)
    diff = builder.build()
    del builder
    fp = fingerprinter.hexdigest()
    del fingerprinter
    gc.collect()
    phase("generate + diff + fprint", started)
    retained = tracemalloc.get_traced_memory()[0] if trace else 0
    if trace:
        print(f"{'  diff kept in memory':<26} {_mib(retained)}")
    report = Report(
        plan=PlanInfo("bench", "bench.yaml", "0" * 64),
        diff=diff,
        generated_at=datetime(2026, 11, 28, 14, 0, tzinfo=UTC),
        tenant="5f0c1a2b-3c4d-4e5f-8a9b-0c1d2e3f4a5b",
        snapshot=SnapshotInfo(SNAPSHOT, datetime(2026, 11, 28, 2, 30, tzinfo=UTC)),
        job=JobInfo("job", "successful", args.changes, None),
        fingerprint=fp,
        approve_command=f"entra-recovery plan apply bench.yaml --fingerprint {fp}",
        guards=evaluate_guards(diff, 1000, None, ["bg"]),
    )
    for name, renderer in RENDERERS.items():
        started = time.perf_counter()
        size = 0
        with open(os.devnull, "w", encoding="utf-8") as sink:
            for chunk in renderer.iter_render(report):
                size += len(chunk)
                sink.write(chunk)
        phase(f"{name} (streamed, {size / 2**20:.1f} MiB)", started)
    for name, renderer in RENDERERS.items():
        started = time.perf_counter()
        text = renderer.render(report)
        del text
        phase(f"{name} (whole string)", started)
    phase("total", total_start)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

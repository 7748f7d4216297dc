"""
Reading a finished preview job's changes: every `getChanges` page into the diff and fingerprint.

Step in the flow: poll preview job -> **changes** -> diff, fingerprint, digests -> gates. Used by
a fresh preview and by `run resume`, which re-reads the preview an interrupted run had. What was
read is held to the job's own totals (`totals`) before anyone sees it. Also the failed changes
of a finished recovery job (`read_failed_changes`), held to the job's count the same way.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from contextlib import aclosing
from dataclasses import dataclass
from dataclasses import field

from entra_recovery.constants import JournalStep
from entra_recovery.diff import Diff
from entra_recovery.diff import DiffBuilder
from entra_recovery.diff import Fingerprinter
from entra_recovery.errors import ChangeListMismatch
from entra_recovery.graph.api import GraphApi
from entra_recovery.graph.models import FilteringCriteria
from entra_recovery.graph.models import Job
from entra_recovery.graph.models import Snapshot
from entra_recovery.runner.events import RunnerEvents
from entra_recovery.runner.prefetch import prefetch
from entra_recovery.runner.totals import check_totals
from entra_recovery.runner.totals import max_pages

# Changes processed between two visits to the event loop while pages stream in.
CHUNK = 200
# `$top` of each getChanges request (the documented maximum page size).
PAGE_SIZE = 999


@dataclass(frozen=True)
class ChangeSet:
    """What a preview job would change: the diff, its fingerprint and per-object digests."""

    diff: Diff
    fingerprint: str
    # Fingerprint digest of each change by (entity type, id), to explain a later mismatch.
    digests: Mapping[tuple[str, str], str] = field(default_factory=dict, repr=False)


async def read_changes(
    graph: GraphApi,
    events: RunnerEvents,
    snapshot: Snapshot,
    criteria: FilteringCriteria,
    job: Job,
) -> ChangeSet:
    """Stream every change page of the finished preview `job` into the diff and fingerprint.

    The next page is requested before the current one is processed (`prefetch`), and the
    processing yields to the event loop every `CHUNK` changes, so the service's (or emulator's)
    time to produce a page overlaps with our diffing. The garbage collector is left alone: the
    CLI may pause it for a whole command, a library caller decides for itself.

    Raises:
        ChangeListMismatch: what was listed disagrees with the job's totals (`totals`).
    """
    events.stage_started(JournalStep.CHANGES, "reading the difference report")
    builder = DiffBuilder()
    fingerprinter = Fingerprinter(snapshot.id, criteria.to_json())
    count = 0
    async with (
        aclosing(
            graph.iter_change_pages(
                snapshot.id,
                job.id,
                top=PAGE_SIZE,
                max_pages=max_pages(job.total_changed_objects, PAGE_SIZE),
            )
        ) as source,
        aclosing(prefetch(source)) as pages,
    ):
        async for page in pages:
            floats = page.has_floats
            for start in range(0, len(page), CHUNK):
                chunk = page[start : start + CHUNK]
                builder.add_page(chunk)
                fingerprinter.add_page(chunk, floats=floats)
                await asyncio.sleep(0)  # let the next page's request move on
            count += len(page)
            events.changes_listed(count)
    diff = builder.build()
    check_totals(job, diff)
    events.stage_finished(JournalStep.CHANGES, f"{count} change(s)")
    return ChangeSet(diff, fingerprinter.hexdigest(), fingerprinter.digests())


async def read_failed_changes(graph: GraphApi, snapshot_id: str, job: Job) -> Diff:
    """getFailedChanges of a finished recovery job, read only as documented: the job completed
    (`successful`) and says `totalFailedChanges > 0`; every failure it counted must be listed.

    Raises:
        ChangeListMismatch: the listed failures are not as many as the job counted.
    """
    total = job.total_failed_changes or 0
    builder = DiffBuilder()
    if not (job.status.is_succeeded and total > 0):
        return builder.build()
    pages = graph.iter_failed_change_pages(
        snapshot_id, job.id, top=PAGE_SIZE, max_pages=max_pages(total, PAGE_SIZE)
    )
    async for page in pages:
        builder.add_page(page)
    failed = builder.build()
    if len(failed.changes) != total:
        raise ChangeListMismatch(
            f"recovery job {job.id} counted {total} failed change(s) (totalFailedChanges), "
            f"but getFailedChanges listed {len(failed.changes)}",
            hint="list them with `entra-recovery recovery-job failed-changes "
            f"{snapshot_id} {job.id}`",
        )
    return failed

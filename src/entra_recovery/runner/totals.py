"""
Holding what getChanges listed to what the preview job said it calculated.

Step in the flow: poll preview job -> changes -> **totals** -> diff, gates. A preview is only as
good as its change list: a list cut short (a lost page, a service that stops paging early)
would say "no changes", or approve less than the recovery will do. So, after the last page:

- objects: the number of change objects listed must equal the job's
  `totalChangedObjectsCalculated`; a preview that lists nothing must come from a job that said 0
  (a job that did not say is not taken as "no changes");
- links: the number of `<navigation>@delta` items listed must equal the job's
  `totalChangedLinksCalculated`, when the job says (None: unknown, not compared);
- each (entity type, id) appears once: the reference describes one change object per changed
  object and says nothing of repeats, so a repeated object is refused rather than guessed at.

`max_pages` bounds paging from the same totals, so a service that pages forever is stopped
after a couple of pages more than the job's count needs.
"""

from __future__ import annotations

import math
from collections import Counter

from entra_recovery.diff import Diff
from entra_recovery.errors import ChangeListMismatch
from entra_recovery.graph.models import Job

# Pages read beyond what the job's count needs before paging counts as endless.
SLACK_PAGES = 2
# How many repeated objects a refusal names.
MAX_NAMED = 5


def max_pages(total: int | None, top: int) -> int | None:
    """The most pages a listing of `total` items in pages of `top` may take (None: unknown)."""
    if total is None:
        return None
    return max(1, math.ceil(total / top)) + SLACK_PAGES


def check_totals(job: Job, diff: Diff) -> None:
    """Refuse a change list that disagrees with its job's own totals; see the module docstring.

    Raises:
        ChangeListMismatch: naming both numbers (or the repeated objects).
    """
    listed = len(diff.changes)
    repeated = [key for key, n in Counter(c.key for c in diff.changes).items() if n > 1]
    if repeated:
        named = ", ".join(f"{t} {i}" for t, i in repeated[:MAX_NAMED])
        more = f" and {len(repeated) - MAX_NAMED} more" if len(repeated) > MAX_NAMED else ""
        raise ChangeListMismatch(
            f"getChanges of preview job {job.id} listed the same object more than once "
            f"({named}{more}); the service lists each changed object once, so this change "
            "list cannot be trusted",
            hint="run the preview again; if it persists, report it with the request ids",
        )
    expected = job.total_changed_objects
    if expected is None and listed == 0:
        raise ChangeListMismatch(
            f"getChanges of preview job {job.id} listed no changes, but the job did not say "
            "how many it calculated (totalChangedObjectsCalculated is null); not reporting "
            "'no changes' on that",
            hint="run the preview again later",
        )
    if expected is not None and listed != expected:
        raise _mismatch(job, "changed object(s)", "totalChangedObjectsCalculated", expected, listed)
    links = diff.total_links
    if job.total_changed_links is not None and links != job.total_changed_links:
        raise _mismatch(
            job, "link change(s)", "totalChangedLinksCalculated", job.total_changed_links, links
        )


def _mismatch(job: Job, what: str, field: str, expected: int, listed: int) -> ChangeListMismatch:
    return ChangeListMismatch(
        f"preview job {job.id} calculated {expected} {what} ({field}), but getChanges listed "
        f"{listed}; the change list is incomplete or inconsistent, so it is not reported",
        hint="run the preview again; if it persists, report it with the request ids",
    )

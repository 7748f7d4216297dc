"""Holding a change list to its preview job's totals: counts, links, repeats, paging bounds."""

from __future__ import annotations

from typing import Any

import pytest

from entra_recovery.diff import build_diff
from entra_recovery.errors import ChangeListMismatch
from entra_recovery.graph.models import Job
from entra_recovery.runner.totals import check_totals
from entra_recovery.runner.totals import max_pages


def _change(object_id: str, links: int = 0) -> dict[str, Any]:
    delta: dict[str, Any] = {"displayName": "new"}
    if links:
        delta["members@delta"] = [{"id": f"m{i}"} for i in range(links)]
    return {
        "entityTypeName": "group",
        "id": object_id,
        "recoveryAction": "update",
        "deltaFromCurrent": delta,
        "currentState": {"displayName": "old"},
    }


def _job(objects: int | None, links: int | None = None) -> Job:
    return Job.from_json(
        {
            "@odata.type": "#microsoft.graph.entraRecoveryServices.recoveryPreviewJob",
            "id": "job-1",
            "status": "successful",
            "totalChangedObjectsCalculated": objects,
            "totalChangedLinksCalculated": links,
        }
    )


def test_a_list_that_matches_its_totals_passes() -> None:
    """Two objects and three links, as the job said; unknown link totals are not compared."""
    diff = build_diff([_change("a", links=2), _change("b", links=1)])
    check_totals(_job(2, 3), diff)
    check_totals(_job(2, None), diff)
    check_totals(_job(0, 0), build_diff([]))


@pytest.mark.parametrize(
    ("job", "changes", "message"),
    [
        (_job(3, 0), [_change("a"), _change("b")], r"calculated 3 changed object\(s\) .* listed 2"),
        (_job(1, 0), [_change("a"), _change("b")], r"calculated 1 changed object\(s\) .* listed 2"),
        (_job(1, 5), [_change("a", links=4)], r"calculated 5 link change\(s\) .* listed 4"),
        (_job(2, 0), [_change("a"), _change("a")], r"the same object more than once \(group a\)"),
        (_job(None), [], "listed no changes, but the job did not say how many"),
    ],
)
def test_a_list_that_disagrees_is_refused(
    job: Job, changes: list[dict[str, Any]], message: str
) -> None:
    """A short, long, repeated or unvouched-for list is an error naming both numbers."""
    with pytest.raises(ChangeListMismatch, match=message) as info:
        check_totals(job, build_diff(changes))
    assert info.value.exit_code == 1


@pytest.mark.parametrize(
    ("total", "pages"), [(None, None), (0, 3), (1, 3), (999, 3), (1000, 4), (5000, 8)]
)
def test_paging_is_bounded_by_the_totals(total: int | None, pages: int | None) -> None:
    """ceil(total / 999) pages (at least one) plus two of slack; unknown totals: no bound."""
    assert max_pages(total, 999) == pages

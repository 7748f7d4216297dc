"""Merged criteria of a batch's preview job, and each plan's share of its change set.

The service's selection is taken from the bundled emulator (its own parser of the POST body and
the rule its `iter_changes` applies), so the runner's mirror of it is checked against code it
does not share.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st

from entra_recovery.constants import ODATA_TYPE_PREVIEW_JOB
from entra_recovery.diff import DiffBuilder
from entra_recovery.diff import Fingerprinter
from entra_recovery.emulator.criteria import parse_body
from entra_recovery.graph.models import FilteringCriteria
from entra_recovery.graph.models import Job
from entra_recovery.runner.changes import ChangeSet
from entra_recovery.runner.merge import covers
from entra_recovery.runner.merge import job_share
from entra_recovery.runner.merge import merge_criteria
from entra_recovery.runner.merge import share_of

SNAPSHOT = "MjAyNi0xMS0yOFQwMjozMDowMFo="
TYPES = ("user", "group", "conditionalAccessPolicy", "application")
IDS = ("a1", "a2", "b1", "b2", "c1")


def types(*names: str) -> FilteringCriteria:
    return FilteringCriteria(entity_types=names)


def objects(**ids: list[str]) -> FilteringCriteria:
    return FilteringCriteria(objects=tuple((t, tuple(v)) for t, v in ids.items()))


EVERYTHING = FilteringCriteria()


@pytest.mark.parametrize(
    ("plans", "merged"),
    [
        ([types("user")], types("user")),
        (
            [types("user", "group"), types("group", "application")],
            types("user", "group", "application"),
        ),
        ([objects(user=["a1"])], objects(user=["a1"])),
        (
            [objects(user=["a1", "a2"]), objects(group=["b1"], user=["a2", "c1"])],
            objects(user=["a1", "a2", "c1"], group=["b1"]),
        ),
        # a type asked for both by type and by ids: the whole type
        ([types("user"), objects(user=["a1"])], types("user")),
        # any by-type plan: the names filter cannot carry ids, so by-id types widen to types
        ([objects(group=["b1"]), types("user")], types("user", "group")),
        ([types("user"), EVERYTHING, objects(group=["b1"])], EVERYTHING),
        ([EVERYTHING], EVERYTHING),
    ],
)
def test_merge_criteria(plans: list[FilteringCriteria], merged: FilteringCriteria) -> None:
    """Types are united, ids united per type (first appearance, no repeats), by-id widened to
    its type when any plan asks by type, and a plan with no restriction makes it everything."""
    assert merge_criteria(plans) == merged


@pytest.mark.parametrize("bad", [[], [FilteringCriteria(unknown="[]")]])
def test_nothing_or_unknown_criteria_cannot_be_merged(bad: list[FilteringCriteria]) -> None:
    """No plan at all, or criteria of a shape we cannot read, is a programming error."""
    with pytest.raises(ValueError):
        merge_criteria(bad)


def _changes(keys: list[tuple[str, str]]) -> list[dict[str, Any]]:
    return [
        {
            "entityTypeName": entity_type,
            "id": object_id,
            "displayName": f"{entity_type} {object_id}",
            "recoveryAction": "update",
            "deltaFromCurrent": {"displayName": f"was {object_id}"},
            "currentState": {"displayName": f"is {object_id}"},
        }
        for entity_type, object_id in keys
    ]


def _service(criteria: FilteringCriteria, universe: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The changes a job with `criteria` lists, by the emulator's own parser and rule."""
    body = criteria.request_body()
    _, scope = parse_body(json.dumps(body).encode() if body else b"", ODATA_TYPE_PREVIEW_JOB, True)
    return [
        c
        for c in universe
        if c["entityTypeName"] in scope
        and (scope[c["entityTypeName"]] is None or c["id"] in (scope[c["entityTypeName"]] or ()))
    ]


def _read(criteria: FilteringCriteria, listed: list[dict[str, Any]]) -> ChangeSet:
    """What `read_changes` makes of a job's listing (diff, fingerprint, digests)."""
    builder = DiffBuilder()
    builder.add_page(listed)
    fingerprinter = Fingerprinter(SNAPSHOT, criteria.to_json())
    fingerprinter.add_page(listed)
    return ChangeSet(builder.build(), fingerprinter.hexdigest(), fingerprinter.digests())


def _keys(changes: ChangeSet) -> list[tuple[str, str]]:
    return [c.key for c in changes.diff.changes]


_TYPE = st.sampled_from(TYPES)
_ID_LISTS = st.lists(st.sampled_from(IDS), min_size=1, max_size=3, unique=True)
PLAN_CRITERIA = st.one_of(
    st.just(EVERYTHING),
    st.lists(_TYPE, min_size=1, max_size=3, unique=True).map(lambda t: types(*t)),
    st.dictionaries(_TYPE, _ID_LISTS, min_size=1, max_size=3).map(lambda d: objects(**d)),
)
UNIVERSES = st.lists(st.tuples(_TYPE, st.sampled_from(IDS)), unique=True, max_size=20).map(_changes)


@settings(max_examples=300, deadline=None)
@given(st.lists(PLAN_CRITERIA, min_size=1, max_size=5), UNIVERSES)
def test_merged_job_lists_everything_each_plan_would(
    plans: list[FilteringCriteria], universe: list[dict[str, Any]]
) -> None:
    """The merged criteria are one valid job body for the service, and that job lists a
    superset of what each plan's own job would list."""
    merged = merge_criteria(plans)
    listed = _service(merged, universe)  # also: the emulator accepts the merged body
    for plan in plans:
        assert covers(merged, plan)
        assert all(change in listed for change in _service(plan, universe))


@settings(max_examples=300, deadline=None)
@given(st.lists(PLAN_CRITERIA, min_size=1, max_size=5), UNIVERSES)
def test_each_share_equals_a_preview_of_the_plan_alone(
    plans: list[FilteringCriteria], universe: list[dict[str, Any]]
) -> None:
    """A plan's share of the merged change set is the change set of its own job: the same
    changes in the same order, summary, digests and fingerprint (under its own criteria)."""
    merged = merge_criteria(plans)
    whole = _read(merged, _service(merged, universe))
    for plan in plans:
        share = share_of(whole, SNAPSHOT, merged, plan)
        alone = _read(plan, _service(plan, universe))
        assert _keys(share) == _keys(alone)
        assert share.diff.counts == alone.diff.counts
        assert share.diff.total_links == alone.diff.total_links
        assert dict(share.digests) == dict(alone.digests)
        assert share.fingerprint == alone.fingerprint


def test_a_share_reuses_the_merged_records() -> None:
    """Shares are filtered views: they hold the merged set's change records, not copies, and
    equal criteria get the merged set itself."""
    universe = _changes([("user", "a1"), ("group", "b1")])
    merged = types("user", "group")
    whole = _read(merged, universe)
    share = share_of(whole, SNAPSHOT, merged, types("group"))
    assert [id(c) for c in share.diff.changes] == [
        id(c) for c in whole.diff.changes if c.entity_type == "group"
    ]
    assert share_of(whole, SNAPSHOT, merged, types("user", "group")) is whole


def test_a_job_that_does_not_cover_the_plan_gives_no_share() -> None:
    """A share cut from a job that may miss some of the plan's changes would be wrong."""
    whole = _read(types("user"), _changes([("user", "a1")]))
    with pytest.raises(ValueError, match="does not cover"):
        share_of(whole, SNAPSHOT, types("user"), types("user", "group"))
    assert not covers(objects(user=["a1"]), types("user"))
    assert not covers(types("user"), EVERYTHING)


@pytest.mark.parametrize(("said", "shown"), [((3, 2), (1, 0)), ((None, None), (None, None))])
def test_the_job_as_a_plan_sees_it(
    said: tuple[int | None, int | None], shown: tuple[int | None, int | None]
) -> None:
    """A share's job keeps the shared job's id and status, with the plan's criteria and the
    totals of its share (unknown stays unknown)."""
    job = Job.from_json(
        {
            "id": "j1",
            "status": "successful",
            "totalChangedObjectsCalculated": said[0],
            "totalChangedLinksCalculated": said[1],
            "filteringCriteria": types("user", "group").to_json(),
        }
    )
    whole = _read(types("user", "group"), _changes([("user", "a1"), ("group", "b1")]))
    share = share_of(whole, SNAPSHOT, types("user", "group"), types("user"))
    seen = job_share(job, whole, share, types("user"))
    assert (seen.id, seen.status_text, seen.criteria) == ("j1", "successful", types("user"))
    assert (seen.total_changed_objects, seen.total_changed_links) == shown
    assert job_share(job, whole, whole, types("user", "group")) is job

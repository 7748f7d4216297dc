"""The cmdlets' parameters as our types: list queries and job scopes."""

from __future__ import annotations

from typing import Any

import pytest

from entra_recovery.errors import UsageError
from entra_recovery.graph.models import FilteringCriteria
from entra_recovery.graph.paging import ListQuery
from entra_recovery.graph.parameters import build_query
from entra_recovery.graph.parameters import criteria_from


@pytest.mark.parametrize(
    ("types", "objects", "expected"),
    [
        ((), (), FilteringCriteria()),
        (("user", "group", "user"), (), FilteringCriteria(entity_types=("user", "group"))),
        (
            (),
            ("user:u1", "group:g1", "user:u2", "user:u1"),
            FilteringCriteria(objects=(("user", ("u1", "u2")), ("group", ("g1",)))),
        ),
    ],
)
def test_criteria_from(types: tuple[str, ...], objects: tuple[str, ...], expected: Any) -> None:
    """Types are de-duplicated; objects are grouped per type, each type once."""
    assert criteria_from(types, objects) == expected


@pytest.mark.parametrize(
    ("types", "objects"),
    [
        (("user",), ("user:u1",)),
        (("usr",), ()),
        ((), ("u1",)),
        ((), ("nope:u1",)),
        ((), ("user:",)),
    ],
)
def test_criteria_from_rejects_bad_scopes(types: tuple[str, ...], objects: tuple[str, ...]) -> None:
    """Mixed scopes, unknown types and malformed objects are usage errors."""
    with pytest.raises(UsageError):
        criteria_from(types, objects)


def test_top_outside_graph_limits_is_a_usage_error() -> None:
    """$top must be 1..999."""
    with pytest.raises(UsageError):
        build_query(top=0)


def test_build_query_maps_cmdlet_names() -> None:
    """-Filter -Property -Sort -Top -PageSize -All -CountVariable, in Python spelling."""
    query = build_query(
        filter="f", select=["a", "b"], orderby=["c desc"], top=5, page_size=2, all=False, count=True
    )
    assert query == ListQuery(
        filter="f",
        select=("a", "b"),
        orderby=("c desc",),
        top=5,
        page_size=2,
        count=True,
        all_pages=False,
    )

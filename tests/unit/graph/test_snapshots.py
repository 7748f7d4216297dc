"""graph.snapshots: one selection for plans (runner.resolve) and the parity commands."""

from __future__ import annotations

import asyncio
from datetime import UTC
from datetime import datetime

import pytest

from entra_recovery.errors import SnapshotNotFoundError
from entra_recovery.errors import UsageError
from entra_recovery.graph.models import Snapshot
from entra_recovery.graph.settings import GraphSettings
from entra_recovery.graph.snapshots import is_selector
from entra_recovery.graph.snapshots import resolve_snapshot_async
from entra_recovery.graph.snapshots import select_snapshot

SNAPSHOTS = [
    Snapshot("a", datetime(2026, 11, 26, 2, 30, tzinfo=UTC), None),
    Snapshot("c", datetime(2026, 11, 28, 2, 30, tzinfo=UTC), None),
    Snapshot("b", datetime(2026, 11, 27, 2, 30, tzinfo=UTC), None),
]


@pytest.mark.parametrize(
    ("kwargs", "expected"),
    [
        ({}, "c"),
        ({"snapshot_id": "a"}, "a"),
        ({"before": datetime(2026, 11, 27, 2, 30, tzinfo=UTC)}, "b"),
        ({"before": datetime(2026, 11, 27, 23, 0)}, "b"),  # naive: UTC
    ],
)
def test_select(kwargs: dict[str, object], expected: str) -> None:
    """Newest by default; an id as named; `before` is inclusive."""
    assert select_snapshot(SNAPSHOTS, **kwargs).id == expected  # type: ignore[arg-type]


def test_nothing_before_lists_what_exists() -> None:
    """A DATE before every snapshot names the available ones, newest first."""
    with pytest.raises(SnapshotNotFoundError) as info:
        select_snapshot(SNAPSHOTS, before=datetime(2020, 1, 1, tzinfo=UTC))
    assert info.value.hint is not None and info.value.hint.index("c (") < info.value.hint.index(
        "a ("
    )


@pytest.mark.parametrize(
    ("value", "expected"), [("latest", True), (" LATEST", True), ("MjA=", False)]
)
def test_is_selector(value: str, expected: bool) -> None:
    """Only the word `latest` (any case) is a selector; anything else is an id."""
    assert is_selector(value) is expected


def test_an_id_needs_no_request_and_refuses_before() -> None:
    """An id resolves to itself without Graph; with `before` it is a usage error."""
    settings = GraphSettings(graph_url="http://127.0.0.1:9")
    assert asyncio.run(resolve_snapshot_async(settings, "MjA=")).id == "MjA="
    before = datetime(2026, 1, 1, tzinfo=UTC)
    with pytest.raises(UsageError):
        asyncio.run(resolve_snapshot_async(settings, "MjA=", before=before))

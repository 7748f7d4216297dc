"""
Snapshot selection: an id, `latest`, or the newest snapshot created at or before an instant.

Step in the flow: plans (through `runner.resolve`) and the PowerShell-parity commands both turn
a selector into one snapshot of the list Graph returned. `select_snapshot` is pure; a missing
snapshot is a `SnapshotNotFoundError` that lists the ones that exist. `resolve_snapshot_async`
lists the snapshots and selects one, for callers that hold only a selector.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC
from datetime import datetime
from typing import TYPE_CHECKING
from typing import Final

from entra_recovery.errors import SnapshotNotFoundError
from entra_recovery.errors import UsageError
from entra_recovery.graph.client import GraphClient
from entra_recovery.graph.models import Snapshot
from entra_recovery.graph.resources import SNAPSHOTS
from entra_recovery.timestamps import iso_z

if TYPE_CHECKING:
    from entra_recovery.graph.settings import GraphSettings

# The word that selects the newest snapshot (or, with `before`, the newest up to that instant).
LATEST: Final = "latest"


def _created(snapshot: Snapshot) -> datetime:
    return snapshot.created or datetime.min.replace(tzinfo=UTC)


def _stamp(moment: datetime | None) -> str:
    return "unknown time" if moment is None else iso_z(moment)


def available_hint(snapshots: Sequence[Snapshot]) -> str:
    """`available snapshots: <id> (<created>), ...`, newest first."""
    if not snapshots:
        return "the tenant has no snapshots yet (they are taken daily)"
    newest_first = sorted(snapshots, key=_created, reverse=True)
    return "available snapshots: " + ", ".join(
        f"{s.id} ({_stamp(s.created)})" for s in newest_first
    )


def select_snapshot(
    snapshots: Sequence[Snapshot],
    *,
    snapshot_id: str | None = None,
    before: datetime | None = None,
) -> Snapshot:
    """The snapshot with this id; else the newest created at or before `before`; else the newest.

    A `before` without a zone counts as UTC.
    """
    if not snapshots:
        raise SnapshotNotFoundError(
            "the tenant has no snapshots", available=(), hint=available_hint(snapshots)
        )
    if snapshot_id is not None:
        for snapshot in snapshots:
            if snapshot.id == snapshot_id:
                return snapshot
        raise SnapshotNotFoundError(
            f"snapshot {snapshot_id} does not exist or has expired",
            available=[s.id for s in snapshots],
            hint=available_hint(snapshots),
        )
    if before is not None:
        if before.tzinfo is None:
            before = before.replace(tzinfo=UTC)
        eligible = [s for s in snapshots if s.created is not None and s.created <= before]
        if not eligible:
            raise SnapshotNotFoundError(
                f"no snapshot was created at or before {_stamp(before)}",
                available=[s.id for s in snapshots],
                hint=available_hint(snapshots),
            )
        return max(eligible, key=_created)
    return max(snapshots, key=_created)


def is_selector(value: str) -> bool:
    """Whether a snapshot argument is the word `latest` (any case) rather than an id."""
    return value.strip().lower() == LATEST


async def resolve_snapshot_async(
    target: GraphSettings | GraphClient, value: str = LATEST, *, before: datetime | None = None
) -> Snapshot:
    """The snapshot `value` names: an id as is, or `latest` (with `before`: newest up to then).

    An id is returned without a request (the call that uses it reports a missing one); `before`
    goes only with `latest`.
    """
    if not is_selector(value):
        if before is not None:
            raise UsageError(
                f"--before selects among snapshots; it goes with 'latest', not with id {value}"
            )
        return Snapshot(id=value, created=None, total_changed_objects=None)
    if isinstance(target, GraphClient):
        snapshots = [Snapshot.from_json(s) async for s in target.listing(SNAPSHOTS)]
    else:
        async with GraphClient(target) as client:
            snapshots = [Snapshot.from_json(s) async for s in client.listing(SNAPSHOTS)]
    return select_snapshot(snapshots, before=before)

"""
Instants as text: the one ISO 8601 form every journal, audit record, report and message uses.

UTC with a `Z` suffix (`2026-11-27T02:30:00Z`); a naive datetime is taken as UTC, as Graph's
own timestamps are.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC
from datetime import datetime
from typing import Any

Clock = Callable[[], datetime]
"""Where "now" comes from (injected, so tests run on a fixed clock)."""


def utc_now() -> datetime:
    """The current instant, timezone-aware UTC."""
    return datetime.now(UTC)


def iso_z(moment: datetime) -> str:
    """`moment` as ISO 8601 in UTC with a `Z` suffix."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def parse_iso(value: Any) -> datetime | None:
    """The inverse of `iso_z` (any offset accepted, naive read as UTC); None if unparsable."""
    if not isinstance(value, str) or not value:
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)

"""timestamps: one ISO 8601 form (UTC, `Z`) out, any offset in, naive read as UTC."""

from __future__ import annotations

from datetime import UTC
from datetime import datetime
from datetime import timedelta
from datetime import timezone
from typing import Any

import pytest
from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st

from entra_recovery.timestamps import iso_z
from entra_recovery.timestamps import parse_iso
from entra_recovery.timestamps import utc_now

OFFSETS = st.builds(
    timezone,
    st.timedeltas(
        min_value=timedelta(hours=-23, minutes=-59), max_value=timedelta(hours=23, minutes=59)
    ),
)
MOMENTS = st.datetimes(
    min_value=datetime(1900, 1, 2), max_value=datetime(2199, 12, 30), timezones=OFFSETS
)


@pytest.mark.parametrize(
    "moment,text",
    [
        (datetime(2026, 11, 27, 2, 30, tzinfo=UTC), "2026-11-27T02:30:00Z"),
        (
            datetime(2026, 11, 27, 3, 30, tzinfo=timezone(timedelta(hours=1))),
            "2026-11-27T02:30:00Z",
        ),
        (datetime(2026, 11, 27, 2, 30), "2026-11-27T02:30:00Z"),  # naive: taken as UTC
        (datetime(2026, 11, 27, 2, 30, 0, 500000, tzinfo=UTC), "2026-11-27T02:30:00.500000Z"),
        (
            datetime(2026, 11, 26, 21, 0, tzinfo=timezone(timedelta(hours=-5, minutes=-30))),
            "2026-11-27T02:30:00Z",
        ),
    ],
)
def test_iso_z(moment: datetime, text: str) -> None:
    """Every instant is written in UTC with a `Z`, microseconds only when there are some."""
    assert iso_z(moment) == text


@pytest.mark.parametrize(
    "text,moment",
    [
        ("2026-11-27T02:30:00Z", datetime(2026, 11, 27, 2, 30, tzinfo=UTC)),
        ("2026-11-27T02:30:00", datetime(2026, 11, 27, 2, 30, tzinfo=UTC)),  # Graph without zone
        ("2026-11-27T03:30:00+01:00", datetime(2026, 11, 27, 2, 30, tzinfo=UTC)),
        ("2026-11-27T02:30:00.123456Z", datetime(2026, 11, 27, 2, 30, 0, 123456, tzinfo=UTC)),
        ("2026-11-27", datetime(2026, 11, 27, tzinfo=UTC)),
    ],
)
def test_parse_iso(text: str, moment: datetime) -> None:
    """Offsets are kept as the same instant; a naive time is read as UTC."""
    parsed = parse_iso(text)
    assert parsed == moment
    assert parsed is not None and parsed.utcoffset() is not None


def test_parse_iso_keeps_the_offset_it_was_given() -> None:
    """An offset in the text stays on the value (only the instant is compared elsewhere)."""
    parsed = parse_iso("2026-11-27T03:30:00+01:00")
    assert parsed is not None and parsed.utcoffset() == timedelta(hours=1)


@pytest.mark.parametrize("value", [None, "", "yesterday", "2026-13-01T00:00:00Z", 1764210600, b"x"])
def test_parse_iso_returns_none_for_what_is_not_a_timestamp(value: Any) -> None:
    """Anything but an ISO 8601 string is None, never an exception."""
    assert parse_iso(value) is None


@settings(max_examples=200, deadline=None, database=None)
@given(moment=MOMENTS)
def test_round_trip(moment: datetime) -> None:
    """parse_iso(iso_z(m)) is the same instant as m, in UTC, for any offset."""
    text = iso_z(moment)
    assert text.endswith("Z") and "+" not in text
    parsed = parse_iso(text)
    assert parsed == moment
    assert parsed is not None and parsed.utcoffset() == timedelta(0)


def test_utc_now_is_aware_utc() -> None:
    """`utc_now` is timezone-aware UTC (so iso_z never guesses)."""
    now = utc_now()
    assert now.utcoffset() == timedelta(0)
    assert abs(now - datetime.now(UTC)) < timedelta(minutes=1)

"""Shared option decorators and helpers for click commands."""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from typing import Any
from typing import TypeVar

import click

from entra_recovery.cli.context import AppContext
from entra_recovery.constants import MIN_POLL_INTERVAL

F = TypeVar("F", bound=Callable[..., Any])

OUTPUT_FORMATS = ("table", "json", "jsonl")

output_format_option = click.option(
    "-o",
    "--output-format",
    type=click.Choice(OUTPUT_FORMATS),
    default="table",
    show_default=True,
    help="table for people; json/jsonl keep Graph's camelCase names for jq or ConvertFrom-Json.",
)

yes_option = click.option(
    "--yes", "-y", is_flag=True, help="Do not ask for confirmation (unattended runs)."
)


def app_context() -> AppContext:
    """The AppContext of the running command."""
    return click.get_current_context().find_object(AppContext) or AppContext()


_DURATION_HELP = "use a positive amount such as 30s, 15m, 2h or 1h30m (a plain number is seconds)"
_DURATION_PART = re.compile(r"([0-9]+(?:\.[0-9]*)?|\.[0-9]+)([smhd])")
_DURATION_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def _positive_finite(seconds: float) -> bool:
    """True for a real, finite duration longer than zero (NaN fails every comparison)."""
    return math.isfinite(seconds) and seconds > 0


class Duration(click.ParamType[float]):
    """A duration like `90s`, `30m`, `2h`, `1h30m` or plain seconds; returns seconds.

    Zero, negative, NaN and infinite amounts are usage errors: a wait of `nan` would never end.
    """

    name = "DURATION"

    def convert(
        self, value: Any, param: click.Parameter | None, ctx: click.Context | None
    ) -> float:
        seconds = self._seconds(value)
        if seconds is None or not _positive_finite(seconds):
            self.fail(f"{value!r} is not a duration: {_DURATION_HELP}", param, ctx)
        return seconds

    @staticmethod
    def _seconds(value: Any) -> float | None:
        """The amount `value` spells, or None when it is not a duration's spelling."""
        if isinstance(value, int | float):
            return float(value)
        text = str(value).strip().lower()
        try:
            return float(text)
        except ValueError:
            pass
        parts = _DURATION_PART.findall(text)
        if not parts or "".join(number + unit for number, unit in parts) != text:
            return None
        return sum(float(number) * _DURATION_UNITS[unit] for number, unit in parts)


DURATION = Duration()


class Seconds(click.ParamType[float]):
    """A plain number of seconds, at least `minimum` and finite (for `--poll-interval`)."""

    name = "SECONDS"

    def __init__(self, minimum: float) -> None:
        self.minimum = minimum

    def convert(
        self, value: Any, param: click.Parameter | None, ctx: click.Context | None
    ) -> float:
        try:
            seconds = float(value)
        except (TypeError, ValueError):
            seconds = math.nan
        if not (math.isfinite(seconds) and seconds >= self.minimum):
            self.fail(
                f"{value!r} is not a number of seconds of at least {self.minimum:g} (e.g. 0.5, 30)",
                param,
                ctx,
            )
        return seconds


SECONDS = Seconds(minimum=MIN_POLL_INTERVAL)

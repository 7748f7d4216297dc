"""Shared option decorators and helpers for click commands."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from typing import TypeVar

import click

from entra_recovery.cli.context import AppContext

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


class Duration(click.ParamType[float]):
    """A duration like `90s`, `30m`, `2h`, `1h30m` or plain seconds; returns seconds."""

    name = "DURATION"
    _UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}

    def convert(
        self, value: Any, param: click.Parameter | None, ctx: click.Context | None
    ) -> float:
        if isinstance(value, int | float):
            return float(value)
        text = str(value).strip().lower()
        try:
            return float(text)
        except ValueError:
            pass
        total = 0.0
        number = ""
        for char in text:
            if char.isdigit() or char == ".":
                number += char
            elif char in self._UNITS and number:
                total += float(number) * self._UNITS[char]
                number = ""
            else:
                self.fail(
                    f"{value!r} is not a duration (examples: 90s, 30m, 2h, 1h30m)", param, ctx
                )
        if number or total <= 0:
            self.fail(f"{value!r} is not a duration (examples: 90s, 30m, 2h, 1h30m)", param, ctx)
        return total


DURATION = Duration()

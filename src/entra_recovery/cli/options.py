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

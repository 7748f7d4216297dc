"""`entra-recovery plan` commands."""

from __future__ import annotations

import click


@click.group()
def plan() -> None:
    """(commands arrive with their issue)"""

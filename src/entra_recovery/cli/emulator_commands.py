"""`entra-recovery emulator` commands."""

from __future__ import annotations

import click


@click.group()
def emulator() -> None:
    """(commands arrive with their issue)"""

"""`entra-recovery run` commands."""

from __future__ import annotations

import click


@click.group()
def run() -> None:
    """(commands arrive with their issue)"""

"""PowerShell-parity commands: snapshot, job, preview-job, recovery-job."""

from __future__ import annotations

import click

GRAPH_GROUPS: list[click.Group] = []

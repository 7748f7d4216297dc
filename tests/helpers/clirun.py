"""Run `entra-recovery` in-process through `main()` (so exit codes are ours, 64 included)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from click.testing import CliRunner

from entra_recovery.cli.main import main


@dataclass(frozen=True)
class CliResult:
    code: int
    stdout: str
    stderr: str


def run_cli(
    args: list[str], env: Mapping[str, str] | None = None, input: str | None = None
) -> CliResult:
    """Invoke the CLI with COLUMNS=80 and the given environment; capture both streams."""
    runner = CliRunner()
    full_env = {"COLUMNS": "80", **(env or {})}
    with runner.isolation(input=input, env=full_env) as (out, err, _):
        code = main(args)
    return CliResult(code, out.getvalue().decode(), err.getvalue().decode())

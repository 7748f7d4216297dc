"""
`error_handler`: one place that turns exceptions into a message on stderr and an exit code.

Expected failures (`RecoveryError`) print `Error: <message>` and an optional hint, no traceback.
A bug prints "An unexpected error has occurred" and points at `--traceback`. Nothing printed here
contains a token: messages are built from fields that never hold one, and the text is passed
through `redact()` as a last line of defence.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any
from typing import TypeVar

import click

from entra_recovery.cli.context import AppContext
from entra_recovery.constants import ExitCode
from entra_recovery.errors import NotFoundError
from entra_recovery.errors import RecoveryError
from entra_recovery.errors import SnapshotNotFoundError
from entra_recovery.redaction import redact

F = TypeVar("F", bound=Callable[..., Any])


def _echo_error(message: str) -> None:
    click.echo(redact(message), err=True)


EMULATOR_FORGETS = (
    "a bare --emulator starts a fresh demo tenant for each command, so jobs of an earlier "
    "command are gone; keep them with `--emulator --emulator-state FILE` on every command, or run "
    "`entra-recovery emulator serve` in another terminal"
)


def _emulator_hint(ctx: click.Context, exc: RecoveryError) -> str | None:
    """An unknown job under a bare `--emulator`: it was made in another command's tenant."""
    app = ctx.find_object(AppContext)
    if (
        isinstance(exc, NotFoundError)
        and not isinstance(exc, SnapshotNotFoundError)
        and app is not None
        and app.emulator
        and not app.emulator_state
    ):
        return EMULATOR_FORGETS
    return None


def error_handler(func: F) -> F:
    """Wrap a command: map exceptions to messages and exit codes."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        ctx = click.get_current_context()
        show_traceback = bool(ctx.find_root().params.get("traceback"))
        try:
            result = func(*args, **kwargs)
        except RecoveryError as exc:
            if show_traceback:
                raise
            _echo_error(f"Error: {exc}")
            hint = exc.hint or _emulator_hint(ctx, exc)
            if hint:
                _echo_error(f"  hint: {hint}")
            ctx.exit(int(exc.exit_code))
        except KeyboardInterrupt:
            _echo_error("Interrupted.")
            ctx.exit(int(ExitCode.INTERRUPTED))
        except (click.exceptions.Exit, click.exceptions.Abort, click.ClickException):
            raise
        except Exception as exc:
            if show_traceback:
                raise
            _echo_error(f"An unexpected error has occurred: {type(exc).__name__}: {exc}")
            _echo_error("  Rerun with --traceback for details, and report it if it persists.")
            ctx.exit(int(ExitCode.ERROR))
        if isinstance(result, int):
            ctx.exit(result)
        return result

    return wrapper  # type: ignore[return-value]

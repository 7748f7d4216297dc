"""
`error_handler`: one place that turns exceptions into a message on stderr and an exit code.

Expected failures (`RecoveryError`) print `Error: <message>` and an optional hint, no traceback.
A bug prints "An unexpected error has occurred" and points at `--traceback`. Nothing printed here
contains a token: messages are built from fields that never hold one, and the text is passed
through `redact()` as a last line of defence.
"""

from __future__ import annotations

import functools
import re
import sys
from collections.abc import Callable
from typing import Any
from typing import TypeVar

import click

from entra_recovery.constants import ExitCode
from entra_recovery.errors import RecoveryError

F = TypeVar("F", bound=Callable[..., Any])

# Bearer tokens, JWT-shaped strings and client secrets in key=value form.
_SECRET_PATTERNS = (
    re.compile(r"(?i)(bearer\s+)[A-Za-z0-9\-._~+/]+=*"),
    re.compile(r"eyJ[A-Za-z0-9_\-]+\.[A-Za-z0-9_\-]+\.[A-Za-z0-9_\-]*"),
    re.compile(r"(?i)((?:client_secret|access_token|password|secret)\s*[=:]\s*)[^\s&\"']+"),
)


def redact(text: str) -> str:
    """Remove anything that looks like a token or secret from text meant for humans."""
    for pattern in _SECRET_PATTERNS:
        if pattern.groups:
            text = pattern.sub(lambda m: m.group(1) + "[redacted]", text)
        else:
            text = pattern.sub("[redacted]", text)
    return text


def _echo_error(message: str) -> None:
    click.echo(redact(message), err=True)


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
            if exc.hint:
                _echo_error(f"  hint: {exc.hint}")
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


def stderr_is_tty() -> bool:
    return sys.stderr.isatty()

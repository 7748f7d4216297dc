"""
What reaches stderr through Python logging: the sign-in notices, and library logs on demand.

The sign-in notices (`entra_recovery.signin`: the device code to enter, where a sign-in was
stored, an unencrypted cache) are always shown, but for `--quiet`, which keeps the warnings.
azure-identity's and MSAL's own log lines ("...get_token failed: ...") are silenced unless
`--verbose` asks for them. Every line goes through `redact` on its way out.
"""

from __future__ import annotations

import logging

import click

from entra_recovery.cli.progress import paused_displays
from entra_recovery.redaction import redact

LIBRARY_LOGGERS = ("azure", "msal", "msal_extensions", "kiota_http", "httpx")


class _ClickHandler(logging.Handler):
    def emit(self, record: logging.LogRecord) -> None:
        try:
            with paused_displays():  # a device code is never drawn over by a spinner
                click.echo(redact(self.format(record)), err=True)
        except Exception:  # pragma: no cover - logging must never break a command
            self.handleError(record)


def configure_logging(*, verbose: bool, quiet: bool) -> None:
    """Route the notices to stderr; library logs only with `verbose`."""
    notices = logging.getLogger("entra_recovery.signin")
    notices.handlers = [_ClickHandler()]
    notices.setLevel(logging.WARNING if quiet else logging.INFO)
    notices.propagate = False
    for name in LIBRARY_LOGGERS:
        library = logging.getLogger(name)
        if verbose:
            handler = _ClickHandler()
            handler.setFormatter(logging.Formatter("%(name)s: %(levelname)s: %(message)s"))
            library.handlers = [handler]
            library.setLevel(logging.INFO)
        else:
            library.handlers = [logging.NullHandler()]
            library.setLevel(logging.CRITICAL + 1)
        library.propagate = False

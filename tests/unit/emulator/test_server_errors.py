"""The in-process emulator never prints a traceback on the CLI's terminal (Ctrl-C mid-request)."""

from __future__ import annotations

from http.server import BaseHTTPRequestHandler

import pytest

from entra_recovery.emulator.server import _QuietServer


def _fail_inside_handler(server: _QuietServer, exc: BaseException) -> None:
    try:
        raise exc
    except BaseException:
        server.handle_error(None, ("127.0.0.1", 50000))


@pytest.mark.parametrize(
    "exc",
    [
        ConnectionResetError(104, "Connection reset by peer"),
        BrokenPipeError(32, "Broken pipe"),
        TimeoutError("timed out"),
        KeyboardInterrupt(),
    ],
    ids=lambda e: type(e).__name__,
)
def test_a_client_that_went_away_is_silent(
    exc: BaseException, capsys: pytest.CaptureFixture[str]
) -> None:
    """A client interrupted mid-request (the CLI's Ctrl-C) leaves nothing on stderr; the
    standard library's server printed a whole traceback there."""
    server = _QuietServer(("127.0.0.1", 0), BaseHTTPRequestHandler)
    try:
        _fail_inside_handler(server, exc)
    finally:
        server.server_close()
    assert capsys.readouterr().err == ""


def test_any_other_failure_is_one_line(capsys: pytest.CaptureFixture[str]) -> None:
    """A real failure in the emulator still shows, as one line naming it, never a traceback."""
    server = _QuietServer(("127.0.0.1", 0), BaseHTTPRequestHandler)
    try:
        _fail_inside_handler(server, ValueError("bad state"))
    finally:
        server.server_close()
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert "ValueError: bad state" in err
    assert "Traceback" not in err

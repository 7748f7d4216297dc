"""Redaction: secrets by shape, and registered secrets by value whatever their shape."""

from __future__ import annotations

import pytest

from entra_recovery.redaction import REDACTED
from entra_recovery.redaction import redact
from entra_recovery.redaction import redact_known
from entra_recovery.redaction import remember_secret


@pytest.mark.parametrize(
    ("text", "kept"),
    [
        ("Authorization: Bearer abc.def-ghi", "Authorization: Bearer "),
        ("token eyJhbGciOi.eyJzdWIiOi.c2lnbmF0dXJl here", "token "),
        ("client_secret=s3cr3t&x=1", "client_secret="),
    ],
)
def test_secrets_are_redacted_by_shape(text: str, kept: str) -> None:
    """Bearer values, JWTs and secret assignments are replaced, the text around them kept."""
    out = redact(text)
    assert kept in out
    assert REDACTED in out
    assert "s3cr3t" not in out
    assert "c2lnbmF0dXJl" not in out


def test_a_registered_opaque_token_is_redacted_verbatim() -> None:
    """An opaque token (no JWT shape, no `Bearer` before it) echoed by a server is removed once
    the process has registered it."""
    token = "opaque-7Hq2Zr9Lw3Xk5Vn8Pt4Ys6Ud1Fa0Gb"
    text = f"the service said: invalid credential {token} (request abc)"
    assert token in redact(text)  # unknown: nothing in its shape gives it away
    remember_secret(token)
    assert redact(text) == f"the service said: invalid credential {REDACTED} (request abc)"


def test_a_secret_inside_another_is_removed_whole() -> None:
    """Longer secrets go first, so no fragment of one survives another's replacement."""
    remember_secret("inner-secret-123")
    remember_secret("outer-inner-secret-123-tail")
    assert redact("x outer-inner-secret-123-tail y") == f"x {REDACTED} y"


@pytest.mark.parametrize("value", [None, "", "short"])
def test_short_values_are_not_registered(value: str | None) -> None:
    """Empty or very short values would shred ordinary words, so they are ignored."""
    remember_secret(value)
    assert redact("a short sentence") == "a short sentence"


def test_redact_known_leaves_secret_shaped_data_alone() -> None:
    """Data output (reports, Graph JSON) loses registered secrets only: a value that merely
    looks like a JWT or a `password=` assignment is the tenant's data and stays."""
    remember_secret("registered-secret-value-42")
    data = "eyJhbGciOi.eyJzdWIiOi.c2ln password=hunter2 registered-secret-value-42"
    assert redact_known(data) == f"eyJhbGciOi.eyJzdWIiOi.c2ln password=hunter2 {REDACTED}"

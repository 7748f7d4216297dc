"""
`redact`: the last line of defence that keeps tokens and secrets out of text meant for humans.

Used by `graph/` for messages built from Graph's answers and by `cli/` for everything it prints
or writes. Messages are built from fields that never hold a token; this catches the rest, in two
ways:
- by shape: bearer tokens, JWT-shaped strings and `secret=...` assignments;
- by value: every secret this process has handled (the access token from the environment, each
  token a credential returned, client secrets) is registered with `remember_secret` and replaced
  verbatim wherever it appears, whatever its shape (an opaque token echoed by a server too).

The registry is process-wide and only grows: forgetting a secret could only weaken redaction.
"""

from __future__ import annotations

import re
import threading

# Bearer tokens, JWT-shaped strings and client secrets in key=value form.
_SECRET_PATTERNS = (
    re.compile(r"(?i)(bearer\s+)[A-Za-z0-9\-._~+/]+=*"),
    re.compile(r"eyJ[A-Za-z0-9_\-]+\.[A-Za-z0-9_\-]+\.[A-Za-z0-9_\-]*"),
    re.compile(r"(?i)((?:client_secret|access_token|password|secret)\s*[=:]\s*)[^\s&\"']+"),
)
REDACTED = "[redacted]"
# Shorter values are not registered: replacing a 4-character "secret" would shred normal text.
MIN_SECRET_CHARS = 8

# Longest first, so a secret that contains another is removed whole; sorted once, when added.
_known: tuple[str, ...] = ()
_lock = threading.Lock()


def remember_secret(value: str | None) -> None:
    """Redact `value` verbatim from now on (tokens, client secrets, certificate passwords)."""
    global _known
    if not value or len(value) < MIN_SECRET_CHARS:
        return
    with _lock:
        if value not in _known:
            _known = tuple(sorted((*_known, value), key=len, reverse=True))


def redact_known(text: str) -> str:
    """Remove every registered secret, verbatim, and nothing else.

    For output that is data rather than messages (reports, Graph JSON as sent), where a value
    merely shaped like a secret must stay as it is.
    """
    for secret in _known:
        if secret in text:
            text = text.replace(secret, REDACTED)
    return text


def redact(text: str) -> str:
    """Remove every registered secret, and anything shaped like a bearer token, JWT or secret
    assignment (for messages: errors, hints, journal and audit text)."""
    text = redact_known(text)
    for pattern in _SECRET_PATTERNS:
        if pattern.groups:
            text = pattern.sub(lambda m: m.group(1) + REDACTED, text)
        else:
            text = pattern.sub(REDACTED, text)
    return text

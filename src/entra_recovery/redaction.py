"""
`redact`: the last line of defence that keeps tokens and secrets out of text meant for humans.

Used by `graph/` for messages built from Graph's answers and by `cli/` for everything it prints
on stderr. Messages are built from fields that never hold a token; this catches the rest.
"""

from __future__ import annotations

import re

# Bearer tokens, JWT-shaped strings and client secrets in key=value form.
_SECRET_PATTERNS = (
    re.compile(r"(?i)(bearer\s+)[A-Za-z0-9\-._~+/]+=*"),
    re.compile(r"eyJ[A-Za-z0-9_\-]+\.[A-Za-z0-9_\-]+\.[A-Za-z0-9_\-]*"),
    re.compile(r"(?i)((?:client_secret|access_token|password|secret)\s*[=:]\s*)[^\s&\"']+"),
)


def redact(text: str) -> str:
    """Remove anything shaped like a bearer token, JWT or secret assignment."""
    for pattern in _SECRET_PATTERNS:
        if pattern.groups:
            text = pattern.sub(lambda m: m.group(1) + "[redacted]", text)
        else:
            text = pattern.sub("[redacted]", text)
    return text

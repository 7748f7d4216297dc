"""
Tokens obtained elsewhere, and what a token says: the static-token credentials behind
`ENTRA_RECOVERY_ACCESS_TOKEN` (and `--emulator`), and the claims of a JWT read WITHOUT verifying
it (`decode_claims`, `identity_from_claims`), which is how the tool says who is signed in.
azure.core is imported inside functions only.
"""

from __future__ import annotations

import base64
import binascii
import json
import time
from typing import TYPE_CHECKING
from typing import Any

from entra_recovery.errors import GraphAuthError
from entra_recovery.graph.models import Identity
from entra_recovery.redaction import remember_secret

if TYPE_CHECKING:
    from azure.core.credentials import AccessToken
    from azure.core.credentials import AccessTokenInfo


class StaticTokenCredential:
    """An azure.core `TokenCredential` that returns a token obtained elsewhere, as is.

    Accepts any scopes (the token already carries its own). The token is kept out of `repr()`.
    """

    def __init__(self, token: str) -> None:
        if not token or any(c.isspace() for c in token.strip()):
            raise GraphAuthError("the access token is empty or contains spaces")
        self._token = token.strip()
        remember_secret(self._token)  # redacted verbatim from every message from now on
        exp = decode_claims(self._token).get("exp")
        self._expires_on = int(exp) if isinstance(exp, int | float) else int(time.time()) + 3600

    def __repr__(self) -> str:
        return "StaticTokenCredential(token=<redacted>)"

    @property
    def claims(self) -> dict[str, Any]:
        """The token's claims, unverified ({} for an opaque token)."""
        return decode_claims(self._token)

    @property
    def expires_on(self) -> int:
        return self._expires_on

    def get_token(self, *scopes: str, **kwargs: Any) -> AccessToken:
        from azure.core.credentials import AccessToken

        return AccessToken(self._token, self._expires_on)

    def get_token_info(self, *scopes: str, options: Any = None) -> AccessTokenInfo:
        from azure.core.credentials import AccessTokenInfo

        return AccessTokenInfo(self._token, self._expires_on)

    def close(self) -> None:
        return None


class AsyncStaticTokenCredential(StaticTokenCredential):
    """The same, as an azure.core `AsyncTokenCredential` (for asyncio callers)."""

    async def get_token(self, *scopes: str, **kwargs: Any) -> AccessToken:  # type: ignore[override]
        return StaticTokenCredential.get_token(self, *scopes, **kwargs)

    async def get_token_info(self, *scopes: str, options: Any = None) -> AccessTokenInfo:  # type: ignore[override]
        return StaticTokenCredential.get_token_info(self, *scopes, options=options)

    async def close(self) -> None:  # type: ignore[override]
        return None

    async def __aenter__(self) -> AsyncStaticTokenCredential:
        return self

    async def __aexit__(self, *exc: object) -> None:
        return None


def decode_claims(token: str) -> dict[str, Any]:
    """The claims of a JWT, read WITHOUT verifying the signature ({} if not a JWT)."""
    parts = token.split(".")
    if len(parts) != 3:
        return {}
    payload = parts[1] + "=" * (-len(parts[1]) % 4)
    try:
        data = json.loads(base64.urlsafe_b64decode(payload.encode("ascii")))
    except (ValueError, binascii.Error, UnicodeError):
        return {}
    return data if isinstance(data, dict) else {}


def identity_from_claims(claims: dict[str, Any]) -> Identity:
    """Who a token speaks for: tenant, user, object id, app id, scopes and roles."""

    def text(*names: str) -> str | None:
        for name in names:
            value = claims.get(name)
            if isinstance(value, str) and value:
                return value
        return None

    scp = claims.get("scp")
    roles = claims.get("roles")
    return Identity(
        tenant_id=text("tid"),
        user=text("upn", "preferred_username", "unique_name", "email"),
        object_id=text("oid"),
        app_id=text("appid", "azp"),
        scopes=tuple(scp.split()) if isinstance(scp, str) else (),
        roles=tuple(str(r) for r in roles) if isinstance(roles, list) else (),
    )

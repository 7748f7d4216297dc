"""
Bearer tokens: who is calling and whether the token's claims allow the route.

The emulator never verifies signatures. A JWT-shaped token (three base64url parts, JSON header
and payload) is read for its claims: `tid` must be the tenant's id (else 401), an `exp` in the
past is a 401, and when the token carries `scp` (delegated) or `roles` (app-only) they must
grant the route's permission (else 403). A JWT without `scp` and `roles`, and any opaque
(non-JWT) token, get full rights, so `curl -H "Authorization: Bearer anything"` works.
"""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass
from typing import Any

from entra_recovery.constants import SCOPE_PREVIEW
from entra_recovery.constants import SCOPE_READ
from entra_recovery.constants import SCOPE_RECOVERY
from entra_recovery.emulator.errors import MSG_FORBIDDEN
from entra_recovery.emulator.errors import EmulatorHttpError

READ = "read"
CREATE_PREVIEW = "preview"
CREATE_RECOVERY = "recovery"
CANCEL = "cancel"

DEFAULT_USER = "admin@contoso.onmicrosoft.com"
DEFAULT_SCOPES = (SCOPE_READ, SCOPE_PREVIEW, SCOPE_RECOVERY)
ADMIN_OID = "a1b2c3d4-00ad-4000-8000-0000000000ad"
FAR_FUTURE = 4102444800  # 2100-01-01T00:00:00Z

_DELEGATED_NEEDS = {
    READ: {SCOPE_READ, SCOPE_PREVIEW, SCOPE_RECOVERY},
    CREATE_PREVIEW: {SCOPE_PREVIEW},
    CREATE_RECOVERY: {SCOPE_RECOVERY},
    CANCEL: {SCOPE_PREVIEW, SCOPE_RECOVERY},
}
# Application permissions: only the read permission exists for app-only callers.
_APP_NEEDS = {READ: {SCOPE_READ}, CREATE_PREVIEW: set(), CREATE_RECOVERY: set(), CANCEL: set()}


@dataclass(frozen=True)
class Caller:
    """What the request's token says (claims kept only in summary form for the log)."""

    has_token: bool
    opaque: bool = False
    claims: tuple[tuple[str, Any], ...] = ()

    def claim(self, name: str) -> Any:
        return dict(self.claims).get(name)

    @property
    def scopes(self) -> frozenset[str]:
        scp = self.claim("scp")
        return frozenset(scp.split()) if isinstance(scp, str) else frozenset()

    @property
    def roles(self) -> frozenset[str]:
        roles = self.claim("roles")
        return (
            frozenset(r for r in roles if isinstance(r, str))
            if isinstance(roles, list)
            else frozenset()
        )

    def summary(self) -> dict[str, Any]:
        if not self.has_token:
            return {}
        if self.opaque:
            return {"kind": "opaque"}
        keys = ("tid", "oid", "upn", "appid", "scp", "roles", "aud")
        return {"kind": "jwt", **{k: self.claim(k) for k in keys if self.claim(k) is not None}}


def _b64json(part: str) -> Any:
    return json.loads(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)))


def _unauthorized(message: str) -> EmulatorHttpError:
    return EmulatorHttpError(
        401, message, headers={"WWW-Authenticate": 'Bearer realm="", error="invalid_token"'}
    )


def _jwt_claims(token: str) -> dict[str, Any] | None:
    """The claims of a JWT-shaped token (signature not checked); None for an opaque token."""
    parts = token.split(".")
    if len(parts) != 3:
        return None
    try:
        head = _b64json(parts[0])
        claims = _b64json(parts[1])
    except (binascii.Error, ValueError, UnicodeDecodeError):
        return None
    if not isinstance(head, dict) or not isinstance(claims, dict):
        return None
    return claims


def token_tenant(header: str | None) -> str | None:
    """The `tid` claim of a bearer token, unchecked (routing only); None when there is none."""
    scheme, _, token = (header or "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    claims = _jwt_claims(token.strip())
    tid = claims.get("tid") if claims else None
    return None if tid is None else str(tid)


def authenticate(header: str | None, tenant_id: str, now: float) -> Caller:
    """Read the Authorization header; 401 when it is missing, foreign or expired."""
    if not header:
        raise _unauthorized("Access token is empty.")
    scheme, _, token = header.partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token:
        raise _unauthorized("Access token is missing or the scheme is not Bearer.")
    claims = _jwt_claims(token)
    if claims is None:
        return Caller(has_token=True, opaque=True)
    caller = Caller(has_token=True, claims=tuple(sorted(claims.items())))
    tid = claims.get("tid")
    if tid is not None and str(tid).lower() != tenant_id.lower():
        raise _unauthorized("The token was issued for a different tenant (tid does not match).")
    exp = claims.get("exp")
    if isinstance(exp, (int, float)) and exp < now:
        raise _unauthorized("Lifetime validation failed, the token is expired.")
    return caller


def authorize(caller: Caller, need: str) -> None:
    """403 unless the token's scp/roles grant `need` (tokens without either: allowed)."""
    if caller.opaque or (caller.claim("scp") is None and caller.claim("roles") is None):
        return
    if caller.scopes & _DELEGATED_NEEDS[need] or caller.roles & _APP_NEEDS[need]:
        return
    raise EmulatorHttpError(403, MSG_FORBIDDEN)


def make_token(
    tenant_id: str,
    scopes: list[str] | tuple[str, ...] | None = None,
    roles: list[str] | tuple[str, ...] | None = None,
    user: str = DEFAULT_USER,
    issued_at: int = 1767225600,
) -> str:
    """An unsigned JWT (`alg: none`) the emulator accepts; app-only when only roles are given."""
    claims: dict[str, Any] = {
        "aud": "https://graph.microsoft.com",
        "iss": f"https://sts.windows.net/{tenant_id}/",
        "iat": issued_at,
        "nbf": issued_at,
        "exp": FAR_FUTURE,
        "tid": tenant_id,
    }
    if roles is not None and scopes is None:
        claims.update(
            {
                "oid": ADMIN_OID,
                "appid": "0e6a1b2c-3d4e-4f50-8a9b-0c1d2e3f4a00",
                "roles": list(roles),
            }
        )
    else:
        claims.update(
            {
                "oid": ADMIN_OID,
                "upn": user,
                "name": user.split("@")[0].replace(".", " ").title(),
                "scp": " ".join(DEFAULT_SCOPES if scopes is None else scopes),
            }
        )
        if roles is not None:
            claims["roles"] = list(roles)

    def part(data: dict[str, Any]) -> str:
        raw = json.dumps(data, separators=(",", ":")).encode()
        return base64.urlsafe_b64encode(raw).decode().rstrip("=")

    return f"{part({'alg': 'none', 'typ': 'JWT'})}.{part(claims)}."

"""
Credentials: which azure-identity credential signs the requests, and with which scopes.

Step one of every Graph call. `build_credential(settings)` picks the credential from
`GraphSettings.auth_method` (a static token from `ENTRA_RECOVERY_ACCESS_TOKEN`, interactive
browser, device code, client secret/certificate from the environment, managed identity or the
Azure CLI); `scopes_for(...)` gives the least-privileged scopes for an operation. azure-identity
is imported inside functions only, so importing this module is cheap. Tokens never leave the
credential: `identity_from_token` reads claims (without verifying them) to say who is signed in.
"""

from __future__ import annotations

import base64
import binascii
import inspect
import json
import os
import shutil
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from entra_recovery.constants import SCOPE_PREVIEW
from entra_recovery.constants import SCOPE_READ
from entra_recovery.constants import SCOPE_RECOVERY
from entra_recovery.errors import GraphAuthError
from entra_recovery.graph.models import Identity
from entra_recovery.graph.settings import GraphSettings

# The resource every scope belongs to: the token audience is always Microsoft Graph, also when
# requests go to a loopback emulator (which ignores scopes but checks claims).
GRAPH_RESOURCE = "https://graph.microsoft.com"
DEFAULT_SCOPE = f"{GRAPH_RESOURCE}/.default"

# Opt-in persistent sign-in for scheduled delegated runs: path of an azure-identity
# AuthenticationRecord; with it, the token cache is persisted (msal-extensions) too.
ENV_AUTH_RECORD = "ENTRA_RECOVERY_AUTH_RECORD"
TOKEN_CACHE_NAME = "entra-recovery"  # noqa: S105 - a cache name, not a secret

# Microsoft Graph PowerShell's public client id: works for delegated sign-in in any tenant
# whose admin consented the EntraBackup.* scopes to it; pass --client-id for your own app.
DEFAULT_PUBLIC_CLIENT_ID = "14d82eec-204b-4c2f-b7e8-296a70dab67e"

# Methods that sign in as a user and so can ask for specific delegated scopes; the others
# (app-only or resource-based) always ask for `.default`.
DELEGATED_METHODS = ("browser", "device-code")


def graph_scope(permission: str) -> str:
    """`EntraBackup.Read.All` -> `https://graph.microsoft.com/EntraBackup.Read.All`."""
    return f"{GRAPH_RESOURCE}/{permission}"


def scopes_for(permissions: Sequence[str], method: str) -> list[str]:
    """The scopes to request: the named permissions when delegated, else `.default`."""
    if method in DELEGATED_METHODS:
        return [graph_scope(p) for p in permissions]
    return [DEFAULT_SCOPE]


READ = (SCOPE_READ,)
PREVIEW = (SCOPE_PREVIEW,)
RECOVERY = (SCOPE_RECOVERY,)


class StaticTokenCredential:
    """An azure.core `TokenCredential` that returns a token obtained elsewhere, as is.

    Accepts any scopes (the token already carries its own). The token is kept out of `repr()`.
    """

    def __init__(self, token: str) -> None:
        if not token or any(c.isspace() for c in token.strip()):
            raise GraphAuthError("the access token is empty or contains spaces")
        self._token = token.strip()
        exp = decode_claims(self._token).get("exp")
        self._expires_on = int(exp) if isinstance(exp, int | float) else int(time.time()) + 3600

    def __repr__(self) -> str:
        return "StaticTokenCredential(token=<redacted>)"

    def get_token(self, *scopes: str, **kwargs: Any) -> Any:
        from azure.core.credentials import AccessToken

        return AccessToken(self._token, self._expires_on)

    def get_token_info(self, *scopes: str, options: Any = None) -> Any:
        from azure.core.credentials import AccessTokenInfo

        return AccessTokenInfo(self._token, self._expires_on)

    def close(self) -> None:
        return None


class AsyncStaticTokenCredential(StaticTokenCredential):
    """The same, as an azure.core `AsyncTokenCredential` (for asyncio callers)."""

    async def get_token(self, *scopes: str, **kwargs: Any) -> Any:  # type: ignore[override,unused-ignore]
        return StaticTokenCredential.get_token(self, *scopes, **kwargs)

    async def get_token_info(self, *scopes: str, options: Any = None) -> Any:  # type: ignore[override,unused-ignore]
        return StaticTokenCredential.get_token_info(self, *scopes, options=options)

    async def close(self) -> None:  # type: ignore[override,unused-ignore]
        return None

    async def __aenter__(self) -> AsyncStaticTokenCredential:
        return self

    async def __aexit__(self, *exc: object) -> None:
        return None


def resolve_method(settings: GraphSettings) -> str:
    """The concrete method `auto` stands for: token if given, else Azure CLI if installed,
    else interactive browser."""
    if settings.auth_method != "auto":
        return settings.auth_method
    if settings.access_token:
        return "token"
    if shutil.which("az"):
        return "azure-cli"
    return "browser"


def build_credential(settings: GraphSettings, *, permissions: Sequence[str] = READ) -> Any:
    """The credential for `settings` (a `TokenCredential`); nothing is requested yet.

    Raises:
        GraphAuthError: the method needs something that is missing (token, client id, ...).
    """
    method = resolve_method(settings)
    if method == "token":
        if not settings.access_token:
            raise GraphAuthError(
                "no access token: ENTRA_RECOVERY_ACCESS_TOKEN is not set",
                hint="set ENTRA_RECOVERY_ACCESS_TOKEN, or choose --auth browser/device-code/...",
            )
        return StaticTokenCredential(settings.access_token)
    return _build_azure_credential(settings, method, permissions)


def _build_azure_credential(
    settings: GraphSettings, method: str, permissions: Sequence[str]
) -> Any:
    """Build an azure-identity credential (separate so tests can forbid it)."""
    from azure import identity

    tenant = settings.tenant_id
    client_id = settings.client_id or DEFAULT_PUBLIC_CLIENT_ID
    if method == "azure-cli":
        return identity.AzureCliCredential(tenant_id=tenant or "")
    if method == "managed-identity":
        return identity.ManagedIdentityCredential(client_id=settings.client_id)
    if method == "environment":
        return identity.EnvironmentCredential()
    kwargs: dict[str, Any] = {"client_id": client_id}
    if tenant:
        kwargs["tenant_id"] = tenant
    record_path = os.environ.get(ENV_AUTH_RECORD)
    if record_path:
        kwargs["cache_persistence_options"] = identity.TokenCachePersistenceOptions(
            name=TOKEN_CACHE_NAME
        )
        record_file = Path(record_path).expanduser()
        if record_file.is_file():
            kwargs["authentication_record"] = identity.AuthenticationRecord.deserialize(
                record_file.read_text(encoding="utf-8")
            )
    if method == "browser":
        credential: Any = identity.InteractiveBrowserCredential(**kwargs)
    elif method == "device-code":
        credential = identity.DeviceCodeCredential(**kwargs)
    else:  # pragma: no cover - GraphSettings validates the method
        raise GraphAuthError(f"unknown auth method {method!r}")
    if record_path and "authentication_record" not in kwargs:
        record = credential.authenticate(scopes=scopes_for(permissions, method))
        record_file.parent.mkdir(parents=True, exist_ok=True)
        record_file.write_text(record.serialize(), encoding="utf-8")
    return credential


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


async def identity_from_credential(credential: Any, method: str) -> Identity:
    """Ask the credential (sync or async) for a read token and describe it; the token itself
    is dropped."""
    try:
        result = credential.get_token(*scopes_for(READ, method))
        if inspect.isawaitable(result):
            result = await result
        token = result.token
    except GraphAuthError:
        raise
    except Exception as exc:
        raise auth_error(exc) from None
    return identity_from_claims(decode_claims(token))


def auth_error(exc: BaseException) -> GraphAuthError:
    """An azure-identity failure as a one-line `GraphAuthError` (no secrets in it)."""
    name = type(exc).__name__
    first = (str(exc).strip().splitlines() or [""])[0][:300]
    hint = (
        "sign in again (az login, --auth browser or device-code), "
        "or set ENTRA_RECOVERY_ACCESS_TOKEN"
    )
    if name == "AuthenticationRequiredError":
        hint = (
            "the saved sign-in needs interaction: "
            f"run once interactively with {ENV_AUTH_RECORD} set"
        )
    return GraphAuthError(f"could not get a token ({name}): {first}", hint=hint)

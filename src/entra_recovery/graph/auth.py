"""
Credentials: which azure-identity credential signs the requests, and with which scopes.

Step one of every Graph call. `build_credential(settings)` picks the credential from
`GraphSettings.auth_method` (a static token from `ENTRA_RECOVERY_ACCESS_TOKEN`, interactive
browser, device code, client secret/certificate from the environment, managed identity or the
Azure CLI); `scopes_for(...)` gives the least-privileged scopes for an operation. azure-identity
is imported inside functions only, so importing this module is cheap. Tokens never leave the
credential: `identity_from_claims` reads claims (without verifying them) to say who is signed in.
A broken sign-in never escapes as a raw exception: `build_credential` turns every failure (a
corrupt `ENTRA_RECOVERY_AUTH_RECORD`, an option azure-identity refuses) into `GraphAuthError`.
"""

from __future__ import annotations

import base64
import binascii
import inspect
import json
import os
import shutil
import time
from collections.abc import Mapping
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING
from typing import Any
from typing import TypeAlias

from entra_recovery.constants import SCOPE_READ
from entra_recovery.errors import GraphAuthError
from entra_recovery.graph.models import Identity
from entra_recovery.graph.settings import GraphSettings
from entra_recovery.redaction import remember_secret

if TYPE_CHECKING:
    from azure.core.credentials import AccessToken
    from azure.core.credentials import AccessTokenInfo
    from azure.core.credentials import TokenCredential
    from azure.core.credentials_async import AsyncTokenCredential
    from azure.identity import AuthenticationRecord

    # What signs our requests: azure-identity's credentials, or our static-token ones.
    Credential: TypeAlias = TokenCredential | AsyncTokenCredential

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


def build_credential(settings: GraphSettings, *, permissions: Sequence[str] = READ) -> Credential:
    """The credential for `settings` (a `TokenCredential`); nothing is requested yet.

    Every failure is a `GraphAuthError` with a hint: a missing token, an unreadable or corrupt
    saved sign-in (`ENTRA_RECOVERY_AUTH_RECORD`), an option azure-identity refuses (a malformed
    tenant id, say), or a first interactive sign-in that did not succeed.

    Raises:
        GraphAuthError: the credential cannot be built.
    """
    method = resolve_method(settings)
    if method == "token":
        if not settings.access_token:
            raise GraphAuthError(
                "no access token: ENTRA_RECOVERY_ACCESS_TOKEN is not set",
                hint="set ENTRA_RECOVERY_ACCESS_TOKEN, or choose --auth browser/device-code/...",
            )
        return StaticTokenCredential(settings.access_token)
    saved = saved_sign_in() if method in DELEGATED_METHODS else None
    try:
        return _build_azure_credential(settings, method, permissions, saved)
    except GraphAuthError:
        raise
    except Exception as exc:
        raise credential_error(exc, method) from exc


@dataclass(frozen=True)
class SavedSignIn:
    """The persistent delegated sign-in named by `ENTRA_RECOVERY_AUTH_RECORD`.

    `record` is None until the first interactive sign-in has saved one at `path`.
    """

    path: Path
    record: AuthenticationRecord | None


def saved_sign_in(env: Mapping[str, str] | None = None) -> SavedSignIn | None:
    """The saved sign-in `ENTRA_RECOVERY_AUTH_RECORD` points at (None when it is not set).

    Raises:
        GraphAuthError: the file exists but cannot be read, or holds no authentication record.
    """
    value = (os.environ if env is None else env).get(ENV_AUTH_RECORD)
    if not value:
        return None
    path = Path(value).expanduser()
    if not path.exists():
        return SavedSignIn(path, None)
    redo = f"delete {path} and sign in again: run once interactively with {ENV_AUTH_RECORD} set"
    try:
        data = path.read_bytes()
    except OSError as exc:  # a folder, no permission
        raise GraphAuthError(
            f"cannot read the saved sign-in {path} ({ENV_AUTH_RECORD}): "
            f"{exc.strerror or type(exc).__name__}",
            hint=f"point {ENV_AUTH_RECORD} at a readable file (at a new path, the first "
            "interactive run signs in and saves it there)",
        ) from None
    from azure.identity import AuthenticationRecord

    try:
        record = AuthenticationRecord.deserialize(data.decode("utf-8"))
    except UnicodeDecodeError:
        raise GraphAuthError(
            f"{path} ({ENV_AUTH_RECORD}) is not a saved sign-in: not UTF-8 text", hint=redo
        ) from None
    except (ValueError, KeyError, TypeError, AttributeError) as exc:  # JSONDecodeError: ValueError
        detail = f"missing {exc}" if isinstance(exc, KeyError) else _first_line(exc)
        raise GraphAuthError(
            f"{path} ({ENV_AUTH_RECORD}) is not a saved sign-in: {detail}", hint=redo
        ) from None
    return SavedSignIn(path, record)


def _build_azure_credential(
    settings: GraphSettings, method: str, permissions: Sequence[str], saved: SavedSignIn | None
) -> Credential:
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
    if saved is not None:
        kwargs["cache_persistence_options"] = identity.TokenCachePersistenceOptions(
            name=TOKEN_CACHE_NAME
        )
        if saved.record is not None:
            kwargs["authentication_record"] = saved.record
    credential: identity.InteractiveBrowserCredential | identity.DeviceCodeCredential
    if method == "browser":
        credential = identity.InteractiveBrowserCredential(**kwargs)
    elif method == "device-code":
        credential = identity.DeviceCodeCredential(**kwargs)
    else:  # pragma: no cover - GraphSettings validates the method
        raise GraphAuthError(f"unknown auth method {method!r}")
    if saved is not None and saved.record is None:
        _save_sign_in(saved.path, credential.authenticate(scopes=scopes_for(permissions, method)))
    return credential


def _save_sign_in(path: Path, record: AuthenticationRecord) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(record.serialize(), encoding="utf-8")
    except OSError as exc:
        raise GraphAuthError(
            f"signed in, but cannot save the sign-in to {path} ({ENV_AUTH_RECORD}): "
            f"{exc.strerror or type(exc).__name__}",
            hint=f"point {ENV_AUTH_RECORD} at a writable file",
        ) from None


def credential_error(exc: BaseException, method: str) -> GraphAuthError:
    """A failure while building the credential (not while asking it for a token)."""
    if type(exc).__name__ in ("ClientAuthenticationError", "CredentialUnavailableError"):
        return auth_error(exc)
    return GraphAuthError(
        f"could not set up the {method} sign-in ({type(exc).__name__}): {_first_line(exc)}",
        hint="check --auth, --tenant-id and --client-id",
    )


def _first_line(exc: BaseException) -> str:
    return (str(exc).strip().splitlines() or [""])[0][:300]


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


async def identity_from_credential(credential: Credential, method: str) -> Identity:
    """Ask the credential (sync or async) for a read token and describe it; the token itself
    is dropped."""
    try:
        result = credential.get_token(*scopes_for(READ, method))
        if inspect.isawaitable(result):
            result = await result
        token = result.token
        remember_secret(token)
    except GraphAuthError:
        raise
    except Exception as exc:
        raise auth_error(exc) from None
    return identity_from_claims(decode_claims(token))


def auth_error(exc: BaseException) -> GraphAuthError:
    """An azure-identity failure as a one-line `GraphAuthError` (no secrets in it)."""
    name = type(exc).__name__
    first = _first_line(exc)
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

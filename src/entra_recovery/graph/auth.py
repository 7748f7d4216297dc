"""
Credentials: which azure-identity credential signs the requests, and with which scopes.

Step one of every Graph call. `choose_sign_in(settings)` decides how to sign in, like
Connect-MgGraph: for `--auth auto`, `ENTRA_RECOVERY_ACCESS_TOKEN` when set, else the stored
sign-in for the tenant (`signins`), else a browser sign-in when a person is at a terminal, else a
fast `GraphAuthError` naming `entra-recovery login`. The Azure CLI is used only when asked for
by name (its Graph token lacks the EntraBackup scopes). `build_credential` builds that choice:

- one credential per sign-in and process (`_CREDENTIALS`), so the identity check and every
  request adapter share its in-memory cache; every token is asked for with CAE on, as kiota's
  provider does, so they also share one cache partition and a run prompts at most once;
- a delegated credential built without a person at a terminal has automatic authentication
  disabled: an expired or revoked sign-in ends the run with the command to run, it never opens
  a browser or a device-code prompt;
- a first interactive sign-in asks for every permission of the session in one consent and is
  stored (record and persistent cache) when the cache can be encrypted or plain files were
  allowed;
- app-only credentials (environment, managed identity, workload identity) are refused at once
  for sessions that create jobs, which Graph allows only for a signed-in user.

Every failure is a `GraphAuthError` explained by `authfailures`. azure-identity is imported
inside functions only, so importing this module is cheap.
"""

from __future__ import annotations

import inspect
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC
from datetime import datetime
from typing import TYPE_CHECKING
from typing import Any
from typing import TypeAlias

from entra_recovery.constants import ENV_ACCESS_TOKEN
from entra_recovery.constants import SCOPE_PREVIEW
from entra_recovery.constants import SCOPE_READ
from entra_recovery.constants import SCOPE_RECOVERY
from entra_recovery.errors import GraphAuthError
from entra_recovery.graph.authfailures import login_command
from entra_recovery.graph.authfailures import sign_in_failure
from entra_recovery.graph.models import Identity
from entra_recovery.graph.settings import DEFAULT_AUTHORITY
from entra_recovery.graph.settings import GraphSettings
from entra_recovery.graph.signins import SignInStore
from entra_recovery.graph.signins import StoredSignIn
from entra_recovery.graph.signins import cache_is_encrypted
from entra_recovery.graph.signins import cache_options
from entra_recovery.graph.signins import check_tenant_name
from entra_recovery.graph.signins import token_cache_path
from entra_recovery.graph.tokens import AsyncStaticTokenCredential as AsyncStaticTokenCredential
from entra_recovery.graph.tokens import StaticTokenCredential
from entra_recovery.graph.tokens import decode_claims
from entra_recovery.graph.tokens import identity_from_claims
from entra_recovery.redaction import remember_secret

if TYPE_CHECKING:
    from azure.core.credentials import TokenCredential
    from azure.core.credentials_async import AsyncTokenCredential
    from azure.identity import TokenCachePersistenceOptions

    # What signs our requests: azure-identity's credentials, or our static-token ones.
    Credential: TypeAlias = TokenCredential | AsyncTokenCredential

# Notices for the person at the terminal (device code, where a sign-in was stored); the CLI
# prints this logger's records, a script sees them through standard logging.
NOTICES = logging.getLogger("entra_recovery.signin")

# The resource every scope belongs to: the token audience is always Microsoft Graph, also when
# requests go to a loopback emulator (which ignores scopes but checks claims).
GRAPH_RESOURCE = "https://graph.microsoft.com"
DEFAULT_SCOPE = f"{GRAPH_RESOURCE}/.default"

# Microsoft Graph PowerShell's public client id: works for delegated sign-in in any tenant
# whose admin consented the EntraBackup.* scopes to it; pass --client-id for your own app.
DEFAULT_PUBLIC_CLIENT_ID = "14d82eec-204b-4c2f-b7e8-296a70dab67e"

# Methods that sign in as a user and so can ask for specific delegated scopes; the others
# (app-only or resource-based) always ask for `.default`.
DELEGATED_METHODS = ("browser", "device-code")
APP_ONLY_METHODS = ("environment", "managed-identity", "workload-identity")
WRITE_PERMISSIONS = (SCOPE_PREVIEW, SCOPE_RECOVERY)
ALL_PERMISSIONS = (SCOPE_READ, SCOPE_PREVIEW, SCOPE_RECOVERY)
READ = (SCOPE_READ,)

# Every token this tool asks for is a CAE token (see the module docstring).
ENABLE_CAE = True


def graph_scope(permission: str) -> str:
    """`EntraBackup.Read.All` -> `https://graph.microsoft.com/EntraBackup.Read.All`."""
    return f"{GRAPH_RESOURCE}/{permission}"


def scopes_for(permissions: Sequence[str], method: str) -> list[str]:
    """The scopes to request: the named permissions when delegated, else `.default`."""
    if method in DELEGATED_METHODS:
        return [graph_scope(p) for p in permissions]
    return [DEFAULT_SCOPE]


@dataclass(frozen=True)
class SignInChoice:
    """How a session signs in: the concrete method, its tenant, the stored sign-in it uses."""

    method: str
    tenant: str | None
    stored: StoredSignIn | None = None


def choose_sign_in(settings: GraphSettings) -> SignInChoice:
    """The sign-in `settings` stand for (see the module docstring for `auto`).

    Raises:
        GraphAuthError: `auto` found nothing to sign in with and no person is at a terminal,
            or several sign-ins are stored and no tenant was named.
    """
    method, tenant = settings.auth_method, settings.tenant_id
    if method == "token" or (method == "auto" and settings.access_token):
        return SignInChoice("token", tenant)
    if method not in ("auto", *DELEGATED_METHODS):
        return SignInChoice(method, tenant)
    if tenant is not None:
        check_tenant_name(tenant)
    stored = SignInStore(settings.signins).find(tenant)
    if stored is not None:
        flow = stored.flow if method == "auto" else method
        return SignInChoice(flow, stored.tenant_id, stored)
    if not settings.interactive:
        raise not_signed_in(tenant)
    return SignInChoice("browser" if method == "auto" else method, tenant)


class NotSignedIn(GraphAuthError):
    """Nothing to sign in with: no token, no stored sign-in, nobody at a terminal."""


def not_signed_in(tenant: str | None) -> NotSignedIn:
    where = f"tenant {tenant}" if tenant else "any tenant"
    return NotSignedIn(
        f"not signed in for {where}, and no person is at a terminal to sign in",
        hint=f"run `{login_command(tenant)}` once at a terminal (or set {ENV_ACCESS_TOKEN})",
    )


# One credential per sign-in and process: its in-memory cache is what keeps a run to one
# prompt. Keyed by everything that decides which account and cache it speaks for.
_CREDENTIALS: dict[tuple[object, ...], Any] = {}


def build_credential(
    settings: GraphSettings,
    *,
    permissions: Sequence[str] = READ,
    choice: SignInChoice | None = None,
) -> Credential:
    """The credential for `settings` (a `TokenCredential`); nothing is requested yet, unless
    a first interactive sign-in is needed (then it happens here, once, for all `permissions`).

    Raises:
        GraphAuthError: the credential cannot be built or refuses this session.
    """
    choice = choice or choose_sign_in(settings)
    if choice.method == "token":
        if not settings.access_token:
            raise GraphAuthError(
                f"no access token: {ENV_ACCESS_TOKEN} is not set",
                hint=f"set {ENV_ACCESS_TOKEN}, or sign in with `entra-recovery login`",
            )
        return StaticTokenCredential(settings.access_token)
    refuse_app_only(choice.method, permissions)
    key = _credential_key(settings, choice)
    if key in _CREDENTIALS:
        return _CREDENTIALS[key]  # type: ignore[no-any-return]
    try:
        credential = _build_azure_credential(settings, choice, permissions)
    except Exception as exc:
        raise sign_in_failure(
            exc, tenant=choice.tenant, method=choice.method, authority=settings.authority
        ) from None
    _CREDENTIALS[key] = credential
    return credential


def refuse_app_only(method: str, permissions: Sequence[str]) -> None:
    """Refuse an app-only sign-in for a session that creates jobs (delegated-only in Graph)."""
    if method in APP_ONLY_METHODS and set(permissions) & set(WRITE_PERMISSIONS):
        raise GraphAuthError(
            f"--auth {method} signs in as an application, which can only read: creating "
            "preview and recovery jobs needs a signed-in user (delegated permissions)",
            hint="sign in as a user with `entra-recovery login`, or use --auth "
            f"{method} for read-only commands (snapshot list, job list, ...)",
        )


def _credential_key(settings: GraphSettings, choice: SignInChoice) -> tuple[object, ...]:
    return (
        choice.method,
        choice.tenant,
        choice.stored.record_json if choice.stored else None,
        settings.client_id,
        settings.authority,
        str(settings.signins),
        settings.interactive,
        settings.allow_unencrypted_cache,
    )


def forget_credentials() -> None:
    """Drop the process's credentials (after `logout`, and between tests)."""
    _CREDENTIALS.clear()


def _build_azure_credential(
    settings: GraphSettings, choice: SignInChoice, permissions: Sequence[str]
) -> Credential:
    """Build an azure-identity credential (separate so tests can forbid it)."""
    from azure import identity

    tenant = choice.tenant
    if choice.method == "azure-cli":
        return identity.AzureCliCredential(tenant_id=tenant or "")
    if choice.method == "managed-identity":
        return identity.ManagedIdentityCredential(client_id=settings.client_id)
    if choice.method == "workload-identity":
        kwargs = {"tenant_id": tenant, "client_id": settings.client_id}
        return identity.WorkloadIdentityCredential(**{k: v for k, v in kwargs.items() if v})
    if choice.method == "environment":
        return identity.EnvironmentCredential()
    if choice.stored is not None:
        stored: Credential = delegated_credential(
            settings,
            choice.method,
            tenant=choice.stored.tenant_id,
            persist=cache_options(allow_unencrypted=not choice.stored.encrypted_cache),
            stored=choice.stored,
        )
        return stored
    credential: Credential
    credential, _ = interactive_sign_in(
        settings, choice.method, tenant, permissions, must_store=False
    )
    return credential


def delegated_credential(
    settings: GraphSettings,
    flow: str,
    *,
    tenant: str | None,
    persist: TokenCachePersistenceOptions | None,
    stored: StoredSignIn | None = None,
    interactive: bool | None = None,
) -> Any:
    """A browser or device-code credential; with `stored`, it signs in silently from the cache
    and, without a person at a terminal, never prompts."""
    from azure import identity

    person = settings.interactive if interactive is None else interactive
    kwargs: dict[str, Any] = {"disable_automatic_authentication": not person}
    if tenant:
        kwargs["tenant_id"] = tenant
    if stored is not None:
        kwargs["authentication_record"] = stored.record()  # brings client id and authority
    else:
        kwargs["client_id"] = settings.client_id or DEFAULT_PUBLIC_CLIENT_ID
        kwargs["authority"] = settings.authority
    authority = stored.authority if stored is not None else settings.authority
    if authority != DEFAULT_AUTHORITY:
        kwargs["disable_instance_discovery"] = True
    if persist is not None:
        kwargs["cache_persistence_options"] = persist
    if flow == "device-code":
        return identity.DeviceCodeCredential(prompt_callback=_show_device_code, **kwargs)
    return identity.InteractiveBrowserCredential(**kwargs)


def _show_device_code(verification_uri: str, user_code: str, expires_on: datetime) -> None:
    until = expires_on.astimezone(UTC).strftime("%H:%M UTC")
    NOTICES.warning(
        "To sign in, open %s and enter the code %s (valid until %s).",
        verification_uri,
        user_code,
        until,
    )


def interactive_sign_in(
    settings: GraphSettings,
    flow: str,
    tenant: str | None,
    permissions: Sequence[str],
    *,
    must_store: bool,
    scopes: Sequence[str] | None = None,
) -> tuple[Any, StoredSignIn | None]:
    """Sign in once, asking for every permission in one consent, and store the sign-in.

    With `must_store` (`login`), a cache that cannot be encrypted, and plain files not allowed,
    is an error; otherwise (a first sign-in during a run) the sign-in is kept for this process
    only, with a notice saying how to store one.
    """
    allow = settings.allow_unencrypted_cache
    try:
        encrypted: bool | None = cache_is_encrypted(allow_unencrypted=allow)
    except ValueError:
        if must_store:
            raise
        encrypted = None
        NOTICES.warning(
            "This sign-in is kept for this run only: the token cache cannot be encrypted here. "
            "Run `entra-recovery login --allow-unencrypted-cache` to store one."
        )
    persist = cache_options(allow_unencrypted=allow) if encrypted is not None else None
    credential = delegated_credential(
        settings, flow, tenant=tenant, persist=persist, interactive=True
    )
    asked = tuple(scopes or permissions)
    record = credential.authenticate(scopes=scopes_for(asked, flow), enable_cae=ENABLE_CAE)
    if encrypted is None:
        return credential, None
    signin = StoredSignIn.from_record(
        record, flow=flow, scopes=asked, encrypted_cache=encrypted, asked_for=tenant
    )
    signin = SignInStore(settings.signins).save(signin)
    cache = token_cache_path()
    if encrypted:
        NOTICES.info("Signed in as %s; sign-in stored in %s.", signin.username, signin.path)
    else:
        NOTICES.warning(
            "Signed in as %s. The tokens are stored UNENCRYPTED in %s (readable by this user "
            "only, mode 0600): protect that file like a password.",
            signin.username,
            cache,
        )
    return credential, signin


async def access_token(
    credential: Credential, method: str, permissions: Sequence[str] = READ
) -> Any:
    """A token from the credential (sync or async), CAE as every other request; its text is
    registered for redaction at once. Returns azure.core's `AccessToken`."""
    result = credential.get_token(*scopes_for(permissions, method), enable_cae=ENABLE_CAE)
    if inspect.isawaitable(result):
        result = await result
    remember_secret(result.token)
    return result


async def identity_from_credential(
    credential: Credential, method: str, *, tenant: str | None = None, authority: str = ""
) -> Identity:
    """Ask the credential (sync or async) for a read token and describe it; the token itself
    is dropped."""
    try:
        token = (await access_token(credential, method)).token
    except GraphAuthError:
        raise
    except Exception as exc:
        raise sign_in_failure(
            exc, tenant=tenant, method=method, authority=authority or DEFAULT_AUTHORITY
        ) from None
    return identity_from_claims(decode_claims(token))


__all__ = [
    "ALL_PERMISSIONS",
    "DEFAULT_PUBLIC_CLIENT_ID",
    "READ",
    "AsyncStaticTokenCredential",
    "SignInChoice",
    "StaticTokenCredential",
    "build_credential",
    "choose_sign_in",
    "decode_claims",
    "identity_from_claims",
    "identity_from_credential",
    "scopes_for",
]

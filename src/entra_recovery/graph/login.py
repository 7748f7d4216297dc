"""
`login`, `whoami` and `logout`: the sign-in commands' work, below the CLI.

- `login` signs in once (browser or device code) asking for the EntraBackup permissions in one
  consent and stores the sign-in for its tenant (`signins`), replacing an older one;
- `whoami` says who a command would act as, for every `--auth` kind, by getting a token
  silently (never a prompt) and reading its claims; the token itself is dropped;
- `logout` forgets stored sign-ins: the record file and the tokens in the persistent cache.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC
from datetime import datetime
from typing import Any

from entra_recovery import aio
from entra_recovery.constants import ENV_ACCESS_TOKEN
from entra_recovery.errors import GraphAuthError
from entra_recovery.graph.auth import ALL_PERMISSIONS
from entra_recovery.graph.auth import NotSignedIn
from entra_recovery.graph.auth import access_token
from entra_recovery.graph.auth import build_credential
from entra_recovery.graph.auth import choose_sign_in
from entra_recovery.graph.auth import forget_credentials
from entra_recovery.graph.auth import interactive_sign_in
from entra_recovery.graph.authfailures import login_command
from entra_recovery.graph.authfailures import sign_in_failure
from entra_recovery.graph.settings import GraphSettings
from entra_recovery.graph.signins import SignInStore
from entra_recovery.graph.signins import StoredSignIn
from entra_recovery.graph.signins import forget_tokens
from entra_recovery.graph.signins import token_cache_path
from entra_recovery.graph.tokens import decode_claims
from entra_recovery.graph.tokens import identity_from_claims


def login(
    settings: GraphSettings,
    *,
    flow: str = "browser",
    permissions: Sequence[str] = ALL_PERMISSIONS,
) -> StoredSignIn:
    """Sign in interactively to `settings.tenant_id` (or the account's home tenant) and store it.

    Raises:
        GraphAuthError: the sign-in failed, or the cache cannot be stored as asked.
    """
    person = dataclasses.replace(settings, interactive=True)
    try:
        _, signin = interactive_sign_in(
            person, flow, settings.tenant_id, tuple(permissions), must_store=True
        )
    except Exception as exc:
        raise sign_in_failure(
            exc, tenant=settings.tenant_id, method=flow, authority=settings.authority
        ) from None
    assert signin is not None  # must_store: stored or raised
    forget_credentials()  # later commands of this process build theirs from the new record
    return signin


@dataclass(frozen=True)
class WhoAmI:
    """Who a command would act as; never the token."""

    auth: str
    source: str
    account: str | None
    tenant_id: str | None
    client_id: str | None
    scopes: tuple[str, ...]
    roles: tuple[str, ...]
    expires_on: str | None
    signin: StoredSignIn | None

    def to_json(self) -> dict[str, Any]:
        stored = self.signin
        return {
            "auth": self.auth,
            "source": self.source,
            "account": self.account,
            "tenantId": self.tenant_id,
            "clientId": self.client_id,
            "scopes": list(self.scopes),
            "roles": list(self.roles),
            "tokenExpiresOn": self.expires_on,
            "recordFile": str(stored.path) if stored and stored.path else None,
            "tokenCache": str(token_cache_path()) if stored else None,
            "cacheEncrypted": stored.encrypted_cache if stored else None,
        }


def whoami(settings: GraphSettings) -> WhoAmI:
    """Who `settings` sign in as, with a token got silently (a person is never prompted).

    Raises:
        GraphAuthError: there is no usable sign-in (the message says which command fixes it).
    """
    quiet = dataclasses.replace(settings, interactive=False)
    try:
        choice = choose_sign_in(quiet)
    except NotSignedIn:  # whoami never signs in: "nobody at a terminal" would mislead here
        where = f"tenant {settings.tenant_id}" if settings.tenant_id else "any tenant"
        raise GraphAuthError(
            f"not signed in for {where}", hint=f"run `{login_command(settings.tenant_id)}`"
        ) from None
    credential = build_credential(quiet, choice=choice)
    try:
        token = aio.run(access_token(credential, choice.method))
    except Exception as exc:
        raise sign_in_failure(
            exc, tenant=choice.tenant, method=choice.method, authority=settings.authority
        ) from None
    identity = identity_from_claims(decode_claims(token.token))
    expires = datetime.fromtimestamp(token.expires_on, tz=UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    stored = choice.stored
    return WhoAmI(
        auth=choice.method,
        source=_source(choice.method, stored),
        account=identity.user or (stored.username if stored else None),
        tenant_id=identity.tenant_id,
        client_id=identity.app_id or (stored.client_id if stored else settings.client_id),
        scopes=identity.scopes,
        roles=identity.roles,
        expires_on=expires,
        signin=stored,
    )


def _source(method: str, stored: StoredSignIn | None) -> str:
    if stored is not None:
        return "stored sign-in"
    if method == "token":
        return ENV_ACCESS_TOKEN
    return {
        "azure-cli": "Azure CLI (az login)",
        "environment": "AZURE_* environment variables (application)",
        "managed-identity": "managed identity (application)",
        "workload-identity": "workload identity federation (application)",
    }.get(method, method)


def stored_sign_ins(settings: GraphSettings) -> list[StoredSignIn]:
    """Every stored sign-in (`whoami --all`)."""
    return SignInStore(settings.signins).all()


def logout(settings: GraphSettings, *, everything: bool = False) -> list[StoredSignIn]:
    """Forget the stored sign-in of `settings.tenant_id` (or the only one, or all): the record
    and its tokens. Returns what was forgotten.

    Raises:
        GraphAuthError: no sign-in is stored for the tenant, or several and none was named.
    """
    store = SignInStore(settings.signins)
    stored = store.all()
    if everything:
        chosen = stored
    else:
        one = store.find(settings.tenant_id)
        if one is None:
            where = f"tenant {settings.tenant_id}" if settings.tenant_id else "any tenant"
            raise GraphAuthError(
                f"no sign-in is stored for {where}",
                hint="`entra-recovery whoami --all` lists the stored sign-ins",
            )
        chosen = [one]
    for signin in chosen:
        remaining = [s for s in stored if s not in chosen]
        try:
            forget_tokens(signin, remaining)
        except Exception as exc:  # the record goes all the same: without it nothing signs in
            raise sign_in_failure(
                exc, tenant=signin.tenant_id, method=signin.flow, authority=settings.authority
            ) from None
        finally:
            store.remove(signin)
    forget_credentials()
    return chosen

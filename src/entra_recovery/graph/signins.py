"""
Stored sign-ins: one delegated sign-in per tenant, kept between runs like Connect-MgGraph's.

A stored sign-in has two halves:
- the authentication record (who signed in, where, with which client id): a JSON file per
  tenant in `<state dir>/signins/` (0600, folder 0700, written atomically by `statedir`), with
  what `whoami` shows beside it (flow, scopes asked for, whether the cache is encrypted);
- the tokens themselves, in azure-identity's persistent token cache named `entra-recovery`
  (`~/.IdentityService/entra-recovery.cae` on Linux and macOS, under `%LOCALAPPDATA%` on
  Windows): encrypted with libsecret, the Keychain or DPAPI, or a plain 0600 file only when the
  user allowed it (`--allow-unencrypted-cache`).

No token is ever written by this module; `forget_tokens` removes a sign-in's tokens from the
cache at logout. azure-identity keeps where and how its cache is stored to itself, so the two
cache helpers reach into `azure.identity._persistent_cache` (one place, said here, tested).
"""

from __future__ import annotations

import json
import os
import re
import sys
from dataclasses import asdict
from dataclasses import dataclass
from dataclasses import field
from pathlib import Path
from typing import TYPE_CHECKING
from typing import Any

from entra_recovery.errors import GraphAuthError
from entra_recovery.statedir import ensure_dir
from entra_recovery.statedir import write_private
from entra_recovery.timestamps import iso_z
from entra_recovery.timestamps import utc_now

if TYPE_CHECKING:
    from azure.identity import AuthenticationRecord
    from azure.identity import TokenCachePersistenceOptions

TOKEN_CACHE_NAME = "entra-recovery"  # noqa: S105 - a cache name, not a secret
FORMAT_VERSION = 1
# A tenant id or a verified domain: what may name a file in the sign-in folder.
_TENANT = re.compile(r"^[A-Za-z0-9][A-Za-z0-9.-]{0,252}$")
DELEGATED_FLOWS = ("browser", "device-code")


def check_tenant_name(tenant: str) -> str:
    """`tenant` lower-cased, if it can be a tenant id or domain (never a path).

    Raises:
        GraphAuthError: it cannot.
    """
    if not _TENANT.fullmatch(tenant) or ".." in tenant:
        raise GraphAuthError(
            f"{tenant!r} is not a tenant id or domain",
            hint="give the tenant's id (a GUID) or its domain, e.g. contoso.onmicrosoft.com",
        )
    return tenant.lower()


@dataclass(frozen=True)
class StoredSignIn:
    """One stored delegated sign-in (never a token: the record says who, not how)."""

    tenant_id: str
    username: str
    client_id: str
    authority: str
    flow: str
    scopes: tuple[str, ...]
    encrypted_cache: bool
    signed_in_at: str
    home_account_id: str
    aliases: tuple[str, ...] = ()
    record_json: str = field(default="", repr=False)
    path: Path | None = field(default=None, compare=False)

    @classmethod
    def from_record(
        cls,
        record: AuthenticationRecord,
        *,
        flow: str,
        scopes: tuple[str, ...],
        encrypted_cache: bool,
        asked_for: str | None = None,
    ) -> StoredSignIn:
        tenant = record.tenant_id.lower()
        aliases = (asked_for.lower(),) if asked_for and asked_for.lower() != tenant else ()
        return cls(
            tenant_id=tenant,
            username=record.username,
            client_id=record.client_id,
            authority=record.authority,
            flow=flow,
            scopes=scopes,
            encrypted_cache=encrypted_cache,
            signed_in_at=iso_z(utc_now()),
            home_account_id=record.home_account_id,
            aliases=aliases,
            record_json=record.serialize(),
        )

    def record(self) -> AuthenticationRecord:
        """The azure-identity `AuthenticationRecord` to build a credential with."""
        from azure.identity import AuthenticationRecord

        return AuthenticationRecord.deserialize(self.record_json)

    def answers_to(self, tenant: str) -> bool:
        """True when `tenant` (an id or a domain used at login) names this sign-in."""
        return tenant.lower() == self.tenant_id or tenant.lower() in self.aliases

    def describe(self) -> dict[str, Any]:
        """What `whoami --all` shows (camelCase, as the JSON output elsewhere)."""
        return {
            "tenantId": self.tenant_id,
            "account": self.username,
            "clientId": self.client_id,
            "authority": self.authority,
            "flow": self.flow,
            "scopes": list(self.scopes),
            "signedInAt": self.signed_in_at,
            "recordFile": str(self.path) if self.path else None,
            "tokenCache": str(token_cache_path()),
            "cacheEncrypted": self.encrypted_cache,
        }


class SignInStore:
    """The stored sign-ins of one folder (`GraphSettings.signins`)."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def path_for(self, tenant: str) -> Path:
        return self.folder / f"{check_tenant_name(tenant)}.json"

    def all(self) -> list[StoredSignIn]:
        """Every stored sign-in, by tenant id.

        Raises:
            GraphAuthError: a file in the folder is not a stored sign-in.
        """
        if not self.folder.is_dir():
            return []
        return sorted(
            (_read(path) for path in self.folder.glob("*.json")), key=lambda s: s.tenant_id
        )

    def find(self, tenant: str | None) -> StoredSignIn | None:
        """The sign-in for `tenant`; with no tenant, the only one stored (None when none).

        Raises:
            GraphAuthError: no tenant was named and several sign-ins are stored.
        """
        stored = self.all()
        if tenant is not None:
            return next((s for s in stored if s.answers_to(tenant)), None)
        if len(stored) > 1:
            tenants = ", ".join(s.tenant_id for s in stored)
            raise GraphAuthError(
                f"several sign-ins are stored ({tenants}) and no tenant was named",
                hint="name one with --tenant-id or ENTRA_RECOVERY_TENANT_ID (a plan names its own)",
            )
        return stored[0] if stored else None

    def save(self, signin: StoredSignIn) -> StoredSignIn:
        """Store (or replace) the tenant's sign-in; the file is 0600 in a 0700 folder."""
        ensure_dir(self.folder)
        path = self.path_for(signin.tenant_id)
        data = asdict(signin)
        data.pop("path")
        data["record"] = json.loads(data.pop("record_json"))
        data["version"] = FORMAT_VERSION
        write_private(path, json.dumps(data, indent=2, sort_keys=True).encode("utf-8"))
        return StoredSignIn(**{**asdict(signin), "path": path})

    def remove(self, signin: StoredSignIn) -> None:
        if signin.path is not None:
            signin.path.unlink(missing_ok=True)


def _read(path: Path) -> StoredSignIn:
    redo = f"run `entra-recovery logout --tenant-id {path.stem}` or delete {path}, then log in"
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        record = data["record"]
        signin = StoredSignIn(
            tenant_id=str(data["tenant_id"]),
            username=str(data["username"]),
            client_id=str(data["client_id"]),
            authority=str(data["authority"]),
            flow=str(data["flow"]),
            scopes=tuple(str(s) for s in data["scopes"]),
            encrypted_cache=bool(data["encrypted_cache"]),
            signed_in_at=str(data["signed_in_at"]),
            home_account_id=str(data["home_account_id"]),
            aliases=tuple(str(a) for a in data.get("aliases", ())),
            record_json=json.dumps(record),
            path=path,
        )
    except OSError as exc:
        raise GraphAuthError(
            f"cannot read the stored sign-in {path}: {exc.strerror or type(exc).__name__}",
            hint=redo,
        ) from None
    except (ValueError, KeyError, TypeError) as exc:  # JSONDecodeError is a ValueError
        raise GraphAuthError(
            f"{path} is not a stored sign-in ({type(exc).__name__}: {exc})", hint=redo
        ) from None
    if signin.flow not in DELEGATED_FLOWS or not isinstance(record, dict):
        raise GraphAuthError(f"{path} is not a stored sign-in (flow {signin.flow!r})", hint=redo)
    return signin


def cache_options(*, allow_unencrypted: bool) -> TokenCachePersistenceOptions:
    """azure-identity's options for our persistent token cache."""
    from azure.identity import TokenCachePersistenceOptions

    return TokenCachePersistenceOptions(
        name=TOKEN_CACHE_NAME, allow_unencrypted_storage=allow_unencrypted
    )


def token_cache_path() -> Path:
    """Where azure-identity keeps our cache (its CAE half: every token we ask for is CAE)."""
    if sys.platform.startswith("win") and "LOCALAPPDATA" in os.environ:
        base = Path(os.environ["LOCALAPPDATA"]) / ".IdentityService"
    else:
        base = Path("~").expanduser() / ".IdentityService"
    return base / f"{TOKEN_CACHE_NAME}.cae"


def cache_is_encrypted(*, allow_unencrypted: bool) -> bool:
    """Whether azure-identity would encrypt our cache here (False: a plain 0600 file).

    Raises:
        ValueError: encryption is impossible and `allow_unencrypted` is False (azure-identity's
            own error, which `authfailures` explains).
    """
    from azure.identity._persistent_cache import _get_persistence
    from msal_extensions import FilePersistence  # type: ignore[import-untyped]

    persistence = _get_persistence(
        allow_unencrypted=allow_unencrypted,
        account_name="MSALCache",
        cache_name=token_cache_path().name,
    )
    return type(persistence) is not FilePersistence


def forget_tokens(signin: StoredSignIn, others: list[StoredSignIn]) -> int:
    """Remove `signin`'s tokens from the persistent cache; return how many entries went.

    Access and ID tokens are per tenant; the refresh token and account belong to the user's
    home account, which a guest administrator shares between tenants: those are removed only
    when no other stored sign-in uses the same account.
    """
    from azure.identity._persistent_cache import _load_persistent_cache
    from msal import TokenCache  # type: ignore[import-untyped]

    kinds = TokenCache.CredentialType
    account = signin.home_account_id
    shared = any(o.home_account_id == account and o.tenant_id != signin.tenant_id for o in others)
    removed = 0
    options = cache_options(allow_unencrypted=not signin.encrypted_cache)
    for is_cae in (True, False):
        cache = _load_persistent_cache(options, is_cae=is_cae)
        query = {"home_account_id": account}
        for kind in (kinds.ACCESS_TOKEN, kinds.ID_TOKEN):
            for item in _entries(cache, kind, query):
                if item.get("realm", "").lower() == signin.tenant_id:
                    cache.modify(kind, item)
                    removed += 1
        if shared:
            continue
        for kind in (kinds.REFRESH_TOKEN, kinds.ACCOUNT):
            for item in _entries(cache, kind, query):
                cache.modify(kind, item)
                removed += 1
    return removed


def _entries(cache: Any, kind: str, query: dict[str, str]) -> list[dict[str, Any]]:
    """The cache entries of `kind` matching `query` (MSAL's `search`, or `find` before 1.29)."""
    search = getattr(cache, "search", None)
    found = search(kind, query=query) if search is not None else cache.find(kind, query=query)
    return list(found)

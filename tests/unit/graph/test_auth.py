"""Credential selection, the static-token credential, scopes and claim decoding."""

from __future__ import annotations

import base64
import json
from pathlib import Path

import pytest

from entra_recovery.constants import SCOPE_PREVIEW
from entra_recovery.errors import GraphAuthError
from entra_recovery.graph import auth
from entra_recovery.graph.settings import GraphSettings

from .conftest import YouForgotToUseTheEmulator


def make_jwt(claims: dict[str, object]) -> str:
    def part(data: dict[str, object]) -> str:
        return base64.urlsafe_b64encode(json.dumps(data).encode()).decode().rstrip("=")

    return f"{part({'alg': 'none', 'typ': 'JWT'})}.{part(claims)}."


def test_static_token_credential_returns_the_token_with_its_expiry() -> None:
    """The token is returned as is, for any scopes, and hidden from repr."""
    token = make_jwt({"exp": 4102444800, "tid": "t"})
    credential = auth.StaticTokenCredential(token)
    access = credential.get_token("https://graph.microsoft.com/EntraBackup.Read.All")
    assert access.token == token and access.expires_on == 4102444800
    assert token not in repr(credential)


def test_async_static_token_credential() -> None:
    """The async twin awaits to the same token."""
    import asyncio

    token = make_jwt({"tid": "t"})
    access = asyncio.run(auth.AsyncStaticTokenCredential(token).get_token("x"))
    assert access.token == token


@pytest.mark.parametrize("token", ["", "two words"])
def test_static_token_must_be_one_word(token: str) -> None:
    """Empty or spaced tokens are refused."""
    with pytest.raises(GraphAuthError):
        auth.StaticTokenCredential(token)


def test_token_method_without_token_is_a_clear_error() -> None:
    """--auth token with no ENTRA_RECOVERY_ACCESS_TOKEN names the variable."""
    with pytest.raises(GraphAuthError, match="ENTRA_RECOVERY_ACCESS_TOKEN"):
        auth.build_credential(GraphSettings(auth_method="token"))


def test_auto_prefers_the_static_token() -> None:
    """auto with a token set never builds an azure-identity credential."""
    settings = GraphSettings(access_token=make_jwt({}))
    assert auth.choose_sign_in(settings).method == "token"
    assert isinstance(auth.build_credential(settings), auth.StaticTokenCredential)


def test_real_credentials_are_forbidden_in_tests() -> None:
    """The autouse guard stops any azure-identity credential from being built."""
    with pytest.raises(YouForgotToUseTheEmulator, match="static token"):
        auth.build_credential(GraphSettings(auth_method="azure-cli"))


@pytest.mark.parametrize(
    ("method", "expected"),
    [
        ("browser", ["https://graph.microsoft.com/EntraBackup.ReadWrite.Preview"]),
        ("device-code", ["https://graph.microsoft.com/EntraBackup.ReadWrite.Preview"]),
        ("azure-cli", ["https://graph.microsoft.com/.default"]),
        ("managed-identity", ["https://graph.microsoft.com/.default"]),
        ("environment", ["https://graph.microsoft.com/.default"]),
    ],
)
def test_scopes_are_least_privileged_when_delegated(method: str, expected: list[str]) -> None:
    """Delegated sign-ins ask for the operation's scope; others can only ask for .default."""
    assert auth.scopes_for((SCOPE_PREVIEW,), method) == expected


def test_identity_from_claims() -> None:
    """Tenant, user, object id, scopes and roles are read from the claims."""
    claims: dict[str, object] = {
        "tid": "5f0c1a2b-3c4d-4e5f-8a9b-0c1d2e3f4a5b",
        "upn": "admin@contoso.onmicrosoft.com",
        "oid": "o",
        "scp": "EntraBackup.Read.All EntraBackup.ReadWrite.Preview",
        "roles": ["r"],
    }
    identity = auth.identity_from_claims(auth.decode_claims(make_jwt(claims)))
    assert identity.tenant_id == claims["tid"] and identity.user == claims["upn"]
    assert identity.scopes == ("EntraBackup.Read.All", "EntraBackup.ReadWrite.Preview")
    assert identity.roles == ("r",)


@pytest.mark.parametrize("token", ["opaque", "a.b.c", "a.!!!.c"])
def test_decode_claims_of_non_jwt_is_empty(token: str) -> None:
    """Opaque tokens decode to no claims rather than failing."""
    assert auth.decode_claims(token) == {}


def test_a_malformed_tenant_is_refused_before_any_credential(tmp_path: Path) -> None:
    """A tenant that cannot name a file or an authority never reaches azure-identity."""
    settings = GraphSettings(
        auth_method="device-code", tenant_id="not a tenant!", signin_dir=tmp_path
    )
    with pytest.raises(GraphAuthError, match="is not a tenant id or domain"):
        auth.build_credential(settings)


def test_auto_without_a_sign_in_or_a_person_fails_naming_login(tmp_path: Path) -> None:
    """No token, nothing stored, nobody at a terminal: the command to run, no flow started."""
    settings = GraphSettings(tenant_id="t.example", signin_dir=tmp_path)
    with pytest.raises(GraphAuthError, match=r"not signed in for tenant t\.example") as info:
        auth.choose_sign_in(settings)
    assert "entra-recovery login --tenant-id t.example" in (info.value.hint or "")


def test_auto_with_a_person_and_nothing_stored_chooses_the_browser(tmp_path: Path) -> None:
    """At a terminal, auto signs in with a browser (never the Azure CLI, even when on PATH)."""
    settings = GraphSettings(interactive=True, signin_dir=tmp_path)
    assert auth.choose_sign_in(settings) == auth.SignInChoice("browser", None)


@pytest.mark.parametrize("method", ["environment", "managed-identity", "workload-identity"])
def test_app_only_sign_ins_are_refused_for_sessions_that_create_jobs(method: str) -> None:
    """Creating jobs is delegated-only: refused before any credential or request."""
    settings = GraphSettings(auth_method=method)
    with pytest.raises(GraphAuthError, match="signs in as an application, which can only read"):
        auth.build_credential(settings, permissions=auth.ALL_PERMISSIONS)


def test_identity_from_credential_registers_the_token_it_reads() -> None:
    """Reading claims asks for a token; that token is redacted from then on."""
    import asyncio
    import secrets

    from entra_recovery.redaction import REDACTED
    from entra_recovery.redaction import redact

    token = f"opaque{secrets.token_hex(16)}"

    class Credential:
        def get_token(self, *scopes: str, **kwargs: object) -> object:
            from azure.core.credentials import AccessToken

            return AccessToken(token, 2**31)

    identity = asyncio.run(auth.identity_from_credential(Credential(), "azure-cli"))  # type: ignore[arg-type]
    assert identity.tenant_id is None
    assert redact(token) == REDACTED

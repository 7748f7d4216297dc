"""Credential selection, the static-token credential, scopes and claim decoding."""

from __future__ import annotations

import base64
import json
import os
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
    assert auth.resolve_method(settings) == "token"
    assert isinstance(auth.build_credential(settings), auth.StaticTokenCredential)


def test_real_credentials_are_forbidden_in_tests() -> None:
    """The autouse guard stops any azure-identity credential from being built."""
    with pytest.raises(YouForgotToUseTheEmulator, match="static token"):
        auth.build_credential(GraphSettings(auth_method="device-code"))


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


# Kept before the autouse guard replaces it: azure-identity refusing an option needs the real one.
REAL_AZURE_CREDENTIAL = auth._build_azure_credential


def test_saved_sign_in_is_none_without_the_variable() -> None:
    """No ENTRA_RECOVERY_AUTH_RECORD: no persistent sign-in."""
    assert auth.saved_sign_in({}) is None


def test_saved_sign_in_at_a_new_path_has_no_record_yet(tmp_path: Path) -> None:
    """A path that does not exist yet is where the first interactive sign-in will be saved."""
    path = tmp_path / "sub" / "record.json"
    saved = auth.saved_sign_in({auth.ENV_AUTH_RECORD: str(path)})
    assert saved == auth.SavedSignIn(path, None)


def test_saved_sign_in_reads_a_record(tmp_path: Path) -> None:
    """A record azure-identity serialized is read back as is."""
    from azure.identity import AuthenticationRecord

    record = AuthenticationRecord("t-1", "c-1", "login.microsoftonline.com", "h.t-1", "a@b.c")
    path = tmp_path / "record.json"
    path.write_text(record.serialize(), encoding="utf-8")
    saved = auth.saved_sign_in({auth.ENV_AUTH_RECORD: str(path)})
    assert saved is not None and saved.record is not None
    assert (saved.record.username, saved.record.tenant_id) == ("a@b.c", "t-1")


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads files whatever their mode")
def test_saved_sign_in_without_read_permission_is_an_auth_error(tmp_path: Path) -> None:
    """A record the user may not read names the file and the cause."""
    path = tmp_path / "record.json"
    path.write_text("{}", encoding="utf-8")
    path.chmod(0)
    with pytest.raises(GraphAuthError, match="Permission denied") as info:
        auth.saved_sign_in({auth.ENV_AUTH_RECORD: str(path)})
    assert str(path) in str(info.value)


def test_corrupt_saved_sign_in_is_an_auth_error_before_any_credential(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """build_credential reads the record first: a corrupt one never reaches azure-identity."""
    path = tmp_path / "record.json"
    path.write_text("{not json", encoding="utf-8")
    monkeypatch.setenv(auth.ENV_AUTH_RECORD, str(path))
    with pytest.raises(GraphAuthError, match="is not a saved sign-in") as info:
        auth.build_credential(GraphSettings(auth_method="browser"))
    assert info.value.hint is not None and f"delete {path}" in info.value.hint


def test_an_option_azure_identity_refuses_is_an_auth_error(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A malformed tenant id fails in azure-identity's constructor: a GraphAuthError, chained."""
    monkeypatch.setattr(auth, "_build_azure_credential", REAL_AZURE_CREDENTIAL)
    settings = GraphSettings(auth_method="device-code", tenant_id="not a tenant!")
    with pytest.raises(GraphAuthError) as info:
        auth.build_credential(settings)
    assert str(info.value).startswith("could not set up the device-code sign-in (ValueError)")
    assert isinstance(info.value.__cause__, ValueError)
    assert "--tenant-id" in (info.value.hint or "")


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

"""Stored sign-ins: the record files, tenant names, and the persistent token cache helpers.

The cache tests sign in for real (azure-identity and MSAL against the local sign-in authority,
tests/helpers/authority.py) with HOME in a temporary folder, so the cache is a throwaway file.
"""

from __future__ import annotations

import json
import stat
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from entra_recovery.errors import GraphAuthError
from entra_recovery.graph.login import login
from entra_recovery.graph.settings import GraphSettings
from entra_recovery.graph.signins import SignInStore
from entra_recovery.graph.signins import StoredSignIn
from entra_recovery.graph.signins import cache_is_encrypted
from entra_recovery.graph.signins import check_tenant_name
from entra_recovery.graph.signins import forget_tokens
from entra_recovery.graph.signins import token_cache_path
from helpers.authority import AuthorityStandIn

TENANT = "5f0c1a2b-3c4d-4e5f-8a9b-0c1d2e3f4a5b"
OTHER = "0e1d2c3b-4a59-4687-9a0b-1c2d3e4f5a6b"
USER = "ada@contoso.example"
CLIENT = "14d82eec-204b-4c2f-b7e8-296a70dab67e"
HOME_ACCOUNT = f"e188b3b9-3fcc-5cb8-a62f-75bd61dfd56f.{TENANT}"


def make_signin(
    tenant: str = TENANT,
    *,
    flow: str = "device-code",
    asked_for: str | None = None,
    home_account: str = HOME_ACCOUNT,
) -> StoredSignIn:
    from azure.identity import AuthenticationRecord

    record = AuthenticationRecord(tenant, CLIENT, "login.microsoftonline.com", home_account, USER)
    return StoredSignIn.from_record(
        record,
        flow=flow,
        scopes=("EntraBackup.Read.All",),
        encrypted_cache=False,
        asked_for=asked_for,
    )


# --- the record files -----------------------------------------------------------------------


def test_save_then_read_round_trips_every_field(tmp_path: Path) -> None:
    """What is saved reads back equal, with its path; the file is 0600 in a 0700 folder."""
    store = SignInStore(tmp_path / "signins")
    signin = make_signin(TENANT.upper(), asked_for="Contoso.Example")
    saved = store.save(signin)
    path = tmp_path / "signins" / f"{TENANT}.json"
    assert saved.path == path
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    (read,) = store.all()
    assert read == signin and read.path == path
    assert read.tenant_id == TENANT and read.aliases == ("contoso.example",)
    assert read.username == USER and read.client_id == CLIENT and read.flow == "device-code"
    assert read.scopes == ("EntraBackup.Read.All",) and read.encrypted_cache is False
    assert read.signed_in_at.endswith("Z")
    record = read.record()
    assert (record.tenant_id, record.username, record.home_account_id) == (
        TENANT.upper(),
        USER,
        HOME_ACCOUNT,
    )
    data = json.loads(path.read_text())
    assert data["version"] == 1 and isinstance(data["record"], dict)
    assert "path" not in data and "record_json" not in data


def test_saving_again_replaces_the_tenants_sign_in(tmp_path: Path) -> None:
    """One file per tenant: a second login to it replaces the first."""
    store = SignInStore(tmp_path)
    store.save(make_signin(flow="browser"))
    store.save(make_signin(flow="device-code"))
    assert [s.flow for s in store.all()] == ["device-code"]
    assert [p.name for p in tmp_path.iterdir()] == [f"{TENANT}.json"]


def test_no_alias_when_the_tenant_id_was_given(tmp_path: Path) -> None:
    """Logging in with the id itself (any case) adds no alias."""
    assert make_signin(asked_for=TENANT.upper()).aliases == ()
    assert make_signin(asked_for=None).aliases == ()


def test_find_by_id_by_alias_and_the_only_one(tmp_path: Path) -> None:
    store = SignInStore(tmp_path / "signins")
    store.save(make_signin(asked_for="contoso.example"))
    assert (found := store.find(TENANT.upper())) is not None and found.tenant_id == TENANT
    assert (alias := store.find("CONTOSO.example")) is not None and alias.tenant_id == TENANT
    assert (only := store.find(None)) is not None and only.tenant_id == TENANT
    assert store.find("fabrikam.example") is None


def test_find_is_none_when_nothing_is_stored(tmp_path: Path) -> None:
    assert SignInStore(tmp_path / "missing").find(None) is None
    assert SignInStore(tmp_path / "missing").all() == []
    (tmp_path / "empty").mkdir()
    assert SignInStore(tmp_path / "empty").find(TENANT) is None


def test_several_stored_and_no_tenant_named_is_an_error(tmp_path: Path) -> None:
    store = SignInStore(tmp_path)
    store.save(make_signin(TENANT))
    store.save(make_signin(OTHER))
    with pytest.raises(GraphAuthError, match="several sign-ins are stored") as caught:
        store.find(None)
    assert f"({OTHER}, {TENANT})" in caught.value.message  # sorted by tenant id
    assert caught.value.hint is not None and "--tenant-id" in caught.value.hint
    assert (chosen := store.find(OTHER)) is not None and chosen.tenant_id == OTHER


def _valid_data(tmp_path: Path) -> dict[str, Any]:
    path = SignInStore(tmp_path / "src").save(make_signin()).path
    assert path is not None
    data: dict[str, Any] = json.loads(path.read_text())
    return data


@pytest.mark.parametrize(
    ("damage", "expected"),
    [
        ("not json", r"is not a stored sign-in \(JSONDecodeError"),
        ("[]", r"is not a stored sign-in \(TypeError"),
        ("missing:username", r"is not a stored sign-in \(KeyError: 'username'"),
        ("missing:record", r"is not a stored sign-in \(KeyError: 'record'"),
        ("flow:client-secret", r"is not a stored sign-in \(flow 'client-secret'\)"),
        ("record:text", r"is not a stored sign-in \(flow 'device-code'\)"),
        ("directory", r"cannot read the stored sign-in"),
    ],
)
def test_a_damaged_file_names_itself_and_the_logout_command(
    tmp_path: Path, damage: str, expected: str
) -> None:
    """Bad JSON, missing keys, a wrong flow or an unreadable file: one explained error."""
    folder = tmp_path / "signins"
    folder.mkdir()
    path = folder / "broken.example.json"
    data = _valid_data(tmp_path)
    if damage == "directory":
        path.mkdir()  # read_text raises IsADirectoryError, even as root
    elif damage.startswith("missing:"):
        del data[damage.partition(":")[2]]
        path.write_text(json.dumps(data))
    elif damage.startswith("flow:"):
        path.write_text(json.dumps({**data, "flow": damage.partition(":")[2]}))
    elif damage == "record:text":
        path.write_text(json.dumps({**data, "record": "a string"}))
    else:
        path.write_text(damage)
    store = SignInStore(folder)
    with pytest.raises(GraphAuthError, match=expected) as caught:
        store.all()
    assert str(path) in caught.value.message
    assert caught.value.hint is not None
    assert "entra-recovery logout --tenant-id broken.example" in caught.value.hint
    assert str(path) in caught.value.hint
    with pytest.raises(GraphAuthError):
        store.find(TENANT)


@pytest.mark.parametrize("name", ["../x", "a/b", "", " ", "a b", "a" * 300, "a..b", ".x", "-x"])
def test_check_tenant_name_refuses_what_could_be_a_path(name: str) -> None:
    with pytest.raises(GraphAuthError, match="is not a tenant id or domain") as caught:
        check_tenant_name(name)
    assert caught.value.hint is not None and "GUID" in caught.value.hint


def test_check_tenant_name_refuses_a_trailing_newline() -> None:
    """FAILS (bug): `$` in `_TENANT` also matches before a final newline, so "contoso.com\\n"
    is accepted and would name the file `contoso.com\\n.json` (use `\\Z` or `fullmatch`)."""
    with pytest.raises(GraphAuthError):
        check_tenant_name("contoso.com\n")


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        (TENANT.upper(), TENANT),
        ("Contoso.onmicrosoft.com", "contoso.onmicrosoft.com"),
        ("a" * 253, "a" * 253),
    ],
)
def test_check_tenant_name_accepts_ids_and_domains(name: str, expected: str) -> None:
    assert check_tenant_name(name) == expected


def test_path_for_refuses_a_path_like_tenant(tmp_path: Path) -> None:
    with pytest.raises(GraphAuthError):
        SignInStore(tmp_path).path_for("../escape")
    assert SignInStore(tmp_path).path_for("X.example") == tmp_path / "x.example.json"


def test_describe_keys(tmp_path: Path, home: Path) -> None:
    saved = SignInStore(tmp_path).save(make_signin())
    shown = saved.describe()
    assert set(shown) == {
        "tenantId",
        "account",
        "clientId",
        "authority",
        "flow",
        "scopes",
        "signedInAt",
        "recordFile",
        "tokenCache",
        "cacheEncrypted",
    }
    assert shown["recordFile"] == str(saved.path) and shown["scopes"] == ["EntraBackup.Read.All"]
    assert shown["tokenCache"] == str(home / ".IdentityService" / "entra-recovery.cae")
    assert shown["cacheEncrypted"] is False and shown["account"] == USER
    assert make_signin().describe()["recordFile"] is None
    assert "record_json" not in repr(saved) and "home_account" in repr(saved)


# --- the token cache ----------------------------------------------------------------------


def test_token_cache_path_is_under_home(home: Path) -> None:
    assert token_cache_path() == home / ".IdentityService" / "entra-recovery.cae"


def test_cache_cannot_be_encrypted_on_this_machine(home: Path) -> None:
    """No libsecret here: a plain file when allowed, azure-identity's ValueError when not."""
    assert cache_is_encrypted(allow_unencrypted=True) is False
    with pytest.raises(ValueError, match="Cache encryption is impossible"):
        cache_is_encrypted(allow_unencrypted=False)


@pytest.fixture
def standin(home: Path) -> Iterator[AuthorityStandIn]:
    with AuthorityStandIn(TENANT, user=USER) as server, server.trust():
        yield server


def settings_for(standin: AuthorityStandIn, tmp_path: Path, tenant: str) -> GraphSettings:
    return GraphSettings(
        authority=standin.authority.removeprefix("https://"),
        tenant_id=tenant,
        allow_unencrypted_cache=True,
        signin_dir=tmp_path / "signins",
    )


def cached(home: Path) -> dict[str, dict[str, Any]]:
    data: dict[str, dict[str, Any]] = json.loads(
        (home / ".IdentityService" / "entra-recovery.cae").read_text()
    )
    return data


def realms(home: Path, section: str) -> list[str]:
    return sorted(e["realm"] for e in cached(home).get(section, {}).values())


def test_a_real_login_stores_a_record_without_tokens(
    standin: AuthorityStandIn, tmp_path: Path, home: Path
) -> None:
    signin = login(settings_for(standin, tmp_path, TENANT), flow="device-code")
    assert signin.path is not None
    text = signin.path.read_text()
    secrets = [
        e["secret"]
        for section in ("AccessToken", "RefreshToken", "IdToken")
        for e in cached(home)[section].values()
    ]
    assert len(secrets) >= 3
    assert not any(secret in text for secret in secrets)
    assert "eyJ" not in text and "secret" not in text
    assert signin.home_account_id.endswith(f".{TENANT}")


def test_forget_tokens_keeps_a_refresh_token_another_tenant_shares(
    standin: AuthorityStandIn, tmp_path: Path, home: Path
) -> None:
    """A guest in two tenants: forgetting one removes its access and ID tokens only; the
    refresh token goes with the last sign-in of that account."""
    first = login(settings_for(standin, tmp_path, TENANT), flow="device-code")
    standin.tenants.add(OTHER)
    second = login(settings_for(standin, tmp_path, OTHER), flow="device-code")
    assert first.home_account_id == second.home_account_id
    assert realms(home, "AccessToken") == sorted([TENANT, OTHER])
    assert realms(home, "IdToken") == sorted([TENANT, OTHER])

    removed = forget_tokens(first, [first, second])
    assert removed == 2  # one access token and one ID token
    assert realms(home, "AccessToken") == [OTHER]
    assert realms(home, "IdToken") == [OTHER]
    assert cached(home)["RefreshToken"]
    assert cached(home)["Account"]

    assert forget_tokens(second, []) >= 3
    left = cached(home)
    assert not left.get("AccessToken") and not left.get("IdToken")
    assert not left.get("RefreshToken") and not left.get("Account")


def test_forget_tokens_removes_the_refresh_token_when_nobody_shares_it(
    standin: AuthorityStandIn, tmp_path: Path, home: Path
) -> None:
    signin = login(settings_for(standin, tmp_path, TENANT), flow="device-code")
    unrelated = make_signin(OTHER, home_account=f"someone-else.{OTHER}")
    assert cached(home)["RefreshToken"]
    assert forget_tokens(signin, [unrelated]) >= 4
    left = cached(home)
    assert not left.get("AccessToken") and not left.get("IdToken")
    assert not left.get("RefreshToken") and not left.get("Account")

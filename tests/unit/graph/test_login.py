"""`login`, `whoami` and `logout` below the CLI, against the local sign-in authority
(tests/helpers/authority.py: real azure-identity and MSAL, HOME in tmp for the token cache)."""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from entra_recovery.errors import GraphAuthError
from entra_recovery.graph import auth
from entra_recovery.graph.login import login
from entra_recovery.graph.login import logout
from entra_recovery.graph.login import stored_sign_ins
from entra_recovery.graph.login import whoami
from entra_recovery.graph.settings import GraphSettings
from helpers.authority import AuthorityStandIn

TENANT = "5f0c1a2b-3c4d-4e5f-8a9b-0c1d2e3f4a5b"
OTHER = "0e1d2c3b-4a59-4687-9a0b-1c2d3e4f5a6b"
USER = "ada@contoso.example"


@pytest.fixture(autouse=True)
def _no_real_credentials() -> None:
    """Overrides the graph conftest's guard: here credentials are real, against the stand-in."""


@pytest.fixture
def standin(home: Path) -> Iterator[AuthorityStandIn]:
    with AuthorityStandIn(TENANT, user=USER) as server, server.trust():
        yield server


def settings_for(
    standin: AuthorityStandIn, tmp_path: Path, tenant: str | None = TENANT
) -> GraphSettings:
    return GraphSettings(
        authority=standin.authority.removeprefix("https://"),
        tenant_id=tenant,
        allow_unencrypted_cache=True,
        signin_dir=tmp_path / "signins",
    )


def make_jwt(claims: dict[str, Any]) -> str:
    def part(data: dict[str, Any]) -> str:
        return base64.urlsafe_b64encode(json.dumps(data).encode()).decode().rstrip("=")

    return f"{part({'alg': 'none', 'typ': 'JWT'})}.{part(claims)}.sig"


def cache(home: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(
        (home / ".IdentityService" / "entra-recovery.cae").read_text()
    )
    return data


def test_whoami_for_a_static_token(tmp_path: Path) -> None:
    """ENTRA_RECOVERY_ACCESS_TOKEN: who from its claims, expiry from its exp, never the text."""
    token = make_jwt(
        {
            "exp": 4102444800,  # 2100-01-01T00:00:00Z
            "tid": TENANT,
            "upn": USER,
            "appid": "app-1",
            "scp": "EntraBackup.Read.All EntraBackup.ReadWrite.Preview",
            "roles": ["Reader"],
        }
    )
    who = whoami(GraphSettings(access_token=token, signin_dir=tmp_path / "none"))
    assert who.auth == "token" and who.source == "ENTRA_RECOVERY_ACCESS_TOKEN"
    assert who.expires_on == "2100-01-01T00:00:00Z"
    assert (who.account, who.tenant_id, who.client_id) == (USER, TENANT, "app-1")
    assert who.scopes == ("EntraBackup.Read.All", "EntraBackup.ReadWrite.Preview")
    assert who.roles == ("Reader",) and who.signin is None
    shown = who.to_json()
    assert token not in json.dumps(shown) and token.split(".")[1] not in json.dumps(shown)
    assert shown["tokenExpiresOn"] == "2100-01-01T00:00:00Z"
    assert shown["recordFile"] is None and shown["tokenCache"] is None
    assert shown["cacheEncrypted"] is None


def test_whoami_for_a_stored_sign_in(standin: AuthorityStandIn, tmp_path: Path, home: Path) -> None:
    """After one device-code login, whoami signs in silently (no second prompt)."""
    signin = login(settings_for(standin, tmp_path), flow="device-code")
    assert standin.prompts == 1
    assert [s.tenant_id for s in stored_sign_ins(settings_for(standin, tmp_path))] == [TENANT]
    auth.forget_credentials()
    who = whoami(settings_for(standin, tmp_path, tenant=None))
    assert standin.prompts == 1
    assert who.auth == "device-code" and who.source == "stored sign-in"
    assert who.account == USER and who.tenant_id == TENANT
    assert "EntraBackup.Read.All" in who.scopes
    assert who.signin == signin
    shown = who.to_json()
    assert shown["recordFile"] == str(tmp_path / "signins" / f"{TENANT}.json")
    assert shown["tokenCache"] == str(home / ".IdentityService" / "entra-recovery.cae")
    assert shown["cacheEncrypted"] is False
    secrets = [e["secret"] for e in cache(home)["AccessToken"].values()]
    assert secrets and not any(s in json.dumps(shown) for s in secrets)


def test_whoami_with_nothing_stored_names_login(standin: AuthorityStandIn, tmp_path: Path) -> None:
    with pytest.raises(GraphAuthError, match=f"not signed in for tenant {TENANT}") as caught:
        whoami(settings_for(standin, tmp_path))
    assert caught.value.hint is not None
    assert f"entra-recovery login --tenant-id {TENANT}" in caught.value.hint
    assert standin.prompts == 0


def test_a_failed_login_is_explained_and_stores_nothing(
    standin: AuthorityStandIn, tmp_path: Path
) -> None:
    standin.fail_next(50020, "User account does not exist in tenant.")
    with pytest.raises(GraphAuthError, match="not a member or guest") as caught:
        login(settings_for(standin, tmp_path), flow="device-code")
    assert caught.value.hint is not None and "--tenant-id" in caught.value.hint
    assert stored_sign_ins(settings_for(standin, tmp_path)) == []


def test_login_without_encryption_allowed_refuses_before_any_prompt(
    standin: AuthorityStandIn, tmp_path: Path
) -> None:
    settings = GraphSettings(
        authority=standin.authority.removeprefix("https://"),
        tenant_id=TENANT,
        signin_dir=tmp_path / "signins",
    )
    with pytest.raises(GraphAuthError, match="cannot be encrypted"):
        login(settings, flow="device-code")
    assert standin.prompts == 0


def test_logout_all_forgets_every_sign_in_and_its_tokens(
    standin: AuthorityStandIn, tmp_path: Path, home: Path
) -> None:
    login(settings_for(standin, tmp_path), flow="device-code")
    standin.tenants.add(OTHER)  # a guest administrator there too
    login(settings_for(standin, tmp_path, OTHER), flow="device-code")
    assert cache(home)["RefreshToken"]
    forgotten = logout(settings_for(standin, tmp_path, tenant=None), everything=True)
    assert sorted(s.tenant_id for s in forgotten) == sorted([TENANT, OTHER])
    assert list((tmp_path / "signins").iterdir()) == []
    left = cache(home)
    assert not left.get("RefreshToken") and not left.get("AccessToken")
    assert not left.get("IdToken")
    assert logout(settings_for(standin, tmp_path, tenant=None), everything=True) == []


def test_logout_of_one_tenant_keeps_the_other(
    standin: AuthorityStandIn, tmp_path: Path, home: Path
) -> None:
    login(settings_for(standin, tmp_path), flow="device-code")
    standin.tenants.add(OTHER)
    login(settings_for(standin, tmp_path, OTHER), flow="device-code")
    (gone,) = logout(settings_for(standin, tmp_path, TENANT))
    assert gone.tenant_id == TENANT
    assert [s.tenant_id for s in stored_sign_ins(settings_for(standin, tmp_path))] == [OTHER]
    assert cache(home)["RefreshToken"]  # the guest's account still signs in to OTHER
    auth.forget_credentials()
    assert whoami(settings_for(standin, tmp_path, OTHER)).tenant_id == OTHER


def test_logout_of_an_unknown_tenant_is_an_error(tmp_path: Path) -> None:
    settings = GraphSettings(tenant_id="fabrikam.example", signin_dir=tmp_path / "signins")
    with pytest.raises(GraphAuthError, match=r"no sign-in is stored for tenant fabrikam\.example"):
        logout(settings)
    with pytest.raises(GraphAuthError, match="no sign-in is stored for any tenant") as caught:
        logout(GraphSettings(signin_dir=tmp_path / "signins"))
    assert caught.value.hint is not None and "whoami --all" in caught.value.hint

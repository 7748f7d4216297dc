"""The sign-in authority stand-in drives azure-identity's and MSAL's real code paths."""

from __future__ import annotations

import base64
import json
import os
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from helpers.authority import AuthorityStandIn

CLIENT_ID = "04b07795-8ddb-461a-bbee-02f9e1bf7b46"
TENANT_ID = "5f0c1a2b-3c4d-4e5f-8a9b-0c1d2e3f4a5b"
GRAPH = "https://graph.microsoft.com/"
SCOPES = [
    GRAPH + "EntraBackup.Read.All",
    GRAPH + "EntraBackup.ReadWrite.Preview",
    GRAPH + "Directory.Read.All",
]


def claims(token: str) -> dict[str, Any]:
    part = token.split(".")[1]
    return dict(json.loads(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))))


@pytest.fixture
def standin(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[AuthorityStandIn]:
    monkeypatch.setenv("HOME", str(tmp_path))  # the persistent cache: ~/.IdentityService
    with AuthorityStandIn(TENANT_ID, user="ada@contoso.example") as s, s.trust():
        yield s


def device_credential(standin: AuthorityStandIn, **kwargs: Any) -> Any:
    from azure.identity import DeviceCodeCredential

    if "authentication_record" not in kwargs:  # else the record names client, authority, tenant
        kwargs.update(client_id=CLIENT_ID, tenant_id=TENANT_ID, authority=standin.authority)
    return DeviceCodeCredential(
        disable_instance_discovery=True,
        prompt_callback=lambda uri, code, expires_on: None,
        **kwargs,
    )


def persisted() -> Any:
    from azure.identity import TokenCachePersistenceOptions

    return TokenCachePersistenceOptions(name="t", allow_unencrypted_storage=True)


def test_device_code_sign_in_then_cached_token(standin: AuthorityStandIn) -> None:
    credential = device_credential(standin)
    record = credential.authenticate(scopes=SCOPES, enable_cae=True)
    assert (record.tenant_id, record.username) == (TENANT_ID, "ada@contoso.example")
    assert record.client_id == CLIENT_ID
    token = credential.get_token(SCOPES[0], enable_cae=True)
    got = claims(token.token)
    assert set(got["scp"].split()) == {s.removeprefix(GRAPH) for s in SCOPES}
    assert (got["tid"], got["upn"], got["appid"]) == (TENANT_ID, record.username, CLIENT_ID)
    assert got["aud"] == "https://graph.microsoft.com" and got["xms_cc"] == ["CP1"]
    assert standin.prompts == 1 and standin.device_code_requests == 1
    assert standin.token_requests == {"device_code": 1}
    logged = [(r.method, r.path.rsplit("/", 1)[-1], r.grant_type) for r in standin.requests]
    assert logged == [
        ("GET", "openid-configuration", None),
        ("POST", "devicecode", None),
        ("POST", "token", "urn:ietf:params:oauth:grant-type:device_code"),
    ]
    assert set(standin.requests[1].scopes) == set(SCOPES)  # MSAL sorts them


def sign_in_and_reload(standin: AuthorityStandIn) -> Any:
    """Sign in once with a persisted cache; a new silent credential from the saved record."""
    from azure.identity import AuthenticationRecord

    first = device_credential(standin, cache_persistence_options=persisted())
    saved = first.authenticate(scopes=SCOPES, enable_cae=True).serialize()
    record = AuthenticationRecord.deserialize(saved)
    assert record.authority == standin.authority.removeprefix("https://")  # the id_token's iss
    return device_credential(
        standin,
        cache_persistence_options=persisted(),
        authentication_record=record,
        disable_automatic_authentication=True,
    )


def test_persisted_cache_refreshes_silently(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("HOME", str(tmp_path))
    with AuthorityStandIn(TENANT_ID, access_token_lifetime=60) as standin, standin.trust():
        silent = sign_in_and_reload(standin)
        token = silent.get_token(SCOPES[1], enable_cae=True)
        assert "EntraBackup.ReadWrite.Preview" in claims(token.token)["scp"].split()
        assert standin.prompts == 1
        assert standin.token_requests == {"device_code": 1, "refresh_token": 1}
        cache = tmp_path / ".IdentityService" / "t.cae"
        assert cache.is_file() and standin.user in cache.read_text()


def test_revoked_refresh_token_needs_authentication(standin: AuthorityStandIn) -> None:
    from azure.identity import AuthenticationRequiredError

    standin.access_token_lifetime = 60
    silent = sign_in_and_reload(standin)
    standin.revoke_refresh_tokens()
    with pytest.raises(AuthenticationRequiredError) as caught:
        silent.get_token(SCOPES[0], enable_cae=True)
    assert caught.value.response is not None
    assert "AADSTS70043" in caught.value.response.text()
    assert standin.prompts == 1 and standin.token_requests["refresh_token"] == 1


def test_scope_not_consented_is_65001(standin: AuthorityStandIn) -> None:
    from azure.identity import AuthenticationRequiredError

    silent = sign_in_and_reload(standin)
    with pytest.raises(AuthenticationRequiredError) as caught:
        silent.get_token(GRAPH + "RoleManagement.ReadWrite.Directory", enable_cae=True)
    assert caught.value.response is not None
    body = json.loads(caught.value.response.text())
    assert body["error_codes"] == [65001] and body["suberror"] == "consent_required"
    assert list(caught.value.scopes) == [GRAPH + "RoleManagement.ReadWrite.Directory"]
    assert standin.prompts == 1


def test_injected_failure_surfaces_on_interactive_flow(standin: AuthorityStandIn) -> None:
    from azure.core.exceptions import ClientAuthenticationError

    standin.fail_next(53003, "Access has been blocked by Conditional Access policies.")
    with pytest.raises(ClientAuthenticationError, match="AADSTS53003"):
        device_credential(standin).get_token(SCOPES[0])
    assert standin.consented(CLIENT_ID) == set()


def test_interactive_browser_with_fake_browser(standin: AuthorityStandIn, tmp_path: Path) -> None:
    # A subprocess, so BROWSER is read afresh by webbrowser (it registers browsers once).
    script = textwrap.dedent(
        f"""
        from azure.identity import InteractiveBrowserCredential
        c = InteractiveBrowserCredential(client_id={CLIENT_ID!r}, tenant_id={TENANT_ID!r},
            authority={standin.authority!r}, disable_instance_discovery=True, timeout=20)
        r = c.authenticate(scopes={SCOPES!r})
        print(r.username, c.get_token({SCOPES[0]!r}).token)
        """
    )
    env = {**os.environ, **standin.env(), "BROWSER": standin.fake_browser_command()}
    done = subprocess.run(
        [sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    username, token = done.stdout.split()
    assert username == standin.user and claims(token)["upn"] == standin.user
    assert standin.prompts == 1 and standin.token_requests == {"authorization_code": 1}

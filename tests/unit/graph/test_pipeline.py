"""The SDK pipeline of a session: credential, per-scope adapters, builders, closing."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from entra_recovery.constants import SCOPE_PREVIEW
from entra_recovery.constants import SCOPE_READ
from entra_recovery.errors import GraphAuthError
from entra_recovery.graph.auth import READ
from entra_recovery.graph.auth import StaticTokenCredential
from entra_recovery.graph.pipeline import Pipeline
from entra_recovery.graph.pipeline import get_request
from entra_recovery.graph.settings import GraphSettings

from .conftest import BASE
from .conftest import SID
from .conftest import TOKEN
from .conftest import run


def _pipeline(**settings: Any) -> Pipeline:
    values: dict[str, Any] = {"access_token": TOKEN, "auth_method": "token", **settings}
    return Pipeline(GraphSettings(**values), permissions=(SCOPE_READ, SCOPE_PREVIEW))


def test_one_adapter_per_scope_set_all_on_one_http_client() -> None:
    """Each permission set gets its own adapter (and token scopes), sharing one pool."""
    pipeline = _pipeline(api_version="beta")
    read, preview = pipeline.adapter_for(READ), pipeline.adapter_for((SCOPE_PREVIEW,))
    assert read is pipeline.adapter_for([SCOPE_READ])
    assert read is not preview
    assert read._http_client is preview._http_client
    assert read.base_url == "https://graph.microsoft.com/beta"
    run(pipeline.aclose())


def test_the_credential_is_built_once_and_lazily() -> None:
    """Nothing is built before the first request; then the same credential serves all."""
    pipeline = _pipeline()
    assert pipeline.method == "token"
    credential = pipeline.credential()
    assert isinstance(credential, StaticTokenCredential)
    assert pipeline.credential() is credential


def test_a_given_credential_is_used_as_is() -> None:
    """A caller's credential wins over the settings (which need no token then)."""
    credential = StaticTokenCredential(TOKEN)
    pipeline = Pipeline(GraphSettings(auth_method="browser"), credential=credential)
    assert pipeline.method == "token" and pipeline.credential() is credential


def test_a_broken_sign_in_fails_the_first_adapter_as_an_auth_error(tmp_path: Path) -> None:
    """Credential building happens inside the error mapping: a GraphAuthError, no traceback."""
    (tmp_path / "t.example.json").write_text("{}", encoding="utf-8")
    settings = GraphSettings(auth_method="device-code", tenant_id="t.example", signin_dir=tmp_path)
    pipeline = Pipeline(settings)
    with pytest.raises(GraphAuthError, match=r"is not a stored sign-in \(KeyError"):
        pipeline.adapter_for(READ)


def test_the_recovery_builder_is_shared() -> None:
    """`client.directory.recovery` is built once per session, on the read adapter."""
    pipeline = _pipeline()
    recovery = pipeline.recovery()
    assert recovery is pipeline.recovery()
    assert recovery.request_adapter is pipeline.adapter_for(READ)


def test_get_request_fills_the_builders_own_query_class() -> None:
    """Given parameters become $-options on the builder's URL; None values are left out."""
    pipeline = _pipeline()
    jobs = pipeline.recovery().snapshots.by_snapshot_id(SID).recovery_preview_jobs
    request = get_request(jobs, filter="status eq 'running'", top=5, select=None, count=True)
    request.path_parameters["baseurl"] = "https://graph.microsoft.com/v1.0"
    url = request.url
    assert url.startswith(
        f"https://graph.microsoft.com/v1.0/directory/recovery/snapshots/{SID[:-1]}"
    )
    assert "%24filter=status%20eq%20%27running%27" in url
    assert "%24top=5" in url and "%24count=true" in url and "%24select" not in url
    assert request.http_method is not None and request.http_method.value == "GET"


def test_aclose_closes_the_pool_and_a_new_request_opens_another(server: Any) -> None:
    """After aclose nothing is pooled; the pipeline can be used again."""
    from entra_recovery.graph.client import GraphClient
    from entra_recovery.graph.resources import SNAPSHOTS

    server.json("GET", f"{BASE}/snapshots", {"value": []})

    async def go() -> Any:
        client = GraphClient(server.settings())
        first = client.pipeline.adapter_for(READ)._http_client
        await client.listing(SNAPSHOTS).collect()
        await client.aclose()
        assert first.is_closed
        await client.listing(SNAPSHOTS).collect()
        second = client.pipeline.adapter_for(READ)._http_client
        await client.aclose()
        return first is not second

    assert run(go())
    assert len(server.requests) == 2


def test_the_chain_swaps_in_our_redirect_retry_and_bounded_links() -> None:
    """SDK defaults kept, kiota's RedirectHandler replaced, one bounded exchange last."""
    from kiota_http.middleware import RedirectHandler
    from kiota_http.middleware import RetryHandler

    from entra_recovery.graph.middleware import BoundedExchange
    from entra_recovery.graph.middleware import SameOriginRedirects
    from entra_recovery.graph.pipeline import middleware_chain

    settings = GraphSettings(request_timeout=7.0, max_response_bytes=1234)
    chain = middleware_chain(settings)
    names = [type(link).__name__ for link in chain]
    assert isinstance(chain[0], SameOriginRedirects) and chain[0].origin == settings.origin
    assert isinstance(chain[1], RetryHandler) and names[1] == "StatusRetryHandler"
    assert not any(isinstance(link, RedirectHandler) for link in chain)
    assert "GraphTelemetryHandler" in names and "UserAgentHandler" in names
    last = chain[-1]
    assert isinstance(last, BoundedExchange)
    assert (last.deadline, last.max_bytes) == (7.0, 1234)


class _OpaqueCredential:
    """A non-static credential (as azure-identity's are) handing out an opaque token."""

    def __init__(self, token: str) -> None:
        self.token = token

    def get_token(self, *scopes: str, **kwargs: Any) -> Any:
        from azure.core.credentials import AccessToken

        return AccessToken(self.token, 2**31)


def test_every_token_the_sdk_gets_is_registered_for_redaction(server: Any) -> None:
    """A token from any credential is redacted verbatim afterwards, whatever its shape."""
    import secrets

    from entra_recovery.graph.client import GraphClient
    from entra_recovery.graph.resources import SNAPSHOTS
    from entra_recovery.redaction import REDACTED
    from entra_recovery.redaction import redact

    token = f"opaque{secrets.token_hex(16)}"
    assert redact(token) == token
    server.json("GET", f"{BASE}/snapshots", {"value": []})

    async def go() -> None:
        credential = _OpaqueCredential(token)
        async with GraphClient(server.settings(), credential=credential) as client:
            await client.listing(SNAPSHOTS).collect()

    run(go())
    assert server.requests[0].headers["authorization"] == f"Bearer {token}"
    assert redact(f"x {token} y") == f"x {REDACTED} y"

"""
The msgraph-sdk pipeline: what every request of a session is built on and sent through.

Step two of every Graph call, after `settings` and before `transport.Transport.send`. A
`Pipeline` builds, on first use: the credential (`auth.build_credential`, whose failures are
already `GraphAuthError`s), one `GraphRequestAdapter` per least-privileged scope set (all sharing
one pooled HTTP client with the SDK's default middleware: retry, redirect, telemetry), and the
`client.directory.recovery` request builder. `get_request(builder, ...)` turns a generated
builder into the GET `RequestInformation` with its own query-parameter class filled in.
`aclose()` closes the pooled connections.

The middleware chain is the SDK's default one with our links (`middleware`): same-origin
redirects for GETs only in place of kiota's RedirectHandler, a retry handler that resends only
on the statuses each request allows, and a last link putting one deadline and a decompressed
size cap on every attempt. Every token the credential hands the SDK is registered with
`redaction.remember_secret` on its way into the Authorization header.

msgraph, kiota and azure are imported inside functions only (their types under TYPE_CHECKING),
so importing this module stays cheap.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING
from typing import Any
from typing import Protocol

from entra_recovery.errors import GraphAuthError
from entra_recovery.graph.auth import ENABLE_CAE
from entra_recovery.graph.auth import READ
from entra_recovery.graph.auth import WRITE_PERMISSIONS
from entra_recovery.graph.auth import SignInChoice
from entra_recovery.graph.auth import build_credential
from entra_recovery.graph.auth import choose_sign_in
from entra_recovery.graph.auth import refuse_app_only
from entra_recovery.graph.auth import scopes_for
from entra_recovery.graph.authfailures import sign_in_failure
from entra_recovery.graph.settings import GraphSettings
from entra_recovery.graph.tokens import StaticTokenCredential
from entra_recovery.redaction import remember_secret

if TYPE_CHECKING:
    import httpx
    from kiota_abstractions.request_information import RequestInformation
    from msgraph.generated.directory.recovery.recovery_request_builder import RecoveryRequestBuilder
    from msgraph.graph_request_adapter import GraphRequestAdapter

    from entra_recovery.graph.auth import Credential


class GetBuilder(Protocol):
    """What every generated request builder we GET through has (items, collections, $count)."""

    def to_get_request_information(
        self, request_configuration: Any = None
    ) -> RequestInformation: ...


class Pipeline:
    """The credential, the per-scope request adapters and the recovery builder of a session.

    Args:
        settings: base URL, API version, credential choice.
        credential: an azure.core credential to use instead of building one from settings
            (then it stays the caller's: `aclose` does not close it).
        permissions: every permission the session will need (one interactive sign-in
            consents to all of them); each request still asks only for its own scope.
    """

    def __init__(
        self,
        settings: GraphSettings,
        *,
        credential: Credential | None = None,
        permissions: Sequence[str] = READ,
    ) -> None:
        self.settings = settings
        self.permissions = tuple(permissions)
        self._choice = SignInChoice("token", settings.tenant_id) if credential is not None else None
        self._credential = credential
        self._http: httpx.AsyncClient | None = None
        self._adapters: dict[tuple[str, ...], GraphRequestAdapter] = {}
        self._recovery: RecoveryRequestBuilder | None = None

    def choice(self) -> SignInChoice:
        """How this session signs in (`auth.choose_sign_in`), decided on first use.

        Raises:
            GraphAuthError: there is nothing to sign in with (see `auth.choose_sign_in`).
        """
        if self._choice is None:
            self._choice = choose_sign_in(self.settings)
        return self._choice

    @property
    def method(self) -> str:
        return self.choice().method

    def credential(self) -> Credential:
        """The session's credential, built on first use.

        Raises:
            GraphAuthError: it cannot be built (see `auth.build_credential`).
        """
        if self._credential is None:
            self._credential = build_credential(
                self.settings, permissions=self.permissions, choice=self.choice()
            )
        return self._credential

    def require_delegated(self, action: str) -> None:
        """Refuse, before anything is sent, to create a job as an application: Graph allows it
        only for a signed-in user (app-only sign-ins, or an app-only token in
        ENTRA_RECOVERY_ACCESS_TOKEN, which carries `roles` and no `scp`)."""
        refuse_app_only(self.method, WRITE_PERMISSIONS)
        credential = self.credential()
        if isinstance(credential, StaticTokenCredential):
            claims = credential.claims
            if claims.get("roles") and not claims.get("scp"):
                raise GraphAuthError(
                    f"cannot {action}: the access token is app-only (it carries roles, no "
                    "scopes), and Graph lets only a signed-in user create preview and "
                    "recovery jobs",
                    hint="use a delegated token (a user's) or `entra-recovery login`",
                )

    def adapter_for(self, permissions: Sequence[str]) -> GraphRequestAdapter:
        """The request adapter whose token provider asks for exactly these permissions."""
        key = tuple(permissions)
        adapter = self._adapters.get(key)
        if adapter is not None:
            return adapter
        from kiota_authentication_azure.azure_identity_authentication_provider import (
            AzureIdentityAuthenticationProvider,
        )
        from msgraph.graph_request_adapter import GraphRequestAdapter

        provider = AzureIdentityAuthenticationProvider(
            self.credential(),
            scopes=scopes_for(key, self.method),
            allowed_hosts=[self.settings.origin[1]],
            is_cae_enabled=ENABLE_CAE,
        )
        provider.access_token_provider = RememberingTokens(  # type: ignore[assignment]
            provider.access_token_provider, self
        )
        adapter = GraphRequestAdapter(provider, client=self._http_client())
        adapter.base_url = self.settings.base_url
        self._adapters[key] = adapter
        return adapter

    def _http_client(self) -> httpx.AsyncClient:
        """The one pooled HTTP client (with our middleware chain) every adapter shares."""
        if self._http is None:
            import httpx
            from msgraph_core import GraphClientFactory  # type: ignore[import-untyped]

            deadline = self.settings.request_timeout
            # httpx's own timeouts are per phase; BoundedExchange holds the whole-attempt one.
            client = httpx.AsyncClient(timeout=httpx.Timeout(deadline), http2=True)
            http: httpx.AsyncClient = GraphClientFactory.create_with_custom_middleware(
                middleware_chain(self.settings), client=client
            )
            self._http = http
        return self._http

    def recovery(self) -> RecoveryRequestBuilder:
        """`client.directory.recovery` of a GraphServiceClient on the read adapter."""
        if self._recovery is None:
            from msgraph.graph_service_client import GraphServiceClient

            sdk = GraphServiceClient(request_adapter=self.adapter_for(READ))
            self._recovery = sdk.directory.recovery
        return self._recovery

    async def aclose(self) -> None:
        """Close the pooled connections (a credential the caller gave stays theirs)."""
        if self._http is not None:
            # msgraph-core's AsyncGraphTransport does not pass aclose() on to the transport it
            # wraps, so the pooled connections are closed here explicitly.
            inner = getattr(getattr(self._http, "_transport", None), "transport", None)
            await self._http.aclose()
            if inner is not None:
                await inner.aclose()
            self._http = None
        self._adapters.clear()
        self._recovery = None


def middleware_chain(settings: GraphSettings) -> list[Any]:
    """The SDK's default middleware (with msgraph's options) with our links swapped in.

    Order, outermost first: redirects, retry, the SDK's parameter, URL, user-agent, inspection
    and telemetry handlers, then one bounded exchange per attempt.
    """
    from kiota_http.kiota_client_factory import KiotaClientFactory
    from kiota_http.middleware import RedirectHandler
    from kiota_http.middleware import RetryHandler
    from msgraph.graph_request_adapter import options as sdk_options
    from msgraph_core.middleware import GraphTelemetryHandler  # type: ignore[import-untyped]
    from msgraph_core.middleware.options import GraphTelemetryHandlerOption  # type: ignore[import-untyped]

    from entra_recovery.graph.middleware import BoundedExchange
    from entra_recovery.graph.middleware import SameOriginRedirects
    from entra_recovery.graph.middleware import build_retry_handler

    options = dict(sdk_options)
    chain: list[Any] = []
    for link in KiotaClientFactory.get_default_middleware(options):
        if isinstance(link, RedirectHandler):
            chain.append(SameOriginRedirects(settings.origin))
        elif isinstance(link, RetryHandler):
            chain.append(build_retry_handler())
        else:
            chain.append(link)
    telemetry = options.get(GraphTelemetryHandlerOption.get_key())
    chain.append(GraphTelemetryHandler(options=telemetry))
    chain.append(BoundedExchange(settings.request_timeout, settings.max_response_bytes))
    return chain


class RememberingTokens:
    """Wraps the kiota access-token provider: each token it returns is registered with
    `remember_secret` (so it is redacted verbatim from any text, whatever its shape) before it
    goes into the Authorization header; a sign-in failure is explained (`authfailures`)."""

    def __init__(self, inner: Any, pipeline: Pipeline) -> None:
        self._inner = inner
        self._pipeline = pipeline

    async def get_authorization_token(
        self, uri: str, additional_authentication_context: dict[str, Any] | None = None
    ) -> str:
        try:
            token: str = await self._inner.get_authorization_token(
                uri, additional_authentication_context or {}
            )
        except GraphAuthError:
            raise
        except Exception as exc:
            choice = self._pipeline.choice()
            raise sign_in_failure(
                exc,
                tenant=choice.tenant,
                method=choice.method,
                authority=self._pipeline.settings.authority,
            ) from None
        remember_secret(token)
        return token

    def get_allowed_hosts_validator(self) -> Any:
        return self._inner.get_allowed_hosts_validator()


def get_request(builder: GetBuilder, **query: Any) -> RequestInformation:
    """The builder's GET `RequestInformation`, its own query-parameter class filled in.

    Generated builders name that class `<Builder>GetQueryParameters` (nested); None values are
    left out, so Graph gets only the parameters that were asked for.
    """
    from kiota_abstractions.base_request_configuration import RequestConfiguration

    query_class = getattr(builder, f"{type(builder).__name__}GetQueryParameters", None)
    config: RequestConfiguration[Any] = RequestConfiguration()
    if query_class is not None:
        values = {k: v for k, v in query.items() if v is not None}
        config.query_parameters = query_class(**values)
    return builder.to_get_request_information(config)

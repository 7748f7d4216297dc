"""
The msgraph-sdk pipeline: what every request of a session is built on and sent through.

Step two of every Graph call, after `settings` and before `transport.Transport.send`. A
`Pipeline` builds, on first use: the credential (`auth.build_credential`, whose failures are
already `GraphAuthError`s), one `GraphRequestAdapter` per least-privileged scope set (all sharing
one pooled HTTP client with the SDK's default middleware: retry, redirect, telemetry), and the
`client.directory.recovery` request builder. `get_request(builder, ...)` turns a generated
builder into the GET `RequestInformation` with its own query-parameter class filled in.
`aclose()` closes the pooled connections.

msgraph, kiota and azure are imported inside functions only (their types under TYPE_CHECKING),
so importing this module stays cheap.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING
from typing import Any
from typing import Protocol

from entra_recovery.graph.auth import READ
from entra_recovery.graph.auth import build_credential
from entra_recovery.graph.auth import resolve_method
from entra_recovery.graph.auth import scopes_for
from entra_recovery.graph.settings import GraphSettings

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
        self.method = "token" if credential is not None else resolve_method(settings)
        self._credential = credential
        self._http: httpx.AsyncClient | None = None
        self._adapters: dict[tuple[str, ...], GraphRequestAdapter] = {}
        self._recovery: RecoveryRequestBuilder | None = None

    def credential(self) -> Credential:
        """The session's credential, built on first use.

        Raises:
            GraphAuthError: it cannot be built (see `auth.build_credential`).
        """
        if self._credential is None:
            self._credential = build_credential(self.settings, permissions=self.permissions)
        return self._credential

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
        )
        adapter = GraphRequestAdapter(provider, client=self._http_client())
        adapter.base_url = self.settings.base_url
        self._adapters[key] = adapter
        return adapter

    def _http_client(self) -> httpx.AsyncClient:
        """The one pooled HTTP client (with the SDK's middleware) every adapter shares."""
        if self._http is None:
            from msgraph.graph_request_adapter import options as sdk_options
            from msgraph_core import GraphClientFactory  # type: ignore[import-untyped]

            http: httpx.AsyncClient = GraphClientFactory.create_with_default_middleware(
                options=dict(sdk_options)
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

"""
Sending one request through the msgraph-sdk pipeline, and reading its answer raw.

Every call in `graph/` ends here, step three after `settings` and `pipeline`. A kiota
`RequestInformation` (from a request builder or from `raw.py`) gets the
`Prefer: include-unknown-enum-members` header, its URL is checked against the configured Graph
origin BEFORE anything is sent, and it goes out through the SDK's request adapter (auth, retry
with Retry-After, same-origin redirects, telemetry, one deadline and a size cap per attempt:
see `middleware`) with a `NativeResponseHandler`, so we get the httpx response itself: raw JSON
body (camelCase, exactly as Graph sent it) and headers (`Location`, `request-id`). Non-2xx
answers become `GraphError`s, and so do failures inside the chain (`errors_for`).

What may be resent is decided here, per request, with kiota's `RetryHandlerOption` and our
`ResendPolicy`: a GET on 429/500/502/503/504; a job-creating POST (`JobCreation`) only on 429,
which Graph answers before processing anything; any other request on 429/503/504. A job-creating
POST whose answer is lost after it was sent (deadline, 5xx, dropped connection, a redirect, an
unreadable answer) is a `JobCreationUncertain`: the job may exist, and nothing is sent again.
"""

from __future__ import annotations

from collections.abc import Callable
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING
from typing import Any
from typing import cast

from entra_recovery import jsoncodec
from entra_recovery.constants import PREFER_UNKNOWN_ENUMS
from entra_recovery.errors import GraphError
from entra_recovery.graph.failures import JobCreation
from entra_recovery.graph.failures import check_same_origin
from entra_recovery.graph.failures import error_from_exception
from entra_recovery.graph.failures import error_from_exchange
from entra_recovery.graph.failures import error_from_response
from entra_recovery.graph.failures import safe_url
from entra_recovery.graph.failures import uncertain_creation
from entra_recovery.graph.operations import Operation
from entra_recovery.graph.settings import GraphSettings

if TYPE_CHECKING:
    import httpx
    from kiota_abstractions.request_information import RequestInformation
    from msgraph.graph_request_adapter import GraphRequestAdapter

# Resends done by the SDK's RetryHandler (it honours Retry-After); which statuses: see above.
DEFAULT_MAX_RETRIES = 4
# Base delay the RetryHandler adds to its exponential backoff when there is no Retry-After.
DEFAULT_RETRY_DELAY = 1.0


@dataclass(frozen=True)
class RetryPolicy:
    """How the SDK's RetryHandler retries throttled requests (bounded).

    Each attempt has its own deadline (`GraphSettings.request_timeout`), so one request takes
    at most (max_retries + 1) x deadline plus the waits in between (each under 180 s), per
    redirect hop.
    """

    max_retries: int = DEFAULT_MAX_RETRIES
    delay: float = DEFAULT_RETRY_DELAY


@dataclass(frozen=True)
class Response:
    """What we keep of an HTTP answer: status, headers (lower-case names), body bytes."""

    status: int
    headers: dict[str, str]
    body: bytes
    url: str

    def json_with_floats(self) -> tuple[Any, bool]:
        """The body as JSON, and whether any number in it is a float (has a fraction or an
        exponent). Strict: `NaN`, `Infinity` and `-Infinity` are not JSON and are refused.

        Parsed by `jsoncodec.decode` (msgspec, the standard parser for what it refuses)."""
        if not self.body:
            return None, False
        try:
            return jsoncodec.decode(self.body)
        except (ValueError, RecursionError):  # UnicodeDecodeError is a ValueError
            raise GraphError(
                f"Graph sent a body that is not JSON from {safe_url(self.url)}",
                status=self.status,
                url=safe_url(self.url),
            ) from None

    def json_object(self) -> dict[str, Any]:
        """The body as a JSON object (GraphError if it is not one)."""
        return self.json_object_with_floats()[0]

    def json_object_with_floats(self) -> tuple[dict[str, Any], bool]:
        """The body as a JSON object, and whether it holds a float (see `ChangePage`)."""
        data, floats = self.json_with_floats()
        if not isinstance(data, dict):
            raise GraphError(
                f"Graph sent JSON that is not an object from {safe_url(self.url)}",
                status=self.status,
                url=safe_url(self.url),
            )
        return data, floats


class Transport:
    """Sends `RequestInformation`s through per-scope SDK request adapters."""

    def __init__(
        self,
        settings: GraphSettings,
        adapter_for: Callable[[Sequence[str]], GraphRequestAdapter],
        retry: RetryPolicy,
    ) -> None:
        self.settings = settings
        self._adapter_for = adapter_for
        self._retry = retry

    async def send(
        self,
        request_info: RequestInformation,
        operation: Operation,
        *,
        what: str = "request URL",
        creates: JobCreation | None = None,
    ) -> Response:
        """Send one request; return the 2xx answer or raise the mapped `GraphError`.

        Args:
            creates: set for a POST that creates a job: it is resent only on 429, and an
                ambiguous outcome raises `JobCreationUncertain`.

        Raises:
            ForeignHostError: the URL is not on the configured Graph origin (nothing sent), or
                Graph redirected to another origin (not followed).
            RequestTimeoutError: no complete answer within the request deadline.
            ResponseTooLargeError: the answer passed the size cap (decompressed).
            JobCreationUncertain: `creates` is set and the outcome is unknown.
            GraphError: Graph answered non-2xx, or could not be reached.
        """
        from kiota_abstractions.native_response_handler import NativeResponseHandler
        from kiota_http.middleware.options import ResponseHandlerOption
        from kiota_http.middleware.options import RetryHandlerOption

        from entra_recovery.graph.middleware import CREATE_RESEND
        from entra_recovery.graph.middleware import ExchangeError
        from entra_recovery.graph.middleware import ResendPolicy

        adapter = self._adapter_for(operation.permissions)
        if request_info.url_template is not None:
            request_info.path_parameters["baseurl"] = adapter.base_url
        url = str(request_info.url)
        check_same_origin(url, self.settings, what=what)
        method = request_info.http_method.value if request_info.http_method else "GET"
        request_info.headers.try_add("Prefer", PREFER_UNKNOWN_ENUMS)
        request_info.headers.try_add("Accept", "application/json")
        options: list[Any] = [
            ResponseHandlerOption(NativeResponseHandler()),
            RetryHandlerOption(
                delay=self._retry.delay,
                max_retries=self._retry.max_retries,
                should_retry=self._retry.max_retries > 0,
            ),
        ]
        if creates is not None:
            options.append(ResendPolicy(CREATE_RESEND))
        request_info.add_request_options(options)
        where: dict[str, Any] = {"operation": operation, "method": method, "url": url}
        try:
            # With a NativeResponseHandler the "primitive" is the httpx response itself.
            answer = await adapter.send_primitive_async(request_info, "bytes", None)
            native = cast("httpx.Response", answer)
            body = await native.aread()
        except GraphError:
            raise
        except ExchangeError as exc:
            raise error_from_exchange(
                exc, settings=self.settings, creates=creates, **where
            ) from None
        except Exception as exc:
            raise error_from_exception(exc, **where) from None
        response = Response(
            status=int(native.status_code),
            headers={k.lower(): v for k, v in native.headers.items()},
            body=body,
            url=url,
        )
        if not 200 <= response.status < 300:
            error = error_from_response(
                status=response.status, headers=response.headers, body=response.body, **where
            )
            if creates is not None and response.status >= 500:
                raise uncertain_creation(creates, error, **where)
            raise error
        return response

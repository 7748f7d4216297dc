"""
Our links in the SDK's middleware chain: what is resent, where redirects may go, how long one
attempt may take and how big its answer may be.

`pipeline.Pipeline` builds the chain from the SDK's defaults with two swaps and one addition:
- `SameOriginRedirects` replaces kiota's RedirectHandler: a redirect is followed only for a
  GET, only to the configured Graph origin and at most `MAX_REDIRECTS` times; anything else
  stops the request with `RedirectRefused` (so no POST body is ever sent twice and no foreign
  answer is ever trusted).
- `build_retry_handler()` is kiota's RetryHandler (Retry-After, backoff, `RetryHandlerOption`
  per request) that resends only on the statuses the request's `ResendPolicy` names, and reads
  a fractional Retry-After.
- `BoundedExchange`, last in the chain (one call per attempt), puts ONE deadline over connect,
  send, headers and the whole body, and reads the body itself through `bounded.BoundedBody`
  (decompressed size cap). It watches httpcore's trace events to tell whether the request
  left the machine, which is what makes a failed job-creating POST ambiguous or not.

Failures inside the chain are `ExchangeError`s (below); `transport.Transport.send` turns them
into the user-facing `GraphError` family, knowing the operation. kiota and httpx are imported
inside functions only: this module is itself imported only when a pipeline is built.
"""

from __future__ import annotations

import asyncio
import contextlib
from dataclasses import dataclass
from typing import TYPE_CHECKING
from typing import Any
from typing import ClassVar

from entra_recovery.constants import MAX_REDIRECTS
from entra_recovery.graph.bounded import ACCEPT_ENCODING
from entra_recovery.graph.bounded import BodyError
from entra_recovery.graph.bounded import read_bounded
from entra_recovery.graph.failures import origin_of
from entra_recovery.graph.failures import parse_retry_after

if TYPE_CHECKING:
    import httpx

# kiota's key for the request options a request carries through the chain (in extensions).
REQUEST_OPTIONS_KEY = "kiota_request_options"
REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
# What a GET may be resent on: throttling and the transient server errors.
GET_RESEND = frozenset({429, 500, 502, 503, 504})
# What any other request is resent on when nothing else is said (cancel: repeating it is
# harmless, the job ends either way).
DEFAULT_RESEND = frozenset({429, 503, 504})
# A job-creating POST: only 429, which Graph answers BEFORE it processes a request.
CREATE_RESEND = frozenset({429})


# --- what can go wrong inside the chain -------------------------------------------------------


class ExchangeError(Exception):
    """A failure inside the middleware chain, before an answer could be handed back.

    `sent` says whether any byte of the request may have reached the server (False only when
    the failure came before the request headers were written, e.g. connection refused).
    """

    def __init__(self, detail: str, *, sent: bool, status: int | None = None) -> None:
        super().__init__(detail)
        self.detail = detail
        self.sent = sent
        self.status = status


class DeadlineExceeded(ExchangeError):
    """One attempt did not finish (connect to last body byte) within the request deadline."""

    def __init__(self, deadline: float, *, sent: bool) -> None:
        super().__init__(f"no complete answer within {deadline:g} s", sent=sent)
        self.deadline = deadline


class ConnectionLost(ExchangeError):
    """The connection failed (refused, reset, closed early); `cause` is httpx's error."""

    def __init__(self, cause: BaseException, *, sent: bool) -> None:
        name = type(cause).__name__
        text = (str(cause).strip().splitlines() or [""])[0][:200]
        super().__init__(f"{name}: {text}" if text else name, sent=sent)
        self.cause_name = name


class RedirectRefused(ExchangeError):
    """A redirect that is not followed: off-origin, for a non-GET, or one hop too many."""

    FOREIGN: ClassVar[str] = "foreign"
    METHOD: ClassVar[str] = "method"
    LOOP: ClassVar[str] = "loop"

    def __init__(self, reason: str, *, status: int, target: str, method: str) -> None:
        super().__init__(
            f"Graph answered {method} with a redirect (HTTP {status})", sent=True, status=status
        )
        self.reason = reason
        self.target = target
        self.method = method


class AnswerUnreadable(ExchangeError):
    """The answer arrived but its body was too large or could not be decoded."""

    def __init__(self, error: BodyError, *, status: int) -> None:
        super().__init__(error.detail, sent=True, status=status)
        self.too_large = error.too_large
        self.limit = error.limit


# --- per-request resend policy ----------------------------------------------------------------


@dataclass(frozen=True)
class ResendPolicy:
    """A kiota request option (duck-typed `RequestOption`): the statuses a request may be
    resent on by the retry handler (which still honours `RetryHandlerOption` and Retry-After).
    """

    statuses: frozenset[int]
    KEY: ClassVar[str] = "EntraRecoveryResendPolicy"

    @staticmethod
    def get_key() -> str:
        return ResendPolicy.KEY


def _options_of(request: httpx.Request) -> dict[str, Any]:
    options = request.extensions.get(REQUEST_OPTIONS_KEY)
    return options if isinstance(options, dict) else {}


def resend_statuses(request: httpx.Request) -> frozenset[int]:
    """The statuses this request may be resent on (its `ResendPolicy`, else by method)."""
    policy = _options_of(request).get(ResendPolicy.KEY)
    if isinstance(policy, ResendPolicy):
        return policy.statuses
    return GET_RESEND if request.method in ("GET", "HEAD") else DEFAULT_RESEND


def build_retry_handler() -> Any:
    """kiota's RetryHandler, resending only on the request's `resend_statuses`.

    What stays kiota's: the per-request `RetryHandlerOption` (count, base delay, on/off), the
    Retry-After wait (skipped, and the answer returned, when it is 180 s or more) and the
    exponential backoff with jitter. What changes: the statuses (per request instead of a fixed
    429/503/504 for every method) and a Retry-After with a fraction (`1.5`) is honoured.
    """
    from kiota_http.middleware import RetryHandler
    from kiota_http.middleware.options import RetryHandlerOption

    class StatusRetryHandler(RetryHandler):
        def should_retry(
            self, request: httpx.Request, options: RetryHandlerOption, response: httpx.Response
        ) -> bool:
            return (
                options.max_retry > 0
                and self._is_method_retryable(request)
                and self._is_request_payload_buffered(request)
                and response.status_code in resend_statuses(request)
            )

        def _parse_retry_after(self, retry_after: str) -> float | None:
            return parse_retry_after(retry_after)

    return StatusRetryHandler()


# --- redirects --------------------------------------------------------------------------------


class SameOriginRedirects:
    """Follows a redirect only for a GET, only on Graph's origin, at most `max_hops` times.

    A kiota middleware (duck-typed: `next` and `send`), first in the chain where kiota's
    RedirectHandler was.
    """

    def __init__(self, origin: tuple[str, str, int], max_hops: int = MAX_REDIRECTS) -> None:
        self.origin = origin
        self.max_hops = max_hops
        self.next: Any = None

    async def send(
        self, request: httpx.Request, transport: httpx.AsyncBaseTransport
    ) -> httpx.Response:
        import httpx

        hops = 0
        while True:
            response: httpx.Response = await self.next.send(request, transport)
            location = response.headers.get("location")
            if response.status_code not in REDIRECT_STATUSES or not location:
                return response
            await response.aclose()
            status, method = response.status_code, request.method
            try:
                target = request.url.join(location)
            except httpx.InvalidURL:
                raise RedirectRefused(
                    RedirectRefused.FOREIGN, status=status, target=location, method=method
                ) from None
            reason = None
            if origin_of(str(target)) != self.origin:
                reason = RedirectRefused.FOREIGN
            elif method not in ("GET", "HEAD"):
                reason = RedirectRefused.METHOD
            elif hops >= self.max_hops:
                reason = RedirectRefused.LOOP
            if reason is not None:
                raise RedirectRefused(reason, status=status, target=str(target), method=method)
            hops += 1
            request = _redirected(request, target)


def _redirected(request: httpx.Request, target: httpx.URL) -> httpx.Request:
    """The same GET at `target`: same headers (same origin, so the token may go), no body."""
    import httpx

    headers = request.headers.copy()
    headers.pop("Retry-Attempt", None)
    extensions = dict(request.extensions)
    extensions[REQUEST_OPTIONS_KEY] = dict(_options_of(request))
    new = httpx.Request(request.method, target, headers=headers, extensions=extensions)
    if hasattr(request, "context"):  # msgraph-core's telemetry reads it
        new.context = request.context  # type: ignore[attr-defined]
    return new


# --- one attempt: deadline, size cap ----------------------------------------------------------


class _Progress:
    """Whether the request has started to leave (from httpcore's `trace` extension)."""

    def __init__(self) -> None:
        self.sent = False

    async def trace(self, event: str, info: dict[str, Any]) -> None:
        if "send_request_headers" in event:
            self.sent = True


class BoundedExchange:
    """Last in the chain: one attempt under one deadline, its body read under the size cap.

    The answer handed back up the chain is already read and decoded (no Content-Encoding left),
    so nothing above it can read more than `max_bytes`.
    """

    def __init__(self, deadline: float, max_bytes: int) -> None:
        self.deadline = deadline
        self.max_bytes = max_bytes
        self.next: Any = None

    async def send(
        self, request: httpx.Request, transport: httpx.AsyncBaseTransport
    ) -> httpx.Response:
        import httpx

        progress = _Progress()
        request.extensions["trace"] = progress.trace
        request.headers["Accept-Encoding"] = ACCEPT_ENCODING
        try:
            async with asyncio.timeout(self.deadline):
                return await self._exchange(request, transport)
        except (TimeoutError, httpx.TimeoutException):
            raise DeadlineExceeded(self.deadline, sent=progress.sent) from None
        except httpx.TransportError as exc:
            raise ConnectionLost(exc, sent=progress.sent) from None

    async def _exchange(
        self, request: httpx.Request, transport: httpx.AsyncBaseTransport
    ) -> httpx.Response:
        import httpx

        if self.next is not None:
            response: httpx.Response = await self.next.send(request, transport)
        else:
            response = await transport.handle_async_request(request)
        response.request = request
        try:
            body = await read_bounded(response, self.max_bytes)
        except BodyError as exc:
            raise AnswerUnreadable(exc, status=response.status_code) from None
        finally:
            with contextlib.suppress(httpx.HTTPError):
                await response.aclose()
        skip = ("content-encoding", "content-length", "transfer-encoding")
        headers = [(k, v) for k, v in response.headers.multi_items() if k.lower() not in skip]
        kept = {
            k: v for k, v in response.extensions.items() if k in ("http_version", "reason_phrase")
        }
        return httpx.Response(
            response.status_code, headers=headers, content=body, request=request, extensions=kept
        )

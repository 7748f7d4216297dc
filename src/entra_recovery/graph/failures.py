"""
Error mapping: an HTTP failure from Graph becomes one `GraphError` subclass with its facts.

The transport calls `error_from_response` for every non-2xx answer: the Graph error envelope
(`{"error": {"code", "message", "innerError": {"request-id", ...}}}`) is parsed, the status
picks the class (401 auth, 403 permission, 404 not found, 409 conflict, 429/503/504 throttled),
and the hint says what to do (for 403: which permission and role the operation needs). The
client later enriches 404 (available snapshots) and 409 (the running job). Text that came from
the server is redacted and shortened, so no token or secret can reach a message.

Failures inside the middleware chain (`middleware.ExchangeError`: the request deadline, the
size cap, a refused redirect, a lost connection) are mapped by `error_from_exchange`; for a
job-creating POST (`JobCreation`) anything that happened after the request left is a
`JobCreationUncertain` (`uncertain_creation`), never a plain error a caller might retry.
"""

from __future__ import annotations

import email.utils
import json
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING
from typing import Any
from urllib.parse import urlsplit
from urllib.parse import urlunsplit

from entra_recovery.constants import ENV_REQUEST_TIMEOUT
from entra_recovery.constants import SCOPE_READ
from entra_recovery.errors import ForeignHostError
from entra_recovery.errors import GraphAuthError
from entra_recovery.errors import GraphError
from entra_recovery.errors import JobConflictError
from entra_recovery.errors import JobCreationUncertain
from entra_recovery.errors import NotFoundError
from entra_recovery.errors import PermissionDeniedError
from entra_recovery.errors import RequestTimeoutError
from entra_recovery.errors import ResponseTooLargeError
from entra_recovery.errors import ThrottledError
from entra_recovery.graph.operations import Operation
from entra_recovery.graph.settings import GraphSettings
from entra_recovery.redaction import redact

if TYPE_CHECKING:
    from entra_recovery.graph.middleware import ExchangeError

THROTTLE_STATUSES = (429, 503, 504)
_MAX_TEXT = 400


def safe_url(url: str) -> str:
    """A URL fit for messages: no user info, no query (skip tokens can be long and opaque)."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    netloc = f"{host}:{parts.port}" if parts.port else host
    return urlunsplit((parts.scheme, netloc, parts.path, "", ""))


def origin_of(url: str) -> tuple[str, str, int]:
    parts = urlsplit(url)
    try:
        port = parts.port
    except ValueError:
        port = -1
    scheme = parts.scheme.lower()
    default = 443 if scheme == "https" else 80
    return scheme, (parts.hostname or "").lower(), port or default


def check_same_origin(url: str, settings: GraphSettings, *, what: str) -> None:
    """Refuse a URL (nextLink, Location) whose scheme, host or port differ from Graph's.

    Raises:
        ForeignHostError: before anything is sent, so no token can reach the other host.
    """
    if origin_of(url) != settings.origin:
        scheme, host, port = origin_of(url)
        raise ForeignHostError(
            f"refusing to follow {what} to {scheme}://{host}:{port}: it is not the configured "
            f"Graph host {settings.graph_url}, and no token is sent anywhere else",
            url=safe_url(url),
            hint="if this is a proxy or another cloud, set --graph-url to it",
        )


def parse_retry_after(value: str | None, *, now: float | None = None) -> float | None:
    """Seconds from a Retry-After header (delta seconds, possibly fractional, or a date)."""
    if not value:
        return None
    text = value.strip()
    try:
        return max(0.0, float(text))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(text)
    except (TypeError, ValueError):
        return None
    current = time.time() if now is None else now
    return max(0.0, when.timestamp() - current)


def _envelope(body: bytes) -> tuple[str | None, str | None, dict[str, Any]]:
    """(code, message, innerError) from a Graph error body; Nones when it is not one."""
    try:
        data = json.loads(body.decode("utf-8")) if body else None
    except (ValueError, UnicodeDecodeError):
        return None, None, {}
    error = data.get("error") if isinstance(data, dict) else None
    if not isinstance(error, dict):
        return None, None, {}
    code = error.get("code") if isinstance(error.get("code"), str) else None
    message = error.get("message") if isinstance(error.get("message"), str) else None
    inner = error.get("innerError") or error.get("innererror") or {}
    return code, message, inner if isinstance(inner, dict) else {}


def _clip(text: str | None) -> str | None:
    if text is None:
        return None
    text = " ".join(redact(text).split())
    return text if len(text) <= _MAX_TEXT else text[: _MAX_TEXT - 1] + "…"


def error_from_response(
    *,
    status: int,
    headers: Mapping[str, str],
    body: bytes,
    operation: Operation,
    method: str,
    url: str,
) -> GraphError:
    """The `GraphError` subclass for a non-2xx answer, with status, code, ids and a hint."""
    code, graph_message, inner = _envelope(body)
    if graph_message is None and body and not code:
        text = body.decode("utf-8", "replace").strip()
        graph_message = text if text and not text.startswith("<") else None
    request_id = headers.get("request-id") or inner.get("request-id")
    client_request_id = headers.get("client-request-id") or inner.get("client-request-id")
    fields: dict[str, Any] = {
        "status": status,
        "code": _clip(code),
        "graph_message": _clip(graph_message),
        "request_id": _clip(str(request_id)) if request_id else None,
        "client_request_id": _clip(str(client_request_id)) if client_request_id else None,
        "method": method,
        "url": safe_url(url),
    }
    message = f"{operation.action} failed"
    if status == 401:
        return GraphAuthError(
            message,
            hint="the token is missing, expired or not for Microsoft Graph; sign in again "
            "or refresh ENTRA_RECOVERY_ACCESS_TOKEN",
            **fields,
        )
    if status == 403:
        permissions = " or ".join(operation.permissions)
        hint = (
            f"{operation.action} needs the Graph permission {permissions} and the Entra "
            f"role {operation.role} (or Global Administrator)"
        )
        if SCOPE_READ not in operation.permissions:
            hint += "; it works only with delegated (signed-in user) permissions, not app-only"
        return PermissionDeniedError(message, hint=hint, **fields)
    if status == 404:
        return NotFoundError(message, **fields)
    if status == 409:
        return JobConflictError(
            message,
            hint="only one preview or recovery job runs per tenant: wait for it "
            "(entra-recovery job wait JOB_ID) or cancel it (entra-recovery job cancel JOB_ID)",
            **fields,
        )
    if status in THROTTLE_STATUSES:
        retry_after = parse_retry_after(headers.get("retry-after"))
        wait = f" (Graph asked to wait {retry_after:g} s)" if retry_after is not None else ""
        return ThrottledError(
            f"{message}: Graph is throttling or unavailable after retries{wait}",
            retry_after=retry_after,
            hint="try again later",
            **fields,
        )
    return GraphError(message, **fields)


def error_from_exception(
    exc: BaseException, *, operation: Operation, method: str, url: str
) -> GraphError:
    """A transport or SDK failure (no HTTP answer) as a `GraphError`."""
    name = type(exc).__name__
    module = type(exc).__module__
    text = _clip((str(exc).strip().splitlines() or [""])[0]) or name
    if module.startswith("azure.") or name in (
        "ClientAuthenticationError",
        "CredentialUnavailableError",
    ):
        return GraphAuthError(
            f"{operation.action} failed: could not get a token ({name}): {text}",
            method=method,
            url=safe_url(url),
            hint="run `entra-recovery login`, or set ENTRA_RECOVERY_ACCESS_TOKEN",
        )
    return GraphError(
        f"{operation.action} failed: could not reach Graph at {safe_url(url)} ({name}: {text})",
        method=method,
        url=safe_url(url),
        hint="check --graph-url / ENTRA_RECOVERY_GRAPH_URL and the network",
    )


@dataclass(frozen=True)
class JobCreation:
    """What a job-creating POST creates: `kind` ("preview" or "recovery") and the snapshot."""

    kind: str
    snapshot_id: str


def uncertain_creation(
    creates: JobCreation,
    reason: GraphError | str,
    *,
    operation: Operation,
    method: str,
    url: str,
) -> JobCreationUncertain:
    """The job-creating POST went out and its outcome is unknown: say so, never resend."""
    error = reason if isinstance(reason, GraphError) else None
    why = str(reason)
    if error is not None:
        why = f"HTTP {error.status}" if error.status else error.message
        if error.code:
            why += f" {error.code}"
    return JobCreationUncertain(
        f"{operation.action}: the answer was lost ({_clip(why)}); the {creates.kind} job may or "
        "may not have been created, and the request will not be sent again",
        kind=creates.kind,
        snapshot_id=creates.snapshot_id,
        status=error.status if error is not None else None,
        request_id=error.request_id if error is not None else None,
        method=method,
        url=safe_url(url),
        hint="list the jobs (entra-recovery job list) to see whether it was created "
        "before starting another",
    )


def error_from_exchange(
    exc: ExchangeError,
    *,
    settings: GraphSettings,
    creates: JobCreation | None,
    operation: Operation,
    method: str,
    url: str,
) -> GraphError:
    """A failure inside the middleware chain (deadline, size cap, redirect, connection)."""
    from entra_recovery.graph.middleware import AnswerUnreadable
    from entra_recovery.graph.middleware import DeadlineExceeded
    from entra_recovery.graph.middleware import RedirectRefused

    if creates is not None and exc.sent:
        return uncertain_creation(creates, exc.detail, operation=operation, method=method, url=url)
    where: dict[str, Any] = {"method": method, "url": safe_url(url), "status": exc.status}
    action = f"{operation.action} failed"
    maybe = ""
    if method not in ("GET", "HEAD") and exc.sent:
        maybe = "; the request may have reached Graph: check the outcome before repeating it"
    if isinstance(exc, DeadlineExceeded):
        return RequestTimeoutError(
            f"{action}: Graph sent no complete answer within the request deadline of "
            f"{exc.deadline:g} s",
            hint=f"raise --request-timeout (or {ENV_REQUEST_TIMEOUT}) if Graph is this slow; "
            f"each attempt has its own deadline{maybe}",
            **where,
        )
    if isinstance(exc, AnswerUnreadable) and exc.too_large:
        return ResponseTooLargeError(
            f"{action}: {exc.detail} (counted decompressed); nothing more was read", **where
        )
    if isinstance(exc, RedirectRefused):
        return _redirect_error(exc, settings, action, where)
    if isinstance(exc, AnswerUnreadable):
        return GraphError(
            f"{action}: Graph sent an answer that cannot be read: {exc.detail}", **where
        )
    text = _clip(exc.detail)
    if not exc.sent:
        return GraphError(
            f"{action}: could not reach Graph at {safe_url(url)} ({text})",
            hint="check --graph-url / ENTRA_RECOVERY_GRAPH_URL and the network",
            **where,
        )
    return GraphError(
        f"{action}: the connection to Graph at {safe_url(url)} broke before a complete answer "
        f"({text})",
        hint=f"check the network and try again{maybe}",
        **where,
    )


def _redirect_error(
    exc: Any, settings: GraphSettings, action: str, where: dict[str, Any]
) -> GraphError:
    from entra_recovery.constants import MAX_REDIRECTS
    from entra_recovery.graph.middleware import RedirectRefused

    scheme, host, port = origin_of(exc.target)
    if exc.reason == RedirectRefused.FOREIGN:
        return ForeignHostError(
            f"{action}: Graph redirected (HTTP {exc.status}) to {scheme}://{host}:{port}, which "
            f"is not the configured Graph host {settings.graph_url}; not followed, and no token "
            "is sent anywhere else",
            hint="if this is a proxy or another cloud, set --graph-url to it",
            **where,
        )
    if exc.reason == RedirectRefused.METHOD:
        return GraphError(
            f"{action}: Graph answered {exc.method} with a redirect (HTTP {exc.status}) to "
            f"{safe_url(exc.target)}; a {exc.method} is never sent again to another URL",
            **where,
        )
    return GraphError(
        f"{action}: more than {MAX_REDIRECTS} redirects (the last to {safe_url(exc.target)})",
        **where,
    )

"""
Posting one JSON payload to a chat webhook, politely and without leaking the URL.

Step in the flow: after a `plan preview` batch, the CLI posts `report.chat`'s payload to each
`--notify URL`. A webhook URL is a secret (Slack's `/services/T…/B…/<secret>`, Teams' `sig=`
query parameter), so only `display_url` (scheme, host, `/…`) is ever shown. Only https is
allowed, and http only to a loopback host (tests, a local relay). Each attempt has one deadline
for connect, send and answer; connection failures, 429 and 5xx answers are retried a few times
with backoff (429's `Retry-After` is honoured, capped); a timeout is not retried, since the
receiver may have posted the message already. Redirects are followed only to the same origin and
only as 307/308 (which keep the POST); a redirect elsewhere is a failure, never followed.

Failures come back as a `Delivery` (never raised): a notification must never change how the
run ends.
"""

from __future__ import annotations

import asyncio
import ipaddress
import json
from collections.abc import Awaitable
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from typing import Final
from urllib.parse import SplitResult
from urllib.parse import urljoin
from urllib.parse import urlsplit

from entra_recovery.errors import UsageError

DEFAULT_TIMEOUT: Final = 10.0
DEFAULT_ATTEMPTS: Final = 3
DEFAULT_BACKOFF: Final = 1.0
MAX_RETRY_AFTER: Final = 30.0
MAX_REDIRECTS: Final = 3
_RETRY_STATUSES: Final = frozenset({429, 500, 502, 503, 504})
_FOLLOWED_REDIRECTS: Final = frozenset({307, 308})


@dataclass(frozen=True)
class WebhookPolicy:
    """How hard to try: a deadline per attempt, the attempts, the first backoff (doubling)."""

    timeout: float = DEFAULT_TIMEOUT
    attempts: int = DEFAULT_ATTEMPTS
    backoff: float = DEFAULT_BACKOFF


@dataclass(frozen=True)
class Delivery:
    """What happened to one notification; `where` is the URL's printable form."""

    where: str
    ok: bool
    detail: str
    attempts: int


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def display_url(url: str) -> str:
    """`https://hooks.slack.com/…`: scheme and host (and port), never path, query or user."""
    try:
        parts = urlsplit(url)
        host = parts.hostname or "?"
        port = parts.port
    except ValueError:
        return "(an invalid URL)"
    if ":" in host:
        host = f"[{host}]"
    netloc = f"{host}:{port}" if port is not None else host
    return f"{parts.scheme or '?'}://{netloc}/…"


def check_webhook_url(url: str) -> str:
    """
    The URL, if it may receive notifications: https, or http to a loopback host.

    Raises:
        UsageError: any other URL (the message shows only `display_url`).
    """
    shown = display_url(url)
    try:
        parts = urlsplit(url)
        host = parts.hostname
        parts.port  # noqa: B018 - raises ValueError for a port out of range
    except ValueError:
        raise UsageError(f"--notify: {shown} is not a valid URL") from None
    if not host or parts.scheme not in ("https", "http"):
        raise UsageError(f"--notify: {shown} is not an https URL")
    if parts.scheme == "http" and not _is_loopback(host):
        raise UsageError(
            f"--notify: {shown} is plain http; webhook URLs carry secrets, so only https is "
            "allowed (http only to a loopback address)"
        )
    return url


def _origin(parts: SplitResult) -> tuple[str, str | None, int | None]:
    return parts.scheme, parts.hostname, parts.port


def _retry_after(value: str | None, default: float) -> float:
    try:
        seconds = float(value) if value is not None else default
    except ValueError:
        seconds = default
    return min(max(seconds, 0.0), MAX_RETRY_AFTER)


def _failure_text(exc: BaseException, url: str) -> str:
    """The exception's kind, and its message unless it could hold part of the URL."""
    text = str(exc)
    parts = urlsplit(url)
    secrets = [s for s in (parts.path.strip("/"), parts.query, parts.netloc) if s]
    if not text or any(secret in text for secret in secrets) or "://" in text:
        return type(exc).__name__
    return f"{type(exc).__name__}: {text}"


async def post_webhook(
    url: str,
    payload: dict[str, Any],
    *,
    policy: WebhookPolicy | None = None,
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
) -> Delivery:
    """POST `payload` as JSON to `url` (see module docstring); never raises for a failure."""
    import httpx

    policy = policy or WebhookPolicy()
    where = display_url(url)
    body = json.dumps(payload, ensure_ascii=False).encode("utf-8")
    headers = {"Content-Type": "application/json; charset=utf-8"}
    delay = policy.backoff
    detail = "not sent"
    attempts = max(1, policy.attempts)
    async with httpx.AsyncClient(follow_redirects=False, timeout=policy.timeout) as client:
        for attempt in range(1, attempts + 1):
            try:
                async with asyncio.timeout(policy.timeout):
                    response = await _post(client, url, body, headers)
            except TimeoutError:
                return Delivery(where, False, f"no answer within {policy.timeout:g}s", attempt)
            except _RedirectRefused as refused:
                return Delivery(where, False, str(refused), attempt)
            except httpx.HTTPError as exc:
                detail = _failure_text(exc, url)
                retry_in = delay
            else:
                if response.is_success:
                    return Delivery(where, True, f"HTTP {response.status_code}", attempt)
                detail = f"HTTP {response.status_code}"
                if response.status_code not in _RETRY_STATUSES:
                    return Delivery(where, False, detail, attempt)
                retry_in = delay
                if response.status_code == 429:
                    retry_in = _retry_after(response.headers.get("Retry-After"), delay)
            if attempt < attempts:
                await sleep(retry_in)
                delay *= 2
    return Delivery(where, False, f"{detail} after {attempts} attempt(s)", attempts)


class _RedirectRefused(Exception):
    """A redirect that is not followed: to another origin, or one that would drop the POST."""


async def _post(client: Any, url: str, body: bytes, headers: dict[str, str]) -> Any:
    """One POST, following at most MAX_REDIRECTS same-origin 307/308 redirects."""
    origin = _origin(urlsplit(url))
    for _ in range(MAX_REDIRECTS + 1):
        response = await client.post(url, content=body, headers=headers)
        if not response.is_redirect:
            return response
        target = urljoin(url, response.headers.get("Location", ""))
        if _origin(urlsplit(target)) != origin:
            raise _RedirectRefused(
                f"HTTP {response.status_code} redirect to {display_url(target)} "
                "(another origin: not followed)"
            )
        if response.status_code not in _FOLLOWED_REDIRECTS:
            raise _RedirectRefused(f"HTTP {response.status_code} redirect (not followed)")
        url = target
    raise _RedirectRefused(f"more than {MAX_REDIRECTS} redirects (not followed)")

"""`notify.webhook`: which URLs may be used, how they are shown, retries and redirects, against
a real HTTP receiver on loopback."""

from __future__ import annotations

import asyncio

import pytest

from entra_recovery.errors import UsageError
from entra_recovery.notify import Delivery
from entra_recovery.notify import WebhookPolicy
from entra_recovery.notify import check_webhook_url
from entra_recovery.notify import display_url
from entra_recovery.notify import post_webhook
from helpers.webhooks import webhook_receiver


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        ("https://hooks.slack.com/services/T0/B0/secret", "https://hooks.slack.com/…"),
        ("https://x.logic.azure.com:443/workflows/1?sig=abc", "https://x.logic.azure.com:443/…"),
        ("https://user:pw@example.com/a?b=c#d", "https://example.com/…"),
        ("http://[::1]:8080/hook", "http://[::1]:8080/…"),
    ],
)
def test_display_url_keeps_only_scheme_and_host(url: str, shown: str) -> None:
    """Path, query, fragment and credentials never appear in the printable form."""
    assert display_url(url) == shown


@pytest.mark.parametrize(
    "url",
    ["https://hooks.slack.com/services/x", "http://127.0.0.1:9/h", "http://localhost/h"],
)
def test_https_or_loopback_http_is_accepted(url: str) -> None:
    """https anywhere, http only to loopback."""
    assert check_webhook_url(url) == url


@pytest.mark.parametrize(
    "url",
    [
        "http://hooks.example.com/s3cr3t-path",
        "ftp://example.com/s3cr3t-path",
        "hooks.example.com/s3cr3t-path",
        "https://example.com:99999/s3cr3t-path",
    ],
)
def test_other_urls_are_usage_errors_without_their_path(url: str) -> None:
    """Anything else is refused, and the message never shows the path."""
    with pytest.raises(UsageError) as caught:
        check_webhook_url(url)
    assert "s3cr3t" not in str(caught.value)


def _post(url: str, sleeps: list[float], **policy: float) -> Delivery:
    async def sleep(seconds: float) -> None:
        sleeps.append(seconds)

    return asyncio.run(
        post_webhook(url, {"text": "hi"}, policy=WebhookPolicy(**policy), sleep=sleep)  # type: ignore[arg-type]
    )


def test_success_posts_once() -> None:
    """A 2xx answer: one POST with the JSON payload."""
    with webhook_receiver(status=202) as receiver:
        delivery = _post(receiver.url + "/hook", [])
    assert (delivery.ok, delivery.attempts, delivery.detail) == (True, 1, "HTTP 202")
    assert receiver.payloads == [{"text": "hi"}]


def test_server_errors_are_retried_with_backoff() -> None:
    """5xx: three attempts, doubling waits between them, then a failure."""
    sleeps: list[float] = []
    with webhook_receiver(status=503) as receiver:
        delivery = _post(receiver.url + "/hook", sleeps)
    assert not delivery.ok
    assert delivery.detail == "HTTP 503 after 3 attempt(s)"
    assert sleeps == [1.0, 2.0] and len(receiver.payloads) == 3


def test_client_errors_are_not_retried() -> None:
    """4xx other than 429: one attempt."""
    with webhook_receiver(status=404) as receiver:
        delivery = _post(receiver.url + "/hook", [])
    assert (delivery.ok, delivery.attempts) == (False, 1)


def test_a_redirect_to_another_origin_is_not_followed() -> None:
    """307 to another host: not followed, reported with the target's host only."""
    with webhook_receiver(redirect_to="https://evil.example/steal?x=1") as receiver:
        delivery = _post(receiver.url + "/hook", [])
    assert not delivery.ok and "another origin" in delivery.detail
    assert "steal" not in delivery.detail and "https://evil.example/…" in delivery.detail
    assert len(receiver.payloads) == 1


def test_same_origin_307_is_followed_up_to_the_hop_limit() -> None:
    """307 to the same origin keeps the POST and is followed, at most three times."""
    with webhook_receiver(redirect_to="/elsewhere") as receiver:
        delivery = _post(receiver.url + "/hook", [])
    assert not delivery.ok  # it keeps redirecting to itself, so the hop limit ends it
    assert "more than 3 redirects" in delivery.detail
    assert receiver.paths == ["/hook", "/elsewhere", "/elsewhere", "/elsewhere"]


def test_a_hanging_receiver_times_out_without_retry() -> None:
    """No answer within the deadline: one attempt (the message may have been posted)."""
    with webhook_receiver(hang=3.0) as receiver:
        delivery = _post(receiver.url + "/hook", [], timeout=0.3)
    assert (delivery.ok, delivery.attempts) == (False, 1)
    assert delivery.detail == "no answer within 0.3s"

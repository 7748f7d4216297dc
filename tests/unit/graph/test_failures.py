"""Error mapping: same-origin rule, Retry-After, redaction, and HTTP failures as GraphErrors."""

from __future__ import annotations

from typing import Any

import pytest

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
from entra_recovery.graph import operations as ops
from entra_recovery.graph.failures import check_same_origin
from entra_recovery.graph.failures import error_from_exception
from entra_recovery.graph.failures import error_from_response
from entra_recovery.graph.failures import parse_retry_after
from entra_recovery.graph.failures import safe_url
from entra_recovery.graph.settings import GraphSettings
from entra_recovery.redaction import redact

GRAPH = GraphSettings()
URL = "https://graph.microsoft.com/v1.0/directory/recovery/snapshots?$skiptoken=abc"
CREATE = ops.CREATE_PREVIEW_JOB.describe(snapshot="S")


@pytest.mark.parametrize(
    "url",
    [
        "https://evil.example/v1.0/directory/recovery/snapshots",
        "http://graph.microsoft.com/v1.0/directory/recovery/snapshots",
        "https://graph.microsoft.com:8443/v1.0/directory/recovery/snapshots",
        "https://graph.microsoft.com.evil.example/v1.0/x",
        "https://user@evil.example/v1.0/x",
    ],
)
def test_foreign_origins_are_refused(url: str) -> None:
    """Scheme, host and port must all match the configured Graph URL."""
    with pytest.raises(ForeignHostError) as info:
        check_same_origin(url, GRAPH, what="@odata.nextLink")
    assert "refusing to follow @odata.nextLink" in str(info.value)


def test_same_origin_with_explicit_default_port_is_fine() -> None:
    """https://graph.microsoft.com:443 is the same origin."""
    check_same_origin("https://GRAPH.microsoft.com:443/v1.0/x", GRAPH, what="x")


@pytest.mark.parametrize(
    ("status", "error_class"),
    [
        (401, GraphAuthError),
        (403, PermissionDeniedError),
        (404, NotFoundError),
        (409, JobConflictError),
        (429, ThrottledError),
        (503, ThrottledError),
        (504, ThrottledError),
        (500, GraphError),
    ],
)
def test_status_picks_the_error_class(status: int, error_class: type[GraphError]) -> None:
    """One class per status family, with status, method and a URL without its query."""
    error = error_from_response(
        status=status, headers={}, body=b"", operation=CREATE, method="POST", url=URL
    )
    assert type(error) is error_class
    assert (error.status, error.method, error.url) == (status, "POST", safe_url(URL))
    assert str(error).startswith("starting a preview job on snapshot S failed")


def test_403_for_a_delegated_only_operation_says_so() -> None:
    """Creating jobs needs a signed-in user: the hint names scope, role and delegation."""
    error = error_from_response(
        status=403, headers={}, body=b"", operation=CREATE, method="POST", url=URL
    )
    hint = error.hint or ""
    assert "EntraBackup.ReadWrite.Preview" in hint and "Backup Administrator" in hint
    assert "delegated" in hint


def test_a_transport_failure_names_the_url_and_an_azure_one_is_an_auth_error() -> None:
    """No answer at all: 'could not reach Graph'; a token failure: GraphAuthError."""
    reach = error_from_exception(OSError("refused"), operation=CREATE, method="GET", url=URL)
    assert type(reach) is GraphError and "could not reach Graph at" in str(reach)

    class ClientAuthenticationError(Exception):
        pass

    auth = error_from_exception(
        ClientAuthenticationError("expired"), operation=CREATE, method="GET", url=URL
    )
    assert isinstance(auth, GraphAuthError) and "could not get a token" in str(auth)


@pytest.mark.parametrize(
    ("value", "expected"),
    [("5", 5.0), ("0.25", 0.25), ("-3", 0.0), ("soon", None), (None, None)],
)
def test_parse_retry_after(value: str | None, expected: float | None) -> None:
    """Delta seconds (even fractional) are read; nonsense is None."""
    assert parse_retry_after(value) == expected


def test_parse_retry_after_http_date() -> None:
    """An HTTP date counts from now."""
    assert parse_retry_after("Thu, 01 Jan 2099 00:00:10 GMT", now=4070908800.0) == 10.0


def test_redact() -> None:
    """Bearer tokens, JWTs and secret assignments are removed."""
    text = "Bearer abc.def and eyJa.eyJb.sig and client_secret=xyz"
    assert redact(text) == "Bearer [redacted] and [redacted] and client_secret=[redacted]"


# --- failures inside the middleware chain ---------------------------------------------------


def _exchange_errors() -> list[tuple[Any, type[GraphError], str]]:
    from entra_recovery.graph.bounded import BodyError
    from entra_recovery.graph.middleware import AnswerUnreadable
    from entra_recovery.graph.middleware import ConnectionLost
    from entra_recovery.graph.middleware import DeadlineExceeded
    from entra_recovery.graph.middleware import RedirectRefused

    foreign = "https://evil.example/x"
    return [
        (DeadlineExceeded(2.0, sent=True), RequestTimeoutError, "request deadline of 2 s"),
        (
            AnswerUnreadable(BodyError("too big", too_large=True, limit=9), status=200),
            ResponseTooLargeError,
            "too big (counted decompressed)",
        ),
        (AnswerUnreadable(BodyError("corrupt"), status=200), GraphError, "cannot be read"),
        (
            RedirectRefused("foreign", status=302, target=foreign, method="GET"),
            ForeignHostError,
            "to https://evil.example:443",
        ),
        (
            RedirectRefused("loop", status=302, target=URL, method="GET"),
            GraphError,
            "more than 3 redirects",
        ),
        (
            ConnectionLost(OSError("reset by peer"), sent=True),
            GraphError,
            "broke before a complete answer (OSError: reset by peer)",
        ),
    ]


@pytest.mark.parametrize("case", range(6))
def test_exchange_failures_map_to_the_error_tree(case: int) -> None:
    """Deadline, size cap, undecodable body, redirects, lost connection: one class each."""
    from entra_recovery.graph.failures import error_from_exchange

    exc, expected, fragment = _exchange_errors()[case]
    operation = ops.GET_CHANGES.describe(job="J")
    error = error_from_exchange(
        exc, settings=GRAPH, creates=None, operation=operation, method="GET", url=URL
    )
    assert type(error) is expected
    assert fragment in str(error) and str(error).startswith("reading the changes of preview job J")
    assert "skiptoken" not in str(error)


@pytest.mark.parametrize(("sent", "uncertain"), [(True, True), (False, False)])
def test_a_job_post_is_uncertain_only_when_it_left(sent: bool, uncertain: bool) -> None:
    """After the request left anything is JobCreationUncertain; before, a plain error."""
    from entra_recovery.graph.failures import JobCreation
    from entra_recovery.graph.failures import error_from_exchange
    from entra_recovery.graph.middleware import ConnectionLost

    error = error_from_exchange(
        ConnectionLost(OSError("boom"), sent=sent),
        settings=GRAPH,
        creates=JobCreation("recovery", "S"),
        operation=CREATE,
        method="POST",
        url=URL,
    )
    assert isinstance(error, JobCreationUncertain) is uncertain
    if isinstance(error, JobCreationUncertain):
        assert (error.kind, error.snapshot_id, error.method) == ("recovery", "S", "POST")
        assert "the recovery job may or may not have been created" in str(error)
        assert error.hint is not None and "entra-recovery job list" in error.hint
    else:
        assert "could not reach Graph" in str(error)


def test_a_non_get_that_timed_out_says_it_may_have_reached_graph() -> None:
    """A cancel that timed out after sending: the hint says to check before repeating."""
    from entra_recovery.graph.failures import error_from_exchange
    from entra_recovery.graph.middleware import DeadlineExceeded

    error = error_from_exchange(
        DeadlineExceeded(1.0, sent=True),
        settings=GRAPH,
        creates=None,
        operation=ops.CANCEL_JOB.describe(job="J"),
        method="POST",
        url=URL,
    )
    assert isinstance(error, RequestTimeoutError)
    assert "may have reached Graph" in (error.hint or "")

"""Sign-in failures explained: one cause and one next step per azure-identity/MSAL exception.

The exceptions are real azure-core / azure-identity objects, built as azure-identity builds
them (nothing is mocked).
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from entra_recovery.errors import GraphAuthError
from entra_recovery.graph.authfailures import login_command
from entra_recovery.graph.authfailures import sign_in_failure

TENANT = "5f0c1a2b-3c4d-4e5f-8a9b-0c1d2e3f4a5b"
AUTHORITY = "login.microsoftonline.com"
LOGIN = f"entra-recovery login --tenant-id {TENANT}"


def auth_failed(text: str) -> BaseException:
    from azure.core.exceptions import ClientAuthenticationError

    return ClientAuthenticationError(message=f"Authentication failed: {text}")


def required(response: object = None) -> BaseException:
    """azure-identity's silent-sign-in failure; `response` set as the body, when given."""
    from azure.identity import AuthenticationRequiredError

    error = AuthenticationRequiredError(["https://graph.microsoft.com/EntraBackup.Read.All"])
    if response is not None:
        error.response = response  # type: ignore[assignment]  # MSAL's answer, as a dict
    return error


def unreachable(text: str) -> BaseException:
    from azure.core.exceptions import ServiceRequestError

    return ServiceRequestError(text)


def chained(outer: BaseException, cause: BaseException) -> BaseException:
    outer.__cause__ = cause
    return outer


def explain(
    exc: BaseException, tenant: str | None = TENANT, method: str = "browser"
) -> GraphAuthError:
    return sign_in_failure(exc, tenant=tenant, method=method, authority=AUTHORITY)


def hint_of(error: GraphAuthError) -> str:
    assert error.hint is not None
    return error.hint


CASES: list[tuple[str, Callable[[], BaseException], str, str]] = [
    (
        "65001",
        lambda: auth_failed("AADSTS65001: The user or administrator has not consented."),
        f"consent is missing in tenant {TENANT}: the app has not been granted the EntraBackup "
        "permissions asked for (AADSTS65001)",
        f"an administrator grants them once ({LOGIN} as an admin",
    ),
    (
        "consent_required",
        lambda: auth_failed("invalid_grant (suberror: consent_required)"),
        f"consent is missing in tenant {TENANT}",
        "docs/authentication.md#first-time-consent",
    ),
    (
        "70043",
        lambda: auth_failed("AADSTS70043: The refresh token has expired."),
        f"the stored sign-in for tenant {TENANT} has expired or was revoked",
        f"run `{LOGIN}` at a terminal to sign in again",
    ),
    (
        "700082",
        lambda: auth_failed("AADSTS700082: The refresh token has expired due to inactivity."),
        "has expired or was revoked",
        f"run `{LOGIN}` at a terminal to sign in again",
    ),
    (
        "50173",
        lambda: auth_failed("AADSTS50173: The provided grant has expired."),
        "has expired or was revoked",
        f"run `{LOGIN}` at a terminal to sign in again",
    ),
    (
        "invalid_grant",
        lambda: auth_failed("invalid_grant: the grant is no good"),
        "has expired or was revoked",
        f"run `{LOGIN}` at a terminal to sign in again",
    ),
    (
        "53003",
        lambda: auth_failed("AADSTS53003: Access has been blocked by Conditional Access."),
        f"sign-in to tenant {TENANT} was blocked by Conditional Access (AADSTS53003)",
        f"sign in from a device and location your policies allow: {LOGIN} there",
    ),
    (
        "50076",
        lambda: auth_failed("AADSTS50076: you must use multi-factor authentication."),
        f"the sign-in to tenant {TENANT} needs a person: a second factor or another prompt "
        "(AADSTS50076)",
        f"run `{LOGIN}` at a terminal; unattended runs use the sign-in it stores",
    ),
    (
        "50020",
        lambda: auth_failed("AADSTS50020: User account from identity provider does not exist."),
        f"the account is not a member or guest of tenant {TENANT} (AADSTS50020)",
        f"{LOGIN} with an account of that tenant, or check the tenant id",
    ),
    (
        "700016",
        lambda: auth_failed("AADSTS700016: Application with identifier 'x' was not found."),
        f"the client id is not known in tenant {TENANT} (AADSTS700016)",
        "check --client-id / ENTRA_RECOVERY_CLIENT_ID",
    ),
    (
        "authentication-required",
        required,
        f"not signed in for tenant {TENANT}: the sign-in needs a person and none is at a terminal",
        f"run `{LOGIN}` at a terminal",
    ),
    (
        "service-request-error",
        lambda: unreachable("Failed to establish a new connection: [Errno 111] refused"),
        f"cannot reach the sign-in service at {AUTHORITY}: Failed to establish a new connection",
        "check the network, DNS and proxy (HTTPS_PROXY)",
    ),
    (
        "chained-connection-error",
        lambda: chained(auth_failed("request failed"), ConnectionError("refused")),
        f"cannot reach the sign-in service at {AUTHORITY}: Authentication failed: request failed",
        "nothing is wrong with the sign-in itself",
    ),
    (
        "encryption",
        lambda: ValueError("Cache encryption is impossible because libsecret dependencies ..."),
        "the token cache cannot be encrypted here (no usable libsecret",
        "--allow-unencrypted-cache or ENTRA_RECOVERY_ALLOW_UNENCRYPTED_CACHE=1",
    ),
    (
        "encryption-chained",
        lambda: chained(
            RuntimeError("could not build the cache"),
            ValueError("Cache encryption is impossible because no display is available"),
        ),
        "the token cache cannot be encrypted here",
        "install and unlock a keyring (gnome-keyring",
    ),
    (
        "unknown",
        lambda: auth_failed("Something odd happened\nsecond line with details"),
        "could not get a token (ClientAuthenticationError): Authentication failed: "
        "Something odd happened",
        f"run `{LOGIN}`, or set ENTRA_RECOVERY_ACCESS_TOKEN",
    ),
]


@pytest.mark.parametrize(
    ("exc", "message", "hint"), [c[1:] for c in CASES], ids=[c[0] for c in CASES]
)
def test_each_cause_gets_its_message_and_hint(
    exc: Callable[[], BaseException], message: str, hint: str
) -> None:
    error = explain(exc())
    assert isinstance(error, GraphAuthError)
    assert message in error.message
    assert hint in hint_of(error)
    assert "\n" not in error.message


def test_credential_unavailable_names_the_method() -> None:
    from azure.identity import CredentialUnavailableError

    error = explain(
        CredentialUnavailableError(message="Azure CLI not found on path"), None, "azure-cli"
    )
    assert (
        error.message == "the azure-cli sign-in is not available here: Azure CLI not found on path"
    )
    assert hint_of(error) == "choose another --auth (docs/authentication.md)"


def test_unknown_keeps_the_first_line_only() -> None:
    error = explain(auth_failed("first\nsecond line"))
    assert error.message.endswith(": Authentication failed: first")
    assert "second line" not in error.message


def test_an_empty_unknown_error_is_named_by_its_type() -> None:
    error = explain(RuntimeError(""))
    assert error.message == "could not get a token (RuntimeError): RuntimeError"


@pytest.mark.parametrize(
    ("exc", "expected"),
    [
        (lambda: auth_failed("AADSTS70043: expired"), "run `entra-recovery login` at a terminal"),
        (lambda: auth_failed("AADSTS53003: blocked"), "policies allow: entra-recovery login there"),
        (required, "run `entra-recovery login` at a terminal"),
        (lambda: RuntimeError("x"), "run `entra-recovery login`, or set"),
    ],
)
def test_without_a_tenant_the_hint_is_plain_login(
    exc: Callable[[], BaseException], expected: str
) -> None:
    error = explain(exc(), tenant=None)
    assert expected in hint_of(error)
    assert "--tenant-id" not in hint_of(error)
    assert "your tenant" in error.message or "could not get a token" in error.message


def test_login_command() -> None:
    assert login_command(None) == "entra-recovery login"
    assert login_command("contoso.example") == "entra-recovery login --tenant-id contoso.example"


@pytest.mark.parametrize(
    ("response", "expected"),
    [
        ({"error": "invalid_grant", "error_codes": [53003]}, "blocked by Conditional Access"),
        ({"error": "invalid_grant", "error_codes": [65001]}, "consent is missing"),
        ({"error": "interaction_required", "error_codes": [50076]}, "needs a person"),
        ({"error": "invalid_grant", "error_codes": [50020]}, "not a member or guest"),
        ({"error": "invalid_client", "error_codes": [700016]}, "client id is not known"),
        ({"error": "invalid_grant", "error_codes": [700082]}, "expired or was revoked"),
        ({"error": "invalid_grant", "error_codes": None}, "expired or was revoked"),
        (
            {"error": "x", "error_description": "AADSTS53003: blocked", "error_codes": []},
            "blocked by Conditional Access (AADSTS53003)",
        ),
    ],
)
def test_codes_are_found_in_the_response_dict(response: dict, expected: str) -> None:
    """MSAL's answer (error, description, error_codes) decides, not just the message."""
    error = explain(required(response))
    assert expected in error.message


def test_codes_are_found_in_a_chained_cause() -> None:
    outer = chained(RuntimeError("token request failed"), auth_failed("AADSTS50020: not here"))
    assert "not a member or guest" in explain(outer).message


def test_a_graph_auth_error_passes_through_unchanged() -> None:
    original = GraphAuthError("already explained", hint="do this")
    assert explain(original) is original


def test_interaction_required_without_a_code_needs_a_person() -> None:
    """FAILS (bug): the module docstring lists `interaction_required` as an interaction cause,
    but only the codes are checked; without one the error falls through to "could not get a
    token (ClientAuthenticationError)"."""
    error = explain(auth_failed("interaction_required: the user must sign in again"))
    assert "needs a person" in error.message


def test_the_code_named_is_one_of_the_cause() -> None:
    """FAILS (bug): the message shows AADSTS{min(codes)} over every code found, not over the
    codes of the cause chosen: a Conditional Access block that also carries 50076 reads
    "blocked by Conditional Access (AADSTS50076)"."""
    error = explain(required({"error": "invalid_grant", "error_codes": [53003, 50076]}))
    assert "blocked by Conditional Access (AADSTS53003)" in error.message

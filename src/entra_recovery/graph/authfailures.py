"""
Sign-in failures explained: an azure-identity or MSAL exception becomes one `GraphAuthError`
naming its cause and the next step.

Microsoft Entra answers with `AADSTS<number>` codes inside the error text (and in MSAL's
`error_codes`); azure-identity wraps them in `ClientAuthenticationError`, or in
`AuthenticationRequiredError` when a silent sign-in needs a person. The causes told apart:
the network, the token cache that cannot be encrypted, missing consent (65001), an expired or
revoked sign-in (70043, 700082, 50173, 700084, `invalid_grant`), Conditional Access (53003), a
second factor or other interaction (50076, 50079, 50158, `interaction_required`), an account
that is not in the tenant (50020, 90072), an unknown client id (700016), a credential that is
not available here. Everything else keeps azure-identity's first line. Tokens never appear in
these texts; `redaction` scrubs them all the same.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from entra_recovery.constants import ENV_ALLOW_UNENCRYPTED_CACHE
from entra_recovery.errors import GraphAuthError

_CODE = re.compile(r"AADSTS(\d{4,7})")

EXPIRED = frozenset({"70043", "700082", "50173", "700084", "70008", "50133"})
INTERACTION = frozenset({"50076", "50079", "50158", "50072", "50074"})
NOT_IN_TENANT = frozenset({"50020", "90072", "50034"})
CONSENT = frozenset({"65001", "65004"})
CONDITIONAL_ACCESS = frozenset({"53003", "53000", "53001", "530003"})
UNKNOWN_CLIENT = frozenset({"700016"})
NETWORK_NAMES = frozenset(
    {"ServiceRequestError", "ServiceRequestTimeoutError", "ConnectionError", "ConnectTimeout"}
)


def login_command(tenant: str | None) -> str:
    return f"entra-recovery login --tenant-id {tenant}" if tenant else "entra-recovery login"


def _texts(exc: BaseException) -> Iterable[str]:
    """Every text the exception carries: its message, MSAL's answer, the chained cause."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        yield str(current)
        message = getattr(current, "message", None)
        if isinstance(message, str):
            yield message
        response = getattr(current, "response", None)
        if isinstance(response, dict):
            yield str(response.get("error", ""))
            yield str(response.get("error_description", ""))
            yield " ".join(f"AADSTS{c}" for c in response.get("error_codes", ()) or ())
        current = current.__cause__ or current.__context__


def _first_line(exc: BaseException) -> str:
    return (str(exc).strip().splitlines() or [type(exc).__name__])[0][:300]


def _is_network(exc: BaseException) -> bool:
    current: BaseException | None = exc
    while current is not None:
        if type(current).__name__ in NETWORK_NAMES or isinstance(current, ConnectionError):
            return True
        current = current.__cause__ or current.__context__
    return False


def sign_in_failure(
    exc: BaseException, *, tenant: str | None, method: str, authority: str
) -> GraphAuthError:
    """`exc` (raised while signing in or getting a token) as an explained `GraphAuthError`."""
    if isinstance(exc, GraphAuthError):
        return exc
    text = " ".join(_texts(exc))
    codes = set(_CODE.findall(text))
    login = login_command(tenant)
    where = f"tenant {tenant}" if tenant else "your tenant"
    if "Cache encryption is impossible" in text:
        return GraphAuthError(
            "the token cache cannot be encrypted here (no usable libsecret: no keyring "
            "daemon, no D-Bus session or PyGObject missing, as on a headless server)",
            hint="install and unlock a keyring (gnome-keyring, with `pip install PyGObject` and "
            "libsecret-1), or store the cache as a 0600 file: --allow-unencrypted-cache or "
            f"{ENV_ALLOW_UNENCRYPTED_CACHE}=1 (docs/authentication.md)",
        )
    if codes & CONSENT or "consent_required" in text:
        return GraphAuthError(
            f"consent is missing in {where}: the app has not been granted the EntraBackup "
            "permissions asked for (AADSTS65001)",
            hint=f"an administrator grants them once ({login} as an admin, or admin consent for "
            "the app; docs/authentication.md#first-time-consent)",
        )
    if codes & CONDITIONAL_ACCESS:
        return GraphAuthError(
            f"sign-in to {where} was blocked by Conditional Access "
            f"(AADSTS{min(codes & CONDITIONAL_ACCESS)})",
            hint=f"sign in from a device and location your policies allow: {login} there, or ask "
            "your administrator which policy applies",
        )
    if codes & NOT_IN_TENANT:
        return GraphAuthError(
            f"the account is not a member or guest of {where} (AADSTS{min(codes & NOT_IN_TENANT)})",
            hint=f"{login} with an account of that tenant, or check the tenant id",
        )
    if codes & UNKNOWN_CLIENT:
        return GraphAuthError(
            f"the client id is not known in {where} (AADSTS700016)",
            hint="check --client-id / ENTRA_RECOVERY_CLIENT_ID, or leave it unset for Microsoft "
            "Graph PowerShell's",
        )
    if codes & INTERACTION or "interaction_required" in text:
        code = f" (AADSTS{min(codes & INTERACTION)})" if codes & INTERACTION else ""
        return GraphAuthError(
            f"the sign-in to {where} needs a person: a second factor or another prompt{code}",
            hint=f"run `{login}` at a terminal; unattended runs use the sign-in it stores",
        )
    if codes & EXPIRED or "invalid_grant" in text:
        return GraphAuthError(
            f"the stored sign-in for {where} has expired or was revoked",
            hint=f"run `{login}` at a terminal to sign in again",
        )
    name = type(exc).__name__
    if name == "AuthenticationRequiredError":
        return GraphAuthError(
            f"not signed in for {where}: the sign-in needs a person and none is at a terminal",
            hint=f"run `{login}` at a terminal",
        )
    if _is_network(exc) or "Failed to resolve" in text or "Max retries exceeded" in text:
        return GraphAuthError(
            f"cannot reach the sign-in service at {authority}: {_first_line(exc)}",
            hint="check the network, DNS and proxy (HTTPS_PROXY); nothing is wrong with the "
            "sign-in itself",
        )
    if name == "CredentialUnavailableError":
        return GraphAuthError(
            f"the {method} sign-in is not available here: {_first_line(exc)}",
            hint="choose another --auth (docs/authentication.md)",
        )
    return GraphAuthError(
        f"could not get a token ({name}): {_first_line(exc)}",
        hint=f"run `{login}`, or set ENTRA_RECOVERY_ACCESS_TOKEN",
    )

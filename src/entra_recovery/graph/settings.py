"""
How to reach Graph: base URL, API version, credential choice, polling interval, and the limits
of one request (deadline, answer size).

Built by the CLI from options and environment variables (shared/design.md contracts), or by a
script directly. The access token, when given, is kept out of `repr()`.
"""

from __future__ import annotations

import math
import os
from collections.abc import Mapping
from dataclasses import dataclass
from dataclasses import field
from pathlib import Path
from urllib.parse import urlsplit

from entra_recovery.constants import API_VERSIONS
from entra_recovery.constants import DEFAULT_API_VERSION
from entra_recovery.constants import DEFAULT_GRAPH_URL
from entra_recovery.constants import DEFAULT_MAX_RESPONSE_BYTES
from entra_recovery.constants import DEFAULT_POLL_INTERVAL
from entra_recovery.constants import DEFAULT_REQUEST_TIMEOUT
from entra_recovery.constants import ENV_ACCESS_TOKEN
from entra_recovery.constants import ENV_ALLOW_UNENCRYPTED_CACHE
from entra_recovery.constants import ENV_API_VERSION
from entra_recovery.constants import ENV_AUTH
from entra_recovery.constants import ENV_AUTHORITY
from entra_recovery.constants import ENV_CLIENT_ID
from entra_recovery.constants import ENV_GRAPH_URL
from entra_recovery.constants import ENV_POLL_INTERVAL
from entra_recovery.constants import ENV_REQUEST_TIMEOUT
from entra_recovery.constants import ENV_TENANT_ID
from entra_recovery.constants import MIN_POLL_INTERVAL
from entra_recovery.errors import UsageError
from entra_recovery.statedir import default_state_dir

AUTH_METHODS = (
    # ENTRA_RECOVERY_ACCESS_TOKEN when set, else the stored sign-in for the tenant, else a
    # browser sign-in when a person is at a terminal, else a fast error naming `login`
    "auto",
    "token",
    "browser",
    "device-code",
    "environment",  # client secret or certificate from AZURE_* variables (reads only)
    "managed-identity",  # (reads only)
    "workload-identity",  # federated token file, e.g. GitHub OIDC or AKS (reads only)
    "azure-cli",  # its Graph token lacks the EntraBackup scopes: asked for by name only
)

# The sign-in authority (Microsoft Entra ID, global cloud: the only one this API exists in).
DEFAULT_AUTHORITY = "login.microsoftonline.com"
# Read by releases before `login` existed; refused with the command that replaces it.
ENV_AUTH_RECORD = "ENTRA_RECOVERY_AUTH_RECORD"


@dataclass(frozen=True)
class GraphSettings:
    """Everything `graph/` needs to connect; no secrets in repr.

    `request_timeout` is the deadline of one attempt of one request (connect to the last body
    byte); `max_response_bytes` caps every answer body, counted after decompression.

    Sign-in: `interactive` says a person is at a terminal (only then may a browser or device-code
    flow start; the CLI sets it from the terminal, scripts opt in); `signin_dir` holds the stored
    sign-ins (default `<state dir>/signins`); `allow_unencrypted_cache` lets the token cache
    fall back to a plain 0600 file where it cannot be encrypted; `authority` is the sign-in
    host (Microsoft Entra ID unless a test or proxy stands in).
    """

    graph_url: str = DEFAULT_GRAPH_URL
    api_version: str = DEFAULT_API_VERSION
    access_token: str | None = field(default=None, repr=False)
    auth_method: str = "auto"
    tenant_id: str | None = None
    client_id: str | None = None
    poll_interval: float = DEFAULT_POLL_INTERVAL
    timeout: float | None = None
    request_timeout: float = DEFAULT_REQUEST_TIMEOUT
    max_response_bytes: int = DEFAULT_MAX_RESPONSE_BYTES
    interactive: bool = False
    allow_unencrypted_cache: bool = False
    authority: str = DEFAULT_AUTHORITY
    signin_dir: Path | None = None

    def __post_init__(self) -> None:
        parts = urlsplit(self.graph_url)
        if parts.scheme not in ("https", "http") or not parts.hostname:
            raise UsageError(
                f"invalid Graph URL {self.graph_url!r}",
                hint="give a base URL without version, e.g. https://graph.microsoft.com",
            )
        if parts.scheme == "http" and parts.hostname not in ("localhost", "127.0.0.1", "::1"):
            raise UsageError(
                f"refusing plain http for {parts.hostname}: tokens are only sent over https "
                "(plain http is allowed for loopback emulators)"
            )
        if parts.path not in ("", "/") or parts.query or parts.fragment:
            raise UsageError(
                f"the Graph URL must not contain a path or query: {self.graph_url!r}",
                hint="drop the '/v1.0' or '/beta'; use --api-version to choose the version",
            )
        if self.api_version not in API_VERSIONS:
            raise UsageError(
                f"unknown API version {self.api_version!r}; use one of {', '.join(API_VERSIONS)}"
            )
        if self.auth_method not in AUTH_METHODS:
            raise UsageError(
                f"unknown auth method {self.auth_method!r}; use one of {', '.join(AUTH_METHODS)}"
            )
        if not math.isfinite(self.poll_interval) or self.poll_interval < MIN_POLL_INTERVAL:
            raise UsageError(
                f"the poll interval must be a number of seconds of at least {MIN_POLL_INTERVAL}, "
                f"not {self.poll_interval!r}"
            )
        self._check_limits()
        if not self.authority or any(c in self.authority for c in "/?#@ "):
            raise UsageError(
                f"the sign-in authority must be a host name (with an optional port), "
                f"not {self.authority!r}",
                hint=f"unset {ENV_AUTHORITY} to sign in with {DEFAULT_AUTHORITY}",
            )

    @property
    def signins(self) -> Path:
        """The folder of stored sign-ins."""
        return self.signin_dir if self.signin_dir is not None else default_state_dir() / "signins"

    def _check_limits(self) -> None:
        timeout = self.request_timeout
        if isinstance(timeout, bool) or not isinstance(timeout, int | float):
            timeout = math.nan
        if not (math.isfinite(timeout) and timeout > 0):
            raise UsageError(
                f"the request timeout must be a finite number of seconds above 0, "
                f"not {self.request_timeout!r}",
                hint=f"set --request-timeout or {ENV_REQUEST_TIMEOUT} to e.g. 100",
            )
        size = self.max_response_bytes
        if isinstance(size, bool) or not isinstance(size, int) or size <= 0:
            raise UsageError(
                f"the response size cap must be a positive number of bytes, not {size!r}"
            )

    @property
    def base_url(self) -> str:
        """Graph URL with the version, e.g. https://graph.microsoft.com/v1.0."""
        return f"{self.graph_url.rstrip('/')}/{self.api_version}"

    @property
    def origin(self) -> tuple[str, str, int]:
        """(scheme, host, port) that tokens may be sent to."""
        parts = urlsplit(self.graph_url)
        port = parts.port or (443 if parts.scheme == "https" else 80)
        return parts.scheme, (parts.hostname or "").lower(), port

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None, **overrides: object) -> GraphSettings:
        """Settings from ENTRA_RECOVERY_* variables; explicit non-None overrides win."""
        env = os.environ if env is None else env
        if env.get(ENV_AUTH_RECORD):
            raise UsageError(
                f"{ENV_AUTH_RECORD} is no longer read: sign-ins are stored per tenant by "
                "`entra-recovery login`",
                hint=f"unset {ENV_AUTH_RECORD} and run `entra-recovery login --tenant-id "
                "TENANT` once at a terminal",
            )
        values: dict[str, object] = {}
        if env.get(ENV_GRAPH_URL):
            values["graph_url"] = env[ENV_GRAPH_URL]
        if env.get(ENV_API_VERSION):
            values["api_version"] = env[ENV_API_VERSION]
        if env.get(ENV_ACCESS_TOKEN):
            values["access_token"] = env[ENV_ACCESS_TOKEN].strip()
        if env.get(ENV_POLL_INTERVAL):
            values["poll_interval"] = _seconds(env, ENV_POLL_INTERVAL)
        if env.get(ENV_REQUEST_TIMEOUT):
            values["request_timeout"] = _seconds(env, ENV_REQUEST_TIMEOUT)
        for name, key in ((ENV_TENANT_ID, "tenant_id"), (ENV_CLIENT_ID, "client_id")):
            if env.get(name, "").strip():
                values[key] = env[name].strip()
        if env.get(ENV_AUTH, "").strip():
            values["auth_method"] = _auth_method(env[ENV_AUTH])
        if env.get(ENV_ALLOW_UNENCRYPTED_CACHE, "").strip():
            values["allow_unencrypted_cache"] = _flag(env, ENV_ALLOW_UNENCRYPTED_CACHE)
        if env.get(ENV_AUTHORITY, "").strip():
            values["authority"] = env[ENV_AUTHORITY].strip()
        values.update({k: v for k, v in overrides.items() if v is not None})
        return cls(**values)  # type: ignore[arg-type]


def _auth_method(value: str) -> str:
    method = value.strip().lower()
    if method not in AUTH_METHODS:
        raise UsageError(
            f"{ENV_AUTH} must be one of {', '.join(AUTH_METHODS)}, not {value!r}",
        )
    return method


def _flag(env: Mapping[str, str], name: str) -> bool:
    value = env[name].strip().lower()
    if value in ("1", "true", "yes", "on"):
        return True
    if value in ("0", "false", "no", "off"):
        return False
    raise UsageError(f"{name} must be 1 or 0 (true or false), not {env[name]!r}")


def _seconds(env: Mapping[str, str], name: str) -> float:
    try:
        return float(env[name])
    except ValueError:
        raise UsageError(f"{name} must be a number of seconds, not {env[name]!r}") from None

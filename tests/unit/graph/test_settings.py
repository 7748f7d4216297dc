"""GraphSettings: the request deadline and the answer size cap, from code, env and CLI."""

from __future__ import annotations

import math

import pytest

from entra_recovery.cli.context import AppContext
from entra_recovery.constants import DEFAULT_MAX_RESPONSE_BYTES
from entra_recovery.constants import DEFAULT_REQUEST_TIMEOUT
from entra_recovery.constants import ENV_REQUEST_TIMEOUT
from entra_recovery.errors import UsageError
from entra_recovery.graph.settings import GraphSettings
from helpers.clirun import run_cli


def test_defaults_are_100_seconds_and_64_mib() -> None:
    """A request may take 100 s per attempt and its answer may hold 64 MiB, unless told."""
    settings = GraphSettings()
    assert settings.request_timeout == DEFAULT_REQUEST_TIMEOUT == 100.0
    assert settings.max_response_bytes == DEFAULT_MAX_RESPONSE_BYTES == 64 * 1024 * 1024


@pytest.mark.parametrize("value", [0, -1, math.nan, math.inf, True, "10"])
def test_the_request_timeout_must_be_finite_and_positive(value: object) -> None:
    """Zero, negative, NaN, infinite and non-numbers are usage errors naming the variable."""
    with pytest.raises(UsageError) as info:
        GraphSettings(request_timeout=value)  # type: ignore[arg-type]
    assert "request timeout" in str(info.value)
    assert ENV_REQUEST_TIMEOUT in (info.value.hint or "")


@pytest.mark.parametrize("value", [0, -5, 1.5, True])
def test_the_size_cap_must_be_a_positive_whole_number(value: object) -> None:
    """The cap is a count of bytes."""
    with pytest.raises(UsageError, match="size cap"):
        GraphSettings(max_response_bytes=value)  # type: ignore[arg-type]


def test_the_environment_sets_the_request_timeout_and_options_win() -> None:
    """ENTRA_RECOVERY_REQUEST_TIMEOUT is read as seconds; an explicit value overrides it."""
    assert GraphSettings.from_env({ENV_REQUEST_TIMEOUT: "2.5"}).request_timeout == 2.5
    env = {ENV_REQUEST_TIMEOUT: "2.5"}
    assert GraphSettings.from_env(env, request_timeout=7.0).request_timeout == 7.0
    assert GraphSettings.from_env({}).request_timeout == DEFAULT_REQUEST_TIMEOUT


@pytest.mark.parametrize("value", ["soon", "0", "-1", "nan", "inf"])
def test_a_bad_environment_value_is_a_usage_error(value: str) -> None:
    """The variable is validated like the option."""
    with pytest.raises(UsageError):
        GraphSettings.from_env({ENV_REQUEST_TIMEOUT: value})


def test_the_global_option_reaches_the_settings() -> None:
    """--request-timeout lands in GraphSettings through the AppContext."""
    assert AppContext(request_timeout=3.0).graph_settings().request_timeout == 3.0


@pytest.mark.parametrize("value", ["0", "-1", "nan", "inf", "soon"])
def test_the_global_option_refuses_what_is_not_a_deadline(value: str) -> None:
    """Same validation style as --poll-interval: a usage error, exit 64, before any request."""
    result = run_cli(["--request-timeout", value, "snapshot", "list"])
    assert result.code == 64
    assert "--request-timeout" in result.stderr and "Traceback" not in result.stderr


def test_the_environment_variable_is_refused_by_the_cli_too() -> None:
    """A bad ENTRA_RECOVERY_REQUEST_TIMEOUT is a usage error (exit 64) for Graph commands."""
    env = {
        ENV_REQUEST_TIMEOUT: "0",
        "ENTRA_RECOVERY_ACCESS_TOKEN": "t" * 20,
        "ENTRA_RECOVERY_GRAPH_URL": "http://127.0.0.1:9",
    }
    result = run_cli(["snapshot", "list"], env=env)
    assert result.code == 64
    assert "request timeout" in result.stderr

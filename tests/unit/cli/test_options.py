"""Shared option types: what `Duration` and `Seconds` accept, and what they refuse."""

from __future__ import annotations

from pathlib import Path

import click
import pytest

from entra_recovery.cli.options import DURATION
from entra_recovery.cli.options import SECONDS
from entra_recovery.constants import ExitCode
from entra_recovery.emulator.server import EmulatorServer
from entra_recovery.testing import emulator_env
from helpers.clirun import run_cli

PLANS = Path(__file__).parents[3] / "recovery_plans"
PLAN = str(PLANS / "rollback-ca-incident.yaml")


@pytest.mark.parametrize(
    "text,seconds",
    [
        ("90", 90.0),
        ("0.5", 0.5),
        ("1e3", 1000.0),
        ("90s", 90.0),
        ("15m", 900.0),
        ("2h", 7200.0),
        ("1d", 86400.0),
        ("1h30m", 5400.0),
        ("1.5h", 5400.0),
        (".5m", 30.0),
        ("1d2h3m4s", 93784.0),
        (" 2H ", 7200.0),
    ],
)
def test_duration_accepts(text: str, seconds: float) -> None:
    """Each accepted spelling converts to its number of seconds."""
    assert DURATION.convert(text, None, None) == seconds


@pytest.mark.parametrize(
    "text",
    [
        "",
        "0",
        "0.0",
        "0s",
        "-5",
        "-5m",
        "nan",
        "NaN",
        "inf",
        "-inf",
        "infinity",
        "1e309",
        "1e-400",
        "9" * 400 + "h",
        "s",
        "h1",
        "..s",
        "1.2.3m",
        "1h-5m",
        "5 m",
        "2w",
        "²s",
        "٣s",
    ],
)
def test_duration_refuses(text: str) -> None:
    """Zero, negative, not-a-number, infinite and malformed durations are click usage errors."""
    with pytest.raises(click.BadParameter) as info:
        DURATION.convert(text, None, None)
    assert f"{text!r} is not a duration" in info.value.message
    assert "30s, 15m, 2h" in info.value.message


@pytest.mark.parametrize("value", [float("nan"), float("inf"), 0, -1.0])
def test_duration_checks_numbers_too(value: float) -> None:
    """A number given directly (a default, say) passes the same checks as text."""
    with pytest.raises(click.BadParameter):
        DURATION.convert(value, None, None)


@pytest.mark.parametrize("text,seconds", [("30", 30.0), ("0.01", 0.01), ("2.5", 2.5)])
def test_seconds_accepts(text: str, seconds: float) -> None:
    """`Seconds` takes a plain positive number of seconds."""
    assert SECONDS.convert(text, None, None) == seconds


@pytest.mark.parametrize("text", ["0", "0.001", "-1", "nan", "inf", "-inf", "30s", ""])
def test_seconds_refuses(text: str) -> None:
    """`Seconds` refuses units, values under 0.01, NaN and infinities."""
    with pytest.raises(click.BadParameter, match="is not a number of seconds"):
        SECONDS.convert(text, None, None)


def test_nan_wait_for_slot_exits_64_before_any_graph_request(emulator: EmulatorServer) -> None:
    """`plan preview PLAN --wait-for-slot nan` is a usage error and the emulator sees no request."""
    args = ["plan", "preview", PLAN, "--wait-for-slot", "nan"]
    result = run_cli(args, env=emulator_env(emulator))
    assert result.code == ExitCode.USAGE
    assert "Invalid value for '--wait-for-slot': 'nan' is not a duration" in result.stderr
    assert result.stdout == ""
    assert emulator.requests == []


def test_malformed_timeout_is_a_usage_error_not_a_traceback() -> None:
    """`--timeout ..s` used to escape as a ValueError traceback; now it is exit 64."""
    result = run_cli(["plan", "preview", PLAN, "--timeout", "..s"])
    assert result.code == ExitCode.USAGE
    assert "Traceback" not in result.stderr
    assert "'..s' is not a duration" in result.stderr


@pytest.mark.parametrize("value", ["nan", "inf"])
def test_poll_interval_refuses_nan_and_inf(value: str) -> None:
    """`--poll-interval nan` and `inf` are usage errors."""
    result = run_cli(["--poll-interval", value, "plan", "validate", str(PLANS)])
    assert result.code == ExitCode.USAGE


@pytest.mark.parametrize("value", ["nan", "inf", "-1", "0", "0.001"])
def test_poll_interval_from_the_environment_is_checked_too(value: str) -> None:
    """ENTRA_RECOVERY_POLL_INTERVAL gets the same limits as --poll-interval: exit 64, named."""
    result = run_cli(
        ["snapshot", "list"],
        env={"ENTRA_RECOVERY_POLL_INTERVAL": value, "ENTRA_RECOVERY_ACCESS_TOKEN": "x.y.z"},
    )
    assert result.code == ExitCode.USAGE, result.stderr
    assert "poll interval" in result.stderr

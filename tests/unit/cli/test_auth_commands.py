"""`login`, `whoami`, `logout` on the command line, and where sign-in log lines go."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from pathlib import Path

import pytest

from entra_recovery.cli.logs import LIBRARY_LOGGERS
from entra_recovery.cli.logs import configure_logging
from entra_recovery.constants import ExitCode
from entra_recovery.graph import auth
from helpers.authority import AuthorityStandIn
from helpers.clirun import run_cli

TENANT = "5f0c1a2b-3c4d-4e5f-8a9b-0c1d2e3f4a5b"
USER = "ada@contoso.example"
READ, PREVIEW = "EntraBackup.Read.All", "EntraBackup.ReadWrite.Preview"


@pytest.fixture(autouse=True)
def _fresh_credentials() -> Iterator[None]:
    auth.forget_credentials()
    yield
    auth.forget_credentials()


@pytest.fixture
def state(tmp_path: Path) -> Path:
    return tmp_path / "state"


def env_for(state: Path, **extra: str) -> dict[str, str]:
    return {"ENTRA_RECOVERY_STATE_DIR": str(state), **extra}


def test_login_under_the_emulator_is_a_usage_error(state: Path) -> None:
    result = run_cli(["--emulator", "login"], env_for(state))
    assert result.code == ExitCode.USAGE
    assert "--emulator needs no sign-in" in result.stderr


def test_logout_with_a_tenant_and_all_is_a_usage_error(state: Path) -> None:
    result = run_cli(["logout", "--tenant-id", TENANT, "--all"], env_for(state))
    assert result.code == 64
    assert "give --tenant-id or --all, not both" in result.stderr


def test_logout_all_with_nothing_stored(state: Path) -> None:
    result = run_cli(["logout", "--all"], env_for(state))
    assert result.code == 0, result.stderr
    assert result.stdout.strip() == "No stored sign-ins."


def test_whoami_all_with_nothing_stored(state: Path) -> None:
    text = run_cli(["whoami", "--all"], env_for(state))
    assert text.code == 0, text.stderr
    assert text.stdout.strip() == "No stored sign-ins (`entra-recovery login` makes one)."
    shown = run_cli(["whoami", "--all", "-o", "json"], env_for(state))
    assert shown.code == 0, shown.stderr
    assert json.loads(shown.stdout) == []


@pytest.mark.parametrize("scopes", ["EntraBackup.Write.All", f"{READ},Directory.Read.All"])
def test_login_with_an_unknown_permission_is_a_usage_error(state: Path, scopes: str) -> None:
    result = run_cli(["login", "--tenant-id", TENANT, "--scopes", scopes], env_for(state))
    assert result.code == 64
    assert "unknown permission" in result.stderr
    assert READ in result.stderr  # the choices are listed
    assert not (state / "signins").exists()


@pytest.fixture
def standin(tmp_path: Path) -> Iterator[AuthorityStandIn]:
    with AuthorityStandIn(TENANT, user=USER) as server:
        yield server


def test_login_scopes_narrow_the_consent_and_are_recorded(
    standin: AuthorityStandIn, state: Path, tmp_path: Path
) -> None:
    """`--scopes a,b` (and repeats) asks for those permissions only, stored with the sign-in."""
    home = tmp_path / "home"
    home.mkdir()
    env = env_for(
        state,
        **standin.env(),
        HOME=str(home),
        ENTRA_RECOVERY_AUTHORITY=standin.authority.removeprefix("https://"),
    )
    args = ["login", "--tenant-id", TENANT, "--device-code", "--allow-unencrypted-cache"]
    result = run_cli([*args, "--scopes", f"{READ},{PREVIEW}", "--scopes", READ], env)
    assert result.code == 0, result.stderr
    assert f"permissions: {READ}, {PREVIEW}" in result.stdout
    record = json.loads((state / "signins" / f"{TENANT}.json").read_text())
    assert record["scopes"] == [READ, PREVIEW]
    assert record["flow"] == "device-code" and record["username"] == USER
    consented = standin.consented(record["client_id"])
    assert consented == {f"https://graph.microsoft.com/{p}".lower() for p in (READ, PREVIEW)}

    listed = run_cli(["whoami", "--all", "-o", "json"], env)
    assert listed.code == 0, listed.stderr
    (shown,) = json.loads(listed.stdout)
    assert shown["scopes"] == [READ, PREVIEW] and shown["tenantId"] == TENANT


# --- logging -----------------------------------------------------------------------------


@pytest.fixture
def restore_loggers() -> Iterator[None]:
    names = ("entra_recovery.signin", *LIBRARY_LOGGERS)
    saved = {n: logging.getLogger(n) for n in names}
    before = {n: (lg.handlers[:], lg.level, lg.propagate) for n, lg in saved.items()}
    yield
    for name, (handlers, level, propagate) in before.items():
        logger = saved[name]
        logger.handlers, logger.level, logger.propagate = handlers, level, propagate


@pytest.mark.usefixtures("restore_loggers")
def test_verbose_routes_library_records_to_stderr(capsys: pytest.CaptureFixture[str]) -> None:
    configure_logging(verbose=True, quiet=False)
    logging.getLogger("azure.identity").warning("DeviceCodeCredential.get_token failed: x")
    logging.getLogger("msal.application").info("refreshing")
    err = capsys.readouterr().err
    assert "azure.identity: WARNING: DeviceCodeCredential.get_token failed: x" in err
    assert "msal.application: INFO: refreshing" in err


@pytest.mark.usefixtures("restore_loggers")
def test_without_verbose_library_records_are_dropped(capsys: pytest.CaptureFixture[str]) -> None:
    configure_logging(verbose=False, quiet=False)
    logging.getLogger("azure.identity").error("DeviceCodeCredential.get_token failed: x")
    logging.getLogger("msal").critical("boom")
    assert capsys.readouterr().err == ""


@pytest.mark.usefixtures("restore_loggers")
def test_library_lines_are_redacted(capsys: pytest.CaptureFixture[str]) -> None:
    configure_logging(verbose=True, quiet=False)
    token = "eyJhbGciOiJub25lIn0.eyJ0aWQiOiJ0In0.c2ln"
    logging.getLogger("azure.identity").warning("Authorization: Bearer %s", token)
    err = capsys.readouterr().err
    assert "azure.identity: WARNING" in err and token not in err


@pytest.mark.usefixtures("restore_loggers")
def test_notices_respect_quiet(capsys: pytest.CaptureFixture[str]) -> None:
    configure_logging(verbose=False, quiet=True)
    auth.NOTICES.info("Signed in as someone; sign-in stored in somewhere.")
    auth.NOTICES.warning("To sign in, open https://example and enter the code ABC.")
    err = capsys.readouterr().err
    assert "Signed in as" not in err
    assert "To sign in, open https://example and enter the code ABC." in err

    configure_logging(verbose=False, quiet=False)
    auth.NOTICES.info("Signed in as someone; sign-in stored in somewhere.")
    assert "Signed in as someone" in capsys.readouterr().err


@pytest.mark.usefixtures("restore_loggers")
def test_verbose_flag_reaches_configure_logging(state: Path) -> None:
    """Through the CLI: after `--verbose` the library loggers print; after a plain run not."""
    assert run_cli(["--verbose", "whoami", "--all"], env_for(state)).code == 0
    assert logging.getLogger("azure").level == logging.INFO
    assert run_cli(["whoami", "--all"], env_for(state)).code == 0
    assert logging.getLogger("azure").level > logging.CRITICAL

"""Sign-in end to end: `login`, `whoami`, `logout` and unattended runs, through azure-identity and
MSAL's real code against a local sign-in authority (tests/helpers/authority.py) and the emulator.

The authority counts interactive prompts (device-code initiations and browser authorizations),
so "at most one prompt per run, none when nobody is at a terminal" is measured, not assumed.
"""

from __future__ import annotations

import json
import os
import re
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from entra_recovery.emulator.server import EmulatorServer
from entra_recovery.graph import auth
from helpers.authority import AuthorityStandIn
from helpers.clirun import CliResult
from helpers.clirun import run_cli
from helpers.planfiles import DEMO_TENANT
from helpers.planfiles import plan_data
from helpers.planfiles import write_plan

OTHER_TENANT = "0e1d2c3b-4a59-4687-9a0b-1c2d3e4f5a6b"


@pytest.fixture(autouse=True)
def _fresh_credentials() -> Iterator[None]:
    """Each in-process command starts without the previous one's credentials."""
    auth.forget_credentials()
    yield
    auth.forget_credentials()


@pytest.fixture
def standin() -> Iterator[AuthorityStandIn]:
    with AuthorityStandIn(DEMO_TENANT, user="admin@contoso.onmicrosoft.com") as server:
        yield server


class World:
    """One user's machine: a home (the token cache), a state dir, the authority, the emulator."""

    def __init__(self, tmp: Path, standin: AuthorityStandIn, emulator: EmulatorServer) -> None:
        self.home = tmp / "home"
        self.home.mkdir()
        self.state = tmp / "state"
        self.standin = standin
        self.authority = standin.authority.removeprefix("https://")
        ca = tmp / "authority-ca.pem"  # outlives the stand-in, for the unreachable case
        ca.write_bytes(Path(standin.ca_file).read_bytes())
        self.trust = {**standin.env(), "REQUESTS_CA_BUNDLE": str(ca), "SSL_CERT_FILE": str(ca)}
        self.emulator = emulator
        self.plans = tmp / "plans"
        self.plans.mkdir()

    def env(self, **extra: str) -> dict[str, str]:
        return {
            **self.trust,
            "HOME": str(self.home),
            "ENTRA_RECOVERY_STATE_DIR": str(self.state),
            "ENTRA_RECOVERY_AUTHORITY": self.authority,
            "ENTRA_RECOVERY_GRAPH_URL": self.emulator.url,
            "ENTRA_RECOVERY_POLL_INTERVAL": "0.1",
            **extra,
        }

    def run(self, *args: str, **extra: str) -> CliResult:
        auth.forget_credentials()  # a new process each time, as on a real machine
        result = run_cli(list(args), self.env(**extra))
        assert "Traceback" not in result.stderr and "unexpected error" not in result.stderr
        return result

    def login(self, *args: str, tenant: str = DEMO_TENANT) -> CliResult:
        return self.run(
            "login", "--tenant-id", tenant, "--device-code", "--allow-unencrypted-cache", *args
        )

    def plan(self, tenant: str = DEMO_TENANT, name: str = "p") -> Path:
        data = plan_data(tenant=tenant, metadata={"name": name, "owner": "ops@contoso.com"})
        return write_plan(self.plans, data, f"{name}.yaml")

    @property
    def cache_file(self) -> Path:
        return self.home / ".IdentityService" / "entra-recovery.cae"


@pytest.fixture
def world(tmp_path: Path, standin: AuthorityStandIn, emulator: EmulatorServer) -> World:
    return World(tmp_path, standin, emulator)


def test_login_stores_one_sign_in_and_later_runs_never_prompt(world: World) -> None:
    """One device-code prompt at login; whoami and a scheduled preview sign in silently."""
    world.standin.access_token_lifetime = 60  # MSAL refreshes: every run uses the refresh token
    result = world.login()
    assert result.code == 0, result.stderr
    assert "To sign in, open https://" in result.stderr and "enter the code" in result.stderr
    assert f"to tenant {DEMO_TENANT}" in result.stdout
    assert "NOT encrypted" in result.stdout
    assert world.standin.prompts == 1
    record = world.state / "signins" / f"{DEMO_TENANT}.json"
    assert stat.S_IMODE(record.stat().st_mode) == 0o600
    assert stat.S_IMODE(record.parent.stat().st_mode) == 0o700
    assert "eyJ" not in record.read_text() and "secret" not in record.read_text()
    assert stat.S_IMODE(world.cache_file.stat().st_mode) == 0o600

    who = world.run("whoami", "-o", "json")
    assert who.code == 0, who.stderr
    shown = json.loads(who.stdout)
    assert shown["account"] == "admin@contoso.onmicrosoft.com"
    assert shown["tenantId"] == DEMO_TENANT and shown["cacheEncrypted"] is False
    assert set(shown["scopes"]) >= {"EntraBackup.Read.All"}
    assert shown["recordFile"] == str(record)

    preview = world.run("plan", "preview", str(world.plan()))
    assert preview.code == 2, preview.stderr
    assert world.standin.prompts == 1
    assert world.standin.token_requests.get("refresh_token", 0) >= 2
    assert world.emulator.requests, "the preview reached Graph"


def test_an_expired_sign_in_fails_fast_with_the_command_to_run(world: World) -> None:
    """A revoked refresh token in a run nobody watches: exit 1 at once, no prompt started."""
    world.standin.access_token_lifetime = 60
    assert world.login().code == 0
    world.standin.revoke_refresh_tokens()
    result = world.run("plan", "preview", str(world.plan()))
    assert result.code == 1
    assert "expired or was revoked" in result.stderr
    assert f"entra-recovery login --tenant-id {DEMO_TENANT}" in result.stderr
    assert world.standin.prompts == 1 and world.standin.device_code_requests == 1
    assert not any("recoveryPreviewJobs" in r["path"] for r in world.emulator.requests)


def test_conditional_access_and_missing_consent_are_named(world: World) -> None:
    """AADSTS53003 and 65001 get their own cause and next step, not "sign in again"."""
    world.standin.access_token_lifetime = 60
    assert world.login("--scopes", "EntraBackup.Read.All").code == 0
    world.standin.fail_next(53003, "Access has been blocked by Conditional Access policies.")
    blocked = world.run("snapshot", "list")
    assert blocked.code == 1
    assert "blocked by Conditional Access" in blocked.stderr
    # Only Read was consented: the preview scope cannot be had silently.
    result = world.run("plan", "preview", str(world.plan()))
    assert result.code == 1
    assert "consent is missing" in result.stderr and "AADSTS65001" in result.stderr
    assert world.standin.prompts == 1


def test_encryption_impossible_without_the_opt_in_names_the_fix(world: World) -> None:
    """No libsecret here: login refuses before any prompt and names the flag and packages."""
    result = world.run("login", "--tenant-id", DEMO_TENANT, "--device-code")
    assert result.code == 1
    assert "cannot be encrypted" in result.stderr
    assert "--allow-unencrypted-cache" in result.stderr and "libsecret" in result.stderr
    assert world.standin.prompts == 0
    allowed = world.run(
        "login", "--tenant-id", DEMO_TENANT, "--device-code",
        ENTRA_RECOVERY_ALLOW_UNENCRYPTED_CACHE="1",
    )  # fmt: skip
    assert allowed.code == 0, allowed.stderr


def test_logout_forgets_the_record_and_its_tokens(world: World) -> None:
    """After logout nothing signs in: the record is gone and the cache holds no refresh token."""
    assert world.login().code == 0
    cached = json.loads(world.cache_file.read_text())
    assert cached.get("RefreshToken")
    result = world.run("logout", "--tenant-id", DEMO_TENANT)
    assert result.code == 0 and "Signed out admin@contoso.onmicrosoft.com" in result.stdout
    assert not (world.state / "signins" / f"{DEMO_TENANT}.json").exists()
    cached = json.loads(world.cache_file.read_text())
    assert not cached.get("RefreshToken") and not cached.get("AccessToken")
    who = world.run("whoami")
    assert who.code == 1 and "not signed in" in who.stderr
    assert world.run("logout", "--tenant-id", DEMO_TENANT).code == 1


def test_the_plans_tenant_picks_the_stored_sign_in(world: World) -> None:
    """Two stored sign-ins: each plan signs in to its own tenant; a bare command must choose."""
    assert world.login().code == 0
    world.standin.tenants.add(OTHER_TENANT)  # a guest administrator there
    assert world.login(tenant=OTHER_TENANT).code == 0
    listed = world.run("whoami", "--all", "-o", "json")
    assert [s["tenantId"] for s in json.loads(listed.stdout)] == sorted([DEMO_TENANT, OTHER_TENANT])
    preview = world.run("plan", "preview", str(world.plan()))
    assert preview.code == 2, preview.stderr  # the demo tenant's token, so the tenant gate passed
    bare = world.run("snapshot", "list")
    assert bare.code == 1 and "several sign-ins are stored" in bare.stderr
    chosen = world.run("--tenant-id", DEMO_TENANT, "snapshot", "list", "-o", "json")
    assert chosen.code == 0, chosen.stderr
    assert world.standin.prompts == 2


def test_auto_never_runs_the_azure_cli(world: World, tmp_path: Path) -> None:
    """An `az` on PATH is ignored by auto: no sign-in stored, nobody at a terminal → exit 1."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    marker = tmp_path / "az-was-run"
    az = bin_dir / "az"
    az.write_text(f"#!/bin/sh\ntouch {marker}\nexit 1\n")
    az.chmod(0o755)
    path = f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}"
    result = world.run("plan", "preview", str(world.plan()), PATH=path)
    assert result.code == 1
    assert f"not signed in for tenant {DEMO_TENANT}" in result.stderr
    assert not marker.exists()
    assert world.standin.prompts == 0


def test_library_log_lines_only_with_verbose(world: World) -> None:
    """azure-identity's own warnings stay out of stderr unless --verbose asks for them."""
    world.standin.access_token_lifetime = 60
    assert world.login().code == 0
    world.standin.revoke_refresh_tokens()
    quiet = world.run("whoami")
    assert quiet.code == 1 and "azure.identity" not in quiet.stderr
    assert world.run("logout", "--all").code == 0
    assert world.login().code == 0
    world.standin.revoke_refresh_tokens()
    loud = world.run("--verbose", "whoami")
    assert loud.code == 1
    assert "azure.identity" in loud.stderr or "msal" in loud.stderr


def test_an_unreachable_authority_is_a_network_error(world: World) -> None:
    """The sign-in service cannot be reached: said so, not "sign in again"."""
    world.standin.access_token_lifetime = 60
    assert world.login().code == 0
    world.standin.stop()
    result = world.run("whoami")
    assert result.code == 1
    assert "cannot reach the sign-in service" in result.stderr
    assert "HTTPS_PROXY" in result.stderr


def test_app_only_token_is_refused_before_any_job_post(emulator: EmulatorServer) -> None:
    """An application token may read, never create a preview job: refused before the POST."""
    token = emulator.make_token(roles=["EntraBackup.Read.All"])
    env = {"ENTRA_RECOVERY_GRAPH_URL": emulator.url, "ENTRA_RECOVERY_ACCESS_TOKEN": token}
    listed = run_cli(["snapshot", "list", "-o", "json"], env)
    assert listed.code == 0, listed.stderr
    created = run_cli(["preview-job", "create", "latest", "--entity-type", "user"], env)
    assert created.code == 1
    assert "app-only" in created.stderr
    assert not any(r["method"] == "POST" for r in emulator.requests)


def _run_at_terminal(argv: list[str], env: dict[str, str]) -> tuple[str, int]:
    """Run `argv` on a pseudo-terminal (stdin and stderr are terminals); return the screen."""
    import pty
    import select
    import signal
    import sys
    import time

    pid, fd = pty.fork()
    if pid == 0:  # pragma: no cover - the child
        os.execvpe(sys.executable, [sys.executable, "-m", "entra_recovery", *argv], env)
    out, deadline = b"", time.monotonic() + 60
    while time.monotonic() < deadline:
        if select.select([fd], [], [], 0.1)[0]:
            try:
                chunk = os.read(fd, 65536)
            except OSError:
                break
            if not chunk:
                break
            out += chunk
    else:
        os.kill(pid, signal.SIGKILL)
    _, status = os.waitpid(pid, 0)
    os.close(fd)
    return out.decode(errors="replace"), os.waitstatus_to_exitcode(status)


def test_a_person_at_a_terminal_is_prompted_once_per_run(world: World) -> None:
    """No stored sign-in, someone at the terminal: one device-code prompt covers the identity
    check, the read requests and the preview job (one consent, one CAE cache), and the sign-in
    is stored, so the next unattended run prompts no more."""
    env = {**os.environ, **world.env(ENTRA_RECOVERY_ALLOW_UNENCRYPTED_CACHE="1")}
    screen, code = _run_at_terminal(
        ["--auth", "device-code", "plan", "preview", str(world.plan())], env
    )
    assert code == 2, screen
    assert screen.count("enter the code") == 1
    line = next(x for x in screen.splitlines() if "enter the code" in x)
    plain = re.sub(r"\x1b\[[0-9;?]*[A-Za-z]|\r", "", line)  # the spinner's line was erased first
    assert plain.startswith("To sign in, open https://127.0.0.1:"), line
    assert world.standin.prompts == 1 and world.standin.device_code_requests == 1
    assert (world.state / "signins" / f"{DEMO_TENANT}.json").exists()
    again = world.run("plan", "preview", str(world.plan()))
    assert again.code == 2, again.stderr
    assert world.standin.prompts == 1


def test_the_python_api_uses_the_stored_sign_in_of_the_plans_tenant(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A script after `login`: Settings.from_env() signs in silently to the plan's tenant;
    without a stored sign-in it raises GraphAuthError naming login, and never prompts."""
    import entra_recovery

    world.standin.tenants.add(OTHER_TENANT)
    assert world.login().code == 0
    assert world.login(tenant=OTHER_TENANT).code == 0  # two stored: the plan must choose
    for name, value in world.env().items():
        monkeypatch.setenv(name, value)
    auth.forget_credentials()
    preview = entra_recovery.preview(world.plan(), settings=entra_recovery.Settings.from_env())
    assert preview.exit_code == 2 and preview.fingerprint.startswith("sha256:")
    assert world.standin.prompts == 2
    assert world.run("logout", "--all").code == 0
    auth.forget_credentials()
    with pytest.raises(entra_recovery.GraphAuthError, match="not signed in for tenant"):
        entra_recovery.preview(world.plan(), settings=entra_recovery.Settings.from_env())
    assert world.standin.prompts == 2


def test_whoami_in_text_says_where_the_sign_in_lives(world: World) -> None:
    """The text forms a person reads: who, until when, the record file and the cache state."""
    assert world.login().code == 0
    who = world.run("whoami")
    assert who.code == 0, who.stderr
    lines = dict(line.split(":", 1) for line in who.stdout.splitlines())
    assert lines["account"].strip() == "admin@contoso.onmicrosoft.com"
    assert lines["auth"].strip() == "device-code (stored sign-in)"
    assert lines["stored in"].strip().endswith(f"signins/{DEMO_TENANT}.json")
    assert "not encrypted (0600 file)" in lines["token cache"]
    listed = world.run("whoami", "--all")
    assert listed.code == 0 and f"tenant:       {DEMO_TENANT}" in listed.stdout
    assert "eyJ" not in who.stdout + who.stderr + listed.stdout


def test_login_with_a_browser_by_default(world: World) -> None:
    """`login` without --device-code opens the browser (here a stand-in that follows the
    authority's redirect to azure-identity's localhost listener): one prompt, stored."""
    import subprocess
    import sys

    env = {**os.environ, **world.env(), "BROWSER": world.standin.fake_browser_command()}
    argv = [sys.executable, "-m", "entra_recovery", "login", "--tenant-id", DEMO_TENANT]
    done = subprocess.run(  # a process of its own: webbrowser reads BROWSER once per process
        [*argv, "--allow-unencrypted-cache"], env=env, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    assert f"to tenant {DEMO_TENANT}" in done.stdout
    assert world.standin.prompts == 1 and world.standin.device_code_requests == 0
    record = json.loads((world.state / "signins" / f"{DEMO_TENANT}.json").read_text())
    assert record["flow"] == "browser"
    who = world.run("whoami", "-o", "json")
    assert who.code == 0 and json.loads(who.stdout)["auth"] == "browser"

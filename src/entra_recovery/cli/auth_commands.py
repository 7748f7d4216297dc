"""
`entra-recovery login`, `whoami` and `logout`: Connect-MgGraph, Get-MgContext and
Disconnect-MgGraph for this tool. Thin: options in, one `graph.login` call, text or JSON out.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Sequence

import click

from entra_recovery.cli.handler import error_handler
from entra_recovery.cli.options import app_context
from entra_recovery.constants import ENV_ALLOW_UNENCRYPTED_CACHE
from entra_recovery.constants import SCOPE_PREVIEW
from entra_recovery.constants import SCOPE_READ
from entra_recovery.constants import SCOPE_RECOVERY
from entra_recovery.constants import ExitCode
from entra_recovery.errors import UsageError
from entra_recovery.graph.settings import GraphSettings
from entra_recovery.graph.signins import StoredSignIn
from entra_recovery.graph.signins import token_cache_path
from entra_recovery.redaction import redact_known

PERMISSIONS = (SCOPE_READ, SCOPE_PREVIEW, SCOPE_RECOVERY)

tenant_option = click.option(
    "--tenant-id",
    "tenant",
    metavar="TENANT",
    default=None,
    help="Tenant id or domain [env ENTRA_RECOVERY_TENANT_ID; default: the global --tenant-id].",
)


def _settings(tenant: str | None, **changes: object) -> GraphSettings:
    app = app_context()
    if app.emulator:
        raise UsageError(
            "--emulator needs no sign-in: it hands every command its own token",
            hint="drop --emulator to sign in to a real tenant",
        )
    settings = app.graph_settings()
    if tenant:
        changes["tenant_id"] = tenant
    return dataclasses.replace(settings, **changes)  # type: ignore[arg-type]


def _scopes(values: Sequence[str]) -> tuple[str, ...]:
    chosen = [s.strip() for value in values for s in value.split(",") if s.strip()]
    unknown = [s for s in chosen if s not in PERMISSIONS]
    if unknown:
        raise UsageError(f"unknown permission {unknown[0]!r}; choose from {', '.join(PERMISSIONS)}")
    return tuple(dict.fromkeys(chosen)) or PERMISSIONS


@click.command("login")
@tenant_option
@click.option("--client-id", default=None, help="Your own app registration's client id.")
@click.option("--device-code", is_flag=True, help="Sign in with a code on another device.")
@click.option(
    "--allow-unencrypted-cache",
    is_flag=True,
    help="Where the token cache cannot be encrypted (no libsecret, as on a headless server), "
    f"keep it as a 0600 file [env {ENV_ALLOW_UNENCRYPTED_CACHE}=1].",
)
@click.option(
    "--scopes",
    "scopes",
    multiple=True,
    metavar="PERMISSION[,...]",
    help="Ask for fewer permissions (default: all three EntraBackup ones, in one consent).",
)
@error_handler
def login_command(
    tenant: str | None,
    client_id: str | None,
    device_code: bool,
    allow_unencrypted_cache: bool,
    scopes: Sequence[str],
) -> int:
    """Sign in once and store the sign-in for the tenant (like Connect-MgGraph).

    Later commands, scheduled ones included, use it without prompting; a plan's tenant picks
    its own stored sign-in. Tokens live in azure-identity's persistent cache, encrypted unless
    you allow a plain 0600 file.
    """
    from entra_recovery.graph.login import login

    changes: dict[str, object] = {}
    if client_id:
        changes["client_id"] = client_id
    if allow_unencrypted_cache:
        changes["allow_unencrypted_cache"] = True
    settings = _settings(tenant, **changes)
    flow = "device-code" if device_code else "browser"
    signin = login(settings, flow=flow, permissions=_scopes(scopes))
    click.echo(f"Signed in as {signin.username} to tenant {signin.tenant_id}.")
    click.echo(f"  client id:   {signin.client_id}")
    click.echo(f"  permissions: {', '.join(signin.scopes)}")
    click.echo(f"  stored in:   {signin.path}")
    state = "encrypted" if signin.encrypted_cache else "NOT encrypted (a 0600 file)"
    click.echo(f"  tokens:      {token_cache_path()} ({state})")
    return int(ExitCode.OK)


def _describe(signin: StoredSignIn) -> list[tuple[str, str]]:
    state = "encrypted" if signin.encrypted_cache else "not encrypted (0600 file)"
    return [
        ("tenant", signin.tenant_id),
        ("account", signin.username),
        ("client id", signin.client_id),
        ("flow", signin.flow),
        ("permissions", ", ".join(signin.scopes)),
        ("signed in", signin.signed_in_at),
        ("stored in", str(signin.path)),
        ("token cache", f"{token_cache_path()} ({state})"),
    ]


def _echo_rows(rows: Sequence[tuple[str, object]]) -> None:
    for label, value in rows:
        shown = "-" if value in (None, "", ()) else value
        click.echo(f"{label + ':':<13} {shown}")


@click.command("whoami")
@tenant_option
@click.option("--all", "everything", is_flag=True, help="List every stored sign-in instead.")
@click.option(
    "-o", "--output-format", type=click.Choice(["text", "json"]), default="text", help="Output."
)
@error_handler
def whoami_command(tenant: str | None, everything: bool, output_format: str) -> int:
    """Who commands act as: account, tenant, client id, permissions, token expiry and where
    the sign-in is stored. Never prompts, never prints a token."""
    from entra_recovery.graph.login import stored_sign_ins
    from entra_recovery.graph.login import whoami

    settings = _settings(tenant) if not app_context().emulator else app_context().graph_settings()
    if everything:
        stored = stored_sign_ins(settings)
        if output_format == "json":
            click.echo(json.dumps([s.describe() for s in stored], indent=2))
        elif not stored:
            click.echo("No stored sign-ins (`entra-recovery login` makes one).")
        for index, signin in enumerate(stored if output_format == "text" else ()):
            if index:
                click.echo("")
            _echo_rows(_describe(signin))
        return int(ExitCode.OK)
    who = whoami(settings)
    if app_context().emulator:
        who = dataclasses.replace(who, source="the --emulator token")
    data = who.to_json()
    if output_format == "json":
        click.echo(redact_known(json.dumps(data, indent=2)))
        return int(ExitCode.OK)
    rows: list[tuple[str, object]] = [
        ("account", who.account),
        ("tenant", who.tenant_id),
        ("client id", who.client_id),
        ("auth", f"{who.auth} ({who.source})"),
        ("permissions", ", ".join(who.scopes)),
        ("roles", ", ".join(who.roles)),
        ("token until", who.expires_on),
    ]
    if who.signin is not None:
        rows += _describe(who.signin)[-2:]
    _echo_rows(rows)
    return int(ExitCode.OK)


@click.command("logout")
@tenant_option
@click.option("--all", "everything", is_flag=True, help="Forget every stored sign-in.")
@error_handler
def logout_command(tenant: str | None, everything: bool) -> int:
    """Forget a stored sign-in: its record and its cached tokens (like Disconnect-MgGraph)."""
    from entra_recovery.graph.login import logout

    if tenant and everything:
        raise UsageError("give --tenant-id or --all, not both")
    forgotten = logout(_settings(tenant), everything=everything)
    if not forgotten:
        click.echo("No stored sign-ins.")
    for signin in forgotten:
        click.echo(f"Signed out {signin.username} from tenant {signin.tenant_id}.")
    return int(ExitCode.OK)


AUTH_COMMANDS = (login_command, whoami_command, logout_command)

"""`entra-recovery emulator serve`: run the bundled Graph emulator until Ctrl-C."""

from __future__ import annotations

import shlex

import click


def _params(values: tuple[str, ...]) -> dict[str, str]:
    params: dict[str, str] = {}
    for item in values:
        key, sep, value = item.partition("=")
        if not sep or not key:
            raise click.BadParameter(f"{item!r} is not KEY=VALUE", param_hint="--scenario-param")
        params[key] = value
    return params


ENV_FORMATS = ("sh", "pwsh")


def env_line(name: str, value: str, env_format: str) -> str:
    """One line that sets `name` for the commands run after it in the same shell."""
    if env_format == "pwsh":
        return f'$env:{name} = "{value}"'
    return f"export {name}={shlex.quote(value)}"


@click.group()
def emulator() -> None:
    """The bundled Microsoft Graph emulator (a demo tenant on loopback)."""


@emulator.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True, help="Interface to bind.")
@click.option("--port", default=0, type=int, help="Port (default: a free one).")
@click.option(
    "--scenario",
    default="demo",
    show_default=True,
    metavar="NAME|FILE",
    help="Bundled scenario (demo, large, empty) or a scenario YAML file.",
)
@click.option(
    "--scenario-param",
    "scenario_params",
    multiple=True,
    metavar="KEY=VALUE",
    help="Scenario parameter, e.g. size=1000 for the large scenario (repeatable).",
)
@click.option(
    "--state",
    "state_file",
    default=None,
    metavar="FILE",
    help="Persist the tenant in FILE (JSON) between runs.",
)
@click.option(
    "--request-log",
    default=None,
    metavar="FILE",
    help="Append a JSON line per request to FILE (tokens are never logged).",
)
@click.option(
    "--tenants",
    type=click.IntRange(min=1),
    default=1,
    show_default=True,
    metavar="N",
    help="Serve N tenants: the scenario's own, then N-1 copies with derived ids (printed).",
)
@click.option(
    "--env-format",
    type=click.Choice(ENV_FORMATS),
    default="sh",
    show_default=True,
    help="How to print the environment to paste: sh (bash, zsh: export) or pwsh ($env:).",
)
def serve(
    host: str,
    port: int,
    scenario: str,
    scenario_params: tuple[str, ...],
    state_file: str | None,
    request_log: str | None,
    env_format: str,
    tenants: int,
) -> None:
    """Serve the emulator until Ctrl-C; prints the base URL and a ready-to-use token."""
    from entra_recovery.emulator.scenario import ScenarioError
    from entra_recovery.emulator.server import EmulatorServer

    try:
        server = EmulatorServer(
            scenario=scenario,
            state_file=state_file,
            host=host,
            port=port,
            request_log=request_log,
            params=_params(scenario_params),
            tenants=tenants,
        )
        server.start()
    except (ScenarioError, ValueError, OSError) as exc:
        raise click.ClickException(str(exc)) from None
    served = ", ".join(server.tenant_ids)
    plural = "s" if tenants > 1 else ""
    click.echo(f"Graph emulator ({server.scenario.name}) serving tenant{plural} {served}")
    env = {
        "ENTRA_RECOVERY_GRAPH_URL": server.url,
        "ENTRA_RECOVERY_ACCESS_TOKEN": server.make_token(),
    }
    for name, value in env.items():
        click.echo(env_line(name, value, env_format))
    if tenants > 1:
        click.echo(f"That token is for tenant {server.tenant_id}; the other tenants' tokens:")
        for tenant_id in server.tenant_ids[1:]:
            click.echo(f"  {tenant_id}: {server.make_token(tenant_id=tenant_id)}")
    if env_format == "pwsh":
        click.echo(
            "Try: Invoke-RestMethod -Headers "
            '@{Authorization = "Bearer $env:ENTRA_RECOVERY_ACCESS_TOKEN"} '
            f"{server.url}/v1.0/directory/recovery/snapshots"
        )
    else:
        click.echo(
            f'Try: curl -H "Authorization: Bearer $ENTRA_RECOVERY_ACCESS_TOKEN" '
            f"{server.url}/v1.0/directory/recovery/snapshots"
        )
    click.echo("Press Ctrl-C to stop.", err=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        server.stop()
        click.echo("stopped", err=True)

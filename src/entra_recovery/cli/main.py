"""
The `entra-recovery` command: the root group and its global options, nothing else.

Command groups live in their own modules and are only declared here. Nothing imported at module
level pulls in msgraph or azure-identity, so `--help` and offline commands start fast.
"""

from __future__ import annotations

import click

from entra_recovery.cli.auth_commands import AUTH_COMMANDS
from entra_recovery.cli.completion_commands import completion
from entra_recovery.cli.context import AppContext
from entra_recovery.cli.emulator_commands import emulator
from entra_recovery.cli.graph_commands import GRAPH_GROUPS
from entra_recovery.cli.logs import configure_logging
from entra_recovery.cli.options import SECONDS
from entra_recovery.cli.plan_commands import plan
from entra_recovery.cli.plan_run_commands import apply_command
from entra_recovery.cli.plan_run_commands import preview_command
from entra_recovery.cli.run_commands import run
from entra_recovery.constants import API_VERSIONS
from entra_recovery.constants import VERSION
from entra_recovery.constants import ExitCode
from entra_recovery.graph.settings import AUTH_METHODS

CONTEXT_SETTINGS = {"help_option_names": ["-h", "--help"], "max_content_width": 100}


@click.group(context_settings=CONTEXT_SETTINGS)
@click.version_option(VERSION, prog_name="entra-recovery")
@click.option(
    "--emulator",
    is_flag=True,
    help="Start the bundled Graph emulator in-process and point everything at it (no tenant).",
)
@click.option(
    "--emulator-scenario",
    metavar="NAME|FILE",
    default=None,
    help="Scenario for --emulator (default: demo).",
)
@click.option(
    "--emulator-state",
    metavar="FILE",
    default=None,
    help="Persist the --emulator tenant in FILE between runs.",
)
@click.option(
    "--emulator-tenants",
    type=click.IntRange(min=1),
    metavar="N",
    default=1,
    show_default=True,
    help="How many tenants --emulator serves: the scenario's own, then N-1 copies with derived "
    "ids; each plan's tenant gets its own token.",
)
@click.option(
    "--graph-url",
    metavar="URL",
    default=None,
    help="Graph base URL without version [env ENTRA_RECOVERY_GRAPH_URL; "
    "default https://graph.microsoft.com].",
)
@click.option(
    "--api-version",
    type=click.Choice(API_VERSIONS),
    default=None,
    help="Graph API version [env ENTRA_RECOVERY_API_VERSION; default v1.0].",
)
@click.option(
    "--poll-interval",
    type=SECONDS,
    metavar="SECONDS",
    default=None,
    help="First polling interval for jobs [env ENTRA_RECOVERY_POLL_INTERVAL; default 30].",
)
@click.option(
    "--request-timeout",
    type=SECONDS,
    metavar="SECONDS",
    default=None,
    help="Deadline for one attempt of one Graph request, from connecting to the last byte of "
    "the answer; each retry and redirect gets its own [env ENTRA_RECOVERY_REQUEST_TIMEOUT; "
    "default 100].",
)
@click.option(
    "--auth",
    "auth_method",
    type=click.Choice(AUTH_METHODS),
    default=None,
    help="How to sign in [env ENTRA_RECOVERY_AUTH; default auto: ENTRA_RECOVERY_ACCESS_TOKEN, "
    "else the stored sign-in (`login`) for the tenant, else a browser when you are at a "
    "terminal]. azure-cli only when named: its Graph token lacks the EntraBackup scopes. "
    "environment, managed-identity and workload-identity sign in as an app: reads only.",
)
@click.option(
    "--tenant-id",
    default=None,
    help="Tenant to sign in to [env ENTRA_RECOVERY_TENANT_ID; default: the plan's tenant].",
)
@click.option(
    "--client-id",
    default=None,
    help="Application (client) id for sign-in [env ENTRA_RECOVERY_CLIENT_ID; default: "
    "Microsoft Graph PowerShell's].",
)
@click.option(
    "--color",
    type=click.Choice(["auto", "always", "never"]),
    default="auto",
    envvar="ENTRA_RECOVERY_COLOR",
    help="Colour output (honours NO_COLOR and TERM=dumb).",
)
@click.option("--quiet", "-q", is_flag=True, help="No progress output.")
@click.option(
    "--state-dir",
    metavar="DIR",
    envvar="ENTRA_RECOVERY_STATE_DIR",
    default=None,
    help="Where run journals and the audit log live [env ENTRA_RECOVERY_STATE_DIR].",
)
@click.option("--traceback", is_flag=True, help="Show Python tracebacks (for bug reports).")
@click.option(
    "--verbose", is_flag=True, help="Show azure-identity's and MSAL's own log lines on stderr."
)
@click.pass_context
def cli(
    ctx: click.Context,
    emulator: bool,
    emulator_scenario: str | None,
    emulator_state: str | None,
    emulator_tenants: int,
    graph_url: str | None,
    api_version: str | None,
    poll_interval: float | None,
    request_timeout: float | None,
    auth_method: str | None,
    tenant_id: str | None,
    client_id: str | None,
    color: str,
    quiet: bool,
    state_dir: str | None,
    traceback: bool,
    verbose: bool,
) -> None:
    """Recover Microsoft Entra objects from daily snapshots, the careful way.

    Plans (YAML, in git) say what to recover; every run shows a diff report first, and a
    recovery job is committed only when the plan allows it, the reviewed fingerprint still
    matches, the guards pass and someone confirmed.
    """
    app = AppContext(
        emulator=emulator,
        emulator_scenario=emulator_scenario,
        emulator_state=emulator_state,
        emulator_tenants=emulator_tenants,
        graph_url=graph_url,
        api_version=api_version,
        poll_interval=poll_interval,
        request_timeout=request_timeout,
        auth_method=auth_method,
        tenant_id=tenant_id,
        client_id=client_id,
        color=color,
        quiet=quiet,
        state_dir=state_dir,
    )
    ctx.obj = app
    ctx.call_on_close(app.close)
    configure_logging(verbose=verbose, quiet=quiet)


plan.add_command(preview_command)
plan.add_command(apply_command)
cli.add_command(plan)
cli.add_command(run)
cli.add_command(emulator)
cli.add_command(completion)
for _group in GRAPH_GROUPS:
    cli.add_command(_group)
for _command in AUTH_COMMANDS:
    cli.add_command(_command)


def main(argv: list[str] | None = None) -> int:
    """Run the CLI and return its exit code (usage errors exit 64)."""
    try:
        # With standalone_mode=False click returns the code of a `ctx.exit(code)` (which is how
        # error_handler reports failures) instead of raising Exit: keep it.
        code = cli.main(args=argv, prog_name="entra-recovery", standalone_mode=False)
    except click.exceptions.NoArgsIsHelpError as exc:
        click.echo(exc.ctx.get_help() if exc.ctx else str(exc), err=True)
        return int(ExitCode.USAGE)
    except click.UsageError as exc:
        exc.show()
        return int(ExitCode.USAGE)
    except click.ClickException as exc:
        exc.show()
        return int(ExitCode.ERROR)
    except click.exceptions.Exit as exc:
        return int(exc.exit_code)
    except click.Abort:
        click.echo("Aborted.", err=True)
        return int(ExitCode.INTERRUPTED)
    except KeyboardInterrupt:
        click.echo("Interrupted.", err=True)
        return int(ExitCode.INTERRUPTED)
    return code if isinstance(code, int) else int(ExitCode.OK)

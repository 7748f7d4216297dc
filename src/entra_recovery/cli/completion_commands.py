"""`entra-recovery completion bash|zsh|fish`: print click's shell completion script."""

from __future__ import annotations

import click
from click.shell_completion import get_completion_class

SHELLS = ("bash", "zsh", "fish")
COMPLETE_VAR = "_ENTRA_RECOVERY_COMPLETE"


@click.command("completion")
@click.argument("shell", type=click.Choice(SHELLS))
@click.pass_context
def completion(ctx: click.Context, shell: str) -> None:
    """Print the shell completion script for SHELL.

    \b
    bash:  eval "$(entra-recovery completion bash)"   # in ~/.bashrc
    zsh:   eval "$(entra-recovery completion zsh)"    # in ~/.zshrc
    fish:  entra-recovery completion fish > ~/.config/fish/completions/entra-recovery.fish
    """
    root = ctx.find_root().command
    completer = get_completion_class(shell)
    if completer is None:  # click knows all three; a guard for mypy and future clicks
        raise click.UsageError(f"no completion for {shell}")
    click.echo(completer(root, {}, "entra-recovery", COMPLETE_VAR).source())

"""
Building what plan commands need: a runner over a live Graph client.

Everything that talks to Graph is opened inside one event loop (`asyncio.run` once per
command), so the SDK's HTTP connection pool lives and dies with that loop.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from collections.abc import Sequence
from pathlib import Path

from entra_recovery.cli.context import AppContext
from entra_recovery.runner.bookkeeping import RunRecorder
from entra_recovery.runner.runner import PlanRunner

EMULATOR_FOLDER = "emulator"


def state_dir_of(app: AppContext) -> Path:
    """The state directory; `--emulator` runs keep theirs apart (`<state dir>/emulator/`), so the
    demo tenant's journals and audit lines never mix with a real tenant's."""
    base = app.base_state_dir()
    return base / EMULATOR_FOLDER if app.emulator else base


@contextlib.asynccontextmanager
async def open_runner(
    app: AppContext,
    *,
    permissions: Sequence[str],
    wait_for_slot: float | None = None,
    timeout: float | None = None,
    share_previews: bool = False,
    recorder: RunRecorder | None = None,
    tenant: str | None = None,
) -> AsyncIterator[PlanRunner]:
    """A `PlanRunner` over a Graph client that is closed when the block ends.

    `tenant` (the plans' tenant) picks the stored sign-in and the authority (see
    `AppContext.settings_for_tenant`). Pass `recorder` (built with `build_recorder`) to read
    the last run after an interruption.
    """
    from entra_recovery.graph.client import open_client

    settings = app.settings_for_tenant(tenant)
    async with open_client(settings, permissions=permissions) as graph:
        yield PlanRunner(
            graph,
            state_dir=state_dir_of(app),
            poll_interval=settings.poll_interval,
            job_timeout=timeout,
            wait_for_slot=wait_for_slot,
            share_previews=share_previews,
            recorder=recorder or build_recorder(app),
        )


def build_recorder(app: AppContext) -> RunRecorder:
    """The journals and audit log of the state directory, held by the command itself."""
    return RunRecorder(state_dir_of(app), graph_url=app.graph_settings().graph_url)

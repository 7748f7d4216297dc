"""
The public Python API: load and validate plans, preview them, apply them, from a script.

Step in the flow: the whole of it, from Python instead of the command line. `preview` and
`apply` do what `plan preview` and `plan apply` do (a `runner.PlanRunner` over a Graph client
opened for the call), with the same gates in the same order: mode, fresh fingerprint against
the approved one, guards, tenant, and last the caller's `confirm` callable. The library never
prints, prompts, exits or touches process-wide state; refusals are exceptions with the CLI's
exit code in `.exit_code`. Importing this module does not import msgraph: the SDK loads when
the first request is made. `preview_many` previews a batch as `plan preview` does a folder:
one preview job per snapshot, shared by plans of different scopes (`PlanRunner.plan_batch`).
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import math
import os
from collections.abc import AsyncIterator
from collections.abc import Callable
from collections.abc import Coroutine
from collections.abc import Iterable
from collections.abc import Sequence
from dataclasses import dataclass
from dataclasses import field
from pathlib import Path
from typing import Any
from typing import TypeVar

from entra_recovery import aio
from entra_recovery.constants import DEFAULT_API_VERSION
from entra_recovery.constants import DEFAULT_GRAPH_URL
from entra_recovery.constants import DEFAULT_POLL_INTERVAL
from entra_recovery.constants import DEFAULT_REQUEST_TIMEOUT
from entra_recovery.constants import SCOPE_PREVIEW
from entra_recovery.constants import SCOPE_READ
from entra_recovery.constants import SCOPE_RECOVERY
from entra_recovery.errors import ApplyNotApproved
from entra_recovery.errors import Issue
from entra_recovery.errors import RecoveryError
from entra_recovery.errors import UsageError
from entra_recovery.graph.settings import DEFAULT_AUTHORITY
from entra_recovery.graph.settings import GraphSettings
from entra_recovery.plan import Plan
from entra_recovery.plan import validate_paths
from entra_recovery.plan.loader import load_plan as _load_plan
from entra_recovery.results import ApplyResult
from entra_recovery.results import Preview
from entra_recovery.runner import results as runner_results
from entra_recovery.runner.runner import PlanRunner
from entra_recovery.statedir import default_state_dir

T = TypeVar("T")

Problem = Issue
"""One located problem in a plan file: `path`, `line`, `column`, `json_path`, `message`,
`hint`; `headline()` is the `path:line:col: $.json.path: message` line `plan validate` prints."""

PathArg = str | os.PathLike[str]
Confirm = Callable[[Preview], bool]
"""`apply`'s last gate: gets the fresh `Preview`, returns True to start the recovery job."""


@dataclass(frozen=True, kw_only=True)
class Settings:
    """How to reach Graph and where runs keep their journals.

    `Settings(...)` takes exactly what it is given (defaults below); `Settings.from_env(...)`
    starts from the CLI's environment variables (`ENTRA_RECOVERY_GRAPH_URL`, `..._API_VERSION`,
    `..._ACCESS_TOKEN`, `..._POLL_INTERVAL`, `..._REQUEST_TIMEOUT`, `..._STATE_DIR`), and
    `preview`/`apply` use `Settings.from_env()` when given no settings. `state_dir` defaults
    to the CLI's state directory. The access token is kept out of `repr()`.

    Raises:
        UsageError: a value the CLI would refuse too (a URL with a path, plain http to a
            non-loopback host, an unknown API version or auth method, a bad interval).
    """

    graph_url: str = DEFAULT_GRAPH_URL
    api_version: str = DEFAULT_API_VERSION
    auth: str = "auto"
    access_token: str | None = field(default=None, repr=False)
    tenant_id: str | None = None
    client_id: str | None = None
    state_dir: Path = field(default_factory=default_state_dir)
    poll_interval: float = DEFAULT_POLL_INTERVAL
    request_timeout: float = DEFAULT_REQUEST_TIMEOUT
    job_timeout: float | None = None
    wait_for_slot: float | None = None
    interactive: bool = False
    allow_unencrypted_cache: bool = False
    authority: str = DEFAULT_AUTHORITY
    _graph: GraphSettings = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "state_dir", Path(self.state_dir).expanduser())
        for name in ("job_timeout", "wait_for_slot"):
            value = getattr(self, name)
            if value is not None and not (math.isfinite(value) and value > 0):
                raise UsageError(f"{name} must be a positive number of seconds, not {value!r}")
        graph = GraphSettings(
            graph_url=self.graph_url,
            api_version=self.api_version,
            access_token=self.access_token,
            auth_method=self.auth,
            tenant_id=self.tenant_id,
            client_id=self.client_id,
            poll_interval=self.poll_interval,
            request_timeout=self.request_timeout,
            interactive=self.interactive,
            allow_unencrypted_cache=self.allow_unencrypted_cache,
            authority=self.authority,
            signin_dir=self.state_dir / "signins",
        )
        object.__setattr__(self, "_graph", graph)

    @property
    def graph(self) -> GraphSettings:
        """The Graph part, for `entra_recovery.graph.parity` functions."""
        return self._graph

    @classmethod
    def from_env(
        cls,
        *,
        graph_url: str | None = None,
        api_version: str | None = None,
        auth: str | None = None,
        access_token: str | None = None,
        tenant_id: str | None = None,
        client_id: str | None = None,
        state_dir: PathArg | None = None,
        poll_interval: float | None = None,
        request_timeout: float | None = None,
        job_timeout: float | None = None,
        wait_for_slot: float | None = None,
        interactive: bool = False,
    ) -> Settings:
        """The CLI's environment variables, with every argument that is not None on top."""
        graph = GraphSettings.from_env(
            graph_url=graph_url,
            api_version=api_version,
            access_token=access_token,
            auth_method=auth,
            tenant_id=tenant_id,
            client_id=client_id,
            poll_interval=poll_interval,
            request_timeout=request_timeout,
        )
        return cls(
            graph_url=graph.graph_url,
            api_version=graph.api_version,
            auth=graph.auth_method,
            access_token=graph.access_token,
            tenant_id=graph.tenant_id,
            client_id=graph.client_id,
            state_dir=Path(state_dir) if state_dir is not None else default_state_dir(),
            poll_interval=graph.poll_interval,
            request_timeout=graph.request_timeout,
            job_timeout=job_timeout,
            wait_for_slot=wait_for_slot,
            interactive=interactive,
            allow_unencrypted_cache=graph.allow_unencrypted_cache,
            authority=graph.authority,
        )


# --- plans ---------------------------------------------------------------------------------


def load_plan(path: PathArg) -> Plan:
    """Load and validate one plan file.

    Raises:
        PlanLoadError: the file is missing, unreadable or not YAML.
        PlanValidationError: the plan breaks the schema or a rule; `.issues` lists every
            `Problem`.
    """
    return _load_plan(path)


def validate(paths: PathArg | Iterable[PathArg]) -> list[Problem]:
    """Every problem of every plan file named (folders expanded to their *.yaml/*.yml files),
    sorted per file by line and column; an empty list when all are valid. Offline."""
    if isinstance(paths, str | os.PathLike):
        names = [os.fspath(paths)]
    else:
        names = [os.fspath(path) for path in paths]
    return [issue for result in validate_paths(names) for issue in result.issues]


# --- preview and apply ---------------------------------------------------------------------


async def preview_async(plan: Plan | PathArg, *, settings: Settings | None = None) -> Preview:
    """`preview` for callers that already run an event loop."""
    plan = _plan(plan)
    async with _open_runner(settings, (SCOPE_READ, SCOPE_PREVIEW), tenants=[plan.tenant]) as runner:
        return Preview(await runner.preview(plan))


async def preview_many_async(
    plans: Iterable[Plan | PathArg], *, settings: Settings | None = None
) -> list[Preview | RecoveryError]:
    """`preview_many` for callers that already run an event loop."""
    loaded: list[Plan | RecoveryError] = []
    for plan in plans:
        try:
            loaded.append(_plan(plan))
        except RecoveryError as exc:
            loaded.append(exc)
    batch = [plan for plan in loaded if isinstance(plan, Plan)]
    results: list[Preview | RecoveryError] = []
    tenants = [plan.tenant for plan in batch]
    permissions = (SCOPE_READ, SCOPE_PREVIEW)
    async with _open_runner(settings, permissions, share=True, tenants=tenants) as runner:
        await runner.plan_batch(batch)
        for item in loaded:
            if isinstance(item, RecoveryError):
                results.append(item)
                continue
            try:
                results.append(Preview(await runner.preview(item)))
            except RecoveryError as exc:
                results.append(exc)
    return results


async def apply_async(
    plan: Plan | PathArg,
    *,
    fingerprint: str | None = None,
    confirm: Confirm | None = None,
    settings: Settings | None = None,
) -> ApplyResult:
    """`apply` for callers that already run an event loop."""
    plan = _plan(plan)
    permissions = (SCOPE_READ, SCOPE_PREVIEW, SCOPE_RECOVERY)
    async with _open_runner(settings, permissions, tenants=[plan.tenant]) as runner:
        result = await runner.apply(plan, confirm=_confirmer(confirm), fingerprint=fingerprint)
    return ApplyResult(result)


def preview(plan: Plan | PathArg, *, settings: Settings | None = None) -> Preview:
    """Preview what recovering `plan` (a `Plan` or a path) would change, as `plan preview`.

    Starts a preview job (read-only for the tenant), reads every change and returns the
    `Preview`; `.exit_code` is 2 when there is drift, 0 when not.

    Raises:
        RecoveryError: any expected failure (plan, sign-in, Graph, job); `.exit_code` says
            what the CLI would exit with.
    """
    return _run(preview_async(plan, settings=settings), "preview")


def preview_many(
    plans: Iterable[Plan | PathArg], *, settings: Settings | None = None
) -> list[Preview | RecoveryError]:
    """Preview several plans (`Plan`s or paths) as one batch, as `plan preview` does a folder.

    The plans of one snapshot share one preview job, whatever their scopes: its criteria are
    the union of theirs, and each plan gets exactly the changes, summary and fingerprint a
    preview of it alone gives. Plans of different snapshots get one job each, one after
    another (the tenant runs one job at a time). Returns, in plan order, each plan's `Preview`
    or the `RecoveryError` that stopped it (a plan that does not load, a tenant the token is
    not for, a snapshot that does not exist, a failed job); one plan's error does not stop
    the others. One sign-in serves the whole batch, so plans for another tenant are refused.

    Raises:
        RecoveryError: only for what stops the whole batch before any plan (settings).
    """
    return _run(preview_many_async(plans, settings=settings), "preview_many")


def apply(
    plan: Plan | PathArg,
    *,
    fingerprint: str | None = None,
    confirm: Confirm | None = None,
    settings: Settings | None = None,
) -> ApplyResult:
    """Recover what `plan` says, with `plan apply`'s gates, after a fresh preview.

    Refuses (`GateRefused`, exit code 3) unless the plan's mode is `apply`, the fresh
    fingerprint equals the approved one (`fingerprint`, else the plan's
    `approval.fingerprint`), the guards pass, the token is for the plan's tenant, and
    `confirm(fresh_preview)` returns True. Without `confirm` nothing is recovered
    (`ApplyNotApproved`): pass `confirm=lambda preview: True` to apply unattended, as `--yes`.
    A fresh preview without changes returns at once (no job, nothing to confirm).

    Raises:
        GateRefused: a gate said no (`FingerprintMismatch`, `ApplyNotApproved`, ...).
        JobFailedError: the recovery job ended failed or abandoned.
        RecoveryError: any other expected failure.
    """
    run = apply_async(plan, fingerprint=fingerprint, confirm=confirm, settings=settings)
    return _run(run, "apply")


# --- helpers ---------------------------------------------------------------------------------


def _plan(plan: Plan | PathArg) -> Plan:
    return plan if isinstance(plan, Plan) else _load_plan(plan)


def _confirmer(confirm: Confirm | None) -> Callable[[runner_results.Preview], bool]:
    """The runner's confirmation callback: the caller's `confirm` over the public Preview."""

    def ask(fresh: runner_results.Preview) -> bool:
        if confirm is None:
            raise ApplyNotApproved(
                "the recovery was not confirmed: apply() was called without confirm",
                hint="pass confirm=, a function that gets the fresh Preview and returns True "
                "to go on (confirm=lambda preview: True applies without a review)",
            )
        return confirm(Preview(fresh)) is True

    return ask


@contextlib.asynccontextmanager
async def _open_runner(
    settings: Settings | None,
    permissions: Sequence[str],
    *,
    share: bool = False,
    tenants: Iterable[str] = (),
) -> AsyncIterator[PlanRunner]:
    """A `PlanRunner` over a Graph client for one call (as the CLI's `open_runner`); the
    plans' tenant, when they have one and `tenant_id` is not set, picks the stored sign-in."""
    from entra_recovery.graph.client import open_client

    settings = settings if settings is not None else Settings.from_env()
    graph_settings = settings.graph
    named = set(tenants)
    if graph_settings.tenant_id is None and len(named) == 1:
        graph_settings = dataclasses.replace(graph_settings, tenant_id=named.pop())
    async with open_client(graph_settings, permissions=permissions) as graph:
        yield PlanRunner(
            graph,
            state_dir=settings.state_dir,
            poll_interval=settings.poll_interval,
            job_timeout=settings.job_timeout,
            wait_for_slot=settings.wait_for_slot,
            share_previews=share,
        )


def _run(coro: Coroutine[Any, Any, T], name: str) -> T:
    """Run `coro` in its own event loop; inside a running loop, say which twin to await."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return aio.run(coro)
    coro.close()
    raise UsageError(
        f"{name}() runs its own event loop; inside asyncio (or Jupyter) "
        f"await entra_recovery.{name}_async() instead"
    )


__all__ = [
    "Confirm",
    "Problem",
    "Settings",
    "apply",
    "apply_async",
    "load_plan",
    "preview",
    "preview_async",
    "preview_many",
    "preview_many_async",
    "validate",
]

"""
Creating a preview or recovery job exactly once, even when the answer to the request is lost.

Step in the flow: slot -> **create the job** -> poll. The request is journalled before it is
sent (`JobRequest.on_send`). Then one of three things happens:

- the service answers with the job's id: done;
- the answer is lost (`JobCreationUncertain`: a timeout, a 5xx, a dropped connection after the
  request went out): the job may or may not exist. We never send the request again. We look for
  it among the tenant's jobs (`jobmatch`); when none is there yet we look once more after
  `recheck_delay` (a job can take a moment to be listed). Exactly one match is followed as if
  the service had answered; none or several stop the run (`JobCreationUnresolved`, exit 1),
  naming `run resume` (apply) or `job list` (preview);
- the service says 409 (a job runs in the tenant). When an earlier attempt of the same request
  may have reached the service (a client that re-sent the request after losing the answer),
  the running job can be our own: so a 409 is first answered by the same lookup, and only when
  no job matches do we wait for the slot (if allowed) and ask again.
"""

from __future__ import annotations

from collections.abc import Awaitable
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from entra_recovery.errors import JobConflictError
from entra_recovery.errors import JobCreationUncertain
from entra_recovery.errors import JobCreationUnresolved
from entra_recovery.graph.models import FilteringCriteria
from entra_recovery.graph.models import JobKind
from entra_recovery.graph.models import Snapshot
from entra_recovery.runner.jobmatch import JobQuery
from entra_recovery.runner.jobmatch import matching_jobs
from entra_recovery.runner.slot import CreateJob
from entra_recovery.runner.slot import TenantSlot


@dataclass(frozen=True)
class JobRequest:
    """One job-creating request and what the runner knows around it.

    `on_send` journals the request and returns the local time it is sent (called right before
    each attempt). `service_not_before` is a reading of the service's clock the job must have
    started at or after (None: our send time minus `jobmatch.CLOCK_SKEW`). `owned` returns the
    job ids other runs recorded. `next_step` says what the user should do when the job cannot
    be told.
    """

    kind: JobKind
    snapshot: Snapshot
    criteria: FilteringCriteria
    on_send: Callable[[], datetime]
    owned: Callable[[], frozenset[str]]
    next_step: str
    service_not_before: datetime | None = None


async def create_once(
    slot: TenantSlot,
    request: JobRequest,
    create: CreateJob,
    *,
    sleep: Callable[[float], Awaitable[None]],
    recheck_delay: float,
) -> str:
    """Create the job of `request` with `create`; see the module docstring."""
    seen = await slot.wait_until_free()
    while True:
        sent_at = request.on_send()

        def query(seen: frozenset[str] = seen, sent_at: datetime = sent_at) -> JobQuery:
            # Built only when needed: `owned` reads every journal of the state directory.
            return JobQuery.after_send(
                request.kind,
                request.snapshot.created,
                request.criteria,
                sent_at=sent_at,
                service_not_before=request.service_not_before,
                excluded=seen | request.owned(),
            )

        try:
            return await create(request.snapshot.id, request.criteria)
        except JobCreationUncertain as exc:
            return await _resolve(slot, request, query(), exc, sleep=sleep, delay=recheck_delay)
        except JobConflictError:
            found = matching_jobs(await slot.graph.list_jobs(), query())
            if len(found) == 1:
                return found[0].id  # our own earlier attempt holds the slot
            if found:
                raise _several(request, [j.id for j in found]) from None
            if slot.wait_for_slot is None:
                raise
            seen = await slot.wait_until_free()


async def _resolve(
    slot: TenantSlot,
    request: JobRequest,
    query: JobQuery,
    exc: JobCreationUncertain,
    *,
    sleep: Callable[[float], Awaitable[None]],
    delay: float,
) -> str:
    """The job a request whose answer was lost created, if exactly one can be found."""
    found = matching_jobs(await slot.graph.list_jobs(), query)
    if not found:
        await sleep(delay)
        found = matching_jobs(await slot.graph.list_jobs(), query)
    if len(found) == 1:
        return found[0].id
    if found:
        raise _several(request, [j.id for j in found]) from exc
    raise JobCreationUnresolved(
        f"the answer to the {request.kind.value} job request was lost ({exc}), and no such "
        "job is listed in the tenant: it may not have been created, or may not be listed yet; "
        "the request is not sent again",
        hint=request.next_step,
    ) from exc


def _several(request: JobRequest, ids: list[str]) -> JobCreationUnresolved:
    return JobCreationUnresolved(
        f"the answer to the {request.kind.value} job request was lost, and several jobs match "
        f"it: {', '.join(ids)}; not guessing which one is ours",
        hint=request.next_step,
    )

"""
Several tenants in one emulator: their ids, their seeding, and which one serves a request.

Step in the flow: `EmulatorServer` builds one `TenantService` per tenant (its own objects and
history, jobs with the one-running-job slot, faults and app) and `TenantRouter` hands each
request to the tenant named by its bearer token's `tid` claim, read unchecked; that tenant's
app then authenticates the token exactly as a one-tenant emulator does.

The first tenant is the scenario's own. Extra tenant number k (2, 3, ...) gets the GUID
`uuid5(UUID(first tenant id), f"tenant-{k}")` (`extra_tenant_id`), so a scenario always serves
the same ids, and a copy of the scenario in which every value equal to the first tenant's id
(the organization object, its history) names the new one.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from collections.abc import Sequence
from dataclasses import dataclass
from dataclasses import replace
from pathlib import Path
from typing import Any

from entra_recovery.emulator import auth
from entra_recovery.emulator.app import EmulatorApp
from entra_recovery.emulator.faults import FaultInjector
from entra_recovery.emulator.jobs import JobRules
from entra_recovery.emulator.jobs import JobStore
from entra_recovery.emulator.scenario import Scenario
from entra_recovery.emulator.seeding import build_tenant
from entra_recovery.emulator.state import TenantState


def extra_tenant_id(first: str, number: int) -> str:
    """The id of extra tenant `number` (2 for the second tenant) next to tenant `first`."""
    return str(uuid.uuid5(uuid.UUID(first), f"tenant-{number}"))


def tenant_ids(first: str, tenants: int | Sequence[str]) -> list[str]:
    """The ids to serve: `first` plus derived ids for a count, or a list checked to be GUIDs,
    without duplicates, that starts with `first` (the scenario's tenant)."""
    if isinstance(tenants, int):
        if tenants < 1:
            raise ValueError(f"tenants must be at least 1, not {tenants}")
        return [first, *(extra_tenant_id(first, k) for k in range(2, tenants + 1))]
    try:
        ids = [str(uuid.UUID(str(tenant))) for tenant in tenants]
    except ValueError:
        raise ValueError(f"tenants must be GUIDs: {list(tenants)!r}") from None
    if not ids or ids[0] != first.lower():
        raise ValueError(f"the first of the tenants must be the scenario's tenant {first}")
    if len(set(ids)) != len(ids):
        raise ValueError("tenants: an id is listed twice")
    return [first, *ids[1:]]


def scenario_for(scenario: Scenario, tenant_id: str) -> Scenario:
    """A copy of `scenario` for another tenant: every string equal to the scenario's tenant id
    (the organization object's id, history events on it) becomes `tenant_id`."""
    if tenant_id == scenario.tenant_id:
        return scenario
    old, new = json.dumps(scenario.tenant_id), json.dumps(tenant_id)

    def swap(data: Any) -> Any:
        return json.loads(json.dumps(data).replace(old, new))

    return replace(
        scenario,
        tenant_id=tenant_id,
        objects=swap(scenario.objects),
        history=swap(scenario.history),
    )


def state_file_for(path: Path | None, tenant_id: str, number: int) -> Path | None:
    """The first tenant keeps `path`; tenant k uses `<stem>.<tenant id><suffix>` next to it."""
    if path is None or number == 1:
        return path
    return path.with_name(f"{path.stem}.{tenant_id}{path.suffix}")


@dataclass(frozen=True)
class TenantSetup:
    """What the tenants of one emulator share: the scenario and the clocks."""

    scenario: Scenario
    clock: Callable[[], float]
    seeding_time: float
    rules: JobRules
    monotonic: Callable[[], float]
    pinned: bool


@dataclass(frozen=True)
class TenantService:
    """One served tenant: its objects and history, its jobs (one running at a time), its app."""

    tenant_id: str
    state: TenantState
    jobs: JobStore
    app: EmulatorApp


def build_service(
    setup: TenantSetup, tenant_id: str, number: int, state_file: Path | None
) -> TenantService:
    """Tenant `number` (1 = the scenario's own), seeded or loaded from its state file."""
    scenario = scenario_for(setup.scenario, tenant_id)
    state = TenantState(tenant_id, setup.clock)
    path = state_file_for(state_file, tenant_id, number)
    if path is not None and path.exists():
        try:
            state.load_json(json.loads(path.read_text(encoding="utf-8")))
        except (OSError, ValueError) as exc:
            raise ValueError(f"cannot load emulator state file {path}: {exc}") from None
    else:
        build_tenant(scenario, state, setup.seeding_time)
    state.state_file = path
    if path is not None and not path.exists():
        state.save()
    # Pinned clock: job ids repeat run to run, and differ between tenants.
    seed: int | str = scenario.seed if number == 1 else f"{scenario.seed}:{tenant_id}"
    jobs = JobStore(
        state,
        replace(setup.rules, failing_objects=dict(setup.rules.failing_objects)),
        monotonic=setup.monotonic,
        seed=seed if setup.pinned else None,
    )
    app = EmulatorApp(
        scenario, state, jobs, FaultInjector(list(scenario.faults)), scenario.retention_days
    )
    return TenantService(tenant_id, state, jobs, app)


class TenantRouter:
    """Which tenant serves a request: the one its token's `tid` names, the first tenant for a
    token without `tid` (an opaque token such as curl's `anything`), None for no token or a
    tenant this emulator does not serve (the first tenant's app then answers 401)."""

    def __init__(self, services: Sequence[TenantService]) -> None:
        self.services = list(services)
        self._by_id = {service.tenant_id.lower(): service for service in self.services}

    def route(self, authorization: str | None) -> TenantService | None:
        if not authorization:
            return None
        tid = auth.token_tenant(authorization)
        if tid is None:
            return self.services[0]
        return self._by_id.get(tid.lower())

"""`cli.batch.preview_groups`: tenants side by side up to `parallel`, plans of one tenant one
after another, `plan_batch` first, and every plan reported once whatever fails."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from collections.abc import Iterator
from collections.abc import Sequence
from dataclasses import dataclass
from dataclasses import field
from pathlib import Path
from typing import Any

import pytest

from entra_recovery.cli.batch import PreviewRunner
from entra_recovery.cli.batch import group_by_tenant
from entra_recovery.cli.batch import preview_groups
from entra_recovery.errors import GateRefused
from entra_recovery.errors import GraphAuthError
from entra_recovery.errors import RecoveryError
from entra_recovery.plan import Plan
from entra_recovery.plan import load_plan
from entra_recovery.runner.events import NoopEvents
from entra_recovery.runner.events import RunnerEvents
from entra_recovery.runner.results import Preview
from helpers.planfiles import plan_data
from helpers.planfiles import write_plan

TENANTS = [f"{n}0000000-0000-4000-8000-000000000000" for n in range(1, 5)]


def _plan(folder: Path, name: str, tenant: str) -> Plan:
    data = plan_data(tenant=tenant)
    data["metadata"] = {"name": name}
    return load_plan(write_plan(folder, data, f"{name}.yaml"))


@dataclass
class Recorder:
    """What the fake runners saw: the order of calls and how many ran at once."""

    log: list[str] = field(default_factory=list)
    active_tenants: set[str] = field(default_factory=set)
    busy: dict[str, int] = field(default_factory=dict)
    most_tenants: int = 0
    most_in_one_tenant: int = 0
    fail: dict[str, RecoveryError] = field(default_factory=dict)
    refuse_open: set[str] = field(default_factory=set)


class FakeRunner:
    """A `PreviewRunner` whose previews take a little while and record overlap."""

    def __init__(self, tenant: str, recorder: Recorder) -> None:
        self.tenant = tenant
        self.recorder = recorder
        self.events: RunnerEvents = NoopEvents()

    async def plan_batch(self, plans: Sequence[Plan]) -> None:
        self.recorder.log.append(f"batch {self.tenant} {[p.name for p in plans]}")

    async def preview(self, plan: Plan) -> Preview:
        rec = self.recorder
        rec.busy[self.tenant] = rec.busy.get(self.tenant, 0) + 1
        rec.most_in_one_tenant = max(rec.most_in_one_tenant, rec.busy[self.tenant])
        await asyncio.sleep(0.02)
        rec.busy[self.tenant] -= 1
        rec.log.append(f"preview {plan.name}")
        if plan.name in rec.fail:
            raise rec.fail[plan.name]
        return plan  # type: ignore[return-value]  # the seam passes it through untouched


def _opener(recorder: Recorder) -> Any:
    @contextlib.asynccontextmanager
    async def open_tenant(tenant: str) -> AsyncIterator[PreviewRunner]:
        if tenant in recorder.refuse_open:
            raise GraphAuthError(f"no sign-in for tenant {tenant}")
        recorder.active_tenants.add(tenant)
        recorder.most_tenants = max(recorder.most_tenants, len(recorder.active_tenants))
        try:
            yield FakeRunner(tenant, recorder)
        finally:
            recorder.active_tenants.discard(tenant)

    return open_tenant


@contextlib.contextmanager
def _events(plan: Plan) -> Iterator[RunnerEvents]:
    yield NoopEvents()


def _run(plans: list[Plan], recorder: Recorder, parallel: int) -> dict[str, object]:
    results: dict[str, object] = {}

    def on_result(plan: Plan, result: object) -> None:
        assert plan.name not in results, "each plan is reported once"
        results[plan.name] = result

    asyncio.run(
        preview_groups(
            group_by_tenant(plans),
            open_tenant=_opener(recorder),
            parallel=parallel,
            events_for=_events,
            on_result=on_result,
        )
    )
    return results


@pytest.mark.parametrize(("parallel", "expected"), [(1, 1), (2, 2), (8, 4)])
def test_tenants_run_side_by_side_up_to_parallel(
    tmp_path: Path, parallel: int, expected: int
) -> None:
    """At most `parallel` tenants at once (all of them when there are fewer), never two
    previews at once in one tenant, and every plan gets its result."""
    plans = [
        _plan(tmp_path, f"p{t}-{i}", tenant) for t, tenant in enumerate(TENANTS) for i in (1, 2)
    ]
    recorder = Recorder()
    results = _run(plans, recorder, parallel)
    assert recorder.most_tenants == expected
    assert recorder.most_in_one_tenant == 1
    assert set(results) == {plan.name for plan in plans}


def test_plan_batch_comes_first_and_plans_keep_their_order(tmp_path: Path) -> None:
    """Each tenant's runner gets `plan_batch` with its plans, in order, before any preview."""
    plans = [
        _plan(tmp_path, "a", TENANTS[0]),
        _plan(tmp_path, "b", TENANTS[1].upper()),
        _plan(tmp_path, "c", TENANTS[0]),
    ]
    recorder = Recorder()
    _run(plans, recorder, parallel=1)
    assert recorder.log == [
        f"batch {TENANTS[0]} ['a', 'c']",
        "preview a",
        "preview c",
        f"batch {TENANTS[1].upper()} ['b']",
        "preview b",
    ]


def test_a_failing_plan_or_tenant_ends_only_its_own_plans(tmp_path: Path) -> None:
    """A refused plan, a failed plan and a tenant whose sign-in fails: each of those plans gets
    its error, and every other plan is still previewed."""
    plans = [
        _plan(tmp_path, "refused", TENANTS[0]),
        _plan(tmp_path, "fine-1", TENANTS[0]),
        _plan(tmp_path, "no-sign-in-1", TENANTS[1]),
        _plan(tmp_path, "no-sign-in-2", TENANTS[1]),
        _plan(tmp_path, "broken", TENANTS[2]),
        _plan(tmp_path, "fine-2", TENANTS[2]),
    ]
    recorder = Recorder(
        fail={
            "refused": GateRefused("token for another tenant", gate="tenant"),
            "broken": RecoveryError("preview job failed"),
        },
        refuse_open={TENANTS[1]},
    )
    results = _run(plans, recorder, parallel=3)
    kinds = {name: type(result).__name__ for name, result in results.items()}
    assert kinds == {
        "refused": "GateRefused",
        "fine-1": "Plan",
        "no-sign-in-1": "GraphAuthError",
        "no-sign-in-2": "GraphAuthError",
        "broken": "RecoveryError",
        "fine-2": "Plan",
    }


def test_an_unexpected_error_stops_the_batch(tmp_path: Path) -> None:
    """A bug is not a plan's outcome: it propagates (and the other tenants are cancelled)."""
    plans = [_plan(tmp_path, "a", TENANTS[0]), _plan(tmp_path, "b", TENANTS[1])]
    recorder = Recorder()
    recorder.fail["a"] = ZeroDivisionError("bug")  # type: ignore[assignment]
    with pytest.raises(ZeroDivisionError):
        _run(plans, recorder, parallel=2)
    assert recorder.active_tenants == set()  # every runner was closed

"""Several tenants in one emulator: ids, routing by the token's tid, isolation of state, jobs,
the one-job slot and the request log; per-tenant state files."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from unit.emulator.graphhttp import BREAK_GLASS
from unit.emulator.graphhttp import NAMES_FILTER
from unit.emulator.graphhttp import ROOT
from unit.emulator.graphhttp import TENANT
from unit.emulator.graphhttp import Graph

from entra_recovery.emulator.server import EmulatorServer
from entra_recovery.emulator.tenants import extra_tenant_id
from entra_recovery.emulator.tenants import tenant_ids

UNSERVED = "11111111-2222-4333-8444-555555555555"
USERS = {"@odata.type": NAMES_FILTER, "entityTypes": ["user"]}


Pair = Callable[..., tuple[Graph, Graph]]


@pytest.fixture
def pair(make_graph: Callable[..., Graph]) -> Iterator[Pair]:
    """`pair(**kwargs)`: two clients of one two-tenant emulator, for the scenario's tenant (A)
    and the extra one (B)."""
    extra: list[Graph] = []

    def make(**kwargs: Any) -> tuple[Graph, Graph]:
        a = make_graph(tenants=2, **kwargs)
        b = Graph(a.server)
        b.token = a.server.make_token(tenant_id=a.server.tenant_ids[1])
        extra.append(b)
        return a, b

    yield make
    for client in extra:
        client.close()


def test_default_serves_the_scenario_tenant_alone(emulator: EmulatorServer) -> None:
    """Without `tenants`, one tenant with the scenario's id, as before."""
    assert emulator.tenant_ids == [TENANT] and emulator.tenant_id == TENANT


def test_extra_tenant_ids_are_documented_uuid5s() -> None:
    """Tenant k is uuid5(first tenant's id, "tenant-k"): the same ids on every run."""
    ids = tenant_ids(TENANT, 3)
    assert ids[0] == TENANT
    assert ids[1:] == [str(uuid.uuid5(uuid.UUID(TENANT), f"tenant-{k}")) for k in (2, 3)]
    assert extra_tenant_id(TENANT, 2) == ids[1] and len(set(ids)) == 3


@pytest.mark.parametrize(
    ("tenants", "message"),
    [
        (0, "at least 1"),
        ([UNSERVED], "must be the scenario's tenant"),
        ([TENANT, "not-a-guid"], "must be GUIDs"),
        ([TENANT, UNSERVED, UNSERVED.upper()], "listed twice"),
        ([], "must be the scenario's tenant"),
    ],
)
def test_bad_tenant_lists_are_refused(tenants: Any, message: str) -> None:
    """A count below 1, a list not led by the scenario's tenant, a non-GUID or a duplicate."""
    with pytest.raises(ValueError, match=message):
        tenant_ids(TENANT, tenants)


def test_a_list_of_ids_is_served(make_emulator: Callable[..., EmulatorServer]) -> None:
    """Explicit ids are served as given, the scenario's tenant first."""
    server = make_emulator(tenants=[TENANT, UNSERVED])
    assert server.tenant_ids == [TENANT, UNSERVED] and server.serves(UNSERVED.upper())


def test_a_job_in_one_tenant_does_not_hold_the_others_slot(
    pair: Pair,
) -> None:
    """While A's preview runs, A refuses a second job (409) but B starts its own (202)."""
    a, b = pair(job_durations=60)
    a.start(criteria=USERS)
    assert a.create(criteria=USERS).status == 409
    assert b.create(criteria=USERS).status == 202
    assert b.create(criteria=USERS).status == 409


def test_a_tenants_token_sees_only_its_own_jobs(pair: Pair) -> None:
    """B's job is missing from A's lists and a 404 for A's token; B sees it."""
    a, b = pair()
    location = b.start(criteria=USERS)
    job_id = location.rsplit("/", 1)[1]
    assert [job["id"] for job in b.get(f"{ROOT}/jobs").json["value"]] == [job_id]
    assert a.get(f"{ROOT}/jobs").json["value"] == []
    assert a.get(location).status == 404
    assert a.get(f"{ROOT}/jobs/{job_id}").status == 404
    assert len(b.changes(location)) == 3


def test_job_ids_differ_between_tenants(pair: Pair) -> None:
    """With the clock pinned, job ids repeat run to run but are not shared between tenants."""
    a, b = pair()
    assert a.start(criteria=USERS).rsplit("/", 1)[1] != b.start(criteria=USERS).rsplit("/", 1)[1]


def test_each_tenant_has_its_own_objects(pair: Pair) -> None:
    """The copy is seeded for its id (organization), and an edit in A leaves B unchanged."""
    a, b = pair()
    other = a.server.tenant_ids[1]
    b_state = a.server.service(other).state
    assert (b_state.current("organization", other) or {})["id"] == other
    assert b_state.current("organization", TENANT) is None
    a.server.state.update_object("user", BREAK_GLASS, {"jobTitle": "edited in A"})
    assert len(a.preview(USERS)) == 4
    assert len(b.preview(USERS)) == 3


def test_tokens_are_routed_by_tid_and_logged_with_the_tenant(
    pair: Pair,
) -> None:
    """Served tids answer 200 tagged with their tenant; an unserved tid and no token are a 401
    tagged with no tenant; an opaque token goes to the first tenant."""
    a, b = pair()
    assert a.get(f"{ROOT}/snapshots").status == 200
    assert b.get(f"{ROOT}/snapshots").status == 200
    a.token = a.server.make_token(tenant_id=UNSERVED)
    assert a.get(f"{ROOT}/snapshots").status == 401
    a.token = None
    assert a.get(f"{ROOT}/snapshots").status == 401
    a.token = "anything"
    assert a.get(f"{ROOT}/snapshots").status == 200
    tags = [(entry["status"], entry["tenant"]) for entry in a.server.requests]
    other = a.server.tenant_ids[1]
    assert tags == [(200, TENANT), (200, other), (401, None), (401, None), (200, TENANT)]


def test_each_tenant_persists_in_its_own_state_file(pair: Pair, tmp_path: Path) -> None:
    """Tenant k's state file is `<stem>.<tenant id><suffix>` next to the first one's."""
    state = tmp_path / "tenant.json"
    a, b = pair(state_file=str(state))
    other = a.server.tenant_ids[1]
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        ["tenant.json", f"tenant.{other}.json"]
    )
    b.start("recoveryJobs", USERS)
    a.server.stop()
    again, again_b = pair(state_file=str(state))
    assert len(again.preview(USERS)) == 3
    assert again_b.preview(USERS) == []

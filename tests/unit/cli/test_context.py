"""`AppContext.settings_for_tenant` under --emulator: a served tenant's own token, else the
default one (so the runner's tenant gate refuses the plan)."""

from __future__ import annotations

import json
from base64 import urlsafe_b64decode
from collections.abc import Iterator

import pytest

from entra_recovery.cli.context import AppContext
from entra_recovery.emulator.tenants import extra_tenant_id

DEMO = "5f0c1a2b-3c4d-4e5f-8a9b-0c1d2e3f4a5b"
UNSERVED = "11111111-2222-4333-8444-555555555555"


def _tid(token: str | None) -> str:
    part = (token or "").split(".")[1]
    return str(json.loads(urlsafe_b64decode(part + "=" * (-len(part) % 4)))["tid"])


@pytest.fixture
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[AppContext]:
    context = AppContext(
        emulator=True, emulator_tenants=2, state_dir=str(tmp_path_factory.mktemp("state"))
    )
    yield context
    context.close()


@pytest.mark.parametrize(
    ("tenant", "tid"),
    [
        (DEMO, DEMO),
        (extra_tenant_id(DEMO, 2), extra_tenant_id(DEMO, 2)),
        (extra_tenant_id(DEMO, 2).upper(), extra_tenant_id(DEMO, 2).upper()),
        (UNSERVED, DEMO),
        (None, DEMO),
    ],
)
def test_emulator_token_follows_the_plans_tenant(
    app: AppContext, tenant: str | None, tid: str
) -> None:
    """A served tenant gets a token with its tid; another tenant, or none, the default token."""
    settings = app.settings_for_tenant(tenant)
    assert _tid(settings.access_token) == tid
    assert settings.graph_url == app.graph_settings().graph_url

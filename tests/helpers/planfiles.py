"""Plan files for runner tests: the demo tenant, written to a temp folder with overrides."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

DEMO_TENANT = "5f0c1a2b-3c4d-4e5f-8a9b-0c1d2e3f4a5b"
BREAK_GLASS = "a1b2c3d4-0009-4000-8000-000000000009"
CA_MFA_ADMINS = "c3d4e5f6-0001-4000-8000-000000000001"
DELETED_USERS = ["a1b2c3d4-0001-4000-8000-000000000001", "a1b2c3d4-0002-4000-8000-000000000002"]


def plan_data(**overrides: Any) -> dict[str, Any]:
    """A valid preview plan for CA policies and named locations, with top-level overrides."""
    data: dict[str, Any] = {
        "apiVersion": "entra-recovery/v1",
        "kind": "RecoveryPlan",
        "metadata": {"name": "test-plan", "owner": "identity-ops@contoso.com"},
        "tenant": DEMO_TENANT,
        "snapshot": {"latest": True},
        "scope": {"entityTypes": ["conditionalAccessPolicy", "namedLocationPolicy"]},
        "mode": "preview",
        "guards": {"maxChanges": 50, "protectedObjects": [BREAK_GLASS]},
    }
    data.update(overrides)
    return data


def apply_data(fingerprint: str | None = None, **overrides: Any) -> dict[str, Any]:
    """The same plan in apply mode, approved with `fingerprint` when given."""
    data = plan_data(mode="apply", **overrides)
    data["metadata"] = {**data["metadata"], "change": "CHG0012345"}
    if fingerprint:
        data["approval"] = {"fingerprint": fingerprint, "approvedBy": ["alice@contoso.com"]}
    return data


def write_plan(folder: Path, data: dict[str, Any], name: str = "plan.yaml") -> Path:
    path = folder / name
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return path

"""Realistic raw change objects: the reference's worked examples and the demo incident."""

from __future__ import annotations

import copy
from datetime import UTC
from datetime import datetime
from typing import Any

from entra_recovery.diff import build_diff
from entra_recovery.diff import evaluate_guards
from entra_recovery.diff import fingerprint
from entra_recovery.report import ApplyInfo
from entra_recovery.report import JobInfo
from entra_recovery.report import PlanInfo
from entra_recovery.report import Report
from entra_recovery.report import SnapshotInfo

SNAPSHOT_ID = "MjAyNi0xMS0yOFQwMjozMDowMFo="
TENANT = "5f0c1a2b-3c4d-4e5f-8a9b-0c1d2e3f4a5b"
CRITERIA = {
    "@odata.type": "#microsoft.graph.entraRecoveryServices.recoveryJobEntityNamesFilter",
    "entityTypes": ["user", "group", "conditionalAccessPolicy", "namedLocationPolicy"],
}
BREAK_GLASS = "a1b2c3d4-0009-4000-8000-000000000009"

# reference 5.3: user update
REFERENCE_USER_UPDATE: dict[str, Any] = {
    "entityTypeName": "user",
    "id": "36e07e06-72c1-4b2c-b547-c5084413b88b",
    "displayName": "JD",
    "recoveryAction": "update",
    "deltaFromCurrent": {
        "@odata.type": "#microsoft.graph.user",
        "displayName": "John Doe",
        "jobTitle": "Software Engineer",
        "businessPhones": ["+1 555-555-5555"],
        "accountEnabled": True,
        "passwordProfile": {"forceChangePasswordNextSignIn": False},
    },
    "currentState": {
        "@odata.type": "#microsoft.graph.user",
        "displayName": "JD",
        "jobTitle": "Product Manager",
        "businessPhones": ["+1 555-888-5555"],
        "accountEnabled": False,
        "passwordProfile": {"forceChangePasswordNextSignIn": True},
    },
}

# reference 5.3: group update with links (owners@delta is reported but not recovered)
REFERENCE_GROUP_UPDATE: dict[str, Any] = {
    "entityTypeName": "group",
    "id": "ef043007-ea2e-44ba-a8ff-59c1cfc08dac",
    "displayName": "Engineering Team",
    "recoveryAction": "update",
    "deltaFromCurrent": {
        "@odata.type": "#microsoft.graph.group",
        "displayName": "Management Team",
        "members@delta": [
            {
                "@odata.type": "#microsoft.graph.user",
                "id": "632f6bb2-3ec8-4c1f-9073-0027a8c6859",
                "@removed": {"reason": "changed"},
            },
            {"@odata.type": "#microsoft.graph.user", "id": "37de1ae3-408f-4702-8636-20824abda004"},
        ],
        "owners@delta": [
            {
                "id": "34567890-3456-3456-3456-3456789012cd",
                "displayName": "John Miler",
                "userPrincipalName": "johnmiller@example.com",
            }
        ],
    },
    "currentState": {"@odata.type": "#microsoft.graph.group", "displayName": "Engineering Team"},
}

ADELE_RESTORE: dict[str, Any] = {
    "entityTypeName": "user",
    "id": "a1b2c3d4-0001-4000-8000-000000000001",
    "displayName": "Adele Vance",
    "recoveryAction": "restore",
    "deltaFromCurrent": {"@odata.type": "#microsoft.graph.user", "deletedDateTime": None},
    "currentState": {
        "@odata.type": "#microsoft.graph.user",
        "deletedDateTime": "2026-11-28T09:14:00Z",
    },
}

MEGAN_UPDATE: dict[str, Any] = {
    "entityTypeName": "user",
    "id": "a1b2c3d4-0003-4000-8000-000000000003",
    "displayName": "Megan Bowen",
    "recoveryAction": "update",
    "deltaFromCurrent": {
        "@odata.type": "#microsoft.graph.user",
        "jobTitle": "Marketing Manager",
        "department": "Marketing",
    },
    # currentState misses `department`: render defensively (absent, not null)
    "currentState": {"@odata.type": "#microsoft.graph.user", "jobTitle": "Intern"},
}

FINANCE_GROUP: dict[str, Any] = {
    "entityTypeName": "group",
    "id": "b2c3d4e5-0001-4000-8000-000000000001",
    "displayName": "Finance Team",
    "recoveryAction": "update",
    "deltaFromCurrent": {
        "@odata.type": "#microsoft.graph.group",
        "description": "Finance department",
        "members@delta": [
            {"@odata.type": "#microsoft.graph.user", "id": "a1b2c3d4-0004-4000-8000-000000000004"},
            {"@odata.type": "user", "id": "a1b2c3d4-0005-4000-8000-000000000005"},
            {
                "@odata.type": "#microsoft.graph.user",
                "id": "a1b2c3d4-0006-4000-8000-000000000006",
                "@removed": {"reason": "changed"},
            },
        ],
    },
    "currentState": {"@odata.type": "#microsoft.graph.group", "description": "Finance (old)"},
}

CA_MFA_ADMINS: dict[str, Any] = {
    "entityTypeName": "conditionalAccessPolicy",
    "id": "c3d4e5f6-0001-4000-8000-000000000001",
    "displayName": "Require MFA for administrators",
    "recoveryAction": "update",
    "deltaFromCurrent": {
        "@odata.type": "#microsoft.graph.conditionalAccessPolicy",
        "state": "enabled",
    },
    "currentState": {
        "@odata.type": "#microsoft.graph.conditionalAccessPolicy",
        "state": "disabled",
    },
}

CA_LEGACY_AUTH: dict[str, Any] = {
    "entityTypeName": "conditionalAccessPolicy",
    "id": "c3d4e5f6-0002-4000-8000-000000000002",
    "displayName": "Block legacy authentication",
    "recoveryAction": "update",
    "deltaFromCurrent": {
        "@odata.type": "#microsoft.graph.conditionalAccessPolicy",
        "conditions": {
            "@odata.type": "#microsoft.graph.conditionalAccessConditionSet",
            "users": {"includeUsers": ["All"], "excludeUsers": [BREAK_GLASS]},
            "clientAppTypes": ["exchangeActiveSync", "other"],
            "locations": None,
        },
    },
    "currentState": {
        "@odata.type": "#microsoft.graph.conditionalAccessPolicy",
        "conditions": {
            "@odata.type": "#microsoft.graph.conditionalAccessConditionSet",
            "users": {
                "includeUsers": ["All"],
                "excludeUsers": [BREAK_GLASS, "a1b2c3d4-0007-4000-8000-000000000007"],
            },
            "clientAppTypes": ["exchangeActiveSync"],
            "locations": {"includeLocations": ["All"]},
        },
    },
}

NAMED_LOCATION: dict[str, Any] = {
    "entityTypeName": "namedLocationPolicy",
    "id": "d4e5f6a7-0001-4000-8000-000000000001",
    "displayName": "Corporate HQ",
    "recoveryAction": "update",
    "deltaFromCurrent": {
        "@odata.type": "#microsoft.graph.ipNamedLocation",
        "ipRanges": [
            {"@odata.type": "#microsoft.graph.iPv4CidrRange", "cidrAddress": "203.0.113.0/24"}
        ],
    },
    "currentState": {
        "@odata.type": "#microsoft.graph.ipNamedLocation",
        "ipRanges": [
            {"@odata.type": "#microsoft.graph.iPv4CidrRange", "cidrAddress": "203.0.113.0/24"},
            {"@odata.type": "#microsoft.graph.iPv4CidrRange", "cidrAddress": "198.51.100.0/24"},
        ],
    },
}

ROGUE_APP: dict[str, Any] = {
    "entityTypeName": "application",
    "id": "e5f6a7b8-0001-4000-8000-000000000001",
    "displayName": "Totally Legit Sync",
    "recoveryAction": "softDelete",
    "deltaFromCurrent": {
        "@odata.type": "#microsoft.graph.application",
        "@removed": {"reason": "changed"},
        "deletedDateTime": "2026-11-28T12:00:00Z",
    },
    "currentState": {"@odata.type": "#microsoft.graph.application", "deletedDateTime": None},
}

UNKNOWN_TYPE_AND_ACTION: dict[str, Any] = {
    "entityTypeName": "crossTenantAccessPolicy",
    "objectId": "f6a7b8c9-0001-4000-8000-000000000001",
    "recoveryAction": "quarantine",
    "deltaFromCurrent": {"isServiceDefault": True},
    "currentState": {"isServiceDefault": False},
}

HOSTILE: dict[str, Any] = {
    "entityTypeName": "group",
    "id": "b2c3d4e5-0666-4000-8000-000000000666",
    "displayName": '<script>alert("x")</script> & "friends" | `tick`',
    "recoveryAction": "update",
    "deltaFromCurrent": {"description": "</details><img src=x onerror=alert(1)>\x1b[31m\x07"},
    "currentState": {"description": "]]> <!-- -->"},
}

DEMO_CHANGES = [
    CA_MFA_ADMINS,
    CA_LEGACY_AUTH,
    FINANCE_GROUP,
    ADELE_RESTORE,
    MEGAN_UPDATE,
    NAMED_LOCATION,
    ROGUE_APP,
    UNKNOWN_TYPE_AND_ACTION,
    REFERENCE_GROUP_UPDATE,
    HOSTILE,
]

GENERATED_AT = datetime(2026, 11, 28, 14, 0, 0, tzinfo=UTC)
PLAN = PlanInfo(
    name="rollback-incident-4711",
    file="recovery_plans/rollback-incident.yaml",
    sha256="0" * 63 + "1",
    mode="preview",
    change="CHG0012345",
    owner="identity-ops@contoso.com",
    reviewers=("alice@contoso.com",),
)


def demo_changes() -> list[dict[str, Any]]:
    """A deep copy of the demo change list (tests may mutate it)."""
    return copy.deepcopy(DEMO_CHANGES)


def demo_report(**overrides: Any) -> Report:
    """The fixed report every golden file is rendered from."""
    changes = demo_changes()
    diff = build_diff(changes)
    fp = fingerprint(SNAPSHOT_ID, CRITERIA, changes)
    fields: dict[str, Any] = {
        "plan": PLAN,
        "diff": diff,
        "generated_at": GENERATED_AT,
        "tool_version": "0.1.0",
        "tenant": TENANT,
        "snapshot": SnapshotInfo(SNAPSHOT_ID, datetime(2026, 11, 28, 2, 30, tzinfo=UTC)),
        "job": JobInfo("9d1e2f3a-0001-4000-8000-00000000aaaa", "successful", 10, 5),
        "fingerprint": fp,
        "approve_command": (
            f"entra-recovery plan apply recovery_plans/rollback-incident.yaml --fingerprint {fp}"
        ),
        "guards": evaluate_guards(diff, 50, None, [BREAK_GLASS]),
        "scope": "entity types: user, group, conditionalAccessPolicy, namedLocationPolicy",
    }
    fields.update(overrides)
    return Report(**fields)


def apply_report() -> Report:
    """An apply with one failed change."""
    failed = build_diff(
        [
            {
                **copy.deepcopy(CA_LEGACY_AUTH),
                "failureMessage": "Policy is locked by another administrator.",
            }
        ]
    )
    base = demo_report()
    return demo_report(
        plan=PlanInfo(**{**_plan_fields(), "mode": "apply"}),
        apply=ApplyInfo(
            job_id="9d1e2f3a-0002-4000-8000-00000000bbbb",
            status="successful",
            total_objects_modified=9,
            total_links_modified=5,
            total_failed_changes=1,
            failed_changes=failed.changes,
        ),
        approve_command=None,
        guards=base.guards,
    )


def _plan_fields() -> dict[str, Any]:
    return {
        "name": PLAN.name,
        "file": PLAN.file,
        "sha256": PLAN.sha256,
        "mode": PLAN.mode,
        "change": PLAN.change,
        "owner": PLAN.owner,
        "reviewers": PLAN.reviewers,
    }


def empty_report() -> Report:
    """A preview without drift."""
    diff = build_diff([])
    return demo_report(
        diff=diff,
        fingerprint=fingerprint(SNAPSHOT_ID, CRITERIA, []),
        guards=evaluate_guards(diff, 50, None, [BREAK_GLASS]),
        job=JobInfo("9d1e2f3a-0003-4000-8000-00000000cccc", "successful", 0, 0),
    )


def refused_report() -> Report:
    """An apply refused because the tenant drifted after the approved preview."""
    from entra_recovery.diff import compare

    approved = build_diff(demo_changes())
    fresh_changes = [c for c in demo_changes() if c.get("id") != ADELE_RESTORE["id"]]
    fresh_changes.append(copy.deepcopy(REFERENCE_USER_UPDATE))
    fresh_changes[0]["currentState"]["state"] = "enabledForReportingButNotEnforced"
    fresh = build_diff(fresh_changes)
    return demo_report(
        plan=PlanInfo(**{**_plan_fields(), "mode": "apply"}),
        diff=fresh,
        fingerprint=fingerprint(SNAPSHOT_ID, CRITERIA, fresh_changes),
        status="refused",
        messages=("refused: the fresh preview's fingerprint does not match the approved one",),
        comparison=compare(approved, fresh),
        approve_command=None,
    )


CASES = {
    "demo": demo_report,
    "apply": apply_report,
    "empty": empty_report,
    "refused": refused_report,
}

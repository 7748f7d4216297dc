"""
The `large` scenario's generator: `size` changed objects after the newest snapshot.

Memory is the constraint (100,000+ objects, two versions each): versions are flat dicts that
share their unchanged values, ids are computed, not stored twice. The mix: groups with
membership changes (`groups` param), 5% soft-deleted users (-> restore), 5% users created
after the snapshot (-> softDelete), the rest edited users (-> update).
"""

from __future__ import annotations

import random
from typing import TYPE_CHECKING

from entra_recovery.emulator.state import TenantState
from entra_recovery.emulator.state import iso

if TYPE_CHECKING:
    from entra_recovery.emulator.scenario import Scenario

TITLES = ("Analyst", "Engineer", "Manager", "Specialist", "Coordinator", "Director", "Associate")
DEPARTMENTS = ("Sales", "Marketing", "Finance", "Engineering", "HR", "Legal", "Operations")
CITIES = ("Seattle", "Redmond", "Tulsa", "Charlotte", "San Diego", "Louisville", "Pittsburgh")


def user_id(index: int) -> str:
    return f"1a2e0000-{(index >> 16) & 0xFFFF:04x}-4000-8000-{index:012x}"


def group_id(index: int) -> str:
    return f"2b3f0000-0000-4000-8000-{index:012x}"


def generate_large(
    state: TenantState, scenario: Scenario, newest: float, now: float, baseline: float
) -> None:
    size = int(scenario.params.get("size", 100000))
    groups = min(int(scenario.params.get("groups", 200)), size)
    users = size - groups
    rng = random.Random(scenario.seed)
    when = newest + (now - newest) / 2
    deleted_at = iso(when)
    domain = scenario.domain
    for index in range(users):
        uid = user_id(index)
        title = TITLES[index % len(TITLES)]
        department = DEPARTMENTS[(index // 7) % len(DEPARTMENTS)]
        user = {
            "id": uid,
            "accountEnabled": True,
            "displayName": f"User {index:06d}",
            "userPrincipalName": f"user{index:06d}@{domain}",
            "mailNickname": f"user{index:06d}",
            "jobTitle": title,
            "department": department,
            "city": CITIES[index % len(CITIES)],
            "usageLocation": "US",
        }
        bucket = index % 20
        if bucket == 1:  # created after the snapshot -> softDelete
            state.record("user", uid, user, when)
            continue
        state.record("user", uid, user, baseline)
        if bucket == 0:  # soft-deleted after the snapshot -> restore
            state.record("user", uid, {**user, "deletedDateTime": deleted_at}, when)
        else:  # edited after the snapshot -> update
            changed = {**user, "jobTitle": "Senior " + title}
            if rng.random() < 0.3:
                changed["department"] = DEPARTMENTS[rng.randrange(len(DEPARTMENTS))]
            state.record("user", uid, changed, when)
    for index in range(groups):
        gid = group_id(index)
        members = [
            {
                "@odata.type": "#microsoft.graph.user",
                "id": user_id((index * 20 + k) % max(users, 1)),
            }
            for k in range(20)
        ]
        group = {
            "id": gid,
            "displayName": f"Group {index:04d}",
            "mailNickname": f"group{index:04d}",
            "securityEnabled": True,
            "mailEnabled": False,
            "groupTypes": [],
            "members": members,
        }
        state.record("group", gid, group, baseline)
        extra = {
            "@odata.type": "#microsoft.graph.user",
            "id": user_id((index * 7 + 3) % max(users, 1)),
        }
        state.record("group", gid, {**group, "members": [*members[2:], extra]}, when)

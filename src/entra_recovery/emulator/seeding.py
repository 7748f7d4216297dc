"""
Seeding: a `Scenario` becomes a `TenantState` with history.

Objects are recorded at a baseline before the oldest snapshot; each `history` entry's events
are spread evenly over its day (day 0 = between the newest snapshot and now, day N = between
snapshots N and N-1 counting back); generators (`large`) add their objects last.
Filler users are seeded from the scenario's `seed`, so every run builds the same tenant.
"""

from __future__ import annotations

import copy
import random
from typing import Any

from entra_recovery.constants import ENTITY_TYPES
from entra_recovery.emulator.scenario import DAY
from entra_recovery.emulator.scenario import Scenario
from entra_recovery.emulator.scenario import ScenarioError
from entra_recovery.emulator.scenario import newest_snapshot
from entra_recovery.emulator.state import TenantState
from entra_recovery.emulator.state import iso

FIRST_NAMES = [
    "Aaron",
    "Bianca",
    "Carlos",
    "Dana",
    "Elif",
    "Farah",
    "Gustav",
    "Hana",
    "Ivan",
    "Jia",
    "Kwame",
    "Laura",
    "Mateo",
    "Nadia",
    "Omar",
    "Priya",
    "Quinn",
    "Rosa",
    "Sven",
    "Tomoko",
    "Uma",
    "Victor",
    "Wen",
    "Yusuf",
    "Zara",
]
LAST_NAMES = [
    "Andersen",
    "Brooks",
    "Castillo",
    "Dubois",
    "Eriksen",
    "Fischer",
    "Garcia",
    "Haddad",
    "Ito",
    "Jensen",
    "Kowalski",
    "Lindqvist",
    "Moreau",
    "Nakamura",
    "Okafor",
    "Patel",
    "Rossi",
    "Schmidt",
    "Tanaka",
    "Varga",
    "Weber",
    "Zhang",
]
DEPARTMENTS = [
    ("Sales", "Account Executive"),
    ("Marketing", "Content Strategist"),
    ("Finance", "Financial Analyst"),
    ("Engineering", "Software Engineer"),
    ("HR", "HR Generalist"),
    ("Legal", "Counsel"),
    ("Operations", "Logistics Lead"),
    ("R&D", "Research Scientist"),
    ("Retail", "Store Associate"),
]
CITIES = [
    ("Seattle", "WA"),
    ("Redmond", "WA"),
    ("Tulsa", "OK"),
    ("Charlotte", "NC"),
    ("San Diego", "CA"),
    ("Louisville", "KY"),
    ("Pittsburgh", "PA"),
]


def expand_user(user: dict[str, Any], domain: str) -> dict[str, Any]:
    """Fill the derived user properties (names, UPN, mail) a YAML row leaves out."""
    value = {
        "accountEnabled": True,
        "userType": "Member",
        "companyName": "Contoso",
        "country": "United States",
        "usageLocation": "US",
        "preferredLanguage": "en-US",
    }
    value.update(user)
    given, surname = user.get("givenName"), user.get("surname")
    if "displayName" not in value:
        value["displayName"] = f"{given} {surname}"
    nickname = value.setdefault(
        "mailNickname", f"{given}{surname[0] if surname else ''}".replace(" ", "")
    )
    value.setdefault("userPrincipalName", f"{nickname}@{domain}")
    value.setdefault("mail", value["userPrincipalName"])
    return {k: v for k, v in value.items() if v is not None}


def _filler(scenario: Scenario) -> list[dict[str, Any]]:
    rng = random.Random(scenario.seed)
    users = []
    for index in range(1, scenario.filler_users + 1):
        given, surname = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
        department, title = rng.choice(DEPARTMENTS)
        city, state = rng.choice(CITIES)
        users.append(
            {
                "id": f"a1b2c3d4-1{index:03x}-4000-8000-{index:012x}",
                "givenName": given,
                "surname": surname,
                "jobTitle": title,
                "department": department,
                "city": city,
                "state": state,
                "mailNickname": f"{given}.{surname}{index}".lower(),
                "employeeId": f"{100000 + index}",
            }
        )
    return users


def _links(ids: list[str], users: set[str]) -> list[dict[str, str]]:
    return [
        {"@odata.type": "#microsoft.graph." + ("user" if i in users else "group"), "id": i}
        for i in ids
    ]


def _set_path(value: dict[str, Any], path: list[Any], new: Any) -> None:
    target: Any = value
    for step in path[:-1]:
        target = target[step]
    target[path[-1]] = copy.deepcopy(new)


def apply_event(state: TenantState, event: dict[str, Any], ts: float, users: set[str]) -> None:
    """One history event at `ts` (ops: create, update, delete, restore, addMember, removeMember)."""
    op = event.get("op")
    try:
        if op in ("addMember", "removeMember"):
            group = state.at("group", event["group"], float("inf"))
            value = copy.deepcopy(group) if group else None
            if value is None:
                raise KeyError(event["group"])
            members = value.setdefault("members", [])
            if op == "addMember":
                members.extend(_links([event["member"]], users))
            else:
                value["members"] = [m for m in members if m["id"] != event["member"]]
            state.record("group", event["group"], value, ts)
            return
        entity_type, object_id = str(event["type"]), str(event.get("id"))
        if op == "create":
            obj = dict(event["object"])
            if entity_type == "user":
                obj = expand_user(obj, "contoso.onmicrosoft.com")
            state.record(entity_type, str(obj["id"]), obj, ts)
            return
        current = copy.deepcopy(state.at(entity_type, object_id, float("inf")))
        if current is None:
            raise KeyError(object_id)
        if op == "update":
            if "path" in event:
                _set_path(current, list(event["path"]), event.get("value"))
            current.update(copy.deepcopy(event.get("set") or {}))
        elif op == "delete":
            current["deletedDateTime"] = iso(ts)
        elif op == "restore":
            current.pop("deletedDateTime", None)
        else:
            raise ScenarioError(f"unknown history op {op!r}")
        state.record(entity_type, str(object_id), current, ts)
    except (KeyError, IndexError, TypeError) as exc:
        raise ScenarioError(f"history event {event!r} refers to a missing object: {exc}") from None


def build_tenant(scenario: Scenario, state: TenantState, now: float) -> None:
    """Seed `state` with the scenario's objects and history relative to `now`."""
    newest = newest_snapshot(now)
    days = [int(entry.get("day", 0)) for entry in scenario.history]
    baseline = newest - DAY * (max([scenario.retention_days, *days]) + 1)
    objects = {k: [dict(o) for o in v] for k, v in scenario.objects.items()}
    objects["user"] = objects.get("user", []) + _filler(scenario)
    users = {str(u["id"]) for u in objects["user"]}
    for entity_type in ENTITY_TYPES:
        for obj in objects.get(entity_type, []):
            if entity_type == "user":
                obj = expand_user(obj, scenario.domain)
            if entity_type == "group":
                obj["members"] = _links([str(m) for m in obj.get("members", [])], users)
            state.record(entity_type, str(obj["id"]), obj, baseline)
    for entry in sorted(scenario.history, key=lambda e: -int(e.get("day", 0))):
        day = int(entry.get("day", 0))
        start = newest - DAY * day
        end = now if day == 0 else start + DAY
        events = list(entry.get("events") or [])
        for index, event in enumerate(events):
            ts = start + (end - start) * (index + 1) / (len(events) + 1)
            apply_event(state, event, ts, users)
    if scenario.generator == "large":
        from entra_recovery.emulator.generate import generate_large

        generate_large(state, scenario, newest, now, baseline)
    elif scenario.generator:
        raise ScenarioError(f"unknown generator {scenario.generator!r}")

"""
Scenarios: YAML data files that seed the tenant, its history between snapshots, faults and
job behaviour. `load_scenario` reads a bundled name (`demo`, `large`, `empty`) or a file;
`build_tenant` turns it into a `TenantState` whose history places each `day:` of events
between the right pair of daily 02:30Z snapshots (day 0 = after the newest one).
"""

from __future__ import annotations

import copy
import functools
import random
from dataclasses import dataclass
from dataclasses import field
from datetime import UTC
from datetime import datetime
from datetime import timedelta
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from entra_recovery.constants import ENTITY_TYPES
from entra_recovery.emulator.faults import FaultRule
from entra_recovery.emulator.jobs import PHASES
from entra_recovery.emulator.jobs import JobRules
from entra_recovery.emulator.state import TenantState
from entra_recovery.emulator.state import iso

DAY = 86400.0
SNAPSHOT_HOUR, SNAPSHOT_MINUTE = 2, 30
_KEYS = {
    "name",
    "description",
    "seed",
    "tenant",
    "retentionDays",
    "durations",
    "fillerUsers",
    "objects",
    "history",
    "faults",
    "jobs",
    "extends",
    "generator",
    "params",
}


class ScenarioError(ValueError):
    """A scenario file that cannot be used (the message says why)."""


@dataclass(frozen=True)
class Scenario:
    name: str
    description: str
    seed: int
    tenant_id: str
    tenant_name: str
    domain: str
    retention_days: int
    durations: dict[str, float]
    filler_users: int
    objects: dict[str, list[dict[str, Any]]]
    history: list[dict[str, Any]]
    faults: list[FaultRule]
    job_rules: JobRules
    generator: str | None = None
    params: dict[str, Any] = field(default_factory=dict)


def bundled_names() -> list[str]:
    folder = resources.files("entra_recovery.emulator") / "scenarios"
    return sorted(p.name[:-5] for p in folder.iterdir() if p.name.endswith(".yaml"))


def _read(name_or_file: str) -> dict[str, Any]:
    path = Path(name_or_file)
    if name_or_file.endswith((".yaml", ".yml")) or path.is_file():
        try:
            text = path.read_text(encoding="utf-8")
        except OSError as exc:
            raise ScenarioError(
                f"cannot read scenario file {name_or_file}: {exc.strerror}"
            ) from None
    else:
        if name_or_file not in bundled_names():
            raise ScenarioError(
                f"unknown scenario {name_or_file!r}; bundled: {', '.join(bundled_names())} "
                "(or give a .yaml file)"
            )
        data = copy.deepcopy(_bundled(name_or_file))
        return _extend(name_or_file, data)
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise ScenarioError(f"scenario {name_or_file} is not valid YAML: {exc}") from None
    return _extend(name_or_file, data)


@functools.lru_cache(maxsize=8)
def _bundled(name: str) -> Any:
    """A bundled scenario's parsed YAML (parsed once per process; callers copy it)."""
    resource = resources.files("entra_recovery.emulator") / "scenarios" / f"{name}.yaml"
    return yaml.safe_load(resource.read_text(encoding="utf-8"))


def _extend(name_or_file: str, data: Any) -> dict[str, Any]:
    if not isinstance(data, dict):
        raise ScenarioError(f"scenario {name_or_file} must be a mapping")
    unknown = set(data) - _KEYS
    if unknown:
        raise ScenarioError(f"scenario {name_or_file}: unknown key(s) {', '.join(sorted(unknown))}")
    parent = data.get("extends")
    if parent:
        base = _read(str(parent))
        base.update({k: v for k, v in data.items() if k != "extends"})
        if "params" in data and "params" in base:
            base["params"] = data["params"]
        return base
    return data


def _param(value: Any) -> Any:
    if isinstance(value, str):
        for convert in (int, float):
            try:
                return convert(value)
            except ValueError:
                pass
    return value


def load_scenario(name_or_file: str, params: dict[str, Any] | None = None) -> Scenario:
    """Read and check a scenario; `params` override its `params:` defaults."""
    data = _read(name_or_file)
    merged = dict(data.get("params") or {})
    for key, value in (params or {}).items():
        if key not in merged:
            raise ScenarioError(
                f"scenario {name_or_file} has no parameter {key!r}"
                + (f" (known: {', '.join(sorted(merged))})" if merged else "")
            )
        merged[key] = _param(value)
    tenant = data.get("tenant") or {}
    durations = {phase: 0.0 for phase in PHASES}
    for phase, seconds in (data.get("durations") or {}).items():
        if phase not in durations:
            raise ScenarioError(f"durations: unknown phase {phase!r}")
        durations[phase] = float(seconds)
    jobs = data.get("jobs") or {}
    try:
        faults = [FaultRule.from_data(rule) for rule in data.get("faults") or []]
    except (ValueError, TypeError) as exc:
        raise ScenarioError(f"scenario {name_or_file}: faults: {exc}") from None
    objects = data.get("objects") or {}
    for entity_type in objects:
        if entity_type not in ENTITY_TYPES:
            raise ScenarioError(f"scenario {name_or_file}: unknown entity type {entity_type!r}")
    return Scenario(
        name=str(data.get("name", Path(name_or_file).stem)),
        description=str(data.get("description", "")),
        seed=int(data.get("seed", 0)),
        tenant_id=str(tenant.get("id", "5f0c1a2b-3c4d-4e5f-8a9b-0c1d2e3f4a5b")),
        tenant_name=str(tenant.get("displayName", "Contoso")),
        domain=str(tenant.get("domain", "contoso.onmicrosoft.com")),
        retention_days=int(data.get("retentionDays", 7)),
        durations=durations,
        filler_users=int(data.get("fillerUsers", 0)),
        objects={k: list(v or []) for k, v in objects.items()},
        history=list(data.get("history") or []),
        faults=faults,
        job_rules=JobRules(
            durations=durations,
            preview_outcome=str(jobs.get("previewOutcome", "successful")),
            recovery_outcome=str(jobs.get("recoveryOutcome", "successful")),
            failing_objects={str(k): str(v) for k, v in (jobs.get("failingObjects") or {}).items()},
        ),
        generator=data.get("generator"),
        params=merged,
    )


def newest_snapshot(now: float) -> float:
    """Today's 02:30Z, or yesterday's when it is not 02:30Z yet."""
    moment = datetime.fromtimestamp(now, UTC)
    today = moment.replace(hour=SNAPSHOT_HOUR, minute=SNAPSHOT_MINUTE, second=0, microsecond=0)
    if moment < today:
        today -= timedelta(days=1)
    return today.timestamp()


def snapshot_times(now: float, retention_days: int) -> list[float]:
    """Snapshot timestamps, oldest first."""
    newest = newest_snapshot(now)
    return [newest - DAY * back for back in range(retention_days - 1, -1, -1)]


# -- building the tenant --------------------------------------------------------------------

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

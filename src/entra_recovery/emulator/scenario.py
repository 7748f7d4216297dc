"""
Scenarios: YAML data files that seed the tenant, its history between snapshots, faults and
job behaviour. `load_scenario` reads a bundled name (`demo`, `large`, `empty`) or a file;
`snapshot_times` gives the daily 02:30Z snapshots; `seeding.build_tenant` turns a scenario
into the tenant and its history.
"""

from __future__ import annotations

import copy
import functools
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
    "clock",
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
    clock: float | None = None  # time base (epoch seconds) the history is seeded against


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
        clock=_clock(name_or_file, data.get("clock")),
    )


def _clock(name_or_file: str, value: Any) -> float | None:
    """`clock:` is the scenario's time base: its history is seeded against the latest instant
    that is this base plus whole days, so a day's runs give the same fingerprints."""
    if value is None:
        return None
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            raise ScenarioError(
                f"scenario {name_or_file}: clock: {value!r} is not a date"
            ) from None
    if not isinstance(value, datetime) or value.tzinfo is None:
        raise ScenarioError(f"scenario {name_or_file}: clock: needs a date, time and time zone")
    return value.astimezone(UTC).timestamp()


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

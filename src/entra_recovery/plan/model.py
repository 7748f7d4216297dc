"""
The plan model: what a validated plan file becomes (the last step of loading).

Frozen, hashable records; the runner reads these and never the YAML data. Knows nothing of
Graph: the runner maps a `Scope` onto Graph's filtering criteria (`runner.resolve`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from entra_recovery.constants import DEFAULT_ALLOWED_ACTIONS
from entra_recovery.constants import PlanMode

DEFAULT_REPORT_FORMATS = ("terminal",)


@dataclass(frozen=True)
class SnapshotSelector:
    """Which snapshot: exactly one of `latest`, `id`, `before` (a timezone-aware instant)."""

    latest: bool = False
    id: str | None = None
    before: datetime | None = None

    def __post_init__(self) -> None:
        chosen = sum((self.latest, self.id is not None, self.before is not None))
        if chosen != 1:
            raise ValueError("a snapshot selector takes exactly one of latest, id, before")
        if self.before is not None and self.before.utcoffset() is None:
            raise ValueError("snapshot.before must carry a time zone")

    def describe(self) -> str:
        if self.latest:
            return "latest"
        if self.id is not None:
            return f"id {self.id}"
        assert self.before is not None
        return f"newest at or before {self.before.isoformat()}"


@dataclass(frozen=True)
class ObjectScope:
    """Objects of one entity type, by id."""

    entity_type: str
    ids: tuple[str, ...]


@dataclass(frozen=True)
class Scope:
    """What to recover: some entity types, or some objects by id (neither: everything)."""

    entity_types: tuple[str, ...] | None = None
    objects: tuple[ObjectScope, ...] | None = None

    def __post_init__(self) -> None:
        if self.entity_types is not None and self.objects is not None:
            raise ValueError("a scope takes entity types or objects, not both")


@dataclass(frozen=True)
class Guards:
    """Limits checked on every preview and before apply."""

    max_changes: int | None = None
    allowed_actions: tuple[str, ...] = DEFAULT_ALLOWED_ACTIONS
    protected_objects: tuple[str, ...] = ()


@dataclass(frozen=True)
class Approval:
    """The reviewed change set an apply is bound to."""

    fingerprint: str | None = None
    approved_by: tuple[str, ...] = ()


@dataclass(frozen=True)
class Metadata:
    """Who asked for the recovery and why."""

    name: str
    description: str | None = None
    change: str | None = None
    owner: str | None = None
    reviewers: tuple[str, ...] = ()
    labels: tuple[tuple[str, str], ...] = ()

    def label(self, key: str) -> str | None:
        """The value of label `key`, or None."""
        return dict(self.labels).get(key)


@dataclass(frozen=True)
class Plan:
    """A validated recovery plan; `path` and `sha256` (of the file's bytes) tie it to its file."""

    metadata: Metadata
    tenant: str
    snapshot: SnapshotSelector
    scope: Scope
    mode: PlanMode
    guards: Guards
    approval: Approval | None
    report_formats: tuple[str, ...]
    path: str
    sha256: str
    api_version: str = "entra-recovery/v1"

    @property
    def name(self) -> str:
        return self.metadata.name

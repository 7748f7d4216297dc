"""
Our own records for what Graph returns: snapshots, jobs, filtering criteria.

SDK model objects never leave `graph/`; everything above it sees these frozen dataclasses.
Change objects stay raw JSON dicts (`Change`), because the diff needs `@removed` and `*@delta`
exactly as Graph sent them.
"""

from __future__ import annotations

import enum
import json
from collections.abc import Iterable
from collections.abc import Mapping
from collections.abc import Sequence
from dataclasses import dataclass
from dataclasses import field
from datetime import datetime
from typing import Any

from entra_recovery.constants import ODATA_TYPE_ENTITY_TYPE_AND_IDS
from entra_recovery.constants import ODATA_TYPE_NAME_AND_IDS_FILTER
from entra_recovery.constants import ODATA_TYPE_NAMES_FILTER
from entra_recovery.constants import ODATA_TYPE_PREVIEW_JOB
from entra_recovery.constants import ODATA_TYPE_RECOVERY_JOB
from entra_recovery.timestamps import parse_iso

# A change object exactly as Graph sent it (getChanges / getFailedChanges item).
Change = dict[str, Any]


class ChangePage(list[Change]):
    """
    The items of one page of getChanges / getFailedChanges (raw JSON objects), as a list.

    Attributes:
        has_floats: whether any number on the page has a fraction or an exponent. The pager
            sets it while parsing the page (`transport.Response.json_object_with_floats`).
            False promises there is no float, so consumers may use a JSON encoder whose float
            notation differs from Python's (the fingerprint does, page by page); True means
            the page holds a float, or that nobody knows (the default, always safe).
    """

    __slots__ = ("has_floats",)

    def __init__(self, items: Iterable[Change] = (), *, has_floats: bool = True) -> None:
        super().__init__(items)
        self.has_floats = has_floats


class JobStatus(enum.Enum):
    """`recoveryStatus`; unknown values map to UNKNOWN and count as not terminal."""

    INITIALIZED = "initialized"
    LOADING_DATA = "loadingData"
    CALCULATING = "calculating"
    RUNNING = "running"
    SUCCESSFUL = "successful"
    FAILED = "failed"
    ABANDONED = "abandoned"
    UNKNOWN = "unknownFutureValue"

    @classmethod
    def parse(cls, value: str | None) -> JobStatus:
        """Map a wire value to a member; anything unknown is UNKNOWN (non-terminal)."""
        for member in cls:
            if member.value == value:
                return member
        return cls.UNKNOWN

    @property
    def is_terminal(self) -> bool:
        return self in (JobStatus.SUCCESSFUL, JobStatus.FAILED, JobStatus.ABANDONED)

    @property
    def is_succeeded(self) -> bool:
        return self is JobStatus.SUCCESSFUL

    @property
    def is_failed(self) -> bool:
        return self in (JobStatus.FAILED, JobStatus.ABANDONED)


class JobKind(enum.Enum):
    """Which of the two job types a `recoveryJobBase` is."""

    PREVIEW = "preview"
    RECOVERY = "recovery"
    UNKNOWN = "unknown"

    @classmethod
    def from_odata_type(cls, odata_type: str | None) -> JobKind:
        if odata_type == ODATA_TYPE_PREVIEW_JOB:
            return cls.PREVIEW
        if odata_type == ODATA_TYPE_RECOVERY_JOB:
            return cls.RECOVERY
        return cls.UNKNOWN


@dataclass(frozen=True)
class FilteringCriteria:
    """
    The scope of a job: all types (every field None), some entity types, or ids per type.

    At most one of `entity_types`, `objects` and `unknown` is set. `unknown` holds, as canonical
    JSON text, a `filteringCriteria` that Graph sent in a shape we do not know (a string, a
    list, an unknown `@odata.type`, null members...): kept as sent, never read as "everything",
    and so never equal to the criteria of a plan.
    """

    entity_types: tuple[str, ...] | None = None
    objects: tuple[tuple[str, tuple[str, ...]], ...] | None = None
    unknown: str | None = None

    def __post_init__(self) -> None:
        given = [f for f in (self.entity_types, self.objects, self.unknown) if f is not None]
        if len(given) > 1:
            raise ValueError("filtering criteria take entity types, objects or unknown, one only")

    @property
    def is_everything(self) -> bool:
        return self.entity_types is None and self.objects is None and self.unknown is None

    @property
    def is_unknown(self) -> bool:
        """Graph sent criteria of a shape we cannot read (see `unknown`)."""
        return self.unknown is not None

    def to_json(self) -> Any:
        """The `filteringCriteria` value Graph expects, or None for the whole tenant (unknown
        criteria come back exactly as Graph sent them)."""
        if self.unknown is not None:
            return json.loads(self.unknown)
        if self.entity_types is not None:
            return {"@odata.type": ODATA_TYPE_NAMES_FILTER, "entityTypes": list(self.entity_types)}
        if self.objects is not None:
            return {
                "@odata.type": ODATA_TYPE_NAME_AND_IDS_FILTER,
                "filterValues": [
                    {
                        "@odata.type": ODATA_TYPE_ENTITY_TYPE_AND_IDS,
                        "entityType": entity_type,
                        "entityIds": list(ids),
                    }
                    for entity_type, ids in self.objects
                ],
            }
        return None

    def request_body(self) -> dict[str, Any] | None:
        """The POST body for creating a job with this scope (None: send no body)."""
        if self.unknown is not None:
            raise ValueError("criteria of an unknown shape cannot be sent to create a job")
        criteria = self.to_json()
        return None if criteria is None else {"filteringCriteria": criteria}

    @classmethod
    def from_json(cls, data: Any) -> FilteringCriteria:
        """Read a job's `filteringCriteria` back, whatever its shape: null is the whole tenant,
        the two documented filters are read, anything else is kept as `unknown`."""
        if data is None:
            return cls()
        known = _known_criteria(data) if isinstance(data, Mapping) else None
        if known is not None:
            return known
        return cls(unknown=json.dumps(data, sort_keys=True, separators=(",", ":"), default=str))

    @classmethod
    def for_types(cls, entity_types: Sequence[str]) -> FilteringCriteria:
        return cls(entity_types=tuple(entity_types)) if entity_types else cls()

    @classmethod
    def for_objects(cls, objects: Mapping[str, Sequence[str]]) -> FilteringCriteria:
        return (
            cls(objects=tuple((t, tuple(ids)) for t, ids in objects.items())) if objects else cls()
        )

    def describe(self) -> str:
        """One human line: what this scope covers."""
        if self.unknown is not None:
            shown = self.unknown if len(self.unknown) <= 80 else self.unknown[:77] + "..."
            return f"unknown criteria (as Graph sent them: {shown})"
        if self.entity_types is not None:
            return "entity types: " + ", ".join(self.entity_types)
        if self.objects is not None:
            return "; ".join(f"{t}: {len(ids)} object(s)" for t, ids in self.objects)
        return "everything (all supported entity types)"


def _texts(value: Any) -> tuple[str, ...] | None:
    """A non-empty list of non-empty strings as a tuple; None for anything else."""
    if not isinstance(value, list) or not value:
        return None
    if not all(isinstance(v, str) and v for v in value):
        return None
    return tuple(value)


def _known_criteria(data: Mapping[str, Any]) -> FilteringCriteria | None:
    """The two documented filters, exactly (`@odata.type` may be absent); else None."""
    odata_type = data.get("@odata.type")
    keys = set(data) - {"@odata.type"}
    if keys == {"entityTypes"} and odata_type in (None, ODATA_TYPE_NAMES_FILTER):
        types = _texts(data["entityTypes"])
        return None if types is None else FilteringCriteria(entity_types=types)
    if keys != {"filterValues"} or odata_type not in (None, ODATA_TYPE_NAME_AND_IDS_FILTER):
        return None
    values = data["filterValues"]
    if not isinstance(values, list) or not values:
        return None
    objects = []
    for value in values:
        if not isinstance(value, Mapping) or set(value) - _FILTER_VALUE_KEYS:
            return None
        if value.get("@odata.type") not in (None, ODATA_TYPE_ENTITY_TYPE_AND_IDS):
            return None
        entity_type, ids = value.get("entityType"), _texts(value.get("entityIds"))
        if not isinstance(entity_type, str) or not entity_type or ids is None:
            return None
        objects.append((entity_type, ids))
    return FilteringCriteria(objects=tuple(objects))


_FILTER_VALUE_KEYS = frozenset({"@odata.type", "entityType", "entityIds"})


@dataclass(frozen=True)
class Snapshot:
    """A daily snapshot (`microsoft.graph.entraRecoveryServices.snapshot`)."""

    id: str
    created: datetime | None
    total_changed_objects: int | None
    raw: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Snapshot:
        total = data.get("totalChangedObjects")
        return cls(
            id=str(data.get("id", "")),
            created=parse_iso(data.get("createdDateTime")),
            total_changed_objects=total if isinstance(total, int) else None,
            raw=dict(data),
        )


def _opt_int(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


@dataclass(frozen=True)
class Job:
    """A preview or recovery job (`recoveryJobBase` and its two subtypes)."""

    id: str
    kind: JobKind
    status: JobStatus
    status_text: str
    target_state: datetime | None
    started: datetime | None
    completed: datetime | None
    criteria: FilteringCriteria
    total_changed_objects: int | None = None
    total_changed_links: int | None = None
    total_objects_modified: int | None = None
    total_links_modified: int | None = None
    total_failed_changes: int | None = None
    raw: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)

    @classmethod
    def from_json(cls, data: Mapping[str, Any], *, kind: JobKind | None = None) -> Job:
        """Build from Graph JSON; `kind` is inferred from `@odata.type` unless given."""
        detected = JobKind.from_odata_type(data.get("@odata.type"))
        if detected is JobKind.UNKNOWN and kind is not None:
            detected = kind
        status_text = str(data.get("status") or "")
        return cls(
            id=str(data.get("id", "")),
            kind=detected,
            status=JobStatus.parse(status_text),
            status_text=status_text,
            target_state=parse_iso(data.get("targetStateDateTime")),
            started=parse_iso(data.get("jobStartDateTime")),
            completed=parse_iso(data.get("jobCompletionDateTime")),
            criteria=FilteringCriteria.from_json(data.get("filteringCriteria")),
            total_changed_objects=_opt_int(data.get("totalChangedObjectsCalculated")),
            total_changed_links=_opt_int(data.get("totalChangedLinksCalculated")),
            total_objects_modified=_opt_int(data.get("totalObjectsModified")),
            total_links_modified=_opt_int(data.get("totalLinksModified")),
            total_failed_changes=_opt_int(data.get("totalFailedChanges")),
            raw=dict(data),
        )


@dataclass(frozen=True)
class Identity:
    """Who the token belongs to, read from its claims (never the token itself)."""

    tenant_id: str | None
    user: str | None
    object_id: str | None
    app_id: str | None
    scopes: tuple[str, ...] = ()
    roles: tuple[str, ...] = ()

    @property
    def display(self) -> str:
        return self.user or self.app_id or self.object_id or "unknown caller"

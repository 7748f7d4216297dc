"""
Our own records for what Graph returns: snapshots, jobs, filtering criteria.

SDK model objects never leave `graph/`; everything above it sees these frozen dataclasses.
Change objects stay raw JSON dicts (`Change`), because the diff needs `@removed` and `*@delta`
exactly as Graph sent them.
"""

from __future__ import annotations

import enum
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
    The scope of a job: all types (both fields None), some entity types, or ids per type.

    Exactly one of `entity_types` and `objects` is set, or neither (whole tenant).
    """

    entity_types: tuple[str, ...] | None = None
    objects: tuple[tuple[str, tuple[str, ...]], ...] | None = None

    def __post_init__(self) -> None:
        if self.entity_types is not None and self.objects is not None:
            raise ValueError("filtering criteria take entity types or objects, not both")

    @property
    def is_everything(self) -> bool:
        return self.entity_types is None and self.objects is None

    def to_json(self) -> dict[str, Any] | None:
        """The `filteringCriteria` value Graph expects, or None for the whole tenant."""
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
        criteria = self.to_json()
        return None if criteria is None else {"filteringCriteria": criteria}

    @classmethod
    def from_json(cls, data: Mapping[str, Any] | None) -> FilteringCriteria:
        """Read a job's `filteringCriteria` back (unknown shapes count as everything)."""
        if not data:
            return cls()
        if "entityTypes" in data:
            return cls(entity_types=tuple(str(t) for t in data.get("entityTypes") or ()))
        if "filterValues" in data:
            return cls(
                objects=tuple(
                    (str(v.get("entityType")), tuple(str(i) for i in v.get("entityIds") or ()))
                    for v in data.get("filterValues") or ()
                )
            )
        return cls()

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
        if self.entity_types is not None:
            return "entity types: " + ", ".join(self.entity_types)
        if self.objects is not None:
            return "; ".join(f"{t}: {len(ids)} object(s)" for t, ids in self.objects)
        return "everything (all supported entity types)"


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

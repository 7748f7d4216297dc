"""
The cmdlets' parameters as our own types, for the PowerShell-parity functions and commands.

`-Filter -Property -Sort -Top -PageSize -All -CountVariable` become a `paging.ListQuery`; the
job scope (`--entity-type TYPE`s or `--object TYPE:ID`s, which the samples write as a
`filteringCriteria` body) becomes a `FilteringCriteria`. Pure: no Graph call, no SDK import.
"""

from __future__ import annotations

from collections.abc import Sequence

from entra_recovery.constants import ENTITY_TYPES
from entra_recovery.errors import UsageError
from entra_recovery.graph.models import FilteringCriteria
from entra_recovery.graph.paging import ListQuery


def build_query(
    *,
    filter: str | None = None,
    select: Sequence[str] | None = None,
    orderby: Sequence[str] | None = None,
    top: int | None = None,
    page_size: int | None = None,
    all: bool = True,
    count: bool = False,
) -> ListQuery:
    """A ListQuery from the cmdlets' parameter names (-Filter -Property -Sort -Top ...)."""
    return ListQuery(
        filter=filter,
        select=tuple(select) if select else None,
        orderby=tuple(orderby) if orderby else None,
        top=top,
        page_size=page_size,
        count=count,
        all_pages=all,
    )


def criteria_from(
    entity_types: Sequence[str] = (), objects: Sequence[str] = ()
) -> FilteringCriteria:
    """The job scope from `--entity-type TYPE`s or `--object TYPE:ID`s (neither: everything).

    Raises:
        UsageError: both given, an unknown entity type, or an object not written TYPE:ID.
    """
    if entity_types and objects:
        raise UsageError("give entity types or objects, not both (a job has one scope)")
    known = ", ".join(ENTITY_TYPES)
    for entity_type in entity_types:
        if entity_type not in ENTITY_TYPES:
            raise UsageError(f"unknown entity type {entity_type!r}", hint=f"use one of: {known}")
    if entity_types:
        return FilteringCriteria.for_types(list(dict.fromkeys(entity_types)))
    grouped: dict[str, list[str]] = {}
    for item in objects:
        entity_type, sep, object_id = item.partition(":")
        if not sep or not entity_type or not object_id.strip():
            raise UsageError(
                f"{item!r} is not TYPE:ID", hint="for example --object user:a1b2c3d4-0001-..."
            )
        if entity_type not in ENTITY_TYPES:
            raise UsageError(f"unknown entity type {entity_type!r}", hint=f"use one of: {known}")
        ids = grouped.setdefault(entity_type, [])
        if object_id.strip() not in ids:
            ids.append(object_id.strip())
    return FilteringCriteria.for_objects(grouped)

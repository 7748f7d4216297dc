"""
Create-job request bodies: `filteringCriteria` validation, the scope it selects, and its echo.

Strict by design (the emulator is where clients find their mistakes): unknown properties,
unknown `@odata.type`s, unknown or duplicate entity types, empty lists and non-string ids are
400s. Evolvable enum members (`oAuth2PermissionGrant`, `appRoleAssignment`, `organization`)
need `Prefer: include-unknown-enum-members` to be sent, and are echoed as `unknownFutureValue`
without it.
"""

from __future__ import annotations

import json
from typing import Any

from entra_recovery.constants import ENTITY_TYPES
from entra_recovery.constants import ODATA_TYPE_ENTITY_TYPE_AND_IDS
from entra_recovery.constants import ODATA_TYPE_NAME_AND_IDS_FILTER
from entra_recovery.constants import ODATA_TYPE_NAMES_FILTER
from entra_recovery.emulator.changelist import HIDDEN_ENTITY_TYPES
from entra_recovery.emulator.changelist import UNKNOWN
from entra_recovery.emulator.diff import Scope
from entra_recovery.emulator.diff import full_scope
from entra_recovery.emulator.errors import bad_request


def _entity_type(value: object, prefer: bool, where: str) -> str:
    if not isinstance(value, str) or value not in ENTITY_TYPES:
        raise bad_request(
            f"{where}: {value!r} is not a valid resourceTypeName; expected one of "
            + ", ".join(ENTITY_TYPES)
            + "."
        )
    if value in HIDDEN_ENTITY_TYPES and not prefer:
        raise bad_request(
            f"{where}: the evolvable enum member {value!r} requires the request header "
            "'Prefer: include-unknown-enum-members'."
        )
    return value


def _keys(data: dict[str, Any], allowed: set[str], where: str) -> None:
    unknown = sorted(set(data) - allowed)
    if unknown:
        raise bad_request(f"{where}: unknown property {unknown[0]!r}.")


def parse_body(body: bytes, job_type: str, prefer: bool) -> tuple[dict[str, Any] | None, Scope]:
    """Validate a create-job body -> (normalised filteringCriteria or None, scope)."""
    if not body.strip():
        return None, full_scope()
    try:
        data = json.loads(body)
    except (ValueError, UnicodeDecodeError) as exc:
        raise bad_request(f"The request body is not valid JSON: {exc}") from None
    if not isinstance(data, dict):
        raise bad_request("The request body must be a JSON object.")
    if "@odata.type" in data and data["@odata.type"] != job_type:
        raise bad_request(f"Unexpected @odata.type {data['@odata.type']!r}; expected {job_type!r}.")
    _keys(data, {"filteringCriteria", "@odata.type"}, "request body")
    raw = data.get("filteringCriteria")
    if raw is None:
        return None, full_scope()
    if not isinstance(raw, dict):
        raise bad_request("filteringCriteria must be an object or null.")
    kind = raw.get("@odata.type")
    if kind == ODATA_TYPE_NAMES_FILTER:
        _keys(raw, {"@odata.type", "entityTypes"}, "filteringCriteria")
        names = raw.get("entityTypes")
        if not isinstance(names, list) or not names:
            raise bad_request("filteringCriteria.entityTypes must be a non-empty array.")
        types = [_entity_type(n, prefer, "filteringCriteria.entityTypes") for n in names]
        if len(set(types)) != len(types):
            raise bad_request("filteringCriteria.entityTypes contains duplicate entity types.")
        return {"@odata.type": kind, "entityTypes": types}, dict.fromkeys(types)
    if kind == ODATA_TYPE_NAME_AND_IDS_FILTER:
        _keys(raw, {"@odata.type", "filterValues"}, "filteringCriteria")
        values = raw.get("filterValues")
        if not isinstance(values, list) or not values:
            raise bad_request("filteringCriteria.filterValues must be a non-empty array.")
        scope: Scope = {}
        echo: list[dict[str, Any]] = []
        for item in values:
            if not isinstance(item, dict):
                raise bad_request("filteringCriteria.filterValues items must be objects.")
            _keys(item, {"@odata.type", "entityType", "entityIds"}, "filterValues item")
            if item.get("@odata.type", ODATA_TYPE_ENTITY_TYPE_AND_IDS) != (
                ODATA_TYPE_ENTITY_TYPE_AND_IDS
            ):
                raise bad_request(f"Unknown @odata.type {item['@odata.type']!r} in filterValues.")
            entity_type = _entity_type(item.get("entityType"), prefer, "filterValues.entityType")
            if entity_type in scope:
                raise bad_request(
                    f"Duplicate entityType {entity_type!r} in filteringCriteria.filterValues: "
                    "each entity type may appear only once."
                )
            ids = item.get("entityIds")
            if (
                not isinstance(ids, list)
                or not ids
                or not all(isinstance(i, str) and i for i in ids)
            ):
                raise bad_request(
                    f"filterValues.entityIds for {entity_type!r} must be a non-empty array of ids."
                )
            scope[entity_type] = frozenset(ids)
            echo.append({"entityType": entity_type, "entityIds": list(ids)})
        return {"@odata.type": kind, "filterValues": echo}, scope
    raise bad_request(
        f"filteringCriteria has unknown or missing @odata.type {kind!r}; expected "
        f"{ODATA_TYPE_NAMES_FILTER!r} or {ODATA_TYPE_NAME_AND_IDS_FILTER!r}."
    )


def criteria_view(criteria: dict[str, Any] | None, prefer: bool) -> dict[str, Any] | None:
    """The echo of a job's filteringCriteria, hiding evolvable members without Prefer."""
    if criteria is None or prefer:
        return criteria

    def show(name: str) -> str:
        return UNKNOWN if name in HIDDEN_ENTITY_TYPES else name

    if "entityTypes" in criteria:
        return {**criteria, "entityTypes": [show(n) for n in criteria["entityTypes"]]}
    return {
        **criteria,
        "filterValues": [
            {**item, "entityType": show(item["entityType"])} for item in criteria["filterValues"]
        ],
    }

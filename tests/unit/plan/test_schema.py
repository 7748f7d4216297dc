"""The plan JSON Schema: the source of truth, in step with the code's constants."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import jsonschema
import pytest

from entra_recovery.constants import ENTITY_TYPES
from entra_recovery.constants import RECOVERY_ACTIONS
from entra_recovery.constants import PlanMode
from entra_recovery.plan.schema import docs_hint
from entra_recovery.plan.schema import plan_schema
from entra_recovery.report import RENDERERS

SCHEMA = plan_schema()
PROPS = SCHEMA["properties"]


def _subschemas(node: Any, path: str = "$") -> Iterator[tuple[str, dict[str, Any]]]:
    if isinstance(node, dict):
        for name, child in node.get("properties", {}).items():
            yield f"{path}.{name}", child
            yield from _subschemas(child, f"{path}.{name}")
        if isinstance(node.get("items"), dict):
            yield f"{path}[]", node["items"]
            yield from _subschemas(node["items"], f"{path}[]")


def test_schema_is_valid_2020_12() -> None:
    """The schema itself passes the 2020-12 meta-schema."""
    assert SCHEMA["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    jsonschema.Draft202012Validator.check_schema(SCHEMA)


def test_enums_equal_the_constants() -> None:
    """Entity types, actions, report formats and modes in the schema are the code's own lists."""
    scope = PROPS["scope"]["properties"]
    assert scope["entityTypes"]["items"]["enum"] == list(ENTITY_TYPES)
    assert scope["objects"]["items"]["properties"]["entityType"]["enum"] == list(ENTITY_TYPES)
    guards = PROPS["guards"]["properties"]
    assert guards["allowedActions"]["items"]["enum"] == list(RECOVERY_ACTIONS)
    assert PROPS["report"]["properties"]["formats"]["items"]["enum"] == list(RENDERERS)
    assert PROPS["mode"]["enum"] == [mode.value for mode in PlanMode]


@pytest.mark.parametrize("path,schema", list(_subschemas(SCHEMA)), ids=lambda v: str(v)[:40])
def test_every_property_is_described_with_a_docs_link(path: str, schema: dict[str, Any]) -> None:
    """Every property (and list item) has a description ending in a docs link."""
    assert schema.get("description"), path
    hint = docs_hint(schema)
    assert hint is not None and hint.startswith("see `entra-recovery plan schema` (docs/plans.md#")


def test_objects_are_closed() -> None:
    """Every object in the schema refuses unknown keys (labels excepted: free-form)."""
    for path, schema in [("$", SCHEMA), *_subschemas(SCHEMA)]:
        if schema.get("type") == "object" and not path.endswith("labels"):
            assert schema.get("additionalProperties") is False, path


def test_shipped_copy_is_identical() -> None:
    """`plan schema` prints the file in schemas/, byte for byte."""
    from pathlib import Path

    from entra_recovery.resources import schema_text

    source = Path(__file__).parents[3] / "schemas" / "recovery-plan.schema.json"
    assert schema_text("recovery-plan.schema.json") == source.read_text(encoding="utf-8")

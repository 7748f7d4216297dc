"""
Step 2 of validation: the bundled JSON Schema, compiled once, and its errors in our words.

`schemas/recovery-plan.schema.json` is the source of truth for the plan's shape. Its
validator is built once per process (`plan_validator()`); `schema_findings(data)` turns every
schema error into a `Finding` (JSON path, message, hint). Messages come from the schema's own
`errorMessage` keyword when it has one for the failing keyword, else from templates here;
hints come from a close-match suggestion or the docs link at the end of the property's
`description`.
"""

from __future__ import annotations

import difflib
import functools
import re
from collections.abc import Iterator
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError

from entra_recovery.constants import PLAN_SCHEMA_FILE
from entra_recovery.plan.yaml import yaml_repr
from entra_recovery.resources import load_schema

PLAN_SCHEMA_NAME = PLAN_SCHEMA_FILE
_LISTED_CHOICES = 5  # longer enums go to the hint
_DOCS_LINK = re.compile(r"See (\S+?)\.?$")
_TYPE_NAMES = {
    "object": "a mapping",
    "array": "a list",
    "string": "a string",
    "integer": "an integer",
    "number": "a number",
    "boolean": "true or false",
    "null": "null",
}


@dataclass(frozen=True)
class Finding:
    """A problem at a JSON path; `at_key` points at the key itself (unknown/duplicate keys)."""

    path: tuple[str | int, ...]
    message: str
    hint: str | None = None
    at_key: bool = False


def plan_schema() -> dict[str, Any]:
    """The plan JSON Schema as a dict."""
    return load_schema(PLAN_SCHEMA_NAME)


@functools.cache
def plan_validator() -> Draft202012Validator:
    """The compiled validator (built once per process)."""
    return Draft202012Validator(plan_schema())


def docs_hint(schema: Mapping[str, Any]) -> str | None:
    """Where to read more, from a description ending in 'See docs/plans.md#x.': a command every
    installed copy has, and the page's place in the entra-recovery repository (an installed user
    has no docs/ folder of their own)."""
    match = _DOCS_LINK.search(str(schema.get("description", "")))
    if not match:
        return None
    return f"see `entra-recovery plan schema` ({match.group(1)} in the entra-recovery repository)"


def _suggest(value: Any, choices: Any) -> str | None:
    if not isinstance(value, str):
        return None
    close = difflib.get_close_matches(value, [str(c) for c in choices], n=1, cutoff=0.6)
    if not close:
        lowered = {str(c).lower(): str(c) for c in choices}
        close = [lowered[value.lower()]] if value.lower() in lowered else []
    return f"did you mean {close[0]!r}?" if close else None


def _shown(value: Any) -> str:
    text = yaml_repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


def _message(error: ValidationError) -> str:
    custom = error.schema.get("errorMessage", {}) if isinstance(error.schema, Mapping) else {}
    template = custom.get(error.validator) if isinstance(custom, Mapping) else None
    if isinstance(template, str):
        return template.replace("{value}", _shown(error.instance))
    keyword = error.validator
    expected: Any = error.validator_value
    value: Any = error.instance
    if keyword == "type":
        names = [expected] if isinstance(expected, str) else list(expected)
        wanted = " or ".join(_TYPE_NAMES.get(n, n) for n in names)
        return f"expected {wanted}, got {_shown(value)}"
    if keyword == "enum":
        if len(expected) > _LISTED_CHOICES:
            return f"{_shown(value)} is not one of the {len(expected)} allowed values"
        return f"{_shown(value)} is not one of {list(expected)}"
    if keyword == "const":
        return f"expected {_shown(expected)}, got {_shown(value)}"
    if keyword == "minItems":
        return "must not be empty" if expected == 1 else f"needs at least {expected} items"
    if keyword == "uniqueItems":
        return "items must be unique"
    if keyword == "minLength":
        return "must not be empty" if expected == 1 else f"shorter than {expected} characters"
    if keyword == "maxLength":
        return f"longer than {expected} characters"
    if keyword == "minimum":
        return f"must be at least {expected}"
    if keyword == "pattern":
        return f"{_shown(value)} does not match {expected}"
    return str(error.message)


def _findings(error: ValidationError) -> Iterator[Finding]:
    path = tuple(error.absolute_path)
    schema = error.schema if isinstance(error.schema, Mapping) else {}
    # Typed as possibly unset; both are set for every error iter_errors yields.
    allowed: Any = error.validator_value
    instance: Any = error.instance
    if error.validator == "additionalProperties" and isinstance(error.instance, Mapping):
        known = list(schema.get("properties", {}))
        for key in error.instance:
            if key not in known:
                hint = _suggest(key, known) or (
                    f"allowed keys here: {', '.join(known)}" if known else docs_hint(schema)
                )
                yield Finding((*path, key), f"unknown key {key!r}", hint, at_key=True)
        return
    if error.validator == "required":
        # jsonschema reports each missing key as its own error, naming it in the message.
        key = _required_key(str(error.message))
        if key is None:
            key = next((k for k in allowed if k not in instance), "?")
        child = schema.get("properties", {}).get(key, {})
        yield Finding(path, f"missing required key {key!r}", docs_hint(child))
        return
    if list(error.absolute_schema_path)[-2:-1] == ["propertyNames"]:
        # The instance is the key itself: point at it (labels: {"bad key": x}).
        yield Finding((*path, str(instance)), _message(error), docs_hint(schema), at_key=True)
        return
    hint = None
    if error.validator == "enum":
        hint = _suggest(instance, allowed)
        if hint is None and len(allowed) > _LISTED_CHOICES:
            hint = "allowed: " + ", ".join(str(c) for c in allowed)
    yield Finding(path, _message(error), hint or docs_hint(schema))


def schema_findings(data: Any) -> list[Finding]:
    """Every schema error in `data`, one `Finding` each (unknown keys: one per key)."""
    found: list[Finding] = []
    for error in plan_validator().iter_errors(data):
        found.extend(_findings(error))
    return found


def _required_key(message: str) -> str | None:
    match = re.match(r"^'(.*)' is a required property$", message)
    return match.group(1) if match else None

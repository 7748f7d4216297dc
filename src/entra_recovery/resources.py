"""
Bundled data files: the JSON Schemas from the top-level `schemas/` folder.

In a wheel they live inside the package (`entra_recovery/schemas/`); in a source checkout
(editable install) they are read from the repository's `schemas/` folder.
"""

from __future__ import annotations

import functools
import json
from importlib import resources
from pathlib import Path
from typing import Any


def schema_path(name: str) -> Path:
    """Path of a bundled schema file, in a wheel or in a source checkout."""
    packaged = resources.files("entra_recovery") / "schemas" / name
    if packaged.is_file():
        return Path(str(packaged))
    checkout = Path(__file__).resolve().parents[2] / "schemas" / name
    if checkout.is_file():
        return checkout
    raise FileNotFoundError(f"bundled schema {name!r} is missing from this installation")


def schema_text(name: str) -> str:
    """The schema's text, exactly as shipped."""
    return schema_path(name).read_text(encoding="utf-8")


@functools.cache
def load_schema(name: str) -> dict[str, Any]:
    """The schema as a dict (cached)."""
    data = json.loads(schema_text(name))
    if not isinstance(data, dict):
        raise ValueError(f"schema {name!r} is not a JSON object")
    return data

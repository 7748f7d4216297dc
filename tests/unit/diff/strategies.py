"""
Hypothesis strategies for raw Graph change objects, shared by the diff property tests.

They aim at where bugs hide: any text (lone surrogates, control characters, astral planes),
integers far beyond 64 bits, floats (optional), nesting, `null` versus a missing key,
`objectId` instead of `id`, link arrays with and without `@removed`, and ids drawn from a
small pool so that two changes of one page can name the same object.
"""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st

TEXT = st.text(st.characters(min_codepoint=0, max_codepoint=0x10FFFF), max_size=8)
BIG_INTS = st.integers(min_value=-(2**80), max_value=2**80)
FLOATS = st.floats(allow_nan=False, allow_infinity=False)
# A few ids and keys that repeat, plus any text: collisions are what break keyed code.
IDS = st.sampled_from(["a1", "a2", "A1", "b"]) | TEXT
ENTITY_TYPES = st.sampled_from(["user", "group", "conditionalAccessPolicy"]) | TEXT
ACTIONS = st.sampled_from(["update", "restore", "softDelete"]) | TEXT
KEYS = st.sampled_from(["displayName", "state", "a", "b", "a.b", "@odata.type"]) | TEXT
NAVIGATIONS = st.sampled_from(["members@delta", "owners@delta", "manager@delta"])


def scalars(*, floats: bool) -> st.SearchStrategy[Any]:
    """JSON scalars; floats only when asked (the msgspec fingerprint path must not see them)."""
    base = st.none() | st.booleans() | BIG_INTS | TEXT
    return base | FLOATS if floats else base


def values(*, floats: bool) -> st.SearchStrategy[Any]:
    """Any JSON value, nested a few levels."""
    return st.recursive(
        scalars(floats=floats),
        lambda inner: st.lists(inner, max_size=3) | st.dictionaries(KEYS, inner, max_size=3),
        max_leaves=12,
    )


def _link_items(*, floats: bool) -> st.SearchStrategy[Any]:
    item = st.fixed_dictionaries(
        {"id": IDS},
        optional={
            "@odata.type": st.sampled_from(["#microsoft.graph.user", "user", ""]) | TEXT,
            "@removed": st.just({"reason": "changed"}),
            "displayName": TEXT | st.none(),
        },
    )
    return st.lists(item | scalars(floats=floats), max_size=3) | item


def states(*, floats: bool) -> st.SearchStrategy[dict[str, Any]]:
    """A `deltaFromCurrent` / `currentState` object: properties, annotations, link arrays."""
    return st.builds(
        lambda props, links: {**props, **links},
        st.dictionaries(KEYS, values(floats=floats), max_size=4),
        st.dictionaries(NAVIGATIONS, _link_items(floats=floats), max_size=2),
    )


def raw_changes(*, floats: bool = True) -> st.SearchStrategy[dict[str, Any]]:
    """One change object as Graph may send it; every field may be missing or null."""
    return st.fixed_dictionaries(
        {},
        optional={
            "entityTypeName": ENTITY_TYPES | st.none(),
            "id": IDS | st.none(),
            "objectId": IDS,
            "displayName": TEXT | st.none(),
            "recoveryAction": ACTIONS | st.none(),
            "deltaFromCurrent": states(floats=floats) | st.none(),
            "currentState": states(floats=floats) | st.none(),
            "failureMessage": TEXT | st.none(),
        },
    )


def change_lists(*, floats: bool = True, max_size: int = 6) -> st.SearchStrategy[list[Any]]:
    """A whole preview's change objects (all pages joined)."""
    return st.lists(raw_changes(floats=floats), max_size=max_size)

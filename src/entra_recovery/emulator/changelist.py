"""
A finished job's change objects, serialised once and served in slices.

getChanges of a 100,000-change preview must not re-encode JSON on every page: each change is
encoded to bytes once, in both enum spellings where they differ (with and without
`Prefer: include-unknown-enum-members`), and a page is a join of a slice; `$select` decodes
only the page it serves. (No `$filter`: the change functions do not document it.)
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from collections.abc import Sequence
from typing import Any

# resourceTypeName members after unknownFutureValue (reference §4.6)
HIDDEN_ENTITY_TYPES = frozenset({"oAuth2PermissionGrant", "appRoleAssignment", "organization"})
UNKNOWN = "unknownFutureValue"


def _encode(document: dict[str, Any]) -> bytes:
    return json.dumps(document, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


class ChangeList:
    """Immutable, pre-encoded change objects."""

    def __init__(self, documents: Iterable[dict[str, Any]]) -> None:
        self._full: list[bytes] = []
        self._plain: dict[int, bytes] = {}
        self.links = 0
        for position, document in enumerate(documents):
            self._full.append(_encode(document))
            entity_type = str(document["entityTypeName"])
            if entity_type in HIDDEN_ENTITY_TYPES:
                self._plain[position] = _encode({**document, "entityTypeName": UNKNOWN})
            self.links += len(document["deltaFromCurrent"].get("members@delta", ()))

    def __len__(self) -> int:
        return len(self._full)

    def encoded(self, position: int, prefer: bool) -> bytes:
        if not prefer and position in self._plain:
            return self._plain[position]
        return self._full[position]

    def document(self, position: int, prefer: bool) -> dict[str, Any]:
        return dict(json.loads(self.encoded(position, prefer)))

    def join(self, positions: Sequence[int] | range, prefer: bool) -> bytes:
        """The JSON array body of a page (no decoding, no re-encoding)."""
        if prefer or not self._plain:
            if isinstance(positions, range) and positions.step == 1:
                return b"[" + b",".join(self._full[positions.start : positions.stop]) + b"]"
            return b"[" + b",".join(self._full[i] for i in positions) + b"]"
        return b"[" + b",".join(self.encoded(i, prefer) for i in positions) + b"]"

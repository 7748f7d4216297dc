"""
The change-set fingerprint: binds an apply to the preview that was reviewed.

Step in the flow: the runner feeds every raw change of a preview to a `Fingerprinter` (alongside
the `DiffBuilder`); `plan preview` prints the result, `plan apply` recomputes it from a fresh
preview and refuses when it differs from the approved one.

Recipe (version 1; docs/reports.md shows a worked example). `canonical(x)` is
`json.dumps(x, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False)`
encoded as UTF-8 (a lone surrogate, which Graph's JSON can carry as "\\udXXX", is encoded as
Python's "surrogatepass" handler does).

1. For every change object, build the record
   `{"entityTypeName": ..., "id": ..., "recoveryAction": ..., "deltaFromCurrent": ...,
   "currentState": ...}` from the change's own fields (`id` falls back to `objectId`; a missing
   field is `null`), and take `sha256(canonical(record)).hexdigest()`.
   `displayName` and `failureMessage` are left out: the display name is current state already
   carried by `currentState` when it matters, and failure messages are not part of what a
   recovery would do.
2. Sort the per-change entries by (entityTypeName, id, digest), with a missing name or id as "".
3. The fingerprint is `"sha256:" + sha256(canonical({"fingerprintVersion": 1,
   "snapshotId": <snapshot id>, "filteringCriteria": <criteria JSON or null>,
   "changes": [<hex digests in that order>]})).hexdigest()`.

The result does not depend on page order or page size, and changes with any value, action,
id, type or snapshot/criteria difference.

Speed: for a page known to hold no floats (`add_page(page, floats=False)`; graph's pages know
it from parsing), step 1 encodes with msgspec, which writes everything except floats byte for
byte like the `json.dumps` above (sorted keys, same escapes, no whitespace, UTF-8, integers of
any size); whatever msgspec refuses (a lone surrogate, deep nesting) goes the `json.dumps` way
(`jsoncodec.encode`). Both encodings hash the same record, built by `change_record`; the
property tests hold the two encodings equal and the whole result equal to an independent
implementation of this recipe.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable
from collections.abc import Mapping
from operator import itemgetter
from typing import Any
from typing import Final

import msgspec

from entra_recovery import jsoncodec

FINGERPRINT_VERSION: Final = 1
FINGERPRINT_PREFIX: Final = "sha256:"
FINGERPRINT_PATTERN: Final = "^sha256:[0-9a-f]{64}$"
"""A fingerprint's form; both JSON Schemas (plan, diff report) carry the same pattern."""
_FINGERPRINT_RE: Final = re.compile(FINGERPRINT_PATTERN)
_CHANGES_KEY: Final = b'{"changes":['
# Sorted keys, compact, UTF-8: equal to `canonical_bytes` for every float-free JSON value.
_SORTED: Final = msgspec.json.Encoder(order="sorted")

_CANONICAL: Final = json.JSONEncoder(
    sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
)


def canonical_bytes(value: Any) -> bytes:
    """The canonical JSON encoding the fingerprint hashes."""
    return _CANONICAL.encode(value).encode("utf-8", "surrogatepass")


def change_record(change: Mapping[str, Any]) -> dict[str, Any]:
    """The part of a raw change object that the fingerprint covers (step 1 of the recipe)."""
    get = change.get
    object_id = get("id")
    if object_id is None:
        object_id = get("objectId")
    return {
        "entityTypeName": get("entityTypeName"),
        "id": object_id,
        "recoveryAction": get("recoveryAction"),
        "deltaFromCurrent": get("deltaFromCurrent"),
        "currentState": get("currentState"),
    }


def _text(value: Any) -> str:
    return "" if value is None else str(value)


class Fingerprinter:
    """
    Accumulates a fingerprint over a stream of raw change objects.

    Args:
        snapshot_id: the snapshot the preview/recovery targets.
        criteria: the `filteringCriteria` JSON sent when creating the job
            (`FilteringCriteria.to_json()`), or None for the whole tenant.
    """

    __slots__ = ("_criteria", "_entries", "_snapshot_id")

    def __init__(self, snapshot_id: str, criteria: Mapping[str, Any] | None = None) -> None:
        self._snapshot_id = snapshot_id
        self._criteria = None if criteria is None else dict(criteria)
        self._entries: list[tuple[str, str, bytes]] = []

    def add(self, change: Mapping[str, Any]) -> None:
        """Add one raw change object (as Graph sent it); `json.dumps` encodes its record."""
        record = change_record(change)
        self._entries.append(
            (
                _text(record["entityTypeName"]),
                _text(record["id"]),
                hashlib.sha256(canonical_bytes(record)).digest(),
            )
        )

    def add_page(self, page: Iterable[Mapping[str, Any]], *, floats: bool = True) -> None:
        """
        Add every change object of one page.

        Args:
            floats: False promises that no value on the page is a float; the digests are then
                computed with msgspec (several times faster, same bytes). With True (the safe
                default) every change goes through `json.dumps`.
        """
        if floats:
            for change in page:
                self.add(change)
            return
        sha256 = hashlib.sha256
        entries = self._entries
        for change in page:
            record = change_record(change)
            entity_type = record["entityTypeName"]
            object_id = record["id"]
            entries.append(
                (
                    entity_type if type(entity_type) is str else _text(entity_type),
                    object_id if type(object_id) is str else _text(object_id),
                    sha256(jsoncodec.encode(record, _SORTED, canonical_bytes)).digest(),
                )
            )

    def __len__(self) -> int:
        return len(self._entries)

    def digests(self) -> dict[tuple[str, str], str]:
        """
        Per-change digests (hex) by (entity type, id): step 1 of the recipe, for comparing two
        change sets object by object without keeping either.

        An object that comes more than once keeps its greatest digest, whatever the arrival order.
        """
        self._entries.sort()  # in recipe order already after `hexdigest`; cheap then
        return {
            (entity_type, object_id): digest.hex()
            for entity_type, object_id, digest in self._entries
        }

    def hexdigest(self) -> str:
        """The fingerprint, `sha256:<64 hex>`; can be called again after more `add`s."""
        # bytes order equals the order of their lowercase hex digests
        self._entries.sort()
        hexes = map(bytes.hex, map(itemgetter(2), self._entries))
        return _fingerprint_of(self._snapshot_id, self._criteria, hexes)


def _fingerprint_of(
    snapshot_id: str, criteria: Mapping[str, Any] | None, hexes: Iterable[str]
) -> str:
    """Step 3 of the recipe over hex digests already in recipe order."""
    head = canonical_bytes(
        {
            "fingerprintVersion": FINGERPRINT_VERSION,
            "snapshotId": snapshot_id,
            "filteringCriteria": None if criteria is None else dict(criteria),
            "changes": [],
        }
    )
    # "changes" sorts first, so the document starts with `{"changes":[]`; hex digests need
    # no escaping, so the list is joined straight into place (same bytes, a lot faster).
    if not head.startswith(_CHANGES_KEY + b"]"):  # only a change to the recipe gets here
        raise RuntimeError("fingerprint document does not start with its changes list")
    joined = '","'.join(hexes)
    listed = f'"{joined}"'.encode("ascii") if joined else b""
    document = _CHANGES_KEY + listed + head[len(_CHANGES_KEY) :]
    return FINGERPRINT_PREFIX + hashlib.sha256(document).hexdigest()


def fingerprint_from_digests(
    snapshot_id: str,
    criteria: Mapping[str, Any] | None,
    digests: Mapping[tuple[str, str], str],
) -> str:
    """The fingerprint of a change set given by its per-change digests (`Fingerprinter.digests`:
    step 1 of the recipe, by entity type and id), without the change objects.

    This is how a plan that takes its share of a batch's merged preview job gets the fingerprint
    a preview of that plan alone gives: the share's digests, under the plan's own criteria.
    Equal to `Fingerprinter.hexdigest` for the same changes when no (type, id) repeats (a change
    list with repeats is refused before any fingerprint is shown, `runner.totals`).
    """
    ordered = sorted(
        (entity_type, object_id, hexed) for (entity_type, object_id), hexed in digests.items()
    )
    return _fingerprint_of(snapshot_id, criteria, map(itemgetter(2), ordered))


def fingerprint(
    snapshot_id: str,
    criteria: Mapping[str, Any] | None,
    changes: Iterable[Mapping[str, Any]],
) -> str:
    """Fingerprint of a complete change list in one call."""
    fingerprinter = Fingerprinter(snapshot_id, criteria)
    fingerprinter.add_page(changes)
    return fingerprinter.hexdigest()


def is_fingerprint(value: str) -> bool:
    """True for a well-formed `sha256:<64 lowercase hex>` string (`FINGERPRINT_PATTERN`)."""
    return _FINGERPRINT_RE.fullmatch(value) is not None

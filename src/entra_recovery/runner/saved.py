"""
Saved previews: an index of every preview's change set, kept by fingerprint.

`<state dir>/previews/<fingerprint hex>.json` lists each change of a preview by entity type and
id with its action, display name and fingerprint digest (step 1 of the fingerprint recipe). When
an apply's fresh fingerprint differs from the approved one, the approved index is compared
object by object with the fresh change set, so the refusal can say which objects were added,
removed or changed since the review. With `--approved-report` (the JSON report reviewers saw)
the comparison goes down to the properties.
"""

from __future__ import annotations

import gzip
import json
from collections.abc import Iterable
from dataclasses import dataclass
from itertools import islice
from pathlib import Path
from typing import TYPE_CHECKING
from typing import Any

import msgspec

from entra_recovery import jsoncodec
from entra_recovery.diff import ObjectChange
from entra_recovery.diff import compare
from entra_recovery.diff import diff_from_json
from entra_recovery.errors import UsageError
from entra_recovery.statedir import ensure_dir
from entra_recovery.statedir import write_private

if TYPE_CHECKING:
    from entra_recovery.runner.results import Preview

PREVIEWS_FOLDER = "previews"
INDEX_VERSION = 1
KEEP_PREVIEWS = 200
MAX_LISTED = 20
_COMPACT = msgspec.json.Encoder()


def _ascii_json(document: Any) -> bytes:
    """The index as plain `json` writes it (a lone surrogate in a name or id is escaped)."""
    return json.dumps(document, separators=(",", ":")).encode("ascii")


class PreviewStore:
    """Change-set indexes of past previews, newest `KEEP_PREVIEWS` kept."""

    def __init__(self, state_dir: Path) -> None:
        self.folder = state_dir / PREVIEWS_FOLDER

    def path_for(self, fingerprint: str) -> Path:
        return self.folder / f"{fingerprint.removeprefix('sha256:')}.json"

    def save(self, preview: Preview) -> Path:
        digests = preview.digests
        rows = [
            [c.entity_type, c.id, c.action, c.display_name, digests.get((c.entity_type, c.id), "")]
            for c in preview.diff.changes
        ]
        document = {
            "indexVersion": INDEX_VERSION,
            "fingerprint": preview.fingerprint,
            "snapshotId": preview.snapshot.id,
            "plan": preview.plan.name,
            "changes": rows,
        }
        path = self.path_for(preview.fingerprint)
        data = jsoncodec.encode(document, _COMPACT, _ascii_json)
        # No fsync: the index only explains a refusal; a lost one means "pass --approved-report".
        write_private(path, data, durable=False)
        self._prune()
        return path

    def load(self, fingerprint: str) -> dict[str, Any] | None:
        """The saved index, or None when there is none or it cannot be read (e.g. cut short
        by a crash: it is written without fsync)."""
        path = self.path_for(fingerprint)
        if not path.is_file():
            return None
        try:
            return _read_json(path)
        except UsageError:
            return None

    def explain(
        self, approved: str, preview: Preview, approved_report: Path | None
    ) -> tuple[str, ...]:
        """Lines that say how the fresh change set differs from the approved one."""
        if approved_report is not None:
            return _explain_from_report(approved, preview, approved_report)
        index = self.load(approved)
        if index is None:
            return (
                f"the approved preview is not in {self.folder}; pass --approved-report FILE "
                "(the JSON report reviewers saw) to see what changed",
                f"the fresh preview has {len(preview.diff.changes)} change(s)",
            )
        return _explain_from_index(index, preview)

    def _prune(self) -> None:
        files = sorted(
            ensure_dir(self.folder).glob("*.json"), key=lambda p: p.stat().st_mtime, reverse=True
        )
        for stale in files[KEEP_PREVIEWS:]:
            stale.unlink(missing_ok=True)


@dataclass(frozen=True)
class _Drift:
    """One object that differs between the approved and the fresh change set."""

    entity_type: Any
    name: Any
    object_id: Any
    text: str  # what differs, after the label

    def line(self, mark: str) -> str:
        shown = f' "{self.name}"' if self.name else ""
        return f"{mark} {self.entity_type}{shown} ({self.object_id}): {self.text}"


def _drift_lines(
    counts: tuple[int, int, int],
    added: Iterable[_Drift],
    removed: Iterable[_Drift],
    changed: Iterable[_Drift],
) -> tuple[str, ...]:
    """The explanation both comparisons give: counts, then up to `MAX_LISTED` objects per kind.

    `counts` are the full numbers of added, removed and changed objects; the iterables are read
    only as far as they are listed.
    """
    n_added, n_removed, n_changed = counts
    lines = [f"{n_added} object(s) added, {n_removed} removed, {n_changed} changed since approval"]
    for mark, group in (("+", added), ("-", removed), ("~", changed)):
        lines.extend(drift.line(mark) for drift in islice(group, MAX_LISTED))
    hidden = sum(max(0, count - MAX_LISTED) for count in counts)
    if hidden:
        lines.append(f"... and {hidden} more")
    return tuple(lines)


def _explain_from_index(index: dict[str, Any], preview: Preview) -> tuple[str, ...]:
    """Object by object, from the approved preview's saved index (digests, no properties)."""
    approved: dict[tuple[str, str], list[Any]] = {}
    for row in index.get("changes") or ():
        if isinstance(row, list) and len(row) == 5:
            approved[(str(row[0]), str(row[1]))] = row
    fresh = {change.key: change for change in preview.diff.changes}
    added = [c for key, c in fresh.items() if key not in approved]
    removed = [row for key, row in approved.items() if key not in fresh]
    changed = [
        c
        for key, c in fresh.items()
        if key in approved and approved[key][4] != preview.digests.get(key)
    ]

    def now(change: ObjectChange) -> str:
        was = approved[change.key][2]
        action = f" ({was} -> {change.action})" if was != change.action else ""
        paths = ", ".join(p.path for p in change.properties[:5]) or "links"
        return f"now {paths}{action}"

    return _drift_lines(
        (len(added), len(removed), len(changed)),
        (_Drift(c.entity_type, c.display_name, c.id, f"new {c.action}") for c in added),
        (_Drift(row[0], row[3], row[1], "no longer changes") for row in removed),
        (_Drift(c.entity_type, c.display_name, c.id, now(c)) for c in changed),
    )


def _explain_from_report(approved: str, preview: Preview, path: Path) -> tuple[str, ...]:
    """Property by property, from the JSON report the reviewers approved."""
    data = _read_json(path)
    if data.get("fingerprint") != approved:
        return (f"{path} has fingerprint {data.get('fingerprint')}, not the approved {approved}",)
    comparison = compare(diff_from_json(data), preview.diff)
    added, removed, changed = comparison.added, comparison.removed, comparison.changed
    return _drift_lines(
        (len(added), len(removed), len(changed)),
        (_Drift(c.entity_type, c.display_name, c.id, f"new {c.action}") for c in added),
        (_Drift(c.entity_type, c.display_name, c.id, "no longer changes") for c in removed),
        (
            _Drift(d.entity_type, d.fresh.display_name, d.id, _differing(d.properties + d.links))
            for d in changed
        ),
    )


def _differing(paths: tuple[str, ...]) -> str:
    return ", ".join(paths) or "action"


def _read_json(path: Path) -> dict[str, Any]:
    try:
        raw = path.read_bytes()
        if raw[:2] == b"\x1f\x8b":
            raw = gzip.decompress(raw)
        data = json.loads(raw)
    except (OSError, ValueError) as exc:
        raise UsageError(f"cannot read {path}: {exc}") from None
    if not isinstance(data, dict):
        raise UsageError(f"{path} is not a JSON report")
    return data

"""
Saved previews: every preview's JSON report, kept by fingerprint under `<state dir>/previews`.

When an apply's fresh fingerprint differs from the approved one, the approved change set is
looked up here (or read from `--approved-report`, the JSON report reviewers saw) and compared
object by object with the fresh one, so the refusal can say what changed since the review.
"""

from __future__ import annotations

import gzip
import json
import os
from pathlib import Path
from typing import TYPE_CHECKING
from typing import Any

from entra_recovery.errors import UsageError
from entra_recovery.report import RENDERERS
from entra_recovery.report import compare
from entra_recovery.report import diff_from_json
from entra_recovery.runner.statedir import ensure_dir

if TYPE_CHECKING:
    from entra_recovery.runner.results import Preview

PREVIEWS_FOLDER = "previews"
KEEP_PREVIEWS = 50
MAX_LISTED = 20


class PreviewStore:
    """JSON reports of past previews, gzip-compressed, newest `KEEP_PREVIEWS` kept."""

    def __init__(self, state_dir: Path) -> None:
        self.folder = state_dir / PREVIEWS_FOLDER

    def path_for(self, fingerprint: str) -> Path:
        return self.folder / f"{fingerprint.removeprefix('sha256:')}.json.gz"

    def save(self, preview: Preview) -> Path:
        from entra_recovery.runner.reporting import build_report

        report = build_report(preview)
        path = self.path_for(preview.fingerprint)
        ensure_dir(self.folder)
        tmp = path.with_name(f".{path.name}.tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        try:
            with (
                os.fdopen(fd, "wb") as raw,
                gzip.GzipFile(fileobj=raw, mode="wb", compresslevel=1, mtime=0) as handle,
            ):
                for chunk in RENDERERS["json"].iter_render(report):
                    handle.write(chunk.encode("utf-8", "surrogatepass"))
            os.replace(tmp, path)
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise
        self._prune()
        return path

    def load(self, fingerprint: str) -> dict[str, Any] | None:
        path = self.path_for(fingerprint)
        if not path.is_file():
            return None
        return _read_json(path)

    def explain(
        self, approved: str, preview: Preview, approved_report: Path | None
    ) -> tuple[str, ...]:
        """Lines that say how the fresh diff differs from the approved one."""
        if approved_report is not None:
            data = _read_json(approved_report)
            reported = data.get("fingerprint") if isinstance(data, dict) else None
            if reported != approved:
                return (
                    f"{approved_report} has fingerprint {reported}, not the approved {approved}",
                )
        else:
            loaded = self.load(approved)
            if loaded is None:
                return (
                    f"the approved preview is not in {self.folder}; pass --approved-report FILE "
                    "(the JSON report reviewers saw) to see what changed",
                    f"the fresh preview has {len(preview.diff.changes)} change(s)",
                )
            data = loaded
        comparison = compare(diff_from_json(data), preview.diff)
        lines = [comparison.describe()]
        for change in comparison.added[:MAX_LISTED]:
            lines.append(
                f"+ {change.entity_type} {change.display_name or ''} ({change.id}): "
                f"new {change.action}"
            )
        for change in comparison.removed[:MAX_LISTED]:
            lines.append(
                f"- {change.entity_type} {change.display_name or ''} ({change.id}): "
                "no longer changes"
            )
        for diff in comparison.changed[:MAX_LISTED]:
            what = ", ".join((*diff.properties, *diff.links)) or "action"
            lines.append(
                f"~ {diff.entity_type} {diff.fresh.display_name or ''} ({diff.id}): {what}"
            )
        hidden = (
            len(comparison.added)
            + len(comparison.removed)
            + len(comparison.changed)
            - min(len(comparison.added), MAX_LISTED)
            - min(len(comparison.removed), MAX_LISTED)
            - min(len(comparison.changed), MAX_LISTED)
        )
        if hidden > 0:
            lines.append(f"... and {hidden} more")
        return tuple(lines)

    def _prune(self) -> None:
        files = sorted(
            ensure_dir(self.folder).glob("*.json.gz"), key=lambda p: p.stat().st_mtime, reverse=True
        )
        for stale in files[KEEP_PREVIEWS:]:
            stale.unlink(missing_ok=True)


def _read_json(path: Path) -> dict[str, Any]:
    try:
        raw = path.read_bytes()
        if raw[:2] == b"\x1f\x8b":
            raw = gzip.decompress(raw)
        data = json.loads(raw)
    except (OSError, ValueError) as exc:
        raise UsageError(f"cannot read report {path}: {exc}") from None
    if not isinstance(data, dict):
        raise UsageError(f"{path} is not a JSON report")
    return data

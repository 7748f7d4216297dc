"""
Text helpers shared by the renderers: value formatting, action words, the summary line.

Values come from the tenant and are treated as hostile: `format_value` renders them as JSON,
which escapes control characters (no terminal escape sequence reaches the screen raw).
"""

from __future__ import annotations

import json
import re
from typing import Any
from typing import Final

from entra_recovery.diff.model import ABSENT
from entra_recovery.diff.model import ACTION_RESTORE
from entra_recovery.diff.model import ACTION_SOFT_DELETE
from entra_recovery.diff.model import ACTION_UPDATE
from entra_recovery.diff.model import Diff
from entra_recovery.diff.model import ObjectChange
from entra_recovery.diff.model import PropertyChange

ABSENT_TEXT: Final = "(absent)"
_VALUE: Final = json.JSONEncoder(ensure_ascii=False, separators=(", ", ": "))
ELLIPSIS: Final = "…"

ACTION_SYMBOLS: Final = {ACTION_UPDATE: "~", ACTION_RESTORE: "+", ACTION_SOFT_DELETE: "-"}
ACTION_VERBS: Final = {
    ACTION_UPDATE: "will be updated",
    ACTION_RESTORE: "will be restored",
    ACTION_SOFT_DELETE: "will be soft-deleted",
}
_SUMMARY_WORDS: Final = {
    ACTION_UPDATE: "to update",
    ACTION_RESTORE: "to restore",
    ACTION_SOFT_DELETE: "to soft-delete",
}


def action_symbol(action: str) -> str:
    """`~` update, `+` restore, `-` softDelete, `?` anything else."""
    return ACTION_SYMBOLS.get(action, "?")


def action_verb(action: str) -> str:
    return ACTION_VERBS.get(
        action, f"action {quote(action)} (unknown to entra-recovery, shown as sent)"
    )


_CONTROL: Final = re.compile("[\x00-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")


def _escape_control(match: re.Match[str]) -> str:
    return f"\\u{ord(match.group()):04x}"


def clean(text: str) -> str:
    """
    Text with control characters (ESC, BEL, newlines ...) and lone surrogates as `\\uXXXX`.

    The result is safe on a terminal and valid in XML 1.0 and UTF-8.
    """
    if _CONTROL.search(text) is None:
        return text
    return _CONTROL.sub(_escape_control, text)


def quote(text: str) -> str:
    """A string as a JSON literal: quoted, control characters escaped."""
    return clean(_VALUE.encode(text))


def format_value(value: Any, max_chars: int = 0) -> str:
    """A JSON value on one line (`(absent)` for ABSENT), cut at `max_chars` when > 0."""
    if value is ABSENT:
        return ABSENT_TEXT
    text = clean(_VALUE.encode(value))
    if max_chars > 0 and len(text) > max_chars:
        return text[: max(1, max_chars - 1)] + ELLIPSIS
    return text


def property_symbol(row: PropertyChange) -> str:
    """`+` the recovery sets a value that is absent now, `-` it drops one, `~` otherwise."""
    if row.current is ABSENT:
        return "+"
    if row.snapshot is ABSENT:
        return "-"
    return "~"


def object_heading(change: ObjectChange) -> str:
    """`conditionalAccessPolicy "Block legacy authentication" (c3d4…)`, name JSON-quoted."""
    if change.display_name:
        return f"{clean(change.entity_type)} {quote(change.display_name)} ({clean(change.id)})"
    return f"{clean(change.entity_type)} {clean(change.id) or '(no id)'}"


def summary_line(diff: Diff) -> str:
    """`Plan: 7 to update, 1 to restore, 1 to soft-delete, 1 other (quarantine).`"""
    if diff.is_empty:
        return "No changes. The tenant matches the snapshot for this scope."
    totals = diff.action_totals
    parts = [f"{totals.get(action, 0)} {words}" for action, words in _SUMMARY_WORDS.items()]
    others = {a: n for a, n in totals.items() if a not in _SUMMARY_WORDS}
    if others:
        names = ", ".join(f"{quote(a)}: {n}" for a, n in others.items())
        parts.append(f"{sum(others.values())} other ({names})")
    return "Plan: " + ", ".join(parts) + "."


def totals_line(diff: Diff) -> str:
    return (
        f"{diff.total_objects} object(s), {diff.total_properties} property change(s), "
        f"{diff.total_links} link change(s)"
    )

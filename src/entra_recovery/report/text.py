"""
Text helpers shared by the renderers: value formatting, action words, the summary line.

Values come from the tenant and are treated as hostile: `format_value` renders them as JSON,
which escapes control characters (no terminal escape sequence reaches the screen raw), and
`clean` spells out the characters a reviewer could not see: bidirectional controls (U+202E can
make `"nimda"` read as `"admin"`), zero-width and other invisible characters appear as
`<U+202E>`. Only the text shown changes; the fingerprint and the JSON report keep the value.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
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


_CONTROL_CHARS: Final = "\x00-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff"
# Characters that change how text reads without being seen: bidirectional controls, zero-width
# and other invisible format characters, fillers, line/paragraph separators, tag characters.
_HIDDEN_CHARS: Final = (
    "\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180e\u200b-\u200f\u2028-\u202e"
    "\u2060-\u206f\u3164\ufeff\uffa0\ufff0-\ufffb\U000e0000-\U000e007f"
)
_CONTROL: Final = re.compile(f"[{_CONTROL_CHARS}]")
_UNSAFE: Final = re.compile(f"[{_CONTROL_CHARS}{_HIDDEN_CHARS}]")


def _escape(match: re.Match[str]) -> str:
    char = match.group()
    if _CONTROL.fullmatch(char):
        return f"\\u{ord(char):04x}"
    return f"<U+{ord(char):04X}>"


def clean(text: str) -> str:
    """
    Text with control characters (ESC, BEL, newlines ...) and lone surrogates as `\\uXXXX`, and
    invisible or direction-changing characters as `<U+XXXX>`.

    The result is safe on a terminal, valid in XML 1.0 and UTF-8, and reads as it is.
    """
    if _UNSAFE.search(text) is None:
        return text
    return _UNSAFE.sub(_escape, text)


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


# A list-valued row whose two values together pass this many characters is shown element by
# element (`[3 items] -> [2 items]`, then one `+`/`-` line per item), never as two cut blobs.
INLINE_LIST_CHARS: Final = 80


@dataclass(frozen=True, slots=True)
class RowView:
    """
    What every renderer shows for one property row, before its own escaping.

    `current` and `snapshot` are each side's text: the value itself (`"enabled"`, `(absent)`)
    or, for a list-valued row too long for one line (`listed`), a description (`[2 items]`);
    `added` are the items the recovery adds, `removed` those it removes; `kept` counts the items
    both lists share (None unless `listed` and both sides are lists).
    """

    current: str
    snapshot: str
    added: tuple[Any, ...]
    removed: tuple[Any, ...]
    kept: int | None
    listed: bool

    @property
    def heading(self) -> str:
        """`[2 items] -> [1 item], 1 unchanged`."""
        text = f"{self.current} -> {self.snapshot}"
        return text if not self.kept else f"{text}, {self.kept} unchanged"


def _describe_side(value: Any, max_chars: int) -> str:
    if isinstance(value, list):
        return f"[{len(value)} item{'' if len(value) == 1 else 's'}]"
    return format_value(value, max_chars)


def row_view(row: PropertyChange, max_chars: int = 0) -> RowView:
    """
    A row as its values, or, where a side is a list and the two values do not fit on one line
    together, element by element (`listed`).
    """
    current, snapshot = row.current, row.snapshot
    inline = (not isinstance(current, list) and not isinstance(snapshot, list)) or (
        len(format_value(current)) + len(format_value(snapshot)) <= INLINE_LIST_CHARS
    )
    if inline:
        return RowView(
            format_value(current, max_chars),
            format_value(snapshot, max_chars),
            tuple(row.added or ()),
            tuple(row.removed or ()),
            None,
            False,
        )
    if row.added is not None or row.removed is not None:
        added, removed = row.added or (), row.removed or ()
    else:
        added = tuple(snapshot) if isinstance(snapshot, list) else ()
        removed = tuple(current) if isinstance(current, list) else ()
    both = isinstance(current, list) and isinstance(snapshot, list)
    kept = max(0, len(current) - len(removed)) if both else None
    return RowView(
        _describe_side(current, max_chars),
        _describe_side(snapshot, max_chars),
        tuple(added),
        tuple(removed),
        kept,
        True,
    )

"""
JSON renderer: the machine-readable contract (`schemas/diff-report.schema.json`).

Step in the flow: `plan preview --format json` writes this; `plan apply` can read it back with
`diff_from_json`. Top-level keys come in a fixed order (`format_version`, `status`, ...,
`summary`, `changes`, `apply`, `comparison`); adding a field needs a CHANGELOG entry.
The document is streamed a few hundred changes at a time, so 100,000 changes never exist as one
big dict or string.
Layout: the small top-level objects are indented by two spaces; each entry of `changes` and
`apply.failedChanges` is written on one compact line (a line per object diffs well). Those lines
are written through `jsoncodec` (msgspec, several times faster than the standard encoder; what
it refuses, a lone surrogate, is written by `json` instead).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any
from typing import Final

import msgspec

from entra_recovery import jsoncodec
from entra_recovery.diff.serialize import change_to_json
from entra_recovery.report.document import Report
from entra_recovery.report.options import RenderOptions
from entra_recovery.report.serialize import report_head_to_json
from entra_recovery.report.serialize import report_tail_to_json

_INDENT = 2
# Changes per yielded chunk: a few hundred kilobytes, never the whole report.
_BATCH = 500
# Lone surrogates (JSON "\\ud800" parses to one) cannot be written as UTF-8: escape them again.
_SURROGATE: Final = re.compile("[\ud800-\udfff]")


def _utf8_safe(text: str) -> str:
    if _SURROGATE.search(text) is None:
        return text
    return _SURROGATE.sub(lambda match: f"\\u{ord(match.group()):04x}", text)


_LINE: Final = json.JSONEncoder(ensure_ascii=False, allow_nan=False, separators=(",", ":"))
_FAST_LINE: Final = msgspec.json.Encoder()


def _slow_line(item: Any) -> bytes:
    return _utf8_safe(_LINE.encode(item)).encode("utf-8")


def _line(item: dict[str, Any]) -> str:
    """One compact JSON line (see `jsoncodec`: msgspec, `json` for what it refuses)."""
    return jsoncodec.encode(item, _FAST_LINE, _slow_line).decode("utf-8")


def _dump(value: Any, level: int) -> str:
    """`value` as indented JSON whose continuation lines sit at nesting `level`."""
    text = _utf8_safe(json.dumps(value, indent=_INDENT, ensure_ascii=False, allow_nan=False))
    return text.replace("\n", "\n" + " " * (_INDENT * level))


def _members(data: dict[str, Any], level: int, *, first: bool = True) -> Iterator[str]:
    pad = " " * (_INDENT * level)
    for index, (key, value) in enumerate(data.items()):
        comma = "," if index or not first else ""
        yield f"{comma}\n{pad}{json.dumps(key)}: {_dump(value, level)}"


def _array(key: str, items: Iterator[dict[str, Any]], level: int) -> Iterator[str]:
    pad = " " * (_INDENT * level)
    inner = " " * (_INDENT * (level + 1))
    yield f",\n{pad}{json.dumps(key)}: ["
    between = ",\n" + inner
    batch: list[str] = []
    first = True
    for item in items:
        batch.append(_line(item))
        if len(batch) == _BATCH:
            yield ("\n" + inner if first else between) + between.join(batch)
            first = False
            batch.clear()
    if batch:
        yield ("\n" + inner if first else between) + between.join(batch)
        first = False
    yield "]" if first else f"\n{pad}]"


def iter_render(report: Report, options: RenderOptions) -> Iterator[str]:
    """The JSON report in chunks (one per change); `json.loads` of the joined text is a dict."""
    del options  # the contract has no presentation options
    yield "{"
    yield from _members(report_head_to_json(report), 1)
    yield from _array("changes", (change_to_json(c) for c in report.diff.changes), 1)
    tail = report_tail_to_json(report)
    apply = tail.pop("apply")
    if apply is None:
        yield ',\n  "apply": null'
    else:
        yield ',\n  "apply": {'
        yield from _members(apply, 2)
        failed = report.apply.failed_changes if report.apply else ()
        yield from _array("failedChanges", (change_to_json(c) for c in failed), 2)
        yield "\n  }"
    yield from _members(tail, 1, first=False)
    yield "\n}\n"

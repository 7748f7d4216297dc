"""
The last step of `plan validate`: results as text for people and editors, or JSON for machines.

Pure functions returning strings; the CLI writes them. Each problem prints as
`path:line:col: $.json.path: message`, then the source line with a caret under the offending
token, then `   hint: ...`. The JSON document is a contract (`format_version`).
"""

from __future__ import annotations

import json
from collections.abc import Sequence

from entra_recovery.errors import Issue
from entra_recovery.plan.loader import FileResult

JSON_FORMAT_VERSION = "1.0"
# Longest source line shown under a problem; longer ones are cut around the caret.
SOURCE_WINDOW = 120
# Control characters in a source line would move the caret or drive the terminal: show U+FFFD.
_CONTROL = {c: "\ufffd" for c in [*range(0x00, 0x09), *range(0x0A, 0x20), *range(0x7F, 0xA0)]}


def _window(source: str, column: int, width: int) -> tuple[str, int, int]:
    """A long source line cut to `SOURCE_WINDOW` characters around the column (with `…` where
    it was cut), and the caret's column and width in the cut line."""
    if len(source) <= SOURCE_WINDOW:
        return source, column, width
    start = max(0, min(column - 1 - SOURCE_WINDOW // 3, len(source) - SOURCE_WINDOW))
    end = start + SOURCE_WINDOW
    cut = ("…" if start else "") + source[start:end] + ("…" if end < len(source) else "")
    shifted = column - start + (1 if start else 0)
    return cut, shifted, max(1, min(width, end - (column - 1)))


def render_issue(issue: Issue) -> str:
    """One problem: the headline, the source line with a caret, and the hint."""
    out = [issue.headline()]
    if issue.source_line is not None:
        whole = issue.source_line.rstrip("\r\n").translate(_CONTROL)
        source, column, width = _window(whole, issue.column, issue.width)
        gutter = f"{issue.line:>5}"
        out.append(f"{gutter} | {source}")
        pad = "".join("\t" if c == "\t" else " " for c in source[: column - 1])
        out.append(f"{'':>5} | {pad}{'^' * max(1, width)}")
    if issue.hint:
        out.append(f"   hint: {issue.hint}")
    return "\n".join(out)


def render_text(results: Sequence[FileResult], *, quiet: bool = False) -> str:
    """Every problem of every file; unless quiet, `ok` lines and a summary too."""
    blocks: list[str] = []
    for result in results:
        if result.ok:
            if not quiet:
                blocks.append(f"{result.path}: ok")
            continue
        blocks.extend(render_issue(issue) for issue in result.issues)
    if not quiet:
        blocks.append(summary(results))
    return "\n".join(blocks) + "\n" if blocks else ""


def summary(results: Sequence[FileResult]) -> str:
    """`3 plans checked: 2 valid, 1 invalid (4 problems)`."""
    invalid = [r for r in results if not r.ok]
    problems = sum(len(r.issues) for r in invalid)
    noun = "plan" if len(results) == 1 else "plans"
    text = f"{len(results)} {noun} checked: {len(results) - len(invalid)} valid"
    if invalid:
        text += f", {len(invalid)} invalid ({problems} problem{'s' if problems != 1 else ''})"
    return text


def _issue_json(issue: Issue) -> dict[str, object]:
    return {
        "line": issue.line,
        "column": issue.column,
        "jsonPath": issue.json_path,
        "message": issue.message,
        "hint": issue.hint,
        "width": issue.width,
    }


def render_json(results: Sequence[FileResult]) -> str:
    """A JSON document: status, one entry per file with its issues, and counts."""
    invalid = sum(1 for r in results if not r.ok)
    document = {
        "format_version": JSON_FORMAT_VERSION,
        "status": "ok" if invalid == 0 else "invalid",
        "files": [
            {
                "path": r.path,
                "valid": r.ok,
                "name": r.plan.name if r.plan else None,
                "sha256": r.plan.sha256 if r.plan else None,
                "issues": [_issue_json(i) for i in r.issues],
            }
            for r in results
        ],
        "summary": {
            "files": len(results),
            "valid": len(results) - invalid,
            "invalid": invalid,
            "issues": sum(len(r.issues) for r in results),
        },
    }
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"

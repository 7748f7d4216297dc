"""
`plan validate --format github|azure`: each problem as a CI annotation, next to `render`.

Pure functions returning strings; the CLI writes them. A CI runner reads a workflow command
from the start of any line of a step's output, so whatever a plan file's name or a message
holds (plan text can hold anything) is escaped by the runner's own rules and can never end
its annotation or start a command of its own:

- GitHub Actions (`::error file=F,line=L,col=C::message`): data `%` `\\r` `\\n` as `%25`
  `%0D` `%0A`; properties also `:` `,` as `%3A` `%2C` (actions/toolkit `command.ts`,
  `escapeData` and `escapeProperty`).
- Azure DevOps (`##vso[task.logissue type=error;sourcepath=F;...]message`): data `%` `\\r`
  `\\n` as `%AZP25` `%0D` `%0A`; properties also `]` `;` as `%5D` `%3B`
  (azure-pipelines-task-lib `taskcommand`, `escapedata` and `escape`).

Other control characters (and the Unicode line and paragraph separators) become U+FFFD first,
as in the text renderer: no runner decodes them, and a terminal escape has no place in a log.
"""

from __future__ import annotations

from collections.abc import Callable
from collections.abc import Sequence

from entra_recovery.errors import Issue
from entra_recovery.plan.loader import FileResult

_CONTROL = {
    c: "\ufffd" for c in [*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20), *range(0x7F, 0xA0)]
} | {0x2028: "\ufffd", 0x2029: "\ufffd"}

# Replacement order matters only for `%`, which goes first so no escape is escaped twice.
_GITHUB_DATA = (("%", "%25"), ("\r", "%0D"), ("\n", "%0A"))
_GITHUB_PROPERTY = (*_GITHUB_DATA, (":", "%3A"), (",", "%2C"))
_AZURE_DATA = (("%", "%AZP25"), ("\r", "%0D"), ("\n", "%0A"))
_AZURE_PROPERTY = (*_AZURE_DATA, ("]", "%5D"), (";", "%3B"))


def _escape(text: str, table: Sequence[tuple[str, str]]) -> str:
    text = text.translate(_CONTROL)
    for char, escaped in table:
        text = text.replace(char, escaped)
    return text


def github_data(text: str) -> str:
    """A GitHub workflow command's message (what follows the second `::`)."""
    return _escape(text, _GITHUB_DATA)


def github_property(text: str) -> str:
    """A GitHub workflow command's property value (`file=...`)."""
    return _escape(text, _GITHUB_PROPERTY)


def azure_data(text: str) -> str:
    """An Azure DevOps logging command's message (what follows the `]`)."""
    return _escape(text, _AZURE_DATA)


def azure_property(text: str) -> str:
    """An Azure DevOps logging command's property value (`sourcepath=...`)."""
    return _escape(text, _AZURE_PROPERTY)


def _message(issue: Issue) -> str:
    """`$.json.path: message`, and the hint on a line of its own (both CIs show it so)."""
    text = f"{issue.json_path}: {issue.message}"
    return f"{text}\nhint: {issue.hint}" if issue.hint else text


def github_annotation(issue: Issue) -> str:
    """`::error file=PATH,line=L,col=C::message`, escaped."""
    properties = {"file": issue.path, "line": str(issue.line), "col": str(issue.column)}
    joined = ",".join(f"{key}={github_property(value)}" for key, value in properties.items())
    return f"::error {joined}::{github_data(_message(issue))}"


def azure_annotation(issue: Issue) -> str:
    """`##vso[task.logissue type=error;sourcepath=PATH;linenumber=L;columnnumber=C]message`."""
    properties = {
        "type": "error",
        "sourcepath": issue.path,
        "linenumber": str(issue.line),
        "columnnumber": str(issue.column),
    }
    joined = ";".join(f"{key}={azure_property(value)}" for key, value in properties.items())
    return f"##vso[task.logissue {joined}]{azure_data(_message(issue))}"


ANNOTATORS: dict[str, Callable[[Issue], str]] = {
    "github": github_annotation,
    "azure": azure_annotation,
}


def render_annotations(results: Sequence[FileResult], ci: str) -> str:
    """One annotation line per problem of every file, in the order `render_text` shows them;
    nothing for valid files."""
    annotate = ANNOTATORS[ci]
    lines = [annotate(issue) for result in results for issue in result.issues]
    return "".join(f"{line}\n" for line in lines)

"""
Step 1 of loading a plan: bytes -> YAML node tree -> plain JSON-like data.

The only module that imports PyYAML. It reads the file (size limit, UTF-8), composes it with
libyaml's safe composer when available (no Python objects are ever constructed from tags), and
then walks the composed tree itself, which is where the safety rules live:

- only the standard JSON-compatible tags (str, int, float, bool, null, timestamp, seq, map);
  custom tags (`!foo`, `!!python/object`) are errors;
- duplicate keys are errors naming both locations (PyYAML silently keeps the last one);
- mapping keys must be strings; merge keys (`<<`) are refused;
- aliases are limited: a "billion laughs" document fails fast instead of expanding;
- nesting is limited, mapping keys included (a complex key is as deep as its value);
- numbers are read as YAML 1.2 reads them, not as PyYAML's YAML 1.1 does: `010` (octal 8 in
  YAML 1.1), `1:00` (base 60: 60), `0x1f`, `0b101` and `1_000` are errors at their line instead of
  silently different values; integers have at most 18 digits and floats must be
  finite (`.inf`, `.nan` and `1e999` are errors).

Timestamps are kept as their source text, so the JSON Schema sees strings and the semantic
checks parse them (quoted or not) the same way. Problems that still leave a usable tree
(duplicate or non-string keys) come back as `RawIssue`s; the rest raise `PlanLoadError`.
"""

from __future__ import annotations

import os
import re
import stat
from dataclasses import dataclass
from typing import Any

import yaml
import yaml.constructor
import yaml.reader

from entra_recovery.errors import PlanLoadError
from entra_recovery.plan.numbers import number_problem

MAX_FILE_BYTES = 1024 * 1024  # a plan is a page of YAML; 1 MiB is generous
MAX_NODES = 20_000  # nodes after alias expansion
MAX_ALIASES = 100  # alias uses per document
MAX_DEPTH = 64

Node = yaml.Node
ScalarNode = yaml.ScalarNode
MappingNode = yaml.MappingNode
SequenceNode = yaml.SequenceNode

LINE_BREAK = re.compile("\r\n|[\r\n\x85\u2028\u2029]")  # YAML's line breaks
_Loader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

_TAG = "tag:yaml.org,2002:"
STR = _TAG + "str"
_SEQ = _TAG + "seq"
_MAP = _TAG + "map"
_MERGE = _TAG + "merge"
_TIMESTAMP = _TAG + "timestamp"
_NULL = _TAG + "null"
_INT = _TAG + "int"
_FLOAT = _TAG + "float"
_CONSTRUCTOR = yaml.constructor.SafeConstructor()
_SCALAR_TAGS = {
    _TAG + name: _CONSTRUCTOR.yaml_constructors[_TAG + name] for name in ("bool", "null")
}


@dataclass(frozen=True)
class RawIssue:
    """A problem found while walking the tree (the loader turns it into an `Issue`)."""

    path: tuple[str | int, ...]
    node: Node
    message: str
    hint: str | None = None
    # The value at `path` is unusable (kept as its source text): schema findings there are noise.
    replaces_value: bool = False


@dataclass(frozen=True)
class Document:
    """A parsed plan file: its text, bytes digest input, composed root node and data."""

    text: str
    raw: bytes
    root: Node
    data: Any
    issues: tuple[RawIssue, ...]


def read_bytes(path: str | os.PathLike[str]) -> bytes:
    """The file's bytes, refusing missing files, folders, anything that is not a regular file
    (a FIFO or a device would block or never end) and files over the size limit."""
    name = os.fspath(path)
    try:
        # O_NONBLOCK: opening a FIFO must not wait for a writer; it is refused just below.
        fd = os.open(name, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except FileNotFoundError:
        raise PlanLoadError("no such file", path=name, hint="check the path") from None
    except IsADirectoryError:
        raise PlanLoadError("is a folder, not a plan file", path=name) from None
    except OSError as exc:
        raise PlanLoadError(f"cannot read the file: {exc.strerror}", path=name) from None
    try:
        mode = os.fstat(fd).st_mode
        if stat.S_ISDIR(mode):
            raise PlanLoadError("is a folder, not a plan file", path=name)
        if not stat.S_ISREG(mode):
            raise PlanLoadError(
                "is not a regular file (a pipe, socket or device)",
                path=name,
                hint="save the plan to a file and pass its path",
            )
        raw = _read_at_most(fd, MAX_FILE_BYTES + 1)
    except OSError as exc:
        raise PlanLoadError(f"cannot read the file: {exc.strerror}", path=name) from None
    finally:
        os.close(fd)
    if len(raw) > MAX_FILE_BYTES:
        read_bytes_limit_error(name)
    return raw


def _read_at_most(fd: int, limit: int) -> bytes:
    chunks: list[bytes] = []
    size = 0
    while size < limit:
        chunk = os.read(fd, limit - size)
        if not chunk:
            break
        chunks.append(chunk)
        size += len(chunk)
    return b"".join(chunks)


def read_bytes_limit_error(name: str) -> None:
    """Raise the size-limit error for `name`."""
    raise PlanLoadError(
        f"the file is larger than {MAX_FILE_BYTES // 1024} KiB",
        path=name,
        hint="a plan is a short YAML document; is this the right file?",
    )


def decode(raw: bytes, path: str) -> str:
    """UTF-8 text (a BOM is allowed); invalid bytes are located by line and column."""
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        before = raw[: exc.start]
        line = before.count(b"\n") + 1
        column = len(before.rsplit(b"\n", 1)[-1].decode("utf-8", "replace")) + 1
        raise PlanLoadError(
            f"not UTF-8: byte 0x{raw[exc.start]:02x} cannot be decoded",
            path=path,
            line=line,
            column=column,
            hint="save the plan as UTF-8",
        ) from None


def compose(text: str, path: str) -> Node:
    """The single document's root node; YAML errors carry the problem's line and column."""
    try:
        root = yaml.compose(text, Loader=_Loader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        problem = exc.problem or "invalid YAML"
        if exc.context and "single document" in exc.context:
            raise PlanLoadError(
                "a plan file holds one YAML document, but another one starts here",
                path=path,
                line=mark.line + 1 if mark else 1,
                column=mark.column + 1 if mark else 1,
                hint="remove the `---` and what follows, or put each plan in its own file",
            ) from None
        if exc.context and exc.context_mark is not None and exc.problem_mark is not None:
            problem = f"{problem} ({exc.context} at line {exc.context_mark.line + 1})"
        raise PlanLoadError(
            f"YAML syntax error: {problem}",
            path=path,
            line=mark.line + 1 if mark else 1,
            column=mark.column + 1 if mark else 1,
            hint="check indentation, quoting and the `key: value` spacing around this spot",
        ) from None
    except yaml.reader.ReaderError as exc:
        before = text[: exc.position]
        line = len(LINE_BREAK.findall(before)) + 1
        column = len(LINE_BREAK.split(before)[-1]) + 1
        character = exc.character if isinstance(exc.character, int) else ord(exc.character)
        raise PlanLoadError(
            f"control character U+{character:04X} is not allowed in YAML",
            path=path,
            line=line,
            column=column,
            hint="remove it (editors often do not show it)",
        ) from None
    except yaml.YAMLError as exc:
        raise PlanLoadError(f"not valid YAML: {exc}", path=path) from None
    if root is None or (isinstance(root, ScalarNode) and root.tag == _NULL):
        raise PlanLoadError(
            "the file is empty",
            path=path,
            hint="start from `entra-recovery plan init`",
        )
    if not isinstance(root, MappingNode):
        kind = "a list" if isinstance(root, SequenceNode) else "a single value"
        raise PlanLoadError(
            f"a plan is a mapping of keys (apiVersion, kind, metadata, ...), not {kind}",
            path=path,
            line=root.start_mark.line + 1,
            column=root.start_mark.column + 1,
            hint="start from `entra-recovery plan init`",
        )
    return root


class _Walker:
    """Turn composed nodes into data, enforcing the safety rules above."""

    def __init__(self, path: str) -> None:
        self.path = path
        self.nodes = 0
        self.aliases = 0
        self.seen: set[int] = set()
        self.active: set[int] = set()
        self.issues: list[RawIssue] = []
        self.top_key: Node | None = None  # the top-level key being walked

    def fail(self, node: Node, message: str, hint: str | None = None) -> PlanLoadError:
        return PlanLoadError(
            message,
            path=self.path,
            line=node.start_mark.line + 1,
            column=node.start_mark.column + 1,
            hint=hint,
        )

    def walk(self, node: Node, where: tuple[str | int, ...], depth: int = 0) -> Any:
        """`node` as data; `where` is its JSON path, `depth` its nesting (keys included)."""
        self.nodes += 1
        key = id(node)
        if key in self.seen:
            self.aliases += 1
            if key in self.active:
                raise self.fail(node, "an alias refers to a node that contains it (recursive)")
            if self.aliases > MAX_ALIASES or self.nodes > MAX_NODES:
                raise self.fail(
                    self.top_key or node,
                    f"too many aliases: the document expands past {MAX_NODES} nodes "
                    f"or {MAX_ALIASES} alias uses",
                    hint="write the values out; plans do not need anchors and aliases",
                )
        elif self.nodes > MAX_NODES:
            raise self.fail(node, f"the document has more than {MAX_NODES} nodes")
        self.seen.add(key)
        if depth > MAX_DEPTH:
            raise self.fail(node, f"nested deeper than {MAX_DEPTH} levels")
        if isinstance(node, ScalarNode):
            return self.scalar(node, where)
        if node.tag not in (_SEQ, _MAP):
            raise self.fail(node, f"custom YAML tag {_short(node.tag)!r} is not allowed", _TAG_HINT)
        self.active.add(key)
        try:
            if isinstance(node, SequenceNode):
                return [
                    self.walk(item, (*where, i), depth + 1) for i, item in enumerate(node.value)
                ]
            assert isinstance(node, MappingNode)
            return self.mapping(node, where, depth)
        finally:
            self.active.discard(key)

    def scalar(self, node: ScalarNode, where: tuple[str | int, ...]) -> Any:
        tag = node.tag
        if tag in (STR, _TIMESTAMP):
            return node.value
        if tag in (_INT, _FLOAT):
            problem = number_problem(node.value, integer=tag == _INT)
            if problem is None:
                return int(node.value) if tag == _INT else float(node.value)
            self.issues.append(RawIssue(where, node, *problem, replaces_value=True))
            return node.value
        construct = _SCALAR_TAGS.get(tag)
        if construct is None:
            if tag == _MERGE:
                raise self.fail(node, "merge keys (<<) are not allowed in plans", _TAG_HINT)
            raise self.fail(node, f"custom YAML tag {_short(tag)!r} is not allowed", _TAG_HINT)
        return construct(_CONSTRUCTOR, node)

    def mapping(
        self, node: MappingNode, where: tuple[str | int, ...], depth: int
    ) -> dict[str, Any]:
        result: dict[str, Any] = {}
        first: dict[str, Node] = {}
        for key_node, value_node in node.value:
            if not where:
                self.top_key = key_node
            key = self.walk(key_node, where, depth + 1)
            if not isinstance(key, str):
                self.issues.append(
                    RawIssue(
                        where,
                        key_node,
                        f"keys must be strings, not {yaml_repr(key)}",
                        hint="quote the key",
                    )
                )
                key = str(key_node.value)
            if key in first:
                earlier = first[key].start_mark
                self.issues.append(
                    RawIssue(
                        (*where, key),
                        key_node,
                        f"duplicate key {key!r} (first defined at line {earlier.line + 1}, "
                        f"column {earlier.column + 1})",
                        hint="keep one of them; YAML would silently use the last",
                    )
                )
            else:
                first[key] = key_node
            result[key] = self.walk(value_node, (*where, key), depth + 1)
        return result


def _short(tag: str) -> str:
    return "!!" + tag[len(_TAG) :] if tag.startswith(_TAG) else tag


_TAG_HINT = "plans are plain YAML: strings, numbers, booleans, lists and mappings"


def yaml_repr(value: Any) -> str:
    """A value as YAML would spell it (null, true, 'text', 3)."""
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    return repr(value)


def parse(raw: bytes, path: str, text: str | None = None) -> Document:
    """Decode (unless `text` is given), compose and walk a plan file's bytes."""
    if text is None:
        text = decode(raw, path)
    root = compose(text, path)
    walker = _Walker(path)
    data = walker.walk(root, ())
    return Document(text=text, raw=raw, root=root, data=data, issues=tuple(walker.issues))

"""
Step 3 of validation, on demand: a JSON path -> a line, column and width in the source.

Walks the composed YAML nodes along a path such as `("scope", "objects", 1, "ids", 0)`. Block
mappings and sequences, and empty values, are reported at their key (that is where a reader
looks); scalars and flow collections at their value. A path that does not exist (a missing
key) falls back to the nearest ancestor that does. Only files with problems are walked, so
valid files pay nothing for this.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from entra_recovery.plan.yaml import MappingNode
from entra_recovery.plan.yaml import Node
from entra_recovery.plan.yaml import ScalarNode
from entra_recovery.plan.yaml import SequenceNode


@dataclass(frozen=True)
class Location:
    """Where a problem is: 1-based line and column, and how many characters to underline."""

    line: int
    column: int
    width: int = 1


def json_path(path: Sequence[str | int]) -> str:
    """`$.scope.objects[1].ids[0]` for `("scope", "objects", 1, "ids", 0)`."""
    parts = ["$"]
    for step in path:
        if isinstance(step, int):
            parts.append(f"[{step}]")
        elif step.isidentifier():
            parts.append(f".{step}")
        else:
            escaped = step.replace("\\", "\\\\").replace("'", "\\'")
            parts.append(f"['{escaped}']")
    return "".join(parts)


def _child(node: Node, step: str | int) -> tuple[Node | None, Node | None]:
    """The (key node, value node) for one step, or (None, None)."""
    if isinstance(node, MappingNode):
        found: tuple[Node | None, Node | None] = (None, None)
        for key_node, value_node in node.value:  # the last duplicate wins, like the data
            if isinstance(key_node, ScalarNode) and key_node.value == str(step):
                found = (key_node, value_node)
        return found
    if isinstance(node, SequenceNode) and isinstance(step, int) and 0 <= step < len(node.value):
        return None, node.value[step]
    return None, None


def _is_empty(node: Node) -> bool:
    return isinstance(node, ScalarNode) and node.value == "" and not node.style


def node_at(root: Node, path: Sequence[str | int]) -> tuple[Node | None, Node]:
    """The key node (when reached through a mapping) and node at `path`, or the nearest
    ancestor's."""
    key: Node | None = None
    node = root
    for step in path:
        child_key, child = _child(node, step)
        if child is None:
            break
        key, node = child_key, child
    return key, node


def key_node_at(root: Node, path: Sequence[str | int]) -> Node | None:
    """The key node of the last step of `path` (for unknown and duplicate keys)."""
    if not path:
        return None
    _, parent = node_at(root, path[:-1])
    key, _ = _child(parent, path[-1])
    return key


def span(node: Node, lines: Sequence[str]) -> Location:
    """The node's start and the width of its first line."""
    start, end = node.start_mark, node.end_mark
    if end.line == start.line:
        width = end.column - start.column
    else:
        text = lines[start.line] if start.line < len(lines) else ""
        width = len(text.rstrip()) - start.column
    return Location(start.line + 1, start.column + 1, max(1, width))


def locate(root: Node, path: Sequence[str | int], lines: Sequence[str]) -> Location:
    """Where to point for a problem with the value at `path`."""
    key, node = node_at(root, path)
    point_at_key = key is not None and (
        _is_empty(node)
        or (not isinstance(node, ScalarNode) and not getattr(node, "flow_style", False))
    )
    if point_at_key and key is not None:
        return span(key, lines)
    where = span(node, lines)
    if not isinstance(node, ScalarNode) and node.start_mark.line != node.end_mark.line:
        return Location(where.line, where.column, 1)  # a block collection without a key
    return where

"""
Valid plans as data, and a YAML writer that records where it put every key and value.

The caret property tests in `test_properties.py` write a plan in a random style (block or flow
collections, indentation, indentless sequences, comments, blank lines, plain or quoted scalars,
CRLF), make one known value wrong and check that the validator points exactly where this writer
says the wrong node starts. The writer is the oracle, so it checks itself: whatever it writes
must parse back to the data it was given.
"""

from __future__ import annotations

import functools
import json
import random
from dataclasses import dataclass
from dataclasses import field
from typing import Any

from hypothesis import strategies as st

from entra_recovery.constants import ENTITY_TYPES
from entra_recovery.constants import RECOVERY_ACTIONS
from entra_recovery.errors import PlanLoadError
from entra_recovery.plan import yaml as plan_yaml
from entra_recovery.report import RENDERERS

Path = tuple[str | int, ...]


@dataclass(frozen=True)
class Spot:
    """Where the writer put a token: 1-based line and column, and the token's width."""

    line: int
    column: int
    text: str

    @property
    def width(self) -> int:
        return len(self.text)


class Block:
    """A collection the writer must put in block style (a mutation's replacement value)."""

    def __init__(self, value: dict[str, Any] | list[Any]) -> None:
        self.value = value


@dataclass
class Written:
    """The YAML text and, per path, where its key and its value start."""

    lines: list[str] = field(default_factory=list)
    keys: dict[Path, Spot] = field(default_factory=dict)
    values: dict[Path, Spot] = field(default_factory=dict)
    block: set[Path] = field(default_factory=set)  # paths written as block collections
    empty: set[Path] = field(default_factory=set)  # null written as nothing after `key:`


def _guids(draw: st.DrawFn, count: int, prefix: str) -> list[str]:
    base = draw(st.integers(0, 0xFFFF))
    upper = draw(st.booleans())
    ids = [f"{prefix}{base:04x}-0001-4000-8000-{n:012x}" for n in range(1, count + 1)]
    return [i.upper() for i in ids] if upper else ids


@st.composite
def plans(draw: st.DrawFn) -> dict[str, Any]:
    """A valid plan, varied in which optional parts it has and how long its lists are."""
    mode = draw(st.sampled_from(["preview", "apply", None]))
    metadata: dict[str, Any] = {"name": draw(st.sampled_from(["a", "rollback-ca-4711", "x9"]))}
    if draw(st.booleans()):
        metadata["description"] = draw(
            st.sampled_from(["Undo CA edits", "a: b # not a comment", "yes", "two\nlines"])
        )
    if mode == "apply" or draw(st.booleans()):
        metadata["change"] = draw(st.sampled_from(["CHG0012345", "4711", "INC-1"]))
    if draw(st.booleans()):
        metadata["owner"] = "identity-ops@contoso.com"
    if draw(st.booleans()):
        metadata["reviewers"] = ["alice@contoso.com", "bob@contoso.com"][: draw(st.integers(0, 2))]
    if draw(st.booleans()):
        metadata["labels"] = {"team": "identity", "incident": "4711", "cost.center": "42"}
    data: dict[str, Any] = {
        "apiVersion": "entra-recovery/v1",
        "kind": "RecoveryPlan",
        "metadata": metadata,
        "tenant": _guids(draw, 1, "5f0c")[0],
        "snapshot": draw(
            st.sampled_from(
                [
                    {"latest": True},
                    {"id": "MjAyNi0xMS0yN1QwMjozMDowMFo="},
                    {"before": "2026-11-27T08:00:00Z"},
                    {"before": "2026-11-27 08:00:00 +01:00"},
                ]
            )
        ),
    }
    if draw(st.booleans()):
        types = draw(st.lists(st.sampled_from(ENTITY_TYPES), min_size=1, max_size=3, unique=True))
        data["scope"] = {"entityTypes": types}
    else:
        types = draw(st.lists(st.sampled_from(ENTITY_TYPES), min_size=1, max_size=2, unique=True))
        data["scope"] = {
            "objects": [
                {"entityType": t, "ids": _guids(draw, draw(st.integers(1, 2)), f"a{n}b2")}
                for n, t in enumerate(types)
            ]
        }
    if mode is not None:
        data["mode"] = mode
    if draw(st.booleans()):
        guards: dict[str, Any] = {"maxChanges": draw(st.integers(1, 500))}
        if draw(st.booleans()):
            guards["allowedActions"] = draw(
                st.lists(st.sampled_from(RECOVERY_ACTIONS), min_size=1, max_size=3, unique=True)
            )
        if draw(st.booleans()):
            guards["protectedObjects"] = _guids(draw, draw(st.integers(0, 2)), "c9d9")
        data["guards"] = guards
    if draw(st.booleans()):
        data["approval"] = {"fingerprint": "sha256:" + "0f" * 32, "approvedBy": ["alice@x.com"]}
    if draw(st.booleans()):
        data["report"] = {
            "formats": draw(
                st.lists(st.sampled_from(list(RENDERERS)), min_size=1, max_size=2, unique=True)
            )
        }
    return data


@functools.cache
def _reads_back(token: str, value: Any, flow: bool) -> bool:
    """Whether `token`, written plain as a mapping value (in a flow list), reads as `value`."""
    text = f"k: [{token}]\n" if flow else f"k: {token}\n"
    try:
        data = plan_yaml.parse(text.encode(), "t.yaml").data
    except PlanLoadError:
        return False
    got = data["k"][0] if flow else data["k"]
    return bool(got == value and type(got) is type(value))


class Writer:
    """Writes plan data as YAML in a style drawn from `rnd`, recording every token's spot."""

    def __init__(self, rnd: random.Random) -> None:
        self.rnd = rnd
        self.out = Written()
        self.newline = rnd.choice(["\n", "\n", "\r\n"])

    def write(self, data: dict[str, Any]) -> tuple[bytes, Written]:
        """The document's bytes (sometimes with a BOM) and where everything is."""
        if self.rnd.random() < 0.3:
            self.out.lines.append("# yaml-language-server: $schema=recovery-plan.schema.json")
        if self.rnd.random() < 0.2:
            self.out.lines.append("---")
        self._block_mapping(data, (), 0, None)
        text = self.newline.join(self.out.lines) + self.newline
        bom = "\ufeff" if self.rnd.random() < 0.1 else ""
        return (bom + text).encode(), self.out

    # -- scalars ---------------------------------------------------------------------------

    def _scalar(self, value: Any, flow: bool) -> str:
        if value is None:
            return self.rnd.choice(["null", "~", "Null"])
        if isinstance(value, bool):
            return self.rnd.choice(["true", "True"] if value else ["false", "False"])
        if isinstance(value, int | float):
            return repr(value)
        assert isinstance(value, str)
        styles = ["single", "double"]
        if "\n" not in value and _reads_back(value, value, flow):
            styles += ["plain", "plain"]
        style = self.rnd.choice(styles)
        if style == "plain":
            return value
        if style == "single" and "\n" not in value:
            return "'" + value.replace("'", "''") + "'"
        return json.dumps(value, ensure_ascii=False)

    def _key(self, key: str, flow: bool) -> str:
        return self._scalar(key, flow)

    # -- flow collections, on the current line -------------------------------------------------

    def _flow(self, value: Any, path: Path, line: int, column: int) -> str:
        """Flow text for `value` starting at `column` (1-based) of `line`; records spots."""
        if isinstance(value, Block):
            value = value.value
        if isinstance(value, dict):
            text = self.rnd.choice(["{", "{ "])
            for n, (key, item) in enumerate(value.items()):
                if n:
                    text += self.rnd.choice([", ", ",", " , "])
                key_token = self._key(key, True)
                self.out.keys[(*path, key)] = Spot(line, column + len(text), key_token)
                text += key_token + self.rnd.choice([": ", ":  "])
                text += self._flow(item, (*path, key), line, column + len(text))
            text += self.rnd.choice(["}", " }"]) if value else "}"
        elif isinstance(value, list):
            text = self.rnd.choice(["[", "[ "])
            for n, item in enumerate(value):
                if n:
                    text += self.rnd.choice([", ", ",", " , "])
                text += self._flow(item, (*path, n), line, column + len(text))
            text += self.rnd.choice(["]", " ]"]) if value else "]"
        else:
            text = self._scalar(value, True)
        self.out.values[path] = Spot(line, column, text)
        return text

    # -- block collections ---------------------------------------------------------------------

    def _as_block(self, value: Any) -> bool:
        if isinstance(value, Block):
            return True
        if not isinstance(value, dict | list) or not value:
            return False
        return self.rnd.random() < 0.6

    def _comment(self, indent: int) -> None:
        roll = self.rnd.random()
        if roll < 0.1:
            self.out.lines.append(" " * indent + "# a comment: with [yaml] {chars}")
        elif roll < 0.15:
            self.out.lines.append("")

    def _trailing(self) -> str:
        return self.rnd.choice(["", "", "", "  # note", " #: x"])

    def _block_mapping(
        self, value: dict[str, Any], path: Path, indent: int, lead: str | None
    ) -> None:
        """Write a block mapping; `lead` is the `- ` prefix when it starts a sequence item."""
        self.out.block.add(path)
        for n, (key, item) in enumerate(value.items()):
            if lead is not None and n == 0:
                prefix = lead
            else:
                self._comment(indent)
                prefix = " " * indent
            line = len(self.out.lines) + 1
            key_token = self._key(key, False)
            self.out.keys[(*path, key)] = Spot(line, len(prefix) + 1, key_token)
            head = prefix + key_token + ":"
            self._value_after(head, item, (*path, key), indent, line)

    def _value_after(self, head: str, item: Any, path: Path, indent: int, line: int) -> None:
        if self._as_block(item):
            self.out.lines.append(head + self._trailing())
            inner = item.value if isinstance(item, Block) else item
            if isinstance(inner, dict):
                self._block_mapping(inner, path, indent + self.rnd.choice([1, 2, 4]), None)
            else:
                self.out.block.add(path)
                self._block_sequence(inner, path, indent + self.rnd.choice([0, 2, 3]))
            return
        if item is None and self.rnd.random() < 0.5:
            self.out.empty.add(path)
            self.out.values[path] = Spot(line, len(head) + 1, "")
            self.out.lines.append(head + self._trailing())
            return
        if isinstance(item, str) and "\n" in item and self.rnd.random() < 0.7:
            self.out.values[path] = Spot(line, len(head) + 2, "|-")
            self.out.lines.append(head + " |-")
            self.out.lines.extend(" " * (indent + 2) + part for part in item.split("\n"))
            return
        head += self.rnd.choice([" ", " ", "   "])
        text = self._flow(item, path, line, len(head) + 1)
        self.out.lines.append(head + text + self._trailing())

    def _block_sequence(self, value: list[Any], path: Path, indent: int) -> None:
        for n, item in enumerate(value):
            self._comment(indent)
            line = len(self.out.lines) + 1
            if isinstance(item, dict) and item and self._as_block(item):
                self._block_mapping(item, (*path, n), indent + 2, " " * indent + "- ")
                first = self.out.keys[(*path, n, next(iter(item)))]
                # a block collection without a key of its own: its first character
                self.out.values[(*path, n)] = Spot(line, first.column, first.text[0])
                continue
            head = " " * indent + self.rnd.choice(["- ", "-  "])
            text = self._flow(item, (*path, n), line, len(head) + 1)
            self.out.lines.append(head + text + self._trailing())

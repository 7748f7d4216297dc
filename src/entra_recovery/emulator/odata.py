"""
OData query options, exactly as far as the reference documents them per route.

`parse_query` validates `$top` (default 100, 1..999), `$skip`, `$select`, `$filter`,
`$orderby` and `$skiptoken` against what the route allows (reference section 2.2); anything
else, `$count`, `$expand` and `$search` included, is a 400 (code `BadRequest`) whose message
names the option and what the route does take. `$filter` supports `prop eq|ne literal`,
`startswith(prop,'text')`, `and`, `or`, `not` is not supported, and parentheses.
Literals: 'quoted strings', unquoted `YYYY-MM-DDTHH:MM:SSZ` for date-time properties, `null`.
Paging uses an opaque `$skiptoken` (base64url of the next offset).
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from dataclasses import field
from typing import Any

from entra_recovery.emulator.errors import EmulatorHttpError
from entra_recovery.emulator.errors import bad_request
from entra_recovery.emulator.state import parse_iso

DEFAULT_TOP = 100
MAX_TOP = 999

Getter = Callable[[str], Any]
Predicate = Callable[[Getter], bool]


@dataclass(frozen=True)
class Options:
    """What a route accepts: option names, filterable props (-> operators), orderable props."""

    allowed: frozenset[str]
    filterable: dict[str, frozenset[str]] = field(default_factory=dict)
    datetimes: frozenset[str] = frozenset()
    enums: dict[str, frozenset[str]] = field(default_factory=dict)
    orderable: frozenset[str] = frozenset()
    selectable: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Query:
    top: int = DEFAULT_TOP
    skip: int = 0
    select: tuple[str, ...] | None = None
    predicate: Predicate | None = None
    orderby: tuple[tuple[str, bool], ...] = ()
    offset: int = 0
    keep: tuple[tuple[str, str], ...] = ()


def encode_skiptoken(offset: int) -> str:
    raw = json.dumps({"o": offset}, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_skiptoken(token: str) -> int:
    try:
        data = json.loads(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))
        offset = data["o"]
    except (binascii.Error, ValueError, KeyError, TypeError):
        raise bad_request("The $skiptoken is invalid or was not issued by this service.") from None
    if not isinstance(offset, int) or offset < 0:
        raise bad_request("The $skiptoken is invalid or was not issued by this service.")
    return offset


def _int(name: str, text: str, low: int, high: int | None) -> int:
    if not re.fullmatch(r"\d+", text):
        raise bad_request(f"Invalid value '{text}' for query option {name}: expected an integer.")
    value = int(text)
    if value < low or (high is not None and value > high):
        bound = f"between {low} and {high}" if high is not None else f"at least {low}"
        raise bad_request(f"Invalid value {value} for query option {name}: must be {bound}.")
    return value


def parse_query(params: dict[str, str], options: Options) -> Query:
    """Validate the `$` options of one request against the route's `options`."""
    values: dict[str, Any] = {}
    keep: list[tuple[str, str]] = []
    for name, text in params.items():
        if not name.startswith("$"):
            continue
        if name not in options.allowed and name != "$skiptoken":
            raise _unsupported(name, options)
        if name == "$skiptoken" and "$top" not in options.allowed:
            raise _unsupported(name, options)
        if name == "$top":
            values["top"] = _int(name, text, 1, MAX_TOP)
        elif name == "$skip":
            values["skip"] = _int(name, text, 0, None)
        elif name == "$skiptoken":
            values["offset"] = decode_skiptoken(text)
            continue
        elif name == "$select":
            values["select"] = _select(text, options)
        elif name == "$filter":
            values["predicate"] = FilterParser(text, options).parse()
        elif name == "$orderby":
            values["orderby"] = _orderby(text, options)
        keep.append((name, text))
    return Query(keep=tuple(keep), **values)


def _unsupported(name: str, options: Options) -> EmulatorHttpError:
    """400 for an option the reference does not list on this route (strict, style E)."""
    allowed = ", ".join(sorted(options.allowed)) or "none"
    return bad_request(
        f"Query option '{name}' is not supported on this resource "
        f"(documented options here: {allowed})."
    )


def _select(text: str, options: Options) -> tuple[str, ...]:
    names = tuple(part.strip() for part in text.split(","))
    for name in names:
        if not name or (options.selectable and name not in options.selectable):
            raise bad_request(f"Could not find a property named '{name}' for $select.")
    return names


def _orderby(text: str, options: Options) -> tuple[tuple[str, bool], ...]:
    result = []
    for part in text.split(","):
        words = part.split()
        if not words or len(words) > 2 or (len(words) == 2 and words[1] not in ("asc", "desc")):
            raise bad_request(f"Invalid $orderby clause '{part.strip()}'.")
        if words[0] not in options.orderable:
            allowed = ", ".join(sorted(options.orderable)) or "nothing"
            raise bad_request(f"$orderby on '{words[0]}' is not supported (supported: {allowed}).")
        result.append((words[0], len(words) == 2 and words[1] == "desc"))
    return tuple(result)


_TOKEN = re.compile(
    r"\s*(?:(?P<str>'(?:[^']|'')*')|(?P<dt>\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?Z)"
    r"|(?P<punct>[(),])|(?P<word>[A-Za-z_@.][\w@.]*))"
)


class FilterParser:
    """Recursive-descent parser for the small documented `$filter` subset."""

    def __init__(self, text: str, options: Options) -> None:
        self.text = text
        self.options = options
        self.tokens: list[tuple[str, str]] = []
        position = 0
        while position < len(text):
            if not text[position:].strip():
                break
            match = _TOKEN.match(text, position)
            if not match:
                raise bad_request(f"Invalid $filter: syntax error at position {position}.")
            kind = match.lastgroup or ""
            self.tokens.append((kind, match.group(kind)))
            position = match.end()
        self.at = 0

    def _peek(self) -> tuple[str, str] | None:
        return self.tokens[self.at] if self.at < len(self.tokens) else None

    def _next(self, what: str) -> tuple[str, str]:
        token = self._peek()
        if token is None:
            raise bad_request(f"Invalid $filter '{self.text}': expected {what} at the end.")
        self.at += 1
        return token

    def parse(self) -> Predicate:
        predicate = self._or()
        if self._peek() is not None:
            raise bad_request(f"Invalid $filter '{self.text}': unexpected '{self._peek()[1]}'.")  # type: ignore[index]
        return predicate

    def _or(self) -> Predicate:
        left = self._and()
        while self._peek() == ("word", "or"):
            self.at += 1
            right = self._and()
            left = (lambda a, b: lambda get: a(get) or b(get))(left, right)
        return left

    def _and(self) -> Predicate:
        left = self._term()
        while self._peek() == ("word", "and"):
            self.at += 1
            right = self._term()
            left = (lambda a, b: lambda get: a(get) and b(get))(left, right)
        return left

    def _term(self) -> Predicate:
        kind, value = self._next("a comparison")
        if (kind, value) == ("punct", "("):
            inner = self._or()
            if self._next("')'") != ("punct", ")"):
                raise bad_request(f"Invalid $filter '{self.text}': expected ')'.")
            return inner
        if kind != "word":
            raise bad_request(f"Invalid $filter '{self.text}': unexpected '{value}'.")
        if value == "startswith":
            return self._startswith()
        prop = self._property(value)
        _, op = self._next("an operator")
        if op not in ("eq", "ne"):
            raise bad_request(
                f"Invalid $filter '{self.text}': operator '{op}' is not supported "
                "(supported: eq, ne, startswith)."
            )
        self._operator_allowed(prop, op)
        literal = self._literal(prop)
        if op == "eq":
            return lambda get: _equal(get(prop), literal, prop in self.options.datetimes)
        return lambda get: not _equal(get(prop), literal, prop in self.options.datetimes)

    def _startswith(self) -> Predicate:
        if self._next("'('") != ("punct", "("):
            raise bad_request(f"Invalid $filter '{self.text}': expected '(' after startswith.")
        prop = self._property(self._next("a property")[1])
        self._operator_allowed(prop, "startswith")
        if self._next("','") != ("punct", ","):
            raise bad_request(f"Invalid $filter '{self.text}': expected ','.")
        kind, raw = self._next("a string")
        if kind != "str":
            raise bad_request(f"Invalid $filter '{self.text}': startswith needs a quoted string.")
        if self._next("')'") != ("punct", ")"):
            raise bad_request(f"Invalid $filter '{self.text}': expected ')'.")
        prefix = raw[1:-1].replace("''", "'").lower()
        return lambda get: (
            isinstance(get(prop), str) and bool(str(get(prop)).lower().startswith(prefix))
        )

    def _property(self, name: str) -> str:
        if name not in self.options.filterable:
            allowed = ", ".join(sorted(self.options.filterable)) or "nothing"
            raise bad_request(
                f"Invalid $filter: filtering on property '{name}' is not supported "
                f"(supported: {allowed})."
            )
        return name

    def _operator_allowed(self, prop: str, op: str) -> None:
        if op not in self.options.filterable[prop]:
            raise bad_request(
                f"Invalid $filter: operator '{op}' is not supported on property '{prop}'."
            )

    def _literal(self, prop: str) -> Any:
        kind, raw = self._next("a value")
        if kind == "word" and raw == "null":
            return None
        if prop in self.options.datetimes:
            if kind != "dt":
                raise bad_request(
                    f"Invalid $filter: '{prop}' needs a date-time literal such as "
                    "2026-11-28T02:30:00Z (unquoted)."
                )
            return parse_iso(raw)
        if kind != "str":
            raise bad_request(f"Invalid $filter: value for '{prop}' must be a quoted string.")
        value = raw[1:-1].replace("''", "'")
        members = self.options.enums.get(prop)
        if members is not None and value not in members:
            raise bad_request(f"Invalid $filter: '{value}' is not a valid value for '{prop}'.")
        return value


def _equal(actual: Any, literal: Any, is_datetime: bool) -> bool:
    if is_datetime and isinstance(actual, str) and literal is not None:
        return bool(parse_iso(actual) == literal)
    return bool(actual == literal)

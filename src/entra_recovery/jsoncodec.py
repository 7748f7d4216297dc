"""
JSON through msgspec, with the standard library as the fallback: the one seam for that trick.

What it buys: msgspec parses and writes JSON several times faster than `json` and keeps integers
of any size exact, which is most of the client-side cost of a 100,000-change preview (parsing
Graph's pages, hashing the fingerprint records, writing report lines and the saved index).
What it costs: msgspec refuses a few inputs that `json` takes (a lone surrogate such as
"\\ud800", a byte-order mark, nesting beyond its limit) and writes floats differently
(`1.5e-05` as `0.000015`). So every call here tries msgspec first and, on any refusal, gives the
input to `json`, which returns the same value or raises the same kind of error; and nothing
whose bytes are a contract (the fingerprint) takes the msgspec path for floats.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any
from typing import Final

import msgspec

REFUSED: Final = (msgspec.EncodeError, msgspec.DecodeError, TypeError, ValueError, RecursionError)
"""What msgspec raises for an input it will not take (a lone surrogate is a UnicodeError)."""


def decode(body: bytes) -> tuple[Any, bool]:
    """
    Parse JSON bytes strictly (`NaN`, `Infinity` and `-Infinity` are not JSON), and say whether
    any number in them is a float (has a fraction or an exponent).

    Raises:
        ValueError: the bytes are not JSON (or not UTF-8).
        RecursionError: nesting deeper than the standard parser allows.
    """
    floats = False

    def parse_float(text: str) -> float:
        nonlocal floats
        floats = True
        return float(text)

    try:
        return msgspec.json.Decoder(float_hook=parse_float).decode(body), floats
    except REFUSED:
        floats = False
    data = json.loads(body.decode("utf-8"), parse_float=parse_float, parse_constant=_not_json)
    return data, floats


def encode(value: Any, fast: msgspec.json.Encoder, slow: Callable[[Any], bytes]) -> bytes:
    """`fast.encode(value)`, or `slow(value)` when msgspec refuses the value.

    The caller promises that both give the same bytes for every value msgspec accepts (the
    property tests hold each pair equal).
    """
    try:
        return fast.encode(value)
    except REFUSED:
        return slow(value)


def _not_json(token: str) -> Any:
    raise ValueError(f"{token} is not a JSON value")

"""jsoncodec: msgspec first, the standard library when msgspec refuses, one behaviour for both."""

from __future__ import annotations

import json
from typing import Any

import msgspec
import pytest
from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st

from entra_recovery import jsoncodec

ENCODER = msgspec.json.Encoder()
JSON_VALUES = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(2**70), 2**70)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=8),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=6), inner, max_size=4)
    ),
    max_leaves=12,
)


def _has_float(value: Any) -> bool:
    if isinstance(value, float):
        return True
    if isinstance(value, dict):
        return any(_has_float(v) for v in value.values())
    if isinstance(value, list):
        return any(_has_float(v) for v in value)
    return False


@settings(max_examples=200, deadline=None, database=None)
@given(value=JSON_VALUES, ascii_only=st.booleans())
def test_decode_equals_json_loads_on_what_json_dumps_writes(value: Any, ascii_only: bool) -> None:
    """For any text json.dumps writes, decode gives json.loads' value (types included) and says
    whether it held a float."""
    text = json.dumps(value, ensure_ascii=ascii_only)
    try:
        body = text.encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate written raw: not UTF-8, so not our input
        body = json.dumps(value).encode("utf-8")
    data, floats = jsoncodec.decode(body)
    assert json.dumps(data) == json.dumps(json.loads(body))
    assert floats == _has_float(value)


@pytest.mark.parametrize(
    "body,expected,floats",
    [
        (b'{"a": 1}', {"a": 1}, False),
        (b"1.5", 1.5, True),
        (b"1e3", 1000.0, True),
        (b"[1, 2.0]", [1, 2.0], True),
        (b"123456789012345678901234567890", 123456789012345678901234567890, False),
    ],
)
def test_decode_reports_floats(body: bytes, expected: Any, floats: bool) -> None:
    """A fraction or an exponent anywhere counts as a float; big integers stay exact."""
    data, seen = jsoncodec.decode(body)
    assert (repr(data), seen) == (repr(expected), floats)  # repr: 1000.0 is not 1000


@pytest.mark.parametrize("body", [b"NaN", b"[1, Infinity]", b'{"a": -Infinity}'])
def test_decode_refuses_nan_and_infinity(body: bytes) -> None:
    """NaN and the infinities are not JSON, even though `json.loads` would take them."""
    with pytest.raises(ValueError, match="is not a JSON value"):
        jsoncodec.decode(body)


@pytest.mark.parametrize(
    "body,expected,floats",
    [
        (b'"\\ud800"', "\ud800", False),
        (b'{"k": "a\\udfffb", "n": 1}', {"k": "a\udfffb", "n": 1}, False),
        (b'[1.5, "\\ud800"]', [1.5, "\ud800"], True),  # msgspec saw the float, then gave up
    ],
)
def test_decode_falls_back_for_lone_surrogates(body: bytes, expected: Any, floats: bool) -> None:
    """msgspec refuses an escaped lone surrogate; the json fallback reads it."""
    with pytest.raises(msgspec.DecodeError):
        msgspec.json.decode(body)
    assert jsoncodec.decode(body) == (expected, floats)


@pytest.mark.parametrize(
    "body",
    [
        b"\xef\xbb\xbf{}",  # a byte-order mark: msgspec refuses, and so does the fallback
        b"\xff",
        b"",
        b'{"a": 1} x',
    ],
)
def test_decode_refuses_what_is_not_json(body: bytes) -> None:
    """Not JSON (or not UTF-8) is a ValueError whichever parser saw it last."""
    with pytest.raises(ValueError):
        jsoncodec.decode(body)


def test_decode_refuses_deep_nesting_with_recursion_error() -> None:
    """Nesting past the standard parser's limit is a RecursionError, not a crash."""
    with pytest.raises(RecursionError):
        jsoncodec.decode(b"[" * 100_000 + b"]" * 100_000)


def test_encode_uses_msgspec_when_it_accepts() -> None:
    """A value msgspec takes is its bytes; the slow path is not called."""

    def slow(value: Any) -> bytes:
        raise AssertionError("the fallback was used")

    assert jsoncodec.encode({"a": [1, "x"]}, ENCODER, slow) == b'{"a":[1,"x"]}'


def test_encode_falls_back_when_msgspec_refuses() -> None:
    """A value msgspec will not encode goes to the slow encoder instead of failing."""

    class Custom:
        pass

    assert jsoncodec.encode({"a": Custom()}, ENCODER, lambda value: b"slow") == b"slow"

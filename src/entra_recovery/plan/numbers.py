"""
Numbers in plan files: YAML 1.2's plain decimals, and why anything else YAML 1.1 calls a number
is refused.

Used by `plan.yaml` while it walks the composed tree: PyYAML resolves scalars the YAML 1.1 way,
where `010` is 8, `1:00` is 60 and `0x1f`, `0b101`, `1_000`, `.inf` are numbers too. A plan
that says `maxChanges: 010` must not silently mean 8, so only the decimal forms YAML 1.2 and
JSON share are numbers; the rest are errors at their node, with a hint to quote text.
"""

from __future__ import annotations

import math
import re
from typing import Final

MAX_INT_DIGITS: Final = 18  # plans hold small counts; this keeps every integer inside 64 bits
MAX_FLOAT_CHARS: Final = 64
_DECIMAL_INT = re.compile(r"[-+]?(?:0|[1-9][0-9]*)")
_DECIMAL_FLOAT = re.compile(r"[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?")


def number_problem(text: str, *, integer: bool) -> tuple[str, str] | None:
    """Why a scalar YAML 1.1 resolved as a number is refused (message, hint), or None.

    Only YAML 1.2's decimal forms are numbers here; an integer has at most `MAX_INT_DIGITS`
    digits and a float must be finite. Checked on the source text, before any conversion, so a
    megabyte of digits or of `1:1:1:...` costs a regular expression, not a big-integer loop.
    """
    if integer:
        if _DECIMAL_INT.fullmatch(text) is None:
            return _yaml11_number(text)
        digits = len(text.lstrip("+-"))
        if digits > MAX_INT_DIGITS:
            return (
                f"an integer of {digits} digits is too large (at most {MAX_INT_DIGITS})",
                "quote it if it is text",
            )
        return None
    if len(text) > MAX_FLOAT_CHARS or _DECIMAL_FLOAT.fullmatch(text) is None:
        return _yaml11_number(text)
    if not math.isfinite(float(text)):
        return f"{_clip(text)} is too large a number", "quote it if it is text"
    return None


def _clip(text: str, limit: int = 40) -> str:
    return repr(text) if len(text) <= limit else repr(text[:limit]) + "..."


def _yaml11_number(text: str) -> tuple[str, str]:
    """The message and hint for a number that YAML 1.1 (PyYAML) reads differently than 1.2."""
    bare = text.lstrip("+-")
    if ":" in bare:
        reading = "a base-60 number (YAML 1.1 reads 1:30 as 90)"
    elif bare.lower().startswith(("0x", "0b", "0o")):
        reading = "a hexadecimal, binary or octal number"
    elif "_" in bare:
        reading = "a number with '_' separators"
    elif bare.startswith("0") and bare[1:2].isdigit():
        reading = "a YAML 1.1 octal number (010 reads as 8)"
    elif bare.lower() in (".inf", ".nan"):
        reading = "not a finite number"
    else:
        reading = "not a plain decimal number"
    return (
        f"{_clip(text)} is {reading}; plans take plain decimal numbers",
        "write the number in decimal without leading zeros, or quote it if it is text",
    )

"""report.text: tenant text made safe, values on one line, the action words and summary lines."""

from __future__ import annotations

import pytest

from entra_recovery.diff import ABSENT
from entra_recovery.diff import PropertyChange
from entra_recovery.diff import build_diff
from entra_recovery.diff.builder import object_change_from_raw
from entra_recovery.report.text import action_symbol
from entra_recovery.report.text import action_verb
from entra_recovery.report.text import clean
from entra_recovery.report.text import format_value
from entra_recovery.report.text import object_heading
from entra_recovery.report.text import property_symbol
from entra_recovery.report.text import quote
from entra_recovery.report.text import summary_line
from entra_recovery.report.text import totals_line
from helpers import report_samples as s


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("plain é 😀 ünïcode", "plain é 😀 ünïcode"),
        ("\x1b[31mred\x07", "\\u001b[31mred\\u0007"),
        ("line\nbreak\ttab\x7f", "line\\u000abreak\\u0009tab\\u007f"),
        ("c1 \x85 and \x9f", "c1 \\u0085 and \\u009f"),
        ("lone \ud800 \udfff", "lone \\ud800 \\udfff"),
        ("non-characters \ufffe\uffff", "non-characters \\ufffe\\uffff"),
    ],
)
def test_clean_spells_out_what_a_terminal_or_xml_cannot_take(text: str, shown: str) -> None:
    """Control characters, lone surrogates and U+FFFE/U+FFFF become `\\uXXXX`; the rest stays."""
    assert clean(text) == shown
    clean(text).encode("utf-8")


@pytest.mark.parametrize(
    ("value", "max_chars", "text"),
    [
        (ABSENT, 0, "(absent)"),
        (None, 0, "null"),
        (True, 0, "true"),
        ("é\x1b", 0, '"é\\u001b"'),
        ({"a": [1, 2]}, 0, '{"a": [1, 2]}'),
        ("abcdefghij", 6, '"abcd…'),
        ("abcdefghij", 12, '"abcdefghij"'),
        ("abcdefghij", 1, '"…'),
        (2**70, 0, "1180591620717411303424"),
    ],
)
def test_format_value(value: object, max_chars: int, text: str) -> None:
    """JSON on one line, cut with `…` at max_chars (0: never)."""
    assert format_value(value, max_chars) == text


def test_quote_is_a_clean_json_string() -> None:
    """Quotes and control characters escaped, non-ASCII kept."""
    assert quote('say "hi"\x1b é') == '"say \\"hi\\"\\u001b é"'


@pytest.mark.parametrize(
    ("current", "snapshot", "symbol"),
    [(ABSENT, "x", "+"), ("x", ABSENT, "-"), ("x", "y", "~"), (None, "y", "~"), ("x", None, "~")],
)
def test_property_symbol(current: object, snapshot: object, symbol: str) -> None:
    """`+` the recovery sets an absent value, `-` it drops one, `~` otherwise (null is a value)."""
    assert property_symbol(PropertyChange("p", current, snapshot)) == symbol


@pytest.mark.parametrize(
    ("action", "symbol", "verb"),
    [
        ("update", "~", "will be updated"),
        ("restore", "+", "will be restored"),
        ("softDelete", "-", "will be soft-deleted"),
        ("quarantine", "?", 'action "quarantine" (unknown to entra-recovery, shown as sent)'),
    ],
)
def test_action_words(action: str, symbol: str, verb: str) -> None:
    """Known actions have a symbol and verb; others are `?` and shown as sent."""
    assert (action_symbol(action), action_verb(action)) == (symbol, verb)


def test_object_heading() -> None:
    """Type, quoted name and id; without a name the id alone; without an id `(no id)`."""
    named = object_change_from_raw(s.CA_MFA_ADMINS)
    assert object_heading(named) == (
        'conditionalAccessPolicy "Require MFA for administrators" '
        "(c3d4e5f6-0001-4000-8000-000000000001)"
    )
    unnamed = object_change_from_raw(s.UNKNOWN_TYPE_AND_ACTION)
    assert object_heading(unnamed) == "crossTenantAccessPolicy f6a7b8c9-0001-4000-8000-000000000001"
    assert object_heading(object_change_from_raw({"entityTypeName": "user"})) == "user (no id)"


def test_summary_and_totals_lines() -> None:
    """terraform-like counts, unknown actions named; an empty diff says so."""
    diff = build_diff(s.demo_changes())
    assert summary_line(diff) == (
        'Plan: 7 to update, 1 to restore, 1 to soft-delete, 1 other ("quarantine": 1).'
    )
    assert totals_line(diff) == "10 object(s), 13 property change(s), 6 link change(s)"
    empty = build_diff([])
    assert summary_line(empty) == "No changes. The tenant matches the snapshot for this scope."
    assert totals_line(empty) == "0 object(s), 0 property change(s), 0 link change(s)"

"""Characters a reviewer cannot see are spelled out in every human report, never hidden."""

from __future__ import annotations

import json

import pytest

from entra_recovery.diff import build_diff
from entra_recovery.diff import fingerprint
from entra_recovery.report import RENDERERS
from entra_recovery.report import RenderOptions
from entra_recovery.report.text import clean
from helpers import report_samples as s

RLO = "\u202e"  # RIGHT-TO-LEFT OVERRIDE: "ad\u202enim" displays as "adwin"-like reversed text


def _change(name: str, value: str) -> dict[str, object]:
    return {
        "entityTypeName": "user",
        "id": "a1b2c3d4-0001-4000-8000-000000000001",
        "displayName": name,
        "recoveryAction": "update",
        "deltaFromCurrent": {"jobTitle": value},
        "currentState": {"jobTitle": "Engineer"},
    }


@pytest.mark.parametrize(
    ("char", "shown"),
    [
        (RLO, "<U+202E>"),
        ("\u2066", "<U+2066>"),  # LEFT-TO-RIGHT ISOLATE
        ("\u200b", "<U+200B>"),  # ZERO WIDTH SPACE
        ("\u2060", "<U+2060>"),  # WORD JOINER
        ("\ufeff", "<U+FEFF>"),  # ZERO WIDTH NO-BREAK SPACE
        ("\u00ad", "<U+00AD>"),  # SOFT HYPHEN
        ("\u2028", "<U+2028>"),  # LINE SEPARATOR
        ("\U000e0041", "<U+E0041>"),  # TAG LATIN CAPITAL LETTER A
        ("\x1b", "\\u001b"),  # control characters keep their JSON escape
    ],
)
def test_clean_spells_out_what_cannot_be_seen(char: str, shown: str) -> None:
    """Each hidden or direction-changing character becomes visible text."""
    assert clean(f"ad{char}min") == f"ad{shown}min"


def test_ordinary_text_is_untouched() -> None:
    """Accents, CJK, emoji and right-to-left scripts themselves are not escaped."""
    text = "Zoë 張偉 مرحبا 🙂"
    assert clean(text) == text


@pytest.mark.parametrize("fmt", ["terminal", "markdown", "html", "junit"])
def test_every_human_format_shows_the_override(fmt: str) -> None:
    """A display name and a value carrying U+202E show `<U+202E>` in every human report, and
    the raw character never reaches them."""
    changes = [_change(f"ad{RLO}nim", f"Global {RLO}rotartsinimdA")]
    report = s.demo_report(diff=build_diff(changes))
    text = RENDERERS[fmt].render(report, RenderOptions(color=False))
    assert RLO not in text
    assert text.count("<U+202E>") + text.count("&lt;U+202E&gt;") >= 2


def test_the_json_report_and_the_fingerprint_keep_the_real_value() -> None:
    """Machines get the value as sent, and the fingerprint tells the two apart."""
    hidden = [_change("admin", f"ad{RLO}min")]
    plain = [_change("admin", "admin")]
    report = s.demo_report(diff=build_diff(hidden))
    data = json.loads(RENDERERS["json"].render(report))
    assert data["changes"][0]["properties"][0]["snapshot"] == f"ad{RLO}min"
    assert fingerprint(s.SNAPSHOT_ID, None, hidden) != fingerprint(s.SNAPSHOT_ID, None, plain)

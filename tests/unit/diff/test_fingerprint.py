"""Fingerprint: recomputable, order independent, sensitive to every value."""

from __future__ import annotations

import copy
import hashlib
import itertools
import json
import random
import re
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st
from unit.diff import strategies as st_

from entra_recovery.diff import Fingerprinter
from entra_recovery.diff import fingerprint
from entra_recovery.diff import fingerprint_from_digests
from entra_recovery.diff import is_fingerprint
from entra_recovery.diff.fingerprint import FINGERPRINT_PATTERN
from helpers import report_samples as s


def _independent(snapshot_id: str, criteria: object, changes: list[dict]) -> str:
    """
    The recipe of docs/reports.md, written out with nothing but hashlib and json.

    Kept apart from `entra_recovery.diff.fingerprint` on purpose: it shares no helper with it,
    so a slip in either one shows as a mismatch.
    """

    def canonical(value: object) -> bytes:
        text = json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
        return text.encode("utf-8", "surrogatepass")

    entries = []
    for change in changes:
        object_id = change.get("id") if change.get("id") is not None else change.get("objectId")
        record = {
            "entityTypeName": change.get("entityTypeName"),
            "id": object_id,
            "recoveryAction": change.get("recoveryAction"),
            "deltaFromCurrent": change.get("deltaFromCurrent"),
            "currentState": change.get("currentState"),
        }
        digest = hashlib.sha256(canonical(record)).hexdigest()
        entries.append((change.get("entityTypeName") or "", object_id or "", digest))
    entries.sort()
    document = {
        "fingerprintVersion": 1,
        "snapshotId": snapshot_id,
        "filteringCriteria": criteria,
        "changes": [digest for _, _, digest in entries],
    }
    return "sha256:" + hashlib.sha256(canonical(document)).hexdigest()


def test_recomputes_independently() -> None:
    """The documented recipe gives the same value as the Fingerprinter."""
    changes = s.demo_changes()
    ours = fingerprint(s.SNAPSHOT_ID, s.CRITERIA, changes)
    assert ours == _independent(s.SNAPSHOT_ID, s.CRITERIA, changes)
    assert is_fingerprint(ours)


def test_docs_worked_example() -> None:
    """The worked example in docs/reports.md stays true: its digest and its fingerprint."""
    docs = (Path(__file__).parents[3] / "docs" / "reports.md").read_text(encoding="utf-8")
    changes = [copy.deepcopy(s.CA_MFA_ADMINS)]
    value = fingerprint("MjAyNi0xMS0yOFQwMjozMDowMFo=", None, changes)
    fingerprinter = Fingerprinter("MjAyNi0xMS0yOFQwMjozMDowMFo=")
    fingerprinter.add_page(changes)
    (digest,) = fingerprinter.digests().values()
    assert value == _independent("MjAyNi0xMS0yOFQwMjozMDowMFo=", None, changes)
    assert f"\n{digest}\n" in docs
    assert f"\n{value}\n" in docs


def test_page_order_does_not_matter() -> None:
    """Any order and any paging of the same changes gives the same fingerprint."""
    changes = s.demo_changes()
    expected = fingerprint(s.SNAPSHOT_ID, s.CRITERIA, changes)
    rng = random.Random(7)
    for _ in range(5):
        rng.shuffle(changes)
        fp = Fingerprinter(s.SNAPSHOT_ID, s.CRITERIA)
        fp.add_page(changes[:3])
        for change in changes[3:]:
            fp.add(change)
        assert fp.hexdigest() == expected


def _mutations() -> list[tuple[str, object]]:
    return [
        ("snapshot value", lambda c: c[0]["deltaFromCurrent"].update(state="disabled")),
        (
            "current value",
            lambda c: c[0]["currentState"].update(state="enabledForReportingButNotEnforced"),
        ),
        ("action", lambda c: c[0].update(recoveryAction="restore")),
        ("id", lambda c: c[0].update(id="c3d4e5f6-0001-4000-8000-000000000099")),
        ("type", lambda c: c[0].update(entityTypeName="namedLocationPolicy")),
        (
            "nested list item",
            lambda c: c[1]["currentState"]["conditions"]["users"]["excludeUsers"].pop(),
        ),
        (
            "link removed flag",
            lambda c: c[2]["deltaFromCurrent"]["members@delta"][0].update({"@removed": {}}),
        ),
        (
            "key order of a list",
            lambda c: c[1]["deltaFromCurrent"]["conditions"]["clientAppTypes"].reverse(),
        ),
        ("null to absent", lambda c: c[3]["deltaFromCurrent"].pop("deletedDateTime")),
        ("one change more", lambda c: c.append(copy.deepcopy(s.ROGUE_APP) | {"id": "new"})),
        ("one change less", lambda c: c.pop()),
    ]


@pytest.mark.parametrize(("what", "mutate"), _mutations(), ids=[m[0] for m in _mutations()])
def test_any_change_changes_the_fingerprint(what: str, mutate) -> None:  # type: ignore[no-untyped-def]
    """Every difference in what the recovery would do or overwrite shows."""
    changes = s.demo_changes()
    before = fingerprint(s.SNAPSHOT_ID, s.CRITERIA, changes)
    mutate(changes)
    assert fingerprint(s.SNAPSHOT_ID, s.CRITERIA, changes) != before


def test_snapshot_and_criteria_count() -> None:
    """Another snapshot or scope gives another fingerprint."""
    changes = s.demo_changes()
    base = fingerprint(s.SNAPSHOT_ID, s.CRITERIA, changes)
    assert fingerprint("other", s.CRITERIA, changes) != base
    assert fingerprint(s.SNAPSHOT_ID, None, changes) != base


def test_display_name_and_failure_message_are_excluded() -> None:
    """Labels that a recovery does not write leave the fingerprint alone."""
    changes = s.demo_changes()
    base = fingerprint(s.SNAPSHOT_ID, s.CRITERIA, changes)
    changes[0]["displayName"] = "renamed label"
    changes[0]["failureMessage"] = "boom"
    assert fingerprint(s.SNAPSHOT_ID, s.CRITERIA, changes) == base


def test_empty_preview_has_a_fingerprint() -> None:
    """No changes still binds snapshot and scope."""
    value = fingerprint(s.SNAPSHOT_ID, None, [])
    assert is_fingerprint(value)
    assert value == _independent(s.SNAPSHOT_ID, None, [])


@pytest.mark.parametrize(
    ("value", "ok"),
    [
        ("sha256:" + "a" * 64, True),
        ("sha256:" + "A" * 64, False),
        ("md5:" + "a" * 64, False),
        ("sha256:" + "a" * 63, False),
    ],
)
def test_is_fingerprint(value: str, ok: bool) -> None:
    """Only `sha256:` plus 64 lowercase hex digits is well formed."""
    assert is_fingerprint(value) is ok


def test_lone_surrogate_does_not_crash() -> None:
    """Invalid Unicode from Graph is hashed (surrogatepass), not an exception."""
    raw = json.loads('{"entityTypeName": "user", "id": "1", "deltaFromCurrent": {"a": "\\ud800"}}')
    assert is_fingerprint(fingerprint("s", None, [raw]))
    assert fingerprint("s", None, [raw]) != fingerprint(
        "s", None, [{**raw, "deltaFromCurrent": {}}]
    )


# --- the msgspec path for float-free pages --------------------------------------------------


@settings(max_examples=120, deadline=None)
@given(st_.change_lists(floats=False, max_size=4))
def test_float_free_pages_hash_the_same_both_ways(changes: list[dict]) -> None:
    """On float-free pages the msgspec encoding gives the `json.dumps` digests, change by change."""
    safe = Fingerprinter("snap", None)
    fast = Fingerprinter("snap", None)

    safe.add_page(changes)
    fast.add_page(changes, floats=False)

    assert fast.digests() == safe.digests()
    assert fast.hexdigest() == safe.hexdigest()


def test_float_free_pages_match_the_recipe_for_hard_text() -> None:
    """Control characters, separators, BOM, astral and lone surrogates, 70-bit integers."""
    hard = '\x00\x1f\x7f"\\/\u2028\u2029\ufeff\U0001f600\ud800 é'
    changes: list[dict[str, Any]] = [
        {
            "entityTypeName": "user",
            "id": "a",
            "recoveryAction": "update",
            "deltaFromCurrent": {hard: hard, "z": [2**70, -(2**63), 2**64 - 1], "Z": {"é": 0}},
            "currentState": {"nested": {"deep": [[[{"x": hard}]]]}},
        },
        {"entityTypeName": "user", "id": "b", "recoveryAction": "restore"},
    ]
    fast = Fingerprinter("snap", {"scope": hard})
    fast.add_page(changes, floats=False)

    assert fast.hexdigest() == fingerprint("snap", {"scope": hard}, changes)


def test_pages_with_floats_take_the_json_dumps_way() -> None:
    """Floats go the `json.dumps` way by default; the fast path would hash other bytes."""
    # msgspec writes 1.5e-05 as 0.000015 and 1e16 as 1e16: a page with floats must not take
    # its path (which is why graph's pages say whether they hold floats).
    change = {
        "entityTypeName": "x",
        "id": "1",
        "recoveryAction": "update",
        "deltaFromCurrent": {"ratio": 1.5e-05},
        "currentState": {"ratio": 1e16},
    }
    expected = fingerprint("snap", None, [change])
    default = Fingerprinter("snap", None)
    default.add_page([change])

    assert default.hexdigest() == expected
    assert _independent("snap", None, [change]) == expected
    # and the promise matters: the fast path would hash other bytes
    wrongly_promised = Fingerprinter("snap", None)
    wrongly_promised.add_page([change], floats=False)
    assert wrongly_promised.hexdigest() != expected


@pytest.mark.parametrize("schema", ["recovery-plan.schema.json", "diff-report.schema.json"])
def test_schemas_spell_the_fingerprint_like_the_code(schema: str) -> None:
    """Every `sha256:` pattern in the JSON Schemas is `FINGERPRINT_PATTERN`, so the schema,
    the gate and the fingerprinter cannot disagree about what a fingerprint looks like."""
    text = (Path(__file__).parents[3] / "schemas" / schema).read_text(encoding="utf-8")
    patterns = re.findall(r'"pattern": "(\^sha256:[^"]*)"', text)
    assert patterns
    assert {json.loads(f'"{p}"') for p in patterns} == {FINGERPRINT_PATTERN}


def test_digests_of_a_repeated_object_do_not_depend_on_order() -> None:
    """An object that comes twice keeps one digest, the same before and after `hexdigest`."""
    one = {"entityTypeName": "user", "id": "1", "recoveryAction": "update"}
    other = {**one, "recoveryAction": "restore"}
    forward, backward = Fingerprinter("s"), Fingerprinter("s")
    forward.add_page([one, other])
    backward.add_page([other, one])
    before = backward.digests()
    backward.hexdigest()
    assert forward.digests() == before == backward.digests()


# --- properties: page boundaries, arrival order, the documented recipe ----------------------


def _pages(changes: list[dict], data: st.DataObject) -> list[list[dict]]:
    """The changes in any order, cut into any number of pages (empty pages included)."""
    order = data.draw(st.permutations(changes), label="order")
    cuts = sorted(data.draw(st.lists(st.integers(0, len(order)), max_size=4), label="cuts"))
    bounds = [0, *cuts, len(order)]
    return [order[start:end] for start, end in itertools.pairwise(bounds)]


def _fingerprint_in_pages(pages: list[list[dict]], *, floats: bool) -> Fingerprinter:
    fingerprinter = Fingerprinter("snap", s.CRITERIA)
    for number, page in enumerate(pages):
        fingerprinter.add_page(page, floats=floats)
        if number == 0:
            fingerprinter.hexdigest()  # asking early must not disturb what comes later
    return fingerprinter


@settings(max_examples=100, deadline=None)
@given(st_.change_lists(floats=False), st.data())
def test_fast_path_ignores_page_boundaries_and_order(changes: list[dict], data) -> None:  # type: ignore[no-untyped-def]
    """`add_page(..., floats=False)` over any paging of any order equals the one-call result."""
    expected = fingerprint("snap", s.CRITERIA, changes)
    fingerprinter = _fingerprint_in_pages(_pages(changes, data), floats=False)
    assert fingerprinter.hexdigest() == expected
    assert len(fingerprinter) == len(changes)


@settings(max_examples=100, deadline=None)
@given(st_.change_lists(floats=True), st.data())
def test_default_path_ignores_page_boundaries_and_order(changes: list[dict], data) -> None:  # type: ignore[no-untyped-def]
    """The default `add_page` (floats allowed) over any paging of any order: the same result."""
    expected = fingerprint("snap", s.CRITERIA, changes)
    fingerprinter = _fingerprint_in_pages(_pages(changes, data), floats=True)
    assert fingerprinter.hexdigest() == expected


@settings(max_examples=100, deadline=None)
@given(st_.change_lists(floats=True), st.data())
def test_digests_ignore_page_boundaries_and_order(changes: list[dict], data) -> None:  # type: ignore[no-untyped-def]
    """Per-object digests do not depend on arrival order, even when an object comes twice."""
    one_call = Fingerprinter("snap", s.CRITERIA)
    one_call.add_page(changes)
    paged = _fingerprint_in_pages(_pages(changes, data), floats=True)
    assert paged.digests() == one_call.digests()


_CRITERIA = st.none() | st.dictionaries(st_.KEYS, st_.values(floats=True), max_size=3)


@settings(max_examples=150, deadline=None)
@given(st_.TEXT, _CRITERIA, st_.change_lists(floats=True))
def test_equals_the_documented_recipe(snapshot_id: str, criteria: Any, changes: list) -> None:
    """For any changes (floats, lone surrogates, big integers, nesting, missing fields, `objectId`
    instead of `id`) the fingerprint is the one the recipe in docs/reports.md gives."""
    expected = _independent(snapshot_id, criteria, changes)
    assert fingerprint(snapshot_id, criteria, changes) == expected


def _unique_by_key(changes: list[dict]) -> list[dict]:
    """The changes with at most one per (entity type, id) key, as a trusted change list is."""
    kept: dict[tuple[str, str], dict] = {}
    for change in changes:
        fingerprinter = Fingerprinter("snap")
        fingerprinter.add(change)
        kept.setdefault(next(iter(fingerprinter.digests())), change)
    return list(kept.values())


@settings(max_examples=150, deadline=None)
@given(st_.TEXT, _CRITERIA, st_.change_lists(floats=True, max_size=10))
def test_from_digests_equals_the_recipe(snapshot_id: str, criteria: Any, changes: list) -> None:
    """A fingerprint from the per-change digests alone (how a batch plan's share gets its own)
    is the recipe's fingerprint of those changes, for any change list without repeats."""
    changes = _unique_by_key(changes)
    fingerprinter = Fingerprinter(snapshot_id, criteria)
    fingerprinter.add_page(changes)
    from_digests = fingerprint_from_digests(snapshot_id, criteria, fingerprinter.digests())
    assert from_digests == _independent(snapshot_id, criteria, changes)

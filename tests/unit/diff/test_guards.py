"""evaluate_guards: maxChanges, allowedActions, protectedObjects."""

from __future__ import annotations

import pytest

from entra_recovery.diff import build_diff
from entra_recovery.diff import evaluate_guards
from entra_recovery.diff import guards_ok
from helpers import report_samples as s


def _by_name(results: tuple) -> dict:
    return {result.name: result for result in results}


def test_unset_guards_only_check_default_actions() -> None:
    """Without settings, update+restore pass and softDelete/unknown actions are violations."""
    diff = build_diff(s.demo_changes())
    results = _by_name(evaluate_guards(diff))
    assert list(results) == ["maxChanges", "allowedActions", "protectedObjects"]
    assert results["maxChanges"].ok and results["protectedObjects"].ok
    actions = results["allowedActions"]
    assert not actions.ok
    assert set(actions.objects) == {
        "e5f6a7b8-0001-4000-8000-000000000001",
        "f6a7b8c9-0001-4000-8000-000000000001",
    }
    assert "quarantine (1)" in actions.message and "softDelete (1)" in actions.message


@pytest.mark.parametrize(("limit", "ok"), [(10, True), (9, False), (0, False), (None, True)])
def test_max_changes(limit: int | None, ok: bool) -> None:
    """More objects than the limit is a violation."""
    diff = build_diff(s.demo_changes())
    assert evaluate_guards(diff, max_changes=limit)[0].ok is ok


def test_listed_actions_are_allowed() -> None:
    """softDelete and unknown actions pass once listed."""
    diff = build_diff(s.demo_changes())
    result = evaluate_guards(
        diff, allowed_actions=["update", "restore", "softDelete", "quarantine"]
    )[1]
    assert result.ok and result.objects == ()
    only_update = evaluate_guards(diff, allowed_actions=["update"])[1]
    assert "a1b2c3d4-0001-4000-8000-000000000001" in only_update.objects


def test_protected_object_as_target_or_link() -> None:
    """A change to the object itself or to a link pointing at it is a violation."""
    diff = build_diff(s.demo_changes())
    own = evaluate_guards(diff, protected_objects=["A1B2C3D4-0001-4000-8000-000000000001"])[2]
    assert not own.ok and own.objects == ("a1b2c3d4-0001-4000-8000-000000000001",)
    member = evaluate_guards(diff, protected_objects=["a1b2c3d4-0006-4000-8000-000000000006"])[2]
    assert not member.ok
    untouched = evaluate_guards(diff, protected_objects=[s.BREAK_GLASS])[2]
    assert untouched.ok


def test_empty_diff_passes_everything() -> None:
    """No drift, no violation."""
    assert guards_ok(evaluate_guards(build_diff([]), 0, [], ["x"]))

"""Explaining a fingerprint mismatch: from the saved index, or from the approved JSON report."""

from __future__ import annotations

import gzip
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from entra_recovery.errors import FingerprintMismatch
from entra_recovery.errors import UsageError
from entra_recovery.plan import Plan
from entra_recovery.plan import load_plan
from entra_recovery.report import iter_render
from entra_recovery.runner.reporting import build_report
from entra_recovery.runner.results import Preview
from entra_recovery.runner.saved import PreviewStore
from helpers.planfiles import CA_MFA_ADMINS
from helpers.planfiles import apply_data
from helpers.planfiles import write_plan

CA_FINANCE = "c3d4e5f6-0003-4000-8000-000000000003"
CA_LEGACY = "c3d4e5f6-0002-4000-8000-000000000002"
SANCTIONED = "d4e5f6a7-0002-4000-8000-000000000002"

Runner = Callable[..., Any]


def _yes(_: Preview) -> bool:
    return True


def _review(server: Any, tmp_path: Path, with_runner: Runner) -> tuple[Plan, Path]:
    """Preview the plan as reviewers would, write their JSON report, and approve it."""
    draft = load_plan(write_plan(tmp_path, apply_data(), "draft.yaml"))
    preview: Preview = with_runner(server, tmp_path / "state", lambda r: r.preview(draft))
    report = tmp_path / "approved.json"
    report.write_text("".join(iter_render(build_report(preview), "json")), encoding="utf-8")
    approved = load_plan(write_plan(tmp_path, apply_data(preview.fingerprint), "approved.yaml"))
    return approved, report


def _drift(server: Any) -> None:
    """One object added to the change set, one removed, one changed (a property more)."""
    state = server.state
    state.update_object("conditionalAccessPolicy", CA_MFA_ADMINS, {"state": "enabled"})
    state.update_object("namedLocationPolicy", SANCTIONED, {"displayName": "Sanctioned (edited)"})
    state.update_object("conditionalAccessPolicy", CA_FINANCE, {"displayName": "Finance (edited)"})


def _refusal(
    server: Any, tmp_path: Path, with_runner: Runner, plan: Plan, report: Path | None
) -> tuple[str, ...]:
    with pytest.raises(FingerprintMismatch) as info:
        with_runner(
            server,
            tmp_path / "state",
            lambda r: r.apply(plan, confirm=_yes, approved_report=report),
        )
    return info.value.details


def test_approved_report_names_objects_and_properties(
    emulator: Any, tmp_path: Path, with_runner: Runner, count_posts: Callable[..., int]
) -> None:
    """With the reviewed JSON report, each added, removed and changed object is named, with
    the properties that changed."""
    plan, report = _review(emulator, tmp_path, with_runner)
    _drift(emulator)
    details = _refusal(emulator, tmp_path, with_runner, plan, report)
    assert details == (
        "1 object(s) added, 1 removed, 1 changed since approval",
        f'+ namedLocationPolicy "Sanctioned (edited)" ({SANCTIONED}): new update',
        f'- conditionalAccessPolicy "Require MFA for administrators" ({CA_MFA_ADMINS}): '
        "no longer changes",
        f'~ conditionalAccessPolicy "Finance (edited)" ({CA_FINANCE}): displayName',
    )
    assert count_posts(emulator, "recoveryJobs") == 0


def test_saved_index_names_objects_and_their_paths(
    emulator: Any, tmp_path: Path, with_runner: Runner
) -> None:
    """Without a report, the saved index of the approved preview names the same objects."""
    plan, _ = _review(emulator, tmp_path, with_runner)
    _drift(emulator)
    details = _refusal(emulator, tmp_path, with_runner, plan, None)
    assert details == (
        "1 object(s) added, 1 removed, 1 changed since approval",
        f'+ namedLocationPolicy "Sanctioned (edited)" ({SANCTIONED}): new update',
        f'- conditionalAccessPolicy "Require MFA for administrators" ({CA_MFA_ADMINS}): '
        "no longer changes",
        f'~ conditionalAccessPolicy "Finance (edited)" ({CA_FINANCE}): '
        "now displayName, grantControls.builtInControls",
    )


def test_a_gzipped_report_reads_the_same(
    emulator: Any, tmp_path: Path, with_runner: Runner
) -> None:
    """`--approved-report` may be the gzipped JSON report a CI job archived."""
    plan, report = _review(emulator, tmp_path, with_runner)
    packed = tmp_path / "approved.json.gz"
    packed.write_bytes(gzip.compress(report.read_bytes()))
    _drift(emulator)
    plain = _refusal(emulator, tmp_path, with_runner, plan, report)
    assert _refusal(emulator, tmp_path, with_runner, plan, packed) == plain


def test_a_report_of_another_change_set_is_named_not_compared(
    emulator: Any, tmp_path: Path, with_runner: Runner
) -> None:
    """A report whose fingerprint is not the approved one says so instead of comparing."""
    plan, report = _review(emulator, tmp_path, with_runner)
    data = json.loads(report.read_text(encoding="utf-8"))
    data["fingerprint"] = "sha256:" + "0" * 64
    report.write_text(json.dumps(data), encoding="utf-8")
    _drift(emulator)
    approved = plan.approval.fingerprint if plan.approval else None
    assert _refusal(emulator, tmp_path, with_runner, plan, report) == (
        f"{report} has fingerprint sha256:{'0' * 64}, not the approved {approved}",
    )


def test_only_the_first_objects_are_listed(
    emulator: Any, tmp_path: Path, with_runner: Runner, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Past `MAX_LISTED` objects per kind, one line counts the rest."""
    monkeypatch.setattr("entra_recovery.runner.saved.MAX_LISTED", 0)
    plan, report = _review(emulator, tmp_path, with_runner)
    _drift(emulator)
    for approved_report in (report, None):
        assert _refusal(emulator, tmp_path, with_runner, plan, approved_report) == (
            "1 object(s) added, 1 removed, 1 changed since approval",
            "... and 3 more",
        )


def test_a_changed_action_is_shown_from_the_index(
    emulator: Any, tmp_path: Path, with_runner: Runner
) -> None:
    """An object whose planned action changed shows `was -> now` (the index keeps actions)."""
    plan, _ = _review(emulator, tmp_path, with_runner)
    emulator.state.soft_delete("conditionalAccessPolicy", CA_LEGACY)
    details = _refusal(emulator, tmp_path, with_runner, plan, None)
    assert details[0] == "0 object(s) added, 0 removed, 1 changed since approval"
    label = f'conditionalAccessPolicy "Block legacy authentication" ({CA_LEGACY})'
    assert details[1].startswith(f"~ {label}: now ")
    assert details[1].endswith("(update -> restore)")


@pytest.mark.parametrize(
    ("content", "message"),
    [(b"[1, 2]", "is not a JSON report"), (b"{not json", "cannot read")],
)
def test_an_unusable_report_is_a_usage_error(
    emulator: Any,
    tmp_path: Path,
    with_runner: Runner,
    content: bytes,
    message: str,
) -> None:
    """A report that is not a JSON object is a usage error (exit 64), not a silent pass."""
    plan, _ = _review(emulator, tmp_path, with_runner)
    bad = tmp_path / "bad.json"
    bad.write_bytes(content)
    _drift(emulator)
    with pytest.raises(UsageError, match=message):
        with_runner(
            emulator,
            tmp_path / "state",
            lambda r: r.apply(plan, confirm=_yes, approved_report=bad),
        )


def test_without_the_approved_index_the_report_option_is_named(
    emulator: Any, tmp_path: Path, with_runner: Runner
) -> None:
    """No saved index for the approved fingerprint (another machine): say how to see more."""
    plan, _ = _review(emulator, tmp_path, with_runner)
    folder = PreviewStore(tmp_path / "state").folder
    for index in folder.glob("*.json"):
        index.unlink()
    _drift(emulator)
    assert _refusal(emulator, tmp_path, with_runner, plan, None) == (
        f"the approved preview is not in {folder}; pass --approved-report FILE "
        "(the JSON report reviewers saw) to see what changed",
        "the fresh preview has 4 change(s)",
    )

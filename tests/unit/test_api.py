"""The public surface of `entra_recovery`: what it exports, what docs/python-api.md lists,
and the offline parts of the API (settings, validation, misuse)."""

from __future__ import annotations

import asyncio
import re
from pathlib import Path

import pytest

import entra_recovery
from entra_recovery import api
from entra_recovery import results

ROOT = Path(__file__).resolve().parents[2]
DOC = ROOT / "docs" / "python-api.md"
VALID = ROOT / "recovery_plans" / "rollback-ca-incident.yaml"
INVALID = ROOT / "tests" / "examples" / "plans" / "invalid" / "unknown-key.yaml"


def _documented_names() -> set[str]:
    text = DOC.read_text(encoding="utf-8")
    table = text.split("<!-- public-names:start -->", 1)[1].split("<!-- public-names:end -->")[0]
    return set(re.findall(r"^\| `(\w+)` \|", table, re.MULTILINE))


def _example_code() -> str:
    return "\n".join(re.findall(r"```python\n(.*?)```", DOC.read_text(encoding="utf-8"), re.S))


def test_the_public_surface_is_what_the_docs_list() -> None:
    """`entra_recovery.__all__` equals the table of docs/python-api.md: adding a name means
    documenting it, removing one is a breaking change (CHANGELOG.md)."""
    assert set(entra_recovery.__all__) == _documented_names()
    assert len(entra_recovery.__all__) == len(set(entra_recovery.__all__))


def test_the_public_surface_snapshot() -> None:
    """The exact list, so a change to it shows up in review."""
    assert sorted(entra_recovery.__all__) == sorted(
        [
            *("REPORT_FORMATS", "VERSION", "__version__", "ExitCode", "Settings", "Confirm"),
            *("load_plan", "validate", "Plan", "Problem"),
            *("preview", "preview_async", "apply", "apply_async", "Preview", "ApplyResult"),
            *("preview_many", "preview_many_async"),
            *("ObjectChange", "PropertyChange", "LinkChange", "GuardResult"),
            *("RecoveryError", "UsageError", "PlanError", "PlanLoadError", "PlanValidationError"),
            *("GraphError", "GraphAuthError", "JobConflictError", "JobFailedError"),
            *("PollTimeoutError", "GateRefused", "FingerprintMismatch", "ApplyNotApproved"),
        ]
    )


@pytest.mark.parametrize("name", sorted(set(entra_recovery.__all__) - {"__version__"}))
def test_every_public_name_has_an_example(name: str) -> None:
    """Each public name appears in a python example of docs/python-api.md."""
    assert re.search(rf"\b{name}\b", _example_code()), f"{name} has no example"


@pytest.mark.parametrize("module", [entra_recovery, api, results])
def test_public_modules_declare_all(module: object) -> None:
    """Every public module says what it exports, and exports only what exists."""
    names = module.__all__  # type: ignore[attr-defined]
    assert names
    assert all(hasattr(module, name) for name in names)


def test_settings_from_env_reads_the_cli_variables(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """Settings.from_env uses the CLI's variables; keyword arguments win."""
    monkeypatch.setenv("ENTRA_RECOVERY_GRAPH_URL", "http://127.0.0.1:9")
    monkeypatch.setenv("ENTRA_RECOVERY_API_VERSION", "beta")
    monkeypatch.setenv("ENTRA_RECOVERY_ACCESS_TOKEN", "secret-token")
    monkeypatch.setenv("ENTRA_RECOVERY_POLL_INTERVAL", "0.5")
    monkeypatch.setenv("ENTRA_RECOVERY_STATE_DIR", str(tmp_path))
    settings = entra_recovery.Settings.from_env(poll_interval=2.0)
    assert (settings.graph_url, settings.api_version) == ("http://127.0.0.1:9", "beta")
    assert (settings.poll_interval, settings.state_dir) == (2.0, tmp_path)
    assert settings.graph.base_url == "http://127.0.0.1:9/beta"
    assert settings.graph.access_token == "secret-token"
    assert "secret-token" not in repr(settings)


def test_settings_from_keywords_ignore_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """Settings(...) takes only its keywords (the state dir keeps the CLI's default)."""
    monkeypatch.setenv("ENTRA_RECOVERY_API_VERSION", "beta")
    settings = entra_recovery.Settings(poll_interval=1.0)
    assert (settings.api_version, settings.graph_url) == ("v1.0", "https://graph.microsoft.com")


@pytest.mark.parametrize(
    "kwargs",
    [
        {"graph_url": "https://graph.microsoft.com/v1.0"},
        {"graph_url": "http://example.com"},
        {"api_version": "v2"},
        {"auth": "password"},
        {"poll_interval": 0.0},
        {"job_timeout": -1.0},
        {"wait_for_slot": float("nan")},
    ],
)
def test_settings_refuse_what_the_cli_refuses(kwargs: dict[str, object]) -> None:
    """Bad settings raise UsageError (exit 64) when built, before any request."""
    with pytest.raises(entra_recovery.UsageError) as error:
        entra_recovery.Settings(**kwargs)  # type: ignore[arg-type]
    assert error.value.exit_code == entra_recovery.ExitCode.USAGE


def test_validate_lists_problems_offline() -> None:
    """validate takes one path or many, files or folders; a valid plan has no problem."""
    assert entra_recovery.validate(VALID) == []
    assert entra_recovery.validate([str(VALID), VALID.parent]) == []
    problems = entra_recovery.validate(INVALID)
    assert [p.headline().split(": ", 1)[1] for p in problems] == [
        "$.snapshot.latests: unknown key 'latests'"
    ]
    assert isinstance(problems[0], entra_recovery.Problem)


def test_validate_reports_a_missing_file(tmp_path: Path) -> None:
    """A missing file is a problem, not an exception."""
    problems = entra_recovery.validate(tmp_path / "missing.yaml")
    assert len(problems) == 1


def test_load_plan_raises_with_problems() -> None:
    """load_plan returns a Plan, or raises PlanValidationError carrying every Problem."""
    assert entra_recovery.load_plan(VALID).name == "rollback-ca-incident"
    with pytest.raises(entra_recovery.PlanValidationError) as error:
        entra_recovery.load_plan(INVALID)
    assert error.value.issues[0].json_path == "$.snapshot.latests"


@pytest.mark.parametrize("call", ["preview", "apply"])
def test_sync_calls_refuse_inside_an_event_loop(call: str) -> None:
    """Inside a running loop the sync call names its _async twin and sends nothing."""

    async def inside() -> None:
        getattr(entra_recovery, call)(VALID, settings=entra_recovery.Settings())

    with pytest.raises(entra_recovery.UsageError, match=rf"await entra_recovery.{call}_async"):
        asyncio.run(inside())


def test_an_unknown_report_format_is_refused() -> None:
    """render() names the formats it knows."""
    with pytest.raises(ValueError, match="terminal, markdown, json, junit, html"):
        results._check_format("pdf")

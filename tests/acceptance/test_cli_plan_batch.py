"""`plan preview` of a batch end to end: outcomes, exit codes, the batch index, the GitHub job
summary, webhooks and tenant groups; the CLI, the runner and the emulator over real HTTP."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from entra_recovery.emulator import server as emulator_server
from entra_recovery.emulator.server import EmulatorServer
from entra_recovery.emulator.tenants import extra_tenant_id
from entra_recovery.resources import load_schema
from helpers.clirun import CliResult
from helpers.clirun import run_cli
from helpers.planfiles import DELETED_USERS
from helpers.planfiles import DEMO_TENANT
from helpers.planfiles import plan_data
from helpers.planfiles import write_plan
from helpers.webhooks import SECRET_PATH
from helpers.webhooks import SECRET_QUERY
from helpers.webhooks import webhook_receiver

OTHER_TENANT = "11111111-2222-4333-8444-555555555555"
INVALID_PLAN = """\
apiVersion: entra-recovery/v1
kind: RecoveryPlan
metadata:
  name: broken
tenant: 5f0c1a2b-3c4d-4e5f-8a9b-0c1d2e3f4a5b
snapshot:
  latests: true
scope:
  entityTypes: [user]
"""


def _preview(
    tmp_path: Path, *args: str, scenario: str = "demo", tenants: int = 1, **env: str
) -> CliResult:
    """`entra-recovery --emulator plan preview ...` with its own state folder."""
    full_env = {"ENTRA_RECOVERY_STATE_DIR": str(tmp_path / "state"), **env}
    emulator = ["--emulator", "--emulator-scenario", scenario, "--emulator-tenants", str(tenants)]
    return run_cli([*emulator, "plan", "preview", *args], full_env)


def _plans(tmp_path: Path, *plans: dict[str, Any], invalid: str | None = None) -> Path:
    """A folder with the given plans (named by their metadata.name), plus one invalid file."""
    folder = tmp_path / "plans"
    folder.mkdir()
    for data in plans:
        write_plan(folder, data, f"{data['metadata']['name']}.yaml")
    if invalid is not None:
        (folder / invalid).write_text(INVALID_PLAN, encoding="utf-8")
    return folder


def _named(name: str, **overrides: Any) -> dict[str, Any]:
    data = plan_data(**overrides)
    data["metadata"] = {"name": name}
    return data


def _users() -> dict[str, Any]:
    return _named(
        "restore-users", scope={"objects": [{"entityType": "user", "ids": DELETED_USERS}]}
    )


class _Html(HTMLParser):
    """Links, and tags left open or closed out of order."""

    def __init__(self) -> None:
        super().__init__()
        self.links: list[str] = []
        self.open: list[str] = []
        self.stray: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("meta", "br", "hr"):
            return
        self.open.append(tag)
        self.links += [value or "" for name, value in attrs if name == "href"]

    def handle_endtag(self, tag: str) -> None:
        if self.open and self.open[-1] == tag:
            self.open.pop()
        else:
            self.stray.append(tag)


def _parse_html(text: str) -> _Html:
    parser = _Html()
    parser.feed(text)
    parser.close()
    assert parser.open == [] and parser.stray == []
    return parser


def test_batch_with_an_invalid_plan(tmp_path: Path) -> None:
    """One invalid plan: exit 1, the others still previewed and reported, every index file
    written and well-formed, the invalid plan listed with each problem's line and column."""
    folder = _plans(tmp_path, _named("ca-policies"), _users(), invalid="zz-broken.yaml")
    out = tmp_path / "out"
    result = _preview(
        tmp_path,
        str(folder),
        "--output-dir",
        str(out),
        *("--format", "json", "--format", "html", "--format", "markdown"),
    )
    assert result.code == 1, result.stderr
    broken = str(folder / "zz-broken.yaml")
    problem = f"{broken}:7:3: $.snapshot.latests: unknown key 'latests'"
    assert problem in result.stderr
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    validator = jsonschema.Draft202012Validator(
        load_schema("batch-summary.schema.json"),
        format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER,
    )
    validator.validate(summary)
    assert (summary["status"], summary["exitCode"]) == ("failed", 1)
    by_file = {plan["file"]: plan for plan in summary["plans"]}
    assert [p["outcome"] for p in summary["plans"]] == ["changes", "changes", "error"]
    assert by_file[broken]["problems"] == [problem]
    assert by_file[broken]["name"] is None and by_file[broken]["reports"] == {}
    users = by_file[str(folder / "restore-users.yaml")]
    assert users["byAction"] == {"restore": 2} and users["snapshotId"]
    assert users["reports"] == {
        "json": "restore-users.json",
        "html": "restore-users.html",
        "markdown": "restore-users.md",
    }
    assert all((out / path).is_file() for path in users["reports"].values())
    report = json.loads((out / "restore-users.json").read_text(encoding="utf-8"))
    assert report["fingerprint"] == users["fingerprint"]
    totals = summary["totals"]
    assert (totals["plans"], totals["changes"], totals["error"]) == (3, 2, 1)

    suites = ET.parse(out / "junit.xml").getroot()
    assert (suites.get("tests"), suites.get("failures"), suites.get("errors")) == ("3", "2", "1")
    [broken_suite] = [s for s in suites.iter("testsuite") if s.get("errors") == "1"]
    error = broken_suite.find("testcase/error")
    assert error is not None and problem in (error.text or "")

    markdown = (out / "summary.md").read_text(encoding="utf-8")
    assert "[restore-users.md](restore-users.md)" in markdown
    assert "unknown key &#39;latests&#39;" in markdown or "unknown key 'latests'" in markdown
    html = _parse_html((out / "index.html").read_text(encoding="utf-8"))
    assert {"ca-policies.html", "restore-users.html"} <= set(html.links)
    assert "ca-policies" in result.stdout and "error" in result.stdout  # the closing table


@pytest.mark.parametrize(
    ("scenario", "code", "status"),
    [("empty", 0, "clean"), ("demo", 2, "changes")],
)
def test_batch_exit_code(tmp_path: Path, scenario: str, code: int, status: str) -> None:
    """No error: exit 2 when a plan has changes, 0 when every plan is clean."""
    folder = _plans(tmp_path, _named("ca-policies"), _users())
    out = tmp_path / "out"
    result = _preview(tmp_path, str(folder), "--output-dir", str(out), scenario=scenario)
    assert result.code == code, result.stderr
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert (summary["status"], summary["exitCode"]) == (status, code)
    assert {p["outcome"] for p in summary["plans"]} == {"clean" if code == 0 else "changes"}


def test_github_step_summary_is_appended(tmp_path: Path) -> None:
    """$GITHUB_STEP_SUMMARY gets summary.md appended (no --output-dir needed)."""
    folder = _plans(tmp_path, _named("ca-policies"), _users())
    step = tmp_path / "step-summary.md"
    step.write_text("# earlier step\n", encoding="utf-8")
    result = _preview(tmp_path, str(folder), GITHUB_STEP_SUMMARY=str(step))
    assert result.code == 2, result.stderr
    text = step.read_text(encoding="utf-8")
    assert text.startswith("# earlier step\n## entra-recovery plan preview: 2 plans")
    assert "| ca-policies |" in text and "| restore-users |" in text


def test_invisible_characters_and_markup_in_a_file_name_are_escaped(tmp_path: Path) -> None:
    """A plan file name with markup and a bidi override shows as text in every index file."""
    folder = _plans(tmp_path, _named("ca-policies"), invalid="<b>x\u202e.yaml")
    out = tmp_path / "out"
    result = _preview(tmp_path, str(folder), "--output-dir", str(out), "--format", "html")
    assert result.code == 1, result.stderr
    for name in ("summary.md", "index.html", "junit.xml"):
        text = (out / name).read_text(encoding="utf-8")
        assert "<b>x" not in text and "\u202e" not in text, name
        assert "&lt;U+202E&gt;" in text, name
    _parse_html((out / "index.html").read_text(encoding="utf-8"))
    assert "\u202e" not in result.stdout + result.stderr


def test_two_tenants_in_parallel(tmp_path: Path) -> None:
    """Plans for two tenants run as two groups; the tenant the emulator does not serve ends
    refused for its plan alone, and the batch exits 1."""
    folder = _plans(
        tmp_path,
        _named("ca-policies"),
        _named("elsewhere", tenant=OTHER_TENANT),
        _users(),
    )
    out = tmp_path / "out"
    result = _preview(tmp_path, str(folder), "--output-dir", str(out), "--parallel", "2")
    assert result.code == 1, result.stderr
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    outcomes = {p["name"]: (p["outcome"], p["tenant"]) for p in summary["plans"]}
    assert outcomes == {
        "ca-policies": ("changes", DEMO_TENANT),
        "elsewhere": ("refused", OTHER_TENANT),
        "restore-users": ("changes", DEMO_TENANT),
    }
    assert "tenant" in (summary["plans"][1]["error"] or "")
    assert "Tenant" in result.stdout  # the table shows tenants when there are several


def test_two_served_tenants_and_an_unserved_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With --emulator-tenants 2, each served tenant's plans are previewed with that tenant's
    own token (one shared preview job per tenant); a plan for a tenant the emulator does not
    serve is refused by the tenant gate, and the batch exits 1."""
    second = extra_tenant_id(DEMO_TENANT, 2)
    servers: list[EmulatorServer] = []

    class RecordedServer(EmulatorServer):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            servers.append(self)

    monkeypatch.setattr(emulator_server, "EmulatorServer", RecordedServer)
    folder = _plans(
        tmp_path,
        _named("ca-policies"),
        _named("second-tenant", tenant=second),
        _named("elsewhere", tenant=OTHER_TENANT),
    )
    out = tmp_path / "out"
    result = _preview(tmp_path, str(folder), "--output-dir", str(out), "--parallel", "2", tenants=2)
    assert result.code == 1, result.stderr
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    outcomes = {p["name"]: (p["outcome"], p["tenant"]) for p in summary["plans"]}
    assert outcomes == {
        "ca-policies": ("changes", DEMO_TENANT),
        "elsewhere": ("refused", OTHER_TENANT),
        "second-tenant": ("changes", second),
    }
    by_name = {p["name"]: p for p in summary["plans"]}
    assert by_name["ca-policies"]["byAction"] == by_name["second-tenant"]["byAction"]
    [server] = servers
    assert server.tenant_ids == [DEMO_TENANT, second]
    posts = [r for r in server.requests if r["route"] == "previewJob.create"]
    assert sorted((r["tenant"], r["token"]["tid"], r["status"]) for r in posts) == sorted(
        [(DEMO_TENANT, DEMO_TENANT, 202), (second, second, 202)]
    )
    assert {r["tenant"] for r in server.requests} == {DEMO_TENANT, second}


def test_a_plan_named_like_an_index_file_is_refused(tmp_path: Path) -> None:
    """A plan whose report would overwrite summary.json is refused before any job (64)."""
    folder = _plans(tmp_path, _named("summary"), _users())
    result = _preview(tmp_path, str(folder), "--output-dir", str(tmp_path / "o"), "-v")
    assert result.code == 2, result.stderr  # terminal only: no summary.json report to clash
    clash = _preview(tmp_path, str(folder), "--output-dir", str(tmp_path / "o"), "--format", "json")
    assert clash.code == 64
    assert "summary.json" in clash.stderr


@pytest.mark.parametrize("notify_format", ["slack", "teams"])
def test_webhook_gets_the_summary(tmp_path: Path, notify_format: str) -> None:
    """--notify posts the batch summary in the chosen format; the exit code is the batch's."""
    folder = _plans(tmp_path, _named("ca-policies"), _users())
    with webhook_receiver() as receiver:
        result = _preview(
            tmp_path,
            str(folder),
            "--notify",
            receiver.secret_url(),
            "--notify-format",
            notify_format,
        )
    assert result.code == 2, result.stderr
    [payload] = receiver.payloads
    assert receiver.paths == [f"{SECRET_PATH}?{SECRET_QUERY}"]
    if notify_format == "slack":
        assert set(payload) == {"text"}
        assert "2 plans: 0 clean, 2 with changes" in payload["text"]
        assert "restore-users" in payload["text"] and "2 restore" in payload["text"]
    else:
        assert payload["type"] == "message"
        [attachment] = payload["attachments"]
        assert attachment["contentType"] == "application/vnd.microsoft.card.adaptive"
        card = attachment["content"]
        assert (card["type"], card["version"]) == ("AdaptiveCard", "1.4")
        facts = {fact["title"]: fact["value"] for fact in card["body"][1]["facts"]}
        assert facts["restore-users"] == "changes: 2 restore"
    assert "Warning" not in result.stderr


def test_webhook_is_not_called_for_a_clean_batch(tmp_path: Path) -> None:
    """By default (--notify-on changes) a clean batch posts nothing; `always` posts."""
    folder = _plans(tmp_path, _named("ca-policies"))
    with webhook_receiver() as receiver:
        quiet = _preview(tmp_path, str(folder), "--notify", receiver.url, scenario="empty")
        loud = _preview(
            tmp_path,
            str(folder),
            *("--notify", receiver.url, "--notify-on", "always"),
            scenario="empty",
        )
    assert (quiet.code, loud.code) == (0, 0)
    assert len(receiver.payloads) == 1


@pytest.mark.parametrize(("status", "hang"), [(500, 0.0), (200, 5.0)])
def test_failing_webhook_warns_and_keeps_the_exit_code(
    tmp_path: Path, status: int, hang: float
) -> None:
    """A receiver that answers 500 (retried) or hangs past --notify-timeout: a warning naming
    only scheme://host/…, never the URL's secret path or query; the exit code is unchanged."""
    folder = _plans(tmp_path, _named("ca-policies"))
    with webhook_receiver(status=status, hang=hang) as receiver:
        result = _preview(
            tmp_path, str(folder), "--notify", receiver.secret_url(), "--notify-timeout", "0.5"
        )
        attempts = len(receiver.payloads)
    assert result.code == 2, result.stderr
    host = receiver.url.removeprefix("http://")
    assert f"Warning: notification to http://{host}/… failed" in result.stderr
    assert attempts == (3 if status == 500 else 1)
    everything = result.stdout + result.stderr
    for secret in ("T0SECRET", "B0SECRET", "XyZsecretTokenValue", "SuperSecretSignature"):
        assert secret not in everything


def test_plain_http_webhook_elsewhere_is_a_usage_error(tmp_path: Path) -> None:
    """http to a non-loopback host is refused before any job; the URL's path is not shown."""
    folder = _plans(tmp_path, _named("ca-policies"))
    url = f"http://hooks.example.com{SECRET_PATH}?{SECRET_QUERY}"
    result = _preview(tmp_path, str(folder), "--notify", url)
    assert result.code == 64
    assert "http://hooks.example.com/…" in result.stderr
    assert "XyZsecretTokenValue" not in result.stderr and "Super" not in result.stderr

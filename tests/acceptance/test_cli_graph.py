"""The PowerShell-parity commands end to end: CLI -> msgraph-sdk pipeline -> emulator over HTTP."""

from __future__ import annotations

import asyncio
import base64
import json
from collections.abc import Callable
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from entra_recovery.constants import PREFER_UNKNOWN_ENUMS
from entra_recovery.emulator.server import EmulatorServer
from entra_recovery.graph import auth
from entra_recovery.graph import parity
from entra_recovery.graph.client import open_client
from entra_recovery.graph.models import FilteringCriteria
from entra_recovery.graph.polling import wait_for_job
from entra_recovery.graph.settings import GraphSettings
from helpers.clirun import run_cli

ADELE = "a1b2c3d4-0001-4000-8000-000000000001"
ALEX = "a1b2c3d4-0002-4000-8000-000000000002"
FINANCE = "b2c3d4e5-0001-4000-8000-000000000001"
TENANT = "5f0c1a2b-3c4d-4e5f-8a9b-0c1d2e3f4a5b"

MakeEmulator = Callable[..., EmulatorServer]

# The real builder, kept before the autouse guard replaces it (for the one test that needs
# azure-identity itself to refuse an option; the loopback-only network guard still holds).
REAL_AZURE_CREDENTIAL = auth._build_azure_credential


class YouForgotToUseTheEmulator(BaseException):
    """A BaseException, so that the credential error mapping under test cannot soften it."""


@pytest.fixture(autouse=True)
def _no_real_credentials(monkeypatch: pytest.MonkeyPatch) -> None:
    """Building an azure-identity credential in these tests is a bug."""

    def refuse(*args: object, **kwargs: object) -> object:
        raise YouForgotToUseTheEmulator("tests use a static token")

    monkeypatch.setattr("entra_recovery.graph.auth._build_azure_credential", refuse)


@pytest.fixture
def make_emu(tmp_path: Path) -> Iterator[MakeEmulator]:
    """Start demo-based emulators; `extra` YAML is appended to a scenario extending demo."""
    servers: list[EmulatorServer] = []

    def make(extra: str = "", durations: float = 0.0) -> EmulatorServer:
        scenario = "demo"
        if extra:
            path = tmp_path / f"scenario{len(servers)}.yaml"
            path.write_text("extends: demo\n" + extra, encoding="utf-8")
            scenario = str(path)
        server = EmulatorServer(scenario=scenario, job_durations=durations).start()
        servers.append(server)
        return server

    yield make
    for server in servers:
        server.stop()


@pytest.fixture
def emulator(make_emu: MakeEmulator) -> EmulatorServer:
    return make_emu()


def env(server: Any, **extra: str) -> dict[str, str]:
    return {
        "ENTRA_RECOVERY_GRAPH_URL": server.url,
        "ENTRA_RECOVERY_ACCESS_TOKEN": server.make_token(),
        "ENTRA_RECOVERY_POLL_INTERVAL": "0.05",
        **extra,
    }


def cli(server: Any, *args: str, **extra: str) -> Any:
    return run_cli(list(args), env(server, **extra))


def snapshots(server: Any) -> list[str]:
    result = cli(server, "snapshot", "list", "-o", "json")
    assert result.code == 0, result.stderr
    return [str(s["id"]) for s in json.loads(result.stdout)]


def latest_snapshot(server: Any) -> str:
    return snapshots(server)[-1]


def preview(server: Any, *scope: str, sid: str | None = None) -> dict[str, Any]:
    sid = sid or latest_snapshot(server)
    result = cli(server, "preview-job", "create", sid, *scope, "--wait", "-o", "json")
    assert result.code == 0, result.stderr
    return {"sid": sid, **json.loads(result.stdout)}


def routes(server: Any, name: str) -> list[dict[str, Any]]:
    return [r for r in server.requests if r.get("route") == name]


def test_snapshot_list_json_is_graph_json_with_prefer_everywhere(emulator: Any) -> None:
    """A JSON array of every snapshot, ids = base64 of the timestamp; Prefer on each request."""
    result = cli(emulator, "snapshot", "list", "-o", "json")
    assert result.code == 0, result.stderr
    snapshots = json.loads(result.stdout)
    assert len(snapshots) >= 5
    for snapshot in snapshots:
        assert base64.b64decode(snapshot["id"]).decode() == snapshot["createdDateTime"]
        assert snapshot["@odata.type"].endswith("entraRecoveryServices.snapshot")
    assert emulator.requests
    for request in emulator.requests:
        assert request["headers"].get("prefer") == PREFER_UNKNOWN_ENUMS, request["path"]
        assert request["headers"].get("authorization") == "REDACTED"


def test_snapshot_get_count_and_table(emulator: Any) -> None:
    """get returns the one snapshot, count agrees with list, the table names the columns."""
    sid = latest_snapshot(emulator)
    got = cli(emulator, "snapshot", "get", sid, "-o", "json")
    assert got.code == 0 and json.loads(got.stdout)["id"] == sid
    listed = json.loads(cli(emulator, "snapshot", "list", "-o", "json").stdout)
    counted = cli(emulator, "snapshot", "count")
    assert counted.code == 0, counted.stderr
    assert int(counted.stdout) == len(listed)
    table = cli(emulator, "snapshot", "list")
    assert table.code == 0 and sid in table.stdout and "created" in table.stdout


def test_preview_create_wait_then_changes_jsonl(emulator: Any) -> None:
    """A preview job runs to successful and its changes arrive raw, one per line."""
    job = preview(emulator, "--entity-type", "user", "--entity-type", "group")
    assert job["status"] == "successful" and job["id"]
    result = cli(emulator, "preview-job", "changes", job["sid"], job["id"], "-o", "jsonl")
    assert result.code == 0, result.stderr
    changes = [json.loads(line) for line in result.stdout.splitlines()]
    by_id = {c["id"]: c for c in changes}
    assert by_id[ADELE]["recoveryAction"] == "restore"
    assert by_id[ALEX]["recoveryAction"] == "restore"
    members = by_id[FINANCE]["deltaFromCurrent"]["members@delta"]
    assert any("@removed" in m for m in members) and any("@removed" not in m for m in members)
    assert {c["entityTypeName"] for c in changes} <= {"user", "group"}


def test_changes_follow_more_than_two_pages(emulator: Any) -> None:
    """With a small page size every nextLink is followed and nothing is lost."""
    job = preview(emulator)
    full = cli(emulator, "preview-job", "changes", job["sid"], job["id"], "-o", "json")
    everything = json.loads(full.stdout)
    assert len(everything) >= 5
    before = len(emulator.requests)
    paged = cli(
        emulator, "preview-job", "changes", job["sid"], job["id"], "--page-size", "2", "-o", "jsonl"
    )
    assert paged.code == 0, paged.stderr
    assert [json.loads(line) for line in paged.stdout.splitlines()] == everything
    calls = [r for r in emulator.requests[before:] if r["route"] == "getChanges"]
    assert len(calls) >= 3
    assert calls[0]["query"]["$top"] == "2"
    assert all("$skiptoken" in c["query"] or "$skip" in c["query"] for c in calls[1:])


def test_job_list_and_get_show_both_kinds(emulator: Any) -> None:
    """The tenant-wide job list holds the preview job with its @odata.type."""
    job = preview(emulator, "--entity-type", "user")
    result = cli(emulator, "job", "list", "-o", "json")
    assert result.code == 0, result.stderr
    jobs = {j["id"]: j for j in json.loads(result.stdout)}
    assert jobs[job["id"]]["@odata.type"].endswith("recoveryPreviewJob")
    got = cli(emulator, "job", "get", job["id"], "-o", "json")
    assert json.loads(got.stdout)["status"] == "successful"


def test_recovery_create_needs_confirmation_without_a_terminal(emulator: Any) -> None:
    """No --yes and no terminal: refused with exit 3, nothing posted, the warning shown."""
    sid = latest_snapshot(emulator)
    result = cli(emulator, "recovery-job", "create", sid, "--object", f"user:{ADELE}", "-o", "json")
    assert result.code == 3
    assert "WRITES TO THE TENANT" in result.stderr and "plan apply" in result.stderr
    assert not [r for r in emulator.requests if r["method"] == "POST"]


def test_recovery_create_yes_wait_then_failed_changes(emulator: Any) -> None:
    """--yes starts the recovery, --wait prints the final job; failed-changes is readable."""
    sid = latest_snapshot(emulator)
    result = cli(
        emulator,
        "recovery-job",
        "create",
        sid,
        "--object",
        f"user:{ADELE}",
        "--wait",
        "--yes",
        "-o",
        "json",
    )
    assert result.code in (0, 4), result.stderr
    job = json.loads(result.stdout)
    assert job["status"] == "successful"
    failed = cli(emulator, "recovery-job", "failed-changes", sid, job["id"], "-o", "jsonl")
    assert failed.code == 0, failed.stderr
    listed = cli(emulator, "recovery-job", "list", sid, "-o", "json")
    assert job["id"] in {j["id"] for j in json.loads(listed.stdout)}


def test_unknown_snapshot_lists_the_available_ones(emulator: Any) -> None:
    """404: the error names the snapshots that do exist."""
    sid = latest_snapshot(emulator)
    gone = base64.b64encode(b"2001-01-01T02:30:00Z").decode()
    result = cli(emulator, "preview-job", "create", gone, "-o", "json")
    assert result.code == 1
    assert "does not exist or has expired" in result.stderr and sid in result.stderr


def test_missing_permission_is_named(emulator: Any) -> None:
    """403: the error says which permission and role the operation needs."""
    sid = latest_snapshot(emulator)
    token = emulator.make_token(scopes=["EntraBackup.Read.All"])
    result = cli(
        emulator, "preview-job", "create", sid, "-o", "json", ENTRA_RECOVERY_ACCESS_TOKEN=token
    )
    assert result.code == 1
    assert "EntraBackup.ReadWrite.Preview" in result.stderr
    assert "Microsoft Entra Backup Administrator" in result.stderr
    assert token not in result.stderr and token not in result.stdout


def test_token_is_never_printed(emulator: Any) -> None:
    """Errors never show the token, not even part of it."""
    token = env(emulator)["ENTRA_RECOVERY_ACCESS_TOKEN"]
    result = cli(emulator, "job", "get", "00000000-0000-0000-0000-000000000000", "-o", "json")
    assert result.code == 1
    assert token not in result.stderr and token.split(".")[1][:20] not in result.stderr


def test_api_version_beta(emulator: Any) -> None:
    """ENTRA_RECOVERY_API_VERSION=beta goes to /beta."""
    result = cli(emulator, "snapshot", "list", "-o", "json", ENTRA_RECOVERY_API_VERSION="beta")
    assert result.code == 0, result.stderr
    assert all(r["path"].startswith("/beta/") for r in emulator.requests)


def test_throttled_request_is_retried_after_retry_after(make_emu: MakeEmulator) -> None:
    """A 429 with Retry-After is retried by the SDK pipeline; the command still succeeds."""
    server = make_emu(
        "faults:\n  - {route: snapshots.list, fault: throttle, first: 1, retryAfter: 1}\n"
    )
    result = cli(server, "snapshot", "list", "-o", "json")
    assert result.code == 0, result.stderr
    assert len(json.loads(result.stdout)) == 7
    assert [r["status"] for r in routes(server, "snapshots.list")] == [429, 200]


def test_unavailable_poll_during_wait_is_retried(make_emu: MakeEmulator) -> None:
    """A 503 on a job poll does not break --wait."""
    server = make_emu(
        "faults:\n  - {route: previewJob.get, fault: unavailable, first: 1, retryAfter: 1}\n"
    )
    job = preview(server, "--entity-type", "user")
    assert job["status"] == "successful"
    assert [r["status"] for r in routes(server, "previewJob.get")][:2] == [503, 200]


def test_calculating_and_loading_data_arrive_intact(make_emu: MakeEmulator) -> None:
    """With Prefer, the evolvable statuses are seen as they are, never unknownFutureValue."""
    server = make_emu(durations=0.4)
    settings = GraphSettings(
        graph_url=server.url, access_token=server.make_token(), auth_method="token"
    )

    async def go() -> list[str]:
        async with open_client(settings) as graph:
            sid = (await graph.list_snapshots())[-1].id
            job_id = await graph.start_preview_job(sid, FilteringCriteria())
            seen: list[str] = []
            await wait_for_job(
                lambda: graph.get_preview_job(sid, job_id),
                interval=0.02,
                max_interval=0.02,
                on_poll=lambda job, _: seen.append(job.status_text),
            )
            return seen

    seen = asyncio.run(go())
    assert seen[-1] == "successful"
    assert "loadingData" in seen and "calculating" in seen
    assert "unknownFutureValue" not in seen
    polls = routes(server, "previewJob.get")
    assert all(p["headers"].get("prefer") == PREFER_UNKNOWN_ENUMS for p in polls)


def test_organization_changes_arrive_intact(emulator: Any) -> None:
    """An older snapshot's preview holds the organization change, typed `organization`."""
    oldest = snapshots(emulator)[0]
    job = preview(emulator, "--entity-type", "organization", sid=oldest)
    result = cli(emulator, "preview-job", "changes", oldest, job["id"], "-o", "jsonl")
    changes = [json.loads(line) for line in result.stdout.splitlines()]
    assert changes and {c["entityTypeName"] for c in changes} == {"organization"}
    assert changes[0]["id"] == TENANT


def test_second_job_conflicts_and_names_the_running_one(make_emu: MakeEmulator) -> None:
    """409: the message names the running job; cancel it, wait, and it is abandoned."""
    server = make_emu(durations=30)
    sid = latest_snapshot(server)
    first = cli(server, "preview-job", "create", sid, "-o", "json")
    assert first.code == 0, first.stderr
    running = json.loads(first.stdout)["id"]
    second = cli(server, "recovery-job", "create", sid, "--yes", "-o", "json")
    assert second.code == 1
    assert f"preview job {running}" in second.stderr and "HTTP 409" in second.stderr
    assert f"entra-recovery job cancel {running}" in second.stderr
    what_if = cli(server, "job", "cancel", running, "--what-if")
    assert what_if.code == 0 and not routes(server, "cancel")
    cancel = cli(server, "job", "cancel", running, "--yes")
    assert cancel.code == 0, cancel.stderr
    waited = cli(server, "job", "wait", running, "-o", "json")
    assert waited.code == 1 and json.loads(waited.stdout)["status"] == "abandoned"
    assert "ended abandoned" in waited.stderr


def test_wait_timeout_is_one_clear_line(make_emu: MakeEmulator) -> None:
    """--timeout ends a wait with the job's last status."""
    server = make_emu(durations=30)
    sid = latest_snapshot(server)
    result = cli(server, "preview-job", "create", sid, "--wait", "--timeout", "0.3", "-o", "json")
    assert result.code == 1
    assert "is still" in result.stderr and "timeout" in result.stderr


def test_snapshot_scoped_lists_gets_and_counts(emulator: Any) -> None:
    """preview-job and recovery-job list/get/count agree with each other."""
    job = preview(emulator, "--entity-type", "user")
    sid = job["sid"]
    listed = json.loads(cli(emulator, "preview-job", "list", sid, "-o", "json").stdout)
    assert [j["id"] for j in listed] == [job["id"]]
    got = cli(emulator, "preview-job", "get", sid, job["id"], "--select", "id,status", "-o", "json")
    assert json.loads(got.stdout)["status"] == "successful"
    assert cli(emulator, "preview-job", "count", sid).stdout.strip() == "1"
    assert cli(emulator, "recovery-job", "count", sid).stdout.strip() == "0"
    assert cli(emulator, "job", "count").stdout.strip() == "1"
    table = cli(emulator, "preview-job", "list", sid, "--select", "id,status")
    assert table.code == 0 and "status" in table.stdout and "snapshot time" not in table.stdout


def test_failed_changes_are_listed_raw(make_emu: MakeEmulator) -> None:
    """A recovery with a failing object exits 4 and its failed change carries failureMessage."""
    server = make_emu(
        "jobs:\n  recoveryOutcome: successful\n"
        f"  failingObjects: {{{ALEX}: 'Update failed: object is locked.'}}\n"
    )
    sid = latest_snapshot(server)
    created = cli(
        server,
        "recovery-job",
        "create",
        sid,
        "--entity-type",
        "user",
        "--wait",
        "--yes",
        "-o",
        "json",
    )
    assert created.code == 4, created.stderr
    job = json.loads(created.stdout)
    assert job["totalFailedChanges"] >= 1
    assert "failed-changes" in created.stderr
    failed = cli(server, "recovery-job", "failed-changes", sid, job["id"], "-o", "jsonl")
    assert failed.code == 0, failed.stderr
    items = [json.loads(line) for line in failed.stdout.splitlines()]
    assert [i["id"] for i in items] == [ALEX]
    assert items[0]["failureMessage"] == "Update failed: object is locked."
    got = cli(server, "recovery-job", "get", sid, job["id"], "-o", "json")
    assert json.loads(got.stdout)["id"] == job["id"]


def test_first_page_and_top(emulator: Any) -> None:
    """--first-page stops after one page, --top limits the items."""
    one = cli(emulator, "snapshot", "list", "--page-size", "2", "--first-page", "-o", "json")
    assert len(json.loads(one.stdout)) == 2
    top = cli(emulator, "snapshot", "list", "--top", "3", "-o", "json")
    assert len(json.loads(top.stdout)) == 3


def test_what_if_on_recovery_posts_nothing(emulator: Any) -> None:
    """--what-if describes the recovery and sends no POST."""
    sid = latest_snapshot(emulator)
    result = cli(emulator, "recovery-job", "create", sid, "--entity-type", "user", "--what-if")
    assert result.code == 0
    assert "entity types: user" in result.stderr
    assert not [r for r in emulator.requests if r["method"] == "POST"]


def test_sync_api_from_a_plain_script(emulator: Any) -> None:
    """The synchronous parity functions work without an event loop of one's own."""
    settings = GraphSettings(
        graph_url=emulator.url,
        access_token=emulator.make_token(),
        auth_method="token",
        poll_interval=0.02,
    )
    sid = parity.list_snapshots(settings)[-1]["id"]
    job = parity.create_preview_job(settings, sid, parity.criteria_from(["group"]), wait=True)
    changes = parity.get_changes(settings, sid, job["id"])
    assert [c["id"] for c in changes] == [FINANCE]
    assert asyncio.run(parity.count_jobs_async(settings)) == 1


def test_filter_orderby_and_count_reach_graph(emulator: Any) -> None:
    """--filter and --orderby become $filter and $orderby on jobs; --count counts the items
    listed here (-CountVariable) and sends no $count, which no route documents."""
    job = preview(emulator, "--entity-type", "user")
    result = cli(
        emulator,
        "job",
        "list",
        "--filter",
        "status eq 'successful'",
        "--orderby",
        "jobStartDateTime desc",
        "--count",
        "-o",
        "json",
    )
    assert result.code == 0, result.stderr
    assert [j["id"] for j in json.loads(result.stdout)] == [job["id"]]
    assert "count: 1" in result.stderr
    query = routes(emulator, "jobs.list")[-1]["query"]
    assert query["$filter"] == "status eq 'successful'"
    assert query["$orderby"] == "jobStartDateTime desc" and "$count" not in query
    none = cli(emulator, "job", "list", "--filter", "status eq 'running'", "-o", "json")
    assert json.loads(none.stdout) == []


def test_count_counts_what_was_listed(emulator: Any) -> None:
    """--count with --top or --first-page counts the items printed, across pages otherwise."""
    every = cli(emulator, "snapshot", "list", "--page-size", "2", "--count")
    assert every.code == 0, every.stderr
    total = len(snapshots(emulator))
    assert f"count: {total}" in every.stdout
    top = cli(emulator, "snapshot", "list", "--top", "3", "--count", "-o", "json")
    assert "count: 3" in top.stderr and len(json.loads(top.stdout)) == 3
    assert not [r for r in emulator.requests if "$count" in r["query"]]


@pytest.mark.parametrize(
    ("args", "option"),
    [
        (("snapshot", "list", "--filter", "id eq 'x'"), "$filter"),
        (("snapshot", "count", "--filter", "id eq 'x'"), "$filter"),
        (("preview-job", "changes", "{sid}", "{job}", "--filter", "id eq 'x'"), "$filter"),
        (
            ("recovery-job", "failed-changes", "{sid}", "{job}", "--filter", "id eq 'x'"),
            "$filter",
        ),
    ],
    ids=["snapshot-list", "snapshot-count", "changes", "failed-changes"],
)
def test_undocumented_filters_are_a_usage_error_and_send_nothing(
    emulator: Any, args: tuple[str, ...], option: str
) -> None:
    """A --filter where the docs list no $filter: exit 64, saying why; nothing reaches Graph."""
    sid, job = "MjAyNi0xMS0yOFQwMjozMDowMFo=", "d3f8e7e8-7e87-4a7f-9d2c-c1c2d7e8e1f1"
    result = cli(emulator, *(a.format(sid=sid, job=job) for a in args))
    assert result.code == 64, result.stderr
    assert f"{option} is not sent" in result.stderr and "UNCONFIRMED" in result.stderr
    assert "Traceback" not in result.stderr and "unexpected" not in result.stderr
    assert emulator.requests == []


@pytest.mark.parametrize(
    "args",
    [
        ("snapshot", "list"),
        ("snapshot", "count"),
        ("preview-job", "changes"),
        ("recovery-job", "failed-changes"),
    ],
)
def test_help_does_not_offer_an_undocumented_filter(emulator: Any, args: tuple[str, ...]) -> None:
    """The refused --filter is hidden from --help; the job lists still offer theirs."""
    assert "--filter" not in cli(emulator, *args, "--help").stdout
    assert "--filter" in cli(emulator, "job", "list", "--help").stdout


def test_cancel_never_reads_the_job_by_id(make_emu: MakeEmulator) -> None:
    """job cancel finds the job through the documented list, not GET .../jobs/{id}."""
    server = make_emu(durations=30)
    sid = latest_snapshot(server)
    running = json.loads(cli(server, "preview-job", "create", sid, "-o", "json").stdout)["id"]
    before = len(server.requests)
    cancel = cli(server, "job", "cancel", running, "--yes")
    assert cancel.code == 0, cancel.stderr
    sent = [(r["route"], r["query"]) for r in server.requests[before:]]
    assert sent == [("jobs.list", {"$filter": f"id eq '{running}'"}), ("cancel", {})]


def test_cancel_of_an_unknown_job_is_one_clear_error(emulator: Any) -> None:
    """No such job: exit 1 with a message saying so, and no cancel is sent."""
    result = cli(emulator, "job", "cancel", "00000000-0000-0000-0000-000000000000", "--yes")
    assert result.code == 1
    assert "no such job" in result.stderr and "Traceback" not in result.stderr
    assert not routes(emulator, "cancel") and not routes(emulator, "job.get")


# --- a broken sign-in is one clear error, never a traceback ----------------------------------


def _sign_in_error(emulator: Any, *options: str, **extra: str) -> Any:
    """Run a Graph command with a delegated sign-in (no access token); return the result."""
    environment = {"ENTRA_RECOVERY_GRAPH_URL": emulator.url, **extra}
    result = run_cli([*options, "snapshot", "list", "-o", "json"], environment)
    assert "unexpected error" not in result.stderr and "Traceback" not in result.stderr
    assert not emulator.requests, "nothing may be sent without a credential"
    return result


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (b"{not json", "is not a stored sign-in (JSONDecodeError"),
        (b'{"version": 1}', "is not a stored sign-in (KeyError: 'record')"),
        (b"[]", "is not a stored sign-in (TypeError"),
        (b"\xff\xfe\x00 not text", "is not a stored sign-in (UnicodeDecodeError"),
    ],
)
def test_corrupt_stored_sign_in_is_a_clear_auth_error(
    emulator: Any, tmp_path: Path, content: bytes, reason: str
) -> None:
    """A damaged file among the stored sign-ins names itself and says how to recover."""
    stored = tmp_path / "signins" / f"{TENANT}.json"
    stored.parent.mkdir()
    stored.write_bytes(content)
    result = _sign_in_error(
        emulator, "--state-dir", str(tmp_path), "--auth", "device-code", "--tenant-id", TENANT
    )
    assert result.code == 1
    assert result.stderr.startswith("Error: ")
    assert str(stored) in result.stderr and reason in result.stderr
    assert f"hint: run `entra-recovery logout --tenant-id {TENANT}` or delete" in result.stderr


def test_unreadable_stored_sign_in_is_a_clear_auth_error(emulator: Any, tmp_path: Path) -> None:
    """A stored sign-in that cannot be read (here: a folder) is an error, not a sign-in."""
    (tmp_path / "signins" / f"{TENANT}.json").mkdir(parents=True)
    result = _sign_in_error(emulator, "--state-dir", str(tmp_path), "--auth", "browser")
    assert result.code == 1
    assert f"cannot read the stored sign-in {tmp_path}" in result.stderr
    assert "hint: " in result.stderr


def test_the_retired_auth_record_variable_names_its_replacement(emulator: Any) -> None:
    """ENTRA_RECOVERY_AUTH_RECORD is refused with the command that replaced it (exit 64)."""
    result = _sign_in_error(emulator, ENTRA_RECOVERY_AUTH_RECORD="/tmp/record.json")
    assert result.code == 64
    assert "ENTRA_RECOVERY_AUTH_RECORD is no longer read" in result.stderr
    assert "entra-recovery login --tenant-id" in result.stderr


def test_a_malformed_tenant_is_a_clear_auth_error(emulator: Any, tmp_path: Path) -> None:
    """A tenant that cannot be an id or a domain is refused before anything else."""
    result = _sign_in_error(
        emulator, "--state-dir", str(tmp_path), "--auth", "device-code", "--tenant-id", "../x"
    )
    assert result.code == 1
    assert "'../x' is not a tenant id or domain" in result.stderr


def test_no_sign_in_and_no_terminal_fails_at_once_naming_login(
    emulator: Any, tmp_path: Path
) -> None:
    """auto with no token and no stored sign-in, in a run nobody watches: exit 1, the command."""
    for options in ([], ["--auth", "browser"], ["--auth", "device-code"]):
        result = _sign_in_error(
            emulator, "--state-dir", str(tmp_path), "--tenant-id", TENANT, *options
        )
        assert result.code == 1, options
        assert f"not signed in for tenant {TENANT}" in result.stderr
        assert f"run `entra-recovery login --tenant-id {TENANT}`" in result.stderr


def test_snapshot_selectors_latest_and_before(emulator: Any) -> None:
    """`latest` is the newest snapshot; `latest --before DATE` the newest at or before DATE."""
    listed = json.loads(cli(emulator, "snapshot", "list", "-o", "json").stdout)
    by_time = sorted(listed, key=lambda s: s["createdDateTime"])
    newest, previous = by_time[-1], by_time[-2]
    got = cli(emulator, "snapshot", "get", "latest", "-o", "json")
    assert got.code == 0, got.stderr
    assert json.loads(got.stdout)["id"] == newest["id"]
    assert f"Snapshot: {newest['id']}" in got.stderr
    before = previous["createdDateTime"]
    got = cli(emulator, "snapshot", "get", "latest", "--before", before, "-o", "json")
    assert got.code == 0, got.stderr
    assert json.loads(got.stdout)["id"] == previous["id"]
    jobs = cli(emulator, "preview-job", "list", "LATEST", "--before", before, "-o", "json")
    assert jobs.code == 0, jobs.stderr


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--before", "2026-11-27T08:00:00"], "has no zone"),
        (["--before", "yesterday"], "not an ISO 8601"),
        (["--before", "1999-01-01T00:00:00Z"], "no snapshot was created at or before"),
    ],
)
def test_before_selector_errors(emulator: Any, args: list[str], message: str) -> None:
    """A zoneless or unparsable DATE is a usage error; a DATE before every snapshot says so."""
    result = cli(emulator, "snapshot", "get", "latest", *args)
    assert result.code in (1, 64)
    assert message in result.stderr


def test_before_goes_only_with_latest(emulator: Any) -> None:
    """An id with --before is a usage error (exit 64), not a silent choice between them."""
    sid = latest_snapshot(emulator)
    result = cli(emulator, "preview-job", "list", sid, "--before", "2026-01-01T00:00:00Z")
    assert result.code == 64
    assert "goes with 'latest'" in result.stderr


def test_list_as_csv(emulator: Any) -> None:
    """-o csv: RFC 4180, one header row of the table's columns, then one row per item."""
    import csv
    import io

    listed = json.loads(cli(emulator, "snapshot", "list", "-o", "json").stdout)
    result = cli(emulator, "snapshot", "list", "-o", "csv")
    assert result.code == 0, result.stderr
    assert result.stdout.endswith("\r\n")
    rows = list(csv.reader(io.StringIO(result.stdout, newline="")))
    assert rows[0] == ["id", "createdDateTime", "totalChangedObjects"]
    assert [r[0] for r in rows[1:]] == [s["id"] for s in listed]
    selected = cli(emulator, "job", "list", "-o", "csv", "--select", "id,status")
    assert selected.code == 0 and selected.stdout.startswith("id,status\r\n")


def test_csv_nested_values_are_compact_json(emulator: Any) -> None:
    """A nested value in a CSV cell is compact JSON, quoted as RFC 4180 requires."""
    job = preview(emulator, "--entity-type", "user")
    result = cli(
        emulator, "preview-job", "list", job["sid"], "-o", "csv", "--select", "id,filteringCriteria"
    )
    assert result.code == 0, result.stderr
    import csv
    import io

    rows = list(csv.reader(io.StringIO(result.stdout, newline="")))
    cell = next(r[1] for r in rows[1:] if r[0] == job["id"])
    assert json.loads(cell) == job["filteringCriteria"]
    assert ", " not in cell


def test_job_table_never_folds_an_id(emulator: Any) -> None:
    """Outside a terminal the job table keeps every job id whole on one line."""
    job = preview(emulator, "--entity-type", "user")
    result = cli(emulator, "job", "list")
    assert result.code == 0, result.stderr
    assert job["id"] in result.stdout

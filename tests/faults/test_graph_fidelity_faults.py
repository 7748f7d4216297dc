"""Graph fidelity faults: a Graph that misbehaves, case by case, through the real CLI and SDK.

Each CLI case runs `entra-recovery` in-process against a rewriting proxy: a loopback HTTP server
in front of the emulator that forwards every request and edits the JSON of the answers the case
names (a change item turned into a string, a job with odd `filteringCriteria`, ...). Links the
emulator builds (nextLink, Location) carry the proxy's Host, so the client never sees the
emulator's own address. Each case names what the server does, the command, the exit code and a
fragment of the message, and no case may end in a traceback. The emulator cases send the
query options the reference does not list, through the real SDK pipeline, and expect Graph's
400 (`BadRequest`) naming the option.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from entra_recovery.emulator.server import EmulatorServer
from entra_recovery.errors import GraphError
from entra_recovery.graph import parity
from entra_recovery.graph import raw
from entra_recovery.graph.client import GraphClient
from entra_recovery.graph.operations import Operation
from entra_recovery.graph.paging import ListQuery
from entra_recovery.graph.settings import GraphSettings
from entra_recovery.graph.transport import RetryPolicy
from entra_recovery.testing import emulator_env
from helpers.clirun import run_cli
from helpers.planfiles import plan_data
from helpers.planfiles import write_plan
from helpers.proxy import RewritingProxy

NS = "microsoft.graph.entraRecoveryServices"
PREVIEW_TYPE = f"#{NS}.recoveryPreviewJob"
ODD_JOB_ID = "0dd0dd00-0000-4000-8000-000000000000"


class YouForgotToUseTheEmulator(BaseException):
    """A BaseException, so that no credential error mapping can soften it."""


@pytest.fixture(autouse=True)
def _no_real_credentials(monkeypatch: pytest.MonkeyPatch) -> None:
    """Building an azure-identity credential in these tests is a bug."""

    def refuse(*args: object, **kwargs: object) -> object:
        raise YouForgotToUseTheEmulator("tests use a static token")

    monkeypatch.setattr("entra_recovery.graph.auth._build_azure_credential", refuse)


# --- the rewriting proxy -------------------------------------------------------------------

Json = dict[str, Any]
Edit = Callable[[Json], None]


@dataclass(frozen=True)
class Rewrite:
    """Edit (in place) the JSON of every 200 answer whose path `applies` to."""

    applies: Callable[[str], bool]
    edit: Edit


def _proxy(emulator: EmulatorServer, rewrites: tuple[Rewrite, ...]) -> RewritingProxy:
    """A rewriting proxy in front of `emulator` applying `rewrites` to the paths they match."""

    def rewrite(method: str, path: str, data: Any) -> Any:
        for item in rewrites:
            if item.applies(path) and isinstance(data, dict):
                item.edit(data)
        return data

    return RewritingProxy(emulator.url, rewrite)


# --- what the server does: rewrites ---------------------------------------------------------


def _is_changes(path: str) -> bool:
    return path.endswith(f"{NS}.getChanges")


def _is_failed_changes(path: str) -> bool:
    return path.endswith(f"{NS}.getFailedChanges")


def _is_job_list(path: str) -> bool:
    return path.endswith("/directory/recovery/jobs")


def _any(path: str) -> bool:
    return True


def set_item(index: int, value: Any, applies: Callable[[str], bool] = _is_changes) -> Rewrite:
    """Item `index` of `value` becomes `value` (first page only, or every page)."""

    def edit(body: Json) -> None:
        if len(body["value"]) > index:
            body["value"][index] = copy.deepcopy(value)

    return Rewrite(applies, edit)


def append_item(value: Any, applies: Callable[[str], bool]) -> Rewrite:
    def edit(body: Json) -> None:
        body["value"].append(copy.deepcopy(value))

    return Rewrite(applies, edit)


def drop_key(index: int, key: str) -> Rewrite:
    def edit(body: Json) -> None:
        body["value"][index].pop(key, None)

    return Rewrite(_is_changes, edit)


def set_key(index: int, key: str, value: Any) -> Rewrite:
    def edit(body: Json) -> None:
        body["value"][index][key] = value

    return Rewrite(_is_changes, edit)


def on_last_page(value: Any) -> Rewrite:
    """The first item of the last page (reached through nextLinks) is `value`."""

    def edit(body: Json) -> None:
        if "@odata.nextLink" not in body:
            body["value"][0] = value

    return Rewrite(_is_changes, edit)


def odd_job(criteria: Any, status: str = "successful") -> Rewrite:
    """The tenant's job list holds one more job with these `filteringCriteria`."""
    job = {
        "@odata.type": PREVIEW_TYPE,
        "id": ODD_JOB_ID,
        "status": status,
        "targetStateDateTime": "2026-11-27T02:30:00Z",
        "jobStartDateTime": "2026-11-27T06:40:00Z",
        "jobCompletionDateTime": "2026-11-27T06:50:00Z",
        "filteringCriteria": criteria,
        "totalChangedObjectsCalculated": 1,
        "totalChangedLinksCalculated": 0,
    }
    return append_item(job, _is_job_list)


def zoneless_times() -> Rewrite:
    """Every job Graph sends has its times without a zone (`2026-11-28T09:00:00`)."""

    def strip(job: Any) -> None:
        if isinstance(job, dict) and "status" in job:
            for key in ("targetStateDateTime", "jobStartDateTime", "jobCompletionDateTime"):
                if isinstance(job.get(key), str):
                    job[key] = job[key].removesuffix("Z")

    def edit(body: Json) -> None:
        strip(body)
        for item in body.get("value") or ():
            strip(item)

    return Rewrite(_any, edit)


GOOD_CHANGE = {"entityTypeName": "user", "id": "u-1", "recoveryAction": "update"}


# --- the CLI cases -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Case:
    """One misbehaving server and what the user sees.

    `command` may use {sid}, {job} (a finished preview job), {recovery} (a finished recovery
    job) and {plan} (the demo CA / named-location preview plan).
    """

    name: str
    server_does: str
    rewrites: tuple[Rewrite, ...]
    command: tuple[str, ...]
    exit_code: int
    fragment: str


CHANGES = ("preview-job", "changes", "{sid}", "{job}", "-o", "json")
FAILED = ("recovery-job", "failed-changes", "{sid}", "{recovery}", "-o", "json")
PREVIEW = ("plan", "preview", "{plan}")
JOBS = ("job", "list", "-o", "json")

CASES = [
    # change stream integrity: never a silently shorter list
    Case("changes-string", "getChanges item 1 is a string", (set_item(1, "user"),), CHANGES,
         1, "item 1 on page 1"),
    Case("changes-number", "getChanges item 0 is a number", (set_item(0, 7),), CHANGES,
         1, "it is a number, not a change object"),
    Case("changes-null", "getChanges item 2 is null", (set_item(2, None),), CHANGES,
         1, "item 2 on page 1"),
    Case("changes-list", "getChanges item 0 is a list", (set_item(0, [GOOD_CHANGE]),), CHANGES,
         1, "it is a list, not a change object"),
    Case("changes-no-id", "a change without id", (drop_key(0, "id"),), CHANGES,
         1, "it has no id (nor objectId)"),
    Case("changes-no-type", "a change without entityTypeName", (drop_key(3, "entityTypeName"),),
         CHANGES, 1, "item 3 on page 1"),
    Case("changes-no-action", "a change without recoveryAction", (drop_key(0, "recoveryAction"),),
         CHANGES, 1, "it has no recoveryAction"),
    Case("changes-null-action", "a change whose recoveryAction is null",
         (set_key(0, "recoveryAction", None),), CHANGES, 1, "it has no recoveryAction"),
    Case("changes-delta-string", "a change whose deltaFromCurrent is a string",
         (set_key(0, "deltaFromCurrent", "x"),), CHANGES, 1, "deltaFromCurrent is a string"),
    Case("changes-last-page", "the first item of page 4 (of 3 changes each) is a string",
         (on_last_page("x"),), (*CHANGES, "--page-size", "3"), 1, "item 0 on page 4"),
    Case("changes-jsonl", "getChanges item 1 is null, read as a stream", (set_item(1, None),),
         ("preview-job", "changes", "{sid}", "{job}", "-o", "jsonl"), 1, "item 1 on page 1"),
    Case("failed-changes-string", "getFailedChanges holds a string",
         (append_item(GOOD_CHANGE, _is_failed_changes), append_item("x", _is_failed_changes)),
         FAILED, 1, "item 1 on page 1"),
    Case("failed-changes-no-id", "a failed change without id or objectId",
         (append_item({"entityTypeName": "user", "recoveryAction": "update"},
                      _is_failed_changes),),
         FAILED, 1, "it has no id (nor objectId)"),
    Case("failed-changes-object-id", "a failed change with objectId (beta sample) passes",
         (append_item({"entityTypeName": "user", "objectId": "u-9", "recoveryAction": "update",
                       "failureMessage": "locked"}, _is_failed_changes),),
         FAILED, 0, '"objectId": "u-9"'),
    Case("preview-malformed-change", "getChanges item 0 is a string during plan preview",
         (set_item(0, "x"),), PREVIEW, 1, "item 0 on page 1"),
    Case("unknown-action-passes", "a change with recoveryAction 'quarantine'",
         (set_key(0, "recoveryAction", "quarantine"),), CHANGES, 0, '"quarantine"'),
    Case("unknown-action-preview", "plan preview over a change with an unknown action",
         (set_key(0, "recoveryAction", "quarantine"),), PREVIEW, 2, "quarantine"),
    Case("jobs-string-item", "the job list holds a string", (append_item("job", _is_job_list),),
         JOBS, 1, "listing jobs failed: item 2 on page 1"),
    Case("preview-jobs-string-item", "the job list holds null during the slot check",
         (append_item(None, _is_job_list),), PREVIEW, 1, "it is null, not an object"),
    # lenient where Graph is: odd filteringCriteria never block a preview
    Case("criteria-string", "a job's filteringCriteria is a string", (odd_job("user"),), PREVIEW,
         2, "Require MFA for administrators"),
    Case("criteria-list", "a job's filteringCriteria is a list", (odd_job(["user", "group"]),),
         PREVIEW, 2, "Require MFA for administrators"),
    Case("criteria-unknown-type", "a job's filteringCriteria has an unknown @odata.type",
         (odd_job({"@odata.type": f"#{NS}.recoveryJobSomethingNew", "x": [1]}),), PREVIEW,
         2, "Require MFA for administrators"),
    Case("criteria-null-members", "a job's entityTypes hold null",
         (odd_job({"@odata.type": f"#{NS}.recoveryJobEntityNamesFilter",
                   "entityTypes": ["user", None]}),),
         PREVIEW, 2, "Require MFA for administrators"),
    Case("criteria-null-list", "a job's filterValues is null",
         (odd_job({"@odata.type": f"#{NS}.recoveryJobEntityNameAndIdsFilter",
                   "filterValues": None}),),
         PREVIEW, 2, "Require MFA for administrators"),
    Case("criteria-bad-pairs", "a job's filterValues hold a string and an object without ids",
         (odd_job({"@odata.type": f"#{NS}.recoveryJobEntityNameAndIdsFilter",
                   "filterValues": ["user", {"entityType": "user"}]}),),
         PREVIEW, 2, "Require MFA for administrators"),
    Case("criteria-job-list", "job list with odd filteringCriteria, printed as sent",
         (odd_job(42),), JOBS, 0, '"filteringCriteria": 42'),
    Case("criteria-running-odd", "a running job with odd criteria still blocks the slot",
         (odd_job("user", status="running"),), PREVIEW, 1, f"({ODD_JOB_ID}, running)"),
    # times and statuses
    Case("times-without-zone", "every job time comes without a zone", (zoneless_times(),),
         PREVIEW, 2, "Require MFA for administrators"),
    Case("times-without-zone-list", "job times without a zone are printed as sent",
         (odd_job(None), zoneless_times()), JOBS, 0, '"2026-11-27T06:40:00"'),
    Case("unknown-status-list", "a job with status 'pausedByService', listed",
         (odd_job(None, status="pausedByService"),), ("job", "list"), 0, "pausedByService"),
    Case("unknown-status-slot", "a job with an unknown status counts as not finished",
         (odd_job(None, status="pausedByService"),), PREVIEW, 1,
         f"({ODD_JOB_ID}, pausedByService) is running"),
]  # fmt: skip


@pytest.fixture
def emulator_with_jobs(make_emulator: Callable[..., EmulatorServer]) -> Iterator[Json]:
    """The demo emulator with a finished preview job and a finished recovery job (of nothing)."""
    server = make_emulator()
    settings = GraphSettings(
        graph_url=server.url,
        access_token=server.make_token(),
        auth_method="token",
        poll_interval=0.01,
    )
    sid = parity.list_snapshots(settings)[-1]["id"]
    job = parity.create_preview_job(settings, sid, wait=True)["id"]
    # A recovery scoped to an object that did not change: finished, nothing written.
    scope = parity.criteria_from(objects=["user:a1b2c3d4-0009-4000-8000-000000000009"])
    recovery = parity.create_recovery_job(settings, sid, scope, wait=True)["id"]
    server.requests.clear()
    yield {"server": server, "sid": sid, "job": job, "recovery": recovery}


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
def test_misbehaving_graph(case: Case, emulator_with_jobs: Json, tmp_path: Path) -> None:
    """What the server does leads to the expected exit code and message, never a traceback."""
    server: EmulatorServer = emulator_with_jobs["server"]
    proxy = _proxy(server, case.rewrites).start()
    try:
        plan = write_plan(tmp_path, plan_data())
        values = {**emulator_with_jobs, "plan": str(plan)}
        args = [part.format(**values) for part in case.command]
        environment = {
            **emulator_env(server),
            "ENTRA_RECOVERY_GRAPH_URL": proxy.url,
            "ENTRA_RECOVERY_STATE_DIR": str(tmp_path / "state"),
        }
        result = run_cli(args, environment)
    finally:
        proxy.stop()
    output = result.stdout + result.stderr
    assert result.code == case.exit_code, f"{case.server_does}:\n{output}"
    assert case.fragment in output, f"{case.server_does}:\n{output}"
    assert "Traceback" not in output and "unexpected error" not in output


def test_the_table_covers_every_fault_the_issue_names() -> None:
    """The case table stays what the issue asks for (a guard against silent trimming)."""
    names = {case.name for case in CASES}
    assert len(names) == len(CASES)
    for prefix in ("changes-", "failed-changes-", "criteria-", "times-", "unknown-"):
        assert any(name.startswith(prefix) for name in names), prefix


# --- the emulator is strict: undocumented options are a 400 ----------------------------------


@dataclass(frozen=True)
class OptionCase:
    """One query option the reference does not list on a route (section 2.2)."""

    name: str
    path: str  # relative to /v1.0/directory/recovery; {sid}, {job}, {recovery}
    query: str
    option: str


GET_CHANGES = f"snapshots/{{sid}}/recoveryPreviewJobs/{{job}}/{NS}.getChanges"
GET_FAILED = f"snapshots/{{sid}}/recoveryJobs/{{recovery}}/{NS}.getFailedChanges"

OPTION_CASES = [
    OptionCase("count-snapshots", "snapshots", "$count=true", "$count"),
    OptionCase("count-jobs", "jobs", "$count=true", "$count"),
    OptionCase("count-preview-jobs", "snapshots/{sid}/recoveryPreviewJobs", "$count=true",
               "$count"),
    OptionCase("count-recovery-jobs", "snapshots/{sid}/recoveryJobs", "$count=false", "$count"),
    OptionCase("count-changes", GET_CHANGES, "$count=true", "$count"),
    OptionCase("count-failed-changes", GET_FAILED, "$count=true", "$count"),
    OptionCase("filter-changes", GET_CHANGES, "$filter=entityTypeName%20eq%20'user'", "$filter"),
    OptionCase("filter-failed-changes", GET_FAILED, "$filter=id%20eq%20'x'", "$filter"),
    OptionCase("orderby-changes", GET_CHANGES, "$orderby=id", "$orderby"),
    OptionCase("filter-snapshots", "snapshots", "$filter=id%20eq%20'x'", "$filter"),
    OptionCase("skip-snapshots", "snapshots", "$skip=1", "$skip"),
    OptionCase("skip-jobs", "jobs", "$skip=1", "$skip"),
    OptionCase("skip-preview-jobs", "snapshots/{sid}/recoveryPreviewJobs", "$skip=1", "$skip"),
    OptionCase("expand-snapshot", "snapshots/{sid}", "$expand=recoveryJobs", "$expand"),
    OptionCase("expand-jobs", "jobs", "$expand=x", "$expand"),
    OptionCase("search-snapshots", "snapshots", "$search=x", "$search"),
    OptionCase("search-changes", GET_CHANGES, "$search=x", "$search"),
    OptionCase("top-on-get", "snapshots/{sid}", "$top=1", "$top"),
]  # fmt: skip


async def _get(settings: GraphSettings, url: str) -> Any:
    """GET an absolute URL through the real SDK pipeline (GraphClient's transport)."""
    async with GraphClient(settings, retry=RetryPolicy(delay=0)) as client:
        request = raw.next_link_request(url, settings)
        operation = Operation("sending an undocumented option", ("EntraBackup.Read.All",), "r")
        return await client.transport.send(request, operation)


@pytest.mark.parametrize("case", OPTION_CASES, ids=lambda c: c.name)
def test_the_emulator_refuses_undocumented_options(
    case: OptionCase, emulator_with_jobs: Json
) -> None:
    """400, code BadRequest, a message naming the option: sent through msgraph-sdk."""
    import asyncio

    server: EmulatorServer = emulator_with_jobs["server"]
    settings = GraphSettings(
        graph_url=server.url, access_token=server.make_token(), auth_method="token"
    )
    path = case.path.format(**emulator_with_jobs)
    url = f"{server.url}/v1.0/directory/recovery/{path}?{case.query}"
    with pytest.raises(GraphError) as info:
        asyncio.run(_get(settings, url))
    assert info.value.status == 400 and info.value.code == "BadRequest"
    assert f"Query option '{case.option}' is not supported" in str(info.value)


def test_the_emulators_own_next_links_keep_working(emulator_with_jobs: Json) -> None:
    """$skiptoken in the nextLinks the emulator produced (after $top pages) still pages."""
    import asyncio

    server: EmulatorServer = emulator_with_jobs["server"]
    settings = GraphSettings(
        graph_url=server.url, access_token=server.make_token(), auth_method="token"
    )

    async def go() -> list[Json]:
        async with GraphClient(settings) as client:
            listing = client.changes(
                emulator_with_jobs["sid"], emulator_with_jobs["job"], ListQuery(page_size=3)
            )
            return await listing.collect()

    changes = asyncio.run(go())
    pages = [r for r in server.requests if r["route"] == "getChanges"]
    assert len(changes) == 10 and len(pages) == 4
    assert all("$skiptoken" in r["query"] for r in pages[1:])

"""Documented errors in Graph's envelope: 409, 404, 400, 401, 403, 415."""

from __future__ import annotations

import base64
import json
import time
from collections.abc import Callable

import pytest
from unit.emulator.graphhttp import IDS_FILTER
from unit.emulator.graphhttp import NAMES_FILTER
from unit.emulator.graphhttp import NS
from unit.emulator.graphhttp import ROOT
from unit.emulator.graphhttp import Graph

from entra_recovery.constants import SCOPE_PREVIEW
from entra_recovery.constants import SCOPE_READ
from entra_recovery.constants import SCOPE_RECOVERY
from entra_recovery.emulator.auth import make_token

CONFLICT = (
    "A recovery job is currently in progress. Wait for it to complete before initiating a new job."
)
BAD_SNAPSHOT = (
    "This isn't a valid timestamp for recovery. The provided timestamp should be in the list "
    "of available backups."
)
FORBIDDEN = "Authorization has been denied for this request. Check your credentials."


def test_409_while_any_job_runs_with_envelope_and_request_ids(
    make_graph: Callable[..., Graph],
) -> None:
    graph = make_graph(job_durations=30)
    graph.start()
    older = graph.snapshots()[0]["id"]
    reply = graph.post(
        f"{ROOT}/snapshots/{older}/recoveryJobs", headers={"client-request-id": "abc-123"}
    )
    assert reply.status == 409
    error = reply.error
    assert error["message"] == CONFLICT
    assert error["code"]
    inner = error["innerError"]
    assert inner["client-request-id"] == "abc-123"
    assert inner["request-id"] == reply.header("request-id")
    assert reply.header("client-request-id") == "abc-123"
    assert time.strptime(inner["date"], "%Y-%m-%dT%H:%M:%S")


def test_after_cancel_a_new_job_may_start(make_graph: Callable[..., Graph]) -> None:
    graph = make_graph(job_durations=30)
    job_id = graph.start().rsplit("/", 1)[1]
    assert graph.post(f"{ROOT}/jobs/{job_id}/{NS}.cancel").status == 202
    assert graph.create().status == 202


def test_404_unknown_or_expired_snapshot(graph: Graph) -> None:
    gone = base64.b64encode(b"2001-01-01T02:30:00Z").decode()
    for kind in ("recoveryPreviewJobs", "recoveryJobs"):
        reply = graph.create(kind, sid=gone)
        assert reply.status == 404 and reply.error["message"] == BAD_SNAPSHOT
    assert graph.get(f"{ROOT}/snapshots/{gone}").status == 404
    assert graph.get(f"{ROOT}/snapshots/not-base64!/recoveryJobs").status == 404


def test_404_unknown_job_everywhere(graph: Graph) -> None:
    sid = graph.latest()
    missing = "00000000-0000-0000-0000-000000000000"
    assert graph.get(f"{ROOT}/jobs/{missing}").status == 404
    assert graph.post(f"{ROOT}/jobs/{missing}/{NS}.cancel").status == 404
    assert graph.get(f"{ROOT}/snapshots/{sid}/recoveryPreviewJobs/{missing}").status == 404
    assert graph.get(f"{ROOT}/snapshots/{sid}/recoveryJobs/{missing}").status == 404
    path = f"{ROOT}/snapshots/{sid}/recoveryPreviewJobs/{missing}/{NS}.getChanges"
    assert graph.get(path).status == 404
    # a preview job is not found under recoveryJobs, nor under another snapshot
    preview = graph.start(sid=sid)
    job_id = preview.rsplit("/", 1)[1]
    assert graph.get(f"{ROOT}/snapshots/{sid}/recoveryJobs/{job_id}").status == 404
    other = graph.snapshots()[0]["id"]
    assert graph.get(f"{ROOT}/snapshots/{other}/recoveryPreviewJobs/{job_id}").status == 404


def test_400_get_changes_before_success(make_graph: Callable[..., Graph]) -> None:
    graph = make_graph(job_durations=30)
    location = graph.start()
    reply = graph.get(f"{location}/{NS}.getChanges")
    job_id = location.rsplit("/", 1)[1]
    assert reply.status == 400
    assert reply.error["message"] == (
        f"Job with identifier {job_id} must have completed successfully prior to "
        "enumerating changes."
    )
    recovery_graph = make_graph(job_durations=30)
    recovery = recovery_graph.start("recoveryJobs")
    assert recovery_graph.get(f"{recovery}/{NS}.getFailedChanges").status == 400


def test_400_get_changes_of_failed_or_abandoned_preview(make_graph: Callable[..., Graph]) -> None:
    graph = make_graph(job_durations=30)
    location = graph.start()
    graph.post(f"{ROOT}/jobs/{location.rsplit('/', 1)[1]}/{NS}.cancel")
    assert graph.get(f"{location}/{NS}.getChanges").status == 400


@pytest.mark.parametrize(
    ("body", "fragment"),
    [
        (
            {
                "filteringCriteria": {
                    "@odata.type": IDS_FILTER,
                    "filterValues": [
                        {"entityType": "user", "entityIds": ["a"]},
                        {"entityType": "user", "entityIds": ["b"]},
                    ],
                }
            },
            "Duplicate entityType 'user'",
        ),
        (
            {"filteringCriteria": {"@odata.type": NAMES_FILTER, "entityTypes": ["user", "user"]}},
            "duplicate",
        ),
        (
            {"filteringCriteria": {"@odata.type": NAMES_FILTER, "entityTypes": ["users"]}},
            "'users' is not a valid resourceTypeName",
        ),
        ({"filteringCriteria": {"@odata.type": NAMES_FILTER, "entityTypes": []}}, "non-empty"),
        (
            {"filteringCriteria": {"@odata.type": "#microsoft.graph.foo", "entityTypes": ["user"]}},
            "unknown or missing @odata.type",
        ),
        ({"filteringCriteria": {"entityTypes": ["user"]}}, "unknown or missing @odata.type"),
        (
            {"filteringCriteria": {"@odata.type": NAMES_FILTER, "entityTypes": ["user"], "x": 1}},
            "unknown property 'x'",
        ),
        (
            {
                "filteringCriteria": {
                    "@odata.type": IDS_FILTER,
                    "filterValues": [{"entityType": "user", "entityIds": []}],
                }
            },
            "non-empty array of ids",
        ),
        (
            {
                "filteringCriteria": {
                    "@odata.type": IDS_FILTER,
                    "filterValues": [{"entityType": "user", "entityIds": [1]}],
                }
            },
            "non-empty array of ids",
        ),
        (
            {
                "filteringCriteria": {
                    "@odata.type": NAMES_FILTER,
                    "entityTypes": ["unknownFutureValue"],
                }
            },
            "not a valid",
        ),
        ({"filteringCriteria": "user"}, "must be an object"),
        ({"scope": "all"}, "unknown property 'scope'"),
        ([1, 2], "must be a JSON object"),
    ],
)
def test_400_malformed_create_bodies(graph: Graph, body: object, fragment: str) -> None:
    for kind in ("recoveryPreviewJobs", "recoveryJobs"):
        reply = graph.post(f"{ROOT}/snapshots/{graph.latest()}/{kind}", body)
        assert reply.status == 400, reply.raw
        assert fragment in reply.error["message"]
    assert graph.get(f"{ROOT}/jobs").json["value"] == []


def test_400_not_json_and_415_wrong_content_type(graph: Graph) -> None:
    path = f"{ROOT}/snapshots/{graph.latest()}/recoveryPreviewJobs"
    reply = graph.call(
        "POST", path, raw_body=b"{not json", headers={"Content-Type": "application/json"}
    )
    assert reply.status == 400 and "not valid JSON" in reply.error["message"]
    reply = graph.call("POST", path, raw_body=b"{}", headers={"Content-Type": "text/plain"})
    assert reply.status == 415


def test_hidden_entity_types_need_prefer_when_sent(graph: Graph) -> None:
    criteria = {"@odata.type": NAMES_FILTER, "entityTypes": ["organization"]}
    graph.prefer = False
    reply = graph.create(criteria=criteria)
    assert reply.status == 400 and "include-unknown-enum-members" in reply.error["message"]
    graph.prefer = True
    assert graph.create(criteria=criteria).status == 202


def test_401_without_or_with_a_broken_token(graph: Graph) -> None:
    graph.token = None
    reply = graph.get(f"{ROOT}/snapshots")
    assert reply.status == 401 and reply.header("www-authenticate")
    reply = graph.get(f"{ROOT}/snapshots", headers={"Authorization": "Basic dXNlcjpwYXNz"})
    assert reply.status == 401
    reply = graph.get(f"{ROOT}/snapshots", headers={"Authorization": "Bearer "})
    assert reply.status == 401


def test_401_foreign_tenant_or_expired(graph: Graph) -> None:
    graph.token = graph.server.make_token(tenant_id="11111111-2222-3333-4444-555555555555")
    reply = graph.get(f"{ROOT}/snapshots")
    assert reply.status == 401 and "different tenant" in reply.error["message"]
    claims = {"tid": graph.server.tenant_id, "exp": 1000, "scp": SCOPE_READ}
    part = base64.urlsafe_b64encode(json.dumps(claims).encode()).decode().rstrip("=")
    graph.token = "eyJhbGciOiJub25lIiwidHlwIjoiSldUIn0." + part + "."
    assert graph.get(f"{ROOT}/snapshots").status == 401


def test_opaque_tokens_have_full_rights(graph: Graph) -> None:
    graph.token = "anything-at-all"
    assert graph.get(f"{ROOT}/snapshots").status == 200
    assert graph.create("recoveryJobs").status == 202


def test_403_read_only_token(graph: Graph) -> None:
    graph.token = graph.server.make_token(scopes=[SCOPE_READ])
    assert graph.get(f"{ROOT}/snapshots").status == 200
    assert graph.get(f"{ROOT}/jobs").status == 200
    for kind in ("recoveryPreviewJobs", "recoveryJobs"):
        reply = graph.create(kind)
        assert reply.status == 403 and reply.error["message"] == FORBIDDEN


def test_403_scope_per_operation(make_graph: Callable[..., Graph]) -> None:
    graph = make_graph(job_durations=30)
    graph.token = graph.server.make_token(scopes=[SCOPE_PREVIEW])
    assert graph.get(f"{ROOT}/snapshots").status == 200  # any ReadWrite scope reads
    assert graph.create("recoveryJobs").status == 403
    job_id = graph.start().rsplit("/", 1)[1]
    graph.token = graph.server.make_token(scopes=[SCOPE_READ])
    assert graph.post(f"{ROOT}/jobs/{job_id}/{NS}.cancel").status == 403
    graph.token = graph.server.make_token(scopes=[SCOPE_RECOVERY])
    assert graph.create("recoveryPreviewJobs").status == 403
    assert graph.post(f"{ROOT}/jobs/{job_id}/{NS}.cancel").status == 202
    graph.token = graph.server.make_token(scopes=["User.Read"])
    assert graph.get(f"{ROOT}/snapshots").status == 403


def test_app_only_token_reads_but_cannot_create(graph: Graph) -> None:
    sid = graph.latest()
    graph.token = graph.server.make_token(roles=[SCOPE_READ])
    assert graph.get(f"{ROOT}/snapshots").status == 200
    assert graph.create(sid=sid).status == 403
    graph.token = graph.server.make_token(roles=[SCOPE_PREVIEW, SCOPE_RECOVERY])
    assert graph.create(sid=sid).status == 403  # delegated only
    assert graph.get(f"{ROOT}/snapshots").status == 403


def test_jwt_without_scp_or_roles_is_allowed(graph: Graph) -> None:
    graph.token = make_token(graph.server.tenant_id, scopes=None, roles=None)
    claims = json.loads(base64.urlsafe_b64decode(graph.token.split(".")[1] + "=="))
    del claims["scp"]
    part = base64.urlsafe_b64encode(json.dumps(claims).encode()).decode().rstrip("=")
    graph.token = graph.token.split(".")[0] + "." + part + "."
    assert graph.create().status == 202


def test_413_oversized_body(graph: Graph) -> None:
    path = f"{ROOT}/snapshots/{graph.latest()}/recoveryPreviewJobs"
    reply = graph.call(
        "POST", path, raw_body=b" " * (2 << 20), headers={"Content-Type": "application/json"}
    )
    assert reply.status == 413 and "at most 1048576 bytes" in reply.error["message"]
    assert graph.get(f"{ROOT}/jobs").json["value"] == []

"""Every route (E1-E14) on v1.0 and beta, over HTTP: shapes, 202 + Location, spellings."""

from __future__ import annotations

import base64
from collections.abc import Callable

import pytest
from unit.emulator.graphhttp import NS
from unit.emulator.graphhttp import ROOT
from unit.emulator.graphhttp import TENANT
from unit.emulator.graphhttp import Graph

VERSIONS = ["v1.0", "beta"]


@pytest.mark.parametrize("version", VERSIONS)
def test_snapshots_list_get_count(make_graph: Callable[..., Graph], version: str) -> None:
    graph = make_graph(version)
    reply = graph.get(f"{ROOT}/snapshots")
    assert reply.status == 200
    assert reply.json["@odata.context"].endswith(
        f"/{version}/$metadata#directory/recovery/snapshots"
    )
    snapshots = reply.json["value"]
    assert [s["createdDateTime"] for s in snapshots] == [
        f"2026-11-{day}T02:30:00Z" for day in range(22, 29)
    ]
    for snapshot in snapshots:
        assert base64.b64decode(snapshot["id"]).decode() == snapshot["createdDateTime"]
        assert snapshot["@odata.type"] == f"#{NS}.snapshot"
        assert isinstance(snapshot["totalChangedObjects"], int)
    assert snapshots[-1]["id"] == "MjAyNi0xMS0yOFQwMjozMDowMFo="
    one = graph.get(f"{ROOT}/snapshots/{snapshots[-1]['id']}")
    assert one.status == 200 and one.json["createdDateTime"] == "2026-11-28T02:30:00Z"
    count = graph.get(f"{ROOT}/snapshots/$count")
    assert count.status == 200 and count.raw == b"7"
    assert count.header("content-type") == "text/plain"


@pytest.mark.parametrize("version", VERSIONS)
def test_preview_job_routes(make_graph: Callable[..., Graph], version: str) -> None:
    graph = make_graph(version)
    sid = graph.latest()
    reply = graph.create("recoveryPreviewJobs", sid=sid)
    assert reply.status == 202 and reply.raw == b""
    location = reply.header("location")
    assert location is not None
    prefix = (
        f"http://127.0.0.1:{graph.server.port}/{version}{ROOT}/snapshots/{sid}/recoveryPreviewJobs/"
    )
    assert location.startswith(prefix)
    job_id = location.rsplit("/", 1)[1]
    job = graph.get(location).json
    assert job["id"] == job_id and job["status"] == "successful"
    assert job["@odata.type"] == f"#{NS}.recoveryPreviewJob"
    assert job["targetStateDateTime"] == "2026-11-28T02:30:00Z"
    assert job["jobStartDateTime"] == "2026-11-28T09:00:00Z"
    assert job["totalChangedObjectsCalculated"] == 10
    assert job["totalChangedLinksCalculated"] == 3
    listed = graph.get(f"{ROOT}/snapshots/{sid}/recoveryPreviewJobs").json["value"]
    assert [j["id"] for j in listed] == [job_id]
    assert graph.get(f"{ROOT}/snapshots/{sid}/recoveryPreviewJobs/$count").raw == b"1"
    assert graph.get(f"{ROOT}/snapshots/{sid}/recoveryJobs/$count").raw == b"0"
    changes = graph.get(f"{location}/{NS}.getChanges")
    assert changes.status == 200 and len(changes.json["value"]) == 10
    tenant_wide = graph.get(f"{ROOT}/jobs").json["value"]
    assert [j["@odata.type"] for j in tenant_wide] == [f"#{NS}.recoveryPreviewJob"]
    assert graph.get(f"{ROOT}/jobs/{job_id}").json["status"] == "successful"
    assert graph.get(f"{ROOT}/jobs/$count").raw == b"1"


@pytest.mark.parametrize("version", VERSIONS)
def test_recovery_job_routes(make_graph: Callable[..., Graph], version: str) -> None:
    graph = make_graph(version)
    sid = graph.latest()
    location = graph.start("recoveryJobs", sid=sid)
    assert f"/{version}{ROOT}/snapshots/{sid}/recoveryJobs/" in location
    job = graph.get(location).json
    assert job["@odata.type"] == f"#{NS}.recoveryJob"
    assert job["status"] == "successful"
    assert job["totalObjectsModified"] == 10 and job["totalLinksModified"] == 3
    assert job["totalFailedChanges"] == 0
    failed = graph.get(f"{location}/{NS}.getFailedChanges")
    assert failed.status == 200 and failed.json["value"] == []
    listed = graph.get(f"{ROOT}/snapshots/{sid}/recoveryJobs").json["value"]
    assert [j["id"] for j in listed] == [job["id"]]
    assert graph.get(f"{ROOT}/snapshots/{sid}/recoveryPreviewJobs").json["value"] == []


@pytest.mark.parametrize("version", VERSIONS)
def test_cancel_answers_202_with_the_tenant_level_location(
    make_graph: Callable[..., Graph], version: str
) -> None:
    graph = make_graph(version, job_durations=30)
    location = graph.start()
    job_id = location.rsplit("/", 1)[1]
    reply = graph.post(f"{ROOT}/jobs/{job_id}/{NS}.cancel")
    assert reply.status == 202 and reply.raw == b""
    assert reply.header("location") == (
        f"http://127.0.0.1:{graph.server.port}/{version}{ROOT}/jobs/{job_id}"
    )
    assert graph.get(str(reply.header("location"))).json["status"] == "abandoned"


def test_short_bound_operation_spellings_only_on_beta(make_graph: Callable[..., Graph]) -> None:
    beta = make_graph("beta", job_durations=0)
    preview = beta.start()
    assert beta.get(f"{preview}/getChanges").status == 200
    recovery = beta.start("recoveryJobs")
    assert beta.get(f"{recovery}/getFailedChanges").status == 200
    v1 = beta.other("v1.0")
    try:
        v1_preview = preview.replace("/beta/", "/v1.0/")
        assert v1.get(f"{v1_preview}/getChanges").status == 404
        assert v1.get(f"{v1_preview}/{NS}.getChanges()").status == 404
        running = make_graph("beta", job_durations=30)
        job_id = running.start().rsplit("/", 1)[1]
        assert running.post(f"/v1.0{ROOT}/jobs/{job_id}/cancel").status == 404
        assert running.post(f"/beta{ROOT}/jobs/{job_id}/cancel").status == 202
    finally:
        v1.close()


def test_unknown_paths_methods_and_versions(graph: Graph) -> None:
    assert graph.get("/v2.0/directory/recovery/snapshots").status == 404
    assert graph.get(f"{ROOT}/nothing").status == 404
    assert graph.get(f"{ROOT}").status == 404
    wrong = graph.call("DELETE", f"{ROOT}/snapshots")
    assert wrong.status == 405 and wrong.header("allow") == "GET"
    assert graph.post(f"{ROOT}/jobs").status == 405
    assert graph.call("PATCH", f"{ROOT}/jobs/x").status == 405
    not_found = graph.get(f"{ROOT}/nothing").error
    assert not_found["code"] and not_found["innerError"]["request-id"]


def test_url_encoded_snapshot_id_and_keep_alive(graph: Graph) -> None:
    sid = graph.latest()
    encoded = sid.replace("=", "%3D")
    for _ in range(3):  # one connection, several requests (HTTP/1.1 keep-alive)
        assert graph.get(f"{ROOT}/snapshots/{encoded}").status == 200


def test_demo_tenant_id_and_token(graph: Graph) -> None:
    assert graph.server.tenant_id == TENANT
    token = graph.server.make_token()
    header, claims, signature = token.split(".")
    assert signature == ""
    decoded = base64.urlsafe_b64decode(claims + "==").decode()
    assert TENANT in decoded and "EntraBackup.ReadWrite.Recovery" in decoded
    assert base64.urlsafe_b64decode(header + "==") == b'{"alg":"none","typ":"JWT"}'

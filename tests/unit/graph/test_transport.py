"""Sending one request: headers on every request, the origin check first, raw answers."""

from __future__ import annotations

from typing import Any

import pytest

from entra_recovery.errors import ForeignHostError
from entra_recovery.errors import GraphError
from entra_recovery.graph import operations as ops
from entra_recovery.graph import raw
from entra_recovery.graph.models import FilteringCriteria
from entra_recovery.graph.transport import Response

from .conftest import BASE
from .conftest import SID
from .conftest import run
from .conftest import with_client


def test_every_request_asks_for_unknown_enum_members_and_json(server: Any) -> None:
    """Prefer and Accept go out on raw-URL requests as on builder ones."""
    path = f"{BASE}/snapshots/{SID}/recoveryPreviewJobs"
    server.reply("POST", path, (202, {"Location": f"{server.url}{path}/j"}, None))

    async def go(client: Any) -> Any:
        request = raw.create_preview_job_request(SID, FilteringCriteria())
        return await client.transport.send(request, ops.CREATE_PREVIEW_JOB)

    response = run(with_client(server, go))
    assert response.status == 202 and response.headers["location"].endswith("/j")
    headers = server.requests[0].headers
    assert headers["prefer"] == "include-unknown-enum-members"
    assert headers["accept"] == "application/json"


def test_a_foreign_url_is_refused_before_sending(make_server: Any) -> None:
    """The URL is checked against the configured origin before the request leaves."""
    graph, foreign = make_server(), make_server()

    async def go(client: Any) -> Any:
        request = raw.next_link_request(f"{graph.url}/x", graph.settings())
        request.url = f"{foreign.url}/x"
        return await client.transport.send(request, ops.GET_CHANGES, what="@odata.nextLink")

    with pytest.raises(ForeignHostError):
        run(with_client(graph, go))
    assert foreign.requests == [] and graph.requests == []


@pytest.mark.parametrize(
    ("body", "data", "floats"),
    [
        (b"", None, False),
        (b'{"a": 1}', {"a": 1}, False),
        (b'{"a": 1.5}', {"a": 1.5}, True),
    ],
)
def test_response_json_and_floats(body: bytes, data: Any, floats: bool) -> None:
    """The body is parsed once, and says whether it held a float."""
    assert Response(200, {}, body, "https://x/y").json_with_floats() == (data, floats)


def test_a_body_that_is_not_json_names_the_url_without_its_query() -> None:
    """Parsing failures are GraphErrors; skip tokens stay out of the message."""
    with pytest.raises(GraphError) as info:
        Response(
            200, {}, b"<html>", "https://graph.microsoft.com/v1.0/x?$skiptoken=s"
        ).json_object()
    assert str(info.value).startswith("Graph sent a body that is not JSON")
    assert "skiptoken" not in str(info.value)

"""Paging: nextLinks followed verbatim, and every way of stopping says why."""

from __future__ import annotations

from contextlib import aclosing
from typing import Any

import pytest

from entra_recovery.errors import ForeignHostError
from entra_recovery.errors import GraphError
from entra_recovery.errors import UsageError
from entra_recovery.graph.client import GraphClient
from entra_recovery.graph.operations import Operation
from entra_recovery.graph.paging import ListQuery
from entra_recovery.graph.paging import iter_pages
from entra_recovery.graph.pipeline import get_request
from entra_recovery.graph.resources import SNAPSHOTS

from .conftest import BASE
from .conftest import JSON
from .conftest import paged
from .conftest import run
from .conftest import with_client

LISTING = Operation("listing snapshots", ("EntraBackup.Read.All",), "reader")


def _endless(server: Any, *, repeat: bool) -> None:
    """Every page links to a next one: always the same link, or always a new one."""

    def handler(request: Any) -> Any:
        token = 0 if repeat else int(request.query.get("$skiptoken", ["0"])[0]) + 1
        link = f"{server.url}{BASE}/snapshots?$skiptoken={token}"
        return 200, JSON, {"value": [{"id": "s"}], "@odata.nextLink": link}

    server.handle("GET", f"{BASE}/snapshots", handler)


def test_a_repeated_next_link_is_named_as_such(server: Any) -> None:
    """Graph sending a nextLink it already sent is a loop, and the message says so."""
    _endless(server, repeat=True)
    with pytest.raises(GraphError) as info:
        run(with_client(server, lambda c: c.listing(SNAPSHOTS).collect()))
    assert "sent the same @odata.nextLink twice" in str(info.value)
    assert "pages" not in str(info.value)
    assert len(server.requests) == 2  # the first page, then the link it sent, which repeats it


def test_the_page_limit_is_named_as_such(server: Any) -> None:
    """New nextLinks without end stop at the page limit, with a message naming the limit."""
    _endless(server, repeat=False)

    async def go(client: GraphClient) -> Any:
        request = get_request(client.pipeline.recovery().snapshots)
        pages = iter_pages(client.transport, request, LISTING, max_pages=3)
        async with aclosing(pages):
            return [page async for page in pages]

    with pytest.raises(GraphError) as info:
        run(with_client(server, go))
    message = str(info.value)
    assert "still sent an @odata.nextLink after 3 pages" in message
    assert "twice" not in message
    assert info.value.hint and "--page-size" in info.value.hint
    assert len(server.requests) == 3


def test_foreign_next_link_is_refused_before_any_request(make_server: Any) -> None:
    """A nextLink to another port is refused and the other server receives nothing."""
    graph, foreign = make_server(), make_server()
    link = f"{foreign.url}{BASE}/snapshots?$skiptoken=x"
    graph.json("GET", f"{BASE}/snapshots", {"value": [{"id": "a"}], "@odata.nextLink": link})
    foreign.json("GET", f"{BASE}/snapshots", {"value": [{"id": "stolen"}]})
    with pytest.raises(ForeignHostError) as info:
        run(with_client(graph, lambda c: c.listing(SNAPSHOTS).collect()))
    assert foreign.requests == []
    assert "refusing to follow @odata.nextLink" in str(info.value)


@pytest.mark.parametrize(
    ("query", "expected", "requests"),
    [
        (ListQuery(), ["a", "b", "c", "d", "e"], 3),
        (ListQuery(all_pages=False), ["a", "b"], 1),
        (ListQuery(top=2), ["a", "b"], 1),
        (ListQuery(top=3), ["a", "b", "c"], 2),
    ],
)
def test_items_stop_at_the_limit_or_after_the_first_page(
    server: Any, query: ListQuery, expected: list[str], requests: int
) -> None:
    """`top` stops without asking for another page; `all_pages=False` reads one page."""
    pages = [[{"id": "a"}, {"id": "b"}], [{"id": "c"}, {"id": "d"}], [{"id": "e"}]]
    paged(server, f"{BASE}/snapshots", pages)
    items = run(with_client(server, lambda c: c.listing(SNAPSHOTS, query).collect()))
    assert [i["id"] for i in items] == expected
    assert len(server.requests) == requests


def test_pages_carry_count_and_next_link(server: Any) -> None:
    """Read as pages, a listing gives each page's items, @odata.count and nextLink."""
    server.json(
        "GET",
        f"{BASE}/snapshots",
        {"value": [{"id": "a"}, "not an object"], "@odata.count": 1},
    )

    async def go(client: GraphClient) -> Any:
        listing = client.listing(SNAPSHOTS)
        async with aclosing(listing.pages()) as pages:
            return [page async for page in pages], listing.count

    [page], count = run(with_client(server, go))
    assert page.items == [{"id": "a"}] and page.count == 1 and page.next_link is None
    assert count == 1


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ('{"value": [{"id": NaN}]}', "not JSON"),
        ('{"value": [{"id": Infinity}]}', "not JSON"),
        ('{"value": [{"id": -Infinity}]}', "not JSON"),
        ("[1, 2]", "not an object"),
        ('{"items": []}', "has no 'value' list"),
    ],
)
def test_pages_that_are_not_collections_are_refused(server: Any, body: str, message: str) -> None:
    """Non-JSON numbers, non-objects and objects without `value` are clear GraphErrors."""
    server.reply("GET", f"{BASE}/snapshots", (200, JSON, body))
    with pytest.raises(GraphError, match=message):
        run(with_client(server, lambda c: c.listing(SNAPSHOTS).collect()))


@pytest.mark.parametrize("field", ["top", "page_size"])
@pytest.mark.parametrize("value", [0, 1000])
def test_list_query_sizes_are_graph_limits(field: str, value: int) -> None:
    """$top must be 1..999 (a usage error names the option)."""
    with pytest.raises(UsageError, match=field.replace("_", "-")):
        ListQuery(**{field: value})  # type: ignore[arg-type]


def test_change_parameters_default_to_999() -> None:
    """getChanges pages are as large as Graph allows unless told otherwise."""
    assert ListQuery().change_parameters()["top"] == 999
    assert ListQuery(top=5).change_parameters()["top"] == 5
    assert ListQuery(top=5, page_size=2).change_parameters()["top"] == 2

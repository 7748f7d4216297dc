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
from entra_recovery.graph.paging import any_object
from entra_recovery.graph.paging import change_object
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


def test_pages_carry_items_and_next_link_and_the_listing_counts_items(server: Any) -> None:
    """Read as pages, a listing gives each page's items and nextLink; `count` is how many items
    were read (an @odata.count Graph sends unasked is not taken for it)."""
    server.json("GET", f"{BASE}/snapshots", {"value": [{"id": "a"}], "@odata.count": 9})

    async def go(client: GraphClient) -> Any:
        listing = client.listing(SNAPSHOTS)
        async with aclosing(listing.pages()) as pages:
            read = [page async for page in pages]
        items = client.listing(SNAPSHOTS)
        await items.collect()
        return read, listing.count, items.count

    [page], pages_count, items_count = run(with_client(server, go))
    assert page.items == [{"id": "a"}] and page.next_link is None
    assert (pages_count, items_count) == (0, 1)


@pytest.mark.parametrize("item", ["not an object", 3, None, [{"id": "b"}], True])
def test_a_collection_item_that_is_not_an_object_is_an_error(server: Any, item: Any) -> None:
    """Snapshots and jobs: an item that is not a JSON object fails the listing, naming the page
    and the item's index (it used to be dropped silently)."""
    pages = [[{"id": "a"}, {"id": "b"}], [{"id": "c"}, item]]
    paged(server, f"{BASE}/snapshots", pages)
    with pytest.raises(GraphError) as info:
        run(with_client(server, lambda c: c.listing(SNAPSHOTS).collect()))
    message = str(info.value)
    assert "listing snapshots failed: item 1 on page 2" in message
    assert "not an object" in message and "nothing was skipped" in message


CHANGE = {"entityTypeName": "user", "id": "u1", "recoveryAction": "update"}


@pytest.mark.parametrize(
    ("item", "problem"),
    [
        ("a string", "it is a string, not a change object"),
        (42, "it is a number, not a change object"),
        (None, "it is null, not a change object"),
        ([CHANGE], "it is a list, not a change object"),
        ({"id": "u1", "recoveryAction": "update"}, "it has no entityTypeName"),
        ({**CHANGE, "entityTypeName": None}, "it has no entityTypeName"),
        ({**CHANGE, "entityTypeName": 7}, "its entityTypeName is a number, not a string"),
        ({"entityTypeName": "user", "recoveryAction": "update"}, "it has no id (nor objectId)"),
        ({**CHANGE, "id": ""}, "it has no id (nor objectId)"),
        ({**CHANGE, "id": {"x": 1}}, "its id is an object, not a string"),
        ({**CHANGE, "id": None, "objectId": None}, "it has no objectId"),
        ({"entityTypeName": "user", "id": "u1"}, "it has no recoveryAction"),
        ({**CHANGE, "recoveryAction": False}, "its recoveryAction is a boolean, not a string"),
        ({**CHANGE, "deltaFromCurrent": "x"}, "its deltaFromCurrent is a string, not an object"),
        ({**CHANGE, "currentState": [1]}, "its currentState is a list, not an object"),
    ],
)
def test_change_object_names_what_is_wrong(item: Any, problem: str) -> None:
    """Each required field of a change object (reference section 4.5) is checked."""
    assert change_object(item) == problem


@pytest.mark.parametrize(
    "item",
    [
        CHANGE,
        {**CHANGE, "recoveryAction": "quarantine"},  # unknown actions pass through
        {**CHANGE, "entityTypeName": "unknownFutureValue"},
        {"entityTypeName": "user", "objectId": "u1", "recoveryAction": "update"},  # beta sample
        {**CHANGE, "id": None, "objectId": "u1"},
        {**CHANGE, "deltaFromCurrent": None, "currentState": {}, "displayName": None},
    ],
)
def test_change_object_accepts_what_graph_documents(item: Any) -> None:
    """Unknown actions and entity types, `objectId` for `id`, null states: all fine."""
    assert change_object(item) is None
    assert any_object(item) is None


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


def test_change_parameters_send_no_filter_and_no_count() -> None:
    """getChanges documents $top, $skip and $select: a filter is refused, count not sent."""
    assert ListQuery(select=("id",), count=True).change_parameters() == {
        "top": 999,
        "select": ["id"],
    }
    with pytest.raises(UsageError, match=r"\$filter is not sent.*UNCONFIRMED"):
        ListQuery(filter="id eq 'x'").change_parameters()


def test_builder_parameters_never_ask_for_count() -> None:
    """-CountVariable is counted here: no $count reaches the builders."""
    assert "count" not in ListQuery(count=True).builder_parameters()


def test_change_parameters_default_to_999() -> None:
    """getChanges pages are as large as Graph allows unless told otherwise."""
    assert ListQuery().change_parameters()["top"] == 999
    assert ListQuery(top=5).change_parameters()["top"] == 5
    assert ListQuery(top=5, page_size=2).change_parameters()["top"] == 2

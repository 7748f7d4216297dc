"""
Paging: stream a collection page by page, following `@odata.nextLink` verbatim.

The first request comes from a builder or `raw.py`; every next page is the nextLink exactly as
Graph sent it (never rebuilt), refused before sending if it leaves the configured Graph origin.
Pages are yielded as they arrive (an async iterator), so callers can stream thousands of
changes without holding them all. A `Listing` is one such collection request, read as items
(the parity functions) or as pages (the runner's change pages, with `has_floats`). Paging stops
with an error naming its cause when Graph repeats a nextLink or never stops sending them.

Every item is checked before its page is handed on (`ItemCheck`): an item of a collection must
be a JSON object, and a change object (getChanges, getFailedChanges) must also carry an entity
type, an id and an action. A malformed item is a `GraphError` naming the page and the item's
index: a change list is never silently shorter than what Graph sent.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator
from collections.abc import Callable
from contextlib import aclosing
from dataclasses import dataclass
from typing import TYPE_CHECKING
from typing import Any

from entra_recovery.errors import GraphError
from entra_recovery.errors import UsageError
from entra_recovery.graph import raw
from entra_recovery.graph.failures import safe_url
from entra_recovery.graph.models import ChangePage
from entra_recovery.graph.operations import Operation
from entra_recovery.graph.transport import Transport

if TYPE_CHECKING:
    from kiota_abstractions.request_information import RequestInformation

NEXT_LINK = "@odata.nextLink"
# A safety net against a service that keeps sending new nextLinks forever.
MAX_PAGES = 100_000
# $top for getChanges/getFailedChanges: the service maximum, so few round trips.
CHANGES_PAGE_SIZE = 999

Item = dict[str, Any]
# What is wrong with one item of a page, or None when it is fine.
ItemCheck = Callable[[Any], "str | None"]

_JSON_KINDS = {dict: "an object", list: "a list", str: "a string", bool: "a boolean"}


def _json_kind(value: Any) -> str:
    if value is None:
        return "null"
    return _JSON_KINDS.get(type(value), "a number")


def any_object(item: Any) -> str | None:
    """An item of a collection (snapshots, jobs) must be a JSON object."""
    return None if isinstance(item, dict) else f"it is {_json_kind(item)}, not an object"


def _text_problem(item: dict[str, Any], key: str) -> str | None:
    value = item.get(key)
    if isinstance(value, str) and value:
        return None
    if value is None or value == "":
        return f"it has no {key}"
    return f"its {key} is {_json_kind(value)}, not a string"


def _id_problem(item: dict[str, Any]) -> str | None:
    if _text_problem(item, "id") is None or _text_problem(item, "objectId") is None:
        return None
    if "objectId" in item and item.get("id") is None:
        return _text_problem(item, "objectId")
    problem = _text_problem(item, "id")
    return f"{problem} (nor objectId)" if problem == "it has no id" else problem


def change_object(item: Any) -> str | None:
    """A change object (reference section 4.5): entityTypeName, id (or `objectId`, as one beta
    getFailedChanges sample has it) and recoveryAction are never null; `deltaFromCurrent` and
    `currentState`, when present, are objects. Unknown entity types and actions pass."""
    if not isinstance(item, dict):
        return f"it is {_json_kind(item)}, not a change object"
    problem = _text_problem(item, "entityTypeName") or _id_problem(item)
    problem = problem or _text_problem(item, "recoveryAction")
    if problem is not None:
        return problem
    for key in ("deltaFromCurrent", "currentState"):
        value = item.get(key)
        if value is not None and not isinstance(value, dict):
            return f"its {key} is {_json_kind(value)}, not an object"
    return None


@dataclass(frozen=True)
class Page:
    """One page of a collection: its items (raw JSON, every one checked) and the next link."""

    items: ChangePage
    next_link: str | None


def _checked(value: list[Any], check: ItemCheck, number: int, floats: bool) -> ChangePage:
    """The page's items, or a `_Malformed` naming the first bad one."""
    for index, item in enumerate(value):
        problem = check(item)
        if problem is not None:
            raise _Malformed(number, index, problem)
    return ChangePage(value, has_floats=floats)


class _Malformed(Exception):
    def __init__(self, page: int, index: int, problem: str) -> None:
        super().__init__(problem)
        self.page, self.index, self.problem = page, index, problem


async def iter_pages(
    transport: Transport,
    first_request: RequestInformation,
    operation: Operation,
    *,
    max_pages: int = MAX_PAGES,
    check: ItemCheck = any_object,
) -> AsyncGenerator[Page, None]:
    """Yield every page, starting with `first_request`, until there is no nextLink.

    Raises:
        GraphError: a page is not a collection, an item fails `check` (the message names the
            page and the item's index), Graph sent a nextLink it had sent before (a loop), or
            there are more than `max_pages` pages (endless paging).
        ForeignHostError: a nextLink leaves the configured Graph origin (nothing sent).
    """
    request_info = first_request
    seen: set[str] = set()
    number = 0
    while True:
        number += 1
        what = "request URL" if number == 1 else NEXT_LINK
        response = await transport.send(request_info, operation, what=what)
        data, floats = response.json_object_with_floats()
        value = data.get("value")
        if not isinstance(value, list):
            raise GraphError(
                f"{operation.action} failed: the answer from {safe_url(response.url)} "
                "has no 'value' list",
                status=response.status,
                url=safe_url(response.url),
            )
        next_link = data.get(NEXT_LINK)
        next_link = next_link if isinstance(next_link, str) and next_link else None
        try:
            items = _checked(value, check, number, floats)
        except _Malformed as bad:
            raise GraphError(
                f"{operation.action} failed: item {bad.index} on page {bad.page} from "
                f"{safe_url(response.url)} is malformed ({bad.problem}); nothing was skipped, "
                "the whole list is refused rather than shown shorter than Graph sent it",
                status=response.status,
                request_id=response.headers.get("request-id"),
                url=safe_url(response.url),
                hint="this is the service's fault, not yours: try again later, and report the "
                "request-id if it persists",
            ) from None
        yield Page(items=items, next_link=next_link)
        if next_link is None:
            return
        if next_link in seen:
            raise GraphError(
                f"{operation.action} failed: Graph sent the same @odata.nextLink twice "
                f"({safe_url(next_link)}); stopping instead of looping forever"
            )
        if number >= max_pages:
            raise GraphError(
                f"{operation.action} failed: Graph still sent an @odata.nextLink after "
                f"{number:,} pages, the most we read; stopping instead of paging forever",
                hint="narrow the request (--filter, --top) or use a larger --page-size",
            )
        seen.add(next_link)
        request_info = raw.next_link_request(next_link, transport.settings)


class Listing:
    """A collection request, sent when read: as items (`async for`) or as `pages()`.

    Read it once. `count` is how many items `items()` has handed out so far (counted here:
    `$count` is not documented for these routes, so it is never asked of Graph). `limit` stops
    after that many items; without `all_pages` only the first page is read (as the cmdlets
    without -All); more than `max_pages` pages (default `MAX_PAGES`) is an error, not endless
    paging. `check` says what every item must be (`any_object`, or `change_object`).
    """

    def __init__(
        self,
        transport: Transport,
        first_request: RequestInformation,
        operation: Operation,
        *,
        limit: int | None = None,
        all_pages: bool = True,
        max_pages: int | None = None,
        check: ItemCheck = any_object,
    ) -> None:
        self.count = 0
        self._check = check
        self._max_pages = MAX_PAGES if max_pages is None else max_pages
        self._transport = transport
        self._first_request = first_request
        self._operation = operation
        self._limit = limit
        self._all_pages = all_pages

    async def pages(self) -> AsyncGenerator[Page, None]:
        """Every page as it arrives (only the first without `all_pages`; `limit` not applied)."""
        pages = iter_pages(
            self._transport,
            self._first_request,
            self._operation,
            max_pages=self._max_pages,
            check=self._check,
        )
        async with aclosing(pages):
            async for page in pages:
                yield page
                if not self._all_pages:
                    return

    async def items(self) -> AsyncGenerator[Item, None]:
        """Every item, page after page, at most `limit` of them."""
        if self._limit is not None and self._limit <= 0:
            return
        async with aclosing(self.pages()) as pages:
            async for page in pages:
                for item in page.items:
                    self.count += 1
                    yield item
                    if self.count == self._limit:
                        return

    def __aiter__(self) -> AsyncGenerator[Item, None]:
        return self.items()

    async def collect(self) -> list[Item]:
        """Every item, as a list."""
        async with aclosing(self.items()) as items:
            return [item async for item in items]


@dataclass(frozen=True)
class ListQuery:
    """The cmdlets' list parameters: -Filter -Property -Sort -Top -PageSize -All -CountVariable.

    `top` limits how many items are returned in total; `page_size` is the `$top` sent per
    request (default: `top`, or the service's page size; 999 for changes); `all_pages=False`
    returns only the first page, as the cmdlets do without -All. `count` asks for the number of
    items listed (-CountVariable), counted here while listing: `$count` is documented on none
    of these routes and is never sent.
    """

    filter: str | None = None
    select: tuple[str, ...] | None = None
    orderby: tuple[str, ...] | None = None
    top: int | None = None
    page_size: int | None = None
    count: bool = False
    all_pages: bool = True

    def __post_init__(self) -> None:
        for name in ("top", "page_size"):
            value = getattr(self, name)
            if value is not None and not 1 <= value <= 999:
                raise UsageError(f"{name.replace('_', '-')} must be between 1 and 999, not {value}")

    def builder_parameters(self) -> dict[str, Any]:
        """Query parameters for a generated builder's GetQueryParameters class."""
        return {
            "filter": self.filter,
            "select": list(self.select) if self.select else None,
            "orderby": list(self.orderby) if self.orderby else None,
            "top": self.page_size or self.top,
        }

    def change_parameters(self) -> dict[str, Any]:
        """Query parameters for getChanges / getFailedChanges ($top=999 unless told).

        Raises:
            UsageError: a filter or a sort order: the method pages document only `$top`,
                `$skip` and `$select` (reference section 2.2: `$filter` there is UNCONFIRMED),
                so neither is sent on a guess.
        """
        if self.filter or self.orderby:
            option = "$filter" if self.filter else "$orderby"
            raise UsageError(
                f"{option} is not sent to getChanges or getFailedChanges: their documentation "
                "lists only $top, $skip and $select (whether Graph supports it is UNCONFIRMED)",
                hint="filter the output instead, for example: -o jsonl | "
                "jq -c 'select(.entityTypeName == \"user\")'",
            )
        return {
            "top": self.page_size or self.top or CHANGES_PAGE_SIZE,
            "select": list(self.select) if self.select else None,
        }

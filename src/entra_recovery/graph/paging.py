"""
Paging: stream a collection page by page, following `@odata.nextLink` verbatim.

The first request comes from a builder or `raw.py`; every next page is the nextLink exactly as
Graph sent it (never rebuilt), refused before sending if it leaves the configured Graph origin.
Pages are yielded as they arrive (an async iterator), so callers can stream thousands of
changes without holding them all. A `Listing` is one such collection request, read as items
(the parity functions) or as pages (the runner's change pages, with `has_floats`). Paging stops
with an error naming its cause when Graph repeats a nextLink or never stops sending them.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator
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
COUNT = "@odata.count"
# A safety net against a service that keeps sending new nextLinks forever.
MAX_PAGES = 100_000
# $top for getChanges/getFailedChanges: the service maximum, so few round trips.
CHANGES_PAGE_SIZE = 999

Item = dict[str, Any]


@dataclass(frozen=True)
class Page:
    """One page of a collection: its items (raw JSON), the count if asked, the next link."""

    items: ChangePage
    count: int | None
    next_link: str | None


async def iter_pages(
    transport: Transport,
    first_request: RequestInformation,
    operation: Operation,
    *,
    max_pages: int = MAX_PAGES,
) -> AsyncGenerator[Page, None]:
    """Yield every page, starting with `first_request`, until there is no nextLink.

    Raises:
        GraphError: a page is not a collection, Graph sent a nextLink it had sent before (a
            loop), or there are more than `max_pages` pages (endless paging).
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
        count = data.get(COUNT)
        next_link = data.get(NEXT_LINK)
        next_link = next_link if isinstance(next_link, str) and next_link else None
        yield Page(
            items=ChangePage((item for item in value if isinstance(item, dict)), has_floats=floats),
            count=count if isinstance(count, int) else None,
            next_link=next_link,
        )
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

    Read it once. `count` holds `@odata.count` once a page carried it. `limit` stops after that
    many items; without `all_pages` only the first page is read (as the cmdlets without -All);
    more than `max_pages` pages (default `MAX_PAGES`) is an error, not endless paging.
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
    ) -> None:
        self.count: int | None = None
        self._max_pages = MAX_PAGES if max_pages is None else max_pages
        self._transport = transport
        self._first_request = first_request
        self._operation = operation
        self._limit = limit
        self._all_pages = all_pages

    async def pages(self) -> AsyncGenerator[Page, None]:
        """Every page as it arrives (only the first without `all_pages`; `limit` not applied)."""
        pages = iter_pages(
            self._transport, self._first_request, self._operation, max_pages=self._max_pages
        )
        async with aclosing(pages):
            async for page in pages:
                if page.count is not None:
                    self.count = page.count
                yield page
                if not self._all_pages:
                    return

    async def items(self) -> AsyncGenerator[Item, None]:
        """Every item, page after page, at most `limit` of them."""
        if self._limit is not None and self._limit <= 0:
            return
        yielded = 0
        async with aclosing(self.pages()) as pages:
            async for page in pages:
                for item in page.items:
                    yield item
                    yielded += 1
                    if yielded == self._limit:
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
    returns only the first page, as the cmdlets do without -All.
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
            "count": True if self.count else None,
        }

    def change_parameters(self) -> dict[str, Any]:
        """Query parameters for getChanges / getFailedChanges ($top=999 unless told)."""
        return {
            "top": self.page_size or self.top or CHANGES_PAGE_SIZE,
            "select": list(self.select) if self.select else None,
            "filter": self.filter,
        }

"""
Paging: stream a collection page by page, following `@odata.nextLink` verbatim.

The first request comes from a builder or `raw.py`; every next page is the nextLink exactly as
Graph sent it (never rebuilt), refused before sending if it leaves the configured Graph origin.
Pages are yielded as they arrive (an async iterator), so callers can stream thousands of
changes without holding them all.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator
from contextlib import aclosing
from dataclasses import dataclass
from typing import Any

from entra_recovery.errors import GraphError
from entra_recovery.errors import UsageError
from entra_recovery.graph import raw
from entra_recovery.graph.failures import safe_url
from entra_recovery.graph.models import ChangePage
from entra_recovery.graph.operations import Operation
from entra_recovery.graph.transport import Transport

NEXT_LINK = "@odata.nextLink"
COUNT = "@odata.count"
# A safety net against a service that keeps sending nextLinks forever.
MAX_PAGES = 100_000
# $top for getChanges/getFailedChanges: the service maximum, so few round trips.
CHANGES_PAGE_SIZE = 999


@dataclass(frozen=True)
class Page:
    """One page of a collection: its items (raw JSON), the count if asked, the next link."""

    items: ChangePage
    count: int | None
    next_link: str | None
    number: int


async def iter_pages(
    transport: Transport, first_request: Any, operation: Operation
) -> AsyncGenerator[Page, None]:
    """Yield every page, starting with `first_request`, until there is no nextLink."""
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
            number=number,
        )
        if next_link is None:
            return
        if next_link in seen or number >= MAX_PAGES:
            raise GraphError(
                f"{operation.action} failed: Graph sent the same @odata.nextLink twice "
                f"({safe_url(next_link)}); stopping instead of looping forever"
            )
        seen.add(next_link)
        request_info = raw.next_link_request(next_link, transport.settings)


class ItemStream:
    """Items across pages as an async iterator; `count` holds `@odata.count` once seen."""

    def __init__(
        self,
        transport: Transport,
        first_request: Any,
        operation: Operation,
        *,
        limit: int | None = None,
        all_pages: bool = True,
    ) -> None:
        self.count: int | None = None
        self.pages = 0
        self._items = self._generate(transport, first_request, operation, limit, all_pages)

    async def _generate(
        self,
        transport: Transport,
        first_request: Any,
        operation: Operation,
        limit: int | None,
        all_pages: bool,
    ) -> AsyncGenerator[dict[str, Any], None]:
        yielded = 0
        async with aclosing(iter_pages(transport, first_request, operation)) as pages:
            async for page in pages:
                self.pages = page.number
                if page.count is not None:
                    self.count = page.count
                for item in page.items:
                    if limit is not None and yielded >= limit:
                        return
                    yield item
                    yielded += 1
                if not all_pages or (limit is not None and yielded >= limit):
                    return

    def __aiter__(self) -> ItemStream:
        return self

    async def __anext__(self) -> dict[str, Any]:
        return await self._items.__anext__()

    async def aclose(self) -> None:
        await self._items.aclose()

    async def collect(self) -> list[dict[str, Any]]:
        """Every item, as a list."""
        return [item async for item in self]


def iter_items(
    transport: Transport,
    first_request: Any,
    operation: Operation,
    *,
    limit: int | None = None,
    all_pages: bool = True,
) -> ItemStream:
    """Items across pages; stop after `limit` items, or after one page unless all_pages."""
    return ItemStream(transport, first_request, operation, limit=limit, all_pages=all_pages)


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
    skip: int | None = None

    def __post_init__(self) -> None:
        for name in ("top", "page_size"):
            value = getattr(self, name)
            if value is not None and not 1 <= value <= 999:
                raise UsageError(f"{name.replace('_', '-')} must be between 1 and 999, not {value}")
        if self.skip is not None and self.skip < 0:
            raise UsageError("skip must not be negative")

    def builder_parameters(self) -> dict[str, Any]:
        """Query parameters for a generated builder's GetQueryParameters class."""
        return {
            "filter": self.filter,
            "select": list(self.select) if self.select else None,
            "orderby": list(self.orderby) if self.orderby else None,
            "top": self.page_size or self.top,
            "count": True if self.count else None,
            "skip": self.skip,
        }

    def change_parameters(self) -> dict[str, Any]:
        """Query parameters for getChanges / getFailedChanges ($top=999 unless told)."""
        return {
            "top": self.page_size or self.top or CHANGES_PAGE_SIZE,
            "skip": self.skip,
            "select": list(self.select) if self.select else None,
            "filter": self.filter,
        }

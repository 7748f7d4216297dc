"""
Running a coroutine to completion from synchronous code: `asyncio.run`, minus one trap.

`asyncio.run` (Python 3.11 and 3.12 alike: `asyncio.Runner` does it) installs a SIGINT handler
that holds the main task and, when it puts the default handler back, `signal.signal` tries to turn
the old handler into an enum member and fails: the failure message is built with
`repr(handler)`, which includes `repr(task)`, which includes `repr(task.result())`. A preview
of 100,000 changes has a repr of hundreds of megabytes and costs seconds, twice per run. Here
the coroutine's result travels in a box whose repr is constant, so the task's own result is
always None.

Every synchronous entry point (CLI commands, the PowerShell-parity functions) uses `run`.
"""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from typing import Any
from typing import Generic
from typing import TypeVar

T = TypeVar("T")


class _Box(Generic[T]):
    __slots__ = ("value",)

    value: T

    def __repr__(self) -> str:
        return "<result>"


def run(coro: Coroutine[Any, Any, T]) -> T:
    """`asyncio.run(coro)`, without ever computing the repr of its result."""
    box: _Box[T] = _Box()

    async def main() -> None:
        box.value = await coro

    wrapper = main()
    try:
        asyncio.run(wrapper)
    except BaseException:
        # Never started if asyncio.run refused (a loop is running already); no-ops otherwise.
        wrapper.close()
        coro.close()
        raise
    return box.value

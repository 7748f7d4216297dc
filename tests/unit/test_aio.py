"""aio.run: asyncio.run that never builds the repr of the coroutine's result."""

from __future__ import annotations

import asyncio

import pytest

from entra_recovery import aio
from entra_recovery.diff.model import Diff
from entra_recovery.diff.model import ObjectChange


class _NoRepr:
    calls = 0

    def __repr__(self) -> str:
        type(self).calls += 1
        raise AssertionError("repr of the result was computed")


def test_run_returns_the_result_without_its_repr() -> None:
    """The coroutine's result comes back and its repr is never built."""

    async def produce() -> _NoRepr:
        await asyncio.sleep(0)
        return _NoRepr()

    result = aio.run(produce())

    assert isinstance(result, _NoRepr)
    assert _NoRepr.calls == 0


def test_run_propagates_exceptions() -> None:
    """An exception in the coroutine reaches the caller unchanged."""

    async def fail() -> None:
        raise LookupError("boom")

    with pytest.raises(LookupError, match="boom"):
        aio.run(fail())


def test_run_inside_a_running_loop_is_refused_and_closes_the_coroutine() -> None:
    """Inside a running loop `run` refuses and closes the coroutine it was given."""

    async def inner() -> int:
        return 1

    async def outer() -> None:
        coro = inner()
        with pytest.raises(RuntimeError):
            aio.run(coro)
        assert coro.cr_frame is None  # type: ignore[attr-defined]  # closed, so no "never awaited" warning

    aio.run(outer())


def test_diff_repr_is_short_however_many_changes() -> None:
    """A Diff's repr stays short however many changes it holds (the trap aio.run avoids)."""
    changes = [ObjectChange("user", f"id-{n}", f"User {n}", "update") for n in range(5000)]
    diff = Diff.from_changes(changes)

    text = repr(diff)

    assert "5000 object change(s)" in text
    assert len(text) < 200

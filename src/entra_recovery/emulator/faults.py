"""
Fault injection: per request (header `X-Emulator-Fault`) and per scenario (`faults:` rules).

Header values, comma separated: `throttle` (429, `Retry-After: 1`), `throttle=N` (Retry-After N),
`unavailable` (503, `Retry-After: 1`), `slow=SECONDS` (answer late), `job-failed` (on a create:
the new job ends `failed`). Scenario rules match a route name (see `server.ROUTE_NAMES`, or
`*`) and an optional method, and apply to the `first` N matching requests (all when absent):
`{route: getChanges, fault: throttle, first: 2, retryAfter: 1}`,
`{route: "*", fault: slow, seconds: 0.2}`, `{route: previewJob.get, fault: unavailable, first: 1}`.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Any

from entra_recovery.emulator.errors import EmulatorHttpError

FAULT_HEADER = "X-Emulator-Fault"
KINDS = ("throttle", "unavailable", "slow", "job-failed")


@dataclass(frozen=True)
class FaultRule:
    route: str
    fault: str
    method: str | None = None
    first: int | None = None
    retry_after: int = 1
    seconds: float = 0.0

    @classmethod
    def from_data(cls, data: dict[str, Any]) -> FaultRule:
        unknown = set(data) - {"route", "fault", "method", "first", "retryAfter", "seconds"}
        if unknown:
            raise ValueError(f"unknown key(s) in fault rule: {', '.join(sorted(unknown))}")
        fault = str(data.get("fault", ""))
        if fault not in KINDS:
            raise ValueError(f"fault must be one of {', '.join(KINDS)}, not {fault!r}")
        return cls(
            route=str(data.get("route", "*")),
            fault=fault,
            method=str(data["method"]).upper() if data.get("method") else None,
            first=int(data["first"]) if data.get("first") is not None else None,
            retry_after=int(data.get("retryAfter", 1)),
            seconds=float(data.get("seconds", 0.0)),
        )


@dataclass(frozen=True)
class Decision:
    """What to do with one request: an error to return, a delay, a forced job failure."""

    error: EmulatorHttpError | None = None
    delay: float = 0.0
    fail_job: bool = False


def _error(fault: str, retry_after: int) -> EmulatorHttpError:
    if fault == "throttle":
        return EmulatorHttpError(
            429,
            "Too many requests. Retry after the number of seconds in the Retry-After header.",
            headers={"Retry-After": str(retry_after)},
        )
    return EmulatorHttpError(
        503, "The service is temporarily unavailable.", headers={"Retry-After": str(retry_after)}
    )


class FaultInjector:
    """Decides faults for each request; counts rule matches across threads."""

    def __init__(self, rules: list[FaultRule]) -> None:
        self.rules = rules
        self._seen = [0] * len(rules)
        self._lock = threading.Lock()

    def decide(self, route: str, method: str, header: str | None) -> Decision:
        error: EmulatorHttpError | None = None
        delay = 0.0
        fail_job = False
        with self._lock:
            for index, rule in enumerate(self.rules):
                if rule.route not in ("*", route) or (rule.method and rule.method != method):
                    continue
                self._seen[index] += 1
                if rule.first is not None and self._seen[index] > rule.first:
                    continue
                if rule.fault == "slow":
                    delay += rule.seconds
                elif rule.fault == "job-failed":
                    fail_job = True
                elif error is None:
                    error = _error(rule.fault, rule.retry_after)
        for item in (header or "").split(","):
            name, _, value = item.strip().partition("=")
            if not name:
                continue
            try:
                if name == "throttle" and error is None:
                    error = _error("throttle", int(value or 1))
                elif name == "unavailable" and error is None:
                    error = _error("unavailable", int(value or 1))
                elif name == "slow":
                    delay += float(value or 1.0)
                elif name == "job-failed":
                    fail_job = True
                elif name not in KINDS:
                    raise ValueError(name)
            except ValueError:
                raise EmulatorHttpError(
                    400,
                    f"Unknown {FAULT_HEADER} value {item.strip()!r}; "
                    f"use one of {', '.join(KINDS)}.",
                ) from None
        return Decision(error=error, delay=min(delay, 30.0), fail_job=fail_job)

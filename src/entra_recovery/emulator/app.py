"""
The emulator's core: request in, response out (no sockets here; see server.py).

`EmulatorApp.handle` matches the route (both `/v1.0` and `/beta`, namespace-qualified bound
operations on both, the short `/getChanges`, `/getFailedChanges`, `/cancel` on beta only),
authenticates the bearer token, applies faults, calls the route function under the tenant
lock, and turns errors into Graph's error envelope with request ids.
"""

from __future__ import annotations

import base64
import binascii
import json
import logging
import time
import uuid
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC
from datetime import datetime
from typing import Any

from entra_recovery.constants import ODATA_NAMESPACE
from entra_recovery.constants import ODATA_TYPE_SNAPSHOT
from entra_recovery.emulator import auth
from entra_recovery.emulator import routes
from entra_recovery.emulator.errors import MSG_BAD_SNAPSHOT
from entra_recovery.emulator.errors import EmulatorHttpError
from entra_recovery.emulator.faults import FAULT_HEADER
from entra_recovery.emulator.faults import FaultInjector
from entra_recovery.emulator.http import Request
from entra_recovery.emulator.http import Response
from entra_recovery.emulator.jobs import PREVIEW
from entra_recovery.emulator.jobs import RECOVERY
from entra_recovery.emulator.jobs import JobStore
from entra_recovery.emulator.scenario import Scenario
from entra_recovery.emulator.scenario import snapshot_times
from entra_recovery.emulator.state import TenantState
from entra_recovery.emulator.state import iso

VERSIONS = ("v1.0", "beta")
_LOG = logging.getLogger(__name__)
ROUTE_NAMES = (
    "snapshots.list",
    "snapshots.count",
    "snapshot.get",
    "jobs.list",
    "jobs.count",
    "job.get",
    "cancel",
    "previewJobs.list",
    "previewJobs.count",
    "previewJob.create",
    "previewJob.get",
    "getChanges",
    "recoveryJobs.list",
    "recoveryJobs.count",
    "recoveryJob.create",
    "recoveryJob.get",
    "getFailedChanges",
)
Handler = Callable[[Request], Response]


def _bound(segment: str, name: str, version: str) -> bool:
    """Namespace-qualified on both versions; the short spelling on beta only."""
    return segment == f"{ODATA_NAMESPACE}.{name}" or (version == "beta" and segment == name)


class EmulatorApp:
    """Tenant + snapshots + jobs + faults behind one lock."""

    def __init__(
        self,
        scenario: Scenario,
        state: TenantState,
        jobs: JobStore,
        faults: FaultInjector,
        retention_days: int,
    ) -> None:
        self.scenario = scenario
        self.state = state
        self.jobs = jobs
        self.faults = faults
        self.retention_days = retention_days
        self._changed_cache: dict[tuple[float, float], int] = {}

    # -- snapshots ---------------------------------------------------------------------------

    def snapshots(self) -> list[dict[str, Any]]:
        """Available snapshots, oldest first."""
        result = []
        for ts in snapshot_times(self.state.clock(), self.retention_days):
            key = (ts - 86400.0, ts)
            if key not in self._changed_cache:
                self._changed_cache[key] = self.state.changed_between(*key)
            stamp = iso(ts)
            result.append(
                {
                    "@odata.type": ODATA_TYPE_SNAPSHOT,
                    "id": base64.b64encode(stamp.encode()).decode(),
                    "createdDateTime": stamp,
                    "totalChangedObjects": self._changed_cache[key],
                }
            )
        return result

    def snapshot(self, sid: str) -> dict[str, Any]:
        for snapshot in self.snapshots():
            if snapshot["id"] == sid:
                return snapshot
        raise EmulatorHttpError(404, MSG_BAD_SNAPSHOT)

    @staticmethod
    def snapshot_ts(snapshot: dict[str, Any]) -> float:
        from entra_recovery.emulator.state import parse_iso

        return parse_iso(str(snapshot["createdDateTime"]))

    # -- routing -----------------------------------------------------------------------------

    def route(self, method: str, request: Request) -> tuple[str, Handler]:
        """(route name, handler) for the request; 404/405 when nothing matches."""
        seg, version = request.segments, request.version
        found: dict[str, tuple[str, Handler]] = {}
        if len(seg) >= 3 and seg[:2] == ("directory", "recovery"):
            rest = seg[2:]
            if rest[0] == "snapshots":
                found = self._snapshot_routes(rest[1:], version)
            elif rest[0] == "jobs":
                found = self._job_routes(rest[1:], version)
        if not found:
            raise EmulatorHttpError(
                404, f"Resource not found for the segment '{request.path}'.", "ResourceNotFound"
            )
        if method not in found:
            raise EmulatorHttpError(
                405,
                f"The HTTP method '{method}' is not allowed on '{request.path}'.",
                headers={"Allow": ", ".join(sorted(found))},
            )
        return found[method]

    def _snapshot_routes(
        self, rest: tuple[str, ...], version: str
    ) -> dict[str, tuple[str, Handler]]:
        app = self
        if not rest:
            return {"GET": ("snapshots.list", lambda r: routes.list_snapshots(app, r))}
        if rest == ("$count",):
            return {"GET": ("snapshots.count", lambda r: routes.count_snapshots(app, r))}
        sid, tail = rest[0], rest[1:]
        if not tail:
            return {"GET": ("snapshot.get", lambda r: routes.get_snapshot(app, r, sid))}
        kinds = {
            "recoveryPreviewJobs": (PREVIEW, "previewJob", "getChanges"),
            "recoveryJobs": (RECOVERY, "recoveryJob", "getFailedChanges"),
        }
        if tail[0] not in kinds:
            return {}
        kind, name, function = kinds[tail[0]]
        plural = name + "s"
        if len(tail) == 1:
            return {
                "GET": (f"{plural}.list", lambda r: routes.list_snapshot_jobs(app, r, sid, kind)),
                "POST": (
                    f"{name}.create",
                    lambda r: routes.create_job(app, r, sid, kind, r.fail_job),
                ),
            }
        if tail[1:] == ("$count",):
            return {
                "GET": (f"{plural}.count", lambda r: routes.count_snapshot_jobs(app, r, sid, kind))
            }
        jid = tail[1]
        if len(tail) == 2:
            return {
                "GET": (f"{name}.get", lambda r: routes.get_snapshot_job(app, r, sid, jid, kind))
            }
        if len(tail) == 3 and _bound(tail[2], function, version):
            target = routes.get_changes if kind == PREVIEW else routes.get_failed_changes
            return {"GET": (function, lambda r: target(app, r, sid, jid))}
        return {}

    def _job_routes(self, rest: tuple[str, ...], version: str) -> dict[str, tuple[str, Handler]]:
        app = self
        if not rest:
            return {"GET": ("jobs.list", lambda r: routes.list_jobs(app, r))}
        if rest == ("$count",):
            return {"GET": ("jobs.count", lambda r: routes.count_jobs(app, r))}
        jid = rest[0]
        if len(rest) == 1:
            return {"GET": ("job.get", lambda r: routes.get_job(app, r, jid))}
        if len(rest) == 2 and _bound(rest[1], "cancel", version):
            return {"POST": ("cancel", lambda r: routes.cancel_job(app, r, jid))}
        return {}

    # -- handling ----------------------------------------------------------------------------

    def handle(self, request: Request) -> tuple[Response, str, auth.Caller]:
        """Serve one request -> (response, route name, caller)."""
        request_id = str(uuid.uuid4())
        caller = auth.Caller(has_token=False)
        route = "unknown"
        try:
            if request.version not in VERSIONS:
                raise EmulatorHttpError(
                    404,
                    f"Unknown API version; use one of {', '.join(VERSIONS)}.",
                    "ResourceNotFound",
                )
            route, handler = self.route(request.method, request)
            caller = auth.authenticate(
                request.header("authorization"), self.state.tenant_id, time.time()
            )
            auth.authorize(caller, routes.ROUTE_PERMISSIONS.get(route, auth.READ))
            decision = self.faults.decide(route, request.method, request.header(FAULT_HEADER))
            if decision.delay:
                time.sleep(decision.delay)
            if decision.error is not None:
                raise decision.error
            if decision.fail_job:
                request = replace(request, fail_job=True)
            with self.state.lock:
                response = handler(request)
        except EmulatorHttpError as error:
            response = self.error_response(error, request, request_id)
        except (binascii.Error, UnicodeDecodeError) as exc:
            response = self.error_response(
                EmulatorHttpError(400, f"Malformed request: {exc}"), request, request_id
            )
        except Exception:  # a bug in the emulator: a Graph-shaped 500, traceback to the log
            _LOG.exception("emulator failed on %s %s", request.method, request.path)
            response = self.error_response(
                EmulatorHttpError(500, "The emulator failed on this request (see its log)."),
                request,
                request_id,
            )
        response.headers.setdefault("request-id", request_id)
        client_id = request.header("client-request-id")
        if client_id:
            response.headers.setdefault("client-request-id", client_id)
        return response, route, caller

    @staticmethod
    def error_response(error: EmulatorHttpError, request: Request, request_id: str) -> Response:
        inner: dict[str, Any] = {
            "date": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S"),
            "request-id": request_id,
        }
        client_id = request.header("client-request-id")
        if client_id:
            inner["client-request-id"] = client_id
        body = {"error": {"code": error.code, "message": error.message, "innerError": inner}}
        return Response(
            error.status, json.dumps(body).encode(), "application/json", dict(error.headers)
        )

"""
The route functions (E1-E14 of the reference) over the tenant, the snapshots and the jobs.

Each function takes the `EmulatorApp` and the parsed `Request` plus path parameters and returns
a `Response`, raising `EmulatorHttpError` for Graph errors. Each route accepts exactly the query
options the reference documents for it (section 2.2) and answers 400 for any other, so the
client cannot come to rely on an option the service may not have: no `$count` option anywhere,
no `$skip` on the collections, no `$filter` on snapshots or on the change functions (there it
is UNCONFIRMED). Paging, `$select`, `$filter` and `$orderby` follow `odata.py`; change pages are
joined from pre-encoded bytes.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from functools import partial
from typing import TYPE_CHECKING
from typing import Any
from urllib.parse import urlencode

from entra_recovery.constants import JOB_STATUSES
from entra_recovery.constants import ODATA_NAMESPACE
from entra_recovery.emulator import auth
from entra_recovery.emulator.changelist import ChangeList
from entra_recovery.emulator.criteria import parse_body
from entra_recovery.emulator.errors import EmulatorHttpError
from entra_recovery.emulator.errors import bad_request
from entra_recovery.emulator.errors import not_found
from entra_recovery.emulator.http import Request
from entra_recovery.emulator.http import Response
from entra_recovery.emulator.http import accepted
from entra_recovery.emulator.http import json_response
from entra_recovery.emulator.jobs import PREVIEW
from entra_recovery.emulator.jobs import RECOVERY
from entra_recovery.emulator.jobs import Job
from entra_recovery.emulator.odata import Options
from entra_recovery.emulator.odata import Query
from entra_recovery.emulator.odata import encode_skiptoken
from entra_recovery.emulator.odata import parse_query

if TYPE_CHECKING:
    from entra_recovery.emulator.app import EmulatorApp

ROOT = "/directory/recovery"
EQ_NE = frozenset({"eq", "ne"})
JOB_FIELDS = frozenset(
    {
        "id",
        "status",
        "targetStateDateTime",
        "jobStartDateTime",
        "jobCompletionDateTime",
        "filteringCriteria",
        "totalChangedObjectsCalculated",
        "totalChangedLinksCalculated",
        "totalObjectsModified",
        "totalLinksModified",
        "totalFailedChanges",
    }
)
# Reference section 2.2, route by route. Undocumented options are a 400 (style E: strict).
SNAPSHOT_OPTIONS = Options(
    allowed=frozenset({"$select", "$top", "$orderby"}),
    orderable=frozenset({"createdDateTime", "id", "totalChangedObjects"}),
    selectable=frozenset({"id", "createdDateTime", "totalChangedObjects"}),
)
GET_SNAPSHOT_OPTIONS = Options(
    allowed=frozenset({"$select"}), selectable=SNAPSHOT_OPTIONS.selectable
)
JOB_LIST_OPTIONS = Options(
    allowed=frozenset({"$select", "$top", "$filter", "$orderby"}),
    filterable={"id": EQ_NE, "status": EQ_NE, "targetStateDateTime": EQ_NE},
    datetimes=frozenset({"targetStateDateTime"}),
    enums={"status": frozenset(JOB_STATUSES)},
    orderable=frozenset(
        {"id", "status", "targetStateDateTime", "jobStartDateTime", "jobCompletionDateTime"}
    ),
    selectable=JOB_FIELDS,
)
GET_JOB_OPTIONS = Options(allowed=frozenset({"$select"}), selectable=JOB_FIELDS)
# The /$count routes (E14) are UNCONFIRMED; the jobs count takes the jobs list's $filter, as the
# count cmdlets take -Filter.
COUNT_JOB_OPTIONS = Options(
    allowed=frozenset({"$filter"}),
    filterable=JOB_LIST_OPTIONS.filterable,
    datetimes=JOB_LIST_OPTIONS.datetimes,
    enums=JOB_LIST_OPTIONS.enums,
)
# getChanges / getFailedChanges: the method pages list only $top, $skip and $select ($filter
# is only annotated on the change type: UNCONFIRMED, so refused here).
CHANGE_OPTIONS = Options(
    allowed=frozenset({"$select", "$top", "$skip"}),
    selectable=frozenset(
        {
            "id",
            "entityTypeName",
            "displayName",
            "recoveryAction",
            "deltaFromCurrent",
            "currentState",
            "failureMessage",
        }
    ),
)
EMPTY_OPTIONS = Options(allowed=frozenset())


def _context(request: Request, fragment: str) -> str:
    return f"{request.base_url}/{request.version}/$metadata#{fragment}"


def _next_link(request: Request, query: Query, offset: int) -> str:
    params = [(k, v) for k, v in query.keep if k != "$skip"]
    params.append(("$skiptoken", encode_skiptoken(offset)))
    return f"{request.base_url}{request.path}?{urlencode(params, safe='$,()')}"


def _select(item: dict[str, Any], query: Query) -> dict[str, Any]:
    if query.select is None:
        return item
    kept = {k: item[k] for k in ("@odata.type",) if k in item}
    kept.update({k: item.get(k) for k in query.select})
    return kept


def _collection(
    request: Request, items: list[dict[str, Any]], query: Query, fragment: str
) -> Response:
    if query.predicate is not None:
        items = [i for i in items if query.predicate(i.get)]
    for name, descending in reversed(query.orderby):
        items.sort(key=partial(_item_key, name), reverse=descending)
    start = query.offset
    page = items[start : start + query.top]
    data: dict[str, Any] = {"@odata.context": _context(request, fragment)}
    data["value"] = [_select(i, query) for i in page]
    if start + query.top < len(items):
        data["@odata.nextLink"] = _next_link(request, query, start + query.top)
    return json_response(data)


def _sort_key(value: Any) -> tuple[int, float, str]:
    """Numbers by value, strings (ISO dates included) as text, nulls last."""
    if value is None:
        return (2, 0.0, "")
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return (0, float(value), "")
    return (1, 0.0, str(value))


def _item_key(name: str, item: dict[str, Any]) -> tuple[int, float, str]:
    return _sort_key(item.get(name))


def _count(items: list[dict[str, Any]], query: Query) -> Response:
    if query.predicate is not None:
        items = [i for i in items if query.predicate(i.get)]
    return Response(200, str(len(items)).encode(), "text/plain")


# -- snapshots ----------------------------------------------------------------------------


def list_snapshots(app: EmulatorApp, request: Request) -> Response:
    query = parse_query(request.query, SNAPSHOT_OPTIONS)
    return _collection(request, app.snapshots(), query, "directory/recovery/snapshots")


def count_snapshots(app: EmulatorApp, request: Request) -> Response:
    return _count(app.snapshots(), parse_query(request.query, EMPTY_OPTIONS))


def get_snapshot(app: EmulatorApp, request: Request, sid: str) -> Response:
    query = parse_query(request.query, GET_SNAPSHOT_OPTIONS)
    snapshot = app.snapshot(sid)
    data = {"@odata.context": _context(request, "directory/recovery/snapshots/$entity")}
    return json_response({**data, **_select(snapshot, query)})


# -- jobs ---------------------------------------------------------------------------------


def _jobs(
    app: EmulatorApp, request: Request, kind: str | None, sid: str | None
) -> list[dict[str, Any]]:
    app.jobs.advance()
    return [
        app.jobs.to_json(job, request.prefer_unknown)
        for job in app.jobs.jobs.values()
        if (kind is None or job.kind == kind) and (sid is None or job.snapshot_id == sid)
    ]


def list_jobs(app: EmulatorApp, request: Request) -> Response:
    query = parse_query(request.query, JOB_LIST_OPTIONS)
    return _collection(request, _jobs(app, request, None, None), query, "directory/recovery/jobs")


def count_jobs(app: EmulatorApp, request: Request) -> Response:
    return _count(_jobs(app, request, None, None), parse_query(request.query, COUNT_JOB_OPTIONS))


def _job(app: EmulatorApp, jid: str, kind: str | None, sid: str | None) -> Job:
    app.jobs.advance()
    job = app.jobs.jobs.get(jid)
    if (
        job is None
        or (kind is not None and job.kind != kind)
        or (sid is not None and job.snapshot_id != sid)
    ):
        raise not_found(f"Job with identifier '{jid}' was not found.")
    return job


def get_job(app: EmulatorApp, request: Request, jid: str) -> Response:
    query = parse_query(request.query, GET_JOB_OPTIONS)
    job = _job(app, jid, None, None)
    data = {"@odata.context": _context(request, "directory/recovery/jobs/$entity")}
    return json_response({**data, **_select(app.jobs.to_json(job, request.prefer_unknown), query)})


def cancel_job(app: EmulatorApp, request: Request, jid: str) -> Response:
    parse_query(request.query, EMPTY_OPTIONS)
    if request.body.strip() not in (b"", b"{}"):
        raise bad_request("cancel does not take a request body.")
    job = _job(app, jid, None, None)
    app.jobs.cancel(job)
    return accepted(request.url(f"{ROOT}/jobs/{job.id}"))


def _collection_name(kind: str) -> str:
    return "recoveryPreviewJobs" if kind == PREVIEW else "recoveryJobs"


def list_snapshot_jobs(app: EmulatorApp, request: Request, sid: str, kind: str) -> Response:
    query = parse_query(request.query, JOB_LIST_OPTIONS)
    app.snapshot(sid)
    fragment = f"directory/recovery/snapshots('{sid}')/{_collection_name(kind)}"
    return _collection(request, _jobs(app, request, kind, sid), query, fragment)


def count_snapshot_jobs(app: EmulatorApp, request: Request, sid: str, kind: str) -> Response:
    query = parse_query(request.query, COUNT_JOB_OPTIONS)
    app.snapshot(sid)
    return _count(_jobs(app, request, kind, sid), query)


def get_snapshot_job(app: EmulatorApp, request: Request, sid: str, jid: str, kind: str) -> Response:
    query = parse_query(request.query, GET_JOB_OPTIONS)
    app.snapshot(sid)
    job = _job(app, jid, kind, sid)
    fragment = f"directory/recovery/snapshots('{sid}')/{_collection_name(kind)}/$entity"
    data = {"@odata.context": _context(request, fragment)}
    return json_response({**data, **_select(app.jobs.to_json(job, request.prefer_unknown), query)})


def create_job(app: EmulatorApp, request: Request, sid: str, kind: str, fail: bool) -> Response:
    parse_query(request.query, EMPTY_OPTIONS)
    job_type = f"#{ODATA_NAMESPACE}.{'recoveryPreviewJob' if kind == PREVIEW else 'recoveryJob'}"
    content_type = (request.header("content-type") or "").lower()
    if request.body.strip() and not content_type.startswith("application/json"):
        raise EmulatorHttpError(
            415, "Content-Type must be application/json.", "UnsupportedMediaType"
        )
    criteria, scope = parse_body(request.body, job_type, request.prefer_unknown)
    snapshot = app.snapshot(sid)
    job = app.jobs.create(
        kind,
        snapshot["id"],
        app.snapshot_ts(snapshot),
        criteria,
        scope,
        force_outcome="failed" if fail else None,
    )
    return accepted(request.url(f"{ROOT}/snapshots/{sid}/{_collection_name(kind)}/{job.id}"))


# -- changes ------------------------------------------------------------------------------


def _change_page(request: Request, changes: ChangeList, query: Query, fragment: str) -> Response:
    prefer = request.prefer_unknown
    start = query.offset if "$skiptoken" in request.query else query.skip
    page = range(len(changes))[start : start + query.top]
    head: dict[str, Any] = {"@odata.context": _context(request, fragment)}
    if start + query.top < len(changes):
        head["@odata.nextLink"] = _next_link(request, query, start + query.top)
    if query.select is not None:
        body = json.dumps(
            [_select(changes.document(i, prefer), query) for i in page],
            separators=(",", ":"),
            ensure_ascii=False,
        ).encode()
    else:
        body = changes.join(page, prefer)
    prefix = json.dumps(head, separators=(",", ":"), ensure_ascii=False)[:-1].encode()
    return Response(200, prefix + b',"value":' + body + b"}")


def get_changes(app: EmulatorApp, request: Request, sid: str, jid: str) -> Response:
    query = parse_query(request.query, CHANGE_OPTIONS)
    app.snapshot(sid)
    job = _job(app, jid, PREVIEW, sid)
    if job.status != "successful" or job.changes is None:
        raise bad_request(
            f"Job with identifier {job.id} must have completed successfully prior to "
            "enumerating changes."
        )
    fragment = (
        f"directory/recovery/snapshots/{sid}/recoveryPreviewJobs/{jid}/{ODATA_NAMESPACE}.getChanges"
    )
    return _change_page(request, job.changes, query, fragment)


def get_failed_changes(app: EmulatorApp, request: Request, sid: str, jid: str) -> Response:
    query = parse_query(request.query, CHANGE_OPTIONS)
    app.snapshot(sid)
    job = _job(app, jid, RECOVERY, sid)
    if not job.terminal:
        raise bad_request(
            f"Job with identifier {job.id} must have completed prior to enumerating failed changes."
        )
    fragment = f"Collection({ODATA_NAMESPACE}.recoveryChangeObjectBase)"
    changes = job.failures or ChangeList([])
    return _change_page(request, changes, query, fragment)


RouteFunction = Callable[..., Response]
ROUTE_PERMISSIONS = {
    "previewJob.create": auth.CREATE_PREVIEW,
    "recoveryJob.create": auth.CREATE_RECOVERY,
    "cancel": auth.CANCEL,
}

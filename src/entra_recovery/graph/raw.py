"""
Raw-URL requests, for the operations msgraph-sdk has no request builder for.

Each is a named function returning a kiota `RequestInformation` built from a URL template
constant (same `{+baseurl}` convention as the generated builders), so it is sent through the
very same request adapter and middleware as builder calls (`transport.Transport.send`). The
bound functions use the namespace-qualified names, which both v1.0 and beta accept (reference
section 1.1). Also here: reading a job id out of a `Location` header, and following an
`@odata.nextLink` verbatim.
"""

from __future__ import annotations

import json
import re
from typing import TYPE_CHECKING
from typing import Any
from urllib.parse import unquote
from urllib.parse import urlsplit

from entra_recovery.errors import GraphError
from entra_recovery.graph.failures import check_same_origin
from entra_recovery.graph.failures import safe_url
from entra_recovery.graph.models import FilteringCriteria
from entra_recovery.graph.settings import GraphSettings

if TYPE_CHECKING:
    from kiota_abstractions.request_information import RequestInformation

# The documented options of getChanges and getFailedChanges (reference 2.2); nothing else is sent.
_QUERY = "{?%24top,%24skip,%24select}"

# Missing builder: msgraph-sdk's recovery_preview_jobs builder has get() only, no post().
CREATE_PREVIEW_JOB_URL = (
    "{+baseurl}/directory/recovery/snapshots/{snapshot%2Did}/recoveryPreviewJobs"
)
# Missing builder: msgraph-sdk's recovery_jobs builder has get() only, no post().
CREATE_RECOVERY_JOB_URL = "{+baseurl}/directory/recovery/snapshots/{snapshot%2Did}/recoveryJobs"
# Missing builder: no getChanges builder under recovery_preview_jobs.by_recovery_preview_job_id.
GET_CHANGES_URL = (
    "{+baseurl}/directory/recovery/snapshots/{snapshot%2Did}/recoveryPreviewJobs/{job%2Did}"
    "/microsoft.graph.entraRecoveryServices.getChanges" + _QUERY
)
# Missing builder: no getFailedChanges builder under recovery_jobs.by_recovery_job_id.
GET_FAILED_CHANGES_URL = (
    "{+baseurl}/directory/recovery/snapshots/{snapshot%2Did}/recoveryJobs/{job%2Did}"
    "/microsoft.graph.entraRecoveryServices.getFailedChanges" + _QUERY
)
# Not missing: cancel has a builder (jobs.by_recovery_job_base_id(...).
# microsoft_graph_entra_recovery_services_cancel); its post() drops the Location header, so the
# client sends the builder's to_post_request_information() with a native response handler.

# Job ids are GUIDs in Graph; accept the URL-safe characters an id could reasonably use.
_JOB_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._~-]{0,127}$")


def _request(method_name: str, template: str, **path: str) -> RequestInformation:
    from kiota_abstractions.method import Method
    from kiota_abstractions.request_information import RequestInformation

    params: dict[str, Any] = {f"{name}%2Did": value for name, value in path.items()}
    return RequestInformation(Method[method_name], template, params)


def _with_body(request_info: RequestInformation, criteria: FilteringCriteria) -> RequestInformation:
    body = criteria.request_body()
    if body is not None:
        request_info.set_stream_content(json.dumps(body).encode("utf-8"), "application/json")
    return request_info


def create_preview_job_request(snapshot_id: str, criteria: FilteringCriteria) -> RequestInformation:
    """POST .../snapshots/{id}/recoveryPreviewJobs with the scope (no body: everything)."""
    return _with_body(_request("POST", CREATE_PREVIEW_JOB_URL, snapshot=snapshot_id), criteria)


def create_recovery_job_request(
    snapshot_id: str, criteria: FilteringCriteria
) -> RequestInformation:
    """POST .../snapshots/{id}/recoveryJobs with the scope: writes to the tenant."""
    return _with_body(_request("POST", CREATE_RECOVERY_JOB_URL, snapshot=snapshot_id), criteria)


def _paged(
    template: str, snapshot_id: str, job_id: str, query: dict[str, Any]
) -> RequestInformation:
    request_info = _request("GET", template, snapshot=snapshot_id, job=job_id)
    for key, value in query.items():
        if value is not None:
            request_info.query_parameters[f"%24{key}"] = value
    return request_info


def get_changes_request(
    snapshot_id: str,
    job_id: str,
    *,
    top: int | None = 999,
    select: list[str] | None = None,
) -> RequestInformation:
    """GET the first page of a preview job's changes (getChanges)."""
    query = {"top": top, "select": select}
    return _paged(GET_CHANGES_URL, snapshot_id, job_id, query)


def get_failed_changes_request(
    snapshot_id: str,
    job_id: str,
    *,
    top: int | None = 999,
    select: list[str] | None = None,
) -> RequestInformation:
    """GET the first page of a recovery job's failed changes (getFailedChanges)."""
    query = {"top": top, "select": select}
    return _paged(GET_FAILED_CHANGES_URL, snapshot_id, job_id, query)


def next_link_request(next_link: str, settings: GraphSettings) -> RequestInformation:
    """GET an `@odata.nextLink` exactly as Graph sent it (refused if it leaves Graph's origin)."""
    from kiota_abstractions.method import Method
    from kiota_abstractions.request_information import RequestInformation

    check_same_origin(next_link, settings, what="@odata.nextLink")
    request_info = RequestInformation(Method.GET)
    request_info.url = next_link
    return request_info


def job_id_from_location(location: str | None, settings: GraphSettings, *, collection: str) -> str:
    """The job id at the end of a 202's `Location` URL, validated.

    Raises:
        ForeignHostError: the Location points away from the configured Graph origin.
        GraphError: no Location, or not a `.../{collection}/{id}` URL.
    """
    if not location:
        raise GraphError(
            f"Graph accepted the request but sent no Location header for the new {collection} "
            "item; list the jobs to find it (entra-recovery job list)"
        )
    check_same_origin(location, settings, what="the Location header")
    segments = [unquote(s) for s in urlsplit(location).path.split("/") if s]
    if len(segments) < 2 or segments[-2] != collection or not _JOB_ID.match(segments[-1]):
        raise GraphError(
            f"cannot read a job id from the Location header {safe_url(location)!r} "
            f"(expected .../{collection}/ID); list the jobs to find it (entra-recovery job list)"
        )
    return segments[-1]

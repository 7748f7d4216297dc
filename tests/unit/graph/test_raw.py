"""Raw-URL requests (where the SDK has no builder), Location parsing, nextLinks."""

from __future__ import annotations

import json

import pytest

from entra_recovery.errors import ForeignHostError
from entra_recovery.errors import GraphError
from entra_recovery.graph import raw
from entra_recovery.graph.models import FilteringCriteria
from entra_recovery.graph.settings import GraphSettings

GRAPH = GraphSettings()
SID = "MjAyNi0xMS0yOFQwMjozMDowMFo="
JOB = "3f4a6b60-7c1e-4e7c-9c7b-13f8d44b20c4"


def _url(request_info: object, base: str = "https://graph.microsoft.com/v1.0") -> str:
    request_info.path_parameters["baseurl"] = base  # type: ignore[attr-defined]
    return str(request_info.url)  # type: ignore[attr-defined]


def test_create_recovery_job_request_has_url_and_body() -> None:
    """POST to the snapshot's recoveryJobs with the filteringCriteria body."""
    criteria = FilteringCriteria.for_objects({"user": ["u1"]})
    info = raw.create_recovery_job_request(SID, criteria)
    assert info.http_method is not None and info.http_method.value == "POST"
    assert _url(info) == (
        "https://graph.microsoft.com/v1.0/directory/recovery/snapshots/"
        "MjAyNi0xMS0yOFQwMjozMDowMFo%3D/recoveryJobs"
    )
    assert info.content is not None
    assert json.loads(info.content) == criteria.request_body()


def test_create_without_scope_sends_no_body() -> None:
    """Whole-tenant scope: no body at all."""
    info = raw.create_preview_job_request(SID, FilteringCriteria())
    assert info.content is None


def test_get_changes_request_defaults_to_top_999() -> None:
    """getChanges uses the namespace-qualified name and $top=999."""
    url = _url(raw.get_changes_request(SID, JOB))
    assert url.endswith(
        f"/recoveryPreviewJobs/{JOB}/microsoft.graph.entraRecoveryServices.getChanges?%24top=999"
    )


def test_failed_changes_request_carries_select() -> None:
    """getFailedChanges with $select."""
    url = _url(raw.get_failed_changes_request(SID, JOB, top=10, select=["id", "failureMessage"]))
    assert "microsoft.graph.entraRecoveryServices.getFailedChanges?" in url
    assert "%24select=id,failureMessage" in url and "%24top=10" in url


@pytest.mark.parametrize(
    "url",
    ["https://evil.example/v1.0/x", "https://graph.microsoft.com:8443/v1.0/x"],
)
def test_a_foreign_next_link_gets_no_request(url: str) -> None:
    """next_link_request refuses a link that leaves the configured Graph origin."""
    with pytest.raises(ForeignHostError):
        raw.next_link_request(url, GRAPH)


def test_next_link_is_used_verbatim() -> None:
    """The nextLink is the request URL, unchanged."""
    link = "https://graph.microsoft.com/v1.0/directory/recovery/snapshots?$skiptoken=RFNwd%2BAI"
    assert raw.next_link_request(link, GRAPH).url == link


def test_job_id_from_location() -> None:
    """The id is the last segment after the expected collection."""
    location = (
        f"https://graph.microsoft.com/v1.0/directory/recovery/snapshots/{SID}/recoveryJobs/{JOB}"
    )
    assert raw.job_id_from_location(location, GRAPH, collection="recoveryJobs") == JOB


@pytest.mark.parametrize(
    "location",
    [
        None,
        "",
        f"https://graph.microsoft.com/v1.0/directory/recovery/snapshots/{SID}",
        f"https://graph.microsoft.com/v1.0/directory/recovery/snapshots/{SID}/recoveryJobs/",
        "https://graph.microsoft.com/v1.0/x/recoveryJobs/..%2F..",
    ],
)
def test_bad_locations(location: str | None) -> None:
    """No Location, a wrong collection or an odd id: a clear GraphError."""
    with pytest.raises(GraphError):
        raw.job_id_from_location(location, GRAPH, collection="recoveryJobs")

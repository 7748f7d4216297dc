"""OData query options: $top/$skip paging with nextLink, $select, $filter, $orderby, $count."""

from __future__ import annotations

from urllib.parse import quote

import pytest
from unit.emulator.graphhttp import ADELE
from unit.emulator.graphhttp import NS
from unit.emulator.graphhttp import ROOT
from unit.emulator.graphhttp import Graph


def changes_url(graph: Graph) -> str:
    return f"{graph.start()}/{NS}.getChanges"


def q(text: str) -> str:
    return quote(text, safe="=&$',()")


def test_paging_over_more_than_two_pages_with_opaque_skiptoken(graph: Graph) -> None:
    url = changes_url(graph)
    everything = graph.get(url).json["value"]
    pages: list[list[str]] = []
    link: str | None = f"{url}?$top=3"
    while link:
        reply = graph.get(link)
        assert reply.status == 200
        pages.append([c["id"] for c in reply.json["value"]])
        link = reply.json.get("@odata.nextLink")
        if link:
            assert "$skiptoken=" in link and "$top=3" in link
            assert link.startswith(f"http://127.0.0.1:{graph.server.port}/v1.0/")
    assert [len(p) for p in pages] == [3, 3, 3, 1]
    assert [i for p in pages for i in p] == [c["id"] for c in everything]
    bad = graph.get(f"{url}?$skiptoken=garbage")
    assert bad.status == 400 and "$skiptoken" in bad.error["message"]


def test_top_bounds_and_default(graph: Graph) -> None:
    url = changes_url(graph)
    assert graph.get(f"{url}?$top=999").status == 200
    for value in ("1000", "0", "-1", "ten"):
        reply = graph.get(f"{url}?$top={value}")
        assert reply.status == 400 and "$top" in reply.error["message"]
    assert graph.get(f"{ROOT}/snapshots?$top=1000").status == 400
    listed = graph.get(f"{ROOT}/snapshots?$top=2").json
    assert len(listed["value"]) == 2 and "@odata.nextLink" in listed
    rest = graph.get(listed["@odata.nextLink"]).json
    assert len(rest["value"]) == 2


def test_skip_select_and_count(graph: Graph) -> None:
    url = changes_url(graph)
    skipped = graph.get(f"{url}?$skip=8").json["value"]
    assert len(skipped) == 2
    selected = graph.get(f"{url}?$select=id,recoveryAction&$top=2&$count=true").json
    assert selected["@odata.count"] == 10
    assert selected["value"][0] == {"id": ADELE, "recoveryAction": "restore"}
    assert graph.get(f"{url}?$select=nope").status == 400
    job = graph.get(f"{ROOT}/jobs?$select=id,status").json["value"][0]
    assert set(job) == {"@odata.type", "id", "status"}


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        ("entityTypeName eq 'user'", 3),
        ("entityTypeName ne 'user'", 7),
        ("recoveryAction eq 'softDelete'", 2),
        (f"id eq '{ADELE}'", 1),
        ("displayName eq 'Finance Team'", 1),
        ("startswith(displayName,'require')", 2),
        ("startswith(displayName, 'Totally')", 2),
        ("entityTypeName eq 'user' and recoveryAction eq 'update'", 1),
        ("recoveryAction eq 'restore' or recoveryAction eq 'softDelete'", 4),
        (
            "(entityTypeName eq 'application' or entityTypeName eq 'user') and "
            "recoveryAction ne 'update'",
            3,
        ),
    ],
)
def test_filter_on_changes(graph: Graph, expression: str, expected: int) -> None:
    reply = graph.get(f"{changes_url(graph)}?$filter={q(expression)}&$count=true")
    assert reply.status == 200, reply.raw
    assert reply.json["@odata.count"] == expected == len(reply.json["value"])


@pytest.mark.parametrize(
    ("expression", "fragment"),
    [
        ("jobTitle eq 'x'", "filtering on property 'jobTitle' is not supported"),
        ("id gt 'a'", "operator 'gt' is not supported"),
        ("startswith(id,'a')", "operator 'startswith' is not supported on property 'id'"),
        ("entityTypeName eq 'users'", "not a valid value"),
        ("entityTypeName eq user", "quoted string"),
        ("entityTypeName eq 'user' and", "expected"),
        ("contains(displayName,'a')", "not supported"),
    ],
)
def test_bad_filters_are_400_with_a_clear_message(
    graph: Graph, expression: str, fragment: str
) -> None:
    reply = graph.get(f"{changes_url(graph)}?$filter={q(expression)}")
    assert reply.status == 400
    assert fragment in reply.error["message"]


def test_filter_and_orderby_on_jobs(graph: Graph) -> None:
    first = graph.start().rsplit("/", 1)[1]
    oldest = graph.snapshots()[0]["id"]
    second = graph.start(sid=oldest).rsplit("/", 1)[1]
    expr = q("status eq 'successful' and targetStateDateTime eq 2026-11-22T02:30:00Z")
    only = graph.get(f"{ROOT}/jobs?$filter={expr}").json["value"]
    assert [j["id"] for j in only] == [second]
    ordered = graph.get(f"{ROOT}/jobs?$orderby={q('targetStateDateTime desc')}").json["value"]
    assert [j["id"] for j in ordered] == [first, second]
    assert graph.get(f"{ROOT}/jobs/$count?$filter={q(f'id ne {first!r}')}").raw == b"1"
    bad_filter = q("targetStateDateTime eq '2026'")
    bad = graph.get(f"{ROOT}/jobs?$filter={bad_filter}")
    assert bad.status == 400 and "date-time literal" in bad.error["message"]
    assert graph.get(f"{ROOT}/jobs?$orderby=displayName").status == 400


def test_unsupported_options_are_rejected(graph: Graph) -> None:
    id_filter = q("id eq 'x'")
    assert graph.get(f"{ROOT}/snapshots?$filter={id_filter}").status == 400
    assert graph.get(f"{ROOT}/snapshots?$skip=1").status == 400
    assert graph.get(f"{ROOT}/jobs?$expand=x").status == 400
    reply = graph.get(f"{ROOT}/snapshots?$search=x")
    assert "'$search' is not supported" in reply.error["message"]
    assert (
        graph.get(f"{ROOT}/snapshots?$orderby={q('createdDateTime desc')}").json["value"][0][
            "createdDateTime"
        ]
        == "2026-11-28T02:30:00Z"
    )


def test_orderby_numbers_by_value(graph: Graph) -> None:
    snapshots = graph.get(f"{ROOT}/snapshots?$orderby={q('totalChangedObjects desc')}").json
    counts = [s["totalChangedObjects"] for s in snapshots["value"]]
    assert counts == sorted(counts, reverse=True) and counts[0] > counts[-1]

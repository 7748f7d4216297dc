"""OData query options: exactly those the reference documents per route, the rest a 400."""

from __future__ import annotations

from typing import Any
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


def test_skip_and_select(graph: Graph) -> None:
    url = changes_url(graph)
    skipped = graph.get(f"{url}?$skip=8").json["value"]
    assert len(skipped) == 2
    selected = graph.get(f"{url}?$select=id,recoveryAction&$top=2").json
    assert "@odata.count" not in selected
    assert selected["value"][0] == {"id": ADELE, "recoveryAction": "restore"}
    assert graph.get(f"{url}?$select=nope").status == 400
    job = graph.get(f"{ROOT}/jobs?$select=id,status").json["value"][0]
    assert set(job) == {"@odata.type", "id", "status"}


def test_a_next_link_after_skip_keeps_working(graph: Graph) -> None:
    """$skip then $top: the emulator's own nextLink (with $skiptoken) serves the rest."""
    url = changes_url(graph)
    everything = [c["id"] for c in graph.get(url).json["value"]]
    first = graph.get(f"{url}?$skip=1&$top=4").json
    link = first["@odata.nextLink"]
    assert "$skiptoken=" in link and "$skip=" not in link
    rest = graph.get(link).json
    assert [c["id"] for c in first["value"] + rest["value"]] == everything[1:9]


def _change_functions(graph: Graph) -> list[str]:
    """getChanges of a finished preview and getFailedChanges of a finished recovery."""
    changes = changes_url(graph)
    recovery = graph.start("recoveryJobs")
    return [changes, f"{recovery}/{NS}.getFailedChanges"]


@pytest.mark.parametrize(
    ("option", "value"),
    [
        ("$filter", "entityTypeName eq 'user'"),
        ("$orderby", "id"),
        ("$count", "true"),
        ("$expand", "x"),
        ("$search", "x"),
        ("$skiptoken2", "x"),
    ],
)
def test_change_functions_refuse_undocumented_options(
    make_graph: Any, option: str, value: str
) -> None:
    """getChanges/getFailedChanges document only $top, $skip and $select: the rest is a 400."""
    graph = make_graph()
    for url in _change_functions(graph):
        reply = graph.get(f"{url}?{option}={q(value)}")
        assert reply.status == 400, reply.raw
        assert reply.error["code"] == "BadRequest"
        assert f"'{option}' is not supported" in reply.error["message"]
        assert "$select, $skip, $top" in reply.error["message"]


@pytest.mark.parametrize(
    "path",
    [
        "snapshots",
        "jobs",
        "snapshots/{sid}/recoveryPreviewJobs",
        "snapshots/{sid}/recoveryJobs",
    ],
)
@pytest.mark.parametrize("option", ["$count=true", "$count=false", "$skip=1", "$expand=x"])
def test_collections_refuse_undocumented_options(graph: Graph, path: str, option: str) -> None:
    """No collection documents $count or $skip (or $expand): a 400 naming the option."""
    url = f"{ROOT}/{path.format(sid=graph.snapshots()[-1]['id'])}"
    reply = graph.get(f"{url}?{option}")
    assert reply.status == 400
    name = option.split("=")[0]
    assert reply.error["code"] == "BadRequest"
    assert f"Query option '{name}' is not supported" in reply.error["message"]


@pytest.mark.parametrize(
    ("expression", "fragment"),
    [
        ("displayName eq 'x'", "filtering on property 'displayName' is not supported"),
        ("id gt 'a'", "operator 'gt' is not supported"),
        ("startswith(id,'a')", "operator 'startswith' is not supported on property 'id'"),
        ("status eq 'done'", "not a valid value"),
        ("status eq running", "quoted string"),
        ("status eq 'running' and", "expected"),
        ("contains(id,'a')", "not supported"),
    ],
)
def test_bad_filters_are_400_with_a_clear_message(
    graph: Graph, expression: str, fragment: str
) -> None:
    reply = graph.get(f"{ROOT}/jobs?$filter={q(expression)}")
    assert reply.status == 400
    assert fragment in reply.error["message"]


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        ("status eq 'successful'", 2),
        ("status ne 'successful'", 0),
        ("status eq 'successful' or status eq 'running'", 2),
        ("(status eq 'failed' or status eq 'successful') and status ne 'running'", 2),
    ],
)
def test_filter_combinations_on_jobs(graph: Graph, expression: str, expected: int) -> None:
    graph.start()
    graph.start(sid=graph.snapshots()[0]["id"])
    reply = graph.get(f"{ROOT}/jobs?$filter={q(expression)}")
    assert reply.status == 200, reply.raw
    assert len(reply.json["value"]) == expected


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

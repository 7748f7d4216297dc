"""The resource table is the one source for the client, the parity functions, the CLI, the docs."""

from __future__ import annotations

import inspect
from pathlib import Path
from typing import Any

import pytest

from entra_recovery.cli.main import cli
from entra_recovery.graph import parity
from entra_recovery.graph.models import JobKind
from entra_recovery.graph.resources import JOBS
from entra_recovery.graph.resources import PREVIEW_JOBS
from entra_recovery.graph.resources import RECOVERY_JOBS
from entra_recovery.graph.resources import RESOURCES
from entra_recovery.graph.resources import SNAPSHOTS
from entra_recovery.graph.resources import Resource

PARITY_DOC = Path(__file__).resolve().parents[3] / "docs" / "powershell-parity.md"
BY_NAME = pytest.mark.parametrize("resource", RESOURCES, ids=lambda r: r.name)


@BY_NAME
def test_each_resource_has_its_parity_functions_and_their_sync_twins(
    resource: Resource[Any],
) -> None:
    """list_<name>, get_<item>, count_<name>, each with an _async twin taking the cmdlet's ids."""
    ids = ["snapshot_id"] if resource.snapshot_scoped else []
    item_id = "snapshot_id" if resource.items_are_snapshots else "job_id"
    expected = {
        f"list_{resource.name}": ids,
        f"get_{resource.item}": [*ids, item_id],
        f"count_{resource.name}": ids,
    }
    for name, positional in expected.items():
        function = getattr(parity, f"{name}_async")
        parameters = list(inspect.signature(function).parameters.values())
        assert [p.name for p in parameters[1 : 1 + len(positional)]] == positional, name
        assert getattr(parity, name).__name__ == name


@BY_NAME
def test_each_resource_has_a_cli_group_with_list_get_and_count(resource: Resource[Any]) -> None:
    """The CLI group is named after the item, with one command per cmdlet."""
    group = cli.commands[resource.cli_group]
    assert {"list", "get", "count"} <= set(group.commands)  # type: ignore[attr-defined]
    help_text = group.commands["list"].help or ""  # type: ignore[attr-defined]
    assert resource.cmdlet in help_text or resource.cmdlet.removeprefix("Get-") in help_text


@BY_NAME
def test_the_parity_doc_maps_each_cmdlet_to_its_function_and_command(
    resource: Resource[Any],
) -> None:
    """docs/powershell-parity.md names both cmdlets (v1.0, beta), the function and command."""
    rows = [line for line in PARITY_DOC.read_text(encoding="utf-8").splitlines() if "|" in line]
    beta = resource.cmdlet.replace("-Mg", "-MgBeta")
    [listed] = [r for r in rows if f"`{resource.cmdlet}` / `{beta}`" in r]
    assert f"`list_{resource.name}(settings" in listed
    assert f"`entra-recovery {resource.cli_group} list" in listed
    [counted] = [r for r in rows if f"`{resource.count_cmdlet}`" in r]
    assert f"`count_{resource.name}(settings" in counted
    assert f"`entra-recovery {resource.cli_group} count" in counted
    assert any(f"`get_{resource.item}(settings" in r for r in rows)


@pytest.mark.parametrize(
    ("resource", "listing", "reading", "counting"),
    [
        (SNAPSHOTS, "listing snapshots", "reading snapshot X", "counting snapshots"),
        (JOBS, "listing jobs", "reading job X", "counting jobs"),
        (
            PREVIEW_JOBS,
            "listing preview jobs of snapshot S",
            "reading preview job X",
            "counting preview jobs of snapshot S",
        ),
        (
            RECOVERY_JOBS,
            "listing recovery jobs of snapshot S",
            "reading recovery job X",
            "counting recovery jobs of snapshot S",
        ),
    ],
)
def test_operations_are_worded_for_messages_and_need_the_read_scope(
    resource: Resource[Any], listing: str, reading: str, counting: str
) -> None:
    """What an error says the client was doing, and the scope and role a 403 names."""
    operations = [
        resource.list_operation("S"),
        resource.get_operation("X"),
        resource.count_operation("S"),
    ]
    assert [o.action for o in operations] == [listing, reading, counting]
    for operation in operations:
        assert operation.permissions == ("EntraBackup.Read.All",)
        assert operation.role == "Microsoft Entra Backup Reader"


def test_job_kinds() -> None:
    """A snapshot's jobs are of one kind; the tenant-wide list holds both; snapshots none."""
    assert [r.job_kind for r in RESOURCES] == [
        None,
        JobKind.UNKNOWN,
        JobKind.PREVIEW,
        JobKind.RECOVERY,
    ]

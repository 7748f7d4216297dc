"""
The only package that talks to Microsoft Graph.

The flow of a call: `settings` (where and how) -> `auth` (credential) -> `pipeline` (SDK
request adapters and builders) -> `transport` (send, map errors) -> `paging` (nextLinks) ->
`client.GraphClient` (each operation once, Graph's JSON; the `resources` table drives the four
collections) -> `adapter.GraphApiAdapter` (our records, for the runner's `api.GraphApi`) or
`parity` (the PowerShell-parity functions). msgraph-sdk and azure-identity are imported lazily
inside functions, so importing this package is cheap.
"""

from __future__ import annotations

from entra_recovery.errors import GraphError
from entra_recovery.graph.adapter import GraphApiAdapter
from entra_recovery.graph.api import GraphApi
from entra_recovery.graph.client import GraphClient
from entra_recovery.graph.client import open_client
from entra_recovery.graph.models import Change
from entra_recovery.graph.models import ChangePage
from entra_recovery.graph.models import FilteringCriteria
from entra_recovery.graph.models import Identity
from entra_recovery.graph.models import Job
from entra_recovery.graph.models import JobKind
from entra_recovery.graph.models import JobStatus
from entra_recovery.graph.models import Snapshot
from entra_recovery.graph.paging import ListQuery
from entra_recovery.graph.settings import GraphSettings

__all__ = [
    "Change",
    "ChangePage",
    "FilteringCriteria",
    "GraphApi",
    "GraphApiAdapter",
    "GraphClient",
    "GraphError",
    "GraphSettings",
    "Identity",
    "Job",
    "JobKind",
    "JobStatus",
    "ListQuery",
    "Snapshot",
    "open_client",
]

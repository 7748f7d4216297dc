"""
The only package that talks to Microsoft Graph.

msgraph-sdk and azure-identity are imported lazily inside functions, so importing this package
is cheap; see `client.py` and `auth.py`.
"""

from __future__ import annotations

from entra_recovery.errors import GraphError
from entra_recovery.graph.api import GraphApi
from entra_recovery.graph.client import GraphClient
from entra_recovery.graph.client import make_client
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
    "GraphClient",
    "GraphError",
    "GraphSettings",
    "Identity",
    "Job",
    "JobKind",
    "JobStatus",
    "ListQuery",
    "Snapshot",
    "make_client",
]

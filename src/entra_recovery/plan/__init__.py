"""
The plan layer: YAML plan files -> validated, typed `Plan` records.

Load with `load_plan(path)`; check many files with `validate_paths(paths)`. Nothing here talks
to Graph, so validation is pure, offline and fast.
"""

from __future__ import annotations

from entra_recovery.errors import Issue
from entra_recovery.errors import PlanLoadError
from entra_recovery.errors import PlanValidationError
from entra_recovery.plan.loader import FileResult
from entra_recovery.plan.loader import check_file
from entra_recovery.plan.loader import load_plan
from entra_recovery.plan.loader import validate_paths
from entra_recovery.plan.model import Approval
from entra_recovery.plan.model import Guards
from entra_recovery.plan.model import Metadata
from entra_recovery.plan.model import ObjectScope
from entra_recovery.plan.model import Plan
from entra_recovery.plan.model import Scope
from entra_recovery.plan.model import SnapshotSelector

__all__ = [
    "Approval",
    "FileResult",
    "Guards",
    "Issue",
    "Metadata",
    "ObjectScope",
    "Plan",
    "PlanLoadError",
    "PlanValidationError",
    "Scope",
    "SnapshotSelector",
    "check_file",
    "load_plan",
    "validate_paths",
]

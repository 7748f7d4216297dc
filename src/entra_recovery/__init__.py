"""
entra-recovery: declarative, reviewable recoveries for Microsoft Entra Backup and Recovery.

The public Python API (docs/python-api.md): load and validate plans, preview them (one by one or
as a batch sharing preview jobs), apply them behind the same gates as the CLI, and the
exceptions and exit codes they report with. Every name
in `__all__` follows the semantic-versioning promise written there. Importing this package is
cheap: nothing here imports msgraph, kiota or azure-identity until a request is made.
"""

from __future__ import annotations

from entra_recovery.api import Confirm
from entra_recovery.api import Problem
from entra_recovery.api import Settings
from entra_recovery.api import apply
from entra_recovery.api import apply_async
from entra_recovery.api import load_plan
from entra_recovery.api import preview
from entra_recovery.api import preview_async
from entra_recovery.api import preview_many
from entra_recovery.api import preview_many_async
from entra_recovery.api import validate
from entra_recovery.constants import VERSION
from entra_recovery.constants import ExitCode
from entra_recovery.diff import GuardResult
from entra_recovery.diff import LinkChange
from entra_recovery.diff import ObjectChange
from entra_recovery.diff import PropertyChange
from entra_recovery.errors import ApplyNotApproved
from entra_recovery.errors import FingerprintMismatch
from entra_recovery.errors import GateRefused
from entra_recovery.errors import GraphAuthError
from entra_recovery.errors import GraphError
from entra_recovery.errors import JobConflictError
from entra_recovery.errors import JobFailedError
from entra_recovery.errors import PlanError
from entra_recovery.errors import PlanLoadError
from entra_recovery.errors import PlanValidationError
from entra_recovery.errors import PollTimeoutError
from entra_recovery.errors import RecoveryError
from entra_recovery.errors import UsageError
from entra_recovery.plan import Plan
from entra_recovery.results import REPORT_FORMATS
from entra_recovery.results import ApplyResult
from entra_recovery.results import Preview

__version__ = VERSION

__all__ = [
    "REPORT_FORMATS",
    "VERSION",
    "ApplyNotApproved",
    "ApplyResult",
    "Confirm",
    "ExitCode",
    "FingerprintMismatch",
    "GateRefused",
    "GraphAuthError",
    "GraphError",
    "GuardResult",
    "JobConflictError",
    "JobFailedError",
    "LinkChange",
    "ObjectChange",
    "Plan",
    "PlanError",
    "PlanLoadError",
    "PlanValidationError",
    "PollTimeoutError",
    "Preview",
    "Problem",
    "PropertyChange",
    "RecoveryError",
    "Settings",
    "UsageError",
    "__version__",
    "apply",
    "apply_async",
    "load_plan",
    "preview",
    "preview_async",
    "preview_many",
    "preview_many_async",
    "validate",
]

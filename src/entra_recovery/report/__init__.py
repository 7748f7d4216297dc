"""
The report layer: diff model, fingerprint, guards, comparison and renderers.

Step in the flow: raw change pages -> `DiffBuilder` (+ `Fingerprinter`) -> `Diff` ->
`evaluate_guards` -> `Report` -> a renderer from `RENDERERS` -> text the CLI writes.
"""

from __future__ import annotations

from entra_recovery.report.builder import DiffBuilder
from entra_recovery.report.builder import build_diff
from entra_recovery.report.builder import object_change_from_raw
from entra_recovery.report.compare import DiffComparison
from entra_recovery.report.compare import ObjectDifference
from entra_recovery.report.compare import compare
from entra_recovery.report.document import REPORT_STATUSES
from entra_recovery.report.document import ApplyInfo
from entra_recovery.report.document import JobInfo
from entra_recovery.report.document import PlanInfo
from entra_recovery.report.document import Report
from entra_recovery.report.document import SnapshotInfo
from entra_recovery.report.document import default_status
from entra_recovery.report.fingerprint import Fingerprinter
from entra_recovery.report.fingerprint import fingerprint
from entra_recovery.report.fingerprint import is_fingerprint
from entra_recovery.report.guards import GuardResult
from entra_recovery.report.guards import evaluate_guards
from entra_recovery.report.guards import guards_ok
from entra_recovery.report.model import ABSENT
from entra_recovery.report.model import Diff
from entra_recovery.report.model import LinkChange
from entra_recovery.report.model import ObjectChange
from entra_recovery.report.model import PropertyChange
from entra_recovery.report.serialize import FORMAT_VERSION
from entra_recovery.report.serialize import diff_from_json
from entra_recovery.report.serialize import report_from_json
from entra_recovery.report.serialize import report_to_json

__all__ = [
    "ABSENT",
    "FORMAT_VERSION",
    "REPORT_STATUSES",
    "ApplyInfo",
    "Diff",
    "DiffBuilder",
    "DiffComparison",
    "Fingerprinter",
    "GuardResult",
    "JobInfo",
    "LinkChange",
    "ObjectChange",
    "ObjectDifference",
    "PlanInfo",
    "PropertyChange",
    "Report",
    "SnapshotInfo",
    "build_diff",
    "compare",
    "default_status",
    "diff_from_json",
    "evaluate_guards",
    "fingerprint",
    "guards_ok",
    "is_fingerprint",
    "object_change_from_raw",
    "report_from_json",
    "report_to_json",
]

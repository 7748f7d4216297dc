"""
The change-set domain: what a recovery would change, and everything a gate decides on.

Step in the flow: raw change pages -> `DiffBuilder` (+ `Fingerprinter`) -> `Diff` ->
`evaluate_guards`; `compare` explains how two previews of one plan differ. Pure code: no I/O,
no Graph, no presentation (the renderers in `report/` only read these objects).
"""

from __future__ import annotations

from entra_recovery.diff.builder import DiffBuilder
from entra_recovery.diff.builder import build_diff
from entra_recovery.diff.builder import object_change_from_raw
from entra_recovery.diff.compare import DiffComparison
from entra_recovery.diff.compare import ObjectDifference
from entra_recovery.diff.compare import compare
from entra_recovery.diff.fingerprint import Fingerprinter
from entra_recovery.diff.fingerprint import fingerprint
from entra_recovery.diff.fingerprint import fingerprint_from_digests
from entra_recovery.diff.fingerprint import is_fingerprint
from entra_recovery.diff.guards import GuardResult
from entra_recovery.diff.guards import evaluate_guards
from entra_recovery.diff.guards import guards_ok
from entra_recovery.diff.model import ABSENT
from entra_recovery.diff.model import Diff
from entra_recovery.diff.model import LinkChange
from entra_recovery.diff.model import ObjectChange
from entra_recovery.diff.model import PropertyChange
from entra_recovery.diff.serialize import FORMAT_VERSION
from entra_recovery.diff.serialize import diff_from_json

__all__ = [
    "ABSENT",
    "FORMAT_VERSION",
    "Diff",
    "DiffBuilder",
    "DiffComparison",
    "Fingerprinter",
    "GuardResult",
    "LinkChange",
    "ObjectChange",
    "ObjectDifference",
    "PropertyChange",
    "build_diff",
    "compare",
    "diff_from_json",
    "evaluate_guards",
    "fingerprint",
    "fingerprint_from_digests",
    "guards_ok",
    "is_fingerprint",
    "object_change_from_raw",
]

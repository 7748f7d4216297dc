"""
entra-recovery: declarative, reviewable recoveries for Microsoft Entra Backup and Recovery.

The public Python API. Importing this package is cheap: nothing here imports msgraph.
"""

from __future__ import annotations

from entra_recovery.constants import VERSION
from entra_recovery.constants import ExitCode
from entra_recovery.errors import RecoveryError

__version__ = VERSION

__all__ = [
    "VERSION",
    "ExitCode",
    "RecoveryError",
    "__version__",
]

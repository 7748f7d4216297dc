"""
The Graph operations we call, each with what it does, its least-privileged scope and role.

Used to pick scopes for a request (`graph.auth`), to word error messages ("listing snapshots
failed") and to say which permission and role a 403 is missing. The list, get and count
operations of the four collections are made by their `resources.Resource`; the others are here.
"""

from __future__ import annotations

from dataclasses import dataclass

from entra_recovery.constants import SCOPE_PREVIEW
from entra_recovery.constants import SCOPE_READ
from entra_recovery.constants import SCOPE_RECOVERY

ROLE_READER = "Microsoft Entra Backup Reader"
ROLE_ADMIN = "Microsoft Entra Backup Administrator"


@dataclass(frozen=True)
class Operation:
    """One service operation: a gerund for messages, its scopes and the least role."""

    action: str
    permissions: tuple[str, ...]
    role: str

    def describe(self, **values: str) -> Operation:
        """The same operation with its action text filled in (e.g. a snapshot id)."""
        return Operation(self.action.format(**values), self.permissions, self.role)


_READ = (SCOPE_READ,)

GET_CHANGES = Operation("reading the changes of preview job {job}", _READ, ROLE_READER)
GET_FAILED_CHANGES = Operation(
    "reading the failed changes of recovery job {job}", _READ, ROLE_READER
)
CREATE_PREVIEW_JOB = Operation(
    "starting a preview job on snapshot {snapshot}", (SCOPE_PREVIEW,), ROLE_ADMIN
)
CREATE_RECOVERY_JOB = Operation(
    "starting a recovery job on snapshot {snapshot}", (SCOPE_RECOVERY,), ROLE_ADMIN
)
# The cancel scope is undocumented (reference section 10): the scope matching the job's kind.
CANCEL_PREVIEW_JOB = Operation("cancelling preview job {job}", (SCOPE_PREVIEW,), ROLE_ADMIN)
CANCEL_RECOVERY_JOB = Operation("cancelling recovery job {job}", (SCOPE_RECOVERY,), ROLE_ADMIN)
CANCEL_JOB = Operation("cancelling job {job}", (SCOPE_PREVIEW, SCOPE_RECOVERY), ROLE_ADMIN)

"""
Constants shared by every layer: version, API versions, scopes, entity types, exit codes, and
the vocabularies of modes, run statuses, journal steps and audit lines.

Nothing here imports anything heavier than the standard library.
"""

from __future__ import annotations

import enum

VERSION = "0.1.0"

DEFAULT_GRAPH_URL = "https://graph.microsoft.com"
API_VERSIONS = ("v1.0", "beta")
DEFAULT_API_VERSION = "v1.0"

# Environment variables (contract: shared/design.md).
ENV_GRAPH_URL = "ENTRA_RECOVERY_GRAPH_URL"
ENV_API_VERSION = "ENTRA_RECOVERY_API_VERSION"
ENV_ACCESS_TOKEN = "ENTRA_RECOVERY_ACCESS_TOKEN"  # noqa: S105 - a variable name, not a secret
ENV_POLL_INTERVAL = "ENTRA_RECOVERY_POLL_INTERVAL"
ENV_STATE_DIR = "ENTRA_RECOVERY_STATE_DIR"
ENV_COLOR = "ENTRA_RECOVERY_COLOR"
ENV_REQUEST_TIMEOUT = "ENTRA_RECOVERY_REQUEST_TIMEOUT"
ENV_TENANT_ID = "ENTRA_RECOVERY_TENANT_ID"
ENV_CLIENT_ID = "ENTRA_RECOVERY_CLIENT_ID"
ENV_AUTH = "ENTRA_RECOVERY_AUTH"
ENV_ALLOW_UNENCRYPTED_CACHE = "ENTRA_RECOVERY_ALLOW_UNENCRYPTED_CACHE"
ENV_AUTHORITY = "ENTRA_RECOVERY_AUTHORITY"

# First polling interval for jobs. Real jobs take minutes to hours.
DEFAULT_POLL_INTERVAL = 30.0
MIN_POLL_INTERVAL = 0.01
MAX_POLL_INTERVAL = 300.0

# Deadline for ONE attempt of one Graph request: connect, send, headers and the whole body
# (httpx's own timeouts are per read, so a server dripping a byte a second never trips them).
# Each retry and each redirect hop gets its own deadline (docs/reliability.md).
DEFAULT_REQUEST_TIMEOUT = 100.0
# Largest answer body we read, counted after decompression while reading (a getChanges page of
# 999 changes is a few MB). Bigger answers are refused before they are held in memory.
DEFAULT_MAX_RESPONSE_BYTES = 64 * 1024 * 1024
# Same-origin redirects followed for one GET; a redirect off the Graph origin is never followed.
MAX_REDIRECTS = 3

# Least-privileged delegated scopes per operation (reference section 6.5).
SCOPE_READ = "EntraBackup.Read.All"
SCOPE_PREVIEW = "EntraBackup.ReadWrite.Preview"
SCOPE_RECOVERY = "EntraBackup.ReadWrite.Recovery"

# Graph header every request carries, so evolvable enum members arrive intact.
PREFER_UNKNOWN_ENUMS = "include-unknown-enum-members"

ODATA_NAMESPACE = "microsoft.graph.entraRecoveryServices"
ODATA_TYPE_PREVIEW_JOB = f"#{ODATA_NAMESPACE}.recoveryPreviewJob"
ODATA_TYPE_RECOVERY_JOB = f"#{ODATA_NAMESPACE}.recoveryJob"
ODATA_TYPE_SNAPSHOT = f"#{ODATA_NAMESPACE}.snapshot"
ODATA_TYPE_NAMES_FILTER = f"#{ODATA_NAMESPACE}.recoveryJobEntityNamesFilter"
ODATA_TYPE_NAME_AND_IDS_FILTER = f"#{ODATA_NAMESPACE}.recoveryJobEntityNameAndIdsFilter"
ODATA_TYPE_ENTITY_TYPE_AND_IDS = f"#{ODATA_NAMESPACE}.entityTypeAndIds"

# resourceTypeName members, in the service's order (reference section 4.6).
ENTITY_TYPES = (
    "user",
    "group",
    "conditionalAccessPolicy",
    "namedLocationPolicy",
    "authenticationMethodPolicy",
    "authorizationPolicy",
    "authenticationStrengthPolicy",
    "application",
    "servicePrincipal",
    "oAuth2PermissionGrant",
    "appRoleAssignment",
    "organization",
)

# recoveryAction members we know; anything else is passed through, never dropped.
RECOVERY_ACTIONS = ("update", "restore", "softDelete")
# What a plan's guards allow when `guards.allowedActions` is not given: softDelete must be listed.
DEFAULT_ALLOWED_ACTIONS = ("update", "restore")

# recoveryStatus members (reference section 4.6).
JOB_STATUSES = (
    "initialized",
    "running",
    "successful",
    "failed",
    "abandoned",
    "unknownFutureValue",
    "calculating",
    "loadingData",
)

PLAN_API_VERSION = "entra-recovery/v1"
PLAN_KIND = "RecoveryPlan"
PLAN_SCHEMA_FILE = "recovery-plan.schema.json"
DIFF_REPORT_SCHEMA_FILE = "diff-report.schema.json"


class PlanMode(enum.StrEnum):
    """A plan's `mode`: whether it may ever start a recovery job."""

    PREVIEW = "preview"
    APPLY = "apply"


class ExitCode(enum.IntEnum):
    """Exit codes, the same for every command (shared/design.md)."""

    OK = 0
    ERROR = 1
    CHANGES = 2
    REFUSED = 3
    FAILED_CHANGES = 4
    USAGE = 64
    INTERRUPTED = 130


class RunStatus(enum.StrEnum):
    """A run journal's `status`: running until the run ends one of the four other ways."""

    RUNNING = "running"
    FINISHED = "finished"
    FAILED = "failed"
    REFUSED = "refused"
    INTERRUPTED = "interrupted"


class JournalStep(enum.StrEnum):
    """The steps a run journal records, in the order a `plan apply` passes them."""

    MODE = "mode"
    RESOLVE = "resolve"
    PREVIEW_JOB = "preview-job"
    POLL_PREVIEW = "poll-preview"
    CHANGES = "changes"
    GATES = "gates"
    CONFIRM = "confirm"
    RECOVERY_JOB = "recovery-job"
    POLL_RECOVERY = "poll-recovery"
    FAILED_CHANGES = "failed-changes"
    RESUME = "resume"


class StepState(enum.StrEnum):
    """Where a journal step stands: written before (`started`) and after the step."""

    STARTED = "started"
    FINISHED = "finished"
    FAILED = "failed"


class AuditEvent(enum.StrEnum):
    """What an audit line records (docs/runs.md, "Audit log")."""

    PREVIEW = "preview"
    APPLY = "apply"
    RESUME = "resume"


class AuditOutcome(enum.StrEnum):
    """How the run an audit line records ended (docs/runs.md, "Audit log").

    `JOB_FAILED` and `JOB_ABANDONED` are the `job-<status>` family: a recovery job that ended
    in one of the two failed job statuses (`failed`, `abandoned`) without listing a failed
    change. The family is closed because the set of failed job statuses is.
    """

    CHANGES = "changes"
    NO_CHANGES = "no-changes"
    APPLIED = "applied"
    FAILED_CHANGES = "failed-changes"
    JOB_FAILED = "job-failed"
    JOB_ABANDONED = "job-abandoned"
    REFUSED = "refused"
    INTERRUPTED = "interrupted"
    ERROR = "error"

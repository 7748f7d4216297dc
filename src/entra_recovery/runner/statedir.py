"""
Where runs leave their traces: run journals, the audit log and saved preview reports.

`ENTRA_RECOVERY_STATE_DIR` (or `--state-dir`) wins; otherwise `$XDG_STATE_HOME/entra-recovery`
or `~/.local/state/entra-recovery`. Files are created user-only (0600/0700): they name objects of
the tenant, although never a token.
"""

from __future__ import annotations

import os
from pathlib import Path

from entra_recovery.constants import ENV_STATE_DIR


def default_state_dir() -> Path:
    """The state directory for this user (not created)."""
    explicit = os.environ.get(ENV_STATE_DIR)
    if explicit:
        return Path(explicit).expanduser()
    xdg = os.environ.get("XDG_STATE_HOME")
    base = Path(xdg).expanduser() if xdg else Path.home() / ".local" / "state"
    return base / "entra-recovery"


def ensure_dir(path: Path) -> Path:
    """Create a private directory (0700) if needed and return it."""
    path.mkdir(parents=True, exist_ok=True, mode=0o700)
    return path


def write_private(path: Path, data: bytes, *, durable: bool = True) -> None:
    """Write a file atomically (temp file + rename), readable by the user only.

    `durable=False` skips the fsync, for files that are a convenience rather than a record
    (a crash may then leave the old version, or an empty file, behind).
    """
    ensure_dir(path.parent)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            if durable:
                handle.flush()
                os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise

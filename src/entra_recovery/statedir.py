"""
Where runs leave their traces: run journals, the audit log and saved preview reports.

Step in the flow: alongside every step (the journal, the audit log and the preview index are
written through here). `ENTRA_RECOVERY_STATE_DIR` (or `--state-dir`) wins; otherwise
`$XDG_STATE_HOME/entra-recovery` or `~/.local/state/entra-recovery`.

The folder decides what `run resume` believes, so it must be the user's alone:
- folders are created 0700 and files 0600 (they name objects of the tenant, never a token);
- a folder owned by someone else, or writable by group or others, is refused (`StateDirError`,
  exit 1) with the command that fixes it; nothing is written into it;
- a symlinked folder is followed only when its target passes the same checks (a link the user
  made to another disk is fine; a link to someone else's folder is not);
- files are written through a temporary file created exclusively (`O_CREAT | O_EXCL |
  O_NOFOLLOW`, 0600), never through a symlink planted at the temporary name, then renamed
  over the target atomically.
"""

from __future__ import annotations

import os
import secrets
import stat
from pathlib import Path

from entra_recovery.constants import ENV_STATE_DIR
from entra_recovery.errors import StateDirError

# Attempts at an unused temporary name before giving up (each name is random after the first).
TEMP_ATTEMPTS = 5
_TEMP_FLAGS = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0)


def default_state_dir() -> Path:
    """The state directory for this user (not created)."""
    explicit = os.environ.get(ENV_STATE_DIR)
    if explicit:
        return Path(explicit).expanduser()
    xdg = os.environ.get("XDG_STATE_HOME")
    base = Path(xdg).expanduser() if xdg else Path.home() / ".local" / "state"
    return base / "entra-recovery"


def ensure_dir(path: Path) -> Path:
    """Create a private directory (0700) if needed, check that it is the user's, return it.

    Raises:
        StateDirError: the folder (or the target of a symlink at its place) is owned by another
            user, is writable by group or others, or is not a folder.
    """
    missing: list[Path] = []
    level = path
    while not os.path.lexists(level) and level != level.parent:
        missing.append(level)
        level = level.parent
    for folder in reversed(missing):  # every folder we create is private, not just the last
        folder.mkdir(mode=0o700, exist_ok=True)
    check_private_dir(path)
    return path


def check_private_dir(path: Path) -> None:
    """Refuse a folder that someone other than the user could have written (see module doc)."""
    try:
        info = os.stat(path)  # follows a symlink: the target is what we would write into
    except OSError as exc:
        raise StateDirError(f"cannot use state directory {path}: {exc.strerror}") from None
    shown = f"{path} (a symlink to {os.path.realpath(path)})" if path.is_symlink() else str(path)
    if not stat.S_ISDIR(info.st_mode):
        raise StateDirError(f"state directory {shown} is not a folder")
    uid = os.getuid()
    if info.st_uid != uid:
        raise StateDirError(
            f"state directory {shown} is owned by uid {info.st_uid}, not by you (uid {uid}); "
            "run journals decide what `run resume` does, so they must be yours alone",
            hint=f"use your own --state-dir, or take it over: "
            f"chown {uid} {path} && chmod 700 {path}",
        )
    if info.st_mode & (stat.S_IWGRP | stat.S_IWOTH):
        raise StateDirError(
            f"state directory {shown} is writable by group or others "
            f"(mode {stat.S_IMODE(info.st_mode):04o}); someone else could plant a run journal",
            hint=f"chmod 700 {path}",
        )


def write_private(path: Path, data: bytes, *, durable: bool = True) -> None:
    """Write a file atomically (exclusive temp file + rename), readable by the user only.

    `durable=False` skips the fsync, for files that are a convenience rather than a record
    (a crash may then leave the old version, or an empty file, behind).
    """
    ensure_dir(path.parent)
    tmp, fd = _open_temp(path)
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


def _open_temp(path: Path) -> tuple[Path, int]:
    """A new temporary file next to `path`: never an existing file, never through a symlink."""
    for attempt in range(TEMP_ATTEMPTS):
        suffix = f"{os.getpid()}" if attempt == 0 else f"{os.getpid()}.{secrets.token_hex(6)}"
        tmp = path.with_name(f".{path.name}.{suffix}.tmp")
        try:
            return tmp, os.open(tmp, _TEMP_FLAGS, 0o600)
        except FileExistsError:
            continue  # a leftover, or something planted there: leave it, take another name
    raise StateDirError(
        f"cannot create a temporary file next to {path}: {TEMP_ATTEMPTS} names were taken",
        hint=f"remove the stray .{path.name}.*.tmp files in {path.parent}",
    )

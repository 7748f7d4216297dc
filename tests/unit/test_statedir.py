"""The state folder is the user's alone: created private, refused otherwise, written safely."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from entra_recovery.errors import StateDirError
from entra_recovery.statedir import ensure_dir
from entra_recovery.statedir import write_private

OTHER_UID = 4242
needs_root = pytest.mark.skipif(os.getuid() != 0, reason="chown to another user needs root")


def test_missing_folders_are_created_private(tmp_path: Path) -> None:
    """Every folder ensure_dir creates is 0700, not just the last one."""
    ensure_dir(tmp_path / "a" / "b")
    for folder in (tmp_path / "a", tmp_path / "a" / "b"):
        assert stat.S_IMODE(folder.stat().st_mode) == 0o700


@pytest.mark.parametrize("mode", [0o777, 0o770, 0o702])
def test_a_folder_others_can_write_is_refused(tmp_path: Path, mode: int) -> None:
    """Group- or world-writable: refused, with the chmod that fixes it."""
    folder = tmp_path / "state"
    folder.mkdir()
    os.chmod(folder, mode)
    with pytest.raises(StateDirError, match="writable by group or others") as info:
        ensure_dir(folder)
    assert info.value.hint == f"chmod 700 {folder}" and info.value.exit_code == 1


def test_a_readable_folder_of_ours_is_fine(tmp_path: Path) -> None:
    """0755 is not private, but nobody else can plant a journal in it: accepted as it is."""
    folder = tmp_path / "state"
    folder.mkdir(mode=0o755)
    os.chmod(folder, 0o755)
    assert ensure_dir(folder) == folder


@needs_root
def test_a_folder_someone_else_owns_is_refused(tmp_path: Path) -> None:
    """Owned by another uid: refused, naming chown and chmod."""
    folder = tmp_path / "state"
    folder.mkdir(mode=0o700)
    os.chown(folder, OTHER_UID, -1)
    with pytest.raises(StateDirError, match=f"owned by uid {OTHER_UID}") as info:
        ensure_dir(folder)
    assert f"chown {os.getuid()} {folder}" in (info.value.hint or "")


def test_a_symlink_to_our_own_folder_is_followed(tmp_path: Path) -> None:
    """A state dir linked to another disk of ours works as the target."""
    target = tmp_path / "elsewhere"
    target.mkdir(mode=0o700)
    link = tmp_path / "state"
    link.symlink_to(target)
    write_private(link / "runs" / "x.json", b"{}")
    assert (target / "runs" / "x.json").read_bytes() == b"{}"


@needs_root
def test_a_symlink_to_someone_elses_folder_is_refused(tmp_path: Path) -> None:
    """The target decides: a link to a folder another uid owns is refused."""
    target = tmp_path / "theirs"
    target.mkdir(mode=0o700)
    os.chown(target, OTHER_UID, -1)
    (tmp_path / "state").symlink_to(target)
    with pytest.raises(StateDirError, match="a symlink to"):
        ensure_dir(tmp_path / "state")


def test_a_dangling_symlink_is_refused(tmp_path: Path) -> None:
    """A link to nowhere is an error, not a folder to create somewhere unexpected."""
    (tmp_path / "state").symlink_to(tmp_path / "nowhere")
    with pytest.raises(StateDirError, match="cannot use state directory"):
        ensure_dir(tmp_path / "state")
    assert not (tmp_path / "nowhere").exists()


def test_a_symlink_planted_at_the_temp_name_is_never_followed(tmp_path: Path) -> None:
    """The temp file is created exclusively: a planted link is left alone, another name used."""
    folder = tmp_path / "state"
    folder.mkdir(mode=0o700)
    victim = tmp_path / "victim"
    victim.write_text("precious")
    planted = folder / f".run.json.{os.getpid()}.tmp"
    planted.symlink_to(victim)
    write_private(folder / "run.json", b"data")
    assert victim.read_text() == "precious" and planted.is_symlink()
    assert (folder / "run.json").read_bytes() == b"data"
    assert stat.S_IMODE((folder / "run.json").stat().st_mode) == 0o600
    assert sorted(p.name for p in folder.iterdir()) == [planted.name, "run.json"]


def test_too_many_taken_temp_names_is_an_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """When every name tried exists, the write fails clearly instead of overwriting one."""
    folder = tmp_path / "state"
    folder.mkdir(mode=0o700)
    monkeypatch.setattr("entra_recovery.statedir.secrets.token_hex", lambda n: "same")
    (folder / f".run.json.{os.getpid()}.tmp").write_text("x")
    (folder / f".run.json.{os.getpid()}.same.tmp").write_text("x")
    with pytest.raises(StateDirError, match="names were taken"):
        write_private(folder / "run.json", b"data")
    assert not (folder / "run.json").exists()

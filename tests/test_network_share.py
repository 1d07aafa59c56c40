"""A SQLite file on a network share is refused with a sentence that points to PostgreSQL (issue 11):
WAL needs shared memory that SMB and NFS do not give."""

from __future__ import annotations

from pathlib import Path

import pytest

from grassroots_tui.domain.errors import DomainError
from grassroots_tui.store import shares

MOUNTS = r"""sysfs /sys sysfs rw,nosuid,nodev,noexec,relatime 0 0
/dev/sda1 / ext4 rw,relatime 0 0
//nas/居委会 /mnt/共享 cifs rw,relatime,vers=3.0 0 0
nas:/export /srv/nfs nfs4 rw,relatime 0 0
/dev/sdb1 /srv/nfs/local ext4 rw 0 0
server:/x /mnt/with\040space nfs rw 0 0
"""


def test_the_mount_holding_a_file_is_read_from_proc_mounts() -> None:
    assert shares.mount_type(Path("/home/clerk/grassroots.sqlite3"), MOUNTS) == "ext4"
    assert shares.mount_type(Path("/mnt/共享/grassroots.sqlite3"), MOUNTS) == "cifs"
    assert shares.mount_type(Path("/srv/nfs/a/db.sqlite3"), MOUNTS) == "nfs4"
    assert shares.mount_type(Path("/srv/nfs/local/db.sqlite3"), MOUNTS) == "ext4"  # the longest mount point wins
    assert shares.mount_type(Path("/srv/nfsother/db.sqlite3"), MOUNTS) == "ext4"  # not under /srv/nfs
    assert shares.mount_type(Path("/mnt/with space/db.sqlite3"), MOUNTS) == "nfs"


def test_unc_paths_are_shares_and_device_paths_are_not() -> None:
    assert shares.is_unc(r"\\server\share\grassroots.sqlite3") and shares.is_unc("//server/share/db.sqlite3")
    assert not shares.is_unc(r"\\?\C:\data\db.sqlite3") and not shares.is_unc(r"C:\data\db.sqlite3")


def test_a_file_on_a_share_is_refused_and_nothing_is_created(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from grassroots_tui.services.workspace import Workspace

    # This folder as if it were mounted from the NAS (the real table of mounts, with one line changed).
    monkeypatch.setattr(shares, "mounts_text", lambda: MOUNTS.replace("/mnt/共享", str(tmp_path.resolve())))
    monkeypatch.setattr(shares.sys, "platform", "linux")
    target = tmp_path / "grassroots.sqlite3"
    with pytest.raises(DomainError, match="网络共享文件夹上（cifs）.*PostgreSQL"):
        Workspace.open(target)
    assert not target.exists()
    with pytest.raises(DomainError, match="网络共享文件夹上（UNC）"):
        Workspace.open(r"\\nas\居委会\grassroots.sqlite3")


def test_a_local_file_opens(tmp_path: Path) -> None:
    from grassroots_tui.services.workspace import Workspace

    assert shares.network_kind(tmp_path / "x.sqlite3") is None
    Workspace.open(tmp_path / "x.sqlite3").close()

"""Is a database file on a network share? SQLite's WAL needs shared memory that SMB, NFS and the
like do not give, so a file there is refused with a sentence that points to PostgreSQL.

Windows: a UNC path (`\\\\server\\share\\…`) or a drive the system reports as remote (a mapped
network drive). Linux: the mount the file lives on, from /proc/self/mounts. macOS: the file
system type statfs reports.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

NETWORK_TYPES = frozenset({"nfs", "nfs4", "cifs", "smb", "smb2", "smb3", "smbfs", "afpfs", "webdav", "davfs",
                           "fuse.sshfs", "sshfs", "9p", "ncpfs", "fuse.rclone", "afs", "ceph", "glusterfs",
                           "fuse.glusterfs", "lustre", "gpfs"})


def _unescape(field: str) -> str:
    """/proc/mounts writes spaces and tabs as octal escapes (`\\040`)."""
    return field.replace("\\040", " ").replace("\\011", "\t").replace("\\012", "\n").replace("\\134", "\\")


def mount_type(path: Path, mounts_text: str) -> str | None:
    """The file system type of the mount holding `path` (longest matching mount point)."""
    best, kind = "", None
    target = str(path)
    for line in mounts_text.splitlines():
        parts = line.split()
        if len(parts) < 3:
            continue
        point, fstype = _unescape(parts[1]), parts[2]
        prefix = point.rstrip("/") + "/"
        if (target == point or target.startswith(prefix) or point == "/") and len(point) >= len(best):
            best, kind = point, fstype
    return kind


def mounts_text() -> str | None:
    """Linux's table of mounts, or None where it cannot be read."""
    try:
        return Path("/proc/self/mounts").read_text(encoding="utf-8", errors="replace")
    except OSError:
        return None


def is_unc(text: str) -> bool:
    return text.startswith(("\\\\", "//")) and not text.startswith(("\\\\?\\", "\\\\.\\"))


def network_kind(path: Path) -> str | None:
    """"网络共享文件夹" when `path` is on a network share, else None."""
    raw = os.fspath(path)
    if is_unc(raw):
        return "UNC"
    resolved = Path(raw).expanduser()
    try:
        resolved = resolved.resolve()
    except OSError:
        pass
    if sys.platform == "win32":  # pragma: no cover - exercised on Windows only
        import ctypes

        drive = os.path.splitdrive(str(resolved))[0]
        if drive and ctypes.windll.kernel32.GetDriveTypeW(drive + "\\") == 4:  # DRIVE_REMOTE
            return "mapped drive"
        return None
    if sys.platform.startswith("linux"):
        text = mounts_text()
        if text is None:
            return None
        kind = mount_type(resolved if resolved.exists() else resolved.parent, text)
        return kind if kind in NETWORK_TYPES else None
    if sys.platform == "darwin":  # pragma: no cover - exercised on macOS only
        try:
            return _mac_type(resolved)
        except (OSError, AttributeError, ValueError):
            return None
    return None


def _mac_type(path: Path) -> str | None:  # pragma: no cover - macOS only
    import ctypes
    import ctypes.util

    class StatFs(ctypes.Structure):
        _fields_ = [("f_bsize", ctypes.c_uint32), ("f_iosize", ctypes.c_int32), ("f_blocks", ctypes.c_uint64),
                    ("f_bfree", ctypes.c_uint64), ("f_bavail", ctypes.c_uint64), ("f_files", ctypes.c_uint64),
                    ("f_ffree", ctypes.c_uint64), ("f_fsid", ctypes.c_int32 * 2), ("f_owner", ctypes.c_uint32),
                    ("f_type", ctypes.c_uint32), ("f_flags", ctypes.c_uint32), ("f_fssubtype", ctypes.c_uint32),
                    ("f_fstypename", ctypes.c_char * 16), ("f_mntonname", ctypes.c_char * 1024),
                    ("f_mntfromname", ctypes.c_char * 1024), ("f_reserved", ctypes.c_uint32 * 8)]

    libc = ctypes.CDLL(ctypes.util.find_library("c"))
    buf = StatFs()
    probe = path if path.exists() else path.parent
    if libc.statfs64(str(probe).encode(), ctypes.byref(buf)) != 0:
        return None
    kind = buf.f_fstypename.decode(errors="replace")
    return kind if kind in NETWORK_TYPES else None

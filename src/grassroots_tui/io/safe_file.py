"""Writing a file the clerk asked for: never over a database, never half-written at its target.

Every output of the program (exports, papers, calendars, templates, backups) goes through
`check_target` (is this a place we may write to?) and `atomic_write` (write beside the target
under a temporary name, flush to disk, rename into place). A crash, a kill or a full disk
leaves either the old file or the new one at the target, never a zero-byte or partial file;
the temporary file is removed on any failure we live through.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterable, Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

from grassroots_tui.domain.errors import DomainError
from grassroots_tui.domain.errors import os_error_message as _os_error_message

SQLITE_HEADER = b"SQLite format 3\x00"
# SQLite's companions of a database file: writing over one corrupts the database.
SQLITE_COMPANIONS = ("-wal", "-shm", "-journal")
PART_SUFFIX = ".part"


class TargetExists(DomainError):
    """The target is an ordinary existing file: replace it only when the clerk says so."""


def is_sqlite_file(path: Path) -> bool:
    try:
        with open(path, "rb") as fh:
            return fh.read(len(SQLITE_HEADER)) == SQLITE_HEADER
    except OSError:
        return False


def _same(a: Path, b: Path) -> bool:
    try:
        if a.exists() and b.exists():
            return os.path.samefile(a, b)
    except OSError:
        pass
    return os.path.normcase(str(a.resolve(strict=False))) == os.path.normcase(str(b.resolve(strict=False)))


def _database_of(path: Path, protected: Iterable[Path], *, any_sqlite: bool = True) -> Path | None:
    """The database that `path` is, or is a companion file of (-wal, -shm, -journal), if any.

    Only the `protected` ones when not `any_sqlite`."""
    for db in protected:
        db = Path(db)
        for suffix in ("", *SQLITE_COMPANIONS):
            if _same(path, db.with_name(db.name + suffix)):
                return db
    if not any_sqlite:
        return None
    if path.exists() and is_sqlite_file(path):
        return path
    for suffix in SQLITE_COMPANIONS:
        if path.name.endswith(suffix):
            base = path.with_name(path.name[: -len(suffix)])
            if base.exists() and is_sqlite_file(base):
                return base
    return None


def check_target(path: Path | str, *, force: bool = False, protected: Iterable[Path] = (),
                 field: str = "out", sqlite_ok: bool = False) -> Path:
    """`path` as a place the program may write a file to, or a Chinese refusal.

    Refused always: a folder, a missing folder, the open database (`protected`) or any other
    SQLite database, or one of their -wal/-shm/-journal files. An existing ordinary file raises
    `TargetExists` unless `force` (the CLI's --force, a confirmation in the program).
    `sqlite_ok` lets a SQLite file that is not `protected` count as an ordinary file: only for
    the program's own backups (the day's automatic backup replaced by a newer one).
    """
    target = Path(path).expanduser()
    if target.is_dir():
        raise DomainError(f"{target} 是一个文件夹，请给出文件名。", field)
    if not target.parent.is_dir():
        raise DomainError(f"文件夹 {target.parent} 不存在。", field)
    protected = [Path(p) for p in protected]
    db = _database_of(target, protected, any_sqlite=not sqlite_ok)
    if db is not None:
        raise DomainError(f"{target} 是数据库文件（或其附属文件），不能写到它上面，请换一个文件名。", field)
    if target.exists() and not force:
        raise TargetExists(f"文件 {target} 已存在；要替换它请确认（命令行加 --force）。", field)
    return target


def os_error_message(exc: OSError, target: Path) -> str:
    """One Chinese sentence for a failed write (full disk, no permission, …): domain.errors' mapping."""
    return _os_error_message(exc, target)


def fsync_file(path: Path) -> None:
    with open(path, "rb+") as fh:
        os.fsync(fh.fileno())


def fsync_dir(folder: Path) -> None:
    """Make a rename in `folder` durable (POSIX; Windows has no directory handles to flush)."""
    if os.name != "posix":
        return
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def scratch_path(target: Path, label: str = "") -> Path:
    """A new empty file beside `target` (same folder, hidden name, mode 0600) for temporary data.

    The caller removes it; it is named after the target so a leftover from a killed run is
    recognisable and never lies in the system temp folder.
    """
    fd, name = tempfile.mkstemp(prefix=f".{target.name}.{label}", suffix=PART_SUFFIX, dir=target.parent)
    os.close(fd)
    return Path(name)


@contextmanager
def atomic_write(target: Path | str, *, mode: int | None = None) -> Iterator[Path]:
    """Yield a temporary path beside `target`; on success it is fsynced and renamed onto `target`.

    The temporary file starts empty with mode 0600 (it may hold personal data); `mode` sets the
    final file's mode. On any error the temporary file is removed and the target is untouched;
    an OSError becomes a DomainError with one Chinese sentence.
    """
    target = Path(target)
    try:
        tmp = scratch_path(target)
    except OSError as exc:
        raise DomainError(os_error_message(exc, target), "out") from None
    try:
        yield tmp
        if mode is not None:
            os.chmod(tmp, mode)
        fsync_file(tmp)
        os.replace(tmp, target)
        fsync_dir(target.parent)
    except OSError as exc:
        with suppress(OSError):
            tmp.unlink()
        raise DomainError(os_error_message(exc, target), "out") from None
    except BaseException:
        with suppress(OSError):
            tmp.unlink()
        raise


def write_bytes(target: Path | str, data: bytes, *, mode: int | None = None) -> Path:
    with atomic_write(target, mode=mode) as tmp:
        tmp.write_bytes(data)
    return Path(target)


def write_text(target: Path | str, text: str, *, encoding: str = "utf-8", mode: int | None = None) -> Path:
    return write_bytes(target, text.encode(encoding), mode=mode)


__all__ = ["SQLITE_HEADER", "TargetExists", "atomic_write", "check_target", "fsync_dir", "fsync_file",
           "is_sqlite_file", "os_error_message", "scratch_path", "write_bytes", "write_text"]

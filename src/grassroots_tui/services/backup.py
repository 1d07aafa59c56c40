"""Safekeeping: online backups, the automatic backup on close, checked restores, checks.

Backups use SQLite's online backup API: a consistent snapshot even while the program (or
another clerk's program) is writing. A backup is a single self-contained file (rollback
journal mode, no -wal beside it) and is checked before it is kept.

Settings (`[backup]` in settings.toml; all optional):
    folder = "D:/jwh/backups"   # default: a `backups` folder next to the database
    keep_days = 14              # automatic backups: keep the newest N days (one file a day)
    auto = true                 # back up automatically when the program closes
"""

from __future__ import annotations

import os
import re
import sqlite3
import tempfile
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from grassroots_tui.domain.errors import DomainError

BUSY_TIMEOUT_MS = 10000
REQUIRED_TABLES = ("alembic_version", "concern", "concern_event", "resident", "clerk")
_AUTO = re.compile(r"\.auto-(\d{8})\.sqlite3$")


@dataclass(frozen=True)
class BackupSettings:
    folder: Path | None = None
    keep_days: int = 14
    auto: bool = True

    @classmethod
    def from_mapping(cls, data: dict[str, Any]) -> "BackupSettings":
        folder = data.get("folder")
        keep = int(data.get("keep_days", 14))
        if keep < 1:
            raise DomainError("settings.toml 中 backup.keep_days 至少为 1。", "keep_days")
        return cls(Path(folder).expanduser() if folder else None, keep, bool(data.get("auto", True)))


def backup_settings(settings=None) -> BackupSettings:  # noqa: ANN001
    from grassroots_tui.config import Settings

    st = settings or Settings()
    return BackupSettings.from_mapping(st.general.get("backup", {}) or {})


def backups_dir(db_path: Path, bs: BackupSettings | None = None) -> Path:
    bs = bs or backup_settings()
    return bs.folder or Path(db_path).parent / "backups"


# ------------------------------------------------------------------ copying

def _connect(path: Path) -> sqlite3.Connection:
    con = sqlite3.connect(path, timeout=BUSY_TIMEOUT_MS / 1000)
    con.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
    return con


def backups_folder_ready(folder: Path) -> Path:
    """`folder`, created 0700 (POSIX) when it is missing: backups hold every resident's data."""
    folder = Path(folder)
    if not folder.is_dir():
        try:
            folder.mkdir(mode=0o700, parents=True, exist_ok=True)
            if os.name == "posix":
                os.chmod(folder, 0o700)  # mkdir's mode is reduced by the umask
        except OSError as exc:
            raise DomainError(f"无法创建备份文件夹 {folder}：{exc.strerror or '系统错误'}。", "out") from None
    return folder


def online_copy(src_path: Path, dst_path: Path, *, check: str = "quick_check") -> Path:
    """Copy a live database to `dst_path`: single-file, checked, 0600, fsynced, then renamed in.

    The copy is made under a temporary name beside `dst_path` (`safe_file.atomic_write`): a
    crash or a full disk leaves the previous file at `dst_path` (or none), never half a backup.
    The caller has checked `dst_path` (`safe_file.check_target`).
    """
    from grassroots_tui.io.safe_file import atomic_write

    src_path, dst_path = Path(src_path), Path(dst_path)
    backups_folder_ready(dst_path.parent)
    with atomic_write(dst_path, mode=0o600) as tmp:
        src = _connect(src_path)
        dst = sqlite3.connect(tmp)
        try:
            src.backup(dst)  # all pages in one step: one consistent snapshot
            dst.execute("PRAGMA journal_mode=DELETE")
            problems = [r[0] for r in dst.execute(f"PRAGMA {check}")]
        except sqlite3.OperationalError as exc:
            # SQLITE_FULL on a full disk; SQLITE_IOERR_WRITE when a write fails (a quota, EFBIG).
            name = getattr(exc, "sqlite_errorname", "")
            failed_write = name == "SQLITE_FULL" or name.startswith(("SQLITE_IOERR_WRITE", "SQLITE_IOERR_FSYNC",
                                                                     "SQLITE_IOERR_TRUNCATE"))
            raise DomainError(f"磁盘空间不足或无法写入，未能写入备份 {dst_path}；原有文件保持不变。" if failed_write
                              else f"未能备份到 {dst_path}：数据库正被占用或无法读取，请稍后重试。", "out") from None
        finally:
            dst.close()
            src.close()
        if problems != ["ok"]:
            raise DomainError(f"备份文件未通过检查：{'；'.join(problems[:3])}。数据库可能已损坏，请运行 grassroots check。",
                              "backup")
    return dst_path


def _stamp(now: datetime | None = None) -> str:
    """A file name's time, in the committee's time zone (not the machine's), like every time the clerk sees."""
    if now is None:
        from grassroots_tui.config import Settings

        now = datetime.now(Settings().tz)
    return now.strftime("%Y%m%d-%H%M%S")


SERVER_BACKUP = ("这是 PostgreSQL 服务器上的数据库：请用服务器的工具备份和恢复"
                 "（pg_dump -Fc 备份，pg_restore 恢复到空数据库），或请管理员按服务器的备份方案处理。")


def refuse_server(target: Path | str) -> None:
    """backup, restore and check work on a SQLite file; on a server they say which tool to use."""
    from grassroots_tui.config import is_server_url

    if is_server_url(target):
        raise DomainError(SERVER_BACKUP, "db")


def backup_database(db_path: Path | str, out: Path | str | None = None, *, now: datetime | None = None,
                    force: bool = False) -> Path:
    """`grassroots backup`: a checked copy, by default `backups/NAME-DATE-TIME.sqlite3`.

    `out` may not be the database, its -wal/-shm/-journal nor any other SQLite file; an
    existing ordinary file is replaced only with `force`. Checked before any copying.
    """
    refuse_server(db_path)
    from grassroots_tui.io.safe_file import check_target

    db_path = Path(db_path)
    if not db_path.is_file():
        raise DomainError(f"找不到数据库 {db_path}。", "db")
    name = f"{db_path.stem}-{_stamp(now)}.sqlite3"
    if out:
        target = Path(out).expanduser()
        if target.is_dir():
            target = target / name
    else:
        target = backups_folder_ready(backups_dir(db_path)) / name
    return online_copy(db_path, check_target(target, force=force, protected=[db_path]))


def auto_backup(ws) -> Path | None:  # noqa: ANN001
    """The backup taken when the program closes: one file a day, the newest `keep_days` days kept.

    Returns the file written, or None when automatic backups are switched off or the backup
    failed (closing the program must never fail because of it; `grassroots check` tells why).
    """
    if ws.path is None:
        return None  # a database server is backed up on the server (pg_dump); this copy is SQLite's
    try:
        bs = backup_settings(ws.settings)
    except DomainError:
        bs = BackupSettings()
    if not bs.auto:
        return None
    from grassroots_tui.io.safe_file import check_target

    db_path = Path(ws.path)
    folder = backups_dir(db_path, bs)
    target = folder / f"{db_path.stem}.auto-{ws.now():%Y%m%d}.sqlite3"
    try:
        # The day's earlier automatic backup is replaced; the database itself never is.
        backups_folder_ready(folder)
        online_copy(db_path, check_target(target, force=True, protected=[db_path], sqlite_ok=True))
        rotate(folder, db_path.stem, bs.keep_days)
    except (OSError, sqlite3.Error, DomainError):
        return None
    return target


def rotate(folder: Path, stem: str, keep_days: int) -> list[Path]:
    """Delete automatic backups beyond the newest `keep_days` days; returns what was deleted."""
    autos = sorted(((m.group(1), p) for p in folder.glob(f"{stem}.auto-*.sqlite3")
                    if (m := _AUTO.search(p.name))), reverse=True)
    doomed = [p for _, p in autos[keep_days:]]
    for p in doomed:
        p.unlink(missing_ok=True)
    return doomed


# ------------------------------------------------------------------ checking

@dataclass
class CheckReport:
    path: Path
    integrity: list[str] = field(default_factory=list)
    foreign_keys: list[tuple] = field(default_factory=list)
    revision: str | None = None
    known_revision: bool = True
    concerns: int = 0
    events: int = 0
    residents: int = 0
    missing_tables: list[str] = field(default_factory=list)
    # "file" or "folder" when the database cannot be written there (read-only file, folder or
    # disk): checked all the same, read-only is not damage.
    read_only: str | None = None
    # Read-only with a -wal file beside it that SQLite could not open: its last commits were not checked.
    wal_unread: bool = False

    @property
    def ok(self) -> bool:
        return self.integrity == ["ok"] and not self.foreign_keys and not self.missing_tables and self.known_revision

    def lines(self) -> list[str]:
        out = [f"数据库：{self.path}"]
        if self.read_only:
            where = "数据库文件" if self.read_only == "file" else "数据库所在的文件夹（或磁盘）"
            out.append(f"只读：{where}不能写入，本程序只能查看、不能保存；这不是文件损坏，请检查文件和文件夹的权限。")
        if self.wal_unread:
            out.append("注意：旁边的 -wal 文件（最近的保存）因只读未能读取，检查的是并入它之前的内容。")
        if self.missing_tables:
            out.append(f"不是本程序的数据库：缺少数据表 {'、'.join(self.missing_tables)}")
            return out
        out.append(f"版本：{self.revision or '未知'}" + ("" if self.known_revision else "（由更新版本的程序创建）"))
        out.append(f"诉求 {self.concerns} 件，流转记录 {self.events} 条，居民 {self.residents} 人")
        if self.integrity == ["ok"]:
            out.append("完整性检查：通过")
        else:
            out.append(f"完整性检查：发现 {len(self.integrity)} 处问题")
            out += [f"  {line}" for line in self.integrity[:20]]
        if not self.foreign_keys:
            out.append("外键检查：通过")
        else:
            out.append(f"外键检查：{len(self.foreign_keys)} 行引用了不存在的记录")
            out += [f"  表 {t} 第 {rowid} 行 -> {parent}" for t, rowid, parent, _fk in self.foreign_keys[:20]]
        out.append("结论：正常" if self.ok else "结论：有问题。请用 grassroots restore 从最近的备份恢复，或联系技术人员。")
        return out


def known_revisions() -> set[str]:
    from alembic.script import ScriptDirectory

    from grassroots_tui.store.migrate import alembic_config

    return {rev.revision for rev in ScriptDirectory.from_config(alembic_config(None)).walk_revisions()}


def _inspect(con: sqlite3.Connection, path: Path, full: bool = True, raise_unreadable: bool = False) -> CheckReport:
    """The checks on an open connection; `raise_unreadable`: a read-only refusal is raised, not called damage."""
    from grassroots_tui.store.engine import storage_failure

    rep = CheckReport(Path(path))
    con.text_factory = lambda raw: raw.decode("utf-8", "replace")  # a damaged file may hold any bytes
    try:
        rep.integrity = [r[0] for r in con.execute("PRAGMA integrity_check" if full else "PRAGMA quick_check")]
    except sqlite3.OperationalError as exc:
        if raise_unreadable and storage_failure(exc) in ("readonly", "unopenable"):
            raise
        rep.integrity = [f"文件已损坏（{type(exc).__name__}）"]
        return rep
    except (sqlite3.DatabaseError, UnicodeDecodeError) as exc:  # damage can reach the error text itself
        rep.integrity = [f"文件已损坏（{type(exc).__name__}）"]
        return rep
    tables = {r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    rep.missing_tables = [t for t in REQUIRED_TABLES if t not in tables]
    if rep.missing_tables:
        return rep
    rep.foreign_keys = [tuple(r) for r in con.execute("PRAGMA foreign_key_check")]
    rep.revision = (con.execute("SELECT version_num FROM alembic_version").fetchone() or [None])[0]
    rep.known_revision = rep.revision in known_revisions()
    rep.concerns = con.execute("SELECT count(*) FROM concern").fetchone()[0]
    rep.events = con.execute("SELECT count(*) FROM concern_event").fetchone()[0]
    rep.residents = con.execute("SELECT count(*) FROM resident").fetchone()[0]
    return rep


def _read_only(db_path: Path) -> str | None:
    """"file" or "folder" when the system refuses writing there (as root, only what the system still refuses)."""
    if not os.access(db_path, os.W_OK):
        return "file"
    if not os.access(db_path.parent, os.W_OK):
        return "folder"
    return None


def _connect_read_only(db_path: Path) -> sqlite3.Connection:
    """Open for reading where SQLite may create nothing (no -shm): `immutable=1`, no locks taken."""
    from urllib.parse import quote

    return sqlite3.connect(f"file:{quote(db_path.resolve().as_posix())}?mode=ro&immutable=1", uri=True)


def check_database(db_path: Path | str) -> CheckReport:
    """`grassroots check`: integrity check, foreign key check, revision and counts.

    A database the program may not write (read-only file, folder or disk) is checked read-only
    and reported as such: SQLite's "attempt to write a readonly database" on opening a WAL file
    is about permissions, not damage.
    """
    refuse_server(db_path)
    from grassroots_tui.store.engine import storage_failure

    db_path = Path(db_path)
    if not db_path.is_file():
        raise DomainError(f"找不到数据库 {db_path}。", "db")
    read_only = _read_only(db_path)
    try:
        con = _connect(db_path)
    except sqlite3.Error as exc:
        if storage_failure(exc) not in ("readonly", "unopenable"):
            raise
        con, read_only = _connect_read_only(db_path), read_only or "folder"
    try:
        try:
            rep = _inspect(con, db_path, raise_unreadable=True)
        except sqlite3.OperationalError as exc:
            if storage_failure(exc) not in ("readonly", "unopenable"):
                raise
            con.close()
            con, read_only = _connect_read_only(db_path), read_only or "folder"
            rep = _inspect(con, db_path)
            wal = db_path.with_name(db_path.name + "-wal")
            rep.wal_unread = wal.is_file() and wal.stat().st_size > 0
        rep.read_only = read_only
        return rep
    finally:
        con.close()


# ------------------------------------------------------------------ restoring

@dataclass(frozen=True)
class RestoreResult:
    db_path: Path
    aside: Path | None  # the database as it was before, kept
    revision: str | None
    concerns: int


def _match_page_size(path: Path, page_size: int) -> None:
    """Rewrite the database at `path` (not in use) with `page_size`-byte pages if it has others."""
    con = sqlite3.connect(path, isolation_level=None)
    try:
        if con.execute("PRAGMA page_size").fetchone()[0] != page_size:
            con.execute("PRAGMA journal_mode=DELETE")  # VACUUM keeps the page size of a WAL file
            con.execute(f"PRAGMA page_size={int(page_size)}")
            con.execute("VACUUM")
    finally:
        con.close()


def restore_database(db_path: Path | str, file: Path | str, *, now: datetime | None = None) -> RestoreResult:
    """Check `file`, keep the current database aside, then copy the backup in (online, page by page).

    Nothing is replaced unless the backup passes: it must be a SQLite file that passes the
    integrity and foreign key checks, with this program's tables and a revision this version
    knows. A backup of an older revision is upgraded the next time the database is opened.
    """
    refuse_server(db_path)
    db_path, file = Path(db_path), Path(file).expanduser()
    if not file.is_file():
        raise DomainError(f"找不到备份文件 {file}。", "file")
    if db_path.exists() and file.resolve() == db_path.resolve():
        raise DomainError("备份文件就是当前数据库，无需恢复。", "file")
    db_path.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=db_path.parent, prefix=".restore-") as tmpdir:
        staged = Path(tmpdir) / "staged.sqlite3"
        try:
            src = _connect(file)
            dst = sqlite3.connect(staged)
            try:
                src.backup(dst)
            finally:
                dst.close()
                src.close()
            con = sqlite3.connect(staged)
            try:
                rep = _inspect(con, file)
            finally:
                con.close()
        except sqlite3.DatabaseError as exc:
            raise DomainError(f"{file} 不是可用的数据库文件（{exc}），未做任何改动。", "file") from None
        if rep.missing_tables:
            raise DomainError(f"{file} 不是本程序的数据库（缺少 {'、'.join(rep.missing_tables)}），未做任何改动。", "file")
        if rep.integrity != ["ok"]:
            raise DomainError(f"{file} 未通过完整性检查（{rep.integrity[0]}），未做任何改动。", "file")
        if rep.foreign_keys:
            raise DomainError(f"{file} 有 {len(rep.foreign_keys)} 行引用了不存在的记录，未做任何改动。", "file")
        if not rep.known_revision:
            raise DomainError(f"{file} 由更新版本的程序创建（版本 {rep.revision}），请升级程序后再恢复。未做任何改动。",
                              "file")
        aside = None
        if db_path.is_file() and db_path.stat().st_size > 0:
            aside = online_copy(db_path, db_path.with_name(f"{db_path.stem}.before-restore-{_stamp(now)}.sqlite3"))
        dst = _connect(db_path)
        try:
            # SQLite's backup API cannot change the page size of a WAL-mode destination ("attempt
            # to write a readonly database"): give the staged copy the live database's page size.
            _match_page_size(staged, dst.execute("PRAGMA page_size").fetchone()[0])
            src = sqlite3.connect(staged)
            try:
                src.backup(dst)  # one transaction on the destination: readers see old or new, never half
            finally:
                src.close()
        except sqlite3.Error:
            raise DomainError("未能恢复：数据库正被占用或无法写入，当前数据库未改动。请关闭其他正在使用数据库的程序后重试。",
                              "file") from None
        finally:
            dst.close()
    return RestoreResult(db_path, aside, rep.revision, rep.concerns)


__all__ = ["BackupSettings", "CheckReport", "RestoreResult", "auto_backup", "backup_database", "backup_settings",
           "backups_dir", "check_database", "known_revisions", "online_copy", "restore_database", "rotate"]

"""Safekeeping of a PostgreSQL database with the server's own tools (`grassroots backup|restore`).

`backup` runs `pg_dump -Fc` (custom format, compressed) into a file written beside its target and
renamed into place, then checks it with `pg_restore --list`; `restore` loads a dump into an EMPTY
database with `pg_restore`, in one transaction, and refuses a database that holds anything — the
same refusal as `db copy`. The password comes from libpq's usual places (PGPASSWORD, pgpass).
Where the tools are not installed, the clerk is told which ones to install.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from grassroots_tui.domain.errors import DomainError

TOOLS_MISSING = ("找不到 PostgreSQL 的 {tool} 程序：请安装与服务器版本相同的 PostgreSQL 客户端工具"
                 "（Debian/Ubuntu 的 postgresql-client，Windows 的 PostgreSQL 安装包），或请管理员在服务器上备份。")


@dataclass(frozen=True)
class ServerRestore:
    target: str
    revision: str | None
    concerns: int


def _tool(name: str) -> str:
    found = shutil.which(name)
    if found:
        return found
    for candidate in sorted(Path("/usr/lib/postgresql").glob(f"*/bin/{name}"), reverse=True):
        return str(candidate)
    raise DomainError(TOOLS_MISSING.format(tool=name), "db")


def libpq_uri(url: str) -> str:
    """`postgresql://user@host:port/db` for libpq's tools, from our SQLAlchemy URL."""
    return url.replace("postgresql+psycopg://", "postgresql://", 1)


def _run(args: list[str], what: str) -> subprocess.CompletedProcess:
    try:
        done = subprocess.run(args, capture_output=True, text=True, timeout=3600, check=False,
                              env={**os.environ, "PGCONNECT_TIMEOUT": "10"})
    except OSError as exc:
        raise DomainError(f"无法运行 {Path(args[0]).name}：{exc.strerror or exc}。", "db") from None
    if done.returncode != 0:
        first = (done.stderr or done.stdout).strip().splitlines()[:1]
        detail = first[0][:200] if first else f"退出码 {done.returncode}"
        raise DomainError(f"{what}没有完成（{Path(args[0]).name}：{detail}），未做任何改动。", "db")
    return done


def dump(url: str, out: Path | str | None, *, now: datetime, force: bool = False) -> Path:
    """A checked custom-format dump of the database at `url`; returns the file written."""
    from grassroots_tui.io.safe_file import atomic_write, check_target

    pg_dump, pg_restore = _tool("pg_dump"), _tool("pg_restore")
    name = f"{libpq_uri(url).rsplit('/', 1)[-1]}-{now:%Y%m%d-%H%M%S}.dump"
    target = Path(out).expanduser() if out else Path.cwd() / name
    if target.is_dir():
        target = target / name
    target = check_target(target, force=force)
    with atomic_write(target) as part:
        _run([pg_dump, "--format=custom", "--no-owner", "--file", str(part), "--dbname", libpq_uri(url)], "备份")
        _run([pg_restore, "--list", str(part)], "检查备份文件")
    return target


def restore(url: str, file: Path | str) -> ServerRestore:
    """Load the dump `file` into the empty database at `url`, all or nothing."""
    import sqlalchemy as sa

    from grassroots_tui.store import migrate
    from grassroots_tui.store.engine import make_server_engine

    pg_restore = _tool("pg_restore")
    path = Path(file).expanduser()
    if not path.is_file():
        raise DomainError(f"找不到备份文件 {path}。", "file")
    _run([pg_restore, "--list", str(path)], "检查备份文件")  # a file pg_restore cannot read is refused first
    engine = make_server_engine(url)
    try:
        names = [n for n in sa.inspect(engine).get_table_names()]
        if names:
            raise DomainError(f"目标数据库不是空的（已有表 {'、'.join(sorted(names)[:5])}），为防止覆盖数据，未做任何改动；"
                              "请恢复到一个新建的空数据库。", "db")
        _run([pg_restore, "--no-owner", "--single-transaction", "--exit-on-error", "--dbname", libpq_uri(url),
              str(path)], "恢复")
        revision = migrate.current_revision(engine)
        if revision is None:
            raise DomainError("恢复的内容不是本程序的数据库（没有版本记录）；请检查备份文件。", "file")
        with engine.connect() as conn:
            concerns = int(conn.execute(sa.text("SELECT count(*) FROM concern")).scalar() or 0)
        return ServerRestore(libpq_uri(url), revision, concerns)
    finally:
        engine.dispose()

"""An open database with the committee's rules and a clock: what every service needs."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta, timezone
from pathlib import Path

from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError
from sqlmodel import Session, select

from grassroots_tui.config import Settings
from grassroots_tui.domain.errors import DomainError
from grassroots_tui.domain.pinyin import initials
from grassroots_tui.domain.validation import normalise_phone
from grassroots_tui.services.errors import storage_error
from grassroots_tui.store import migrate
from grassroots_tui.store.engine import make_engine, writer
from grassroots_tui.store.models import Category, Clerk, Grid, Setting, Unit
from grassroots_tui.store.search_index import index_queued
from grassroots_tui.store.shares import network_kind


class Workspace:
    def __init__(self, path: Path | None, engine: Engine, settings: Settings,
                 clock: Callable[[], datetime] | None = None, url: str | None = None) -> None:
        self.path = path  # the SQLite file, or None on a database server
        self.url = url  # the server's address (no password), or None for a file
        self.engine = engine
        self.writer_engine = writer(engine)
        self.settings = settings
        self._clock = clock
        self.backup_path: Path | None = None
        self._server_offset = timedelta(0)  # the database server's clock minus this PC's

    @classmethod
    def open(cls, path: Path | str, *, settings: Settings | None = None,
             clock: Callable[[], datetime] | None = None) -> "Workspace":
        """Open (creating or upgrading, after a backup) the database at `path`, or on the server at
        a `postgresql+psycopg://` address (config.resolve_db_path).

        A file that is not a grassroots database is refused before anything touches it.
        """
        from grassroots_tui.config import is_server_url

        if is_server_url(path):
            return cls._open_server(str(path), settings or Settings(), clock)
        path = Path(path)
        share = network_kind(path)
        if share is not None:
            raise DomainError(f"数据库文件 {path} 在网络共享文件夹上（{share}）：多台电脑共用一个数据库文件会损坏数据，"
                              "未打开它。请把文件放在本机，或改用 PostgreSQL 数据库（--db postgresql://…）。", "db")
        try:
            migrate.check_file(path)
        except migrate.ForeignFile as exc:
            raise DomainError(_foreign_message(path, exc), "db") from None
        except migrate.UnknownRevision as exc:
            raise DomainError(_newer_message(path, exc), "db") from None
        settings = settings or Settings()
        engine = make_engine(path, settings.busy_timeout_ms)
        with _opening(engine, str(path)):
            now = (clock() if clock is not None else datetime.now(settings.tz)).astimezone(settings.tz)
            backup = migrate.upgrade(engine, path, now=now)  # the backup is named in the committee's time
            ws = cls(path, engine, settings, clock)
            ws.backup_path = backup
            seed_reference_data(ws)
        return ws

    @classmethod
    def _open_server(cls, url: str, settings: Settings, clock: Callable[[], datetime] | None) -> "Workspace":
        from grassroots_tui.store.engine import make_server_engine

        engine = make_server_engine(url, settings.busy_timeout_ms)
        with _opening(engine, _shown(url)):
            try:
                migrate.upgrade_server(engine)
            except migrate.ForeignFile as exc:
                raise DomainError(f"数据库 {_shown(url)} 里已有其他程序的表（{'、'.join(exc.tables[:5])}），"
                                  "不是本程序的数据库，未做任何改动；请换一个空的数据库。", "db") from None
            ws = cls(None, engine, settings, clock, url=url)
            ws._server_offset = _server_offset(engine)
            seed_reference_data(ws)
        return ws

    @property
    def location(self) -> str:
        """Where the data is, for the clerk: the file, or the server's address."""
        return str(self.path) if self.path is not None else _shown(self.url or "")

    @property
    def protected_paths(self) -> list[Path]:
        """Files no export may overwrite: the SQLite file (and its -wal/-shm, see safe_file)."""
        return [self.path] if self.path is not None else []

    @property
    def is_server(self) -> bool:
        return self.path is None

    def now(self) -> datetime:
        """The committee's now: the injected clock, else this PC's clock — on a database server
        corrected to the server's, so several PCs whose clocks differ record one timeline."""
        if self._clock is not None:
            return self._clock().astimezone(self.tz)
        return datetime.now(self.tz) + self._server_offset

    @property
    def tz(self):  # noqa: ANN201
        return self.settings.tz

    def local(self, value: datetime | None) -> datetime | None:
        return value.astimezone(self.tz) if value is not None else None

    def read(self) -> Session:
        return Session(self.engine, expire_on_commit=False)

    @contextmanager
    def write(self) -> Iterator[Session]:
        """One transaction, begun IMMEDIATE: all of an action or none of it.

        A busy database (another clerk's transaction outlasting the busy timeout), a full
        disk or an I/O error rolls the transaction back and raises StorageUnavailable, whose
        message is one Chinese sentence. Before the commit, the search text of the concerns the
        transaction changed is rewritten (store/search_index.py), so searching never writes.
        """
        try:
            with Session(self.writer_engine, expire_on_commit=False) as session:
                with session.begin():
                    yield session
                    session.flush()  # pending rows fire their triggers before the index is written
                    index_queued(session.connection())
        except DBAPIError as exc:
            translated = storage_error(exc)
            if translated is None:
                raise
            raise translated from exc

    def get_setting(self, key: str, default: str = "") -> str:
        with self.read() as s:
            row = s.get(Setting, key)
            return row.value if row else default

    def set_setting(self, key: str, value: str) -> None:
        with self.write() as s:
            row = s.get(Setting, key)
            if row:
                row.value = value
            else:
                s.add(Setting(key=key, value=value))

    def revision(self) -> str | None:
        """The database's schema version (the Alembic revision)."""
        return migrate.current_revision(self.engine)

    def close(self) -> None:
        self.engine.dispose()


@contextmanager
def _opening(engine: Engine, shown: str) -> Iterator[None]:
    """Opening a database: on any failure the engine is closed, and the reason is one sentence."""
    try:
        yield
    except migrate.UnknownRevision as exc:
        engine.dispose()
        raise DomainError(_newer_message(shown, exc), "db") from None
    except DBAPIError as exc:
        engine.dispose()
        translated = storage_error(exc)
        if translated is None:
            raise
        raise translated from exc
    except BaseException:
        engine.dispose()
        raise


def _server_offset(engine: Engine) -> timedelta:
    """How far the server's clock is ahead of this PC's (measured once, at the middle of the query)."""
    from sqlalchemy import text

    before = datetime.now(timezone.utc)
    with engine.connect() as conn:
        server = conn.execute(text("SELECT clock_timestamp()")).scalar()
    after = datetime.now(timezone.utc)
    if not isinstance(server, datetime) or server.tzinfo is None:
        return timedelta(0)
    return server - (before + (after - before) / 2)


def _shown(url: str) -> str:
    """`postgresql://clerk@server:5432/grassroots`: the address as the clerk typed it."""
    return url.replace("postgresql+psycopg://", "postgresql://", 1)


def _newer_message(path: Path | str, exc: migrate.UnknownRevision) -> str:
    return f"数据库 {path} 由更新版本的程序创建（版本 {exc}），请升级程序后再打开。"


def _foreign_message(path: Path, exc: migrate.ForeignFile) -> str:
    if exc.reason == "directory":
        return f"{path} 是文件夹，不是数据库文件；请指定一个文件。"
    if exc.reason == "foreign":
        # Another program's table names are data: no control characters reach the terminal.
        names = ["".join(c if c.isprintable() else f"\\x{ord(c):02x}" for c in n[:30]) for n in exc.tables[:5]]
        shown = "、".join(names) + ("等" if len(exc.tables) > 5 else "")
        return f"{path} 是另一个程序的数据库（其中有表 {shown}），不是本程序的数据库，未做任何改动；请换一个文件名。"
    if exc.reason == "unreadable":
        return f"{path} 无法作为本程序的数据库读取（文件可能已损坏），未做任何改动；请从备份恢复或换一个文件名。"
    return f"{path} 不是数据库文件（可能是表格或文本文件），未做任何改动；请换一个文件名。"


def unit_contact(unit: dict) -> str:
    """The phone of a unit in units.toml (`contact`): a unit may give a 400/800 or short service number."""
    text = str(unit.get("contact") or "")
    if not text.strip():
        return ""
    try:
        return normalise_phone(text, "contact", allow_service=True)
    except DomainError as exc:
        raise DomainError(f"units.toml 中“{unit.get('name', '')}”的联系电话有误：{exc.message}", "contact") from None


def seed_reference_data(ws: Workspace) -> None:
    """Insert default units, grids, categories and a clerk that the database lacks.

    Existing rows are left as the committee edited them.
    """
    st = ws.settings
    if ws.get_setting("seeded"):
        return
    with ws.write() as s:
        if s.exec(select(Setting).where(Setting.key == "seeded")).first():
            return
        have_units = set(s.exec(select(Unit.code)).all())
        for u in st.units:
            if u["code"] not in have_units:
                s.add(Unit(code=u["code"], name=u["name"], kind=u.get("kind", "committee"), contact=unit_contact(u)))
        have_grids = set(s.exec(select(Grid.code)).all())
        for g in st.grids:
            if g["code"] not in have_grids:
                s.add(Grid(code=g["code"], name=g["name"]))
        s.flush()
        have_cats = set(s.exec(select(Category.code)).all())
        for c in st.categories:  # parents come first in the file
            if c["code"] not in have_cats:
                s.add(Category(code=c["code"], name=c["name"], parent_code=c.get("parent"),
                               urgency=c.get("urgency"), unit_code=c.get("unit"),
                               initials=initials(c["name"])))
                s.flush()
        if not s.exec(select(Clerk)).first():
            s.add(Clerk(name=st.default_clerk, role="值班"))
        s.add(Setting(key="seeded", value="1"))

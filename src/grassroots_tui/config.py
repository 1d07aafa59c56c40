"""Where things live and the committee's editable rules.

Defaults ship as TOML files in the package's `data/` folder. A file of the same
name in the user's config folder (`grassroots paths` shows it) replaces the
default, so a committee can follow local practice without touching the code.
"""

from __future__ import annotations

import os
import re
import tomllib
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import platformdirs

from grassroots_tui.domain.calendar import WorkCalendar
from grassroots_tui.domain.deadlines import SlaRules
from grassroots_tui.domain.errors import DomainError, os_error_message

APP_NAME = "grassroots"
APP_AUTHOR = "grassroots"


def packaged_data_dir() -> Path:
    """The defaults: inside the installed package, or `data/` of a source checkout."""
    here = Path(__file__).resolve().parent
    for candidate in (here / "data", here.parents[1] / "data"):
        if (candidate / "categories.toml").is_file():
            return candidate
    raise FileNotFoundError("grassroots data files not found (categories.toml)")


def user_config_dir() -> Path:
    env = os.environ.get("GRASSROOTS_CONFIG_DIR")
    return Path(env) if env else Path(platformdirs.user_config_dir(APP_NAME, APP_AUTHOR))


def user_data_dir() -> Path:
    env = os.environ.get("GRASSROOTS_DATA_DIR")
    return Path(env) if env else Path(platformdirs.user_data_dir(APP_NAME, APP_AUTHOR))


LOG_DIR_ENV = "GRASSROOTS_LOG_DIR"


def user_log_dir() -> Path:
    """Where the error log is kept: GRASSROOTS_LOG_DIR, else the platform's user log folder."""
    env = os.environ.get(LOG_DIR_ENV)
    return Path(env) if env else Path(platformdirs.user_log_dir(APP_NAME, APP_AUTHOR))


def default_db_path() -> Path:
    return user_data_dir() / "grassroots.sqlite3"


def demo_db_path() -> Path:
    return user_data_dir() / "demo.sqlite3"


def resolve_db_path(explicit: str | os.PathLike[str] | None) -> Path | str:
    """`--db PATH` or `--db postgresql://…`, else `GRASSROOTS_DB`, else the user data folder.

    A database address (`scheme://…`) is never taken for a file name. PostgreSQL addresses are
    returned as a SQLAlchemy URL for psycopg 3 (`postgresql+psycopg://user@host:port/db`); the
    password comes from libpq's usual places (PGPASSWORD, the pgpass file), never from the
    address, which may end up in a shell history or a settings file.
    """
    raw = os.fspath(explicit) if explicit else os.environ.get("GRASSROOTS_DB", "")
    if not raw:
        return default_db_path()
    scheme = database_url_scheme(raw)
    if scheme is None:
        return Path(raw).expanduser()
    from grassroots_tui.domain.errors import DomainError

    if scheme.startswith("sqlite"):
        raise DomainError(f"请直接写数据库文件的路径，而不是“{scheme}://”地址。", "db")
    if scheme not in ("postgresql", "postgres", "postgresql+psycopg"):
        raise DomainError(f"不认识的数据库地址“{scheme}://…”：请写数据库文件的路径，"
                          "或 postgresql://用户名@服务器/数据库名。", "db")
    rest = raw.strip()[len(scheme) + 1:].lstrip("/")  # `scheme:/x` as Path() leaves it, or `scheme://x`
    from sqlalchemy.engine import make_url

    try:
        url = make_url(f"postgresql+psycopg://{rest}")
    except Exception:  # noqa: BLE001 - any malformed address gets the same sentence
        raise DomainError("PostgreSQL 地址格式不对，应为 postgresql://用户名@服务器:端口/数据库名。", "db") from None
    if url.password:
        raise DomainError("地址里不要写密码：请用 PGPASSWORD 环境变量或 pgpass 文件提供密码。", "db")
    if not url.database:
        raise DomainError("PostgreSQL 地址缺少数据库名，应为 postgresql://用户名@服务器/数据库名。", "db")
    return url.render_as_string(hide_password=False)


def is_server_url(target: Path | str) -> bool:
    return isinstance(target, str) and target.startswith("postgresql+psycopg://")


def database_url_scheme(text: str) -> str | None:
    """`postgresql+psycopg` of `postgresql+psycopg://host/db`; None for a path (`C:\\…` included)."""
    import re

    # `scheme:/` too: a command-line option typed as a path has had its `//` collapsed. One letter
    # before the colon is a Windows drive.
    match = re.match(r"^([A-Za-z][A-Za-z0-9+.-]+):/", text.strip())
    return match.group(1).lower() if match else None


def config_file(name: str) -> Path:
    """The file `name` is read from: the user's config folder if it has one, else the default."""
    override = user_config_dir() / name
    return override if override.is_file() else packaged_data_dir() / name


def load_toml(name: str) -> dict[str, Any]:
    """The data of `name`, or one Chinese sentence naming the file, the line and the key that is wrong."""
    path = config_file(name)
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except OSError as exc:
        raise DomainError(os_error_message(exc, path, writing=False), "config") from None
    except UnicodeDecodeError:
        raise DomainError(f"配置文件 {path} 不是 UTF-8 编码的文本，请用记事本“另存为 UTF-8”后再试。", "config") from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise DomainError(toml_error_message(path, text, exc), "config") from None
    if path.parent != packaged_data_dir():
        _check_types(path, text, data, _default_types(name))
    return data


# tomllib's words -> what the clerk reads (the rest: "写法不对").
_TOML_WORDS = (
    ("Invalid value", "值的写法不对（文字要加英文双引号，数字不加）"),
    ("Expected '=' after a key", "缺少等号“=”"),
    ("Unterminated string", "引号没有配对"),
    ("Unclosed array", "方括号“]”没有配对"),
    ("Unclosed inline table", "花括号“}”没有配对"),
    ("Expected ']' at the end of a table", "表头缺少“]”"),
    ("Cannot declare", "同一个表头出现了两次"),
    ("Cannot overwrite a value", "同一个键写了两次"),
    ("Duplicate inline table key", "同一个键写了两次"),
    ("Invalid date or datetime", "日期写法不对"),
    ("Illegal character", "有不允许的字符（例如全角符号或制表符）"),
    ("Found invalid character", "有不允许的字符（例如全角符号）"),
    ("Invalid initial character for a key", "键名的写法不对"),
    ("Invalid statement", "这一行既不是“键 = 值”也不是表头"),
    ("Expected newline or end of document", "值的后面多了内容（一行只能写一项）"),
)
_AT = re.compile(r"\(at line (\d+), column (\d+)\)|\(at end of document\)")
_KEY_LINE = re.compile(r'^\s*([A-Za-z0-9_\-."]+)\s*=')
_TABLE_LINE = re.compile(r"^\s*\[\[?\s*([^\]]+?)\s*\]\]?\s*(#.*)?$")


def toml_error_message(path: Path, text: str, exc: tomllib.TOMLDecodeError) -> str:
    """`配置文件 …/sla.toml 第 12 行有误：值的写法不对（键 urgency.ordinary.feedback）。`"""
    found = _AT.search(str(exc))
    lines = text.splitlines()
    line_no = int(found.group(1)) if found and found.group(1) else len(lines)
    what = next((chinese for words, chinese in _TOML_WORDS if str(exc).startswith(words)), "写法不对")
    key = _key_on_line(lines, line_no)
    where = f"第 {line_no} 行" if line_no else "末尾"
    return f"配置文件 {path} {where}有误：{what}" + (f"（键 {key}）" if key else "") + "。"


def _key_on_line(lines: list[str], line_no: int) -> str | None:
    """The dotted key written on line `line_no` (1-based), with the table it sits in."""
    if not 1 <= line_no <= len(lines):
        return None
    match = _KEY_LINE.match(lines[line_no - 1])
    if not match:
        return None
    table = next((m.group(1) for line in reversed(lines[:line_no - 1]) if (m := _TABLE_LINE.match(line))), None)
    key = match.group(1).replace('"', "")
    return f"{table}.{key}" if table else key


def _default_types(name: str) -> dict[str, type]:
    """Each key name that holds a number or a yes/no in the packaged `name`, with its type."""
    found: dict[str, type] = {}
    default = packaged_data_dir() / name
    if not default.is_file():
        return found

    def walk(value: Any, key: str | None) -> None:
        if isinstance(value, dict):
            for k, v in value.items():
                walk(v, k)
        elif isinstance(value, list):
            for v in value:
                walk(v, key)
        elif key is not None and isinstance(value, (bool, int, float)):
            found[key] = bool if isinstance(value, bool) else float if isinstance(value, float) else int

    with default.open("rb") as fh:
        walk(tomllib.load(fh), None)
    return found


def _check_types(path: Path, text: str, data: dict[str, Any], types: dict[str, type]) -> None:
    """A number or yes/no key of the default given a value of another kind: name the key and its line."""

    def fits(value: Any, expected: type) -> bool:
        if expected is bool:
            return isinstance(value, bool)
        if isinstance(value, bool):
            return False
        return isinstance(value, (int, float)) if expected is float else isinstance(value, int)

    def walk(value: Any, dotted: list[str]) -> None:
        if isinstance(value, dict):
            for k, v in value.items():
                walk(v, [*dotted, k])
            return
        key = dotted[-1] if dotted else None
        if key in types and not isinstance(value, (dict, list)) and not fits(value, types[key]):
            want = {bool: "true 或 false", int: "整数（不加引号）", float: "数字（不加引号）"}[types[key]]
            line_no = _line_of(text, key, value)
            where = f"第 {line_no} 行" if line_no else ""
            raise DomainError(f"配置文件 {path} {where}有误：{'.'.join(dotted)} 的值“{value}”应为{want}。", "config")

    walk(data, [])


def _line_of(text: str, key: str, value: Any) -> int | None:
    shown = str(value).lower() if isinstance(value, bool) else str(value)
    pattern = re.compile(rf'(^|[\s{{,]){re.escape(key)}\s*=')
    for number, line in enumerate(text.splitlines(), start=1):
        if pattern.search(line) and shown in line:
            return number
    return None


def rules_from_file(name: str, build: Any) -> Any:
    """`build(load_toml(name))`, a wrong or missing entry turned into one sentence naming the file."""
    data = load_toml(name)
    try:
        return build(data)
    except DomainError:
        raise
    except KeyError as exc:
        raise DomainError(f"配置文件 {config_file(name)} 缺少 {exc.args[0]} 一项，请对照默认文件 "
                          f"{packaged_data_dir() / name} 补上。", "config") from None
    except (ValueError, TypeError, AttributeError) as exc:
        detail = str(exc)
        said = f"：{detail}" if re.search(r"[\u4e00-\u9fff]", detail) else ""
        raise DomainError(f"配置文件 {config_file(name)} 的内容不符合要求{said}，请对照默认文件 "
                          f"{packaged_data_dir() / name} 修改。", "config") from None


CALENDAR_FILE = "calendar.toml"

CALENDAR_HEADER = """# Working-day calendar of the committee (written by `grassroots calendar add`).
# The State Council's schedule for the years the `chinesecalendar` package covers ships with
# the program; for a later year the statutory holidays (2024 rule) never count as working
# days, and the schedule entered here adds the other rest days and the worked weekends:
#   holidays: rest days that fall on a weekday · workdays: weekend days that are worked (调休)
"""


def load_calendar() -> WorkCalendar:
    """The working-day calendar: the packaged schedule plus the committee's `calendar.toml`."""
    data = load_toml(CALENDAR_FILE)
    return WorkCalendar.from_lists(data.get("holidays", []), data.get("workdays", []))


def save_calendar(calendar: WorkCalendar) -> Path:
    """Write the committee's entries to `calendar.toml` in the user config folder (atomically)."""
    from grassroots_tui.io.safe_file import write_text

    def listing(name: str, days: frozenset) -> str:  # noqa: ANN001
        if not days:
            return f"{name} = []\n"
        return f"{name} = [\n" + "".join(f'    "{d.isoformat()}",\n' for d in sorted(days)) + "]\n"

    target = user_config_dir() / CALENDAR_FILE
    target.parent.mkdir(parents=True, exist_ok=True)
    text = CALENDAR_HEADER + listing("holidays", calendar.extra_holidays) + listing("workdays", calendar.extra_workdays)
    return write_text(target, text)


@dataclass
class Settings:
    """The committee's rules, read once per process."""

    @cached_property
    def general(self) -> dict[str, Any]:
        return load_toml("settings.toml")

    @cached_property
    def tz(self) -> ZoneInfo:
        from zoneinfo import ZoneInfoNotFoundError

        name = os.environ.get("GRASSROOTS_TZ") or self.general.get("timezone", "Asia/Shanghai")
        try:
            return ZoneInfo(name)
        except (ZoneInfoNotFoundError, ValueError, TypeError):
            raise DomainError(f"时区“{name}”无法识别（settings.toml 的 timezone 或 GRASSROOTS_TZ），"
                              "应写成 Asia/Shanghai 这样的名称。", "timezone") from None

    @cached_property
    def sla(self) -> SlaRules:
        return rules_from_file("sla.toml", SlaRules.from_mapping)

    @cached_property
    def calendar(self) -> WorkCalendar:
        return load_calendar()

    @cached_property
    def categories(self) -> list[dict[str, Any]]:
        return rules_from_file("categories.toml", lambda data: data["category"])

    @cached_property
    def units(self) -> list[dict[str, Any]]:
        return rules_from_file("units.toml", lambda data: data["unit"])

    @cached_property
    def grids(self) -> list[dict[str, Any]]:
        return rules_from_file("grids.toml", lambda data: data["grid"])

    @cached_property
    def sensitive_tags(self) -> frozenset[str]:
        """Words that make a care tag sensitive (data/sensitive_tags.toml)."""
        words = load_toml("sensitive_tags.toml").get("words", [])
        return frozenset(str(w).strip() for w in words if str(w).strip())

    @cached_property
    def meeting_rules(self) -> dict[str, Any]:
        return rules_from_file("meeting_rules.toml", lambda data: data["type"])

    @property
    def busy_timeout_ms(self) -> int | None:
        """`[database] busy_timeout_seconds` (1 to 600), or None for the program's default (30 s)."""
        value = (self.general.get("database", {}) or {}).get("busy_timeout_seconds")
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not 1 <= value <= 600:
            raise DomainError("settings.toml 中 database.busy_timeout_seconds 应为 1 到 600 之间的秒数。",
                              "busy_timeout_seconds")
        return int(value * 1000)

    @property
    def concern_prefix(self) -> str:
        return self.general.get("concern_prefix", "SQ")

    @property
    def action_prefix(self) -> str:
        return self.general.get("action_prefix", "YD")

    @property
    def meeting_prefix(self) -> str:
        return self.general.get("meeting_prefix", "YS")

    @property
    def default_clerk(self) -> str:
        return self.general.get("default_clerk", "值班工作人员")

    @property
    def committee_name(self) -> str:
        return self.general.get("committee_name", "社区居民委员会")

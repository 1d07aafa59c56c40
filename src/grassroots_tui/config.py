"""Where things live and the committee's editable rules.

Defaults ship as TOML files in the package's `data/` folder. A file of the same
name in the user's config folder (`grassroots paths` shows it) replaces the
default, so a committee can follow local practice without touching the code.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import platformdirs

from grassroots_tui.domain.calendar import WorkCalendar
from grassroots_tui.domain.deadlines import SlaRules

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


def default_db_path() -> Path:
    return user_data_dir() / "grassroots.sqlite3"


def demo_db_path() -> Path:
    return user_data_dir() / "demo.sqlite3"


def resolve_db_path(explicit: str | os.PathLike[str] | None) -> Path:
    """`--db PATH`, else `GRASSROOTS_DB`, else the user data folder."""
    if explicit:
        return Path(explicit).expanduser()
    env = os.environ.get("GRASSROOTS_DB")
    if env:
        return Path(env).expanduser()
    return default_db_path()


def load_toml(name: str) -> dict[str, Any]:
    override = user_config_dir() / name
    path = override if override.is_file() else packaged_data_dir() / name
    with path.open("rb") as fh:
        return tomllib.load(fh)


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
        return ZoneInfo(os.environ.get("GRASSROOTS_TZ") or self.general.get("timezone", "Asia/Shanghai"))

    @cached_property
    def sla(self) -> SlaRules:
        return SlaRules.from_mapping(load_toml("sla.toml"))

    @cached_property
    def calendar(self) -> WorkCalendar:
        return load_calendar()

    @cached_property
    def categories(self) -> list[dict[str, Any]]:
        return load_toml("categories.toml")["category"]

    @cached_property
    def units(self) -> list[dict[str, Any]]:
        return load_toml("units.toml")["unit"]

    @cached_property
    def grids(self) -> list[dict[str, Any]]:
        return load_toml("grids.toml")["grid"]

    @cached_property
    def sensitive_tags(self) -> frozenset[str]:
        """Words that make a care tag sensitive (data/sensitive_tags.toml)."""
        words = load_toml("sensitive_tags.toml").get("words", [])
        return frozenset(str(w).strip() for w in words if str(w).strip())

    @cached_property
    def meeting_rules(self) -> dict[str, Any]:
        return load_toml("meeting_rules.toml")["type"]

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

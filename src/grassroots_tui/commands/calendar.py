"""The working-day calendar on the command line.

grassroots calendar show 2027 [--json]      the rest days and working weekends the program uses
grassroots calendar add 2027 --holiday 2027-02-04..2027-02-10 --workday 2027-02-14 [...]
                                            the State Council's schedule, into the committee's calendar.toml
grassroots calendar check 2027              compared with the statutory holidays (exit 1 on a problem)

Deadlines already computed are stored with their concerns and are not recomputed by `add`.
"""

from __future__ import annotations

from typing import Annotated, Optional

import typer

from grassroots_tui.cli import JsonOpt, _fail, _print_json, _run, app, say

calendar_app = typer.Typer(help="工作日历：法定节假日与放假调休安排", no_args_is_help=True)
app.add_typer(calendar_app, name="calendar")

YearArg = Annotated[str, typer.Argument(help="年份，如 2027", show_default=False, metavar="年份")]


def _year(text: str) -> int:
    """The year as typed (full-width digits welcome), or one Chinese line."""
    from grassroots_tui.domain.validation import parse_count

    return parse_count(text, "年份", "year", minimum=2000, maximum=2100, example="2027")


def _describe(calendar, year: int) -> dict:  # noqa: ANN001
    from grassroots_tui.domain.calendar import source_label, statutory_holidays

    statutory = statutory_holidays(year)
    return {
        "year": year,
        "known": calendar.knows(year),
        "source": source_label(calendar, year),
        "statutory": [{"date": d, "name": n} for d, n in statutory.items()],
        "holidays": [{"date": d, "name": statutory.get(d, "调休放假")} for d in calendar.holidays_of(year)],
        "workdays": calendar.workdays_of(year),
    }


def _show(info: dict) -> None:
    from grassroots_tui.domain.calendar import weekday_name

    say(f"{info['year']}年：{info['source']}")
    say("法定节假日：" + ("、".join(f"{x['date']:%m-%d}{x['name']}" for x in info["statutory"]) or "无"))
    say(f"工作日休息 {len(info['holidays'])} 天：")
    for x in info["holidays"]:
        say(f"  {x['date']} {weekday_name(x['date'])} {x['name']}")
    say(f"周末上班（调休）{len(info['workdays'])} 天：" +
        ("、".join(f"{d} {weekday_name(d)}" for d in info["workdays"]) or "无"))


@calendar_app.command("show")
def show(year: YearArg, as_json: JsonOpt = False) -> None:
    """某年的法定节假日、工作日休息和周末上班，以及安排是否已正式载入。"""

    def go() -> None:
        from grassroots_tui.config import load_calendar

        info = _describe(load_calendar(), _year(year))
        if as_json:
            _print_json(info)
        else:
            _show(info)

    _run(go)


@calendar_app.command("add")
def add(
    typed: YearArg,
    holiday: Annotated[Optional[list[str]],
                       typer.Option("--holiday", help="放假日期或区间 2027-02-04..2027-02-10，可重复")] = None,
    workday: Annotated[Optional[list[str]], typer.Option("--workday", help="调休上班的周末日期，可重复")] = None,
) -> None:
    """录入国务院公布的某年放假调休安排（写入本居委会的 calendar.toml，保留已有条目）。"""

    def go() -> None:
        from grassroots_tui.config import load_calendar, save_calendar
        from grassroots_tui.domain.calendar import check_entry, check_year, merge_entry, official_year

        year = _year(typed)
        entry = check_entry(year, holiday or [], workday or [])
        calendar = merge_entry(load_calendar(), entry)
        problems, _notes = check_year(calendar, year)
        if problems:
            _fail("未保存：" + problems[0])
        path = save_calendar(calendar)
        say(f"已写入 {path}：{year}年放假 {len(entry.holidays)} 个工作日，调休上班 {len(entry.workdays)} 天")
        if official_year(year):
            say(f"注意：{year}年已有随程序提供的官方安排，此处录入的日期优先于它")
        say("已算出的时限保存在各件诉求中，不会因此改变；此后新算的时限按新安排计算")

    _run(go)


@calendar_app.command("check")
def check(typed: YearArg) -> None:
    """把某年的日历与法定节假日对照：法定节假日必须放假，并列出可疑之处。"""

    def go() -> None:
        from grassroots_tui.config import load_calendar
        from grassroots_tui.domain.calendar import check_year, source_label

        year = _year(typed)
        calendar = load_calendar()
        problems, notes = check_year(calendar, year)
        say(f"{year}年：{source_label(calendar, year)}")
        for line in problems:
            say("问题：" + line)
        for line in notes:
            say("提示：" + line)
        if not problems and not notes:
            say("法定节假日都已放假，未发现可疑之处")
        if problems:
            raise typer.Exit(1)

    _run(go)

"""The `grassroots` command line.

Textual, SQLModel and the services are imported inside the commands, so `--help`
and the app's start stay quick.
"""

from __future__ import annotations

import dataclasses
import json
import sys
from datetime import date, datetime
from enum import Enum
from pathlib import Path
from typing import Annotated, Any, Optional

import click
import typer

app = typer.Typer(
    help="社区居委会诉求闭环与议事协商。不带子命令时打开程序界面。",
    no_args_is_help=False,
    add_completion=False,
    rich_markup_mode=None,
    pretty_exceptions_enable=False,
)
resident_app = typer.Typer(help="居民台账", no_args_is_help=True)
concern_app = typer.Typer(help="诉求", no_args_is_help=True)
clerk_app = typer.Typer(help="工作人员", no_args_is_help=True)
app.add_typer(resident_app, name="resident")
app.add_typer(concern_app, name="concern")
app.add_typer(clerk_app, name="clerk")

DbOpt = Annotated[Optional[Path], typer.Option("--db", help="数据库文件（默认：GRASSROOTS_DB 或用户数据目录）")]
ClerkOpt = Annotated[Optional[str], typer.Option("--clerk", help="以哪位工作人员的身份操作（默认：上次使用的）")]
JsonOpt = Annotated[bool, typer.Option("--json", help="输出 JSON（时间为带时区的 ISO 8601）")]


class _State:
    db: Path | None = None
    clerk: str | None = None


STATE = _State()


# ------------------------------------------------------------------ helpers

class CliError(Exception):
    pass


def say(text: str = "", *, err: bool = False) -> None:
    """Every line a command prints: stored text never sends a control character to the terminal.

    ESC, BEL, C1 and bidirectional controls are shown as symbols (`domain.text.printable`); the
    line breaks and tabs of the output itself stay. A field that must stay on its line (a
    summary in a list row) is passed through `one_line` first.
    """
    from grassroots_tui.domain.text import printable

    typer.echo(printable(text), err=err)


def one_line(value: str | None) -> str:
    """A stored field shown inside one output line: its own line breaks and tabs shown as symbols."""
    from grassroots_tui.domain.text import printable_line

    return printable_line(value)


def _fail(message: str, code: int = 1) -> None:
    say(f"错误：{message}", err=True)
    raise typer.Exit(code)


NOW_ENV = "GRASSROOTS_NOW"


def _clock():  # noqa: ANN202
    """The CLI's clock: None (the real time) unless GRASSROOTS_NOW fixes "now".

    GRASSROOTS_NOW=2026-12-02T09:00 (ISO 8601; without an offset it is the committee's time)
    is a testing and backdating aid: every command then reads that instant as now, for the
    workspace's clock (reference years, deadlines, overdue) and for typed dates alike.
    """
    import os

    text = os.environ.get(NOW_ENV, "").strip()
    if not text:
        return None
    from grassroots_tui.config import Settings

    tz = Settings().tz
    try:
        fixed = datetime.fromisoformat(text)
    except ValueError:
        from grassroots_tui.domain.errors import DomainError

        raise DomainError(f"环境变量 {NOW_ENV} 的值“{text}”不是 ISO 8601 时间，应写成 2026-12-02T09:00:00+08:00。",
                          "now") from None
    fixed = fixed.replace(tzinfo=tz) if fixed.tzinfo is None else fixed.astimezone(tz)
    return lambda: fixed


def _now() -> datetime:
    """Now in the committee's time zone (GRASSROOTS_NOW when set)."""
    from grassroots_tui.config import Settings

    clock = _clock()
    return clock() if clock is not None else datetime.now(Settings().tz)


def _workspace(db: Path | None):  # noqa: ANN202
    from grassroots_tui.config import resolve_db_path
    from grassroots_tui.services.workspace import Workspace

    return Workspace.open(resolve_db_path(db or STATE.db), clock=_clock())


def _clerk(ws, name: str | None):  # noqa: ANN001, ANN202
    import os

    from grassroots_tui.services.clerks import current_clerk

    return current_clerk(ws, name or STATE.clerk or os.environ.get("GRASSROOTS_CLERK"))


def _plain(value: Any) -> Any:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, datetime):
        return value.isoformat(timespec="seconds")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    return value


def _print_json(value: Any) -> None:
    """JSON on stdout; the control characters json.dumps leaves raw (DEL, C1, bidi) are escaped too."""
    from grassroots_tui.domain.text import json_text

    typer.echo(json_text(json.dumps(_plain(value), ensure_ascii=False, indent=2)))


def _run(fn):  # noqa: ANN001, ANN202
    """Every command's errors as one Chinese line on stderr and exit 1 (services.errors, the TUI's mapping).

    A save that waits for another clerk's write lock says so on stderr after about a second; an
    unexpected error is written with its traceback to the log, and the line says where.
    """
    from grassroots_tui.services.errors import announce_waits, explain

    try:
        with announce_waits(lambda sentence: say(sentence, err=True)):
            return fn()
    except BrokenPipeError:
        raise  # the reader went away (`| head`): main() ends quietly, no message
    except (typer.Exit, typer.Abort, click.ClickException):
        raise  # the command's own exit code, or Click's usage message
    except Exception as exc:  # noqa: BLE001 - the clerk reads a sentence, the trace goes to the log
        _fail(explain(exc, "执行命令"))


def _limit(text: str) -> int:
    """A `--limit` as typed (full-width digits welcome): a whole number of at least 1, or one Chinese line."""
    from grassroots_tui.domain.validation import parse_count

    return parse_count(text, "最多条数", "limit", minimum=1)


def _fmt(dt: datetime | None) -> str:
    return dt.strftime("%Y-%m-%d %H:%M") if dt else "-"


def _parse_when(text: str | None, field: str) -> datetime | None:
    """A typed time (`2026-09-30 10:00`, `09-30 10:00`, `昨天 16:30`; a date alone is 00:00)."""
    from datetime import time

    from grassroots_tui.domain.dates import parse_datetime

    if not text:
        return None
    return parse_datetime(text, _now(), field, default_time=time(0), what="时间", direction="near")


def _parse_day(text: str | None, field: str) -> date | None:
    """A typed day (`2026-10-20`, `10-20`, `明天`)."""
    from grassroots_tui.domain.dates import parse_date

    if not text:
        return None
    return parse_date(text, _now().date(), field)


# ------------------------------------------------------------------ root

@app.callback(invoke_without_command=True)
def root(
    ctx: typer.Context,
    db: DbOpt = None,
    clerk: ClerkOpt = None,
    version: Annotated[bool, typer.Option("--version", help="显示版本")] = False,
) -> None:
    STATE.db = db
    STATE.clerk = clerk
    if version:
        from grassroots_tui import __version__

        say(__version__)
        raise typer.Exit()
    if ctx.invoked_subcommand is None:
        _launch(db, clerk)


def _launch(db: Path | None, clerk: str | None) -> None:
    from grassroots_tui.config import resolve_db_path
    from grassroots_tui.tui.app import run_app

    _run(lambda: run_app(resolve_db_path(db or STATE.db), clerk or STATE.clerk))


@app.command()
def init(db: DbOpt = None) -> None:
    """创建数据库，或把旧数据库升级到当前版本（升级前自动备份）。"""

    def go() -> None:
        ws = _workspace(db)
        say(f"数据库已就绪：{ws.location}（版本 {ws.revision()}）")
        if ws.backup_path:
            say(f"升级前的备份：{ws.backup_path}")
        ws.close()

    _run(go)


@app.command()
def paths(db: DbOpt = None) -> None:
    """显示数据库、配置、数据文件和错误日志所在的位置。"""
    from grassroots_tui.config import packaged_data_dir, resolve_db_path, user_config_dir, user_data_dir
    from grassroots_tui.services.errors import log_path

    def go() -> None:
        say(f"数据库：{resolve_db_path(db or STATE.db)}")
        say(f"用户数据目录：{user_data_dir()}")
        say(f"配置目录（放同名文件即可覆盖默认规则）：{user_config_dir()}")
        say(f"默认规则文件：{packaged_data_dir()}")
        say(f"错误日志（意外错误的详细情况）：{log_path()}")

    _run(go)


@app.command()
def demo(
    db: DbOpt = None,
    residents: Annotated[str, typer.Option(help="居民人数", metavar="整数")] = "600",
    concerns: Annotated[str, typer.Option(help="诉求件数", metavar="整数")] = "1500",
    seed: Annotated[str, typer.Option(help="随机种子（相同种子生成相同数据）", metavar="整数")] = "2026",
    no_launch: Annotated[bool, typer.Option("--no-launch", help="只生成数据，不打开界面")] = False,
    force: Annotated[bool, typer.Option("--force", help="覆盖一个不是演示库的文件")] = False,
) -> None:
    """生成一个演示数据库（虚构的居民、诉求和会议）并打开程序。"""
    from grassroots_tui.config import demo_db_path, resolve_db_path

    path: Path | str = demo_db_path()

    def go() -> None:
        nonlocal path
        if db or STATE.db:
            path = resolve_db_path(db or STATE.db)
        from grassroots_tui.domain.validation import parse_count
        from grassroots_tui.services.demo import build_demo

        people = parse_count(residents, "居民人数", "residents")
        cases = parse_count(concerns, "诉求件数", "concerns")
        say(f"正在生成演示数据：{people} 位居民，{cases} 件诉求 -> {path}")
        stats = build_demo(path, residents=people, concerns=cases, seed=parse_count(seed, "随机种子", "seed"),
                           force=force, progress=lambda msg: say(f"  {msg}"), clock=_clock())
        say(f"完成：{stats}")

    _run(go)
    if not no_launch:
        _launch(path, None)


# ------------------------------------------------------------------ clerks

@clerk_app.command("list")
def clerk_list(db: DbOpt = None, as_json: JsonOpt = False) -> None:
    """列出工作人员。"""

    def go() -> None:
        from grassroots_tui.services.clerks import list_clerks

        ws = _workspace(db)
        clerks = list_clerks(ws)
        me = _clerk(ws, None)
        if as_json:
            _print_json([dict(_plain(c), current=c.id == me.id) for c in clerks])
        else:
            for c in clerks:
                say(f"{'*' if c.id == me.id else ' '} {one_line(c.name)}（{one_line(c.role)}）")

    _run(go)


@clerk_app.command("add")
def clerk_add(name: str, role: Annotated[str, typer.Option(help="岗位")] = "工作人员", db: DbOpt = None) -> None:
    """添加工作人员。"""

    def go() -> None:
        from grassroots_tui.services.clerks import add_clerk

        c = add_clerk(_workspace(db), name, role)
        say(f"已添加工作人员：{c.name}")

    _run(go)


@clerk_app.command("use")
def clerk_use(name: str, db: DbOpt = None) -> None:
    """切换当前工作人员（本机记住，下次默认使用）。"""

    def go() -> None:
        from grassroots_tui.services.clerks import find_clerk, remember_clerk

        ws = _workspace(db)
        remember_clerk(ws, find_clerk(ws, name))
        say(f"当前工作人员：{name}")

    _run(go)


# ------------------------------------------------------------------ residents

@resident_app.command("add")
def resident_add(
    name: Annotated[str, typer.Option("--name", help="姓名")],
    phone: Annotated[str, typer.Option("--phone", help="手机或座机")] = "",
    id_number: Annotated[str, typer.Option("--id-number", help="证件号码（身份证18位）")] = "",
    id_type: Annotated[str, typer.Option("--id-type", help="证件类型：id_card/passport/hk_macau/taiwan/…")] = "id_card",
    address: Annotated[str, typer.Option("--address", help="楼-单元-室，如 3-2-301")] = "",
    estate: Annotated[str, typer.Option("--estate", help="小区")] = "",
    grid: Annotated[Optional[str], typer.Option("--grid", help="网格编码，如 G01")] = None,
    tag: Annotated[Optional[list[str]], typer.Option("--tag", help="标签，可重复")] = None,
    db: DbOpt = None,
    clerk: ClerkOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """登记一位居民。"""

    def go() -> None:
        from grassroots_tui.services.residents import ResidentDraft, add_resident

        ws = _workspace(db)
        r = add_resident(ws, _clerk(ws, clerk).id, ResidentDraft(
            name=name, phone=phone, id_number=id_number, id_type=id_type, address=address, estate=estate,
            grid=grid, tags=tuple(tag or ())))
        if as_json:
            _print_json(r)
        else:
            say(f"已登记：{r.name} {r.phone_masked} {r.estate}{r.address}")

    _run(go)


@resident_app.command("list")
def resident_list(
    search: Annotated[Optional[str], typer.Option(
        "--search", help="姓名、拼音首字母、手机尾号、3-2-301 或完整身份证号（按身份证号查找记入审计日志）")] = None,
    limit: Annotated[str, typer.Option(help="最多显示条数", metavar="整数")] = "50",
    reveal: Annotated[bool, typer.Option(
        "--reveal", help="同时显示敏感标签（低保、残疾等），记入审计日志")] = False,
    db: DbOpt = None,
    clerk: ClerkOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """查找居民（证件号和手机号脱敏显示，敏感标签不显示）。"""

    def go() -> None:
        from grassroots_tui.services.residents import full_id_number, search_residents

        ws = _workspace(db)
        audited = reveal or full_id_number(search) is not None
        who = _clerk(ws, clerk).id if audited else None
        rows = search_residents(ws, search, limit=_limit(limit), actor_id=who, reveal_tags=reveal)
        if as_json:
            _print_json(rows)
            return
        for r in rows:
            say("\t".join(one_line(f) for f in (r.name, r.sex, r.phone_masked, f"{r.estate}{r.address}", " ".join(r.tags))))
        if not rows:
            say("没有找到居民。")

    _run(go)


# ------------------------------------------------------------------ concerns

def _concern_text(v) -> str:  # noqa: ANN001
    from grassroots_tui.domain.codes import Urgency

    lines = [
        f"{v.reference}  {v.status_label}  {one_line(v.summary)}",
        f"  分类：{v.category} {v.category_name}   紧急程度：{Urgency(v.urgency).label}   承办：{v.unit_name or '-'}",
        f"  受理：{_fmt(v.received_at)}   派单时限：{_fmt(v.dispatch_due)}   反馈时限：{_fmt(v.feedback_due)}"
        + (f"（原 {_fmt(v.feedback_due_original)}）" if v.feedback_due != v.feedback_due_original else ""),
    ]
    if v.deadline_label:
        lines.append(f"  {v.deadline_label}")
    return "\n".join(lines)


@concern_app.command("add")
def concern_add(
    summary: Annotated[str, typer.Option("--summary", help="诉求摘要")],
    category: Annotated[str, typer.Option("--category", help="二级分类编码，如 0801")],
    detail: Annotated[str, typer.Option("--detail", help="详细情况")] = "",
    resident_phone: Annotated[Optional[str], typer.Option("--resident-phone", help="已登记居民的手机号")] = None,
    channel: Annotated[str, typer.Option("--channel", help="来源：walk_in/phone/grid_patrol/hotline/…")] = "walk_in",
    nature: Annotated[str, typer.Option("--nature", help="性质：inquiry/help/complaint/report/suggestion/praise")] = "help",
    urgency: Annotated[Optional[str],
                       typer.Option("--urgency", help="emergency|utilities|ordinary|complex（默认随分类）")] = None,
    received: Annotated[Optional[str], typer.Option("--received", help="受理时间 YYYY-MM-DD HH:MM（默认现在）")] = None,
    address: Annotated[str, typer.Option("--address", help="地点，楼-单元-室（默认居民住址）")] = "",
    repeat_of: Annotated[Optional[str], typer.Option("--repeat-of", help="重复诉求：原诉求编号")] = None,
    db: DbOpt = None,
    clerk: ClerkOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """受理一件诉求。"""

    def go() -> None:
        from grassroots_tui.domain.validation import parse_address
        from grassroots_tui.services.concerns import ConcernDraft, log_concern

        ws = _workspace(db)
        addr = parse_address(address)
        v = log_concern(ws, _clerk(ws, clerk).id, ConcernDraft(
            summary=summary, category=category, detail=detail, channel=channel, nature=nature, urgency=urgency,
            resident_phone=resident_phone, received_at=_parse_when(received, "received"),
            building=addr.building, unit_no=addr.unit, room=addr.room, repeat_of=repeat_of))
        if as_json:
            _print_json(v)
        else:
            say(_concern_text(v))

    _run(go)


@concern_app.command("act")
def concern_act(
    reference: Annotated[str, typer.Argument(help="诉求编号，如 SQ-2026-000123")],
    action: Annotated[str, typer.Argument(help="操作：dispatch/handle/answer/reject/merge/sign/return/extend/park/"
                                               "review/resume/report/followup/confirm/reopen/agenda/supervise（中文亦可）")],
    unit: Annotated[Optional[str], typer.Option("--unit", help="承办单位编码（派单）")] = None,
    note: Annotated[str, typer.Option("--note", help="说明、理由或答复内容")] = "",
    until: Annotated[Optional[str], typer.Option("--until", help="延期：新期限；挂账/挂账复核：下次复核日期")] = None,
    outcome: Annotated[Optional[str], typer.Option("--outcome", help="solved|partly|unsolved（回访）")] = None,
    satisfaction: Annotated[Optional[str], typer.Option("--satisfaction", help="satisfied|basic|dissatisfied（回访）")] = None,
    level: Annotated[Optional[str], typer.Option("--level", help="督办级别 none|ordinary|yellow|red")] = None,
    into: Annotated[Optional[str], typer.Option("--into", help="合并到的诉求编号")] = None,
    meeting: Annotated[Optional[str], typer.Option("--meeting", help="会议编号（上会）")] = None,
    confirmed: Annotated[bool, typer.Option("--confirmed", help="当场答复且居民当场确认（直接办结）")] = False,
    not_reached: Annotated[bool, typer.Option("--not-reached", help="回访未联系上居民")] = False,
    at: Annotated[Optional[str], typer.Option("--at", help="操作时间 YYYY-MM-DD HH:MM（默认现在，补录用）")] = None,
    db: DbOpt = None,
    clerk: ClerkOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """对诉求执行一个流程操作。"""

    def go() -> None:
        from grassroots_tui.domain.codes import Action, Outcome, Satisfaction, Supervision, parse
        from grassroots_tui.domain.pipeline import Request
        from grassroots_tui.services.concerns import act

        ws = _workspace(db)
        request = Request(
            action=parse(Action, action, "action"), note=note, unit_code=unit,
            until=_parse_day(until, "until"),
            outcome=parse(Outcome, outcome, "outcome") if outcome else None,
            satisfaction=parse(Satisfaction, satisfaction, "satisfaction") if satisfaction else None,
            supervision=parse(Supervision, level, "supervision") if level else None,
            merge_into=into, meeting_ref=meeting, confirmed=confirmed, contacted=not not_reached)
        v = act(ws, _clerk(ws, clerk).id, reference, request, at=_parse_when(at, "at"))
        if as_json:
            _print_json(v)
        else:
            say(_concern_text(v))

    _run(go)


@concern_app.command("show")
def concern_show(
    reference: Annotated[str, typer.Argument(help="诉求编号")],
    db: DbOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """显示一件诉求及其全部流转记录。"""

    def go() -> None:
        from grassroots_tui.services.concerns import get_concern

        v = get_concern(_workspace(db), reference)
        if as_json:
            _print_json(v)
            return
        say(_concern_text(v))
        if v.detail:
            say(f"  详情：{v.detail}")
        say("  流转记录：")
        for e in v.events:
            from grassroots_tui.domain.codes import Status

            to = Status(e.to_status).label
            change = f"{Status(e.from_status).label}->{to}" if e.from_status and e.from_status != e.to_status else to
            deadline = f"  时限 {_fmt(e.deadline_after)}" if e.deadline_after != e.deadline_before else ""
            say(f"    {_fmt(e.at)}  {e.action_label}  {e.actor}  {change}{deadline}  {e.note}")

    _run(go)


@concern_app.command("list")
def concern_list(
    status: Annotated[Optional[list[str]], typer.Option("--status", help="状态（可重复）")] = None,
    search: Annotated[Optional[str], typer.Option("--search", help="编号、摘要、详情或居民姓名中的文字")] = None,
    overdue: Annotated[bool, typer.Option("--overdue", help="只看已超期")] = False,
    due_soon: Annotated[bool, typer.Option("--due-soon", help="只看将到期")] = False,
    limit: Annotated[str, typer.Option("--limit", help="最多条数", metavar="整数")] = "50",
    db: DbOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """列出诉求（最新受理的在前）。"""

    def go() -> None:
        from grassroots_tui.services.concern_list import ConcernFilter, list_concerns

        count = _limit(limit)
        rows = list_concerns(_workspace(db), ConcernFilter(status=status, search=search, overdue=overdue,
                                                           due_soon=due_soon, limit=count))
        if as_json:
            _print_json(rows)
            return
        for v in rows:
            mark = f" [{v.deadline_label}]" if v.deadline_label else ""
            say(f"{v.reference}  {_fmt(v.received_at)}  {v.status_label}  {one_line(v.category_name)}  "
                f"{one_line(v.summary)}{mark}")
        if not rows:
            say("没有符合条件的诉求。")

    _run(go)


def _load_command_modules() -> None:
    import importlib
    import pkgutil

    from grassroots_tui import commands

    for info in sorted(pkgutil.iter_modules(commands.__path__), key=lambda m: m.name):
        importlib.import_module(f"{commands.__name__}.{info.name}")


_load_command_modules()


def main() -> None:
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.reconfigure(errors="replace")  # type: ignore[union-attr]
        except (AttributeError, ValueError):
            pass
    try:
        try:
            app(prog_name="grassroots")
        finally:
            sys.stdout.flush()  # a closed pipe shows here, not at interpreter exit
    except BrokenPipeError:
        # `grassroots meeting show REF | head -1`: the reader closed the pipe. The documented way
        # (Python's signal module notes): point stdout at devnull so the final flush is quiet, exit 1.
        import os

        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        sys.exit(1)

"""Figures, exports and safekeeping on the command line.

grassroots report --from 2026-10-01 --to 2026-10-31 [--json]
grassroots export concerns --format xlsx|csv|json|open311 --out FILE [--from] [--to] [--reveal] [--force]
grassroots backup [--out FILE] [--force] · grassroots restore FILE · grassroots check
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

from grassroots_tui.cli import STATE, ClerkOpt, DbOpt, JsonOpt, _clerk, _print_json, _run, _workspace, app, say
from grassroots_tui.commands._output import ForceOpt

export_app = typer.Typer(help="导出诉求台账（默认脱敏）", no_args_is_help=True)
app.add_typer(export_app, name="export")

FromOpt = Annotated[Optional[str], typer.Option("--from", help="开始日期 YYYY-MM-DD（含；只写 10-01 为最近一个已到的 10月1日）")]
ToOpt = Annotated[Optional[str], typer.Option("--to", help="结束日期 YYYY-MM-DD（含；只写月日同上）")]


def _period(ws, start: str | None, end: str | None):  # noqa: ANN001, ANN202
    from grassroots_tui.domain.dates import parse_period_days
    from grassroots_tui.services.metrics import parse_period

    today = ws.now().date()
    return parse_period(*parse_period_days(start, end, today), today)


@app.command()
def report(db: DbOpt = None, start: FromOpt = None, end: ToOpt = None, as_json: JsonOpt = False) -> None:
    """统计指标：响应率、解决率、满意率等，每项给出分子和分母（默认本月）。"""

    def go() -> None:
        from grassroots_tui.domain.metrics import METRIC_BY_CODE, PENDING, composite_basis
        from grassroots_tui.services.metrics import load_options
        from grassroots_tui.services.metrics import report as make_report

        ws = _workspace(db)
        try:
            rep = make_report(ws, _period(ws, start, end))
        finally:
            ws.close()
        if as_json:
            _print_json(rep.as_json())
            return
        say(f"统计区间：{rep.period.label}（{rep.period.start} 至 {rep.period.end}），"
                   f"纳入统计的诉求 {rep.figures.counts.counted} 件")
        for fig in rep.figures:
            m = METRIC_BY_CODE[fig.code]
            basis = f"{fig.fraction}（{m.numerator} / {m.denominator}）" if fig.code != "composite" else \
                f"{composite_basis(load_options())}（权重见 metrics.toml）"
            pending = f"  {fig.pending_text}" if fig.pending_text else ""
            say(f"{fig.label:　<6}{fig.percent:>8}  {basis}{pending}")
        if any(fig.pending for fig in rep.figures) and rep.as_of is not None:
            say(f"{PENDING}：截至 {rep.as_of:%Y-%m-%d %H:%M} 尚无结果且未过时限的诉求，不计入该项的分子和分母。")

    _run(go)


@export_app.command("concerns")
def export_concerns(
    out: Annotated[Path, typer.Option("--out", help="输出文件")],
    fmt: Annotated[str, typer.Option("--format", help="xlsx · csv · json · open311")] = "xlsx",
    db: DbOpt = None,
    start: FromOpt = None,
    end: ToOpt = None,
    reveal: Annotated[bool, typer.Option("--reveal", help="导出未脱敏的个人信息（记入审计日志）")] = False,
    force: ForceOpt = False,
    clerk: ClerkOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """导出诉求台账：Excel（含统计表）、CSV（带 BOM）、JSON 或 Open311 GeoReport v2。"""

    def go() -> None:
        from grassroots_tui.services.exports import export_concerns as run_export

        ws = _workspace(db)
        try:
            who = _clerk(ws, clerk)
            period = _period(ws, start, end) if (start or end) else None
            result = run_export(ws, fmt, out, period=period, reveal=reveal, actor_id=who.id, force=force)
        finally:
            ws.close()
        if as_json:
            _print_json(result)
            return
        masked = "未脱敏（已记入审计日志）" if result.revealed else "个人信息已脱敏"
        say(f"已导出 {result.rows} 件诉求到 {result.path}（{result.format}，{masked}）")

    _run(go)


@app.command()
def backup(
    db: DbOpt = None,
    out: Annotated[Optional[Path], typer.Option("--out", help="备份文件（默认：数据库旁的 backups 文件夹）")] = None,
    force: ForceOpt = False,
) -> None:
    """备份数据库（SQLite 在线备份，程序开着时也安全）。"""

    def go() -> None:
        from grassroots_tui.config import is_server_url, resolve_db_path
        from grassroots_tui.services.backup import backup_database

        target = resolve_db_path(db or STATE.db)
        if is_server_url(target):  # the server's own tool: pg_dump, checked with pg_restore --list
            from grassroots_tui.cli import _now
            from grassroots_tui.services.server_backup import dump

            path = dump(str(target), out, now=_now(), force=force)
        else:
            path = backup_database(target, out, force=force)
        say(f"已备份到 {path}")

    _run(go)


@app.command()
def restore(
    file: Annotated[Path, typer.Argument(help="要恢复的备份文件")],
    db: DbOpt = None,
) -> None:
    """从备份恢复：先检查备份文件，再把当前数据库另存一份，然后替换。"""

    def go() -> None:
        from grassroots_tui.config import is_server_url, resolve_db_path
        from grassroots_tui.services.backup import restore_database

        target = resolve_db_path(db or STATE.db)
        if is_server_url(target):  # into an empty database, with pg_restore
            from grassroots_tui.services.server_backup import restore as restore_server

            done = restore_server(str(target), file)
            say(f"已从 {file} 恢复到 {done.target}（{done.concerns} 件诉求，版本 {done.revision}）。")
            return
        result = restore_database(target, file)
        say(f"已从 {file} 恢复（{result.concerns} 件诉求，版本 {result.revision}）。")
        if result.aside:
            say(f"恢复前的数据库已另存为 {result.aside}")

    _run(go)


@app.command()
def check(db: DbOpt = None, as_json: JsonOpt = False) -> None:
    """检查数据库：完整性检查和外键检查。"""

    def go() -> None:
        from grassroots_tui.config import resolve_db_path
        from grassroots_tui.services.backup import check_database

        rep = check_database(resolve_db_path(db or STATE.db))
        if as_json:
            _print_json(rep)
        else:
            for line in rep.lines():
                say(line)
        if not rep.ok:
            raise typer.Exit(1)

    _run(go)

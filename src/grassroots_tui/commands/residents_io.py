"""`grassroots resident import FILE` and `grassroots resident template --out FILE [--force]`."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from grassroots_tui.cli import ClerkOpt, DbOpt, JsonOpt, _clerk, _print_json, _run, _workspace, resident_app, say
from grassroots_tui.commands._output import ForceOpt, output_target


@resident_app.command("import")
def resident_import(
    file: Annotated[Path, typer.Argument(help="CSV（UTF-8 或 GB18030）或 XLSX 文件")],
    db: DbOpt = None,
    clerk: ClerkOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """从表格导入居民：全部正确才导入，否则逐行列出问题，什么也不改。"""

    def go() -> None:
        from grassroots_tui.services.residents import import_residents

        ws = _workspace(db)
        try:
            report = import_residents(ws, _clerk(ws, clerk).id, file)
        finally:
            ws.close()
        if as_json:
            _print_json({"ok": report.ok, "path": report.path, "rows": report.rows, "imported": report.imported,
                         "columns": report.columns, "ignored_columns": report.ignored_columns,
                         "errors": report.errors})
        else:
            say(report.summary())
            if report.ignored_columns:
                say("未识别、已跳过的列：" + "、".join(report.ignored_columns))
            for e in report.errors:
                where = f"第 {e.row} 行" + (f"「{e.column}」" if e.column else "")
                say(f"{where}：{'[重复] ' if e.duplicate else ''}{e.message}")
        if not report.ok:
            raise typer.Exit(1)

    _run(go)


@resident_app.command("template")
def resident_template(
    out: Annotated[Path, typer.Option("--out", help="模板文件名，.xlsx 或 .csv")],
    force: ForceOpt = False,
    db: DbOpt = None,
) -> None:
    """写出一份可填写的居民导入模板。"""

    def go() -> None:
        from grassroots_tui.io.residents_import import write_template

        path = write_template(output_target(out, force=force, db=db))
        say(f"已写出模板：{path}")

    _run(go)

"""Moving the data between engines.

grassroots db copy --from FILE.sqlite3 --to postgresql://user@host/db
    every row, event, audit entry and reference number of a committee's SQLite file into an
    empty PostgreSQL database, in one transaction; a target that holds anything is refused.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from grassroots_tui.cli import JsonOpt, _print_json, _run, app, say

db_app = typer.Typer(help="数据库：把单机文件迁移到 PostgreSQL", no_args_is_help=True)
app.add_typer(db_app, name="db")


@db_app.command("copy")
def copy(
    source: Annotated[Path, typer.Option("--from", help="来源：本机的数据库文件（.sqlite3）")],
    target: Annotated[str, typer.Option("--to", help="目标：空的 PostgreSQL 数据库，postgresql://用户名@服务器/数据库名")],
    as_json: JsonOpt = False,
) -> None:
    """把数据库文件的全部数据复制到一个空的 PostgreSQL 数据库（全部成功或全部不写）。"""

    def go() -> None:
        from grassroots_tui.config import resolve_db_path
        from grassroots_tui.services.db_copy import copy_database

        result = copy_database(source, str(resolve_db_path(target)),
                               progress=None if as_json else (lambda m: say(f"  {m}")))
        if as_json:
            _print_json({"source": result.source, "target": result.target, "rows": result.rows})
        else:
            say(f"已复制 {result.total} 行到 {result.target}。以后请用 --db {result.target} 打开。")

    _run(go)

"""The file a command writes: checked before any work, replaced only with --force."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

from grassroots_tui.cli import STATE

ForceOpt = Annotated[bool, typer.Option("--force", help="替换已存在的同名文件（数据库文件无论如何不会被覆盖）")]


def output_target(out: Path | str, *, force: bool, db: Optional[Path]) -> Path:
    """`out` as a place to write, or a Chinese refusal (DomainError, exit 1 through `_run`).

    Never the database this command would open, its -wal/-shm/-journal, nor any SQLite file;
    an existing ordinary file only with --force.
    """
    from grassroots_tui.config import is_server_url, resolve_db_path
    from grassroots_tui.io.safe_file import check_target

    target = resolve_db_path(db or STATE.db)
    return check_target(out, force=force, protected=[] if is_server_url(target) else [target])

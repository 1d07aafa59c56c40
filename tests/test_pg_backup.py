"""`grassroots backup` and `restore` on a PostgreSQL database: pg_dump's custom format, checked, and
pg_restore into an empty database only, all or nothing (issue 11)."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from grassroots_tui.cli import app
from grassroots_tui.services.db_copy import table_rows


def _cli(*args: str):  # noqa: ANN202
    return CliRunner().invoke(app, list(args))


def test_a_server_database_is_dumped_and_restored_into_an_empty_one(pg_server, tmp_path: Path, clock) -> None:  # noqa: ANN001
    from grassroots_tui.config import resolve_db_path
    from grassroots_tui.services.demo import build_demo

    source = pg_server.new_database()
    clock.set(2026, 12, 2, 9)
    build_demo(resolve_db_path(source), residents=40, concerns=120, seed=5, clock=clock)
    url = source.replace("postgresql+psycopg://", "postgresql://")
    out = tmp_path / "居委会备份.dump"
    result = _cli("--db", url, "backup", "--out", str(out))
    assert result.exit_code == 0, result.output
    assert out.is_file() and out.read_bytes()[:5] == b"PGDMP"  # pg_dump's custom format
    assert not [p for p in tmp_path.iterdir() if p != out]  # nothing half-written left beside it
    again = _cli("--db", url, "backup", "--out", str(out))
    assert again.exit_code == 1 and "已存在" in again.output  # an existing file only with --force

    empty = pg_server.new_database().replace("postgresql+psycopg://", "postgresql://")
    restored = _cli("--db", empty, "restore", str(out))
    assert restored.exit_code == 0, restored.output
    assert "120 件诉求" in restored.output
    assert table_rows(resolve_db_path(empty)) == table_rows(resolve_db_path(source))

    # Not into a database that holds anything, and not from a file pg_restore cannot read.
    refused = _cli("--db", url, "restore", str(out))
    assert refused.exit_code == 1 and "目标数据库不是空的" in refused.output
    junk = tmp_path / "not-a-dump.dump"
    junk.write_text("这不是备份", encoding="utf-8")
    other = pg_server.new_database().replace("postgresql+psycopg://", "postgresql://")
    bad = _cli("--db", other, "restore", str(junk))
    assert bad.exit_code == 1 and "检查备份文件没有完成" in bad.output and "Traceback" not in bad.output

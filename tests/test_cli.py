"""The command line's contract: JSON shape, ISO 8601 times with offsets, Chinese one-line errors."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import datetime
from pathlib import Path

import pytest
from typer.testing import CliRunner

from grassroots_tui.cli import app

runner = CliRunner()


def run(db: Path, *args: str, ok: bool = True):  # noqa: ANN201
    result = runner.invoke(app, [*args, "--db", str(db)])
    if ok:
        assert result.exit_code == 0, result.output
    return result


def run_json(db: Path, *args: str):  # noqa: ANN201
    return json.loads(run(db, *args, "--json").stdout)


def test_concern_add_json_contract(db_path: Path) -> None:
    out = run_json(db_path, "concern", "add", "--summary", "楼道灯不亮", "--category", "0302",
                   "--received", "2026-09-30 10:00")
    assert {"reference", "status", "summary", "category", "dispatch_due", "feedback_due"} <= out.keys()
    assert out["reference"] == "SQ-2026-000001" and out["status"] == "received" and out["category"] == "0302"
    assert out["feedback_due"] == "2026-10-15T23:59:59+08:00"
    assert datetime.fromisoformat(out["dispatch_due"]).utcoffset() is not None


def test_full_width_input_on_the_command_line(db_path: Path) -> None:
    out = run_json(db_path, "concern", "add", "--summary", "漏水", "--category", "０８０１",
                   "--received", "２０２６-０９-３０ １０:００", "--urgency", "复杂疑难")
    assert out["urgency"] == "complex" and out["received_at"] == "2026-09-30T10:00:00+08:00"


def test_act_accepts_codes_and_chinese_words_and_show_lists_events(db_path: Path) -> None:
    ref = run_json(db_path, "concern", "add", "--summary", "漏水", "--category", "0801",
                   "--received", "2026-09-30 10:00")["reference"]
    run(db_path, "concern", "act", ref, "派单", "--unit", "WY", "--at", "2026-09-30 11:00")
    run(db_path, "concern", "act", ref, "sign", "--at", "2026-09-30 12:00")
    run(db_path, "concern", "act", ref, "延期", "--note", "需协调", "--until", "2026-10-20", "--at", "2026-10-09 09:00")
    run(db_path, "concern", "act", ref, "report", "--note", "已修好", "--at", "2026-10-12 09:00")
    out = run_json(db_path, "concern", "act", ref, "回访", "--outcome", "解决", "--satisfaction", "满意",
                   "--at", "2026-10-13 09:00")
    assert out["status"] == "closed"
    shown = run_json(db_path, "concern", "show", ref)
    assert [e["action"] for e in shown["events"]] == ["receive", "dispatch", "sign", "extend", "report", "followup"]
    assert shown["events"][3]["deadline_after"] == "2026-10-20T23:59:59+08:00"
    assert shown["feedback_due_original"] == "2026-10-15T23:59:59+08:00"
    listed = run_json(db_path, "concern", "list", "--status", "closed")
    assert [c["reference"] for c in listed] == [ref]


@pytest.mark.parametrize(("args", "message"), [
    (["concern", "act", "SQ-2026-000001", "sign"], "不能签收"),
    (["concern", "act", "SQ-2026-000001", "fly"], "无法识别的操作"),
    (["concern", "act", "SQ-2026-000099", "sign"], "找不到诉求"),
    (["concern", "add", "--summary", "x", "--category", "0801", "--received", "30/09/2026"], "无法识别的时间"),
    (["concern", "add", "--summary", "  ", "--category", "0801"], "请填写诉求摘要"),
    (["resident", "add", "--name", "张三", "--id-number", "110105194912310021"], "校验码"),
    (["resident", "add", "--name", "张三", "--phone", "1381234"], "手机号应为11位"),
])
def test_bad_input_gives_one_chinese_line_and_nonzero_exit(db_path: Path, args: list[str], message: str) -> None:
    run(db_path, "concern", "add", "--summary", "漏水", "--category", "0801")
    result = run(db_path, *args, ok=False)
    assert result.exit_code != 0
    assert message in result.stderr
    assert "Traceback" not in result.output + result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_resident_add_and_search_masks_private_data(db_path: Path) -> None:
    out = run_json(db_path, "resident", "add", "--name", "张三丰", "--phone", "13812345678",
                   "--id-number", "11010519491231002X", "--address", "3-2-301", "--estate", "幸福里")
    assert out["phone_masked"] == "138****5678" and out["id_masked"] == "110105********002X"
    assert out["birth_date"] == "1949-12-31" and out["sex"] == "女"
    for query in ("zsf", "zhangsanfeng", "张三", "5678", "3-2-301"):
        assert [r["name"] for r in run_json(db_path, "resident", "list", "--search", query)] == ["张三丰"], query
    raw = run(db_path, "resident", "list").stdout
    assert "13812345678" not in raw


def test_resident_list_sorts_by_pinyin(db_path: Path) -> None:
    for name, phone in [("张伟", "13800000001"), ("李娜", "13800000002"), ("安静", "13800000003")]:
        run(db_path, "resident", "add", "--name", name, "--phone", phone)
    assert [r["name"] for r in run_json(db_path, "resident", "list")] == ["安静", "李娜", "张伟"]


def test_clerk_is_remembered_and_named_in_events(db_path: Path) -> None:
    run(db_path, "clerk", "add", "王社工")
    run(db_path, "clerk", "use", "王社工")
    ref = run_json(db_path, "concern", "add", "--summary", "漏水", "--category", "0801")["reference"]
    assert run_json(db_path, "concern", "show", ref)["events"][0]["actor"] == "王社工"
    ref2 = json.loads(runner.invoke(app, ["--clerk", "值班工作人员", "concern", "add", "--summary", "x",
                                          "--category", "0801", "--db", str(db_path), "--json"]).stdout)["reference"]
    assert run_json(db_path, "concern", "show", ref2)["events"][0]["actor"] == "值班工作人员"


def test_db_location_from_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "via-env.sqlite3"
    monkeypatch.setenv("GRASSROOTS_DB", str(target))
    result = runner.invoke(app, ["init"])
    assert result.exit_code == 0 and target.exists()


def test_demo_refuses_to_overwrite_a_real_database(db_path: Path) -> None:
    run(db_path, "init")
    result = run(db_path, "demo", "--no-launch", "--concerns", "5", "--residents", "5", ok=False)
    assert result.exit_code != 0 and "不是演示数据库" in result.stderr


def test_demo_is_reproducible_and_covers_every_state(tmp_path: Path) -> None:
    a, b = tmp_path / "a.sqlite3", tmp_path / "b.sqlite3"
    for path in (a, b):
        run(path, "demo", "--no-launch", "--residents", "200", "--concerns", "600", "--seed", "7")
    rows = []
    for path in (a, b):
        out = run_json(path, "concern", "list", "--limit", "600")
        rows.append([(c["reference"], c["status"], c["summary"]) for c in out])
    assert rows[0] == rows[1] and len(rows[0]) == 600
    statuses = {status for _, status, _ in rows[0]}
    assert statuses == {"received", "dispatched", "in_progress", "parked", "awaiting_followup", "closed",
                        "rejected", "merged"}
    # a rebuilt demo replaces the old demo file without --force
    run(a, "demo", "--no-launch", "--residents", "10", "--concerns", "10")


def test_module_entry_point_and_help_do_not_load_the_ui() -> None:
    code = ("import sys; from grassroots_tui import cli; "
            "bad = [m for m in sys.modules if m.split('.')[0] in ('textual', 'sqlmodel', 'sqlalchemy', 'alembic')];"
            "print(bad)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"
    helped = subprocess.run([sys.executable, "-m", "grassroots_tui", "--help"], capture_output=True, text=True,
                            encoding="utf-8")
    assert helped.returncode == 0 and "concern" in helped.stdout


def test_a_database_address_is_never_taken_for_a_file_name(tmp_path, monkeypatch) -> None:  # noqa: ANN001
    from typer.testing import CliRunner

    from grassroots_tui.cli import app

    monkeypatch.chdir(tmp_path)
    refused = {
        "postgresql://clerk:secret@127.0.0.1:1/grassroots": "地址里不要写密码",
        "mysql://x@y/z": "不认识的数据库地址“mysql://…”",
        "sqlite:///data.sqlite3": "请直接写数据库文件的路径",
    }
    for url, words in refused.items():
        for command in (["concern", "list"], ["paths"], []):  # [] opens the program
            result = CliRunner().invoke(app, ["--db", url, *command])
            assert result.exit_code == 1, (command, result.output)
            assert words in result.output and "Traceback" not in result.output
        monkeypatch.setenv("GRASSROOTS_DB", url)
        result = CliRunner().invoke(app, ["concern", "list"])
        assert result.exit_code == 1 and words in result.output
        monkeypatch.delenv("GRASSROOTS_DB")
    # A PostgreSQL address is a server to connect to (nothing listens on port 1): one sentence.
    result = CliRunner().invoke(app, ["--db", "postgresql://clerk@127.0.0.1:1/grassroots", "concern", "list"])
    assert result.exit_code == 1 and "连接不上数据库服务器" in result.output and "Traceback" not in result.output
    assert list(tmp_path.iterdir()) == []  # no folder named "postgresql+psycopg:" or anything else
    # A Windows path with its drive letter is a path.
    from grassroots_tui.config import database_url_scheme

    assert database_url_scheme(r"C:\\数据\\grassroots.sqlite3") is None
    assert database_url_scheme("postgresql://h/db") == "postgresql"
    assert database_url_scheme("postgresql+psycopg:/clerk@h/db") == "postgresql+psycopg"  # as Path() leaves it
    assert database_url_scheme("C:/数据/grassroots.sqlite3") is None

"""`grassroots meeting …`: JSON contract, warnings, Chinese errors, .ics and printable papers."""

from __future__ import annotations

import json
from pathlib import Path

import vobject
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


def clock_at(monkeypatch, moment: str) -> None:  # noqa: ANN001
    """The command line's "now" from here on (conftest starts it at 2026-12-02 09:00 +08:00)."""
    monkeypatch.setenv("GRASSROOTS_NOW", moment)


def test_add_json_contract_and_conflict_warning(db_path: Path) -> None:
    out = run_json(db_path, "meeting", "add", "--type", "consultation", "--topic", "停车位划线",
                   "--start", "2030-12-03 14:30", "--place", "议事厅", "--chair", "王主任")
    assert {"reference", "type", "topic", "start", "end", "warnings"} <= out.keys()
    assert out["reference"] == "YS-2030-0001" and out["type"] == "consultation"
    assert out["start"] == "2030-12-03T14:30:00+08:00" and out["end"] == "2030-12-03T16:00:00+08:00"
    again = run_json(db_path, "meeting", "add", "--type", "居民(代表)会议", "--topic", "加装电梯",
                     "--start", "２０３０－１２－０３ １５：００", "--minutes", "60", "--place", "议事厅")
    assert again["type"] == "residents" and again["end"] == "2030-12-03T16:00:00+08:00"
    assert any("会场冲突" in w and "YS-2030-0001" in w for w in again["warnings"])
    listed = run_json(db_path, "meeting", "list", "--from", "2030-12-01", "--to", "2030-12-03")
    assert [m["reference"] for m in listed] == ["YS-2030-0001", "YS-2030-0002"]
    assert run_json(db_path, "meeting", "list", "--from", "2030-12-04") == []


def test_relative_start_and_errors_in_one_chinese_line(db_path: Path) -> None:
    out = run_json(db_path, "meeting", "add", "--type", "committee", "--topic", "月度两委会", "--start", "明天 9:00")
    # "明天" is tomorrow in the committee's zone (Asia/Shanghai), not the machine's: the CLI's
    # clock (conftest's GRASSROOTS_NOW) reads 2026-12-02 09:00 there, 2026-12-02 01:00 UTC.
    assert out["start"] == "2026-12-03T09:00:00+08:00"
    bad = run(db_path, "meeting", "add", "--type", "consultation", "--topic", "x", "--start", "2030-02-30 10:00",
              ok=False)
    assert bad.exit_code == 1 and "日期不存在" in bad.output and "Traceback" not in bad.output
    bad = run(db_path, "meeting", "add", "--type", "party", "--topic", "x", "--start", "2030-03-01 10:00", ok=False)
    assert "无法识别的会议类型" in bad.output
    assert "找不到会议" in run(db_path, "meeting", "show", "YS-2030-0099", ok=False).output


def test_loop_on_the_command_line_with_ics_and_papers(db_path: Path, tmp_path: Path, monkeypatch) -> None:  # noqa: ANN001
    ref = run_json(db_path, "meeting", "add", "--type", "consultation", "--topic", "楼道堆物",
                   "--start", "2026-12-03 14:30", "--place", "议事厅", "--notice", "2026-11-20")["reference"]
    concern = run_json(db_path, "concern", "add", "--summary", "楼道堆物", "--category", "0203")["reference"]
    run(db_path, "meeting", "agenda", ref, concern)
    for i in range(3):
        run(db_path, "meeting", "invite", ref, "--name", f"代表{i}", "--role", "member")
    run(db_path, "meeting", "invite", ref, "--name", "物业经理", "--role", "observer")
    over = run(db_path, "meeting", "vote", ref, "1", "--for", "1", ok=False)
    assert "没有第 1 项决议" in over.output
    run(db_path, "meeting", "resolve", ref, "--text", "物业两周内清理")
    early = run(db_path, "meeting", "checkin", ref, "1", ok=False)  # the day before
    assert "签到尚未开始" in early.output and "12月3日 13:30 起才能签到" in early.output
    clock_at(monkeypatch, "2026-12-03T13:40:00+08:00")
    status = run_json(db_path, "meeting", "checkin", ref, "1", "２")
    assert status["reached"] and status["present"] == 2 and status["entitled"] == 3
    too_soon = run(db_path, "meeting", "vote", ref, "1", "--for", "2", ok=False)
    assert "会议尚未开始" in too_soon.output and "会议开始后才能表决" in too_soon.output
    clock_at(monkeypatch, "2026-12-03T14:45:00+08:00")
    refused = run(db_path, "meeting", "vote", ref, "1", "--for", "2", "--against", "1", ok=False)
    assert "超过了实到的 2 人" in refused.output
    assert run_json(db_path, "meeting", "vote", ref, "1", "--for", "2")["outcome"] == "passed"
    action = run_json(db_path, "meeting", "action", ref, "1", "--title", "清理杂物", "--due", "2026-12-20",
                      "--unit", "WY")
    done = run_json(db_path, "meeting", "done", action["concern_reference"])
    assert done["awaiting_followup"] == [concern]
    shown = run_json(db_path, "meeting", "show", ref)
    assert shown["resolutions"][0]["actions"][0]["done"] and shown["quorum"]["reached"]

    ics = tmp_path / "one.ics"
    run(db_path, "meeting", "ics", ref, "--out", str(ics))
    event = vobject.readOne(ics.read_text(encoding="utf-8")).vevent
    assert event.summary.value == "议事协商会：楼道堆物" and event.location.value == "议事厅"
    all_ics = tmp_path / "all.ics"
    assert run_json(db_path, "meeting", "ics", "--out", str(all_ics))["meetings"] == [ref]

    for kind, words in (("notice", ["会议通知", "楼道堆物"]), ("signin", ["签到表", "本人签字", "代表0"]),
                        ("minutes", ["会议纪要", "主持人签字", "记录人签字", "赞成 2 票"]),
                        ("resolution", ["决议公示", "公示期"]), ("结果公示", ["结果公示", "全部办结"])):
        out = tmp_path / f"{kind}.html"
        run(db_path, "meeting", "paper", ref, "--kind", kind, "--out", str(out))
        html = out.read_text(encoding="utf-8")
        assert "@page { size: A4" in html and "SimSun" in html and '<meta charset="utf-8">' in html
        for word in words:
            assert word in html, (kind, word)


def test_papers_escape_user_text(db_path: Path, tmp_path: Path) -> None:
    ref = run_json(db_path, "meeting", "add", "--type", "consultation", "--topic", "<script>alert(1)</script>",
                   "--start", "2030-12-03 14:30")["reference"]
    out = tmp_path / "n.html"
    run(db_path, "meeting", "paper", ref, "--kind", "notice", "--out", str(out))
    html = out.read_text(encoding="utf-8")
    assert "<script>" not in html and "&lt;script&gt;" in html


def test_numbers_typed_full_width_or_wrong_get_chinese_answers(db_path: Path) -> None:
    ref = run_json(db_path, "meeting", "add", "--type", "consultation", "--topic", "楼道堆物",
                   "--start", "2026-12-02 09:00", "--minutes", "６０")["reference"]  # starts now
    for i in range(3):
        run(db_path, "meeting", "invite", ref, "--name", f"代表{i}", "--role", "member")
    run(db_path, "meeting", "resolve", ref, "--text", "物业两周内清理")
    run(db_path, "meeting", "checkin", ref, "1", "2", "3")
    assert run_json(db_path, "meeting", "vote", ref, "１", "--for", "３")["outcome"] == "passed"
    bad = run(db_path, "meeting", "vote", ref, "1", "--for", "三", ok=False)
    assert bad.exit_code == 1 and "赞成票应填整数" in bad.output
    assert "Invalid value" not in bad.output and "Traceback" not in bad.output
    bad = run(db_path, "meeting", "add", "--type", "consultation", "--topic", "x", "--start", "2030-12-04 10:00",
              "--minutes", "半小时", ok=False)
    assert bad.exit_code == 1 and "预计时长应填整数" in bad.output


def test_the_all_upcoming_calendar_tells_of_changes_and_cancellations(db_path: Path, tmp_path: Path) -> None:
    import icalendar

    ref = run_json(db_path, "meeting", "add", "--type", "consultation", "--topic", "停车位划线",
                   "--start", "2030-12-03 14:30")["reference"]
    first = tmp_path / "first.ics"
    run(db_path, "meeting", "ics", "--out", str(first))
    (before,) = icalendar.Calendar.from_ical(first.read_bytes()).walk("VEVENT")
    assert before["STATUS"] == "CONFIRMED"
    run(db_path, "meeting", "cancel", ref)
    second = tmp_path / "second.ics"
    run(db_path, "meeting", "ics", "--out", str(second))
    events = icalendar.Calendar.from_ical(second.read_bytes()).walk("VEVENT")
    assert [str(e["UID"]) for e in events] == [str(before["UID"])]  # still there, so calendars update it
    assert events[0]["STATUS"] == "CANCELLED"
    assert int(events[0]["SEQUENCE"]) > int(before["SEQUENCE"])


def test_move_void_and_carried_out_on_the_command_line(db_path: Path, tmp_path: Path, monkeypatch) -> None:  # noqa: ANN001
    ref = run_json(db_path, "meeting", "add", "--type", "joint", "--topic", "消防通道",
                   "--start", "2026-12-08 14:30", "--place", "议事厅", "--notice", "2026-12-01")["reference"]
    moved = run_json(db_path, "meeting", "move", ref, "--start", "2026-12-05 09:00", "--note", "会场维修")
    assert moved["start"] == "2026-12-05T09:00:00+08:00" and moved["version"] == 2
    assert any("周末" in w for w in moved["warnings"])
    text = run(db_path, "meeting", "move", ref, "--start", "2026-12-07 09:00").output
    assert "已改期到 2026-12-07 09:00" in text
    concern = run_json(db_path, "concern", "add", "--summary", "消防通道堵塞", "--category", "0203")["reference"]
    run(db_path, "meeting", "agenda", ref, concern)
    run(db_path, "meeting", "invite", ref, "--name", "物业经理", "--role", "unit_rep")
    run(db_path, "meeting", "resolve", ref, "--text", "物业当场清理")
    run(db_path, "meeting", "resolve", ref, "--text", "录重了")
    clock_at(monkeypatch, "2026-12-07T09:10:00+08:00")
    run(db_path, "meeting", "checkin", ref, "1")
    run(db_path, "meeting", "vote", ref, "1", "--for", "1")
    no_reason = run(db_path, "meeting", "void-vote", ref, "1", ok=False)
    assert no_reason.exit_code == 1 and "作废原因" in no_reason.output and "Traceback" not in no_reason.output
    assert run_json(db_path, "meeting", "void-vote", ref, "1", "--reason", "点错了决议")["status"] == "draft"
    run(db_path, "meeting", "vote", ref, "1", "--for", "1")
    run(db_path, "meeting", "void", ref, "2", "--reason", "与决议 1 重复")
    done = run_json(db_path, "meeting", "carried", ref, "1", "--note", "已当场清理")
    assert done["awaiting_followup"] == [concern]
    shown = run_json(db_path, "meeting", "show", ref)
    first, second = shown["resolutions"]
    assert first["carried_out"] and first["vote"]["voided_at"] is None
    assert [v["void_reason"] for v in first["voided_votes"]] == ["点错了决议"]
    assert second["voided"] and second["status_label"] == "已作废" and second["void_reason"] == "与决议 1 重复"
    assert [e["action"] for e in shown["events"]] == ["rescheduled", "rescheduled", "void_vote", "void_resolution",
                                                      "carried_out"]
    text = run(db_path, "meeting", "show", ref).output
    assert "[已作废：与决议 1 重复]" in text and "已作废的表决" in text and "点错了决议" in text
    assert "[已落实]" in text and "改期：会场维修" in text

    ics = tmp_path / "m.ics"
    run(db_path, "meeting", "ics", ref, "--out", str(ics), "--remind", "３０")
    event = vobject.readOne(ics.read_text(encoding="utf-8")).vevent
    assert event.uid.value.startswith(f"{ref}@") and int(event.sequence.value) >= 3
    assert str(event.valarm.trigger.value) == "-1 day, 23:30:00"
    bad = run(db_path, "meeting", "ics", ref, "--out", str(ics), "--remind", "半天", "--force", ok=False)
    assert bad.exit_code == 1 and "提醒时间应填整数" in bad.output

"""A command naming several items does all or none (issue 9): checked first, written in one transaction."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from grassroots_tui.cli import app


def run(db: Path, *args: str):  # noqa: ANN201
    return CliRunner().invoke(app, [*args, "--db", str(db)])


def run_json(db: Path, *args: str):  # noqa: ANN201
    result = run(db, *args, "--json")
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def _meeting(db: Path) -> str:
    ref = run_json(db, "meeting", "add", "--type", "consultation", "--topic", "楼道堆物",
                   "--start", "2026-12-02 09:30")["reference"]  # half an hour after GRASSROOTS_NOW: check-in open
    for i in range(3):
        assert run(db, "meeting", "invite", ref, "--name", f"代表{i}", "--role", "member").exit_code == 0
    return ref


def test_checkin_with_one_unknown_number_checks_in_nobody(db_path: Path) -> None:
    ref = _meeting(db_path)
    bad = run(db_path, "meeting", "checkin", ref, "1", "99")
    assert bad.exit_code == 1 and "名单中没有序号“99”" in bad.output and "Traceback" not in bad.output
    shown = run_json(db_path, "meeting", "show", ref)
    assert [p["present"] for p in shown["participants"]] == [False, False, False]
    assert shown["status"] == "planned"  # not turned "held" by a half check-in
    good = run_json(db_path, "meeting", "checkin", ref, "1", "３")
    assert good["present"] == 2
    assert [p["present"] for p in run_json(db_path, "meeting", "show", ref)["participants"]] == [True, False, True]


def test_agenda_with_one_missing_concern_adds_none(db_path: Path) -> None:
    ref = _meeting(db_path)
    first = run_json(db_path, "concern", "add", "--summary", "楼道堆物", "--category", "0203")["reference"]
    second = run_json(db_path, "concern", "add", "--summary", "单车乱停", "--category", "0203")["reference"]
    bad = run(db_path, "meeting", "agenda", ref, first, "SQ-2026-999999")
    assert bad.exit_code == 1 and "SQ-2026-999999" in bad.output and "Traceback" not in bad.output
    assert run_json(db_path, "meeting", "show", ref)["agenda"] == []
    history = run_json(db_path, "concern", "show", first)
    assert not any(e["action"] == "agenda" for e in history["events"])  # no 上会 event either
    twice = run(db_path, "meeting", "agenda", ref, first, first)
    assert twice.exit_code == 1 and "已在本次会议的议题中" in twice.output
    assert run_json(db_path, "meeting", "show", ref)["agenda"] == []
    both = run_json(db_path, "meeting", "agenda", ref, first, second)
    assert [a["concern_reference"] for a in both] == [first, second]
    assert [a["position"] for a in run_json(db_path, "meeting", "show", ref)["agenda"]] == [1, 2]


def test_the_service_the_screens_use_is_all_or_none(ws, clerk_id) -> None:  # noqa: ANN001
    from datetime import datetime
    from zoneinfo import ZoneInfo

    import pytest

    from grassroots_tui.domain.errors import DomainError
    from grassroots_tui.services.meetings import MeetingDraft, add_participant, get_meeting, schedule_meeting, set_present

    start = datetime(2026, 9, 30, 9, 30, tzinfo=ZoneInfo("Asia/Shanghai"))  # the clock's 09:00: check-in open
    ref = schedule_meeting(ws, clerk_id, MeetingDraft(type="consultation", topic="议题", start=start)).meeting.reference
    ids = [add_participant(ws, ref, name=f"代表{i}").id for i in range(2)]
    with pytest.raises(DomainError, match="参会名单中没有这个人"):
        set_present(ws, ref, [ids[0], 10_000])
    assert [p.present for p in get_meeting(ws, ref).participants] == [False, False]
    assert set_present(ws, ref, ids).present == 2

"""Two clerks editing the same minutes or vote: the second save is refused, nothing of it written (issue 9)."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from grassroots_tui.domain.errors import StaleVersion

TZ = ZoneInfo("Asia/Shanghai")
START = datetime(2026, 9, 30, 9, 0, tzinfo=TZ)  # the `clock` fixture's now: check-in and votes open


def meeting_with_item(ws, clerk_id) -> str:  # noqa: ANN001
    from grassroots_tui.services.meetings import (
        MeetingDraft,
        add_agenda_item,
        add_participant,
        add_resolution,
        schedule_meeting,
        set_present,
    )

    ref = schedule_meeting(ws, clerk_id, MeetingDraft(type="consultation", topic="楼道堆物", start=START)
                           ).meeting.reference
    add_agenda_item(ws, ref, "清理楼道杂物")
    add_resolution(ws, ref, "物业两周内清理", 1)
    ids = [add_participant(ws, ref, name=f"代表{i}", role="member").id for i in range(3)]
    set_present(ws, ref, ids)
    return ref


def test_the_second_clerks_minutes_do_not_replace_the_firsts(ws, clerk_id, db_path: Path, clock) -> None:  # noqa: ANN001
    from grassroots_tui.services.meetings import get_meeting, record_minutes
    from grassroots_tui.services.workspace import Workspace

    ref = meeting_with_item(ws, clerk_id)
    other = Workspace.open(db_path, clock=clock)  # a second clerk at another PC
    try:
        mine = get_meeting(ws, ref).agenda[0]
        theirs = get_meeting(other, ref).agenda[0]
        record_minutes(other, ref, 1, "乙：物业已答应", expected_version=theirs.version)
        with pytest.raises(StaleVersion, match="刚被其他人修改过"):
            record_minutes(ws, ref, 1, "甲：居民要求一周内", expected_version=mine.version)
        assert get_meeting(ws, ref).agenda[0].minutes == "乙：物业已答应"
        fresh = get_meeting(ws, ref).agenda[0]
        assert fresh.version == mine.version + 1
        record_minutes(ws, ref, 1, "甲：居民要求一周内", expected_version=fresh.version)
        assert get_meeting(other, ref).agenda[0].minutes == "甲：居民要求一周内"
    finally:
        other.close()


def test_a_vote_recorded_against_a_stale_resolution_is_refused(ws, clerk_id, db_path: Path, clock) -> None:  # noqa: ANN001
    from grassroots_tui.services.meetings import get_meeting, record_vote
    from grassroots_tui.services.workspace import Workspace

    ref = meeting_with_item(ws, clerk_id)
    other = Workspace.open(db_path, clock=clock)
    try:
        mine = get_meeting(ws, ref).resolutions[0]
        theirs = get_meeting(other, ref).resolutions[0]
        record_vote(other, clerk_id, theirs.id, 1, 2, expected_version=theirs.version)  # fails: re-vote allowed
        with pytest.raises(StaleVersion):
            record_vote(ws, clerk_id, mine.id, 3, expected_version=mine.version)
        res = get_meeting(ws, ref).resolutions[0]
        assert res.status == "failed" and res.vote.votes_for == 1  # the first clerk's vote stands alone
        assert record_vote(ws, clerk_id, res.id, 3, expected_version=res.version).outcome == "passed"
    finally:
        other.close()


def test_two_clerks_editing_one_resident(ws, clerk_id, db_path: Path, clock) -> None:  # noqa: ANN001
    from dataclasses import replace

    from grassroots_tui.services.residents import ResidentDraft, add_resident, get_resident, update_resident
    from grassroots_tui.services.workspace import Workspace

    r = add_resident(ws, clerk_id, ResidentDraft(name="张三丰", phone="13812345678", address="3-2-301"))
    other = Workspace.open(db_path, clock=clock)
    try:
        draft = ResidentDraft(name="张三丰", phone="13812345678", address="3-2-301")
        update_resident(other, clerk_id, r.id, replace(draft, phone="13900001111"), expected_version=r.version)
        with pytest.raises(StaleVersion):
            update_resident(ws, clerk_id, r.id, replace(draft, phone="13722223333"), expected_version=r.version)
        assert get_resident(ws, r.id).phone_masked == "139****1111"
    finally:
        other.close()

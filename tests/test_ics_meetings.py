"""The .ics export, read back by a different parser (vobject) than the one that wrote it (icalendar)."""

from __future__ import annotations

from datetime import date, datetime, timezone
from zoneinfo import ZoneInfo

import vobject

from grassroots_tui.io.ics import build_calendar, default_uid_domain, meeting_uid
from grassroots_tui.services import concerns as cs
from grassroots_tui.services import meetings as ms

TZ = ZoneInfo("Asia/Shanghai")
TOPIC = "楼道堆物, 消防通道; 清理\\方案 [red]x[/red]"


def test_read_back_by_vobject_with_times_zone_and_chinese_text(ws, clerk_id, clock) -> None:  # noqa: ANN001
    clock.set(2026, 11, 30, 10, 0)
    concern = cs.log_concern(ws, clerk_id, cs.ConcernDraft(summary="3号楼楼道堆满杂物", category="0203"))
    first = ms.schedule_meeting(ws, clerk_id, ms.MeetingDraft(
        type="consultation", topic=TOPIC, start=datetime(2026, 12, 3, 14, 30, tzinfo=TZ), minutes=120,
        place="社区议事厅（二楼）", chair="王主任", minute_taker="李四", notice_date=date(2026, 11, 25))).meeting
    ms.add_agenda_concern(ws, clerk_id, first.reference, concern.reference)
    # Across midnight at the end of the month.
    second = ms.schedule_meeting(ws, clerk_id, ms.MeetingDraft(
        type="joint", topic="夜间施工协调", start=datetime(2026, 12, 31, 23, 0, tzinfo=TZ), minutes=90,
        place="物业会议室", notice_date=date(2026, 12, 20))).meeting
    meetings = [ms.get_meeting(ws, first.reference), ms.get_meeting(ws, second.reference)]
    data = build_calendar(meetings, committee="幸福里社区居民委员会", tz=ws.tz, now=ws.now())

    cal = vobject.readOne(data.decode("utf-8"))
    events = {ev.uid.value: ev for ev in cal.vevent_list}
    domain = default_uid_domain("幸福里社区居民委员会")
    assert set(events) == {meeting_uid(first.reference, domain), meeting_uid(second.reference, domain)}

    ev = events[meeting_uid(first.reference, domain)]
    start, end = ev.dtstart.value, ev.dtend.value
    assert start == datetime(2026, 12, 3, 14, 30, tzinfo=TZ)
    assert start.astimezone(timezone.utc) == datetime(2026, 12, 3, 6, 30, tzinfo=timezone.utc)
    assert start.utcoffset().total_seconds() == 8 * 3600
    assert b"DTSTART;TZID=Asia/Shanghai:20261203T143000" in data  # local time with its zone, not floating
    assert end == datetime(2026, 12, 3, 16, 30, tzinfo=TZ)
    assert ev.summary.value == f"议事协商会：{TOPIC}"
    assert ev.location.value == "社区议事厅（二楼）"
    description = ev.description.value
    assert "主持人：王主任" in description and "记录人：李四" in description
    assert "1. 3号楼楼道堆满杂物" in description.splitlines()

    late = events[meeting_uid(second.reference, domain)]
    assert late.dtstart.value == datetime(2026, 12, 31, 23, 0, tzinfo=TZ)
    assert late.dtend.value == datetime(2027, 1, 1, 0, 30, tzinfo=TZ)
    assert late.dtend.value.astimezone(timezone.utc) == datetime(2026, 12, 31, 16, 30, tzinfo=timezone.utc)


def test_cancelled_meeting_is_marked(ws, clerk_id, clock) -> None:  # noqa: ANN001
    clock.set(2026, 11, 30, 10, 0)
    ref = ms.schedule_meeting(ws, clerk_id, ms.MeetingDraft(
        type="talk", topic="冬季供暖", start=datetime(2026, 12, 9, 9, 0, tzinfo=TZ))).meeting.reference
    ms.update_status(ws, ref, "cancelled", "天气原因")
    cal = vobject.readOne(build_calendar([ms.get_meeting(ws, ref)], tz=ws.tz).decode("utf-8"))
    assert cal.vevent.status.value == "CANCELLED"

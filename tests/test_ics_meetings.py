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


def _events(data: bytes) -> dict:
    import icalendar

    return {str(e["UID"]): e for e in icalendar.Calendar.from_ical(data).walk("VEVENT")}


def test_sequence_and_last_modified_go_up_with_every_change(ws, clerk_id, clock) -> None:  # noqa: ANN001
    clock.set(2026, 11, 30, 10, 0)
    ref = ms.schedule_meeting(ws, clerk_id, ms.MeetingDraft(
        type="consultation", topic="停车位划线", start=datetime(2026, 12, 8, 14, 30, tzinfo=TZ))).meeting.reference
    seen = []

    def export() -> tuple[int, datetime, str]:
        data = build_calendar([ms.get_meeting(ws, ref)], **ms.calendar_options(ws))
        (ev,) = _events(data).values()
        again = vobject.readOne(data.decode("utf-8")).vevent  # a second reader agrees
        assert again.last_modified.value == ev["LAST-MODIFIED"].dt and int(again.sequence.value) == ev["SEQUENCE"]
        return int(ev["SEQUENCE"]), ev["LAST-MODIFIED"].dt, str(ev["STATUS"])

    seen.append(export())
    assert seen[0][1] == datetime(2026, 11, 30, 2, 0, tzinfo=timezone.utc)  # UTC, as RFC 5545 asks
    ms.add_agenda_item(ws, ref, "划线方案")  # same instant: LAST-MODIFIED still goes up a second
    seen.append(export())
    clock.set(2026, 12, 1, 16, 0)
    ms.reschedule_meeting(ws, clerk_id, ref, datetime(2026, 12, 9, 9, 0, tzinfo=TZ))
    seen.append(export())
    ms.update_status(ws, ref, "cancelled", "取消")
    seen.append(export())
    sequences, stamps, statuses = zip(*seen, strict=True)
    assert list(sequences) == sorted(set(sequences)) and list(stamps) == sorted(set(stamps))
    assert stamps[1] == stamps[0] + (datetime(2026, 1, 1, 0, 0, 1) - datetime(2026, 1, 1))
    assert statuses[-1] == "CANCELLED"


def test_uid_domain_is_the_committees_own_and_configurable(ws, clerk_id, clock, tmp_path, monkeypatch) -> None:  # noqa: ANN001
    from grassroots_tui.config import Settings

    clock.set(2026, 11, 30, 10, 0)
    meeting = ms.get_meeting(ws, ms.schedule_meeting(ws, clerk_id, ms.MeetingDraft(
        type="talk", topic="冬季供暖", start=datetime(2026, 12, 9, 9, 0, tzinfo=TZ))).meeting.reference)
    ours = _events(build_calendar([meeting], committee="幸福里社区居民委员会"))
    theirs = _events(build_calendar([meeting], committee="和平里社区居民委员会"))
    assert list(ours)[0].startswith("YS-2026-0001@") and set(ours).isdisjoint(theirs)  # never collide
    assert ours == _events(build_calendar([meeting], committee="幸福里社区居民委员会"))  # stable
    assert list(_events(build_calendar([meeting], **ms.calendar_options(ws))))[0] == \
        "YS-2026-0001@" + default_uid_domain(ws.settings.committee_name)
    folder = tmp_path / "userconfig"
    folder.mkdir(exist_ok=True)
    (folder / "settings.toml").write_text('committee_name = "幸福里"\n[ics]\nuid_domain = "xfl.example.cn"\n'
                                          "reminder_minutes = 0\n", encoding="utf-8")
    monkeypatch.setattr(ws, "settings", Settings())
    options = ms.calendar_options(ws)
    assert options["uid_domain"] == "xfl.example.cn" and options["reminder_minutes"] == 0
    data = build_calendar([meeting], **options)
    assert list(_events(data)) == ["YS-2026-0001@xfl.example.cn"] and b"BEGIN:VALARM" not in data
    (folder / "settings.toml").write_text('[ics]\nuid_domain = "a b@c"\n', encoding="utf-8")
    monkeypatch.setattr(ws, "settings", Settings())
    import pytest

    from grassroots_tui.domain.errors import DomainError

    with pytest.raises(DomainError, match="uid_domain"):
        ms.calendar_options(ws)


def test_a_reminder_a_day_before_by_default_and_none_for_a_cancelled_meeting(ws, clerk_id, clock) -> None:  # noqa: ANN001
    from datetime import timedelta

    clock.set(2026, 11, 30, 10, 0)
    ref = ms.schedule_meeting(ws, clerk_id, ms.MeetingDraft(
        type="talk", topic="冬季供暖", start=datetime(2026, 12, 9, 9, 0, tzinfo=TZ))).meeting.reference
    data = build_calendar([ms.get_meeting(ws, ref)], **ms.calendar_options(ws))
    (ev,) = _events(data).values()
    (alarm,) = ev.walk("VALARM")
    assert alarm["ACTION"] == "DISPLAY" and alarm["TRIGGER"].dt == -timedelta(days=1)
    read = vobject.readOne(data.decode("utf-8")).vevent.valarm
    assert read.trigger.value == -timedelta(days=1) and read.description.value == "民情恳谈会：冬季供暖"
    two_hours = build_calendar([ms.get_meeting(ws, ref)], **ms.calendar_options(ws, 120))
    assert list(_events(two_hours).values())[0].walk("VALARM")[0]["TRIGGER"].dt == -timedelta(hours=2)
    assert b"VALARM" not in build_calendar([ms.get_meeting(ws, ref)], **ms.calendar_options(ws, 0))
    ms.update_status(ws, ref, "cancelled")
    assert b"VALARM" not in build_calendar([ms.get_meeting(ws, ref)], **ms.calendar_options(ws))

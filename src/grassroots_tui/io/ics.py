"""Meetings as an iCalendar file (RFC 5545) for the clerks' and residents' calendars.

Written with the `icalendar` package. Times carry the committee's time zone (TZID with a
VTIMEZONE block generated from zoneinfo), so a calendar in another zone shows them right;
UIDs are stable per meeting so re-importing updates instead of duplicating. RFC 5545 allows no
control characters in text values: stored text goes in with them shown as visible symbols
(`domain.text`), line breaks kept only in DESCRIPTION.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timezone
from pathlib import Path

from icalendar import Calendar, Event, Timezone

from grassroots_tui.domain.meetings import meeting_title
from grassroots_tui.domain.text import printable, printable_line

PRODID = "-//grassroots//社区议事协商//ZH"


def meeting_uid(reference: str, domain: str = "grassroots.local") -> str:
    return f"{reference}@{domain}"


def build_calendar(meetings: Iterable, *, committee: str = "", tz=None, now: datetime | None = None) -> bytes:  # noqa: ANN001
    """`meetings`: MeetingSummary / MeetingDetail objects (aware start_at / end_at)."""
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add("x-wr-calname", printable_line(f"{committee}议事协商".strip() or "议事协商"))
    stamp = (now or datetime.now(timezone.utc)).astimezone(timezone.utc)
    zones: set[str] = set()
    events: list[Event] = []
    for m in meetings:
        start = m.start_at.astimezone(tz) if tz is not None else m.start_at
        end = m.end_at.astimezone(tz) if tz is not None else m.end_at
        zones.add(str(start.tzinfo))
        ev = Event()
        ev.add("uid", meeting_uid(m.reference))
        ev.add("dtstamp", stamp)
        ev.add("dtstart", start)
        ev.add("dtend", end)
        ev.add("summary", printable_line(meeting_title(m.type_label, m.topic)))
        if m.place:
            ev.add("location", printable_line(m.place))
        lines = [f"会议编号：{m.reference}", f"类型：{m.type_label}"]
        if m.chair:
            lines.append(f"主持人：{m.chair}")
        if getattr(m, "minute_taker", ""):
            lines.append(f"记录人：{m.minute_taker}")
        agenda = getattr(m, "agenda", None) or []
        if agenda:
            lines.append("议题：")
            lines.extend(f"{a.position}. {printable_line(a.title)}" for a in agenda)
        ev.add("description", printable("\n".join(lines)))
        ev.add("status", "CANCELLED" if m.status == "cancelled" else "CONFIRMED")
        ev.add("sequence", max(0, getattr(m, "version", 1) - 1))  # calendars apply the higher one
        ev.add("categories", [printable_line(m.type_label)])
        events.append(ev)
    for name in sorted(zones):
        try:
            cal.add_component(Timezone.from_tzid(name))
        except Exception:  # noqa: BLE001 - an offset-only zone: times still carry their offset
            pass
    for ev in events:
        cal.add_component(ev)
    return cal.to_ical()


def write_calendar(path: Path | str, meetings: Iterable, **kwargs) -> Path:  # noqa: ANN003
    """Build, then write beside `path`, fsync, rename: a full disk leaves the old file or none.

    The caller has checked the target (`safe_file.check_target`: not a database, replace asked).
    """
    from grassroots_tui.io.safe_file import check_target, write_bytes

    path = check_target(path, force=True)  # never onto a database, whoever calls
    return write_bytes(path, build_calendar(meetings, **kwargs))

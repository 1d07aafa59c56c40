"""Meetings as an iCalendar file (RFC 5545) for the clerks' and residents' calendars.

Written with the `icalendar` package. Times carry the committee's time zone (TZID with a
VTIMEZONE block generated from zoneinfo), so a calendar in another zone shows them right;
UIDs are stable per meeting (`YS-2026-0001@` the committee's own domain, so two committees'
meetings never collide) so re-importing updates instead of duplicating: SEQUENCE (the meeting's
version) and LAST-MODIFIED (its last change, UTC) go up with every change, a cancelled meeting
stays in with STATUS:CANCELLED. An optional VALARM reminds before each meeting. RFC 5545 allows no
control characters in text values: stored text goes in with them shown as visible symbols
(`domain.text`), line breaks kept only in DESCRIPTION.
"""

from __future__ import annotations

import hashlib
import unicodedata
from collections.abc import Iterable
from datetime import datetime, timedelta, timezone
from pathlib import Path

from icalendar import Alarm, Calendar, Event, Timezone

from grassroots_tui.domain.meetings import meeting_title
from grassroots_tui.domain.text import printable, printable_line

PRODID = "-//grassroots//社区议事协商//ZH"
DEFAULT_REMINDER_MINUTES = 24 * 60


def default_uid_domain(committee: str) -> str:
    """A domain of the committee's own, the same every time for the same name: a digest of the
    name under the reserved `.invalid` top-level domain (it never names a real host)."""
    name = unicodedata.normalize("NFKC", committee or "").strip()
    return f"c{hashlib.sha256(name.encode('utf-8')).hexdigest()[:16]}.grassroots.invalid"


def meeting_uid(reference: str, domain: str) -> str:
    return f"{reference}@{domain}"


def _reminder(minutes: int, title: str) -> Alarm:
    alarm = Alarm()
    alarm.add("action", "DISPLAY")
    alarm.add("description", title)
    alarm.add("trigger", -timedelta(minutes=minutes))  # before the start
    return alarm


def build_calendar(meetings: Iterable, *, committee: str = "", tz=None, now: datetime | None = None,  # noqa: ANN001
                   uid_domain: str | None = None, reminder_minutes: int = 0) -> bytes:
    """`meetings`: MeetingSummary / MeetingDetail objects (aware start_at / end_at, `updated_at`).

    `uid_domain`: default derived from `committee`; `reminder_minutes` 0: no VALARM."""
    domain = uid_domain or default_uid_domain(committee)
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
        ev.add("uid", meeting_uid(m.reference, domain))
        ev.add("dtstamp", stamp)
        changed = getattr(m, "updated_at", None)
        if changed is not None:
            ev.add("last-modified", changed.astimezone(timezone.utc).replace(microsecond=0))
        ev.add("dtstart", start)
        ev.add("dtend", end)
        title = printable_line(meeting_title(m.type_label, m.topic))
        ev.add("summary", title)
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
        if reminder_minutes and m.status != "cancelled":
            ev.add_component(_reminder(reminder_minutes, title))
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

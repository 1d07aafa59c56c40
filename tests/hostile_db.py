"""A database whose every text field carries terminal escape sequences (issue 9).

The payload: an OSC 52 clipboard write, an OSC 2 window title (ESC \\ terminated), a screen clear
`ESC[2J`, a BEL-terminated OSC 0, a right-to-left override U+202E, and BS, CR, DEL and an 8-bit
CSI (C1). Written through the services wherever they accept it; the fields the services refuse
(a resident's or clerk's name has no control characters) are written by SQL afterwards, as an
older version or another tool could have left them. Units and grids come from the committee's
own config files (`units.toml`, `grids.toml` in the config folder), so the payload goes there.
"""

from __future__ import annotations

import json
import re
import sqlite3
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

TZ = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 10, 12, 10, 0, tzinfo=TZ)  # a Monday

OSC52 = "\x1b]52;c;SGVsbG8=\x07"
OSC2 = "\x1b]2;pwned\x1b\\"
CLEAR = "\x1b[2J"
BEL_OSC = "\x1b]0;bel\x07"
RLO = "\u202e"
EXTRA = "\x08\r\x7f\x9b"
PAYLOAD = f"甲{OSC52}乙{OSC2}丙{CLEAR}丁{BEL_OSC}戊{RLO}己{EXTRA}"
assert len(PAYLOAD) <= 50  # fits a name or a proposer (50 characters)

# What the sanitiser shows for the payload's ESC: the text was drawn, not dropped.
ESC_PICTURE = "\u241b"  # ␛
# Strings that must never reach a terminal (the app's own output has none of them). Shown as
# symbols the payload reads `␛]52;c;…␇`: the letters are harmless once the ESC is not raw.
RAW = ("\x1b]52;", "\x1b]2;pwned", "\x1b]0;bel", "\x07", "\x1b[2J", "\u202e", "\x08", "\r", "\x7f", "\x9b",
       "\x1b\\")

MEETING_START = datetime(2026, 10, 12, 14, 30, tzinfo=TZ)  # today: on the dashboard too


class FixedClock:
    def __init__(self, now: datetime = NOW) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


def _toml(value: str) -> str:
    return json.dumps(value)  # a JSON string with \uXXXX escapes is a TOML basic string


def write_config(config_dir: Path, data_dir: Path) -> None:
    """The committee's own units.toml and grids.toml, with the payload in a unit's and a grid's name."""
    config_dir.mkdir(parents=True, exist_ok=True)
    units = (data_dir / "units.toml").read_text(encoding="utf-8")
    units = units.replace('name = "物业服务中心"', f"name = {_toml('物业' + PAYLOAD)}", 1)
    (config_dir / "units.toml").write_text(units, encoding="utf-8")
    grids = (data_dir / "grids.toml").read_text(encoding="utf-8")
    grids = re.sub(r'name = "([^"]*)"', lambda m: f"name = {_toml(m.group(1) + PAYLOAD)}", grids, count=1)
    (config_dir / "grids.toml").write_text(grids, encoding="utf-8")


def build(path: Path, clock: FixedClock | None = None) -> dict[str, str]:
    """Write the hostile records; returns their references."""
    from grassroots_tui.config import packaged_data_dir, user_config_dir
    from grassroots_tui.domain.codes import Action
    from grassroots_tui.domain.pipeline import Request
    from grassroots_tui.services.clerks import current_clerk
    from grassroots_tui.services.concerns import ConcernDraft, act, log_concern
    from grassroots_tui.services.meetings import (
        MeetingDraft,
        add_action_item,
        add_agenda_concern,
        add_agenda_item,
        add_participant,
        add_resolution,
        record_minutes,
        record_vote,
        schedule_meeting,
        set_present,
    )
    from grassroots_tui.services.residents import ResidentDraft, add_resident
    from grassroots_tui.services.workspace import Workspace

    write_config(user_config_dir(), packaged_data_dir())
    clock = clock or FixedClock()
    ws = Workspace.open(path, clock=clock)
    try:
        me = current_clerk(ws).id
        grid = ws.settings.grids[0]["code"]
        resident = add_resident(ws, me, ResidentDraft(
            name="恶意居民", phone="13812345678", address="3-2-301", estate=PAYLOAD, grid=grid,
            tags=("独居" + PAYLOAD,), notes=PAYLOAD, relation_to_head=PAYLOAD[:20], residence_type="",
            tenure=""))
        concern = log_concern(ws, me, ConcernDraft(
            summary="漏水" + PAYLOAD, category="0801", detail="详情" + PAYLOAD + "\n第二行" + PAYLOAD,
            resident_id=resident.id, received_at=datetime(2026, 10, 9, 9, 0, tzinfo=TZ),
            location_text="地点" + PAYLOAD)).reference
        act(ws, me, concern, Request(Action.DISPATCH, unit_code="WY", note="派单说明" + PAYLOAD),
            at=datetime(2026, 10, 9, 10, 0, tzinfo=TZ))
        second = log_concern(ws, me, ConcernDraft(
            summary="噪音" + PAYLOAD, category="0803", detail=PAYLOAD, resident_id=resident.id,
            received_at=datetime(2026, 10, 12, 9, 0, tzinfo=TZ), location_text=PAYLOAD)).reference
        # Never dispatched, received two weeks ago: overdue on the dashboard.
        log_concern(ws, me, ConcernDraft(summary="超期" + PAYLOAD, category="0801", detail=PAYLOAD,
                                         received_at=datetime(2026, 9, 28, 9, 0, tzinfo=TZ)))
        meeting = schedule_meeting(ws, me, MeetingDraft(
            type="consultation", topic="议题" + PAYLOAD, start=MEETING_START, place="议事厅" + PAYLOAD,
            chair=PAYLOAD, minute_taker=PAYLOAD, notes=PAYLOAD)).meeting.reference
        today, clock.now = clock.now, MEETING_START  # check-in and votes once the meeting has begun
        for i in range(3):
            p = add_participant(ws, meeting, f"{i}{PAYLOAD}"[:50], role="member", organisation=PAYLOAD)
            set_present(ws, meeting, p.id)
        add_participant(ws, meeting, role="resident", resident_id=resident.id)
        add_agenda_concern(ws, me, meeting, second)
        add_agenda_item(ws, meeting, "提议" + PAYLOAD, proposer=PAYLOAD)
        record_minutes(ws, meeting, 1, "记录" + PAYLOAD + "\n" + PAYLOAD)
        record_minutes(ws, meeting, 2, PAYLOAD)
        resolution = add_resolution(ws, meeting, "决议" + PAYLOAD)
        record_vote(ws, me, resolution.id, 3)
        clock.now = today
        action = add_action_item(ws, me, resolution.id, "事项" + PAYLOAD, unit="WY",
                                 due=datetime(2026, 10, 30, tzinfo=TZ).date())
    finally:
        ws.close()
    # Names the services refuse (no control characters in a name) but an older database may hold.
    with sqlite3.connect(path) as db:
        db.execute("UPDATE resident SET name = ? WHERE id = ?", ("恶意" + PAYLOAD[:40], resident.id))
        db.execute("UPDATE clerk SET name = ? WHERE id = ?", ("员" + PAYLOAD[:40], me))
    return {"concern": concern, "second": second, "meeting": meeting, "resident": str(resident.id),
            "action": action.concern_reference or ""}

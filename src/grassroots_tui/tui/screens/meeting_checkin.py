"""Participants and check-in: who is invited (应到), who came (实到), and whether there is a quorum.

Fast and IME-safe: type a participant's number and Enter to check them in (digits pass
through a Chinese IME; full-width digits are read too), or move with Up/Down and press Enter
on the list to check in or undo. The quorum line updates after every check-in.
Residents are added with the type-ahead lookup (name, pinyin initials, phone tail, 3-2-301);
Ctrl+N adds anyone else (a member, a partner unit's representative, a non-voting 列席).
"""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.screen import Screen
from textual.widgets import DataTable, Input, Label, Static

from grassroots_tui.domain.errors import DomainError
from grassroots_tui.domain.validation import nfkc
from grassroots_tui.tui.widgets.footer import KeyBar
from grassroots_tui.tui.widgets.lists import Column, CroppedTable
from grassroots_tui.tui.widgets.resident_lookup import ResidentLookup
from grassroots_tui.tui.widgets.text import printable
from grassroots_tui.tui.widgets.top_bar import TopBar


class ParticipantTable(CroppedTable):
    COLUMNS = (
        Column("number", "序号", 4),
        Column("name", "姓名", 0),
        Column("role", "身份", 14),
        Column("organisation", "单位", 16, min_total=90),
        Column("present", "签到", 10),
    )

    def cells(self, row: Any) -> dict[str, str | Text]:
        present = Text(f"已到 {row.checked_in_at:%H:%M}" if row.present and row.checked_in_at else
                       ("已到" if row.present else "未到"), style="bold green" if row.present else "dim")
        role = row.role_label if row.voting else "列席"
        return {"number": str(row.number), "name": row.name, "role": role, "organisation": row.organisation,
                "present": present}

    def row_key(self, row: Any) -> str:
        return str(row.id)


class CheckInScreen(Screen):
    DEFAULT_CSS = """
    CheckInScreen #quorum { height: auto; padding: 0 1; background: $boost; }
    CheckInScreen .checkin-row { height: auto; padding: 0 1; }
    CheckInScreen .checkin-label { width: 12; height: 1; }
    CheckInScreen #number { width: 16; }
    CheckInScreen ResidentLookup { width: 1fr; }
    CheckInScreen #checkin-message { height: 1; padding: 0 1; color: $text-muted; }
    CheckInScreen ParticipantTable { height: 1fr; }
    """

    BINDINGS = [
        Binding("escape", "back", "返回", id="checkin_back", tooltip="回到会议详情"),
        Binding("ctrl+n", "other", "其他人员", id="checkin_other",
                tooltip="添加委员/代表、共建单位代表或列席人员（不在居民台账中的）"),
        Binding("f7", "focus_number", "签到号", id="checkin_number", tooltip="光标回到签到序号输入框"),
        Binding("f8", "focus_lookup", "加居民", id="checkin_lookup", tooltip="光标到居民查找框，选中后加入名单"),
    ]

    def __init__(self, reference: str) -> None:
        super().__init__(name="meetings", classes="section-screen")
        self.reference = reference
        self.meeting: Any = None
        self.loads = 0

    def compose(self) -> ComposeResult:
        yield TopBar("议事协商 ｜ 签到")
        yield Static(Text("正在读取参会名单"), id="quorum")
        with Horizontal(classes="checkin-row"):
            yield Label(Text("签到序号"), classes="checkin-label")
            yield Input(placeholder="序号+Enter", compact=True, id="number")
        with Horizontal(classes="checkin-row"):
            yield Label(Text("添加居民"), classes="checkin-label")
            yield ResidentLookup(id="lookup")
        yield Static(Text(""), id="checkin-message")
        yield ParticipantTable(id="participants")
        yield KeyBar()

    def on_mount(self) -> None:
        self.query_one("#number", Input).focus()
        self.reload()

    def reload(self) -> None:
        ws = getattr(self.app, "ws", None)
        if ws is not None:
            self._load(ws)

    @work(thread=True, exclusive=True, group="checkin-load", exit_on_error=False)
    def _load(self, ws: Any) -> None:
        from grassroots_tui.services.meetings import get_meeting

        try:
            meeting = get_meeting(ws, self.reference)
        except DomainError as exc:
            self.app.call_from_thread(self.say, exc.message, True)
            return
        self.app.call_from_thread(self.show_meeting, meeting)

    def show_meeting(self, meeting: Any) -> None:
        self.meeting = meeting
        self._show_quorum(meeting.quorum, meeting.invited)
        self.query_one(ParticipantTable).show(meeting.participants)
        self.loads += 1

    def _show_quorum(self, quorum: Any, invited: int) -> None:
        text = Text()
        if quorum is not None and invited > quorum.entitled:
            text.append(f"名单 {invited} 人（列席 {invited - quorum.entitled} 人）  ")
        if quorum is not None:
            text.append(quorum.describe(), style="bold green" if quorum.reached else "bold red")
        self.query_one("#quorum", Static).update(text)

    def say(self, message: str, error: bool = False) -> None:
        line = self.query_one("#checkin-message", Static)
        line.update(Text(printable(message), style="bold red" if error else ""))

    # ------------------------------------------------------------------ check-in

    @on(Input.Submitted, "#number")
    def _number(self, event: Input.Submitted) -> None:
        event.stop()
        raw = nfkc(event.value)
        event.input.value = ""
        if not raw or self.meeting is None:
            return
        if not raw.isdigit():
            self.say(f"“{event.value}”不是序号，请输入名单左侧的数字。", True)
            return
        person = next((p for p in self.meeting.participants if p.number == int(raw)), None)
        if person is None:
            self.say(f"名单中没有序号 {raw}。", True)
            return
        if person.present:
            self.say(f"{person.name} 已签到（在名单上按 Enter 可撤销）。")
            return
        self._set(self.app.ws, person, True)

    @on(DataTable.RowSelected, "#participants")
    def _toggle(self, event: DataTable.RowSelected) -> None:
        event.stop()
        if self.meeting is None:
            return
        person = next((p for p in self.meeting.participants if str(p.id) == event.row_key.value), None)
        if person is not None:
            self._set(self.app.ws, person, not person.present)

    @work(thread=True, group="checkin-write", exit_on_error=False)
    def _set(self, ws: Any, person: Any, present: bool) -> None:
        from grassroots_tui.services.meetings import get_meeting, set_present

        try:
            set_present(ws, self.reference, person.id, present)
            meeting = get_meeting(ws, self.reference)
        except DomainError as exc:
            self.app.call_from_thread(self.say, exc.message, True)
            return
        verb = "已签到" if present else "已撤销签到"
        self.app.call_from_thread(self.say, f"{person.number}. {person.name} {verb}")
        self.app.call_from_thread(self.show_meeting, meeting)

    # ------------------------------------------------------------------ invitations

    @on(ResidentLookup.Chosen)
    def _resident(self, event: ResidentLookup.Chosen) -> None:
        event.stop()
        if event.resident is None:
            return
        self._invite(self.app.ws, event.resident.id, event.resident.name)
        event.lookup.clear()

    @work(thread=True, group="checkin-write", exit_on_error=False)
    def _invite(self, ws: Any, resident_id: int, name: str) -> None:
        from grassroots_tui.services.meetings import add_participant, get_meeting

        try:
            p = add_participant(ws, self.reference, role="resident", resident_id=resident_id)
            meeting = get_meeting(ws, self.reference)
        except DomainError as exc:
            self.app.call_from_thread(self.say, exc.message, True)
            return
        self.app.call_from_thread(self.say, f"已加入名单：{p.number}. {p.name}")
        self.app.call_from_thread(self.show_meeting, meeting)

    def action_other(self) -> None:
        from grassroots_tui.tui.screens.meeting_forms import ParticipantForm

        self.app.push_screen(ParticipantForm(self.reference), self._added)

    def _added(self, participant: Any) -> None:
        if participant is not None:
            self.say(f"已加入名单：{participant.number}. {participant.name}")
            self.reload()

    def action_focus_number(self) -> None:
        self.query_one("#number", Input).focus()

    def action_focus_lookup(self) -> None:
        self.query_one(ResidentLookup).focus()

    def action_back(self) -> None:
        self.app.pop_screen()

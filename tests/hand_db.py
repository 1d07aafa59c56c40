"""The hand-built database of the metric tests (also used by the export tests).

Period: October 2026. All concerns are ordinary (category 0801 漏水渗水): dispatch within
1 working day, report back within 7 working days (calendar: Oct 1-7 holiday, Oct 10 a
worked Saturday). For a concern received Mon Oct 12: dispatch due end of Tue Oct 13,
feedback due end of Wed Oct 21 (Oct 13, 14, 15, 16, 19, 20, 21).

| ref | received | story | counted? |
| A | Oct 12 09:00 | dispatch WY Oct 12 (on time), sign, report Oct 15, follow-up solved/satisfied -> closed | yes |
| B | Oct 12 10:00 | dispatch Oct 14 (LATE), sign, extend to Oct 30, report Oct 26 (after the original Oct 21,
|   |              | before the extended deadline), follow-up partly/basic -> closed | yes |
| C | Oct 12 11:00 | handle in-house Oct 12, report Oct 13, follow-up unsolved/dissatisfied -> REWORK,
|   |              | report Oct 16, follow-up solved/satisfied -> closed (followed up twice, counts once) | yes |
| D | Oct 13 09:00 | dispatch WY Oct 13, RETURN Oct 14, dispatch JD-CG Oct 14, sign: in progress | yes |
| E | Oct 13 10:00 | phone; answered on the spot, resident confirms solved/satisfied -> closed | yes |
| F | Oct 13 11:00 | rejected | no (rejected) |
| G | Oct 14 09:00 | dispatch, then merged into A | no (merged) |
| H | Oct 14 10:00 | dispatch, sign, report, follow-up solved/satisfied -> closed; EXCLUDED (剔除) | no |
| I | Oct 15 09:00 | nothing done (still received) | yes |
| J | Oct 15 10:00 | hotline; dispatch, sign, report Oct 16: awaiting follow-up | yes |
| K | Sep 30 10:00 | dispatch, sign, report, follow-up solved/satisfied -> closed | no (September) |
| L | Oct 16 09:00 | dispatch, sign, report Oct 19, follow-up partly/dissatisfied -> REWORK, in progress | yes |
"""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from grassroots_tui.domain.codes import Action, Outcome, Satisfaction
from grassroots_tui.domain.pipeline import Request
from grassroots_tui.services.concerns import ConcernDraft, act, log_concern

TZ = ZoneInfo("Asia/Shanghai")


def at(*args: int) -> datetime:
    return datetime(*args, tzinfo=TZ)


def _log(ws, clerk_id: int, received: datetime, summary: str, channel: str = "walk_in") -> str:  # noqa: ANN001
    return log_concern(ws, clerk_id, ConcernDraft(summary=summary, category="0801", channel=channel,
                                                  received_at=received)).reference


def _do(ws, clerk_id: int, ref: str, *steps) -> None:  # noqa: ANN001, ANN002
    for when, request in steps:
        act(ws, clerk_id, ref, request, at=when)


def dispatch(unit: str = "WY") -> Request:
    return Request(Action.DISPATCH, unit_code=unit)


SIGN = Request(Action.SIGN)
REPORT = Request(Action.REPORT, note="已处理")


def followup(outcome: Outcome, satisfaction: Satisfaction) -> Request:
    return Request(Action.FOLLOWUP, outcome=outcome, satisfaction=satisfaction, note="电话回访")


def build_hand_db(ws, clerk_id: int, clock) -> dict[str, str]:  # noqa: ANN001
    """Write the table above; returns letter -> reference."""
    from sqlalchemy import text

    clock.set(2026, 11, 30, 12)
    Oc, S = Outcome, Satisfaction
    refs: dict[str, str] = {}
    refs["K"] = _log(ws, clerk_id, at(2026, 9, 30, 10), "K 九月的漏水")
    _do(ws, clerk_id, refs["K"], (at(2026, 9, 30, 11), dispatch()), (at(2026, 9, 30, 12), SIGN),
        (at(2026, 10, 8, 10), REPORT), (at(2026, 10, 9, 10), followup(Oc.SOLVED, S.SATISFIED)))
    refs["A"] = _log(ws, clerk_id, at(2026, 10, 12, 9), "A 卫生间漏水")
    _do(ws, clerk_id, refs["A"], (at(2026, 10, 12, 10), dispatch()), (at(2026, 10, 12, 14), SIGN),
        (at(2026, 10, 15, 10), REPORT), (at(2026, 10, 16, 10), followup(Oc.SOLVED, S.SATISFIED)))
    refs["B"] = _log(ws, clerk_id, at(2026, 10, 12, 10), "B 厨房漏水")
    _do(ws, clerk_id, refs["B"], (at(2026, 10, 14, 10), dispatch()), (at(2026, 10, 14, 14), SIGN),
        (at(2026, 10, 20, 10), Request(Action.EXTEND, note="需协调楼上住户", until=date(2026, 10, 30))),
        (at(2026, 10, 26, 10), REPORT), (at(2026, 10, 27, 10), followup(Oc.PARTLY, S.BASIC)))
    refs["C"] = _log(ws, clerk_id, at(2026, 10, 12, 11), "C 阳台漏水")
    _do(ws, clerk_id, refs["C"], (at(2026, 10, 12, 15), Request(Action.HANDLE)), (at(2026, 10, 13, 10), REPORT),
        (at(2026, 10, 14, 10), followup(Oc.UNSOLVED, S.DISSATISFIED)), (at(2026, 10, 16, 10), REPORT),
        (at(2026, 10, 19, 10), followup(Oc.SOLVED, S.SATISFIED)))
    refs["D"] = _log(ws, clerk_id, at(2026, 10, 13, 9), "D 墙面渗水")
    _do(ws, clerk_id, refs["D"], (at(2026, 10, 13, 10), dispatch()),
        (at(2026, 10, 14, 9), Request(Action.RETURN, note="非物业职责")),
        (at(2026, 10, 14, 10), dispatch("JD-CG")), (at(2026, 10, 14, 11), SIGN))
    refs["E"] = _log(ws, clerk_id, at(2026, 10, 13, 10), "E 咨询漏水保修", channel="phone")
    _do(ws, clerk_id, refs["E"], (at(2026, 10, 13, 10, 30), Request(
        Action.ANSWER, note="告知保修电话", confirmed=True, outcome=Oc.SOLVED, satisfaction=S.SATISFIED)))
    refs["F"] = _log(ws, clerk_id, at(2026, 10, 13, 11), "F 不属于本社区")
    _do(ws, clerk_id, refs["F"], (at(2026, 10, 13, 12), Request(Action.REJECT, note="非本辖区")))
    refs["G"] = _log(ws, clerk_id, at(2026, 10, 14, 9), "G 同 A")
    _do(ws, clerk_id, refs["G"], (at(2026, 10, 14, 10), dispatch()),
        (at(2026, 10, 14, 11), Request(Action.MERGE, merge_into=refs["A"])))
    refs["H"] = _log(ws, clerk_id, at(2026, 10, 14, 10), "H 剔除考核的漏水")
    _do(ws, clerk_id, refs["H"], (at(2026, 10, 14, 11), dispatch()), (at(2026, 10, 14, 12), SIGN),
        (at(2026, 10, 15, 10), REPORT), (at(2026, 10, 16, 10), followup(Oc.SOLVED, S.SATISFIED)))
    with ws.write() as s:
        s.execute(text("UPDATE concern SET excluded = 1, excluded_reason = '不可抗力' WHERE reference = :r"),
                  {"r": refs["H"]})
    refs["I"] = _log(ws, clerk_id, at(2026, 10, 15, 9), "I 还没处理")
    refs["J"] = _log(ws, clerk_id, at(2026, 10, 15, 10), "J 12345 转来的漏水", channel="hotline")
    _do(ws, clerk_id, refs["J"], (at(2026, 10, 15, 11), dispatch()), (at(2026, 10, 15, 12), SIGN),
        (at(2026, 10, 16, 10), REPORT))
    refs["L"] = _log(ws, clerk_id, at(2026, 10, 16, 9), "L 屋顶漏雨")
    _do(ws, clerk_id, refs["L"], (at(2026, 10, 16, 10), dispatch()), (at(2026, 10, 16, 11), SIGN),
        (at(2026, 10, 19, 10), REPORT), (at(2026, 10, 20, 10), followup(Oc.PARTLY, S.DISSATISFIED)))
    return refs


DECEMBER_STORY = """The December database of the 未到期 rule: the clock stands at Wed 2026-12-02 09:00.

Ordinary concerns: dispatch within 1 working day, report back within 7 (no holidays in
December 2026). Emergency: dispatch within 1 hour, report back within 2 hours.

| ref | received | story | dispatch due | feedback due (current) |
| P | Tue Dec 1 09:00 | nothing done yet (received) | Dec 2 23:59:59 | Dec 10 |
| Q | Wed Dec 2 08:00 | nothing done yet (received) | Dec 3 23:59:59 | Dec 11 |
| R | Tue Dec 1 09:30 | dispatched to WY Dec 1 10:00 (on time) | Dec 2 | Dec 10 |
| S | Tue Dec 1 09:00 | EMERGENCY, never routed | Dec 1 10:00 (passed) | Dec 1 11:00 (passed) |
| T | Tue Dec 1 10:00 | handled in-house 10:30, reported 14:00, follow-up 16:00 solved/satisfied: closed | Dec 2 | Dec 10 |
| U | Tue Dec 1 11:00 | dispatched 11:30, signed, extended Dec 1 15:00 to Dec 18 | Dec 2 | Dec 18 |
| W | Mon Nov 2 09:00 | handled in-house, reported Nov 5, follow-up Dec 1 09:00 unsolved/dissatisfied: REWORK;
|   |                 | the original deadline Nov 11 is kept, the current one is counted from Dec 1 | Nov 3 | Dec 10 |
"""


def build_december_db(ws, clerk_id: int, clock) -> dict[str, str]:  # noqa: ANN001
    """Write the December table above; returns letter -> reference. The clock ends at Dec 2 09:00."""
    clock.set(2026, 12, 2, 9)
    Oc, S = Outcome, Satisfaction
    refs: dict[str, str] = {}

    def log(letter: str, received: datetime, urgency: str = "ordinary") -> str:
        refs[letter] = log_concern(ws, clerk_id, ConcernDraft(summary=f"{letter} 十二月的诉求", category="0801",
                                                              urgency=urgency, received_at=received)).reference
        return refs[letter]

    w = log("W", at(2026, 11, 2, 9))
    _do(ws, clerk_id, w, (at(2026, 11, 2, 10), Request(Action.HANDLE)), (at(2026, 11, 5, 10), REPORT),
        (at(2026, 12, 1, 9), followup(Oc.UNSOLVED, S.DISSATISFIED)))
    log("P", at(2026, 12, 1, 9))
    log("Q", at(2026, 12, 2, 8))
    r = log("R", at(2026, 12, 1, 9, 30))
    _do(ws, clerk_id, r, (at(2026, 12, 1, 10), dispatch()))
    log("S", at(2026, 12, 1, 9), urgency="emergency")
    t = log("T", at(2026, 12, 1, 10))
    _do(ws, clerk_id, t, (at(2026, 12, 1, 10, 30), Request(Action.HANDLE)), (at(2026, 12, 1, 14), REPORT),
        (at(2026, 12, 1, 16), followup(Oc.SOLVED, S.SATISFIED)))
    u = log("U", at(2026, 12, 1, 11))
    _do(ws, clerk_id, u, (at(2026, 12, 1, 11, 30), dispatch()), (at(2026, 12, 1, 12), SIGN),
        (at(2026, 12, 1, 15), Request(Action.EXTEND, note="需等配件", until=date(2026, 12, 18))))
    return refs

"""Consultation meetings (domain.md §4): the rules of each meeting type, quorum and votes,
and the warnings a clerk sees when scheduling.

The rules are data (`meeting_rules.toml`): a threshold is a ratio such as "2/3", read
exactly with `fractions.Fraction`; `strict = true` means "more than", false "at least";
the pass threshold is taken of those present or of all entitled members (`base`).
A joint meeting (`consensus = true`) has no quorum and records consensus instead.
"""

from __future__ import annotations

import math
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from fractions import Fraction
from typing import Any

from grassroots_tui.domain.calendar import WorkCalendar
from grassroots_tui.domain.codes import Coded, MeetingType
from grassroots_tui.domain.dates import weekday_label
from grassroots_tui.domain.errors import DomainError

BASES = {"present": "实到人数", "entitled": "应到人数"}


class VoteOutcome(Coded):
    PASSED = ("passed", "通过")
    FAILED = ("failed", "未通过")
    NO_QUORUM = ("no_quorum", "不足法定人数")
    CONSENSUS = ("consensus", "协商一致")

    @property
    def carried(self) -> bool:
        return self in (VoteOutcome.PASSED, VoteOutcome.CONSENSUS)


class VoteMethod(Coded):
    HANDS = ("hands", "举手表决")
    SECRET = ("secret", "无记名投票")
    VOICE = ("voice", "口头表决")


class ParticipantRole(Coded):
    MEMBER = ("member", "委员/代表")
    RESIDENT = ("resident", "居民")
    UNIT_REP = ("unit_rep", "共建单位代表")
    OBSERVER = ("observer", "列席")


def parse_ratio(text: str | int | float | Fraction, where: str = "") -> Fraction:
    """"2/3", "1/2", "0.5", "50%" -> an exact fraction in (0, 1]."""
    raw = unicodedata.normalize("NFKC", str(text)).strip().replace(" ", "")
    try:
        if raw.endswith("%"):
            value = Fraction(raw[:-1]) / 100
        else:
            value = Fraction(raw)
    except (ValueError, ZeroDivisionError):
        raise DomainError(f"{where}比例“{text}”写法不对，请写成 2/3、1/2 或 50%。", "ratio") from None
    if not 0 < value <= 1:
        raise DomainError(f"{where}比例“{text}”应在 0 和 1 之间。", "ratio")
    return value


def _fraction_words(ratio: Fraction) -> str:
    words = {Fraction(1, 2): "半数", Fraction(2, 3): "三分之二", Fraction(3, 4): "四分之三",
             Fraction(1, 3): "三分之一", Fraction(1, 1): "全体"}
    return words.get(ratio, f"{ratio.numerator}/{ratio.denominator}")


@dataclass(frozen=True)
class Threshold:
    ratio: Fraction
    strict: bool  # True: more than; False: at least
    base: str = "present"  # "present" or "entitled" (what the ratio is taken of)

    def met(self, count: int, of: int) -> bool:
        """Exact: count > ratio*of (strict) or count >= ratio*of."""
        left, right = count * self.ratio.denominator, self.ratio.numerator * of
        return left > right if self.strict else left >= right

    def minimum(self, of: int) -> int:
        """The smallest count that meets the threshold out of `of`."""
        exact = self.ratio * of
        return math.floor(exact) + 1 if self.strict else math.ceil(exact)

    def describe(self, of_what: str) -> str:
        words = _fraction_words(self.ratio)
        if self.strict:
            return f"超过{of_what}的{words}" if words != "半数" else f"超过{of_what}半数"
        return f"达到{of_what}的{words}以上" if words != "全体" else f"{of_what}全体"


@dataclass(frozen=True)
class MeetingRule:
    code: str
    label: str
    quorum: Threshold | None = None  # of those entitled
    passing: Threshold | None = None
    consensus: bool = False
    notice_days: int = 3
    publication_days: int = 7
    checkin_opens_minutes: int = 60  # check-in opens this long before the start
    vote_opens_minutes: int = 0  # votes are taken from this long before the start (0: from the start)

    @property
    def votes(self) -> bool:
        """Whether this type of meeting decides by vote (or by consensus)."""
        return self.passing is not None or self.consensus

    def summary(self) -> str:
        parts = []
        if self.quorum:
            parts.append("法定人数：" + self.quorum.describe("应到人数"))
        elif self.consensus:
            parts.append("不设法定人数")
        if self.consensus:
            parts.append("协商一致")
        elif self.passing:
            parts.append("通过：赞成票" + self.passing.describe(BASES[self.passing.base]))
        else:
            parts.append("不作表决")
        parts.append(f"提前 {self.notice_days} 天通知")
        parts.append(f"公示不少于 {self.publication_days} 天")
        parts.append(f"开始前 {self.checkin_opens_minutes} 分钟起签到" if self.checkin_opens_minutes else "开始后签到")
        if self.votes:
            parts.append(f"开始前 {self.vote_opens_minutes} 分钟起表决" if self.vote_opens_minutes else "开始后表决")
        return "；".join(parts)


def _threshold(data: Mapping[str, Any] | None, where: str, passing: bool) -> Threshold | None:
    if not data:
        return None
    base = str(data.get("base", "present" if passing else "entitled"))
    if base not in BASES:
        raise DomainError(f"{where}的 base 应为 present 或 entitled，而不是“{base}”。", "base")
    return Threshold(parse_ratio(data.get("ratio", "1/2"), where), bool(data.get("strict", True)), base)


def load_rules(mapping: Mapping[str, Mapping[str, Any]]) -> dict[str, MeetingRule]:
    """Rules per meeting type code, from `meeting_rules.toml`'s `[type.*]` tables."""
    rules: dict[str, MeetingRule] = {}
    for code, data in mapping.items():
        label = str(data.get("label") or (MeetingType(code).label if code in MeetingType._value2member_map_ else code))
        where = f"会议规则 {code} "
        rules[code] = MeetingRule(
            code=code, label=label,
            quorum=_threshold(data.get("quorum"), where + "quorum ", passing=False),
            passing=_threshold(data.get("passing"), where + "passing ", passing=True),
            consensus=bool(data.get("consensus", False)),
            notice_days=int(data.get("notice_days", 3)),
            publication_days=int(data.get("publication_days", 7)),
            checkin_opens_minutes=_minutes(data, "checkin_opens_minutes", 60, where),
            vote_opens_minutes=_minutes(data, "vote_opens_minutes", 0, where),
        )
    return rules


def _minutes(data: Mapping[str, Any], key: str, default: int, where: str) -> int:
    value = data.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 7 * 24 * 60:
        raise DomainError(f"{where}的 {key} 应为 0 到 10080 之间的分钟数，而不是“{value}”。", key)
    return value


# ---------------------------------------------------------------- the order of a meeting

def _when(moment: datetime) -> str:
    return f"{moment.month}月{moment.day}日 {moment:%H:%M}"


def checkin_opens(rule: MeetingRule, start: datetime) -> datetime:
    return start - timedelta(minutes=rule.checkin_opens_minutes)


def vote_opens(rule: MeetingRule, start: datetime) -> datetime:
    return start - timedelta(minutes=rule.vote_opens_minutes)


def check_checkin_time(rule: MeetingRule, start: datetime, now: datetime) -> None:
    """No check-in before the window opens (the rule's minutes before the start)."""
    opens = checkin_opens(rule, start)
    if now < opens:
        raise DomainError(f"签到尚未开始：会议 {_when(start)} 开始，{_when(opens)} 起才能签到。", "checkin")


def check_vote_time(rule: MeetingRule, start: datetime, now: datetime) -> None:
    """No vote before the meeting has started (or the rule's minutes before it)."""
    opens = vote_opens(rule, start)
    if now < opens:
        when = "会议开始后" if opens == start else f"{_when(opens)}起"
        raise DomainError(f"会议尚未开始（{_when(start)} 开始），{when}才能表决。", "votes")


# ---------------------------------------------------------------- quorum and votes

@dataclass(frozen=True)
class QuorumStatus:
    entitled: int
    present: int
    required: int  # 0 when the type has no quorum
    reached: bool

    @property
    def missing(self) -> int:
        return max(0, self.required - self.present)

    def describe(self) -> str:
        if self.required == 0 and self.reached:
            return f"应到 {self.entitled} 人，实到 {self.present} 人（不设法定人数）"
        state = "已达到法定人数" if self.reached else f"未达到法定人数，还差 {self.missing} 人"
        return f"应到 {self.entitled} 人，实到 {self.present} 人，需 {self.required} 人：{state}"


def quorum_status(rule: MeetingRule, entitled: int, present: int) -> QuorumStatus:
    if present < 0 or entitled < 0:
        raise DomainError("人数不能为负数。", "present")
    if present > entitled:
        raise DomainError(f"实到人数 {present} 超过了应到人数 {entitled}。", "present")
    if rule.quorum is None:
        return QuorumStatus(entitled, present, 0, True)
    required = max(1, rule.quorum.minimum(entitled))
    reached = entitled > 0 and rule.quorum.met(present, entitled) and present >= required
    return QuorumStatus(entitled, present, required, reached)


@dataclass(frozen=True)
class VoteResult:
    outcome: VoteOutcome
    quorum: QuorumStatus
    needed: int  # votes for needed to pass (0 for consensus)
    reason: str


def decide(rule: MeetingRule, entitled: int, present: int, votes_for: int, against: int,
           abstain: int) -> VoteResult:
    """Apply the meeting type's rule: 通过 / 未通过 / 不足法定人数."""
    for value, what in ((votes_for, "赞成"), (against, "反对"), (abstain, "弃权")):
        if value < 0:
            raise DomainError(f"{what}票数不能为负数。", "votes")
    if not rule.votes:
        raise DomainError(f"{rule.label}按规则不作表决：问题可登记为诉求当场答复或派单办理。", "votes")
    status = quorum_status(rule, entitled, present)
    total = votes_for + against + abstain
    if total > present:
        raise DomainError(
            f"赞成 {votes_for}、反对 {against}、弃权 {abstain}，合计 {total} 票，超过了实到的 {present} 人。", "votes")
    if not status.reached:
        return VoteResult(VoteOutcome.NO_QUORUM, status, 0,
                          f"不足法定人数（实到 {present} 人，需 {status.required} 人），表决无效。")
    if rule.consensus:
        if against == 0 and votes_for > 0:
            return VoteResult(VoteOutcome.CONSENSUS, status, 0, "与会各方无反对意见，协商一致。")
        return VoteResult(VoteOutcome.FAILED, status, 0,
                          "有反对意见，未能协商一致。" if against else "没有赞成意见，未能协商一致。")
    assert rule.passing is not None
    base = present if rule.passing.base == "present" else entitled
    needed = rule.passing.minimum(base)
    rule_text = "赞成票需" + rule.passing.describe(BASES[rule.passing.base]) + f"（至少 {needed} 票）"
    if rule.passing.met(votes_for, base):
        return VoteResult(VoteOutcome.PASSED, status, needed, f"赞成 {votes_for} 票，{rule_text}：通过。")
    return VoteResult(VoteOutcome.FAILED, status, needed, f"赞成 {votes_for} 票，{rule_text}：未通过。")


# ---------------------------------------------------------------- scheduling warnings

@dataclass(frozen=True)
class Slot:
    """A meeting's time, place and chair, as the conflict check sees it."""

    start: datetime
    end: datetime
    place: str = ""
    chair: str = ""
    reference: str = ""
    topic: str = ""


def meeting_title(type_label: str, topic: str) -> str:
    """"议事协商会：停车位划线"; a topic that already names the type is not prefixed again."""
    topic = topic.strip()
    return topic if topic.startswith(type_label) else f"{type_label}：{topic}"


@dataclass(frozen=True)
class ScheduleWarning:
    kind: str  # conflict_place · conflict_chair · notice · holiday · past · notice_holiday
    message: str
    other: str | None = None  # the other meeting's reference, for conflicts


def _same(a: str, b: str) -> bool:
    na = unicodedata.normalize("NFKC", a or "").strip().casefold().replace(" ", "")
    nb = unicodedata.normalize("NFKC", b or "").strip().casefold().replace(" ", "")
    return bool(na) and na == nb


def overlaps(a: Slot, b: Slot) -> bool:
    return a.start < b.end and b.start < a.end


def _span(slot: Slot) -> str:
    if slot.start.date() == slot.end.date():
        return f"{slot.start:%m-%d %H:%M}至{slot.end:%H:%M}"
    return f"{slot.start:%m-%d %H:%M}至{slot.end:%m-%d %H:%M}"


def conflicts(candidate: Slot, others: Iterable[Slot]) -> list[ScheduleWarning]:
    """The same place or the same chair at an overlapping time."""
    found: list[ScheduleWarning] = []
    for other in others:
        if other.reference and other.reference == candidate.reference:
            continue
        if not overlaps(candidate, other):
            continue
        who = f"{other.reference}“{other.topic}”（{_span(other)}）"
        if _same(candidate.place, other.place):
            found.append(ScheduleWarning("conflict_place", f"会场冲突：{candidate.place} 同一时间已安排 {who}。",
                                 other.reference))
        if _same(candidate.chair, other.chair):
            found.append(ScheduleWarning("conflict_chair", f"主持人冲突：{candidate.chair} 同一时间要主持 {who}。",
                                 other.reference))
    return found


HOLIDAY_NAMES = {
    "New Year's Day": "元旦", "Spring Festival": "春节", "Tomb-sweeping Day": "清明节", "Labour Day": "劳动节",
    "Dragon Boat Festival": "端午节", "National Day": "国庆节", "Mid-autumn Festival": "中秋节",
    "Anti-Fascist 70th Day": "抗战胜利纪念日",
}


def holiday_name(day: date) -> str | None:
    """The official holiday's Chinese name, when the calendar package knows it."""
    try:
        import chinese_calendar

        on_holiday, name = chinese_calendar.get_holiday_detail(day)
    except (NotImplementedError, ImportError):
        return None
    if not on_holiday or not name:
        return None
    return HOLIDAY_NAMES.get(str(name), str(name))


def day_warning(start: datetime, calendar: WorkCalendar) -> ScheduleWarning | None:
    day = start.date()
    if calendar.is_workday(day):
        return None
    name = holiday_name(day)
    kind = f"{name}假期" if name else ("周末" if day.weekday() >= 5 else "节假日")
    return ScheduleWarning("holiday", f"{day:%Y-%m-%d}（{weekday_label(day)}）不是工作日（{kind}），居民和单位可能无法到会。")


def notice_warnings(rule: MeetingRule, notice_date: date, start: datetime,
                    calendar: WorkCalendar) -> list[ScheduleWarning]:
    """Notice shorter than the rule; notice spent mostly over a holiday."""
    found: list[ScheduleWarning] = []
    days = (start.date() - notice_date).days
    if days < 0:
        return [ScheduleWarning("notice", f"通知日期 {notice_date:%Y-%m-%d} 晚于会议日期 {start:%Y-%m-%d}。")]
    if days < rule.notice_days:
        found.append(ScheduleWarning(
            "notice",
            f"通知期只有 {days} 天（{notice_date:%m-%d} 通知，{start:%m-%d} 开会），"
            f"{rule.label}应至少提前 {rule.notice_days} 天通知。"))
        return found
    working = calendar.working_days_between(notice_date, start.date() - timedelta(days=1)) if days > 1 else 0
    if working < rule.notice_days and days >= rule.notice_days:
        holidays = [d for d in (notice_date + timedelta(days=i) for i in range(1, days))
                    if not calendar.is_workday(d) and d.weekday() < 5]
        if holidays:
            found.append(ScheduleWarning(
                "notice_holiday",
                f"通知期跨越节假日：{notice_date:%m-%d} 到 {start:%m-%d} 之间只有 {working} 个工作日，"
                f"请确认通知能送达。"))
    return found


def check_schedule(rule: MeetingRule, slot: Slot, notice_date: date, now: datetime, calendar: WorkCalendar,
                   others: Iterable[Slot] = ()) -> list[ScheduleWarning]:
    """Every warning for a meeting about to be scheduled (none of them refuses it)."""
    if slot.end <= slot.start:
        raise DomainError("结束时间必须晚于开始时间。", "minutes")
    found: list[ScheduleWarning] = []
    if slot.start < now:
        found.append(ScheduleWarning("past", f"会议时间 {slot.start:%Y-%m-%d %H:%M} 已经过去，将作为补录的会议保存。"))
    day = day_warning(slot.start, calendar)
    if day:
        found.append(day)
    found.extend(notice_warnings(rule, notice_date, slot.start, calendar))
    found.extend(conflicts(slot, others))
    return found


def publication_until(published: date, rule: MeetingRule) -> date:
    """Last day of a 公示 that starts on `published` and lasts the rule's days."""
    return published + timedelta(days=max(rule.publication_days, 1) - 1)


@dataclass(frozen=True)
class Tally:
    """Participants as the quorum sees them."""

    invited: int = 0
    entitled: int = 0
    present: int = 0
    observers: int = 0
    observers_present: int = 0
    extra: dict = field(default_factory=dict)


__all__ = ["VoteOutcome", "VoteMethod", "ParticipantRole", "Threshold", "MeetingRule", "QuorumStatus",
           "VoteResult", "Slot", "ScheduleWarning", "meeting_title",
           "Tally", "parse_ratio", "load_rules", "quorum_status", "decide",
           "conflicts", "overlaps", "day_warning", "notice_warnings", "check_schedule", "publication_until",
           "holiday_name", "checkin_opens", "vote_opens", "check_checkin_time", "check_vote_time"]

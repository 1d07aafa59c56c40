"""Stable codes of the domain and the Chinese words a clerk sees.

Codes are what the command line, JSON and data files use; the Chinese label is
what the screen shows. `parse` accepts either.
"""

from __future__ import annotations

import unicodedata
from enum import StrEnum
from typing import TypeVar

from grassroots_tui.domain.errors import DomainError


class Coded(StrEnum):
    """A StrEnum whose members carry a Chinese label."""

    label: str

    def __new__(cls, code: str, label: str) -> "Coded":
        obj = str.__new__(cls, code)
        obj._value_ = code
        obj.label = label
        return obj


class Status(Coded):
    RECEIVED = ("received", "已受理")
    DISPATCHED = ("dispatched", "已派单")
    IN_PROGRESS = ("in_progress", "办理中")
    PARKED = ("parked", "挂账")
    AWAITING_FOLLOWUP = ("awaiting_followup", "待回访")
    CLOSED = ("closed", "已办结")
    REJECTED = ("rejected", "不予受理")
    MERGED = ("merged", "已合并")


# States whose deadline clock runs (see deadlines.active_deadline), then every open state.
RUNNING_STATUSES = (Status.RECEIVED, Status.DISPATCHED, Status.IN_PROGRESS)
OPEN_STATUSES = frozenset(RUNNING_STATUSES + (Status.PARKED, Status.AWAITING_FOLLOWUP))


class Action(Coded):
    DISPATCH = ("dispatch", "派单")
    HANDLE = ("handle", "直接办理")
    ANSWER = ("answer", "当场答复")
    REJECT = ("reject", "不予受理")
    MERGE = ("merge", "合并")
    SIGN = ("sign", "签收")
    RETURN = ("return", "退单")
    EXTEND = ("extend", "延期")
    PARK = ("park", "挂账")
    RESUME = ("resume", "恢复")
    REPORT = ("report", "反馈")
    FOLLOWUP = ("followup", "回访")
    REOPEN = ("reopen", "重新打开")
    AGENDA = ("agenda", "上会")
    RESOLVE = ("resolve", "议定办结")
    SUPERVISE = ("supervise", "督办")
    REVIEW = ("review", "挂账复核")
    CONFIRM = ("confirm", "确认完成")  # an action item (议定事项) done: no resident is called back
    # Not a transition: the first event of every concern.
    RECEIVE = ("receive", "受理")


class Channel(Coded):
    WALK_IN = ("walk_in", "来访")
    PHONE = ("phone", "来电")
    GRID_PATROL = ("grid_patrol", "网格巡查")
    HOTLINE = ("hotline", "12345转办")
    ASSIGNED = ("assigned", "上级交办")
    MEETING = ("meeting", "议事会/恳谈会")
    ONLINE = ("online", "线上")


class Nature(Coded):
    INQUIRY = ("inquiry", "咨询")
    HELP = ("help", "求助")
    COMPLAINT = ("complaint", "投诉")
    REPORT = ("report", "举报")
    SUGGESTION = ("suggestion", "建议")
    PRAISE = ("praise", "表扬")


class Urgency(Coded):
    EMERGENCY = ("emergency", "紧急")
    UTILITIES = ("utilities", "民生保障")
    ORDINARY = ("ordinary", "一般")
    COMPLEX = ("complex", "复杂疑难")


class Supervision(Coded):
    NONE = ("none", "无")
    ORDINARY = ("ordinary", "普通")
    YELLOW = ("yellow", "黄牌")
    RED = ("red", "红牌")


class Outcome(Coded):
    SOLVED = ("solved", "解决")
    PARTLY = ("partly", "部分解决")
    UNSOLVED = ("unsolved", "未解决")


class Satisfaction(Coded):
    SATISFIED = ("satisfied", "满意")
    BASIC = ("basic", "基本满意")
    DISSATISFIED = ("dissatisfied", "不满意")


class ConcernKind(Coded):
    CONCERN = ("concern", "诉求")
    ACTION_ITEM = ("action_item", "议定事项")


class MeetingType(Coded):
    CONSULTATION = ("consultation", "议事协商会")
    TALK = ("talk", "民情恳谈会")
    JOINT = ("joint", "联席会议")
    HEARING = ("hearing", "听证会")
    RESIDENTS = ("residents", "居民(代表)会议")
    COMMITTEE = ("committee", "两委会")


E = TypeVar("E", bound=Coded)

# Alternative spellings clerks type for a few codes.
_ALIASES: dict[type, dict[str, str]] = {
    Channel: {"来电": "phone", "电话": "phone", "12345": "hotline", "网格": "grid_patrol",
              "议事会": "meeting", "恳谈会": "meeting", "微信": "online", "网上": "online"},
    Action: {"签收": "sign", "回复": "report", "办结": "followup"},
    Satisfaction: {"basic_satisfied": "basic", "比较满意": "basic"},
    Outcome: {"partial": "partly"},
}

_WHAT = {
    Status: "状态", Action: "操作", Channel: "来源", Nature: "性质", Urgency: "紧急程度",
    Supervision: "督办级别", Outcome: "办理结果", Satisfaction: "满意度", ConcernKind: "类型",
    MeetingType: "会议类型",
}


def parse(enum: type[E], text: str | None, field: str | None = None) -> E:
    """Read a code or its Chinese label (full-width and case forgiven)."""
    raw = unicodedata.normalize("NFKC", text or "").strip()
    key = raw.lower().replace("-", "_")
    for member in enum:
        if key == member.value or raw == member.label:
            return member
    alias = _ALIASES.get(enum, {}).get(raw) or _ALIASES.get(enum, {}).get(key)
    if alias:
        return enum(alias)
    what = _WHAT.get(enum, "取值")
    choices = "、".join(f"{m.value}({m.label})" for m in enum if m.value != "receive")
    if not raw:
        raise DomainError(f"请填写{what}。可选：{choices}", field)
    raise DomainError(f"无法识别的{what}“{raw}”。可选：{choices}", field)

"""Intake while the resident talks: categories and units to pick from, repeat warnings, and the
save that writes a new resident, the concern, its first handling step and a repeat link in ONE
transaction.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import and_, or_
from sqlmodel import select

from grassroots_tui.domain import pipeline
from grassroots_tui.domain.codes import OPEN_STATUSES, Action, Outcome, Satisfaction, Status, Urgency, parse
from grassroots_tui.domain.errors import DomainError, NotFound
from grassroots_tui.domain.validation import check_text, nfkc, parse_address, parse_address_shorthand
from grassroots_tui.services.concerns import ConcernDraft, ConcernView, follow_repeat, get_concern, log_concern
from grassroots_tui.services.residents import ResidentDraft, insert_resident, prepare_resident
from grassroots_tui.services.transitions import transition
from grassroots_tui.services.workspace import Workspace
from grassroots_tui.store.models import Category, Concern, Resident, Unit

REPEAT_WINDOW_DAYS = 30
SIMILARITY = 0.8  # difflib ratio above which two summaries are "very similar"
SIMILAR_SCAN = 500  # recent open concerns compared by summary

HANDLING_CHOICES = (
    ("none", "暂不处理（已受理）"),
    ("dispatch", "派单"),
    ("handle", "直接办理"),
    ("answer", "当场答复"),
    ("answer_close", "当场答复并办结"),
)
#: How satisfied a resident who accepted an answer on the spot may be (dissatisfied is no close).
ON_THE_SPOT_SATISFACTION = (Satisfaction.SATISFIED, Satisfaction.BASIC)


# ---------------------------------------------------------------- pick lists

@dataclass(frozen=True)
class CategoryOption:
    code: str
    name: str
    parent_name: str
    initials: str
    urgency: str  # default urgency code (own, else parent's, else ordinary)
    unit: str | None  # default handling unit code


def list_categories(ws: Workspace) -> list[CategoryOption]:
    """Second-level active categories, in code order, with their defaults resolved."""
    with ws.read() as s:
        cats = s.exec(select(Category).where(Category.active == True).order_by(Category.code)).all()  # noqa: E712
    by_code = {c.code: c for c in cats}
    out = []
    for c in cats:
        if c.parent_code is None:
            continue
        parent = by_code.get(c.parent_code)
        out.append(CategoryOption(
            code=c.code, name=c.name, parent_name=parent.name if parent else "", initials=c.initials,
            urgency=c.urgency or (parent.urgency if parent else None) or Urgency.ORDINARY.value,
            unit=c.unit_code or (parent.unit_code if parent else None),
        ))
    return out


def filter_categories(options: list[CategoryOption], text: str, limit: int = 50) -> list[CategoryOption]:
    """By code prefix (`08`, `0801`), Chinese text (`漏水`, also the parent's name) or pinyin initials
    (`ls`); best first: exact code, code prefix, name, initials prefix, initials inside, parent."""
    query = nfkc(text).lower()
    if not query:
        return options[:limit]
    scored: list[tuple[int, int, CategoryOption]] = []
    for i, o in enumerate(options):
        if o.code == query:
            score = 0
        elif query.isdigit() and o.code.startswith(query):
            score = 1
        elif query in o.name:
            score = 2 if o.name.startswith(query) else 3
        elif query.isascii() and o.initials.startswith(query):
            score = 4
        elif query.isascii() and query.isalpha() and query in o.initials:
            score = 5
        elif query in o.parent_name:
            score = 6
        else:
            continue
        scored.append((score, i, o))
    scored.sort(key=lambda t: (t[0], t[1]))
    return [o for _s, _i, o in scored[:limit]]


@dataclass(frozen=True)
class UnitOption:
    code: str
    name: str
    kind: str


def list_units(ws: Workspace) -> list[UnitOption]:
    with ws.read() as s:
        rows = s.exec(select(Unit).where(Unit.active == True).order_by(Unit.code)).all()  # noqa: E712
        return [UnitOption(u.code, u.name, u.kind) for u in rows]


# ---------------------------------------------------------------- repeat warnings

@dataclass(frozen=True)
class RepeatCandidate:
    reference: str
    summary: str
    category_name: str
    status_label: str
    received_at: datetime
    resident_name: str | None
    location: str
    reason: str  # 同一居民 · 同一地址 · 摘要相近


def _norm_summary(text: str) -> str:
    return re.sub(r"[\s\W_]+", "", nfkc(text).lower())


def find_repeats(ws: Workspace, *, resident_id: int | None = None, category: str | None = None,
                 address: tuple[str, str, str] | None = None, summary: str = "",
                 limit: int = 5) -> list[RepeatCandidate]:
    """Concerns received in the last 30 days and still open, or closed in the last 30 days ("it is
    broken again"), that look like the one being logged: same resident or the same address
    (building, unit, room) in the same category, or a very similar summary."""
    since = ws.now() - timedelta(days=REPEAT_WINDOW_DAYS)
    open_codes = [st.value for st in OPEN_STATUSES]
    found: dict[int, tuple[Concern, str, str | None, str]] = {}
    with ws.read() as s:
        base = (select(Concern, Category.name, Resident.name)
                .join(Category, Category.code == Concern.category_code)
                .join(Resident, Resident.id == Concern.resident_id, isouter=True)
                .where(or_(and_(Concern.status.in_(open_codes), Concern.received_at >= since),
                           and_(Concern.status == Status.CLOSED.value, Concern.closed_at >= since)),
                       Concern.kind == "concern"))
        code = nfkc(category) if category else ""
        same_place = []
        if resident_id is not None:
            same_place.append(Concern.resident_id == resident_id)
        if address and all(address):
            b, u, r = address
            same_place.append((Concern.building == b) & (Concern.unit_no == u) & (Concern.room == r))
        if code and same_place:
            for c, cat, res in s.exec(base.where(Concern.category_code == code, or_(*same_place))
                                      .order_by(Concern.received_at.desc()).limit(limit)).all():
                reason = "同一居民" if resident_id is not None and c.resident_id == resident_id else "同一地址"
                found[c.id] = (c, cat, res, f"{reason}、同一分类")
        wanted = _norm_summary(summary)
        if len(wanted) >= 4:
            for c, cat, res in s.exec(base.order_by(Concern.received_at.desc()).limit(SIMILAR_SCAN)).all():
                if c.id in found:
                    continue
                other = _norm_summary(c.summary)
                if other and difflib.SequenceMatcher(None, wanted, other).ratio() >= SIMILARITY:
                    found[c.id] = (c, cat, res, "摘要相近")
                    if len(found) >= limit:
                        break
    out = []
    for c, cat, res, reason in list(found.values())[:limit]:
        loc = "-".join(p for p in (c.building, c.unit_no, c.room) if p)
        out.append(RepeatCandidate(c.reference, c.summary, cat, Status(c.status).label, ws.local(c.received_at),
                                   res, f"{c.estate} {loc}".strip(), reason))
    return out


# ---------------------------------------------------------------- saving

@dataclass
class IntakeDraft:
    """The intake form. `resident_id` None with `new_resident` None is an anonymous concern."""

    summary: str
    category: str
    detail: str = ""
    channel: str = "walk_in"
    nature: str = "help"
    urgency: str | None = None
    resident_id: int | None = None
    new_resident: ResidentDraft | None = None
    location: str = ""  # "" = the resident's address; `3-2-301`, `3号楼2单元301室` or free text
    estate: str = ""
    handling: str = "none"  # none · dispatch · handle · answer · answer_close
    unit: str | None = None  # dispatch / handle
    answer: str = ""  # answer: what the clerk told the resident
    #: answer_close: the resident (often anonymous, at the counter) accepted the answer on the spot
    satisfaction: str = Satisfaction.SATISFIED.value
    repeat_of: str | None = None
    repeat_closed: str = ""  # the original is closed: "" asks, "link" or "reopen" (see ConcernDraft)


@dataclass(frozen=True)
class IntakeResult:
    concern: ConcernView
    resident_id: int | None
    resident_created: bool
    warnings: list[str] = field(default_factory=list)


def _location(draft: IntakeDraft) -> dict:
    text = nfkc(draft.location)
    if not text:
        return {"estate": nfkc(draft.estate)} if nfkc(draft.estate) else {}
    estate, _, last = text.rpartition(" ")
    short = parse_address_shorthand(last)
    if short:
        return {"estate": estate.strip() or nfkc(draft.estate), "building": short.building,
                "unit_no": short.unit, "room": short.room}
    try:
        addr = parse_address(text, nfkc(draft.estate))
    except DomainError:
        return {"location_text": check_text(draft.location, "地点", "location", limit=200)}
    return {"estate": addr.estate, "building": addr.building, "unit_no": addr.unit, "room": addr.room}


def save_intake(ws: Workspace, actor_id: int, draft: IntakeDraft) -> IntakeResult:
    """受理 and (optionally) 派单 / 直接办理 / 当场答复, all or nothing."""
    handling = draft.handling or "none"
    if handling not in {code for code, _label in HANDLING_CHOICES}:
        raise DomainError(f"未知的办理方式“{handling}”。", "handling")
    if handling == "dispatch" and not nfkc(draft.unit):
        raise DomainError("派单需要选择承办单位。", "unit")
    if handling in ("answer", "answer_close"):
        check_text(draft.answer, "答复内容", "answer", required=True, limit=5000)
    satisfaction = None
    if handling == "answer_close":
        satisfaction = parse(Satisfaction, draft.satisfaction or "", "satisfaction")
        if satisfaction not in ON_THE_SPOT_SATISFACTION:
            raise DomainError("居民不满意时不能当场办结，请派单或直接办理。", "satisfaction")
    prepared = (prepare_resident(draft.new_resident, today=ws.now().date())
                if draft.new_resident is not None else None)
    location = _location(draft)
    created = False
    with ws.write() as s:
        resident_id = draft.resident_id
        if prepared is not None:
            resident = insert_resident(s, ws, prepared)
            resident_id, created = resident.id, True
        elif resident_id is not None and s.get(Resident, resident_id) is None:
            raise NotFound("找不到所选居民，请重新查找。", "resident")
        warnings: list[str] = []
        if draft.repeat_of:
            original, merged = follow_repeat(s, draft.repeat_of)
            if merged:
                warnings.append(f"原诉求 {merged[0]} 已并入 {original.reference}，本次登记关联到 {original.reference}。")
        view = log_concern(ws, actor_id, ConcernDraft(
            summary=draft.summary, category=draft.category, detail=draft.detail, channel=draft.channel,
            nature=draft.nature, urgency=draft.urgency or None, resident_id=resident_id,
            repeat_of=draft.repeat_of, repeat_closed=draft.repeat_closed, **location,
        ), session=s)
        reference = view.reference
        concern = s.exec(select(Concern).where(Concern.reference == reference)).one()
        if concern.status == Status.MERGED.value:
            # The closed original was reopened and this call folded into it: its work goes on there.
            warnings.append(f"已重新打开原诉求 {original.reference}，本次登记 {reference} 已并入。")
            handling = "none"
        if "location_text" in location:
            # A place typed in words is where it happened, not the resident's home.
            concern.estate = concern.building = concern.unit_no = concern.room = ""
            s.add(concern)
            s.flush()
        if handling != "none":
            answering = handling in ("answer", "answer_close")
            request = pipeline.Request(
                Action.ANSWER if answering else Action(handling),
                note=(draft.answer or "").strip() if answering else "",
                unit_code=nfkc(draft.unit).upper() or None,
                confirmed=handling == "answer_close",
                outcome=Outcome.SOLVED if handling == "answer_close" else None,
                satisfaction=satisfaction,
            )
            transition(s, ws, actor_id, concern, request, ws.now())
    return IntakeResult(get_concern(ws, reference), resident_id, created, warnings)


__all__ = ["CategoryOption", "HANDLING_CHOICES", "IntakeDraft", "IntakeResult", "RepeatCandidate", "UnitOption",
           "filter_categories", "find_repeats", "list_categories", "list_units", "save_intake"]

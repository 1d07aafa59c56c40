"""The concern ledger (诉求台账): filters, saved views, search, sort, paging, batch actions, board.

Everything here is safe to call from a worker thread and returns plain dataclasses.

Paging never loads all rows: a `Ledger` (one query: filters + sort) counts its rows
once and pages them by index. Each sort order is a short list of *segments* whose rows
come from one indexed ORDER BY (e.g. "by state" = one segment a state, each read through
the (status, due_at) index), so the page at offset 199 950 is an index walk plus one
query for 50 rows' details.

Free-text search: the index `concern_search` (migration 0003) holds one token a character,
so a query is a phrase of tokens and finds exactly the substrings (domain/search.py). The
searchable text of a concern is `search_fields()`: reference, summary, detail, resident name,
address, compared after NFKC and case folding (full-width `ＳＱ` finds `sq`).

Reads never write: the index is kept in step by the writers, inside the transaction that
changes a concern or a resident's name (triggers queue the concern, `Workspace.write` rewrites
its text before the commit, store/search_index.py), so a search works while another clerk
holds the write lock. Concerns another program wrote meanwhile are still queued; a search
compares those few directly instead of trusting their stale index text.
"""

from __future__ import annotations

import threading
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta

from sqlalchemy import and_, case, func, literal, or_, select, text
from sqlalchemy import column as sa_column
from sqlalchemy.sql import ColumnElement
from sqlalchemy.sql.elements import TextClause

from grassroots_tui.domain import pipeline
from grassroots_tui.domain.codes import RUNNING_STATUSES, Action, Channel, Status, Supervision
from grassroots_tui.domain.deadlines import DeadlineState, deadline_state
from grassroots_tui.domain.errors import DomainError, NotFound, StaleVersion
from grassroots_tui.domain.privacy import mask_phone
from grassroots_tui.domain.reference import normalise_reference
from grassroots_tui.domain.search import (  # noqa: F401 - re-exported
    address_text,
    encode_tokens,
    fts_query,
    matches,
    normalise_search,
    search_fields,
    search_terms,
)
from grassroots_tui.services.workspace import Workspace
from grassroots_tui.store import search_index
from grassroots_tui.store.models import Category, Clerk, Concern, Grid, Resident, Unit

C = Concern.__table__.c
R = Resident.__table__.c

RUNNING = tuple(s.value for s in RUNNING_STATUSES)
OPEN = RUNNING + (Status.PARKED.value, Status.AWAITING_FOLLOWUP.value)
# Pipeline order, for the "by state" sort and the board.
STATE_ORDER = (Status.RECEIVED, Status.DISPATCHED, Status.IN_PROGRESS, Status.PARKED,
               Status.AWAITING_FOLLOWUP, Status.CLOSED, Status.REJECTED, Status.MERGED)
# States with a clock: handling (dispatch, feedback), the follow-up limit, a parked concern's next review.
CLOCKED = frozenset(OPEN)

VIEWS: dict[str, str] = {
    "today": "今日待办",
    "undispatched": "待派单",
    "followup": "待回访",
    "parked": "挂账",
    "problem": "问题工单",
}
SORTS: dict[str, str] = {"received": "受理时间", "deadline": "时限", "state": "状态"}


# ---------------------------------------------------------------- search text

def rebuild_search_index(ws: Workspace) -> int:
    """Rewrite the whole search index (after bulk inserts: the demo builder calls it)."""
    with ws.write() as s:
        return search_index.rebuild(s.connection())


def _queued_matches(ws: Workspace, query: str) -> tuple[tuple[int, ...], tuple[int, ...]]:
    """(queued ids, those of them that match): concerns another program wrote since our last write.

    This program's writers leave the queue empty (store/search_index.py); rows queued by another
    program are read and compared here, so a search is right without writing anything.
    """
    with ws.read() as s:
        conn = s.connection()
        queued = tuple(r[0] for r in conn.exec_driver_sql("SELECT concern_id FROM concern_search_dirty"))
        if not queued:
            return (), ()
        hits: list[int] = []
        for i in range(0, len(queued), 500):
            id_list = ",".join(str(int(c)) for c in queued[i:i + 500])
            for row in conn.exec_driver_sql(f"{search_index.SEARCH_SOURCE} WHERE c.id IN ({id_list})"):
                if matches(search_index.fields_of(row), query):
                    hits.append(row[0])
    return queued, tuple(hits)


# ---------------------------------------------------------------- the query

@dataclass(frozen=True)
class LedgerQuery:
    """Filters and sort of the ledger; every field combines with the others (AND)."""

    view: str | None = None  # a key of VIEWS
    statuses: tuple[str, ...] = ()
    category: str | None = None  # a leaf code, or a top-level code for the whole group
    grid: str | None = None
    unit: str | None = None
    channel: str | None = None
    supervision: str | None = None  # a level, or "any" for every supervised concern
    overdue: bool = False
    due_soon: bool = False
    received_from: date | None = None
    received_to: date | None = None
    text: str = ""
    sort: str = "received"
    clerk_id: int | None = None  # whose 今日待办
    kind: str | None = None


@dataclass(frozen=True)
class LedgerRow:
    id: int
    reference: str
    received_at: datetime
    resident: str
    category_name: str
    summary: str
    unit_name: str
    status: str
    status_label: str
    due_at: datetime | None
    deadline_state: str
    supervision: str
    rework_count: int
    return_count: int
    version: int

    @property
    def overdue(self) -> bool:
        return self.deadline_state == DeadlineState.OVERDUE.value

    @property
    def due_soon(self) -> bool:
        return self.deadline_state == DeadlineState.DUE_SOON.value

    @property
    def problem_case(self) -> bool:
        return pipeline.is_problem_case(self.rework_count, self.return_count)


@dataclass(frozen=True)
class Segment:
    where: ColumnElement | None
    order: tuple  # ((column, descending), ...) ending with the id


def _day_start(day: date, ws: Workspace) -> datetime:
    return datetime.combine(day, time(0), tzinfo=ws.tz)


def _conditions(ws: Workspace, q: LedgerQuery, now: datetime) -> list[ColumnElement]:
    from grassroots_tui.domain.codes import parse

    where: list[ColumnElement] = []
    if q.kind:
        where.append(C.kind == q.kind)
    if q.view == "today":
        end_of_today = _day_start(now.date() + timedelta(days=1), ws)
        where += [C.status.in_(OPEN), C.due_at < end_of_today]
        if q.clerk_id is not None:
            mine_grids = select(Grid.__table__.c.code).where(Grid.__table__.c.worker_clerk_id == q.clerk_id)
            where.append(or_(C.created_by == q.clerk_id, C.grid_code.in_(mine_grids)))
    elif q.view == "undispatched":
        where.append(C.status == Status.RECEIVED.value)
    elif q.view == "followup":
        where.append(C.status == Status.AWAITING_FOLLOWUP.value)
    elif q.view == "parked":
        where.append(C.status == Status.PARKED.value)
    elif q.view == "problem":
        where += [C.status.in_(OPEN), or_(C.rework_count >= pipeline.PROBLEM_THRESHOLD,
                                          C.return_count >= pipeline.PROBLEM_THRESHOLD)]
    elif q.view:
        raise DomainError(f"没有名为“{q.view}”的视图。", "view")
    if q.statuses:
        where.append(C.status.in_([parse(Status, s, "status").value for s in q.statuses]))
    if q.category:
        code = unicodedata.normalize("NFKC", q.category).strip()
        where.append(C.category_code.like(f"{code}%") if len(code) == 2 else C.category_code == code)
    if q.grid:
        where.append(C.grid_code == q.grid)
    if q.unit:
        where.append(C.unit_code == q.unit)
    if q.channel:
        where.append(C.channel == parse(Channel, q.channel, "channel").value)
    if q.supervision == "any":
        where.append(C.supervision != Supervision.NONE.value)
    elif q.supervision:
        where.append(C.supervision == parse(Supervision, q.supervision, "supervision").value)
    if q.overdue:
        where += [C.due_at.is_not(None), C.due_at < now]
    if q.due_soon:
        where += [C.warn_at <= now, C.due_at >= now]
    if q.received_from:
        where.append(C.received_at >= _day_start(q.received_from, ws))
    if q.received_to:
        where.append(C.received_at < _day_start(q.received_to + timedelta(days=1), ws))
    return where


# Above this many hits a page is read by walking the sort index and probing the set of hits
# (`+id` keeps SQLite from looking every hit up by rowid and sorting them all); below it,
# looking the hits up is cheaper.
WALK_ABOVE = 300


def _text_clause(sub: TextClause, walk: bool, queued: tuple[int, ...] = (), queued_hits: tuple[int, ...] = ()
                 ) -> ColumnElement:
    """`concern.id IN (the search index's hits)`; `sub` is the engine's own (store/search_index.hits)."""
    if queued:  # the index text of queued concerns may be stale: they match by `queued_hits` alone
        return or_(and_(C.id.in_(sub), C.id.not_in(queued)), C.id.in_(queued_hits))
    if walk:  # SQLite's planner hint; the walk is only chosen there
        compiled = sub.compile()
        return text(f"+concern.id IN ({compiled})").bindparams(**compiled.params)
    return C.id.in_(sub)


def _segments(sort: str) -> list[Segment]:
    newest = ((C.received_at, True), (C.id, True))
    if sort == "received":
        return [Segment(None, newest)]
    if sort == "deadline":
        # Rows without a running clock: newest first by id, read straight from the due_at index.
        return [Segment(C.due_at.is_not(None), ((C.due_at, False), (C.id, False))),
                Segment(C.due_at.is_(None), ((C.id, True),))]
    if sort == "state":
        # Within a clocked state, soonest deadline first; rows without one (recorded before the state
        # had a clock) after them, newest first, so every segment's order keys are never NULL.
        out: list[Segment] = []
        for st in STATE_ORDER:
            if st.value in CLOCKED:
                out += [Segment(and_(C.status == st.value, C.due_at.is_not(None)), ((C.due_at, False), (C.id, False))),
                        Segment(and_(C.status == st.value, C.due_at.is_(None)), ((C.id, True),))]
            else:
                out.append(Segment(C.status == st.value, ((C.id, True),)))
        return out
    raise DomainError(f"不能按“{sort}”排序。", "sort")


def _order_by(segment: Segment) -> list:
    return [col.desc() if desc else col.asc() for col, desc in segment.order]


class Ledger:
    """One ledger query, counted once and paged by index (see the module docstring)."""

    def __init__(self, ws: Workspace, query: LedgerQuery, now: datetime | None = None) -> None:
        self.ws = ws
        self.query = query
        self.now = now or ws.now()
        self._plain = _conditions(ws, query, self.now)
        self._match = fts_query(query.text)
        self._dialect = ws.engine.dialect.name
        self._hits_sql = search_index.hits(self._dialect, query.text) if self._match is not None else None
        self._hits: int | None = None  # rows the search index finds, before the other filters
        self._queued: tuple[tuple[int, ...], tuple[int, ...]] | None = None  # see _queued_matches
        self._segments = _segments(query.sort)
        self._counts: list[int] | None = None
        self._lock = threading.Lock()
        self._first: tuple[int, list[LedgerRow]] | None = None  # (limit, rows) of a prefetched first page
        self._first_lock = threading.Lock()

    def prefetch(self, limit: int) -> None:
        """Count and read the first page now (from any thread); `page(0, limit)` then returns it."""
        with self._first_lock:
            if self._first is None:
                self._first = (limit, self._page(0, limit))

    def _text(self, walk: bool) -> ColumnElement:
        if self._queued is None:
            self._queued = _queued_matches(self.ws, self.query.text)
        walk = walk and self._dialect == "sqlite" and (self._hits or 0) > WALK_ABOVE
        return _text_clause(self._hits_sql, walk, *self._queued)

    def _seg_where(self, seg: Segment, walk: bool = False) -> list[ColumnElement]:
        where = list(self._plain)
        if self._match is not None:
            where.append(self._text(walk))
        return where + ([seg.where] if seg.where is not None else [])

    def counts(self) -> list[int]:
        with self._lock:
            if self._counts is None:
                if self._match is not None and self._queued is None:
                    self._queued = _queued_matches(self.ws, self.query.text)
                with self.ws.read() as s:
                    if self._match is not None and not self._queued[0]:
                        self._hits = int(s.execute(select(func.count()).select_from(
                            self._hits_sql.columns(sa_column("id")).subquery())).scalar() or 0)
                    if self._hits == 0:
                        self._counts = [0] * len(self._segments)
                    elif self._hits is not None and not self._plain and len(self._segments) == 1:
                        self._counts = [self._hits]  # every indexed row is a concern: no lookups needed
                    else:
                        self._counts = [int(s.execute(select(func.count()).select_from(Concern.__table__)
                                                      .where(*self._seg_where(seg))).scalar() or 0)
                                        for seg in self._segments]
            return self._counts

    def count(self) -> int:
        return sum(self.counts())

    def ids(self, offset: int, limit: int) -> list[int]:
        """Concern ids of rows offset..offset+limit in ledger order."""
        out: list[int] = []
        counts = self.counts()
        with self.ws.read() as s:
            for seg, n in zip(self._segments, counts, strict=True):
                if limit <= 0:
                    break
                if offset >= n:
                    offset -= n
                    continue
                stmt = (select(C.id).where(*self._seg_where(seg, walk=True)).order_by(*_order_by(seg))
                        .offset(offset).limit(limit))
                got = [r[0] for r in s.execute(stmt)]
                out += got
                limit -= len(got)
                offset = 0
        return out

    def page(self, offset: int, limit: int) -> list[LedgerRow]:
        if offset == 0:
            with self._first_lock:
                if self._first is not None and self._first[0] == limit:
                    return list(self._first[1])
        return self._page(offset, limit)

    def _page(self, offset: int, limit: int) -> list[LedgerRow]:
        ids = self.ids(offset, limit)
        return rows_by_id(self.ws, ids, self.now)

    def index_of(self, reference: str) -> int | None:
        """Where a concern stands in this ledger (None when the filters leave it out)."""
        with self.ws.read() as s:
            cid = s.execute(select(C.id).where(C.reference == normalise_reference(reference))).scalar()
        if cid is None:
            return None
        return self._index_of_id(cid)

    def _index_of_id(self, cid: int) -> int | None:
        counts = self.counts()
        before = 0
        with self.ws.read() as s:
            for seg, n in zip(self._segments, counts, strict=True):
                keys = s.execute(select(*[col for col, _ in seg.order])
                                 .where(C.id == cid, *self._seg_where(seg))).first()
                if keys is None:
                    before += n
                    continue
                return before + int(s.execute(select(func.count()).select_from(Concern.__table__)
                                              .where(*self._seg_where(seg), _before(seg, keys))).scalar())
        return None

    def next_overdue(self, after: int) -> int | None:
        """The index of the next overdue row after `after` (wrapping to the top), or None."""
        counts = self.counts()
        total = sum(counts)
        if total == 0:
            return None
        current = self.ids(after, 1) if 0 <= after < total else []
        overdue = [C.due_at.is_not(None), C.due_at < self.now]
        with self.ws.read() as s:
            # Segments at or after the cursor's, first those rows after the cursor, then from the top.
            seg_of_cursor, base = 0, 0
            for i, n in enumerate(counts):
                if after < base + n:
                    seg_of_cursor = i
                    break
                base += n
            order = list(range(seg_of_cursor, len(self._segments))) + list(range(0, seg_of_cursor + 1))
            for pos, i in enumerate(order):
                seg = self._segments[i]
                extra: list[ColumnElement] = []
                if pos == 0 and current:
                    keys = s.execute(select(*[col for col, _ in seg.order]).where(C.id == current[0])).first()
                    if keys is not None:
                        extra.append(_after(seg, keys))
                cid = s.execute(select(C.id).where(*self._seg_where(seg), *overdue, *extra)
                                .order_by(*_order_by(seg)).limit(1)).scalar()
                if cid is not None:
                    return self._index_of_id(cid)
        return None


def _compare(seg: Segment, keys: Sequence, after: bool) -> ColumnElement:
    """Rows strictly before (or after) `keys` in the segment's order (NULLs sort first in SQLite)."""
    clauses = []
    for i, (col, desc) in enumerate(seg.order):
        equal = [_eq(c, keys[j]) for j, (c, _) in enumerate(seg.order[:i])]
        value = keys[i]
        forward = desc != after  # the wanted side holds larger values (NULL is the smallest)
        if value is None:
            step = col.is_not(None) if forward else literal(False)
        elif forward:
            step = col > value
        else:
            step = or_(col < value, col.is_(None))
        clauses.append(and_(*equal, step))
    return or_(*clauses)


def _eq(col, value) -> ColumnElement:  # noqa: ANN001
    return col.is_(None) if value is None else col == value


def _before(seg: Segment, keys: Sequence) -> ColumnElement:
    return _compare(seg, keys, after=False)


def _after(seg: Segment, keys: Sequence) -> ColumnElement:
    return _compare(seg, keys, after=True)


def rows_by_id(ws: Workspace, ids: Sequence[int], now: datetime | None = None) -> list[LedgerRow]:
    """Ledger rows for concern ids, in the order given."""
    if not ids:
        return []
    now = now or ws.now()
    cat = Category.__table__.c
    unit = Unit.__table__.c
    stmt = (select(C.id, C.reference, C.received_at, R.name, R.phone, cat.name, C.summary, unit.name, C.status,
                   C.due_at, C.warn_at, C.supervision, C.rework_count, C.return_count, C.version)
            .select_from(Concern.__table__.join(Category.__table__, cat.code == C.category_code)
                         .outerjoin(Unit.__table__, unit.code == C.unit_code)
                         .outerjoin(Resident.__table__, R.id == C.resident_id))
            .where(C.id.in_(list(ids))))
    with ws.read() as s:
        found = {}
        for (cid, ref, received, rname, rphone, cname, summary, uname, status, due, warn, sup, rework, ret,
             version) in s.execute(stmt):
            who = f"{rname} {mask_phone(rphone)}".strip() if rname else "匿名"
            found[cid] = LedgerRow(
                id=cid, reference=ref, received_at=ws.local(received), resident=who, category_name=cname,
                summary=summary, unit_name=uname or "", status=status, status_label=Status(status).label,
                due_at=ws.local(due), deadline_state=deadline_state(now, due, warn).value, supervision=sup,
                rework_count=rework, return_count=ret, version=version)
    return [found[i] for i in ids if i in found]


# ---------------------------------------------------------------- filter choices and summary

@dataclass(frozen=True)
class Choice:
    code: str
    label: str


@dataclass(frozen=True)
class FilterChoices:
    statuses: list[Choice]
    categories: list[Choice]  # top level first, then leaves, as "01 物业管理" / "0103 电梯"
    grids: list[Choice]
    units: list[Choice]
    channels: list[Choice]
    supervision: list[Choice]
    clerks: list[Choice] = field(default_factory=list)


def filter_choices(ws: Workspace) -> FilterChoices:
    with ws.read() as s:
        cats = s.execute(select(Category.__table__.c.code, Category.__table__.c.name)
                         .where(Category.__table__.c.active).order_by(Category.__table__.c.code)).all()
        grids = s.execute(select(Grid.__table__.c.code, Grid.__table__.c.name).order_by(Grid.__table__.c.code)).all()
        units = s.execute(select(Unit.__table__.c.code, Unit.__table__.c.name)
                          .where(Unit.__table__.c.active).order_by(Unit.__table__.c.code)).all()
        clerks = s.execute(select(Clerk.__table__.c.id, Clerk.__table__.c.name)
                           .order_by(Clerk.__table__.c.id)).all()
    return FilterChoices(
        statuses=[Choice(st.value, st.label) for st in STATE_ORDER],
        categories=[Choice(code, name) for code, name in cats],
        grids=[Choice(code, name) for code, name in grids],
        units=[Choice(code, name) for code, name in units],
        channels=[Choice(ch.value, ch.label) for ch in Channel],
        supervision=[Choice("any", "任一督办")] + [Choice(sv.value, sv.label) for sv in Supervision
                                                  if sv is not Supervision.NONE],
        clerks=[Choice(str(i), n) for i, n in clerks],
    )


def describe(q: LedgerQuery, choices: FilterChoices | None = None) -> str:
    """`视图：待派单 ｜ 状态：已受理 ｜ 文字：漏水 ｜ 按时限排序`: the summary line of the filters."""
    def label(options: Iterable[Choice] | None, code: str) -> str:
        for c in options or ():
            if c.code == code:
                return c.label
        return code

    parts = []
    if q.view:
        parts.append(f"视图：{VIEWS.get(q.view, q.view)}")
    if q.statuses:
        parts.append("状态：" + "、".join(Status(s).label if s in Status._value2member_map_ else s
                                         for s in q.statuses))
    if q.category:
        parts.append(f"分类：{label(choices.categories if choices else None, q.category)}")
    if q.grid:
        parts.append(f"网格：{label(choices.grids if choices else None, q.grid)}")
    if q.unit:
        parts.append(f"承办：{label(choices.units if choices else None, q.unit)}")
    if q.channel:
        parts.append(f"来源：{label(choices.channels if choices else None, q.channel)}")
    if q.supervision:
        parts.append(f"督办：{label(choices.supervision if choices else None, q.supervision)}")
    if q.overdue:
        parts.append("已超期")
    if q.due_soon:
        parts.append("将到期")
    if q.received_from or q.received_to:
        parts.append(f"受理：{q.received_from or ''}至{q.received_to or ''}")
    if q.text.strip():
        parts.append(f"文字：{q.text.strip()}")
    parts.append(f"按{SORTS.get(q.sort, q.sort)}排序")
    return " ｜ ".join(parts) if len(parts) > 1 else "全部诉求 ｜ " + parts[0]


# ---------------------------------------------------------------- detail

@dataclass(frozen=True)
class LinkedConcern:
    reference: str
    summary: str
    status_label: str
    relation: str  # 重复诉求 / 原诉求 / 已并入 / 合并来源


@dataclass(frozen=True)
class ConcernDetail:
    concern: object  # services.concerns.ConcernView, with its events
    resident_phone_masked: str | None
    first_reported_at: datetime | None
    on_time: bool | None  # first report-back before the ORIGINAL feedback deadline; None: not yet known
    on_time_label: str
    default_unit: str | None
    default_unit_name: str | None
    links: list[LinkedConcern]
    excluded: bool
    followup_note: str
    followup_at: datetime | None
    unit_names: dict[str, str] = field(default_factory=dict)  # code -> name, for the timeline


def on_time_figure(first_reported_at: datetime | None, original_due: datetime, now: datetime) -> tuple[bool | None, str]:
    """按期: the first report-back came before the original feedback deadline (extensions do not count)."""
    if first_reported_at is not None:
        if first_reported_at <= original_due:
            return True, f"按期（首次反馈 {first_reported_at:%m-%d %H:%M}，原定时限 {original_due:%m-%d %H:%M}）"
        return False, f"超期（首次反馈 {first_reported_at:%m-%d %H:%M}，晚于原定时限 {original_due:%m-%d %H:%M}）"
    if now > original_due:
        return False, f"超期（尚未反馈，原定时限 {original_due:%m-%d %H:%M} 已过）"
    return None, f"尚未反馈（原定时限 {original_due:%m-%d %H:%M}）"


def concern_detail(ws: Workspace, reference: str) -> ConcernDetail:
    from grassroots_tui.services.concerns import default_unit, get_concern

    view = get_concern(ws, reference)
    now = ws.now()
    with ws.read() as s:
        c = s.execute(select(Concern).where(Concern.reference == view.reference)).scalar_one()
        cat = s.get(Category, c.category_code)
        parent = s.get(Category, cat.parent_code) if cat is not None and cat.parent_code else None
        unit_code = default_unit(cat, parent) if cat is not None else None
        unit = s.get(Unit, unit_code) if unit_code else None
        phone = None
        if c.resident_id:
            res = s.get(Resident, c.resident_id)
            phone = mask_phone(res.phone) if res else None
        links: list[LinkedConcern] = []

        def add(rows, relation: str) -> None:  # noqa: ANN001
            for ref, summary, status in rows:
                links.append(LinkedConcern(ref, summary, Status(status).label, relation))

        cols = (C.reference, C.summary, C.status)
        if c.repeat_of_id:
            add(s.execute(select(*cols).where(C.id == c.repeat_of_id)).all(), "原诉求")
        add(s.execute(select(*cols).where(C.repeat_of_id == c.id).order_by(C.id).limit(50)).all(), "重复诉求")
        if c.merged_into_id:
            add(s.execute(select(*cols).where(C.id == c.merged_into_id)).all(), "已并入")
        add(s.execute(select(*cols).where(C.merged_into_id == c.id).order_by(C.id).limit(50)).all(), "合并来源")
        first = ws.local(c.first_reported_at)
        on_time, label = on_time_figure(first, ws.local(c.feedback_due_original), now)
        names = dict(s.execute(select(Unit.__table__.c.code, Unit.__table__.c.name)).all())
        return ConcernDetail(view, phone, first, on_time, label, unit_code, unit.name if unit else None, links,
                             c.excluded, c.followup_note, ws.local(c.followup_at), names)


def default_unit_for(ws: Workspace, reference: str) -> tuple[str | None, str | None]:
    """(code, name) of the handling unit the category routes to (派单 in one key)."""
    from grassroots_tui.services.concerns import default_unit

    with ws.read() as s:
        row = s.execute(select(C.category_code).where(C.reference == normalise_reference(reference))).first()
        if row is None:
            raise NotFound(f"找不到诉求 {reference}。", "reference")
        cat = s.get(Category, row[0])
        parent = s.get(Category, cat.parent_code) if cat is not None and cat.parent_code else None
        code = default_unit(cat, parent) if cat is not None else None
        unit = s.get(Unit, code) if code else None
        return code, unit.name if unit else None


def unit_choices(ws: Workspace) -> list[Choice]:
    return filter_choices(ws).units


# ---------------------------------------------------------------- batch

@dataclass(frozen=True)
class BatchResult:
    action: str
    action_label: str
    references: list[str]

    @property
    def count(self) -> int:
        return len(self.references)


def batch_act(ws: Workspace, actor_id: int, targets: Sequence[tuple[str, int | None]], request: pipeline.Request,
              at: datetime | None = None) -> BatchResult:
    """The same action on several concerns in ONE transaction: all of them or none.

    `targets` are (reference, version the clerk saw). A dispatch without a unit sends each
    concern to its category's default unit. Any refusal (wrong state, stale version, no
    default unit) rolls the whole batch back and names the concern in the message.
    """
    from grassroots_tui.services.concerns import default_unit
    from grassroots_tui.services.transitions import load_concern, transition

    if not targets:
        raise DomainError("没有标记任何诉求。请先用 Ctrl+T 标记要批量处理的行。", "marks")
    if request.action not in (Action.DISPATCH, Action.SUPERVISE, Action.SIGN):
        raise DomainError(f"“{request.action.label}”不能批量执行。", "action")
    at = at.astimezone(ws.tz) if at is not None else None  # None: now, after each concern's latest event
    done: list[str] = []
    with ws.write() as s:
        for reference, version in targets:
            concern = load_concern(s, reference, for_update=True)
            stale = StaleVersion(f"{concern.reference} 刚被其他人修改过，整批未执行。请刷新后查看最新状态再操作。",
                                 "version")
            if version is not None and concern.version != version:
                raise stale
            req = request
            if request.action is Action.DISPATCH and not request.unit_code:
                cat = s.get(Category, concern.category_code)
                parent = s.get(Category, cat.parent_code) if cat and cat.parent_code else None
                unit = default_unit(cat, parent) if cat else None
                if not unit:
                    raise DomainError(f"{concern.reference} 的分类没有默认承办单位，整批未执行。请单独派单。", "unit")
                req = replace(request, unit_code=unit)
            try:
                transition(s, ws, actor_id, concern, req, at, expected_version=version)
            except StaleVersion:
                raise stale from None
            except DomainError as exc:
                raise DomainError(f"{exc.message}整批未执行。", exc.field) from None
            done.append(concern.reference)
    return BatchResult(request.action.value, request.action.label, done)


# ---------------------------------------------------------------- board

@dataclass(frozen=True)
class BoardColumn:
    status: str
    label: str
    count: int
    overdue: int
    due_soon: int
    rows: list[LedgerRow]


def board(ws: Workspace, per_column: int = 8, query: LedgerQuery | None = None) -> list[BoardColumn]:
    """看板: one column a live state with its count, overdue count and the most urgent rows."""
    now = ws.now()
    base = _conditions(ws, replace(query, statuses=(), sort="received"), now) if query else []
    heads: list[tuple[Status, int, int, int, list[int]]] = []
    with ws.read() as s:
        for st in (Status.RECEIVED, Status.DISPATCHED, Status.IN_PROGRESS, Status.PARKED,
                   Status.AWAITING_FOLLOWUP):
            where = base + [C.status == st.value]
            n, late, soon = s.execute(select(
                func.count(), func.sum(case((and_(C.due_at.is_not(None), C.due_at < now), 1), else_=0)),
                func.sum(case((and_(C.warn_at <= now, C.due_at >= now), 1), else_=0)))
                .select_from(Concern.__table__).where(*where)).one()
            order = ((C.due_at.asc(), C.id.asc()) if st.value in CLOCKED else (C.id.desc(),))
            ids = [r[0] for r in s.execute(select(C.id).where(*where).order_by(*order).limit(per_column))]
            heads.append((st, int(n or 0), int(late or 0), int(soon or 0), ids))
    return [BoardColumn(st.value, st.label, n, late, soon, rows_by_id(ws, ids, now))
            for st, n, late, soon, ids in heads]


__all__ = ["VIEWS", "SORTS", "LedgerQuery", "LedgerRow", "Ledger", "FilterChoices", "Choice", "filter_choices",
           "describe", "concern_detail", "ConcernDetail", "batch_act", "BatchResult", "board",
           "BoardColumn", "rebuild_search_index", "matches", "search_fields",
           "on_time_figure", "default_unit_for"]

"""Resident register: add, edit and look up while the resident talks; detail and audited reveal.

What leaves this module is decided by `domain.privacy`: numbers masked, and sensitive care tags
(data/sensitive_tags.toml) kept out of every list, lookup and view unless revealed (audited);
the detail carries them apart, in `ResidentDetail.sensitive_tags`, for the one screen that needs
them. A lookup by a full ID number that answers with a resident is written to the audit log.

Validation (`prepare_resident`) is separate from writing (`insert_resident`) so that intake can
register a resident inside its own transaction and the importer can check every row before it
writes any.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from pathlib import Path

from sqlalchemy import case, func, insert, or_, update
from sqlalchemy import text as sql_text
from sqlmodel import Session, select

from grassroots_tui.domain.codes import OPEN_STATUSES, Status
from grassroots_tui.domain.errors import DomainError, NotFound, StaleVersion
from grassroots_tui.domain.pinyin import full_pinyin, initials, sort_key
from grassroots_tui.domain.privacy import Disclosure, mask_id, mask_phone, sensitive_only
from grassroots_tui.domain.validation import (
    ID_TYPES,
    check_name,
    check_other_document,
    check_text,
    id_check_char,
    nfkc,
    normalise_phone,
    parse_address,
    parse_address_shorthand,
    parse_id_number,
    phone_tail,
)
from grassroots_tui.io.residents_import import (
    LABELS,
    ImportReport,
    RowError,
    address_of,
    match_headers,
    read_table,
)
from grassroots_tui.services.workspace import Workspace
from grassroots_tui.store.models import AuditLog, Category, Concern, Grid, Household, Resident, ResidentTag

SEX_VALUES = ("男", "女", "")


@dataclass
class ResidentDraft:
    """What a clerk typed. For `update_resident`, `phone`/`id_number` None mean "leave as it is"."""

    name: str
    phone: str | None = ""
    id_number: str | None = ""
    id_type: str = "id_card"
    address: str = ""
    estate: str = ""
    grid: str | None = None
    sex: str = ""
    birth_date: date | None = None
    tags: tuple[str, ...] = ()
    notes: str = ""
    relation_to_head: str = ""
    residence_type: str = ""
    tenure: str = ""
    household_of: int | None = None  # join this resident's household (created at their address)
    next_visit_due: date | str | None = None  # date, or typed text such as 2026-10-20 (full width too)


@dataclass(frozen=True)
class PreparedResident:
    """A validated draft: normalised values, ready to write."""

    name: str
    phone: str
    id_type: str
    id_number: str | None
    sex: str
    birth_date: date | None
    estate: str
    building: str
    unit_no: str
    room: str
    grid: str | None
    tags: tuple[str, ...]
    notes: str
    relation_to_head: str
    residence_type: str
    tenure: str
    household_of: int | None
    keep_phone: bool = False
    keep_id: bool = False
    next_visit_due: date | None = None


@dataclass(frozen=True)
class ResidentView:
    id: int
    name: str
    sex: str
    birth_date: date | None
    phone_masked: str
    id_masked: str
    estate: str
    address: str  # 3-2-301
    grid: str | None
    tags: tuple[str, ...]  # the tags this exit may show: sensitive ones only when revealed
    version: int = 1


@dataclass(frozen=True)
class ConcernBrief:
    reference: str
    received_at: datetime
    category_name: str
    summary: str
    status: str
    status_label: str
    open: bool


@dataclass(frozen=True)
class HouseholdMember:
    id: int
    name: str
    relation_to_head: str
    sex: str
    birth_date: date | None


@dataclass(frozen=True)
class ResidentDetail:
    view: ResidentView
    id_type: str
    id_type_label: str
    relation_to_head: str
    residence_type: str
    tenure: str
    notes: str
    next_visit_due: date | None
    household_id: int | None
    household: list[HouseholdMember] = field(default_factory=list)
    concerns: list[ConcernBrief] = field(default_factory=list)
    open_concerns: int = 0
    created_at: datetime | None = None
    updated_at: datetime | None = None
    sensitive_tags: tuple[str, ...] = ()  # 低保, 残疾 …: shown in the detail only, never in a list

    @property
    def all_tags(self) -> tuple[str, ...]:
        """Every tag, for the edit form (which must not drop the sensitive ones)."""
        return self.view.tags + self.sensitive_tags


@dataclass(frozen=True)
class Revealed:
    id_number: str
    phone: str


def _disclosure(ws: Workspace, reveal: bool = False) -> Disclosure:
    return Disclosure(reveal=reveal, sensitive_tags=ws.settings.sensitive_tags)


def _view(r: Resident, tags: tuple[str, ...] = (), shown: Disclosure | None = None) -> ResidentView:
    assert r.id is not None
    shown = shown or Disclosure()
    addr = "-".join(p for p in (r.building, r.unit_no, r.room) if p)
    return ResidentView(r.id, r.name, r.sex, r.birth_date, mask_phone(r.phone), mask_id(r.id_number), r.estate,
                        addr, r.grid_code, shown.tags(tags), r.version)


# ---------------------------------------------------------------- validation

def _tags(raw: tuple[str, ...] | list[str]) -> tuple[str, ...]:
    out: list[str] = []
    for item in raw:
        for part in re.split(r"[,，、;；\s]+", nfkc(item)):
            if part and part not in out:
                if len(part) > 20 or any(c in part for c in "\x00\r\n\t"):
                    raise DomainError(f"标签“{part[:20]}”太长或含有控制字符。", "tags")
                out.append(part)
    return tuple(out)


def resident_by_phone(s: Session, text: str, field: str = "resident_phone") -> Resident:
    """The registered resident with this phone (typed any way the validator accepts), or NotFound."""
    phone = normalise_phone(text, field)
    resident = s.exec(select(Resident).where(Resident.phone == phone)).first()
    if resident is None:
        raise NotFound(f"没有登记手机号为 {mask_phone(phone)} 的居民。", field)
    return resident


def resident_id_by_phone(ws: Workspace, text: str, field: str = "resident_phone") -> int:
    with ws.read() as s:
        return int(resident_by_phone(s, text, field).id)


def prepare_resident(draft: ResidentDraft, *, today: date) -> PreparedResident:
    """Check and normalise a draft (no database): Chinese message and field name on the first error.

    `today` is the workspace clock's date: an ID number's birth date after it is refused.
    """
    name = check_name(draft.name)
    keep_phone = draft.phone is None
    phone = "" if keep_phone or not nfkc(draft.phone) else normalise_phone(draft.phone or "")
    sex, birth, number = nfkc(draft.sex), draft.birth_date, None
    if sex not in SEX_VALUES:
        raise DomainError("性别请填写“男”或“女”。", "sex")
    keep_id = draft.id_number is None
    id_type = nfkc(draft.id_type) or "id_card"
    if id_type not in ID_TYPES:
        label_to_code = {v: k for k, v in ID_TYPES.items()}
        if id_type in label_to_code:
            id_type = label_to_code[id_type]
        else:
            raise DomainError(f"未知证件类型“{draft.id_type}”。", "id_type")
    if not keep_id and nfkc(draft.id_number):
        if id_type == "id_card":
            info = parse_id_number(draft.id_number or "", today=today)
            number, birth, sex = info.number, info.birth_date, info.sex
        else:
            number = check_other_document(draft.id_number or "")
    address = parse_address(draft.address, nfkc(draft.estate))
    if len(address.estate) > 50:
        raise DomainError("小区名称不能超过50个字。", "estate")
    notes = check_text(draft.notes, "备注", "notes", limit=5000)
    grid = nfkc(draft.grid) or None
    visit = draft.next_visit_due
    if isinstance(visit, str):
        raw = nfkc(visit).replace("/", "-").replace(".", "-")
        try:
            visit = date.fromisoformat(raw) if raw else None
        except ValueError:
            raise DomainError("下次走访日期请写成 年-月-日，如 2026-10-20。", "next_visit_due") from None
    return PreparedResident(
        name=name, phone=phone, id_type=id_type, id_number=number, sex=sex, birth_date=birth,
        estate=address.estate, building=address.building, unit_no=address.unit, room=address.room, grid=grid,
        tags=_tags(draft.tags), notes=notes, relation_to_head=check_text(draft.relation_to_head, "与户主关系",
                                                                          "relation_to_head", limit=20),
        residence_type=check_text(draft.residence_type, "居住类型", "residence_type", limit=20),
        tenure=check_text(draft.tenure, "住房性质", "tenure", limit=20), household_of=draft.household_of,
        keep_phone=keep_phone, keep_id=keep_id, next_visit_due=visit,
    )


def find_duplicate(s: Session, p: PreparedResident, exclude_id: int | None = None) -> str | None:
    """A sentence naming the resident already registered with this ID number, or name + phone."""
    if p.id_number:
        q = select(Resident).where(Resident.id_number == p.id_number)
        if exclude_id is not None:
            q = q.where(Resident.id != exclude_id)
        if (other := s.exec(q).first()) is not None:
            return _id_taken(p.id_number, other.name)
    if p.phone:
        q = select(Resident).where(Resident.name == p.name, Resident.phone == p.phone)
        if exclude_id is not None:
            q = q.where(Resident.id != exclude_id)
        if s.exec(q).first() is not None:
            return _pair_taken(p.name, p.phone)
    return None


def _id_taken(number: str, name: str) -> str:
    return f"证件号 {mask_id(number)} 已登记为{name}，请勿重复录入。"


def _pair_taken(name: str, phone: str) -> str:
    return f"{name}（{mask_phone(phone)}）已登记过，请勿重复录入。"


def _household(s: Session, of: int | None, r: Resident) -> int | None:
    if of is None:
        return r.household_id
    head = s.get(Resident, of)
    if head is None:
        raise NotFound("找不到要同户的居民。", "household_of")
    if head.household_id is None:
        hh = Household(estate=head.estate, building=head.building, unit_no=head.unit_no, room=head.room)
        s.add(hh)
        s.flush()
        head.household_id = hh.id
        s.add(head)
    return head.household_id


def resident_row(p: PreparedResident, now: datetime) -> dict:
    """The column values of a prepared resident's row."""
    return dict(
        name=p.name, name_pinyin=full_pinyin(p.name), name_initials=initials(p.name), sort_key=sort_key(p.name),
        sex=p.sex, birth_date=p.birth_date, id_type=p.id_type, id_number=p.id_number, phone=p.phone,
        phone_tail=phone_tail(p.phone), estate=p.estate, building=p.building,
        unit_no=p.unit_no, room=p.room, grid_code=p.grid, notes=p.notes, relation_to_head=p.relation_to_head,
        residence_type=p.residence_type, tenure=p.tenure, next_visit_due=p.next_visit_due,
        created_at=now, updated_at=now,
    )


def insert_resident(s: Session, ws: Workspace, p: PreparedResident) -> Resident:
    """Write a prepared resident inside an open transaction (duplicates refused)."""
    duplicate = find_duplicate(s, p)
    if duplicate:
        raise DomainError(duplicate, "id_number" if p.id_number and "证件号" in duplicate else "name")
    if p.grid and s.get(Grid, p.grid) is None:
        raise DomainError(f"没有编码为“{p.grid}”的网格。", "grid")
    resident = Resident(**resident_row(p, ws.now()))
    s.add(resident)
    s.flush()
    if p.household_of is not None:
        resident.household_id = _household(s, p.household_of, resident)
        s.add(resident)
    for tag in p.tags:
        s.add(ResidentTag(resident_id=resident.id, tag=tag))
    return resident


def add_resident(ws: Workspace, actor_id: int, draft: ResidentDraft) -> ResidentView:
    prepared = prepare_resident(draft, today=ws.now().date())
    with ws.write() as s:
        resident = insert_resident(s, ws, prepared)
        return _view(resident, prepared.tags, _disclosure(ws))


def update_resident(ws: Workspace, actor_id: int, resident_id: int, draft: ResidentDraft,
                    expected_version: int | None = None) -> ResidentView:
    """Edit a resident (one transaction); refused when someone else saved it first."""
    p = prepare_resident(draft, today=ws.now().date())
    with ws.write() as s:
        r = s.get(Resident, resident_id)
        if r is None:
            raise NotFound("找不到这位居民，可能已被删除。", "resident")
        if expected_version is not None and r.version != expected_version:
            raise StaleVersion(f"{r.name}的资料刚被其他人修改过，请关闭后重新打开再改。", "version")
        phone = r.phone if p.keep_phone else p.phone
        number = r.id_number if p.keep_id else p.id_number
        sex, birth = p.sex, p.birth_date
        if p.keep_id and r.id_type == "id_card" and r.id_number:
            sex, birth = r.sex, r.birth_date
        check = PreparedResident(**{**p.__dict__, "phone": phone, "id_number": number})
        duplicate = find_duplicate(s, check, exclude_id=r.id)
        if duplicate:
            raise DomainError(duplicate, "id_number" if "证件号" in duplicate else "name")
        if p.grid and s.get(Grid, p.grid) is None:
            raise DomainError(f"没有编码为“{p.grid}”的网格。", "grid")
        values = dict(
            name=p.name, name_pinyin=full_pinyin(p.name), name_initials=initials(p.name), sort_key=sort_key(p.name),
            sex=sex, birth_date=birth, id_type=p.id_type, id_number=number, phone=phone,
            phone_tail=phone_tail(phone), estate=p.estate, building=p.building, unit_no=p.unit_no,
            room=p.room, grid_code=p.grid, notes=p.notes, relation_to_head=p.relation_to_head,
            residence_type=p.residence_type, tenure=p.tenure, next_visit_due=p.next_visit_due,
            household_id=_household(s, p.household_of, r), updated_at=ws.now(), version=r.version + 1,
        )
        result = s.execute(update(Resident).where(Resident.id == r.id, Resident.version == r.version).values(**values))
        if result.rowcount != 1:
            raise StaleVersion(f"{r.name}的资料刚被其他人修改过，请关闭后重新打开再改。", "version")
        have = set(s.exec(select(ResidentTag.tag).where(ResidentTag.resident_id == r.id)).all())
        for tag in have - set(p.tags):
            s.delete(s.get(ResidentTag, (r.id, tag)))
        for tag in p.tags:
            if tag not in have:
                s.add(ResidentTag(resident_id=r.id, tag=tag))
        s.flush()
        s.refresh(r)
        return _view(r, p.tags, _disclosure(ws))


# ---------------------------------------------------------------- reading

def _range(column, prefix: str):  # noqa: ANN001, ANN202
    """`column` starts with `prefix`, as an index range (LIKE 'x%' cannot use a BINARY index)."""
    return (column >= prefix) & (column < prefix + "\U0010ffff")


def full_id_number(text: str | None) -> str | None:
    """The query as a full mainland ID number (18 characters, right check digit), or None."""
    value = nfkc(text).upper().replace(" ", "").replace("-", "")
    if re.fullmatch(r"\d{17}[\dX]", value) and id_check_char(value[:17]) == value[17]:
        return value
    return None


def search_query(text: str | None):  # noqa: ANN201
    """The SELECT behind the register list (pageable, no LIMIT) and its best-first rank."""
    query = nfkc(text).lower()
    q = select(Resident)
    rank = None
    if (number := full_id_number(text)) is not None:
        return q.where(Resident.id_number == number), None
    if query:
        kind, where, _order = _match(query)
        q = q.where(*where)
        if kind == "initials":
            rank = case((Resident.name_initials == query, 0), (Resident.name_pinyin == query, 0), else_=1)
        elif kind == "name":
            rank = case((Resident.name == query, 0), (_range(Resident.name, query), 1), else_=2)
    return q, rank


_PARTIAL_ADDRESS = re.compile(r"(\d{1,3})-(\d{1,2})(?:-(\d{0,5}))?")


def _match(query: str) -> tuple[str, list, list]:
    """What kind of query the clerk typed: (kind, WHERE terms, index-friendly ORDER BY)."""
    short = parse_address_shorthand(query)
    partial = _PARTIAL_ADDRESS.fullmatch(query)
    address_order = [Resident.building, Resident.unit_no, Resident.room, Resident.sort_key]
    if short:
        return "address", [Resident.building == short.building, Resident.unit_no == short.unit,
                           Resident.room == short.room], address_order
    if partial:
        where = [Resident.building == partial.group(1), Resident.unit_no == partial.group(2)]
        if partial.group(3):
            where.append(_range(Resident.room, partial.group(3)))
        return "address", where, address_order
    if query.isdigit():
        # The tail is typed digit by digit: 5, 56, 567, 5678 (a prefix of the last four digits).
        if len(query) == 4:
            return "phone", [Resident.phone_tail == query], [Resident.phone_tail, Resident.sort_key]
        if len(query) < 4:
            return "phone", [_range(Resident.phone_tail, query)], [Resident.phone_tail, Resident.sort_key]
        return "phone", [Resident.phone.contains(query)], [Resident.sort_key]
    if re.fullmatch(r"[a-z]+", query):
        return "initials", [or_(_range(Resident.name_initials, query), _range(Resident.name_pinyin, query))], \
            [Resident.sort_key]
    return "name", [Resident.name.contains(query)], [Resident.sort_key]


_LOOKUP_COLUMNS = "id, name, sex, birth_date, phone, id_number, estate, building, unit_no, room, grid_code, version"
_TOP = "\U0010ffff"


def _lookup_steps(query: str, contains: str = "instr") -> list[tuple[str, dict]]:
    """Plain SQL for each step of a lookup: index ranges read in index order (stop at LIMIT).

    `contains` is the engine's substring position function, `instr(text, part)` on SQLite and
    `strpos(text, part)` on PostgreSQL (the same argument order).
    """
    short = parse_address_shorthand(query)
    partial = _PARTIAL_ADDRESS.fullmatch(query)
    if short:
        return [("building = :b AND unit_no = :u AND room = :r ORDER BY building, unit_no, room, sort_key, id",
                 {"b": short.building, "u": short.unit, "r": short.room})]
    if partial:
        room = partial.group(3) or ""
        return [("building = :b AND unit_no = :u AND room >= :r AND room < :r || :top "
                 "ORDER BY building, unit_no, room, sort_key, id",
                 {"b": partial.group(1), "u": partial.group(2), "r": room, "top": _TOP})]
    if query.isdigit():
        if len(query) <= 4:
            return [("phone_tail >= :q AND phone_tail < :q || :top ORDER BY phone_tail, sort_key, id",
                     {"q": query, "top": _TOP})]
        return [(f"{contains}(phone, :q) > 0 ORDER BY sort_key, id", {"q": query})]
    if re.fullmatch(r"[a-z]+", query):
        return [("name_initials >= :q AND name_initials < :q || :top ORDER BY name_initials, sort_key, id",
                 {"q": query, "top": _TOP}),
                ("name_pinyin >= :q AND name_pinyin < :q || :top AND NOT (name_initials >= :q AND "
                 "name_initials < :q || :top) ORDER BY name_pinyin, sort_key, id", {"q": query, "top": _TOP})]
    return [("name >= :q AND name < :q || :top ORDER BY name, sort_key, id", {"q": query, "top": _TOP}),
            # A scan of the (covering) name index: instr() is ~5x faster than LIKE '%x%' here.
            (f"id IN (SELECT id FROM resident WHERE {contains}(name, :q) > 0 AND NOT (name >= :q AND name < :q || :top) "
             "LIMIT :n) ORDER BY sort_key, id", {"q": query, "top": _TOP})]


def lookup_residents(ws: Workspace, text: str | None, limit: int = 8, *,
                     actor_id: int | None = None) -> list[ResidentView]:
    """The type-ahead lookup, one call a keystroke: best matches first, each step an index range
    read in index order so it stops after `limit` rows (a few milliseconds over 50 000 residents).

    Names: exact or prefix (`张三` before `张三丰`); names containing the text (`三丰`) when none
    starts with it. Letters: pinyin initials (`zsf`); full pinyin (`zhangsan`) when no initials
    match. A full ID number: that resident, and the lookup is audited (`actor_id` is who asked).
    Digits: the phone tail as typed
    (`5`, `56` ... `5678`); `3-2-301` and `3-2`: the address. The same residents that
    `search_residents` finds first, in an order that needs no sort. Plain SQL: the ORM's per-call
    overhead was most of the time.
    """
    query = nfkc(text).lower()
    if not query:
        return search_residents(ws, None, limit)
    by_id = full_id_number(text)
    sqlite = ws.engine.dialect.name == "sqlite"
    steps = [("id_number = :q", {"q": by_id})] if by_id else _lookup_steps(query, "instr" if sqlite else "strpos")
    shown = _disclosure(ws)
    found: list[ResidentView] = []
    with ws.engine.connect() as con:
        for where, params in steps:
            want = limit - len(found)
            sql = f"SELECT {_LOOKUP_COLUMNS} FROM resident WHERE {where} LIMIT :n"
            if sqlite:
                statement, values = _named_to_qmark(sql, params, want)
                rows = con.exec_driver_sql(statement, values)
            else:
                rows = con.execute(sql_text(sql), {**params, "n": want})
            for row in rows:
                rid, name, sex, birth, phone, number, estate, b, u, r, grid, version = row
                found.append(ResidentView(
                    rid, name, sex or "", date.fromisoformat(birth) if isinstance(birth, str) and birth else birth,
                    mask_phone(phone), mask_id(number), estate or "", "-".join(p for p in (b, u, r) if p), grid, (),
                    version))
            if found:
                break  # names containing the text (or full pinyin) only when nothing starts with it
        if found:
            tags: dict[int, list[str]] = {}
            for rid, tag in con.execute(select(ResidentTag.resident_id, ResidentTag.tag)
                                        .where(ResidentTag.resident_id.in_([v.id for v in found]))):
                tags.setdefault(rid, []).append(tag)
            if tags:
                found = [replace(v, tags=shown.tags(tags.get(v.id, ()))) for v in found]
    if by_id and found:
        _audit_id_lookup(ws, actor_id, by_id, [v.id for v in found])
    return found


def _audit_id_lookup(ws: Workspace, actor_id: int | None, number: str, resident_ids: list[int]) -> None:
    """Who looked a resident up by a full ID number, and whom it named (written before the answer is shown)."""
    with ws.write() as s:
        s.add(AuditLog(at=ws.now(), actor_id=actor_id, action="lookup_id",
                       target=",".join(f"resident:{i}" for i in resident_ids),
                       detail=json.dumps({"query": mask_id(number), "residents": resident_ids}, ensure_ascii=False)))


def _named_to_qmark(sql: str, params: dict, limit: int) -> tuple[str, tuple]:
    """`:name` placeholders (readable above) to sqlite3's `?`, in order (SQLite's fast path)."""
    values: list = []
    params = {**params, "n": limit}

    def sub(m: re.Match) -> str:
        values.append(params[m.group(1)])
        return "?"

    return re.sub(r":([a-z]+)\b", sub, sql), tuple(values)


def search_residents(ws: Workspace, text: str | None, limit: int = 20, offset: int = 0, *,
                     actor_id: int | None = None, reveal_tags: bool = False) -> list[ResidentView]:
    """By name, pinyin initials or full pinyin, phone tail, address shorthand `3-2-301` or full ID number.

    Pageable (LIMIT/OFFSET). Best matches first (exact name or initials, then prefix), then the
    pinyin order of names; without a query, the whole register in pinyin order. Sensitive tags
    are left out unless `reveal_tags`, which is written to the audit log with the residents shown;
    so is the first page of a search by full ID number that finds someone.
    """
    q, rank = search_query(text)
    order = [rank] if rank is not None else []
    q = q.order_by(*order, Resident.sort_key, Resident.id).offset(offset).limit(limit)
    with ws.read() as s:
        rows = s.exec(q).all()
        views = _with_tags(s, rows, _disclosure(ws, reveal_tags))
    number = full_id_number(text)
    if number and views and offset == 0:
        _audit_id_lookup(ws, actor_id, number, [v.id for v in views])
    if reveal_tags and views:
        with ws.write() as s:
            s.add(AuditLog(at=ws.now(), actor_id=actor_id, action="reveal_tags",
                           target=",".join(f"resident:{v.id}" for v in views),
                           detail=json.dumps({"search": mask_id(number) if number else nfkc(text),
                                              "residents": [v.id for v in views]}, ensure_ascii=False)))
    return views


def count_residents(ws: Workspace, text: str | None = None) -> int:
    q, _rank = search_query(text)
    with ws.read() as s:
        return int(s.exec(select(func.count()).select_from(q.subquery())).one())


def _tags_of(s: Session, ids: list[int]) -> dict[int, list[str]]:
    tags: dict[int, list[str]] = {}
    if ids:
        for t in s.exec(select(ResidentTag).where(ResidentTag.resident_id.in_(ids))).all():
            tags.setdefault(t.resident_id, []).append(t.tag)
    return tags


def _with_tags(s: Session, rows: list[Resident], shown: Disclosure) -> list[ResidentView]:
    tags = _tags_of(s, [r.id for r in rows])
    return [_view(r, tuple(tags.get(r.id, ())), shown) for r in rows]


def get_resident(ws: Workspace, resident_id: int) -> ResidentView:
    with ws.read() as s:
        r = s.get(Resident, resident_id)
        if r is None:
            raise NotFound("找不到这位居民。", "resident")
        return _with_tags(s, [r], _disclosure(ws))[0]


def resident_detail(ws: Workspace, resident_id: int, concern_limit: int = 50) -> ResidentDetail:
    """Everything the detail view shows: masked numbers, household, tags, concern history.

    The sensitive care tags come apart from the others (`sensitive_tags`): the detail is the
    one place a clerk needs them (care visits), and nothing that prints `view.tags` shows them.
    """
    with ws.read() as s:
        r = s.get(Resident, resident_id)
        if r is None:
            raise NotFound("找不到这位居民。", "resident")
        raw_tags = tuple(_tags_of(s, [r.id]).get(r.id, ()))
        view = _view(r, raw_tags, _disclosure(ws))
        household: list[HouseholdMember] = []
        if r.household_id is not None:
            members = s.exec(select(Resident).where(Resident.household_id == r.household_id, Resident.id != r.id)
                             .order_by(Resident.sort_key).limit(50)).all()
            household = [HouseholdMember(m.id, m.name, m.relation_to_head, m.sex, m.birth_date) for m in members]
        rows = s.exec(
            select(Concern, Category.name).join(Category, Category.code == Concern.category_code)
            .where(Concern.resident_id == r.id).order_by(Concern.received_at.desc(), Concern.id.desc())
            .limit(concern_limit)
        ).all()
        open_codes = {st.value for st in OPEN_STATUSES}
        concerns = [ConcernBrief(c.reference, ws.local(c.received_at), cat, c.summary, c.status,
                                 Status(c.status).label, c.status in open_codes) for c, cat in rows]
        open_count = int(s.exec(select(func.count()).select_from(Concern).where(
            Concern.resident_id == r.id, Concern.status.in_(open_codes))).one())
        return ResidentDetail(
            view=view, id_type=r.id_type, id_type_label=ID_TYPES.get(r.id_type, r.id_type),
            relation_to_head=r.relation_to_head, residence_type=r.residence_type, tenure=r.tenure, notes=r.notes,
            next_visit_due=r.next_visit_due, household_id=r.household_id, household=household, concerns=concerns,
            open_concerns=open_count, created_at=ws.local(r.created_at), updated_at=ws.local(r.updated_at),
            sensitive_tags=sensitive_only(raw_tags, ws.settings.sensitive_tags),
        )


def open_concerns_of(ws: Workspace, resident_id: int, limit: int = 20) -> list[ConcernBrief]:
    """The resident's concerns still open, newest first (shown beside the intake form)."""
    open_codes = {st.value for st in OPEN_STATUSES}
    with ws.read() as s:
        rows = s.exec(
            select(Concern, Category.name).join(Category, Category.code == Concern.category_code)
            .where(Concern.resident_id == resident_id, Concern.status.in_(open_codes))
            .order_by(Concern.received_at.desc()).limit(limit)
        ).all()
        return [ConcernBrief(c.reference, ws.local(c.received_at), cat, c.summary, c.status,
                             Status(c.status).label, True) for c, cat in rows]


def reveal_resident(ws: Workspace, actor_id: int, resident_id: int, reason: str = "") -> Revealed:
    """The unmasked ID number and phone; the look is written to the audit log (who, when, what)."""
    with ws.write() as s:
        r = s.get(Resident, resident_id)
        if r is None:
            raise NotFound("找不到这位居民。", "resident")
        shown = [label for label, value in (("证件号", r.id_number), ("电话", r.phone)) if value]
        s.add(AuditLog(at=ws.now(), actor_id=actor_id, action="reveal", target=f"resident:{r.id}",
                       detail=f"查看{r.name}的{'、'.join(shown) or '资料'}原文" + (f"：{reason}" if reason else "")))
        return Revealed(r.id_number or "", r.phone)


# ---------------------------------------------------------------- import from a spreadsheet

class _RegisteredMeanwhile(Exception):
    """Another clerk registered some of the file's residents between the check and the write."""

    def __init__(self, errors: list) -> None:
        super().__init__(len(errors))
        self.errors = errors


def _chunks(values: list, size: int = 500):  # noqa: ANN202
    for i in range(0, len(values), size):
        yield values[i:i + size]


def _already_registered(s: Session, prepared: list[tuple[int, PreparedResident]],
                        column_of: Callable[[str], str]) -> list:
    """Row errors for residents the register already has (same ID number, or same name and phone).

    A few set queries however long the file: fast enough to run inside the write transaction.
    """
    numbers = sorted({p.id_number for _row, p in prepared if p.id_number})
    taken_ids: dict[str, str] = {}
    for chunk in _chunks(numbers):
        taken_ids.update(s.exec(select(Resident.id_number, Resident.name).where(Resident.id_number.in_(chunk))).all())
    names = sorted({p.name for _row, p in prepared if p.phone})
    taken_pairs: set[tuple[str, str]] = set()
    for chunk in _chunks(names):
        taken_pairs.update(s.exec(select(Resident.name, Resident.phone)
                                  .where(Resident.name.in_(chunk), Resident.phone != "")).all())
    errors = []
    for row_no, p in prepared:
        if p.id_number and p.id_number in taken_ids:
            taken = _id_taken(p.id_number, taken_ids[p.id_number])
            errors.append(RowError(row_no, column_of("id_number"), "台账中已有：" + taken,
                                   duplicate=True))
        elif p.phone and (p.name, p.phone) in taken_pairs:
            errors.append(RowError(row_no, column_of("name"), "台账中已有：" + _pair_taken(p.name, p.phone), duplicate=True))
    return errors


def import_residents(ws: Workspace, actor_id: int, path: Path | str,
                     progress: Callable[[int, int], None] | None = None) -> ImportReport:
    """Check every row, then write all of them in one short transaction — or none and report why.

    Reading the file, checking every row and building the rows (pinyin included) happen
    before any transaction; the write lock is held only for a last duplicate check (another
    clerk may have registered someone meanwhile) and the inserts, so a long import never
    keeps another clerk's save waiting past the busy timeout.
    """
    path = Path(path)
    report = ImportReport(str(path))
    table = read_table(path)
    # The header is the first row with any text in it.
    start = next((i for i, r in enumerate(table) if any(c.strip() for c in r)), None)
    if start is None:
        raise DomainError("文件是空的，没有表头和数据。", "file")
    header = table[start]
    columns, report.ignored_columns = match_headers(header)
    report.columns = {f: str(header[i]) for f, i in columns.items()}
    if "name" not in columns:
        raise DomainError("找不到“姓名”列：第一行应是表头，如 姓名、性别、身份证号、手机、地址。", "file")
    with ws.read() as s:
        grid_rows = s.exec(select(Grid)).all()
    grids = {g.code: g.code for g in grid_rows}
    grids.update({g.name: g.code for g in grid_rows})
    data_rows = [(start + 2 + n, r) for n, r in enumerate(table[start + 1:]) if any(c.strip() for c in r)]
    del table
    total = report.rows = len(data_rows)
    if total == 0:
        raise DomainError("文件只有表头，没有居民数据；未导入任何居民。", "file")

    def column_of(field_name: str | None) -> str:
        key = field_name or ""
        if key == "address" and "address" not in columns:
            return "/".join(report.columns[k] for k in ("building", "unit", "room") if k in report.columns)
        return report.columns.get(key, LABELS.get(key, ""))

    today = ws.now().date()
    prepared: list[tuple[int, PreparedResident]] = []
    seen_ids: dict[str, int] = {}
    seen_name_phone: dict[tuple[str, str], int] = {}
    for done, (row_no, row) in enumerate(data_rows, 1):
        if progress and done % 200 == 0:
            progress(done, total * 2)
        values = {f: (row[i] if i < len(row) else "").strip() for f, i in columns.items()}
        grid_raw = nfkc(values.get("grid", "")).strip()
        grid = grids.get(grid_raw) or grids.get(grid_raw.upper()) if grid_raw else None
        if grid_raw and grid is None:
            report.errors.append(RowError(row_no, column_of("grid"), f"没有“{grid_raw}”这个网格（写网格编码或名称）。"))
            continue
        try:
            p = prepare_resident(ResidentDraft(
                name=values.get("name", ""), phone=values.get("phone", ""), id_number=values.get("id_number", ""),
                id_type=values.get("id_type", "") or "id_card", address=address_of(values),
                estate=values.get("estate", ""), grid=grid, sex=values.get("sex", ""),
                tags=(values.get("tags", ""),), notes=values.get("notes", ""),
                relation_to_head=values.get("relation_to_head", ""), residence_type=values.get("residence_type", ""),
                tenure=values.get("tenure", ""),
            ), today=today)
        except DomainError as exc:
            report.errors.append(RowError(row_no, column_of(exc.field), exc.message))
            continue
        if p.id_number and p.id_number in seen_ids:
            report.errors.append(RowError(row_no, column_of("id_number"),
                                          f"与第 {seen_ids[p.id_number]} 行的证件号相同。", duplicate=True))
            continue
        if p.phone and (p.name, p.phone) in seen_name_phone:
            report.errors.append(RowError(row_no, column_of("name"),
                                          f"与第 {seen_name_phone[(p.name, p.phone)]} 行姓名和电话相同。", duplicate=True))
            continue
        if p.id_number:
            seen_ids[p.id_number] = row_no
        if p.phone:
            seen_name_phone[(p.name, p.phone)] = row_no
        prepared.append((row_no, p))
    with ws.read() as s:
        report.errors.extend(_already_registered(s, prepared, column_of))
    if report.errors:
        report.errors.sort(key=lambda e: e.row)
        return report
    if progress:
        progress(total, total * 2)
    now = ws.now()
    rows = [resident_row(p, now) for _row, p in prepared]  # pinyin and all, before the lock
    residents, tags = Resident.__table__, ResidentTag.__table__
    try:
        with ws.write() as s:
            meanwhile = _already_registered(s, prepared, column_of)
            if meanwhile:
                raise _RegisteredMeanwhile(meanwhile)
            conn = s.connection()
            # Core executemany INSERTs: the ORM's unit of work (or RETURNING, one statement a row on
            # SQLite) takes seconds for 20 000 rows. The ids are the ones SQLite would give (max + 1,
            # no AUTOINCREMENT), set here so the tags can name them; no one else writes under our lock.
            first = (conn.execute(select(func.max(residents.c.id))).scalar() or 0) + 1
            for n, row in enumerate(rows):
                row["id"] = first + n
            conn.execute(insert(residents), rows)
            tag_rows = [{"resident_id": row["id"], "tag": tag}
                        for row, (_row, p) in zip(rows, prepared, strict=True) for tag in p.tags]
            if tag_rows:
                conn.execute(insert(tags), tag_rows)
            s.add(AuditLog(at=now, actor_id=actor_id, action="import", target="resident",
                           detail=f"从 {path.name} 导入居民 {len(prepared)} 位"))
    except _RegisteredMeanwhile as clash:
        report.errors = sorted(clash.errors, key=lambda e: e.row)
        return report
    report.imported = len(prepared)
    if progress:
        progress(total * 2, total * 2)
    return report

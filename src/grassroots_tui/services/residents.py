"""Resident register: add and look up while the resident talks."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from sqlalchemy import case, or_
from sqlmodel import select

from grassroots_tui.domain.errors import DomainError
from grassroots_tui.domain.pinyin import full_pinyin, initials, sort_key
from grassroots_tui.domain.validation import (
    ID_TYPES, check_name, check_other_document, check_text, mask_id, mask_phone, nfkc, normalise_phone,
    parse_address, parse_address_shorthand, parse_id_number,
)
from grassroots_tui.services.workspace import Workspace
from grassroots_tui.store.models import Grid, Resident, ResidentTag


@dataclass
class ResidentDraft:
    name: str
    phone: str = ""
    id_number: str = ""
    id_type: str = "id_card"
    address: str = ""
    estate: str = ""
    grid: str | None = None
    sex: str = ""
    birth_date: date | None = None
    tags: tuple[str, ...] = ()
    notes: str = ""


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
    tags: tuple[str, ...]


def _view(r: Resident, tags: tuple[str, ...] = ()) -> ResidentView:
    assert r.id is not None
    addr = "-".join(p for p in (r.building, r.unit_no, r.room) if p)
    return ResidentView(r.id, r.name, r.sex, r.birth_date, mask_phone(r.phone), mask_id(r.id_number), r.estate,
                        addr, r.grid_code, tags)


def add_resident(ws: Workspace, actor_id: int, draft: ResidentDraft) -> ResidentView:
    name = check_name(draft.name)
    phone = normalise_phone(draft.phone) if nfkc(draft.phone) else ""
    sex, birth, number = draft.sex, draft.birth_date, None
    if nfkc(draft.id_number):
        if draft.id_type not in ID_TYPES:
            raise DomainError(f"未知证件类型“{draft.id_type}”。", "id_type")
        if draft.id_type == "id_card":
            info = parse_id_number(draft.id_number)
            number, birth, sex = info.number, info.birth_date, info.sex
        else:
            number = check_other_document(draft.id_number)
    address = parse_address(draft.address, nfkc(draft.estate))
    notes = check_text(draft.notes, "备注", "notes", limit=5000)
    now = ws.now()
    with ws.write() as s:
        if number and s.exec(select(Resident).where(Resident.id_number == number)).first():
            raise DomainError(f"证件号 {mask_id(number)} 已登记过，请勿重复录入。", "id_number")
        if phone and s.exec(select(Resident).where(Resident.name == name, Resident.phone == phone)).first():
            raise DomainError(f"{name}（{mask_phone(phone)}）已登记过，请勿重复录入。", "name")
        if draft.grid and s.get(Grid, draft.grid) is None:
            raise DomainError(f"没有编码为“{draft.grid}”的网格。", "grid")
        resident = Resident(
            name=name, name_pinyin=full_pinyin(name), name_initials=initials(name), sort_key=sort_key(name),
            sex=sex, birth_date=birth, id_type=draft.id_type, id_number=number, phone=phone,
            phone_tail=phone[-4:] if phone else "", estate=address.estate, building=address.building,
            unit_no=address.unit, room=address.room, grid_code=draft.grid, notes=notes,
            created_at=now, updated_at=now,
        )
        s.add(resident)
        s.flush()
        tags = tuple(dict.fromkeys(t.strip() for t in draft.tags if t.strip()))
        for tag in tags:
            s.add(ResidentTag(resident_id=resident.id, tag=tag))
        return _view(resident, tags)


def search_residents(ws: Workspace, text: str | None, limit: int = 20, offset: int = 0) -> list[ResidentView]:
    """By name, pinyin initials or full pinyin, phone tail, or address shorthand `3-2-301`."""
    query = nfkc(text).lower()
    q = select(Resident)
    rank = None
    if query:
        short = parse_address_shorthand(query)
        partial = re.fullmatch(r"(\d{1,3})-(\d{1,2})(?:-(\d{0,5}))?", query)
        if short:
            q = q.where(Resident.building == short.building, Resident.unit_no == short.unit,
                        Resident.room == short.room)
        elif partial:
            q = q.where(Resident.building == partial.group(1), Resident.unit_no == partial.group(2))
            if partial.group(3):
                q = q.where(Resident.room.startswith(partial.group(3)))
        elif query.isdigit():
            if len(query) <= 4:
                q = q.where(Resident.phone_tail.endswith(query) if len(query) < 4 else Resident.phone_tail == query)
            else:
                q = q.where(Resident.phone.contains(query))
        elif re.fullmatch(r"[a-z]+", query):
            q = q.where(or_(Resident.name_initials.startswith(query), Resident.name_pinyin.startswith(query)))
            rank = case((Resident.name_initials == query, 0), (Resident.name_pinyin == query, 0), else_=1)
        else:
            q = q.where(Resident.name.contains(query))
            rank = case((Resident.name == query, 0), (Resident.name.startswith(query), 1), else_=2)
    order = [rank] if rank is not None else []
    q = q.order_by(*order, Resident.sort_key, Resident.id).offset(offset).limit(limit)
    with ws.read() as s:
        rows = s.exec(q).all()
        ids = [r.id for r in rows]
        tags: dict[int, list[str]] = {}
        if ids:
            for t in s.exec(select(ResidentTag).where(ResidentTag.resident_id.in_(ids))).all():
                tags.setdefault(t.resident_id, []).append(t.tag)
        return [_view(r, tuple(tags.get(r.id, ()))) for r in rows]

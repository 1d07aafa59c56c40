"""Concerns as full views for the command line and pick lists, filtered and searched through the
ledger's query (its paging and its search index)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import select

from grassroots_tui.services.concerns import ConcernView, concern_view
from grassroots_tui.services.ledger import Ledger, LedgerQuery
from grassroots_tui.services.workspace import Workspace
from grassroots_tui.store.models import Category, Concern, Resident, Unit


@dataclass
class ConcernFilter:
    status: list[str] | None = None
    search: str | None = None
    overdue: bool = False
    due_soon: bool = False
    kind: str | None = None
    limit: int = 50
    offset: int = 0


def list_concerns(ws: Workspace, flt: ConcernFilter) -> list[ConcernView]:
    """Concerns as full views, newest first, filtered and searched like the ledger (its index)."""
    now = ws.now()
    query = LedgerQuery(statuses=tuple(flt.status or ()), text=flt.search or "", overdue=flt.overdue,
                        due_soon=flt.due_soon, kind=flt.kind)
    ids = Ledger(ws, query, now).ids(flt.offset, flt.limit)
    if not ids:
        return []
    with ws.read() as s:
        q = (select(Concern, Category.name, Unit.name, Resident)
             .join(Category, Category.code == Concern.category_code)
             .join(Unit, Unit.code == Concern.unit_code, isouter=True)
             .join(Resident, Resident.id == Concern.resident_id, isouter=True)
             .where(Concern.id.in_(ids)))
        views = {c.id: concern_view(ws, c, cat, unit, res, now) for c, cat, unit, res in s.exec(q).all()}
    return [views[i] for i in ids if i in views]


__all__ = ["ConcernFilter", "list_concerns"]

"""Clerks: who is at the keyboard. Every event names its actor."""

from __future__ import annotations

import json
from dataclasses import dataclass

from sqlmodel import select

from grassroots_tui.config import user_data_dir
from grassroots_tui.domain.errors import DomainError, NotFound
from grassroots_tui.domain.validation import check_name
from grassroots_tui.services.workspace import Workspace
from grassroots_tui.store.models import Clerk


@dataclass(frozen=True)
class ClerkView:
    id: int
    name: str
    role: str


def _view(c: Clerk) -> ClerkView:
    assert c.id is not None
    return ClerkView(c.id, c.name, c.role)


def list_clerks(ws: Workspace) -> list[ClerkView]:
    with ws.read() as s:
        return [_view(c) for c in s.exec(select(Clerk).where(Clerk.active).order_by(Clerk.id)).all()]


def add_clerk(ws: Workspace, name: str, role: str = "工作人员") -> ClerkView:
    name = check_name(name)
    with ws.write() as s:
        if s.exec(select(Clerk).where(Clerk.name == name)).first():
            raise DomainError(f"工作人员“{name}”已存在。", "name")
        clerk = Clerk(name=name, role=role)
        s.add(clerk)
        s.flush()
        return _view(clerk)


def _state_file():  # noqa: ANN202
    return user_data_dir() / "state.json"


def _load_state() -> dict:
    try:
        return json.loads(_state_file().read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def _state_key(ws: Workspace) -> str:
    return str(ws.path.resolve()) if ws.path is not None else ws.location


def remembered_clerk_name(ws: Workspace) -> str | None:
    return _load_state().get("last_clerk", {}).get(_state_key(ws))


def remember_clerk(ws: Workspace, clerk: ClerkView) -> None:
    state = _load_state()
    state.setdefault("last_clerk", {})[_state_key(ws)] = clerk.name
    path = _state_file()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(state, ensure_ascii=False, indent=1), encoding="utf-8")


def find_clerk(ws: Workspace, name: str) -> ClerkView:
    with ws.read() as s:
        clerk = s.exec(select(Clerk).where(Clerk.name == name.strip())).first()
        if clerk is None:
            names = "、".join(c.name for c in s.exec(select(Clerk)).all())
            raise NotFound(f"没有名为“{name}”的工作人员。现有：{names}", "clerk")
        return _view(clerk)


def current_clerk(ws: Workspace, name: str | None = None) -> ClerkView:
    """The named clerk, else the one remembered for this database, else the first."""
    if name:
        return find_clerk(ws, name)
    remembered = remembered_clerk_name(ws)
    if remembered:
        try:
            return find_clerk(ws, remembered)
        except NotFound:
            pass
    clerks = list_clerks(ws)
    if not clerks:
        raise NotFound("数据库中没有工作人员。")
    return clerks[0]

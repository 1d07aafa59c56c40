"""Residents' personal data leaves only masked, or audited: sensitive care tags and lookups by ID number."""

from __future__ import annotations

import json
from pathlib import Path

from sqlmodel import select
from typer.testing import CliRunner

from grassroots_tui.cli import app
from grassroots_tui.domain.validation import id_check_char
from grassroots_tui.services.residents import (
    ResidentDraft,
    add_resident,
    lookup_residents,
    resident_detail,
    search_residents,
    update_resident,
)
from grassroots_tui.store.models import AuditLog

ID = "11010519491231002X"
runner = CliRunner()


def _audit(ws, action: str) -> list[AuditLog]:  # noqa: ANN001
    with ws.read() as s:
        return list(s.exec(select(AuditLog).where(AuditLog.action == action)).all())


def _zhang(ws, clerk_id: int):  # noqa: ANN001, ANN202
    return add_resident(ws, clerk_id, ResidentDraft(name="张三丰", phone="13812345678", id_number=ID,
                                                    tags=("党员", "低保户", "重度残疾", "楼长")))


def test_sensitive_tags_stay_out_of_lists_and_views_but_the_detail_has_them_apart(ws, clerk_id) -> None:  # noqa: ANN001
    added = _zhang(ws, clerk_id)
    assert added.tags == ("党员", "楼长")
    assert search_residents(ws, "张三丰")[0].tags == ("党员", "楼长")
    assert lookup_residents(ws, "zsf")[0].tags == ("党员", "楼长")
    detail = resident_detail(ws, added.id)
    assert detail.view.tags == ("党员", "楼长")
    assert set(detail.sensitive_tags) == {"低保户", "重度残疾"}
    # The edit form gets every tag back, so saving it does not drop the sensitive ones.
    draft = ResidentDraft(name="张三丰", phone=None, id_number=None, tags=detail.all_tags)
    update_resident(ws, clerk_id, added.id, draft, expected_version=detail.view.version)
    assert set(resident_detail(ws, added.id).sensitive_tags) == {"低保户", "重度残疾"}
    assert _audit(ws, "reveal_tags") == []


def test_revealed_tags_are_audited(ws, clerk_id) -> None:  # noqa: ANN001
    added = _zhang(ws, clerk_id)
    shown = search_residents(ws, "张三丰", actor_id=clerk_id, reveal_tags=True)
    assert set(shown[0].tags) == {"党员", "低保户", "重度残疾", "楼长"}
    [row] = _audit(ws, "reveal_tags")
    assert row.actor_id == clerk_id and json.loads(row.detail)["residents"] == [added.id]


def test_the_committee_can_extend_the_list(ws, clerk_id, tmp_path: Path) -> None:  # noqa: ANN001
    config = tmp_path / "userconfig"
    config.mkdir(parents=True, exist_ok=True)
    (config / "sensitive_tags.toml").write_text('words = ["独居"]\n', encoding="utf-8")
    ws.settings.__dict__.pop("sensitive_tags", None)  # read again (cached per process)
    add_resident(ws, clerk_id, ResidentDraft(name="李四", tags=("独居", "低保")))
    assert search_residents(ws, "李四")[0].tags == ("低保",)


def test_a_lookup_by_full_id_number_that_names_someone_is_audited(ws, clerk_id) -> None:  # noqa: ANN001
    added = _zhang(ws, clerk_id)
    assert lookup_residents(ws, "张三丰", actor_id=clerk_id)[0].id == added.id
    assert search_residents(ws, "5678", actor_id=clerk_id)[0].id == added.id
    assert _audit(ws, "lookup_id") == []  # a name or a phone tail is not an ID lookup
    # Full width and lower-case x, as typed with a Chinese IME.
    found = lookup_residents(ws, "１１０１０５１９４９１２３１００２ｘ", actor_id=clerk_id)
    assert [r.name for r in found] == ["张三丰"]
    [row] = _audit(ws, "lookup_id")
    assert row.actor_id == clerk_id and row.target == f"resident:{added.id}"
    detail = json.loads(row.detail)
    assert detail == {"query": "110105********002X", "residents": [added.id]}
    assert ID not in row.detail
    assert [r.name for r in search_residents(ws, ID, actor_id=clerk_id)] == ["张三丰"]
    assert len(_audit(ws, "lookup_id")) == 2
    # A valid number nobody has: no name answered, nothing to audit.
    other = "11010519900101123"
    assert lookup_residents(ws, other + id_check_char(other), actor_id=clerk_id) == []
    assert search_residents(ws, other + id_check_char(other), actor_id=clerk_id) == []
    assert len(_audit(ws, "lookup_id")) == 2


def _run(db: Path, *args: str):  # noqa: ANN202
    result = runner.invoke(app, [*args, "--db", str(db)])
    assert result.exit_code == 0, result.output
    return result.stdout


def test_cli_resident_list_hides_sensitive_tags_unless_revealed(db_path: Path) -> None:
    _run(db_path, "resident", "add", "--name", "张三丰", "--phone", "13812345678", "--id-number", ID,
         "--tag", "党员", "--tag", "低保", "--tag", "刑满释放人员", "--json")
    for out in (_run(db_path, "resident", "list"), _run(db_path, "resident", "list", "--json"),
                _run(db_path, "resident", "list", "--search", "张三丰", "--json")):
        assert "党员" in out and "低保" not in out and "刑满释放" not in out
    revealed = _run(db_path, "resident", "list", "--reveal")
    assert "低保" in revealed and "刑满释放人员" in revealed
    from grassroots_tui.services.workspace import Workspace

    ws = Workspace.open(db_path)
    try:
        assert len(_audit(ws, "reveal_tags")) == 1
        assert _audit(ws, "lookup_id") == []
        out = _run(db_path, "resident", "list", "--search", ID.lower(), "--json")
        assert [r["name"] for r in json.loads(out)] == ["张三丰"]
        [row] = _audit(ws, "lookup_id")
        assert row.actor_id is not None
    finally:
        ws.close()

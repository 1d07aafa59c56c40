"""The same work on SQLite and on a real PostgreSQL server gives the same answers (issue 11).

Each test runs once per engine through `both`: a SQLite file, or an empty database on the
throw-away server of tests/pg_server.py (skipped, saying why, where none can be started).
"""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa

from grassroots_tui.domain.codes import Action, Outcome, Satisfaction
from grassroots_tui.domain.errors import DomainError
from grassroots_tui.domain.metrics import Period
from grassroots_tui.domain.pipeline import Request
from grassroots_tui.domain.search import matches, search_fields
from grassroots_tui.services.clerks import current_clerk
from grassroots_tui.services.concerns import ConcernDraft, act, get_concern, log_concern
from grassroots_tui.services.ledger import Ledger, LedgerQuery
from grassroots_tui.services.metrics import period_figures
from grassroots_tui.services.workspace import Workspace

SUMMARIES = ["楼上卫生间漏水", "楼道灯不亮", "小区门口路灯坏了", "电梯故障困人", "漏水渗到楼下", "3号楼噪音扰民",
             "SQ 编号咨询", "下水道堵塞_50%", "居住证办理咨询", "灯"]
QUERIES = ["漏", "漏水", "楼道灯", "路灯坏了", "灯", "3号", "sq", "ＳＱ", "_50%", "50", "咨询 办理", "无此字"]


@pytest.fixture(params=["sqlite", "postgresql"])
def both(request, tmp_path: Path, clock):  # noqa: ANN001, ANN201
    if request.param == "sqlite":
        target: Path | str = tmp_path / "same.sqlite3"
    else:
        from grassroots_tui.config import resolve_db_path

        target = resolve_db_path(request.getfixturevalue("pg_url"))
    ws = Workspace.open(target, clock=clock)
    yield ws
    ws.close()


def _story(ws: Workspace) -> list[str]:
    clerk = current_clerk(ws).id
    refs = [log_concern(ws, clerk, ConcernDraft(summary=s, category="0801")).reference for s in SUMMARIES]
    act(ws, clerk, refs[0], Request(Action.DISPATCH, unit_code="WY"))
    act(ws, clerk, refs[1], Request(Action.HANDLE))
    act(ws, clerk, refs[1], Request(Action.REPORT, note="已更换灯泡"))
    act(ws, clerk, refs[1], Request(Action.FOLLOWUP, outcome=Outcome.SOLVED, satisfaction=Satisfaction.SATISFIED))
    act(ws, clerk, refs[2], Request(Action.REJECT, note="不属于受理范围"))
    return refs


def test_a_workspace_opens_on_either_engine_and_reopens(both: Workspace, clock) -> None:  # noqa: ANN001
    refs = _story(both)
    assert refs[0] == "SQ-2026-000001" and refs[-1] == "SQ-2026-000010"  # numbers taken once, in order
    assert get_concern(both, refs[1]).status == "closed"
    target = both.path if both.path is not None else both.url
    again = Workspace.open(target, clock=clock)
    try:
        assert get_concern(again, refs[0]).status == "dispatched"
        assert [e.action for e in get_concern(again, refs[1]).events] == ["receive", "handle", "report", "followup"]
    finally:
        again.close()


def test_search_equals_a_plain_substring_scan_on_either_engine(both: Workspace) -> None:
    _story(both)
    everything = Ledger(both, LedgerQuery()).page(0, 100)
    fields = {r.reference: search_fields(r.reference, r.summary, "", None, "", "", "", "", "") for r in everything}
    for query in QUERIES:
        found = {r.reference for r in Ledger(both, LedgerQuery(text=query)).page(0, 100)}
        expected = {ref for ref, f in fields.items() if matches(f, query)}
        assert found == expected, query
        assert Ledger(both, LedgerQuery(text=query)).count() == len(expected)
    assert {r.reference for r in Ledger(both, LedgerQuery(text="漏水")).page(0, 10)} == {"SQ-2026-000001",
                                                                                      "SQ-2026-000005"}


def test_the_figures_are_the_same_on_either_engine(both: Workspace, clock) -> None:  # noqa: ANN001
    _story(both)
    clock.set(2026, 10, 20, 9)
    got = {code: (f.numerator, f.denominator, f.pending) for code, f in period_figures(both, Period.month(2026, 9)).items.items()}
    # Nine concerns count (the rejected one does not). Routed: 0001 (dispatch) and 0002 (handled), within
    # the hour of intake on Wed 09-30; the dispatch limit of the other seven (end of 10-08) has passed.
    assert got["response_rate"] == (2, 9, 0)
    assert got["closure_rate"] == (1, 9, 0)  # 0002 closed; feedback limit of the rest (10-15) passed
    assert got["followup_rate"] == (1, 1, 0)


def test_a_database_holding_other_tables_is_refused_untouched(pg_url: str) -> None:
    from grassroots_tui.config import resolve_db_path

    engine = sa.create_engine(pg_url)
    with engine.begin() as conn:
        conn.execute(sa.text("CREATE TABLE payroll (id integer primary key, name text)"))
    with pytest.raises(DomainError, match="其他程序的表（payroll）"):
        Workspace.open(resolve_db_path(pg_url))
    assert sa.inspect(engine).get_table_names() == ["payroll"]
    engine.dispose()


def test_the_resident_lookup_finds_the_same_on_either_engine(both: Workspace) -> None:
    from grassroots_tui.services.residents import ResidentDraft, add_resident, lookup_residents, search_residents

    clerk = current_clerk(both).id
    people = [("张三丰", "13812345678", "3-2-301"), ("张三", "13912340001", "3-2-302"), ("李四", "13700005678", "5-1-101"),
              ("王小三", "13600001111", "1-1-101")]
    for name, phone, address in people:
        add_resident(both, clerk, ResidentDraft(name=name, phone=phone, address=address))

    def names(query: str) -> list[str]:
        return [v.name for v in lookup_residents(both, query)]

    assert names("张三") == ["张三", "张三丰"]  # exact first, then the prefix
    assert names("三丰") == ["张三丰"]  # contained, when nothing starts with it
    assert names("zsf") == ["张三丰"]
    assert sorted(names("5678")) == ["张三丰", "李四"]  # phone tail
    assert names("3-2-301") == ["张三丰"]
    assert sorted(names("3-2")) == ["张三", "张三丰"]
    assert names("123400") == ["张三"]  # digits inside the number
    # The register in pinyin order: wang before zhang, and 张三 (zhang1 san1) before 张三丰.
    assert [v.name for v in search_residents(both, "三")] == ["王小三", "张三", "张三丰"]


def test_the_same_demo_on_both_engines_gives_the_same_search_results_and_figures(pg_url: str, tmp_path: Path,
                                                                                  clock) -> None:  # noqa: ANN001
    from grassroots_tui.config import resolve_db_path
    from grassroots_tui.services.demo import build_demo
    from grassroots_tui.services.residents import lookup_residents

    clock.set(2026, 12, 2, 9)
    targets = [tmp_path / "demo.sqlite3", resolve_db_path(pg_url)]
    for target in targets:
        build_demo(target, residents=120, concerns=600, seed=7, clock=clock)
    answers = []
    for target in targets:
        ws = Workspace.open(target, clock=clock)
        try:
            months = {m: period_figures(ws, Period.month(2026, m)).as_json() for m in (10, 11, 12)}
            searches = {q: [r.reference for r in Ledger(ws, LedgerQuery(text=q)).page(0, 1000)]
                        for q in ("漏", "漏水", "灯", "3-2", "噪音", "SQ-2026-0001", "无此字")}
            lookups = {q: [v.id for v in lookup_residents(ws, q)] for q in ("张", "zh", "1", "12", "3-2")}
            answers.append((months, searches, lookups))
        finally:
            ws.close()
    sqlite, postgres = answers
    assert sqlite[1]["漏水"] and sqlite[1]["灯"], "the demo should hold concerns to find"
    assert postgres == sqlite


def test_the_demo_goes_only_into_an_empty_server_database(pg_url: str, clock) -> None:  # noqa: ANN001
    from grassroots_tui.config import resolve_db_path
    from grassroots_tui.services.demo import build_demo

    url = resolve_db_path(pg_url)
    build_demo(url, residents=5, concerns=10, seed=1, clock=clock)
    with pytest.raises(DomainError, match="已有数据"):
        build_demo(url, residents=5, concerns=10, seed=2, clock=clock)
    ws = Workspace.open(url, clock=clock)
    try:
        assert Ledger(ws, LedgerQuery()).count() == 10  # the first demo, untouched
    finally:
        ws.close()


def test_exports_and_the_command_line_read_the_same_on_either_engine(pg_url: str, tmp_path: Path, clock) -> None:  # noqa: ANN001
    import json

    from typer.testing import CliRunner

    from grassroots_tui.cli import app
    from grassroots_tui.config import resolve_db_path
    from grassroots_tui.services.exports import export_concerns

    targets = [tmp_path / "same.sqlite3", resolve_db_path(pg_url)]
    csvs = []
    for i, target in enumerate(targets):
        ws = Workspace.open(target, clock=clock)
        try:
            _story(ws)
            out = tmp_path / f"ledger{i}.csv"
            export_concerns(ws, "csv", out, actor_id=current_clerk(ws).id)
            csvs.append(out.read_bytes())
        finally:
            ws.close()
    assert csvs[0] == csvs[1] and "楼上卫生间漏水" in csvs[0].decode("utf-8-sig")
    # The command line on the server: the address as a clerk types it.
    url = pg_url.replace("postgresql+psycopg://", "postgresql://")
    added = CliRunner().invoke(app, ["--db", url, "concern", "add", "--summary", "楼道灯坏了", "--category", "0302",
                                     "--json"])
    assert added.exit_code == 0, added.output
    reference = json.loads(added.output)["reference"]
    assert reference == "SQ-2026-000011"
    listed = CliRunner().invoke(app, ["--db", url, "concern", "list", "--search", "楼道灯", "--json"])
    assert listed.exit_code == 0 and {c["reference"] for c in json.loads(listed.output)} == {"SQ-2026-000002", reference}


def test_a_pc_whose_clock_is_behind_records_after_the_latest_event(both: Workspace, clock) -> None:  # noqa: ANN001
    """Two clerks' PCs never agree to the second: an action taken "now" on a concern another PC
    touched a moment "later" is recorded right after it, not refused; a typed time still is."""
    from datetime import timedelta

    clerk = current_clerk(both).id
    ref = log_concern(both, clerk, ConcernDraft(summary="楼道灯不亮", category="0302")).reference
    ahead = clock.now + timedelta(minutes=2)
    clock.now = ahead  # the other PC, two minutes ahead
    act(both, clerk, ref, Request(Action.HANDLE))
    clock.now = ahead - timedelta(minutes=2)  # this PC
    view = act(both, clerk, ref, Request(Action.REPORT, note="已更换灯泡"))
    assert [e.action for e in view.events] == ["receive", "handle", "report"]
    assert view.events[-1].at == view.events[-2].at == ahead
    with pytest.raises(DomainError, match="不能早于这件诉求的上一条办理记录"):
        act(both, clerk, ref, Request(Action.FOLLOWUP, outcome=Outcome.SOLVED, satisfaction=Satisfaction.SATISFIED),
            at=clock.now)

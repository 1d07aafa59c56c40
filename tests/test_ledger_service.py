"""The ledger service: search equals a substring scan, paging in every sort, views, batch, concurrency."""

from __future__ import annotations

import random
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import text
from sqlmodel import select

from grassroots_tui.domain.codes import Action, Outcome, Satisfaction, Supervision
from grassroots_tui.domain.errors import DomainError, StaleVersion
from grassroots_tui.domain.pipeline import Request
from grassroots_tui.services import ledger
from grassroots_tui.services.concerns import ConcernDraft, act, get_concern, log_concern
from grassroots_tui.services.ledger import Ledger, LedgerQuery
from grassroots_tui.store.models import Resident

TZ = ZoneInfo("Asia/Shanghai")
# A small alphabet, so one- and two-character queries hit many rows and miss some.
CHARS = "楼上漏水灯坏电梯噪音垃圾停车小区门口ＡB12-［］ "
CATEGORIES = ("0801", "0302", "0103", "0701", "0201", "0501", "0401")


def at(*args: int) -> datetime:
    return datetime(*args, tzinfo=TZ)


def _populate(ws, clerk_id: int, clock, n: int = 240, seed: int = 7) -> None:  # noqa: ANN001
    rng = random.Random(seed)
    with ws.write() as s:
        for i in range(30):
            s.add(Resident(name="".join(rng.choice("王李张刘陈灯水") for _ in range(rng.randint(2, 3))),
                           phone=f"138{i:08d}", phone_tail=f"{i:04d}", created_at=clock.now, updated_at=clock.now,
                           building=str(rng.randint(1, 9)), unit_no=str(rng.randint(1, 3)), room=f"{rng.randint(1, 6)}01"))
    start = at(2026, 9, 1, 9)
    for i in range(n):
        summary = "".join(rng.choice(CHARS) for _ in range(rng.randint(2, 12))).strip() or "漏水"
        log_concern(ws, clerk_id, ConcernDraft(
            summary=summary, category=rng.choice(CATEGORIES),
            detail="".join(rng.choice(CHARS) for _ in range(rng.randint(0, 20))),
            resident_id=rng.choice([None, *range(1, 31)]),
            received_at=start + timedelta(hours=i * 2 + rng.randint(0, 1)),
            location_text=rng.choice(["", "东门", "3号楼北侧"])))


@pytest.fixture
def ledger_ws(ws, clerk_id, clock):  # noqa: ANN001, ANN201
    clock.set(2026, 10, 25, 9)
    _populate(ws, clerk_id, clock)
    return ws


def scan(ws, query: str) -> set[str]:  # noqa: ANN001
    """The plain substring scan the search must equal."""
    with ws.read() as s:
        rows = s.execute(text(
            "SELECT c.reference, c.summary, c.detail, r.name, c.estate, c.building, c.unit_no, c.room, "
            "c.location_text FROM concern c LEFT JOIN resident r ON r.id = c.resident_id")).all()
    return {r[0] for r in rows if ledger.matches(ledger.search_fields(*r), query)}


def found(ws, query: str) -> set[str]:  # noqa: ANN001
    lg = Ledger(ws, LedgerQuery(text=query))
    return {r.reference for r in lg.page(0, lg.count() + 10)}


def test_search_equals_a_substring_scan_for_every_query_length(ledger_ws) -> None:  # noqa: ANN001
    ws = ledger_ws
    rng = random.Random(3)
    queries = ["灯", "漏", "b", "1", "-", "［", "漏水", "小区", "水灯", "王李", "电梯噪", "SQ-2026-0000",
               "000123", "3-2", "东门", "上漏水", "ａｂ", "楼上 垃圾", "不存在的字"]
    queries += ["".join(rng.choice(CHARS.strip()) for _ in range(rng.randint(1, 4))) for _ in range(40)]
    lengths = set()
    for q in queries:
        expected = scan(ws, q)
        assert found(ws, q) == expected, q
        lengths.add(min(len(q.strip()), 3))
        if expected:
            lengths.add(10 + min(len(q.strip()), 3))
    assert {11, 12, 13} <= lengths  # 1-, 2- and 3+-character queries that find something


def test_search_follows_later_edits_of_residents_and_concerns(ledger_ws, clerk_id) -> None:  # noqa: ANN001
    ws = ledger_ws
    assert found(ws, "欧阳") == set()
    with ws.write() as s:
        s.execute(text("UPDATE resident SET name = '欧阳娜娜' WHERE id = 1"))
    assert found(ws, "欧阳") == scan(ws, "欧阳") != set()
    v = log_concern(ws, clerk_id, ConcernDraft(summary="井盖松动", category="0303"))
    assert v.reference in found(ws, "井")


def _all(lg: Ledger) -> list:  # noqa: ANN001
    return lg.page(0, lg.count() + 5)


@pytest.mark.parametrize("sort", ["received", "deadline", "state"])
def test_pages_join_up_to_the_whole_list_in_every_sort(ledger_ws, clerk_id, sort: str) -> None:  # noqa: ANN001
    ws = ledger_ws
    refs = [r.reference for r in Ledger(ws, LedgerQuery()).page(0, 60)]
    for ref in refs[:20]:
        act(ws, clerk_id, ref, Request(Action.DISPATCH, unit_code="WY"))
    for ref in refs[20:30]:
        act(ws, clerk_id, ref, Request(Action.HANDLE))
    for ref in refs[20:25]:
        act(ws, clerk_id, ref, Request(Action.REPORT, note="已处理"))
    for ref in refs[30:33]:
        act(ws, clerk_id, ref, Request(Action.REJECT, note="不属于受理范围"))
    lg = Ledger(ws, LedgerQuery(sort=sort))
    everything = _all(lg)
    assert len(everything) == lg.count() == 240
    pages = [row for off in range(0, 240, 37) for row in lg.page(off, 37)]
    assert [r.reference for r in pages] == [r.reference for r in everything]
    if sort == "received":
        assert [r.received_at for r in everything] == sorted((r.received_at for r in everything), reverse=True)
    if sort == "deadline":
        dues = [r.due_at for r in everything if r.due_at is not None]
        assert len(dues) == 237 and dues == sorted(dues)  # the three rejected have no clock: last
        assert all(r.due_at is None for r in everything[237:])
    if sort == "state":
        order = [s.value for s in ledger.STATE_ORDER]
        assert [order.index(r.status) for r in everything] == sorted(order.index(r.status) for r in everything)
        followups = [r.due_at for r in everything if r.status == "awaiting_followup"]
        assert len(followups) == 5 and None not in followups and followups == sorted(followups)
    for i in (0, 1, 57, 120, 239):
        assert lg.index_of(everything[i].reference) == i


def test_next_overdue_jumps_forward_and_wraps(ledger_ws) -> None:  # noqa: ANN001
    ws = ledger_ws
    lg = Ledger(ws, LedgerQuery(sort="state"))
    rows = _all(lg)
    late = [i for i, r in enumerate(rows) if r.overdue]
    assert late, "the generated data has overdue concerns"
    assert lg.next_overdue(-1) == late[0]
    assert lg.next_overdue(late[0]) == (late[1] if len(late) > 1 else late[0])
    assert lg.next_overdue(len(rows) - 1) == late[0]  # wraps to the top


def test_saved_views_and_filters(ledger_ws, clerk_id) -> None:  # noqa: ANN001
    ws = ledger_ws
    refs = [r.reference for r in Ledger(ws, LedgerQuery()).page(0, 6)]
    act(ws, clerk_id, refs[0], Request(Action.HANDLE))
    act(ws, clerk_id, refs[0], Request(Action.PARK, note="需列入维修资金计划"))
    act(ws, clerk_id, refs[1], Request(Action.HANDLE))
    act(ws, clerk_id, refs[1], Request(Action.REPORT, note="已修好"))
    act(ws, clerk_id, refs[2], Request(Action.SUPERVISE, supervision=Supervision.RED))
    total = Ledger(ws, LedgerQuery()).count()
    assert {r.reference for r in _all(Ledger(ws, LedgerQuery(view="parked")))} == {refs[0]}
    assert {r.reference for r in _all(Ledger(ws, LedgerQuery(view="followup")))} == {refs[1]}
    assert Ledger(ws, LedgerQuery(view="undispatched")).count() == total - 2
    assert {r.reference for r in _all(Ledger(ws, LedgerQuery(supervision="any")))} == {refs[2]}
    assert {r.reference for r in _all(Ledger(ws, LedgerQuery(supervision="red", view="undispatched")))} == {refs[2]}
    today = _all(Ledger(ws, LedgerQuery(view="today", clerk_id=clerk_id)))
    assert today and all(r.due_at is not None and r.due_at.date() <= date(2026, 10, 25) for r in today)
    leaks = _all(Ledger(ws, LedgerQuery(category="08")))
    assert leaks and all(r.category_name == "漏水渗水" for r in leaks)
    october = _all(Ledger(ws, LedgerQuery(received_from=date(2026, 9, 5), received_to=date(2026, 9, 7))))
    assert len(october) == 36 and all(date(2026, 9, 5) <= r.received_at.date() <= date(2026, 9, 7) for r in october)
    late = _all(Ledger(ws, LedgerQuery(overdue=True, text="漏")))
    assert late and all(r.overdue for r in late)
    line = ledger.describe(LedgerQuery(view="parked", text="漏水", sort="deadline"))
    assert line == "视图：挂账 ｜ 文字：漏水 ｜ 按时限排序"


def test_batch_dispatch_uses_default_units_and_is_all_or_nothing(ledger_ws, clerk_id) -> None:  # noqa: ANN001
    ws = ledger_ws
    rows = Ledger(ws, LedgerQuery(view="undispatched")).page(0, 4)
    act(ws, clerk_id, rows[3].reference, Request(Action.REJECT, note="不属于受理范围"))
    targets = [(r.reference, r.version) for r in rows]
    with pytest.raises(DomainError) as err:
        ledger.batch_act(ws, clerk_id, targets, Request(Action.DISPATCH))
    assert rows[3].reference in err.value.message and "整批未执行" in err.value.message
    assert all(get_concern(ws, r.reference).status == "received" for r in rows[:3])  # nothing half-done
    result = ledger.batch_act(ws, clerk_id, targets[:3], Request(Action.DISPATCH))
    assert result.count == 3
    for r in rows[:3]:
        v = get_concern(ws, r.reference)
        unit, _ = ledger.default_unit_for(ws, r.reference)
        assert v.status == "dispatched" and v.unit == unit and v.events[-1].action == "dispatch"
    ledger.batch_act(ws, clerk_id, [(r.reference, None) for r in rows[:3]],
                     Request(Action.SUPERVISE, supervision=Supervision.YELLOW))
    assert {get_concern(ws, r.reference).supervision for r in rows[:3]} == {"yellow"}


def test_second_writer_is_refused_and_sees_the_fresh_state(ledger_ws, clerk_id, db_path, clock) -> None:  # noqa: ANN001
    from grassroots_tui.services.workspace import Workspace

    first = ledger_ws
    second = Workspace.open(db_path, clock=clock)
    try:
        ref = Ledger(first, LedgerQuery(view="undispatched")).page(0, 1)[0].reference
        seen_by_both = get_concern(second, ref).version
        act(first, clerk_id, ref, Request(Action.DISPATCH, unit_code="WY"), expected_version=seen_by_both)
        with pytest.raises(StaleVersion) as err:
            act(second, clerk_id, ref, Request(Action.HANDLE), expected_version=seen_by_both)
        assert "刚被其他人修改过" in err.value.message and ref in err.value.message
        fresh = get_concern(second, ref)
        assert fresh.status == "dispatched" and fresh.unit == "WY"  # the first clerk's work is kept
        assert [e.action for e in fresh.events] == ["receive", "dispatch"]
        with pytest.raises(StaleVersion):
            ledger.batch_act(second, clerk_id, [(ref, seen_by_both)], Request(Action.SIGN))
        act(second, clerk_id, ref, Request(Action.SIGN), expected_version=fresh.version)  # after a refresh: fine
        assert get_concern(first, ref).status == "in_progress"
    finally:
        second.close()


def test_on_time_figure_uses_the_original_deadline(ledger_ws, clerk_id, clock) -> None:  # noqa: ANN001
    ws = ledger_ws
    ref = Ledger(ws, LedgerQuery(view="undispatched", sort="received")).page(0, 1)[0].reference
    v = get_concern(ws, ref)
    clock.now = v.received_at + timedelta(hours=1)  # handled soon after intake (actions keep time order)
    act(ws, clerk_id, ref, Request(Action.HANDLE))
    act(ws, clerk_id, ref, Request(Action.EXTEND, note="需协调", until=v.feedback_due.date() + timedelta(days=20)))
    clock.now = v.feedback_due_original + timedelta(days=2)  # inside the extension, after the original limit
    act(ws, clerk_id, ref, Request(Action.REPORT, note="已修复"))
    d = ledger.concern_detail(ws, ref)
    assert d.on_time is False and "晚于原定时限" in d.on_time_label
    act(ws, clerk_id, ref, Request(Action.FOLLOWUP, outcome=Outcome.SOLVED, satisfaction=Satisfaction.SATISFIED))


def test_board_counts_every_live_state(ledger_ws, clerk_id) -> None:  # noqa: ANN001
    ws = ledger_ws
    ref = Ledger(ws, LedgerQuery()).page(0, 1)[0].reference
    act(ws, clerk_id, ref, Request(Action.DISPATCH, unit_code="WY"))
    cols = {c.status: c for c in ledger.board(ws, per_column=3)}
    assert cols["dispatched"].count == 1 and cols["dispatched"].rows[0].reference == ref
    assert cols["received"].count == 239 and len(cols["received"].rows) == 3
    assert cols["received"].overdue == Ledger(ws, LedgerQuery(view="undispatched", overdue=True)).count()


def test_export_of_the_current_view_and_of_marked_rows_goes_through_the_exporter(ledger_ws, clerk_id,
                                                                                   tmp_path) -> None:  # noqa: ANN001
    import csv
    import io
    import json

    from grassroots_tui.services.exports import export_concerns
    from grassroots_tui.store.models import AuditLog

    ws = ledger_ws
    query = LedgerQuery(view="undispatched", sort="deadline")
    view = Ledger(ws, query)
    expected = [r.reference for r in view.page(0, view.count())]
    out = tmp_path / "view.csv"
    result = export_concerns(ws, "csv", out, query=query, actor_id=clerk_id)
    assert result.rows == len(expected) == view.count()
    rows = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8-sig"))))
    assert [r["编号"] for r in rows] == expected  # the whole view, in the ledger's order
    marked = [expected[5], expected[1]]
    export_concerns(ws, "csv", tmp_path / "marked.csv", references=marked, actor_id=clerk_id)
    rows = list(csv.DictReader(io.StringIO((tmp_path / "marked.csv").read_text(encoding="utf-8-sig"))))
    assert [r["编号"] for r in rows] == marked
    with ws.read() as s:
        audits = s.exec(select(AuditLog).where(AuditLog.action == "export").order_by(AuditLog.id)).all()
    assert [json.loads(a.detail)["selection"] for a in audits] == ["ledger_view", "marked"]
    assert [json.loads(a.detail)["rows"] for a in audits] == [len(expected), 2]


def test_detail_links_repeats_and_merged_duplicates(ledger_ws, clerk_id) -> None:  # noqa: ANN001
    ws = ledger_ws
    first, dup = [r.reference for r in Ledger(ws, LedgerQuery(view="undispatched")).page(0, 2)]
    repeat = log_concern(ws, clerk_id, ConcernDraft(summary="又漏水了", category="0801", repeat_of=first)).reference
    act(ws, clerk_id, dup, Request(Action.MERGE, merge_into=first, note="同一件事"))
    links = {(link.relation, link.reference) for link in ledger.concern_detail(ws, first).links}
    assert links == {("重复诉求", repeat), ("合并来源", dup)}
    assert {(link.relation, link.reference) for link in ledger.concern_detail(ws, dup).links} == {("已并入", first)}
    assert {(link.relation, link.reference) for link in ledger.concern_detail(ws, repeat).links} == {("原诉求", first)}

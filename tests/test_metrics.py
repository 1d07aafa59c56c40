"""The figures of domain.md §3 on a hand-built database (see test_metrics_db.py for the stories).

Counted in October (N): A B C D E I J L = 8. Not counted: F rejected, G merged, H excluded, K September.
"""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from grassroots_tui.domain.metrics import MetricOptions, Period, figures, tally
from grassroots_tui.services.concerns import get_concern
from grassroots_tui.services.metrics import (
    breakdown,
    concern_facts,
    concerns_behind,
    count_behind,
    period_figures,
    trend,
)
from hand_db import at, build_hand_db

OCT = Period.month(2026, 10)


@pytest.fixture
def refs(ws, clerk_id, clock):  # noqa: ANN001, ANN201
    return build_hand_db(ws, clerk_id, clock)


def test_the_deadlines_the_stories_rely_on(ws, refs) -> None:  # noqa: ANN001
    a = get_concern(ws, refs["A"])
    assert a.dispatch_due == at(2026, 10, 13, 23, 59, 59)
    assert a.feedback_due_original == at(2026, 10, 21, 23, 59, 59)
    b = get_concern(ws, refs["B"])
    assert b.feedback_due_original == at(2026, 10, 21, 23, 59, 59)
    assert b.feedback_due == at(2026, 10, 30, 23, 59, 59) and b.extension_count == 1
    c = get_concern(ws, refs["C"])
    assert c.status == "closed" and c.rework_count == 1
    assert [e.action for e in c.events].count("followup") == 2


def test_every_figure_of_october_by_hand(ws, refs) -> None:  # noqa: ANN001
    f = period_figures(ws, OCT)
    got = {code: (fig.numerator, fig.denominator, fig.value) for code, fig in f.items.items()}
    # 响应率: routed within the dispatch limit: A, C (in-house), D, E (answered), J, L = 6;
    #   B dispatched Oct 14 after its limit (end of Oct 13); I never routed.   6 / 8
    assert got["response_rate"] == (6, 8, 0.75)
    # followed up (latest follow-up only): A, B, C, E, L = 5 (J still awaits its call).
    # 解决率: A solved 1 + B partly 0.5 + C solved 1 (its latest; the first was unsolved)
    #   + E solved 1 + L partly 0.5 = 4 points.                                  4 / 5
    assert got["resolution_rate"] == (4, 5, 0.8)
    # 满意率: A satisfied, B basic, C satisfied (latest), E satisfied; L dissatisfied.   4 / 5
    assert got["satisfaction_rate"] == (4, 5, 0.8)
    # 按期办结率: closed A, B, C, E = 4; first report-back before the ORIGINAL deadline:
    #   A Oct 15 <= Oct 21 yes; B Oct 26 > Oct 21 no (its extension to Oct 30 does not help);
    #   C Oct 13 yes (first report, before the rework); E answered Oct 13 yes.   3 / 4
    assert got["on_time_rate"] == (3, 4, 0.75)
    # 办结率: closed 4 of N 8.
    assert got["closure_rate"] == (4, 8, 0.5)
    # 退单率: dispatched at least once A, B, D, J, L = 5 (C in-house, E answered, I none);
    #   returned: D.                                                              1 / 5
    assert got["return_rate"] == (1, 5, 0.2)
    # 重办率: reworked among the followed up: C, L.                               2 / 5
    assert got["rework_rate"] == (2, 5, 0.4)
    # 延期率: extended: B.                                                        1 / 8
    assert got["extension_rate"] == (1, 8, 0.125)
    # 回访率: reached 待回访 (reported back or answered): A, B, C, E, J, L = 6; followed up 5.
    assert got["followup_rate"][:2] == (5, 6)
    assert got["followup_rate"][2] == pytest.approx(5 / 6, abs=1e-6)
    # 综合得分 = 0.30 x 0.75 + 0.35 x 0.8 + 0.35 x 0.8 = 0.225 + 0.28 + 0.28 = 0.785
    assert f["composite"].value == pytest.approx(0.785)
    assert f["response_rate"].percent == "75.0%" and f["resolution_rate"].fraction == "4/5"


def test_sql_agrees_with_the_rules_in_the_domain(ws, refs) -> None:  # noqa: ANN001
    o = MetricOptions()
    for period in (OCT, Period.month(2026, 9), Period(at(2026, 9, 1).date(), at(2026, 11, 30).date())):
        by_rules = figures(tally(concern_facts(ws, period), o, ws.now()), o)
        assert period_figures(ws, period, o).as_json() == by_rules.as_json()


def test_an_empty_period_has_no_data_not_zero(ws, refs) -> None:  # noqa: ANN001
    f = period_figures(ws, Period.month(2026, 8))
    assert all(fig.value is None for fig in f)
    assert f["response_rate"].percent == "无数据"
    assert f["response_rate"].as_json() == {"numerator": 0, "denominator": 0, "value": None, "pending": 0}
    assert f["composite"].as_json() == {"numerator": None, "denominator": None, "value": None, "pending": None}


def test_september_holds_only_k(ws, refs) -> None:  # noqa: ANN001
    f = period_figures(ws, Period.month(2026, 9))
    # K: dispatched on Sep 30 within its limit, reported Oct 8 (<= Oct 15), solved and satisfied.
    assert f["response_rate"].as_json() == {"numerator": 1, "denominator": 1, "value": 1.0, "pending": 0}
    assert f["on_time_rate"].value == 1.0 and f["composite"].value == pytest.approx(1.0)


def test_options_from_the_configuration_change_the_figures(ws, refs) -> None:  # noqa: ANN001
    # Measured against the extended deadline, B (Oct 26 <= Oct 30) is on time: 4 / 4.
    o = MetricOptions.from_mapping({"on_time": {"deadline": "current"}})
    assert period_figures(ws, OCT, o)["on_time_rate"].as_json()["numerator"] == 4
    # Partly solved worth nothing: A 1 + C 1 + E 1 = 3 / 5.
    o = MetricOptions.from_mapping({"resolution": {"weights": {"solved": 1, "partly": 0, "unsolved": 0}}})
    assert period_figures(ws, OCT, o)["resolution_rate"].value == 0.6
    # Action items counted too, rejected ones as well: F joins N (9); routed on time still 6.
    o = MetricOptions.from_mapping({"population": {"kinds": ["concern"], "exclude_statuses": ["merged"]}})
    assert period_figures(ws, OCT, o)["response_rate"].as_json() == {"numerator": 6, "denominator": 9,
                                                                       "value": pytest.approx(6 / 9, abs=1e-6),
                                                                       "pending": 0}


def test_a_user_metrics_file_overrides_the_default(ws, refs, tmp_path) -> None:  # noqa: ANN001
    cfg = tmp_path / "userconfig"
    cfg.mkdir(exist_ok=True)
    (cfg / "metrics.toml").write_text(
        "[composite.weights]\nresponse_rate = 1.0\n", encoding="utf-8")
    assert period_figures(ws, OCT)["composite"].value == 0.75


def test_composite_with_a_missing_rate(ws, refs) -> None:  # noqa: ANN001
    # I alone in a one-day range: routed 0 / 1, nobody followed up.
    day = Period(at(2026, 10, 15).date(), at(2026, 10, 15).date())
    f = period_figures(ws, day)  # I and J: J routed on time -> 1 / 2; J not followed up
    assert f["response_rate"].as_json()["numerator"] == 1 and f["resolution_rate"].value is None
    assert f["composite"].value is None
    o = MetricOptions.from_mapping({"composite": {"missing": "renormalise"}})
    assert period_figures(ws, day, o)["composite"].value == 0.5  # only the response rate remains


def test_breakdowns(ws, refs) -> None:  # noqa: ANN001
    channels = {g.key: g for g in breakdown(ws, OCT, "channel")}
    assert {k: g.figures.counts.counted for k, g in channels.items()} == {"walk_in": 6, "phone": 1, "hotline": 1}
    assert channels["phone"].label == "来电" and channels["phone"].figures["satisfaction_rate"].value == 1.0
    units = {g.key: g for g in breakdown(ws, OCT, "unit")}
    # Current unit: A B J L with 物业 (WY), D with JD-CG, C and E none (in-house/answered), I none.
    assert {k: g.figures.counts.counted for k, g in units.items()} == {"WY": 4, "JD-CG": 1, None: 3}
    assert units[None].label == "无承办单位" and units["WY"].label == "物业服务中心"
    cats = breakdown(ws, OCT, "category")
    assert [(g.key, g.label, g.figures.counts.counted) for g in cats] == [("08", "邻里纠纷", 8)]
    months = breakdown(ws, Period(at(2026, 9, 1).date(), at(2026, 10, 31).date()), "month")
    assert [(g.label, g.figures.counts.counted) for g in months] == [("2026-09", 1), ("2026-10", 8)]
    t = trend(ws, OCT, months=3)
    assert [(g.label, g.figures.counts.counted) for g in t] == [("2026-08", 0), ("2026-09", 1), ("2026-10", 8)]


def test_the_concerns_behind_a_figure(ws, refs) -> None:  # noqa: ANN001
    def letters(rows) -> set[str]:  # noqa: ANN001
        inv = {v: k for k, v in refs.items()}
        return {inv[r.reference] for r in rows}

    assert letters(concerns_behind(ws, OCT, "response_rate")) == set("ACDEJL")
    assert letters(concerns_behind(ws, OCT, "response_rate", "denominator")) == set("ABCDEIJL")
    assert letters(concerns_behind(ws, OCT, "on_time_rate", "denominator")) == set("ABCE")
    assert letters(concerns_behind(ws, OCT, "on_time_rate")) == set("ACE")
    assert letters(concerns_behind(ws, OCT, "return_rate")) == {"D"}
    assert letters(concerns_behind(ws, OCT, "resolution_rate")) == set("ABCEL")  # partly counts half
    assert letters(concerns_behind(ws, OCT, "satisfaction_rate")) == set("ABCE")
    assert count_behind(ws, OCT, "rework_rate") == 2
    assert letters(concerns_behind(ws, OCT, "response_rate", group=("unit", None))) == {"C", "E"}
    page = concerns_behind(ws, OCT, "response_rate", "denominator", limit=3, offset=0)
    assert [r.summary[0] for r in page] == ["L", "J", "I"]  # newest first
    assert page[0].status_label == "办理中" and page[0].unit_name == "物业服务中心"


def test_report_command_json(ws, refs, db_path) -> None:  # noqa: ANN001
    from grassroots_tui.cli import app

    ws.close()
    result = CliRunner().invoke(app, ["--db", str(db_path), "report", "--from", "2026-10-01", "--to",
                                      "２０２６-10-31", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["response_rate"] == {"numerator": 6, "denominator": 8, "value": 0.75, "pending": 0}
    assert data["resolution_rate"] == {"numerator": 4, "denominator": 5, "value": 0.8, "pending": None}
    assert set(data) >= {"response_rate", "resolution_rate", "satisfaction_rate", "on_time_rate", "closure_rate",
                         "return_rate", "rework_rate", "extension_rate", "followup_rate", "composite"}
    assert data["composite"]["value"] == pytest.approx(0.785)
    plain = CliRunner().invoke(app, ["--db", str(db_path), "report", "--from", "2026-08-01", "--to", "2026-08-31"])
    assert plain.exit_code == 0 and "响应率" in plain.output and "无数据" in plain.output
    bad = CliRunner().invoke(app, ["--db", str(db_path), "report", "--from", "2026-10-31", "--to", "2026-10-01"])
    assert bad.exit_code == 1 and "结束日期" in bad.output


# ---------------------------------------------------------------------- 未到期 (not yet due)

DEC = Period.month(2026, 12)


@pytest.fixture
def dec(ws, clerk_id, clock):  # noqa: ANN001, ANN201
    from hand_db import build_december_db

    return build_december_db(ws, clerk_id, clock)


def test_the_december_deadlines_the_rule_relies_on(ws, dec) -> None:  # noqa: ANN001
    assert get_concern(ws, dec["P"]).dispatch_due == at(2026, 12, 2, 23, 59, 59)
    assert get_concern(ws, dec["Q"]).dispatch_due == at(2026, 12, 3, 23, 59, 59)
    s = get_concern(ws, dec["S"])
    assert s.dispatch_due == at(2026, 12, 1, 10) and s.feedback_due == at(2026, 12, 1, 11)
    assert get_concern(ws, dec["U"]).feedback_due == at(2026, 12, 18, 23, 59, 59)
    w = get_concern(ws, dec["W"])  # reworked: the original deadline kept, a fresh current one
    assert w.feedback_due_original == at(2026, 11, 11, 23, 59, 59)
    assert w.feedback_due == at(2026, 12, 10, 23, 59, 59) and w.status == "in_progress"


def test_not_yet_due_concerns_are_out_of_both_sides_on_2_december(ws, dec) -> None:  # noqa: ANN001
    # Now: Wed Dec 2 09:00. December's N = P Q R S T U = 6 (W was received in November).
    f = period_figures(ws, DEC)
    got = {code: (fig.numerator, fig.denominator, fig.pending) for code, fig in f.items.items()}
    assert f.counts.counted == 6
    # 响应率: P (due Dec 2) and Q (due Dec 3) not routed yet, within the limit: 未到期 2.
    #   Decided R S T U; routed on time R (Dec 1 10:00), T (in-house 10:30), U (11:30); S never
    #   routed and its hour passed.                                      3 / 4 = 75 % (not 3 / 6)
    assert got["response_rate"] == (3, 4, 2) and f["response_rate"].value == 0.75
    # 办结率: closed T. Not closed but within the feedback limit: P (Dec 10), Q (Dec 11),
    #   R (Dec 10), U (extended to Dec 18): 未到期 4. S's two hours passed.   1 / 2 (S, T)
    assert got["closure_rate"] == (1, 2, 4)
    # 延期率: U extended. Still handled, not extended, within the limit: P Q (received),
    #   R (dispatched): 未到期 3. Decided: S (its limit passed), T (closed), U.   1 / 3
    assert got["extension_rate"] == (1, 3, 3)
    # The rates that count known results only: T followed up solved/satisfied, on time.
    assert got["resolution_rate"] == (1, 1, None) and got["satisfaction_rate"] == (1, 1, None)
    assert got["on_time_rate"] == (1, 1, None) and got["followup_rate"] == (1, 1, 0)
    assert got["return_rate"] == (0, 2, None)  # dispatched R, U
    # 综合得分 = 0.30 x 0.75 + 0.35 x 1 + 0.35 x 1 = 0.925
    assert f["composite"].value == pytest.approx(0.925)
    assert f["response_rate"].pending_text == "未到期 2 件" and f["resolution_rate"].pending_text == ""


def test_the_same_database_two_days_later(ws, dec, clock) -> None:  # noqa: ANN001
    # Fri Dec 4 09:00: P's and Q's dispatch limits have passed, unrouted they are failures now.
    clock.set(2026, 12, 4, 9)
    f = period_figures(ws, DEC)
    assert (f["response_rate"].numerator, f["response_rate"].denominator, f["response_rate"].pending) == (3, 6, 0)
    # Still within their feedback limits: P Q R U.
    assert f["closure_rate"].pending == 4 and f["closure_rate"].denominator == 2
    # Mon Dec 21: every limit passed (U's extended Dec 18 too): nothing 未到期, the old N over N.
    clock.set(2026, 12, 21, 9)
    f = period_figures(ws, DEC)
    assert (f["closure_rate"].numerator, f["closure_rate"].denominator, f["closure_rate"].pending) == (1, 6, 0)
    assert (f["extension_rate"].numerator, f["extension_rate"].denominator) == (1, 6)


def test_a_reworked_concern_is_not_yet_due_again(ws, dec) -> None:  # noqa: ANN001
    # November: W alone. Reworked on Dec 1 with a fresh limit to Dec 10: 未到期 for 办结率
    # (by its original Nov 11 it would count as a failure). Routed on Nov 2: 响应率 1 / 1.
    f = period_figures(ws, Period.month(2026, 11))
    assert f["closure_rate"].as_json() == {"numerator": 0, "denominator": 0, "value": None, "pending": 1}
    assert f["response_rate"].as_json() == {"numerator": 1, "denominator": 1, "value": 1.0, "pending": 0}
    assert f["rework_rate"].as_json()["numerator"] == 1  # followed up once, reworked


def test_december_sql_agrees_with_the_domain_rules(ws, dec, clock) -> None:  # noqa: ANN001
    o = MetricOptions()
    for day in (1, 2, 3, 4, 11, 21):
        clock.set(2026, 12, day, 9)
        for period in (DEC, Period(at(2026, 11, 1).date(), at(2026, 12, 31).date())):
            assert period_figures(ws, period, o).as_json() == figures(tally(concern_facts(ws, period), o, ws.now()),
                                                                      o).as_json()


def test_the_drill_down_lists_the_not_yet_due(ws, dec) -> None:  # noqa: ANN001
    inv = {v: k for k, v in dec.items()}
    assert {inv[r.reference] for r in concerns_behind(ws, DEC, "response_rate", "pending")} == set("PQ")
    assert {inv[r.reference] for r in concerns_behind(ws, DEC, "response_rate", "denominator")} == set("RSTU")
    assert {inv[r.reference] for r in concerns_behind(ws, DEC, "closure_rate", "pending")} == set("PQRU")
    assert concerns_behind(ws, DEC, "resolution_rate", "pending") == []  # no such rule: nothing listed


def _drill_down_matches(ws, period: Period, o: MetricOptions | None = None) -> None:  # noqa: ANN001
    from grassroots_tui.domain.metrics import PARTS
    from grassroots_tui.services.metrics import total_behind

    figs = period_figures(ws, period, o)
    for code, part in PARTS.items():
        fig = figs[code]
        num = total_behind(ws, period, code, "numerator", options=o)
        den = total_behind(ws, period, code, "denominator", options=o)
        pending = total_behind(ws, period, code, "pending", options=o)
        assert den.rows == fig.denominator, code
        assert num.points == pytest.approx(fig.numerator), code  # 部分解决 rows count half
        assert pending.rows == (fig.pending or 0), code
        listed = concerns_behind(ws, period, code, "numerator", limit=100_000, options=o)
        assert len(listed) == num.rows and all(r.weight > 0 for r in listed), code  # each adds to it
        assert sum(r.weight for r in listed) == pytest.approx(fig.numerator), code
        if not part.numerator.endswith("_points"):
            assert num.rows == fig.numerator, code


def test_every_drill_down_equals_its_figure_on_the_hand_databases(ws, refs, dec, clock) -> None:  # noqa: ANN001
    for day in (2, 4, 21):
        clock.set(2026, 12, day, 9)
        for period in (OCT, DEC, Period(at(2026, 9, 1).date(), at(2026, 12, 31).date())):
            _drill_down_matches(ws, period)
    # With partly solved worth a quarter the weighted numerator still matches the listed rows.
    o = MetricOptions.from_mapping({"resolution": {"weights": {"solved": 1, "partly": 0.25, "unsolved": 0}}})
    _drill_down_matches(ws, OCT, o)
    rows = {r.summary[0]: r.weight for r in concerns_behind(ws, OCT, "resolution_rate", options=o)}
    assert rows == {"A": 1.0, "B": 0.25, "C": 1.0, "E": 1.0, "L": 0.25}


def test_every_drill_down_equals_its_figure_on_the_demo_data(tmp_path, clock) -> None:  # noqa: ANN001
    from grassroots_tui.services.demo import build_demo
    from grassroots_tui.services.workspace import Workspace

    clock.set(2026, 12, 2, 9)
    build_demo(tmp_path / "demo.sqlite3", residents=60, concerns=600, seed=2026, clock=clock)
    ws = Workspace.open(tmp_path / "demo.sqlite3", clock=clock)
    try:
        for period in (Period.month(2026, 12), Period.month(2026, 11), Period(at(2025, 1, 1).date(),
                                                                              at(2026, 12, 31).date())):
            _drill_down_matches(ws, period)
        assert period_figures(ws, Period.month(2026, 12))["response_rate"].pending  # some not due yet
    finally:
        ws.close()


def test_report_command_shows_the_not_yet_due_count(ws, dec, db_path) -> None:  # noqa: ANN001
    from grassroots_tui.cli import app

    ws.close()  # the command line's clock: GRASSROOTS_NOW = 2026-12-02 09:00 (conftest)
    plain = CliRunner().invoke(app, ["--db", str(db_path), "report", "--from", "2026-12-01", "--to", "2026-12-31"])
    assert plain.exit_code == 0, plain.output
    line = next(x for x in plain.output.splitlines() if x.startswith("响应率"))
    assert "75.0%" in line and "3/4" in line and line.endswith("未到期 2 件")
    assert "未到期：截至 2026-12-02 09:00" in plain.output
    data = json.loads(CliRunner().invoke(app, ["--db", str(db_path), "report", "--from", "2026-12-01", "--to",
                                               "2026-12-31", "--json"]).output)
    assert data["as_of"] == "2026-12-02T09:00:00+08:00"
    assert data["response_rate"] == {"numerator": 3, "denominator": 4, "value": 0.75, "pending": 2}
    assert data["closure_rate"] == {"numerator": 1, "denominator": 2, "value": 0.5, "pending": 4}


def test_a_call_back_within_its_limit_is_not_yet_due_for_the_follow_up_rate(ws, clerk_id, clock) -> None:  # noqa: ANN001
    from grassroots_tui.domain.codes import Action, Outcome, Satisfaction
    from grassroots_tui.domain.pipeline import Request
    from grassroots_tui.services.concerns import ConcernDraft, act, log_concern

    clock.set(2026, 12, 1, 9)
    refs = [log_concern(ws, clerk_id, ConcernDraft(summary=f"漏水{i}", category="0801")).reference for i in range(3)]
    for ref in refs:
        act(ws, clerk_id, ref, Request(Action.HANDLE))
    clock.set(2026, 12, 2, 9)  # Wed: reported back; call-back due by the end of Fri 12-04 (Thu, Fri)
    for ref in refs:
        act(ws, clerk_id, ref, Request(Action.REPORT, note="已修好"))
    assert get_concern(ws, refs[0]).due_at == at(2026, 12, 4, 23, 59, 59)
    act(ws, clerk_id, refs[0], Request(Action.FOLLOWUP, outcome=Outcome.SOLVED, satisfaction=Satisfaction.SATISFIED))
    fig = period_figures(ws, DEC).items["followup_rate"]
    # Followed up: 1. The other two wait within their limit: 未到期 2, out of both sides.  1 / 1
    assert (fig.numerator, fig.denominator, fig.pending) == (1, 1, 2)
    clock.set(2026, 12, 5, 9)  # Saturday: the limit has passed for both.                 1 / 3
    fig = period_figures(ws, DEC).items["followup_rate"]
    assert (fig.numerator, fig.denominator, fig.pending) == (1, 3, 0)
    _drill_down_matches(ws, DEC)
    for day in (2, 4, 5):
        clock.set(2026, 12, day, 9)
        o = MetricOptions()
        assert period_figures(ws, DEC, o).as_json() == figures(tally(concern_facts(ws, DEC), o, ws.now()), o).as_json()

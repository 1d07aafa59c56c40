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

"""Exports of the concern ledger: XLSX read back, CSV with BOM, JSON, Open311; masking and the audit log."""

from __future__ import annotations

import csv
import io
import json
import shutil
import subprocess
from datetime import datetime

import pytest
from sqlmodel import select
from typer.testing import CliRunner

from grassroots_tui.domain.metrics import Period
from grassroots_tui.domain.privacy import mask_text
from grassroots_tui.io.export_common import COLUMNS
from grassroots_tui.services.concerns import ConcernDraft, log_concern
from grassroots_tui.services.exports import export_concerns
from grassroots_tui.services.residents import ResidentDraft, add_resident
from grassroots_tui.store.models import AuditLog
from hand_db import at, build_hand_db

OCT = Period.month(2026, 10)
HEADERS = [c.header for c in COLUMNS]
NASTY = "[red]楼道[/red] 电线裸露，请联系 13912345678"


@pytest.fixture
def refs(ws, clerk_id, clock):  # noqa: ANN001, ANN201
    refs = build_hand_db(ws, clerk_id, clock)
    add_resident(ws, clerk_id, ResidentDraft(name="张三丰", phone="13812345678", id_number="11010519491231002X",
                                             address="3-2-301", estate="幸福里"))
    refs["N"] = log_concern(ws, clerk_id, ConcernDraft(summary="楼道电线", detail=NASTY, category="1102",
                                                       resident_phone="13812345678",
                                                       received_at=at(2026, 11, 2, 9))).reference
    return refs


def audit_rows(ws) -> list[AuditLog]:  # noqa: ANN001
    with ws.read() as s:
        return list(s.exec(select(AuditLog).where(AuditLog.action.like("export%")).order_by(AuditLog.id)).all())


def test_xlsx_reads_back_with_headers_types_and_rows(ws, refs, clerk_id, tmp_path) -> None:  # noqa: ANN001
    from openpyxl import load_workbook
    from rich.cells import cell_len

    out = tmp_path / "台账-2026-10.xlsx"
    seen: list[tuple[int, int]] = []
    result = export_concerns(ws, "xlsx", out, period=OCT, actor_id=clerk_id, progress=lambda d, t: seen.append((d, t)))
    # October: A B C D E F G H I J L (K is September, N November) = 11, rejected/merged/excluded included.
    assert result.rows == 11 and seen[-1] == (11, 11)
    wb = load_workbook(out)
    assert wb.sheetnames == ["诉求台账", "统计指标"]
    sheet = wb["诉求台账"]
    assert [c.value for c in sheet[1]] == HEADERS
    assert sheet.freeze_panes == "A2"
    assert sheet.max_row == 12
    col = {h: i for i, h in enumerate(HEADERS)}
    first = [c.value for c in sheet[2]]
    assert first[col["编号"]] == refs["A"] and first[col["状态"]] == "已办结"
    assert first[col["受理时间"]] == datetime(2026, 10, 12, 9, 0)  # a real date, in local time
    assert sheet.cell(2, col["受理时间"] + 1).number_format == "yyyy-mm-dd hh:mm"
    assert first[col["退单次数"]] == 0 and isinstance(first[col["退单次数"]], int)
    assert first[col["二级分类"]] == "0801 漏水渗水" and first[col["一级分类"]] == "邻里纠纷"
    # Columns fit their Chinese text (a Chinese character is two cells wide).
    letter = sheet.cell(1, col["诉求摘要"] + 1).column_letter
    longest = max(cell_len(str(sheet.cell(r, col["诉求摘要"] + 1).value)) for r in range(1, 13))
    assert sheet.column_dimensions[letter].width >= longest
    figs = {row[1]: row for row in wb["统计指标"].iter_rows(min_row=2, values_only=True) if row and row[1]}
    assert figs["response_rate"][:5] == ("响应率", "response_rate", 6, 8, 0.75)
    assert figs["resolution_rate"][2:5] == (4, 5, 0.8)


def test_xlsx_matches_libreoffice_csv_conversion(ws, refs, clerk_id, tmp_path) -> None:  # noqa: ANN001
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        pytest.skip("LibreOffice (soffice) is not installed")
    xlsx, ours = tmp_path / "ledger.xlsx", tmp_path / "ours.csv"
    export_concerns(ws, "xlsx", xlsx, actor_id=clerk_id)
    export_concerns(ws, "csv", ours, actor_id=clerk_id)
    outdir = tmp_path / "lo"
    subprocess.run([soffice, f"-env:UserInstallation=file://{tmp_path / 'lo-profile'}", "--headless",
                    "--convert-to", "csv:Text - txt - csv (StarCalc):44,34,76", "--outdir", str(outdir), str(xlsx)],
                   check=True, capture_output=True, timeout=180)
    converted = list(csv.reader(io.StringIO((outdir / "ledger.csv").read_text(encoding="utf-8-sig"))))
    expected = list(csv.reader(io.StringIO(ours.read_text(encoding="utf-8-sig"))))
    assert converted[0] == HEADERS
    assert len(converted) == len(expected) == 14  # header + 13 concerns (K, A-L, N)
    assert converted == expected


def test_csv_has_a_bom_and_round_trips_chinese(ws, refs, clerk_id, tmp_path) -> None:  # noqa: ANN001
    out = tmp_path / "ledger.csv"
    export_concerns(ws, "csv", out, actor_id=clerk_id)
    raw = out.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))
    assert list(rows[0]) == HEADERS and len(rows) == 13
    n = next(r for r in rows if r["编号"] == refs["N"])
    assert n["居民"] == "张**" and n["联系电话"] == "138****5678" and n["身份证件号"] == "110105********002X"
    assert n["详细情况"] == "[red]楼道[/red] 电线裸露，请联系 139****5678"
    assert n["地址"] == "幸福里 3-2-301" and n["受理时间"] == "2026-11-02 09:00"
    assert n["紧急程度"] == "一般" and n["状态"] == "已受理"
    assert {r["诉求摘要"] for r in rows} >= {"A 卫生间漏水", "E 咨询漏水保修", "楼道电线"}


def test_reveal_exports_in_full_and_is_audited(ws, refs, clerk_id, tmp_path) -> None:  # noqa: ANN001
    masked = export_concerns(ws, "json", tmp_path / "masked.json", actor_id=clerk_id)
    full = export_concerns(ws, "json", tmp_path / "full.json", reveal=True, actor_id=clerk_id)
    data = json.loads((tmp_path / "full.json").read_text(encoding="utf-8"))
    assert data["masked"] is False and data["count"] == 13 == full.rows == masked.rows
    n = next(c for c in data["concerns"] if c["reference"] == refs["N"])
    assert (n["resident_name"], n["resident_phone"], n["resident_id_number"]) == (
        "张三丰", "13812345678", "11010519491231002X")
    assert n["detail"] == NASTY and n["received_at"] == "2026-11-02T09:00:00+08:00" and n["status"] == "received"
    hidden = json.loads((tmp_path / "masked.json").read_text(encoding="utf-8"))
    assert hidden["masked"] is True
    assert "13812345678" not in (tmp_path / "masked.json").read_text(encoding="utf-8")
    logs = audit_rows(ws)
    assert [a.action for a in logs] == ["export", "export_reveal"]
    reveal = logs[-1]
    assert reveal.actor_id == clerk_id and reveal.target == str(tmp_path / "full.json")
    assert json.loads(reveal.detail) == {"format": "json", "rows": 13, "masked": False, "from": None, "to": None,
                                         "selection": "period", "expected": 13, "state": "written"}
    assert reveal.at is not None


def test_open311_service_requests(ws, refs, clerk_id, tmp_path) -> None:  # noqa: ANN001
    out = tmp_path / "requests.json"
    export_concerns(ws, "open311", out, period=OCT, actor_id=clerk_id)
    reqs = {r["service_request_id"]: r for r in json.loads(out.read_text(encoding="utf-8"))}
    assert len(reqs) == 11
    a, d, f = reqs[refs["A"]], reqs[refs["D"]], reqs[refs["F"]]
    assert a["status"] == "closed" and d["status"] == "open" and f["status"] == "closed"
    assert f["status_notes"] == "不予受理：非本辖区"
    assert d["status_notes"].startswith("办理中") and d["agency_responsible"] == "街道城管执法队"
    assert a["service_code"] == "0801" and a["service_name"] == "漏水渗水"
    assert a["requested_datetime"] == "2026-10-12T09:00:00+08:00"
    assert a["expected_datetime"] == "2026-10-21T23:59:59+08:00"
    assert a["updated_datetime"] >= a["requested_datetime"]
    assert set(a) >= {"service_request_id", "status", "status_notes", "service_name", "service_code", "description",
                      "agency_responsible", "requested_datetime", "updated_datetime", "expected_datetime"}


def test_export_command_line(ws, refs, db_path, tmp_path) -> None:  # noqa: ANN001
    from grassroots_tui.cli import app

    ws.close()
    out = tmp_path / "oct.xlsx"
    r = CliRunner().invoke(app, ["--db", str(db_path), "export", "concerns", "--format", "xlsx", "--out", str(out),
                                 "--from", "2026-10-01", "--to", "2026-10-31", "--reveal"])
    assert r.exit_code == 0, r.output
    assert "已导出 11 件诉求" in r.output and "审计日志" in r.output and out.is_file()
    bad = CliRunner().invoke(app, ["--db", str(db_path), "export", "concerns", "--format", "pdf", "--out",
                                   str(tmp_path / "x.pdf")])
    assert bad.exit_code == 1 and "不支持的导出格式" in bad.output
    assert not (tmp_path / "x.pdf").exists()
    nowhere = CliRunner().invoke(app, ["--db", str(db_path), "export", "concerns", "--format", "csv", "--out",
                                       str(tmp_path / "missing" / "x.csv")])
    assert nowhere.exit_code == 1 and "不存在" in nowhere.output


def test_mask_text_masks_numbers_in_free_text() -> None:
    assert mask_text("电话13812345678，身份证11010519491231002X") == "电话138****5678，身份证110105********002X"
    assert mask_text("门牌 3-2-301，编号 SQ-2026-000001") == "门牌 3-2-301，编号 SQ-2026-000001"


def test_an_export_of_an_empty_period(ws, clerk_id, tmp_path) -> None:  # noqa: ANN001
    from openpyxl import load_workbook

    out = tmp_path / "empty.xlsx"
    assert export_concerns(ws, "xlsx", out, actor_id=clerk_id).rows == 0
    wb = load_workbook(out)
    assert wb["诉求台账"].max_row == 1
    figs = {row[1]: row for row in wb["统计指标"].iter_rows(min_row=2, values_only=True) if row and row[1]}
    assert figs["response_rate"][4] == "无数据"


def test_open311_description_is_plain_text_within_4000_characters(ws, clerk_id, clock, tmp_path) -> None:  # noqa: ANN001
    clock.set(2026, 10, 12, 10)
    long_detail = "<b>楼道</b>" + "漏" * 5000
    log_concern(ws, clerk_id, ConcernDraft(summary="<script>x</script>楼道漏水", detail=long_detail, category="0801",
                                           received_at=at(2026, 10, 12, 9)))
    out = tmp_path / "requests.json"
    export_concerns(ws, "open311", out, period=OCT, actor_id=clerk_id)
    (req,) = json.loads(out.read_text(encoding="utf-8"))
    text = req["description"]
    assert len(text) == 4000 and text.endswith("（以下从略）")
    assert "<" not in text and ">" not in text and text.startswith("＜script＞x＜/script＞楼道漏水\n＜b＞楼道")


def test_a_meeting_named_after_its_type_is_not_titled_twice(ws, clerk_id, tmp_path) -> None:  # noqa: ANN001
    from zoneinfo import ZoneInfo

    import vobject

    from grassroots_tui.io.ics import write_calendar
    from grassroots_tui.services.meetings import MeetingDraft, get_meeting, schedule_meeting

    start = datetime(2030, 12, 3, 14, 30, tzinfo=ZoneInfo("Asia/Shanghai"))
    ref = schedule_meeting(ws, clerk_id, MeetingDraft(type="talk", topic="民情恳谈会：加装电梯", start=start)
                           ).meeting.reference
    out = tmp_path / "m.ics"
    write_calendar(out, [get_meeting(ws, ref)])
    assert vobject.readOne(out.read_text(encoding="utf-8")).vevent.summary.value == "民情恳谈会：加装电梯"


def test_xlsx_figures_sheet_shows_the_not_yet_due_beside_each_figure(ws, clerk_id, clock, tmp_path) -> None:  # noqa: ANN001
    from openpyxl import load_workbook

    from hand_db import build_december_db

    build_december_db(ws, clerk_id, clock)  # now Wed 2026-12-02 09:00; see hand_db.DECEMBER_STORY
    out = tmp_path / "十二月.xlsx"
    export_concerns(ws, "xlsx", out, period=Period.month(2026, 12), actor_id=clerk_id)
    sheet = load_workbook(out)["统计指标"]
    header = [c.value for c in sheet[1]]
    assert header[:6] == ["指标", "代码", "分子", "分母", "比率", "未到期"]
    figs = {row[1]: row for row in sheet.iter_rows(min_row=2, values_only=True) if row and row[1]}
    # 响应率: P, Q not routed within their limits (未到期 2); R T U on time of R S T U: 3 / 4.
    assert figs["response_rate"][2:6] == (3, 4, 0.75, 2)
    assert figs["response_rate"][header.index("未到期含义")] == "尚未派单且未过派单时限"
    # 办结率: T closed of S, T; P Q R U within their feedback limits.
    assert figs["closure_rate"][2:6] == (1, 2, 0.5, 4)
    assert figs["resolution_rate"][5] is None  # no 未到期 rule: the cell stays empty
    note = next(row for row in sheet.iter_rows(values_only=True) if row and row[0] == "未到期")
    assert note[1] == "2026-12-02 09:00" and "不计入" in note[2]


def _action_item(ws, clerk_id: int, clock) -> str:  # noqa: ANN001
    """A carried resolution's action item, completed: the pipeline records a confirming follow-up."""
    from datetime import date
    from zoneinfo import ZoneInfo

    from grassroots_tui.services import meetings as ms

    tz = ZoneInfo("Asia/Shanghai")
    clock.set(2026, 11, 30, 10)
    meeting = ms.schedule_meeting(ws, clerk_id, ms.MeetingDraft(
        type="consultation", topic="楼道堆物清理", start=datetime(2026, 12, 3, 14, 30, tzinfo=tz), place="议事厅",
        chair="王主任", notice_date=date(2026, 11, 25))).meeting
    ids = [ms.add_participant(ws, meeting.reference, f"代表{i}", role="member").id for i in range(1, 4)]
    clock.set(2026, 12, 3, 14, 40)  # the meeting has started: check-in and the vote are open
    for pid in ids:
        ms.set_present(ws, meeting.reference, pid)
    res = ms.add_resolution(ws, meeting.reference, "物业两周内清理楼道杂物")
    ms.record_vote(ws, clerk_id, res.id, 3, 0, 0)
    action = ms.add_action_item(ws, clerk_id, res.id, "清理3号楼楼道杂物", unit="WY", due=date(2026, 12, 17))
    clock.set(2026, 12, 10, 10)
    ms.complete_action_item(ws, clerk_id, action.id, "杂物已清运")
    return action.concern_reference


def test_action_items_carry_no_follow_up_and_are_outside_assessment(ws, refs, clerk_id, clock, tmp_path) -> None:  # noqa: ANN001
    from openpyxl import load_workbook
    from sqlalchemy import update

    from grassroots_tui.services.concerns import get_concern
    from grassroots_tui.store.models import Concern

    yd = _action_item(ws, clerk_id, clock)
    assert yd.startswith("YD-") and get_concern(ws, yd).followup_outcome is None  # confirmed done, never followed up
    # Databases from before 确认完成 stored a made-up follow-up on action items: exports still leave it out.
    with ws.write() as s:
        s.execute(update(Concern).where(Concern.reference == yd).values(
            followup_outcome="solved", followup_satisfaction="satisfied", followup_note="确认完成：杂物已清运",
            followup_at=at(2026, 12, 10, 10)))
    assert get_concern(ws, yd).followup_outcome == "solved"
    out_csv, out_json, out_xlsx = tmp_path / "a.csv", tmp_path / "a.json", tmp_path / "a.xlsx"
    for fmt, out in (("csv", out_csv), ("json", out_json), ("xlsx", out_xlsx)):
        export_concerns(ws, fmt, out, actor_id=clerk_id)
    rows = {r["编号"]: r for r in csv.DictReader(io.StringIO(out_csv.read_text(encoding="utf-8-sig")))}
    item, a = rows[yd], rows[refs["A"]]
    assert item["类型"] == "议定事项" and item["状态"] == "已办结"
    assert (item["回访结果"], item["满意度"], item["回访时间"]) == ("", "", "")
    assert item["纳入考核"] == "不纳入考核（议定事项）"
    # A resident's concern keeps its follow-up and is assessed; an excluded one says why not.
    assert (a["回访结果"], a["满意度"], a["纳入考核"]) == ("解决", "满意", "是")
    assert rows[refs["H"]]["纳入考核"] == "不纳入考核（已剔除）"
    records = {r["reference"]: r for r in json.loads(out_json.read_text(encoding="utf-8"))["concerns"]}
    assert records[yd]["followup_outcome"] is None and records[yd]["followup_at"] is None
    assert records[yd]["followup_note"] is None and records[yd]["assessed"] is False
    assert records[refs["A"]]["assessed"] is True and records[refs["A"]]["followup_outcome"] == "solved"
    sheet = load_workbook(out_xlsx)["诉求台账"]
    col = {h: i for i, h in enumerate(HEADERS)}
    row = next(r for r in sheet.iter_rows(min_row=2, values_only=True) if r[col["编号"]] == yd)
    assert row[col["回访结果"]] is None and row[col["回访时间"]] is None
    assert row[col["纳入考核"]] == "不纳入考核（议定事项）"


def test_action_items_are_assessed_when_metrics_toml_counts_them(ws, refs, clerk_id, clock, tmp_path) -> None:  # noqa: ANN001
    cfg = tmp_path / "userconfig"
    cfg.mkdir(exist_ok=True)
    (cfg / "metrics.toml").write_text('[population]\nkinds = ["concern", "action_item"]\n', encoding="utf-8")
    yd = _action_item(ws, clerk_id, clock)
    out = tmp_path / "a.csv"
    export_concerns(ws, "csv", out, actor_id=clerk_id)
    item = next(r for r in csv.DictReader(io.StringIO(out.read_text(encoding="utf-8-sig"))) if r["编号"] == yd)
    assert item["纳入考核"] == "是" and item["回访结果"] == ""  # counted, but still never followed up

"""Meetings on the command line (议事协商).

grassroots meeting add --type consultation --topic "…" --start "2026-12-03 14:30" [--minutes 90]
                       [--place …] [--chair …] [--minute-taker …] [--notice 2026-11-28] [--json]
grassroots meeting list [--from DATE] [--to DATE] [--limit N] [--json]
grassroots meeting show YS-2026-0001 [--json]
grassroots meeting ics [YS-2026-0001] --out FILE [--force]  (one meeting, or all upcoming)
grassroots meeting cancel YS-2026-0001 [--note …]
grassroots meeting move YS-2026-0001 --start "2026-12-05 14:30" [--minutes 90] [--place …] [--chair …] [--note …]
grassroots meeting paper YS-2026-0001 --kind notice|signin|minutes|resolution|result --out FILE [--force]
grassroots meeting invite REF --name … [--role member|resident|unit_rep|observer] [--org …] [--resident-phone …]
grassroots meeting checkin REF 1 2 3 …                 (numbers of the participant list)
grassroots meeting agenda REF SQ-2026-000001 …
grassroots meeting item REF --title "…" [--source proposal|grid|assignment] [--proposer …]
grassroots meeting resolve REF --text "…" [--item N]   (a resolution; no --item: all agenda items)
grassroots meeting vote REF N --for 6 --against 1 --abstain 0 [--method hands|secret|voice]
grassroots meeting action REF N --title "…" --due 2026-12-17 [--unit WY]
grassroots meeting done YD-2026-000001 [--note …]
grassroots meeting carried REF N [--note …]            (a passed resolution that needs no action item)
grassroots meeting void-vote REF N --reason "…"        (the vote was recorded in error: kept as 已作废)
grassroots meeting void REF N --reason "…"             (the resolution was recorded in error)
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

from grassroots_tui.cli import ClerkOpt, DbOpt, JsonOpt, _clerk, _limit, _print_json, _run, _workspace, app, one_line, say
from grassroots_tui.commands._output import ForceOpt, output_target
from grassroots_tui.domain.validation import parse_count

meeting_app = typer.Typer(help="议事协商会议", no_args_is_help=True)
app.add_typer(meeting_app, name="meeting")

RefArg = Annotated[str, typer.Argument(help="会议编号，如 YS-2026-0001")]


def _fmt(dt) -> str:  # noqa: ANN001
    return dt.strftime("%Y-%m-%d %H:%M") if dt else "-"


def _detail_json(m) -> dict:  # noqa: ANN001
    from grassroots_tui.cli import _plain
    from grassroots_tui.services.meetings import as_json

    data = as_json(m)
    data.update({
        "rule": m.rule_summary,
        "quorum": _plain(m.quorum) | {"reached": m.quorum.reached, "text": m.quorum.describe()} if m.quorum else None,
        "participants": _plain(m.participants), "agenda": _plain(m.agenda),
        "resolutions": [_plain(r) | {"carried": r.carried, "voided": r.voided, "carried_out": r.carried_out,
                                     "actions": [_plain(a) | {"done": a.done} for a in r.actions]}
                        for r in m.resolutions],
        "events": _plain(m.events),
    })
    return data


def _print_detail(m) -> None:  # noqa: ANN001
    say(f"{m.reference}  {m.type_label}  {m.topic}  [{m.status_label}]")
    say(f"时间：{_fmt(m.start_at)} 至 {m.end_at:%H:%M}（{m.minutes} 分钟）  地点：{m.place or '-'}")
    say(f"主持人：{m.chair or '-'}  记录人：{m.minute_taker or '-'}  通知日期：{m.notice_date or '-'}")
    say(f"规则：{m.rule_summary}")
    if m.quorum:
        say(f"到会：{m.quorum.describe()}")
    if m.participants:
        say("参会人员：")
        for p in m.participants:
            mark = "已到" if p.present else "未到"
            say(f"  {p.number:>3}. {one_line(p.name)}  {p.role_label}{'' if p.voting else '（列席）'}  {mark}")
    if m.agenda:
        say("议题：")
        for a in m.agenda:
            ref = f" {a.concern_reference} [{a.concern_status_label}]" if a.concern_reference else ""
            say(f"  {a.position}. {one_line(a.title)}（{a.source_label}{ref}）")
    for r in m.resolutions:
        scope = f"议题 {r.agenda_position}" if r.agenda_position else "全部议题"
        state = f"{r.status_label}：{one_line(r.void_reason)}" if r.voided else (
            "已落实" if r.carried_out else r.status_label)
        say(f"决议 {r.position}（{scope}）：{one_line(r.text)}  [{state}]")
        if r.vote:
            say(f"    表决：{_counts(r.vote)}")
        for v in r.voided_votes:
            say(f"    已作废的表决：{_counts(v)}，记为{v.outcome_label}（作废原因：{one_line(v.void_reason)}）")
        for a in r.actions:
            say(f"    议定事项 {a.concern_reference} {a.title}  {a.unit_name or a.owner or '-'}  "
                       f"期限 {_fmt(a.due_at)}  [{a.status_label}]")
    if m.events:
        say("记录：")
        for e in m.events:
            which = f" 决议 {e.resolution_position}" if e.resolution_position else ""
            say(f"  {_fmt(e.at)}  {e.action_label}{which}" + (f"：{one_line(e.note)}" if e.note else ""))


def _counts(v) -> str:  # noqa: ANN001
    return (f"赞成 {v.votes_for} 反对 {v.votes_against} 弃权 {v.votes_abstain}，"
            f"实到 {v.present}/应到 {v.entitled}（{v.method_label}）")


@meeting_app.command("add")
def add(
    meeting_type: Annotated[str, typer.Option("--type", help="会议类型：consultation talk joint hearing residents committee")],
    topic: Annotated[str, typer.Option("--topic", help="会议议题")],
    start: Annotated[str, typer.Option("--start", help="开始时间，如 2026-12-03 14:30、12-03 14:30、明天 14:30")],
    minutes: Annotated[str, typer.Option("--minutes", help="预计时长（分钟）")] = "90",
    place: Annotated[str, typer.Option("--place", help="地点")] = "",
    chair: Annotated[str, typer.Option("--chair", help="主持人")] = "",
    minute_taker: Annotated[str, typer.Option("--minute-taker", help="记录人")] = "",
    notice: Annotated[Optional[str], typer.Option("--notice", help="通知日期（默认今天）")] = None,
    db: DbOpt = None, clerk: ClerkOpt = None, as_json: JsonOpt = False,
) -> None:
    """安排会议；会场或主持人冲突、通知期不足、非工作日会给出提醒。"""

    def go() -> None:
        from grassroots_tui.domain.dates import parse_date, parse_datetime
        from grassroots_tui.services.meetings import MeetingDraft, schedule_meeting
        from grassroots_tui.services.meetings import as_json as to_json

        ws = _workspace(db)
        try:
            now = ws.now()
            draft = MeetingDraft(type=meeting_type, topic=topic, start=parse_datetime(start, now, "start"),
                                 minutes=parse_count(minutes, "预计时长", "minutes", minimum=1), place=place,
                                 chair=chair, minute_taker=minute_taker,
                                 notice_date=parse_date(notice, now.date(), "notice", what="通知日期") if notice else None)
            result = schedule_meeting(ws, _clerk(ws, clerk).id, draft)
        finally:
            ws.close()
        if as_json:
            _print_json(to_json(result.meeting) | {"warnings": result.warnings})
            return
        m = result.meeting
        say(f"已安排 {m.reference}：{m.type_label} {m.topic}，{_fmt(m.start_at)} 至 {m.end_at:%H:%M}")
        for w in result.warnings:
            say(f"提醒：{w}")

    _run(go)


@meeting_app.command("list")
def list_(
    start: Annotated[Optional[str], typer.Option("--from", help="开始日期（含，默认今天）")] = None,
    end: Annotated[Optional[str], typer.Option("--to", help="结束日期（含）")] = None,
    limit: Annotated[str, typer.Option("--limit", help="最多列出几场", metavar="整数")] = "50",
    db: DbOpt = None, as_json: JsonOpt = False,
) -> None:
    """列出会议（默认今天起）。"""

    def go() -> None:
        from grassroots_tui.domain.dates import parse_date
        from grassroots_tui.services.meetings import as_json as to_json
        from grassroots_tui.services.meetings import list_meetings

        ws = _workspace(db)
        try:
            today = ws.now().date()
            first = parse_date(start, today, "from", what="开始日期") if start else today
            last = parse_date(end, today, "to", what="结束日期") if end else None
            if last is not None and last < first:
                from grassroots_tui.domain.errors import DomainError

                raise DomainError("结束日期不能早于开始日期。", "to")
            rows = list_meetings(ws, first, last, limit=_limit(limit))
        finally:
            ws.close()
        if as_json:
            _print_json([to_json(m) for m in rows])
            return
        if not rows:
            say("没有会议。")
        for m in rows:
            say(f"{m.reference}  {_fmt(m.start_at)}-{m.end_at:%H:%M}  {m.type_label}  {one_line(m.topic)}  "
                f"{one_line(m.place) or '-'}  [{m.status_label}]")

    _run(go)


@meeting_app.command("show")
def show(reference: RefArg, db: DbOpt = None, as_json: JsonOpt = False) -> None:
    """会议详情：参会人员、议题、决议、表决和议定事项。"""

    def go() -> None:
        from grassroots_tui.services.meetings import get_meeting

        ws = _workspace(db)
        try:
            m = get_meeting(ws, reference)
        finally:
            ws.close()
        if as_json:
            _print_json(_detail_json(m))
        else:
            _print_detail(m)

    _run(go)


@meeting_app.command("cancel")
def cancel(
    reference: RefArg,
    note: Annotated[str, typer.Option("--note", help="取消原因")] = "",
    db: DbOpt = None, clerk: ClerkOpt = None, as_json: JsonOpt = False,
) -> None:
    """取消会议（已有表决记录的会议不能取消）。"""

    def go() -> None:
        from grassroots_tui.services.meetings import as_json as to_json
        from grassroots_tui.services.meetings import update_status

        ws = _workspace(db)
        try:
            m = update_status(ws, reference, "cancelled", f"取消：{note}" if note else "", actor_id=_clerk(ws, clerk).id)
        finally:
            ws.close()
        if as_json:
            _print_json(to_json(m))
        else:
            say(f"{m.reference} 已取消。")

    _run(go)


@meeting_app.command("move")
def move(
    reference: RefArg,
    start: Annotated[str, typer.Option("--start", help="新的开始时间，如 2026-12-05 14:30、后天下午三点")],
    minutes: Annotated[Optional[str], typer.Option("--minutes", help="预计时长（分钟，默认不变）")] = None,
    place: Annotated[Optional[str], typer.Option("--place", help="新的地点（默认不变）")] = None,
    chair: Annotated[Optional[str], typer.Option("--chair", help="新的主持人（默认不变）")] = None,
    notice: Annotated[Optional[str], typer.Option("--notice", help="新的通知日期（默认不变）")] = None,
    note: Annotated[str, typer.Option("--note", help="改期原因")] = "",
    db: DbOpt = None, clerk: ClerkOpt = None, as_json: JsonOpt = False,
) -> None:
    """会议改期：重新检查会场、主持人冲突，通知期和工作日。"""

    def go() -> None:
        from grassroots_tui.domain.dates import parse_date, parse_datetime
        from grassroots_tui.services.meetings import as_json as to_json
        from grassroots_tui.services.meetings import reschedule_meeting

        ws = _workspace(db)
        try:
            now = ws.now()
            result = reschedule_meeting(
                ws, _clerk(ws, clerk).id, reference, parse_datetime(start, now, "start"),
                parse_count(minutes, "预计时长", "minutes", minimum=1) if minutes is not None else None, place, chair,
                parse_date(notice, now.date(), "notice", what="通知日期") if notice else None, note)
        finally:
            ws.close()
        if as_json:
            _print_json(to_json(result.meeting) | {"warnings": result.warnings})
            return
        m = result.meeting
        say(f"{m.reference} 已改期到 {_fmt(m.start_at)} 至 {m.end_at:%H:%M}，地点：{m.place or '-'}")
        for w in result.warnings:
            say(f"提醒：{w}")

    _run(go)


@meeting_app.command("ics")
def ics(
    reference: Annotated[Optional[str], typer.Argument(help="会议编号；不填则导出今后全部会议")] = None,
    out: Annotated[Path, typer.Option("--out", help="写入的 .ics 文件")] = Path("meetings.ics"),
    remind: Annotated[Optional[str], typer.Option("--remind", help="会前多少分钟提醒（0 不提醒；默认按 settings.toml，"
                                                                  "一天前）")] = None,
    db: DbOpt = None, as_json: JsonOpt = False, force: ForceOpt = False,
) -> None:
    """导出 iCalendar (.ics) 日历文件。"""

    def go() -> None:
        from grassroots_tui.io.ics import write_calendar
        from grassroots_tui.services.meetings import calendar_options, get_meeting, upcoming_meetings

        minutes = parse_count(remind, "提醒时间", "remind") if remind is not None else None

        output_target(out, force=force, db=db)  # before any work
        ws = _workspace(db)
        try:
            if reference:
                rows = [get_meeting(ws, reference)]
            else:
                # Cancelled ones too: a calendar that imported them before learns they are off.
                rows = [get_meeting(ws, m.reference) for m in upcoming_meetings(ws, limit=500, include_cancelled=True)]
            write_calendar(out, rows, **calendar_options(ws, minutes))
        finally:
            ws.close()
        if as_json:
            _print_json({"out": str(out), "meetings": [m.reference for m in rows]})
        else:
            say(f"已导出 {len(rows)} 场会议到 {out}")

    _run(go)


@meeting_app.command("paper")
def paper(
    reference: RefArg,
    kind: Annotated[str, typer.Option("--kind", help="notice 会议通知 · signin 签到表 · minutes 会议纪要 · "
                                                     "resolution 决议公示 · result 结果公示")] = "notice",
    out: Annotated[Optional[Path], typer.Option("--out", help="写入的 HTML 文件（A4，可直接打印）")] = None,
    db: DbOpt = None, as_json: JsonOpt = False, force: ForceOpt = False,
) -> None:
    """生成可打印的会议文书（A4 HTML）。"""

    def go() -> None:
        from grassroots_tui.domain.errors import DomainError
        from grassroots_tui.io import paper as docs
        from grassroots_tui.services.meetings import get_meeting

        code = {v: k for k, v in docs.KINDS.items()}.get(kind, kind)
        if code not in docs.KINDS:
            raise DomainError(f"未知的文书类型“{kind}”，可选：{'、'.join(f'{k}({v})' for k, v in docs.KINDS.items())}。")
        if out is not None:
            output_target(out, force=force, db=db)  # before any work
        ws = _workspace(db)
        try:
            m = get_meeting(ws, reference)
            path = out or output_target(docs.default_name(code, m.reference), force=force, db=db)
            docs.write(code, m, ws.settings.committee_name, path, on=ws.now().date()) if code != "signin" \
                else docs.write(code, m, ws.settings.committee_name, path)
        finally:
            ws.close()
        if as_json:
            _print_json({"out": str(path), "kind": code})
        else:
            say(f"已生成{docs.KINDS[code]}：{path}")

    _run(go)


@meeting_app.command("invite")
def invite(
    reference: RefArg,
    name: Annotated[str, typer.Option("--name", help="姓名（登记的居民可用 --resident-phone）")] = "",
    role: Annotated[str, typer.Option("--role", help="member 委员/代表 · resident 居民 · unit_rep 共建单位代表 · "
                                                     "observer 列席")] = "resident",
    org: Annotated[str, typer.Option("--org", help="单位")] = "",
    resident_phone: Annotated[Optional[str], typer.Option("--resident-phone", help="按手机号选登记的居民")] = None,
    db: DbOpt = None, as_json: JsonOpt = False,
) -> None:
    """添加参会人员（应到）。"""

    def go() -> None:
        from grassroots_tui.services.meetings import add_participant
        from grassroots_tui.services.residents import resident_id_by_phone

        ws = _workspace(db)
        try:
            resident_id = resident_id_by_phone(ws, resident_phone) if resident_phone else None
            p = add_participant(ws, reference, name, role=role, organisation=org, resident_id=resident_id)
        finally:
            ws.close()
        if as_json:
            _print_json(p)
        else:
            say(f"已添加 {p.number}. {p.name}（{p.role_label}）")

    _run(go)


@meeting_app.command("checkin")
def checkin(
    reference: RefArg,
    numbers: Annotated[list[str], typer.Argument(help="参会名单中的序号")],
    undo: Annotated[bool, typer.Option("--undo", help="撤销签到")] = False,
    db: DbOpt = None, as_json: JsonOpt = False,
) -> None:
    """签到：按名单序号标记到会，显示是否达到法定人数。"""

    def go() -> None:
        from grassroots_tui.domain.errors import DomainError
        from grassroots_tui.domain.validation import nfkc
        from grassroots_tui.services.meetings import get_meeting, set_present

        ws = _workspace(db)
        try:
            by_number = {p.number: p for p in get_meeting(ws, reference).participants}
            ids = []
            for raw in numbers:  # all numbers checked first: a bad one checks in nobody
                text = nfkc(raw)
                if not text.isdigit() or int(text) not in by_number:
                    raise DomainError(f"名单中没有序号“{raw}”，本次没有为任何人签到。", "number")
                ids.append(by_number[int(text)].id)
            status = set_present(ws, reference, ids, not undo)
        finally:
            ws.close()
        if as_json:
            _print_json({"entitled": status.entitled, "present": status.present, "required": status.required,
                         "reached": status.reached, "text": status.describe()})
        else:
            say(status.describe())

    _run(go)


@meeting_app.command("item")
def item(
    reference: RefArg,
    title: Annotated[str, typer.Option("--title", help="议题")],
    source: Annotated[str, typer.Option("--source", help="proposal 居民书面提议 · grid 网格上报 · "
                                                         "assignment 上级交办")] = "proposal",
    proposer: Annotated[str, typer.Option("--proposer", help="提议人")] = "",
    db: DbOpt = None, as_json: JsonOpt = False,
) -> None:
    """添加不来自诉求台账的议题。"""

    def go() -> None:
        from grassroots_tui.services.meetings import add_agenda_item

        ws = _workspace(db)
        try:
            a = add_agenda_item(ws, reference, title, source, proposer)
        finally:
            ws.close()
        if as_json:
            _print_json(a)
        else:
            say(f"议题 {a.position}：{a.title}（{a.source_label}）")

    _run(go)


@meeting_app.command("agenda")
def agenda(
    reference: RefArg,
    concerns: Annotated[list[str], typer.Argument(help="诉求编号")],
    db: DbOpt = None, clerk: ClerkOpt = None, as_json: JsonOpt = False,
) -> None:
    """把诉求列入会议议题（诉求的办理记录中写入“上会”）。"""

    def go() -> None:
        from grassroots_tui.services.meetings import add_agenda_concerns

        ws = _workspace(db)
        try:
            actor = _clerk(ws, clerk).id
            items = add_agenda_concerns(ws, actor, reference, concerns)  # all or none
        finally:
            ws.close()
        if as_json:
            _print_json(items)
        else:
            for a in items:
                say(f"议题 {a.position}：{a.concern_reference} {a.title}")

    _run(go)


def _resolution_id(ws, reference: str, number: str | int) -> int:  # noqa: ANN001
    from grassroots_tui.domain.errors import NotFound
    from grassroots_tui.services.meetings import get_meeting

    number = parse_count(number, "决议序号", "resolution", minimum=1)
    for r in get_meeting(ws, reference).resolutions:
        if r.position == number:
            return r.id
    raise NotFound(f"会议 {reference} 没有第 {number} 项决议。", "resolution")


@meeting_app.command("resolve")
def resolve(
    reference: RefArg,
    text: Annotated[str, typer.Option("--text", help="决议内容")],
    item: Annotated[Optional[str], typer.Option("--item", help="针对第几项议题（不填：全部议题）")] = None,
    db: DbOpt = None, as_json: JsonOpt = False,
) -> None:
    """记录一项决议（待表决）。"""

    def go() -> None:
        from grassroots_tui.services.meetings import add_resolution

        ws = _workspace(db)
        try:
            r = add_resolution(ws, reference, text, parse_count(item, "议题序号", "item", minimum=1) if item else None)
        finally:
            ws.close()
        if as_json:
            _print_json(r)
        else:
            say(f"决议 {r.position}：{r.text}（待表决）")

    _run(go)


@meeting_app.command("vote")
def vote(
    reference: RefArg,
    number: Annotated[str, typer.Argument(help="第几项决议")],
    votes_for: Annotated[str, typer.Option("--for", help="赞成票")] = "0",
    against: Annotated[str, typer.Option("--against", help="反对票")] = "0",
    abstain: Annotated[str, typer.Option("--abstain", help="弃权票")] = "0",
    method: Annotated[str, typer.Option("--method", help="hands 举手 · secret 无记名 · voice 口头")] = "hands",
    db: DbOpt = None, clerk: ClerkOpt = None, as_json: JsonOpt = False,
) -> None:
    """记录表决，按会议类型的规则判断：通过 / 未通过 / 不足法定人数。"""

    def go() -> None:
        from grassroots_tui.services.meetings import record_vote

        ws = _workspace(db)
        try:
            counts = [parse_count(v, label, field) for v, label, field in
                      ((votes_for, "赞成票", "for"), (against, "反对票", "against"), (abstain, "弃权票", "abstain"))]
            v = record_vote(ws, _clerk(ws, clerk).id, _resolution_id(ws, reference, number), *counts, method)
        finally:
            ws.close()
        if as_json:
            _print_json(v)
        else:
            say(f"{v.outcome_label}。{v.reason}")

    _run(go)


@meeting_app.command("action")
def action(
    reference: RefArg,
    number: Annotated[str, typer.Argument(help="第几项决议")],
    title: Annotated[str, typer.Option("--title", help="议定事项")],
    due: Annotated[str, typer.Option("--due", help="完成期限，如 2026-12-17")],
    unit: Annotated[Optional[str], typer.Option("--unit", help="承办单位编码（不填：居委会自办）")] = None,
    db: DbOpt = None, clerk: ClerkOpt = None, as_json: JsonOpt = False,
) -> None:
    """为通过的决议分解议定事项（进入诉求台账，编号 YD-…）。"""

    def go() -> None:
        from grassroots_tui.domain.dates import parse_date
        from grassroots_tui.services.meetings import add_action_item

        ws = _workspace(db)
        try:
            a = add_action_item(ws, _clerk(ws, clerk).id, _resolution_id(ws, reference, number), title, unit=unit,
                                due=parse_date(due, ws.now().date(), "due", what="完成期限"))
        finally:
            ws.close()
        if as_json:
            _print_json(a)
        else:
            say(f"议定事项 {a.concern_reference}：{a.title}，期限 {_fmt(a.due_at)}")

    _run(go)


@meeting_app.command("done")
def done(
    action_reference: Annotated[str, typer.Argument(help="议定事项编号，如 YD-2026-000001")],
    note: Annotated[str, typer.Option("--note", help="办理情况")] = "",
    db: DbOpt = None, clerk: ClerkOpt = None, as_json: JsonOpt = False,
) -> None:
    """议定事项办结；决议的事项全部办结后，上会的诉求转入待回访。"""

    def go() -> None:
        from grassroots_tui.domain.reference import normalise_reference
        from grassroots_tui.services.meetings import action_item_id, complete_action_item

        ws = _workspace(db)
        try:
            ref = normalise_reference(action_reference)
            moved = complete_action_item(ws, _clerk(ws, clerk).id, action_item_id(ws, ref), note)
        finally:
            ws.close()
        if as_json:
            _print_json({"reference": ref, "awaiting_followup": moved})
        else:
            say(f"{ref} 已办结。" + (f"转入待回访：{'、'.join(moved)}" if moved else ""))

    _run(go)


ReasonOpt = Annotated[str, typer.Option("--reason", help="作废原因（必填）")]
NumberArg = Annotated[str, typer.Argument(help="第几项决议")]


def _void(which: str, reference: str, number: str, reason: str, db, clerk, as_json: bool) -> None:  # noqa: ANN001
    """Void the vote (`which` "vote") or the whole resolution: kept with the reason, not counted."""

    def go() -> None:
        from grassroots_tui.services.meetings import void_resolution, void_vote

        ws = _workspace(db)
        try:
            call = void_vote if which == "vote" else void_resolution
            r = call(ws, _clerk(ws, clerk).id, _resolution_id(ws, reference, number), reason)
        finally:
            ws.close()
        if as_json:
            _print_json(r)
        elif which == "vote":
            say(f"决议 {r.position} 的表决已作废，现为“{r.status_label}”。")
        else:
            say(f"决议 {r.position} 已作废：{one_line(r.void_reason)}")

    _run(go)


@meeting_app.command("void-vote")
def void_vote(reference: RefArg, number: NumberArg, reason: ReasonOpt = "",
              db: DbOpt = None, clerk: ClerkOpt = None, as_json: JsonOpt = False) -> None:
    """表决记录有误：作废（保留记录和原因，不再计入），决议回到上一次表决的结果或待表决。"""
    _void("vote", reference, number, reason, db, clerk, as_json)


@meeting_app.command("void")
def void_resolution(reference: RefArg, number: NumberArg, reason: ReasonOpt = "",
                    db: DbOpt = None, clerk: ClerkOpt = None, as_json: JsonOpt = False) -> None:
    """决议记录有误：作废（保留记录和原因，不再计入、不公示）。"""
    _void("resolution", reference, number, reason, db, clerk, as_json)


@meeting_app.command("carried")
def carried(
    reference: RefArg,
    number: NumberArg,
    note: Annotated[str, typer.Option("--note", help="落实情况")] = "",
    db: DbOpt = None, clerk: ClerkOpt = None, as_json: JsonOpt = False,
) -> None:
    """通过的决议无需分解议定事项、已经落实：上会的诉求转入待回访。"""

    def go() -> None:
        from grassroots_tui.services.meetings import carry_out_resolution

        ws = _workspace(db)
        try:
            moved = carry_out_resolution(ws, _clerk(ws, clerk).id, _resolution_id(ws, reference, number), note)
        finally:
            ws.close()
        if as_json:
            _print_json({"reference": reference, "resolution": int(parse_count(number, "决议序号", "resolution")),
                         "awaiting_followup": moved})
        else:
            say(f"决议 {number} 已落实。" + (f"转入待回访：{'、'.join(moved)}" if moved else ""))

    _run(go)

"""Printable meeting papers as self-contained A4 HTML (open in a browser, Ctrl+P).

HTML rather than PDF: every office PC prints it with the system's Chinese fonts, no font
files to ship. Fonts are declared for Windows (SimSun/SimHei, Microsoft YaHei), macOS
(Songti SC/Heiti SC) and Linux (Noto/Source Han); `@page` sets A4 and the margins.
Every piece of user text is HTML-escaped, its control characters shown as visible symbols.

Documents: 会议通知 (notice), 签到表 (sign-in sheet), 会议纪要 (minutes, with signature lines),
决议公示 (resolution notice with its publication period), 结果公示 (implementation result).
"""

from __future__ import annotations

from datetime import date, datetime
from html import escape
from pathlib import Path

from grassroots_tui.domain.dates import weekday_label
from grassroots_tui.domain.meetings import meeting_title
from grassroots_tui.domain.text import printable

KINDS = {
    "notice": "会议通知",
    "signin": "签到表",
    "minutes": "会议纪要",
    "resolution": "决议公示",
    "result": "结果公示",
}

CSS = """
@page { size: A4; margin: 20mm 18mm 22mm 18mm; }
* { box-sizing: border-box; }
body { font-family: "SimSun", "宋体", "Songti SC", "Noto Serif CJK SC", "Source Han Serif SC", serif;
       font-size: 14pt; line-height: 1.8; color: #000; margin: 0; }
h1 { font-family: "SimHei", "黑体", "Heiti SC", "Microsoft YaHei", "Noto Sans CJK SC", "Source Han Sans SC",
     sans-serif; font-size: 22pt; text-align: center; margin: 0 0 6mm 0; letter-spacing: 0.1em; }
h2 { font-family: "SimHei", "黑体", "Heiti SC", "Microsoft YaHei", "Noto Sans CJK SC", sans-serif;
     font-size: 15pt; margin: 5mm 0 2mm 0; }
p { margin: 0 0 2mm 0; text-indent: 2em; }
p.plain { text-indent: 0; }
table { width: 100%; border-collapse: collapse; font-size: 12pt; page-break-inside: auto; }
tr { page-break-inside: avoid; }
th, td { border: 1px solid #000; padding: 1.5mm 2mm; text-align: left; vertical-align: top; }
th { font-family: "SimHei", "黑体", "Heiti SC", "Microsoft YaHei", "Noto Sans CJK SC", sans-serif; }
td.sign { height: 11mm; width: 30%; }
.meta td { border: none; padding: 0.5mm 0; }
.right { text-align: right; text-indent: 0; }
.signatures { margin-top: 12mm; width: 100%; }
.signatures td { border: none; padding: 6mm 0 0 0; width: 50%; }
.line { display: inline-block; min-width: 45mm; border-bottom: 1px solid #000; }
.small { font-size: 10.5pt; }
"""


def _t(value: object) -> str:
    """User text for the page: HTML-escaped, control characters shown as symbols (HTML forbids them)."""
    return escape(printable("" if value is None else str(value)))


def _when(m) -> str:  # noqa: ANN001
    s, e = m.start_at, m.end_at
    day = f"{s.year}年{s.month}月{s.day}日（{weekday_label(s.date())}）"
    end = f"{e:%H:%M}" if e.date() == s.date() else f"{e.month}月{e.day}日 {e:%H:%M}"
    return f"{day} {s:%H:%M}—{end}"


def _day(d: date | datetime | None) -> str:
    if d is None:
        return "____年__月__日"
    return f"{d.year}年{d.month}月{d.day}日"


def _page(title: str, body: str) -> str:
    return (
        "<!DOCTYPE html>\n<html lang=\"zh-CN\">\n<head>\n<meta charset=\"utf-8\">\n"
        f"<title>{_t(title)}</title>\n<style>{CSS}</style>\n</head>\n<body>\n{body}\n</body>\n</html>\n"
    )


def _meta(m, committee: str) -> str:  # noqa: ANN001
    rows = [("会议名称", meeting_title(m.type_label, m.topic)), ("会议时间", _when(m)), ("会议地点", m.place or "（待定）"),
            ("主 持 人", m.chair or ""), ("记 录 人", m.minute_taker or ""), ("会议编号", m.reference)]
    cells = "".join(f"<tr><td style=\"width:25mm\">{_t(k)}：</td><td>{_t(v)}</td></tr>" for k, v in rows)
    return f"<table class=\"meta\">{cells}</table>"


def notice(m, committee: str, issued: date | None = None) -> str:  # noqa: ANN001
    """会议通知."""
    items = "".join(f"<li>{_t(a.title)}</li>" for a in m.agenda) or "<li>（议题另行通知）</li>"
    body = (
        f"<h1>会议通知</h1>\n<p class=\"plain\">各位居民、代表及有关单位：</p>\n"
        f"<p>{_t(committee)}定于{_t(_when(m))}在{_t(m.place or '（地点另行通知）')}召开{_t(m.type_label)}，"
        f"协商“{_t(m.topic)}”。请准时参加。</p>\n<h2>一、会议议题</h2>\n<ol>{items}</ol>\n"
        f"<h2>二、有关事项</h2>\n<p>请参会人员携带本通知按时签到；因故不能参加的，请提前告知社区居委会。</p>\n"
        f"{_meta(m, committee)}\n"
        f"<p class=\"right\">{_t(committee)}</p>\n<p class=\"right\">{_t(_day(issued or m.notice_date))}</p>\n"
    )
    return _page(f"会议通知 {m.reference}", body)


def signin(m, committee: str) -> str:  # noqa: ANN001
    """签到表: every invited person, a box to sign; blank rows for walk-ins."""
    rows = []
    for p in m.participants:
        role = p.role_label + ("" if p.voting else "（无表决权）")
        rows.append(f"<tr><td>{p.number}</td><td>{_t(p.name)}</td><td>{_t(p.organisation)}</td>"
                    f"<td>{_t(role)}</td><td class=\"sign\"></td></tr>")
    start = len(m.participants)
    for i in range(1, 6):
        rows.append(f"<tr><td>{start + i}</td><td></td><td></td><td></td><td class=\"sign\"></td></tr>")
    entitled = sum(1 for p in m.participants if p.voting)
    body = (
        f"<h1>签到表</h1>\n{_meta(m, committee)}\n"
        f"<p class=\"plain\">应到 {len(m.participants)} 人（其中有表决权 {entitled} 人），实到 ____ 人。</p>\n"
        "<table><thead><tr><th style=\"width:12mm\">序号</th><th style=\"width:30mm\">姓名</th>"
        "<th>单位/住址</th><th style=\"width:32mm\">身份</th><th>本人签字</th></tr></thead>\n<tbody>"
        + "\n".join(rows) + "</tbody></table>\n"
    )
    return _page(f"签到表 {m.reference}", body)


def _counts(v) -> str:  # noqa: ANN001
    return (f"{v.method_label}：应到 {v.entitled} 人，实到 {v.present} 人；赞成 {v.votes_for} 票，"
            f"反对 {v.votes_against} 票，弃权 {v.votes_abstain} 票")


def _vote_line(r) -> str:  # noqa: ANN001
    if r.vote is None:
        return "未表决"
    return f"{_counts(r.vote)}。结果：{r.vote.outcome_label}"


def _voided_lines(r) -> list[str]:  # noqa: ANN001
    """Votes recorded in error: kept on the minutes as 已作废 with the reason, not counted."""
    return [f"已作废的表决（{_counts(v)}，记为{v.outcome_label}）作废原因：{v.void_reason}"
            for v in getattr(r, "voided_votes", [])]


def _actions(r) -> str:  # noqa: ANN001
    if not r.actions:
        return ""
    rows = "".join(
        f"<tr><td>{_t(a.concern_reference)}</td><td>{_t(a.title)}</td><td>{_t(a.unit_name or a.owner or '')}</td>"
        f"<td>{_t(_day(a.due_at))}</td><td>{_t(a.status_label or '')}</td></tr>" for a in r.actions)
    return ("<table><thead><tr><th style=\"width:34mm\">编号</th><th>议定事项</th><th>责任单位/人</th>"
            f"<th style=\"width:34mm\">完成期限</th><th style=\"width:20mm\">状态</th></tr></thead><tbody>{rows}"
            "</tbody></table>")


def minutes(m, committee: str) -> str:  # noqa: ANN001
    """会议纪要, with signature lines for the chair, the minute-taker and attendees' representatives."""
    present = [p for p in m.participants if p.present]
    attendees = "、".join(_t(p.name) for p in present) or "（见签到表）"
    quorum = _t(m.quorum.describe()) if m.quorum else ""
    parts = [f"<h1>会议纪要</h1>\n{_meta(m, committee)}",
             f"<p class=\"plain\">出席人员：{attendees}</p>", f"<p class=\"plain\">到会情况：{quorum}</p>",
             "<h2>一、议题及讨论情况</h2>"]
    for a in m.agenda:
        source = f"（{_t(a.source_label)}{' ' + _t(a.concern_reference) if a.concern_reference else ''}）"
        parts.append(f"<p class=\"plain\"><b>{a.position}. {_t(a.title)}</b>{source}</p>")
        parts.append(f"<p>{_t(a.minutes) or '（未记录）'}</p>")
    parts.append("<h2>二、表决及议定事项</h2>")
    for r in m.resolutions:
        scope = f"（议题 {r.agenda_position}）" if r.agenda_position else "（全部议题）"
        voided = f"【已作废：{_t(r.void_reason)}】" if getattr(r, "voided", False) else ""
        parts.append(f"<p class=\"plain\"><b>决议 {r.position}{scope}：</b>{_t(r.text)}{voided}</p>")
        parts.append(f"<p class=\"plain small\">{_t(_vote_line(r))}</p>")
        parts.extend(f"<p class=\"plain small\">{_t(line)}</p>" for line in _voided_lines(r))
        parts.append(_actions(r))
    if not m.resolutions:
        parts.append("<p>（本次会议未形成决议）</p>")
    parts.append(
        "<table class=\"signatures\"><tr>"
        "<td>主持人签字：<span class=\"line\"></span></td><td>记录人签字：<span class=\"line\"></span></td></tr>"
        "<tr><td>参会代表签字：<span class=\"line\"></span></td><td>日期：<span class=\"line\"></span></td></tr>"
        "</table>")
    return _page(f"会议纪要 {m.reference}", "\n".join(parts))


def _resolution(m, resolution_id: int | None):  # noqa: ANN001, ANN202
    chosen = [r for r in m.resolutions if resolution_id is None or r.id == resolution_id]
    if resolution_id is not None and not chosen:
        raise ValueError("找不到这项决议。")
    return chosen


def resolution_notice(m, committee: str, resolution_id: int | None = None, on: date | None = None) -> str:  # noqa: ANN001
    """决议公示 with its publication period (公示期)."""
    parts = ["<h1>决议公示</h1>",
             f"<p>{_t(_day(m.start_at))}，{_t(committee)}召开{_t(m.type_label)}，就“{_t(m.topic)}”进行协商，"
             "形成决议如下：</p>"]
    for r in _resolution(m, resolution_id):
        if not r.carried:
            continue
        parts.append(f"<p class=\"plain\"><b>决议 {r.position}：</b>{_t(r.text)}</p>")
        parts.append(f"<p class=\"plain small\">{_t(_vote_line(r))}</p>")
        parts.append(_actions(r))
        start = r.published_at or on
        until = r.publication_until
        period = (f"公示期：{_day(start)}至{_day(until)}" if start and until
                  else f"公示期：自公布之日起不少于 {m.publication_days} 天")
        parts.append(f"<p class=\"plain\"><b>{_t(period)}</b></p>")
    parts.append("<p>公示期内如有意见，请向社区居委会反映。</p>")
    parts.append(f"<p class=\"right\">{_t(committee)}</p><p class=\"right\">{_t(_day(on))}</p>")
    return _page(f"决议公示 {m.reference}", "\n".join(parts))


def result_notice(m, committee: str, resolution_id: int | None = None, on: date | None = None) -> str:  # noqa: ANN001
    """结果公示: what was done about each resolution."""
    parts = ["<h1>结果公示</h1>",
             f"<p>{_t(_day(m.start_at))}{_t(m.type_label)}（{_t(m.topic)}）形成的决议，实施情况公示如下：</p>"]
    for r in _resolution(m, resolution_id):
        if not r.carried:
            continue
        if r.done_at and not r.actions:
            state = f"已于{_day(r.done_at)}落实"
        else:
            state = f"已于{_day(r.done_at)}全部办结" if r.done_at else "正在实施"
        parts.append(f"<p class=\"plain\"><b>决议 {r.position}：</b>{_t(r.text)}（{_t(state)}）</p>")
        parts.append(_actions(r))
    parts.append(f"<p class=\"plain\"><b>公示期：自公布之日起不少于 {m.publication_days} 天</b></p>")
    parts.append("<p>如有意见，请向社区居委会反映。</p>")
    parts.append(f"<p class=\"right\">{_t(committee)}</p><p class=\"right\">{_t(_day(on))}</p>")
    return _page(f"结果公示 {m.reference}", "\n".join(parts))


def render(kind: str, m, committee: str, *, resolution_id: int | None = None, on: date | None = None) -> str:  # noqa: ANN001
    if kind == "notice":
        return notice(m, committee, on)
    if kind == "signin":
        return signin(m, committee)
    if kind == "minutes":
        return minutes(m, committee)
    if kind == "resolution":
        return resolution_notice(m, committee, resolution_id, on)
    if kind == "result":
        return result_notice(m, committee, resolution_id, on)
    raise ValueError(f"未知的文书类型“{kind}”，可选：{'、'.join(f'{k}({v})' for k, v in KINDS.items())}。")


def write(kind: str, m, committee: str, path: Path | str, **kwargs) -> Path:  # noqa: ANN001, ANN003
    """Render and write beside `path`, fsync, rename: the old paper or the new one, never half of one.

    The caller has checked the target (`safe_file.check_target`: not a database, replace asked).
    """
    from grassroots_tui.io.safe_file import check_target, write_text

    path = check_target(path, force=True)  # never onto a database, whoever calls
    return write_text(path, render(kind, m, committee, **kwargs))


def default_name(kind: str, reference: str) -> str:
    return f"{reference}-{KINDS[kind]}.html"

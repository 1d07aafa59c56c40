"""A realistic, reproducible demo database: fictional residents, concerns with full
histories in every state, and a few meetings.

Histories are produced by the same pipeline rules the program enforces
(`domain.pipeline.plan`), then written with bulk inserts so that 200 000 concerns
take minutes, not hours. Times are anchored to the day the demo is built, so
overdue and due-soon concerns exist whenever it is opened.
"""

from __future__ import annotations

import json
import random
from collections.abc import Callable
from dataclasses import replace
from datetime import date, datetime, time, timedelta
from pathlib import Path

from sqlalchemy import insert, text
from sqlmodel import select

from grassroots_tui.domain import pipeline
from grassroots_tui.domain.codes import (
    RUNNING_STATUSES,
    Action,
    Channel,
    Nature,
    Outcome,
    Satisfaction,
    Status,
    Supervision,
    Urgency,
)
from grassroots_tui.domain.deadlines import compute_deadlines
from grassroots_tui.domain.errors import DomainError
from grassroots_tui.domain.pinyin import full_pinyin, initials, sort_key
from grassroots_tui.domain.reference import format_reference
from grassroots_tui.domain.validation import id_check_char
from grassroots_tui.services.workspace import Workspace
from grassroots_tui.store.engine import tidy_after_bulk_load
from grassroots_tui.store.models import (
    AgendaItem,
    Category,
    Clerk,
    Concern,
    ConcernEvent,
    Meeting,
    MeetingParticipant,
    Resident,
    ResidentTag,
    Resolution,
    Setting,
    Vote,
)

SURNAMES = ("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
            "姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤")
GIVEN = ("秀英 桂英 秀兰 玉兰 桂兰 凤英 建华 建国 建军 国强 国华 志强 志明 海燕 海波 丽娟 丽华 淑珍 淑华 春梅 "
         "红梅 晓东 晓明 文华 文杰 伟 芳 娜 敏 静 丽 强 磊 军 洋 勇 艳 杰 娟 涛 明 超 霞 平 刚 桂芳 子涵 "
         "一诺 浩然 欣怡 梓轩 雨桐 宇航 思远 佳怡 俊杰 嘉怡 德明 福生 永红 学军 金凤 玉珍 树林 振华").split()
ESTATES = ("幸福里小区", "和平苑", "光明新村")
TAGS = ("独居老人", "空巢老人", "高龄", "低保", "残疾", "退役军人", "党员", "楼栋长", "志愿者")
UNITS_BY_KIND = ("WY", "JWH", "JD-CG", "JD-CJ", "JD-SB", "PCS", "SW", "GD")
CLERKS = (("李红梅", "居委会主任"), ("王建国", "社工"), ("陈晓东", "网格员"), ("刘丽娟", "社工"))

SUMMARIES = {
    "01": ["物业维修不及时", "小区物业服务差，保洁不到位", "电梯经常停运", "二次供水水箱脏", "楼道灯坏了没人修", "单元门禁坏了"],
    "02": ["垃圾桶满了没人清运", "垃圾分类站异味大", "楼道堆放杂物", "地下室有老鼠", "绿化带杂草丛生", "小区内狗粪无人清理"],
    "03": ["小区门口道路坑洼", "路灯不亮", "井盖松动有响声", "下水道堵塞返水", "健身器材损坏", "无障碍坡道被占"],
    "04": ["停水两天没有通知", "突然停电", "闻到燃气味", "暖气不热", "有线电视没信号"],
    "05": ["小区停车位不够", "消防通道被车堵", "有人私装地锁", "楼道飞线充电", "非机动车乱停"],
    "06": ["一楼住户私搭乱建", "楼顶加盖违建", "门口有人占道经营", "小广告贴满楼道", "餐馆油烟扰民"],
    "07": ["楼上夜间噪音", "工地夜间施工噪音", "底商音响太吵", "广场舞音量太大"],
    "08": ["楼上漏水到我家", "邻居占用公共过道", "邻居家狗咬人", "楼上装修噪音和漏水", "子女不尽赡养义务", "房东不退押金"],
    "09": ["咨询低保申请条件", "家中困难申请临时救助", "残疾证办理咨询", "医保报销问题", "失业求职帮助", "退役军人优待咨询"],
    "10": ["希望提供居家养老服务", "独居老人需要定期探访", "老年餐桌价格咨询", "适老化改造申请", "高龄津贴未到账",
           "老楼加装电梯意见"],
    "11": ["自行车被盗", "楼道堆物有消防隐患", "怀疑有群租房", "老人接到诈骗电话", "高空抛物砸到车"],
    "12": ["房屋外墙渗水", "老旧小区改造进度", "房产证办理问题", "保障房申请咨询"],
    "13": ["居住证办理咨询", "孩子入学咨询", "社区卫生站看病不便", "政策咨询", "社区活动室开放时间"],
    "14": ["健身卡退费难", "小卖部卖过期食品", "菜价明码标价问题"],
    "15": ["建议多办社区活动", "希望公开居务账目", "工作人员态度问题", "表扬网格员热心服务", "建议增设休息座椅"],
    "99": ["其他问题"],
}
PLACES = ("社区议事厅", "居委会二楼会议室", "幸福里小区活动室")


def _random_id_number(rng: random.Random, birth: date, male: bool) -> str:
    seq = rng.randint(0, 99) * 10 + (rng.choice((1, 3, 5, 7, 9)) if male else rng.choice((0, 2, 4, 6, 8)))
    first17 = f"110105{birth:%Y%m%d}{seq:03d}"
    return first17 + id_check_char(first17)


def _prepare(path: Path, force: bool) -> None:
    if path.exists():
        import sqlite3

        is_demo = False
        try:
            con = sqlite3.connect(path)
            row = con.execute("SELECT value FROM setting WHERE key='demo'").fetchone()
            is_demo = bool(row)
            con.close()
        except sqlite3.Error:
            is_demo = False
        if not is_demo and not force:
            raise DomainError(f"{path} 已存在且不是演示数据库，为防止误删真实数据，不会覆盖它（确认要覆盖请加 --force）。")
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)


def _refuse_data(ws: Workspace) -> None:
    """A server database receives the demo only while it holds nothing (a file is replaced instead)."""
    from sqlalchemy import func

    with ws.read() as s:
        held = sum(int(s.exec(select(func.count()).select_from(m)).one()) for m in (Resident, Concern, Meeting))
    if held:
        ws.close()
        raise DomainError(f"数据库 {ws.location} 里已有数据（{held} 条居民、诉求或会议记录），"
                          "演示数据只写入空的数据库，未做任何改动。", "db")


def build_demo(path: Path | str, *, residents: int = 600, concerns: int = 1500, seed: int = 2026,
               force: bool = False, progress: Callable[[str], None] | None = None,
               clock: Callable[[], datetime] | None = None) -> dict:
    from grassroots_tui.config import is_server_url

    say = progress or (lambda _msg: None)
    if residents < 0 or concerns < 0:
        raise DomainError("人数和件数不能为负数。")
    if is_server_url(path):
        ws = Workspace.open(path, clock=clock)
        _refuse_data(ws)
    else:
        path = Path(path)
        _prepare(path, force)
        ws = Workspace.open(path, clock=clock)
    try:
        rng = random.Random(seed)
        now = ws.now()
        with ws.write() as s:
            s.add(Setting(key="demo", value=str(seed)))
            for name, role in CLERKS:
                s.add(Clerk(name=name, role=role))
        with ws.read() as s:
            clerk_ids = [c.id for c in s.exec(select(Clerk)).all()]
            cats = s.exec(select(Category)).all()
        leaves = [c for c in cats if c.parent_code]
        by_code = {c.code: c for c in cats}
        resident_rows = _residents(ws, rng, residents, now)
        say(f"居民 {len(resident_rows)} 人")
        counts = _concerns(ws, rng, concerns, now, resident_rows, leaves, by_code, clerk_ids, say)
        from grassroots_tui.services.ledger import rebuild_search_index

        # The bulk inserts above bypass Workspace.write: one bulk rebuild of the search index, before
        # the next write transaction (the meetings) would find 200 000 queued concerns.
        rebuild_search_index(ws)
        meetings = _meetings(ws, rng, now, clerk_ids)
        say(f"会议 {meetings} 场")
        tidy_after_bulk_load(ws.engine)
        return {"residents": len(resident_rows), "concerns": concerns, "meetings": meetings, **counts}
    finally:
        ws.close()


def _residents(ws: Workspace, rng: random.Random, n: int, now: datetime) -> list[dict]:
    rows: list[dict] = []
    tags: list[dict] = []
    phones: set[str] = set()
    for i in range(n):
        name = rng.choice(SURNAMES) + rng.choice(GIVEN)
        male = rng.random() < 0.48
        age = rng.choice((rng.randint(18, 59), rng.randint(60, 95)))
        birth = date(now.year - age, rng.randint(1, 12), rng.randint(1, 28))
        while True:
            phone = f"1{rng.choice('3456789')}{rng.randint(0, 999999999):09d}"
            if phone not in phones:
                phones.add(phone)
                break
        estate_i = rng.randrange(len(ESTATES))
        building = rng.randint(1, 12)
        rows.append(dict(
            id=i + 1, name=name, name_pinyin=full_pinyin(name), name_initials=initials(name), sort_key=sort_key(name),
            sex="男" if male else "女", birth_date=birth, id_type="id_card",
            id_number=_random_id_number(rng, birth, male) if rng.random() < 0.7 else None,
            phone=phone, phone_tail=phone[-4:], estate=ESTATES[estate_i], building=str(building),
            unit_no=str(rng.randint(1, 4)), room=f"{rng.randint(1, 6)}0{rng.randint(1, 2)}",
            grid_code=f"G0{(estate_i * 12 + building) % 4 + 1}", relation_to_head=rng.choice(("户主", "配偶", "子女", "户主")),
            residence_type=rng.choice(("户籍", "户籍", "户籍", "流动")), tenure=rng.choice(("产权人", "家庭成员", "租户")),
            notes="", created_at=now, updated_at=now, version=1,
        ))
        if age >= 75 and rng.random() < 0.5:
            tags.append(dict(resident_id=i + 1, tag=rng.choice(TAGS[:3])))
        if rng.random() < 0.08:
            tags.append(dict(resident_id=i + 1, tag=rng.choice(TAGS[3:])))
    # ID numbers must be unique: drop accidental collisions.
    seen: set[str] = set()
    for r in rows:
        if r["id_number"] in seen:
            r["id_number"] = None
        elif r["id_number"]:
            seen.add(r["id_number"])
    tags = list({(t["resident_id"], t["tag"]): t for t in tags}.values())
    with ws.writer_engine.begin() as conn:
        for chunk in range(0, len(rows), 5000):
            conn.execute(insert(Resident.__table__), rows[chunk:chunk + 5000])
        if tags:
            conn.execute(insert(ResidentTag.__table__), tags)
    return rows


def _received_times(rng: random.Random, n: int, now: datetime) -> list[datetime]:
    """Spread over the last eight months, more in recent weeks, inside office hours."""
    out = []
    for _ in range(n):
        days_ago = min(int(rng.expovariate(1 / 60)), 240)
        day = now.date() - timedelta(days=days_ago)
        moment = datetime.combine(day, time(8, 30), tzinfo=now.tzinfo) + timedelta(minutes=rng.randint(0, 540))
        if moment >= now:
            moment = now - timedelta(minutes=rng.randint(5, 600))
        out.append(moment)
    out.sort()
    return out


def _concerns(ws: Workspace, rng: random.Random, n: int, now: datetime, residents: list[dict], leaves: list,
              by_code: dict, clerk_ids: list[int], say: Callable[[str], None]) -> dict:
    rules, cal = ws.settings.sla, ws.settings.calendar
    times = _received_times(rng, n, now)
    counters: dict[int, int] = {}
    refs: list[tuple[str, int]] = []
    status_counts: dict[str, int] = {}
    concern_cols = {c.name for c in Concern.__table__.columns}
    chunk_size = 5000
    next_id = 1
    event_total = 0
    for start in range(0, n, chunk_size):
        concern_rows: list[dict] = []
        event_rows: list[dict] = []
        for received in times[start:start + chunk_size]:
            cid = next_id
            next_id += 1
            cat = rng.choice(leaves)
            parent = by_code[cat.parent_code]
            urgency = Urgency(cat.urgency or parent.urgency or "ordinary")
            if urgency is Urgency.ORDINARY:
                roll = rng.random()
                urgency = Urgency.EMERGENCY if roll < 0.02 else Urgency.COMPLEX if roll < 0.12 else urgency
            resident = rng.choice(residents) if residents and rng.random() < 0.85 else None
            year = received.year
            counters[year] = counters.get(year, 0) + 1
            ref = format_reference(ws.settings.concern_prefix, year, counters[year])
            dl = compute_deadlines(received, urgency, rules, cal)
            due_at, warn_at = pipeline.initial_clock(received, urgency, dl.dispatch_due, rules, cal)
            actor = rng.choice(clerk_ids)
            row = dict(
                id=cid, reference=ref, kind="concern", resident_id=resident["id"] if resident else None,
                channel=rng.choices(list(Channel), (30, 30, 15, 12, 5, 3, 5))[0].value,
                nature=(Nature.PRAISE if cat.code == "1504" else
                        rng.choices(list(Nature)[:5], (20, 40, 30, 5, 5))[0]).value,
                category_code=cat.code, summary=_summary(rng, cat.code, parent.code),
                detail="", estate=resident["estate"] if resident else rng.choice(ESTATES),
                building=resident["building"] if resident else str(rng.randint(1, 12)),
                unit_no=resident["unit_no"] if resident else "", room=resident["room"] if resident else "",
                location_text="", grid_code=resident["grid_code"] if resident else None, urgency=urgency.value,
                unit_code=None, supervision="none", status="received", received_at=received,
                dispatch_due=dl.dispatch_due, feedback_due=dl.feedback_due, feedback_due_original=dl.feedback_due,
                due_at=due_at, warn_at=warn_at, rework_count=0, return_count=0, extension_count=0,
                followup_count=0, excluded=False, excluded_reason="", followup_note="", created_by=actor,
                updated_at=received, version=1, first_routed_at=None, first_reported_at=None, closed_at=None,
                followup_contacted=None, followup_outcome=None, followup_satisfaction=None, followup_at=None,
                repeat_of_id=None, merged_into_id=None, meeting_id=None,
            )
            events = [dict(concern_id=cid, action="receive", actor_id=actor, at=received, from_status=None,
                           to_status="received", note="", unit_code=None, deadline_before=None,
                           deadline_after=dl.dispatch_due, meeting_id=None, data="")]
            _live(rng, row, events, now, rules, cal, clerk_ids, cat.unit_code or parent.unit_code or "JWH", refs)
            refs.append((ref, cid))
            status_counts[row["status"]] = status_counts.get(row["status"], 0) + 1
            concern_rows.append({k: v for k, v in row.items() if k in concern_cols})
            event_rows.extend(events)
        with ws.writer_engine.begin() as conn:
            conn.execute(insert(Concern.__table__), concern_rows)
            conn.execute(insert(ConcernEvent.__table__), event_rows)
        event_total += len(event_rows)
        if n > chunk_size:
            say(f"诉求 {min(start + chunk_size, n)}/{n}")
    with ws.writer_engine.begin() as conn:
        for year, last in counters.items():
            conn.execute(text("INSERT INTO counter(name, last) VALUES (:n, :l) "
                              "ON CONFLICT(name) DO UPDATE SET last = CASE WHEN counter.last > excluded.last "
                              "THEN counter.last ELSE excluded.last END"),
                         {"n": f"{ws.settings.concern_prefix}-{year}", "l": last})
    say(f"诉求 {n} 件，流转记录 {event_total} 条")
    return {"events": event_total, "by_status": status_counts}


def _summary(rng: random.Random, leaf: str, parent: str) -> str:
    templates = SUMMARIES.get(parent, ["其他问题"])
    i = int(leaf[2:]) - 1
    return templates[i] if 0 <= i < len(templates) else rng.choice(templates)


def _step_plan(rng: random.Random, age_days: float) -> list[str]:
    """A believable life for a concern of a given age."""
    roll = rng.random()
    if roll < 0.03:
        return ["reject"]
    if roll < 0.05:
        return ["merge"]
    if roll < 0.12:
        return ["answer", "followup"]
    steps = ["dispatch", "sign"]
    if roll < 0.25:
        steps = ["handle"]
    if rng.random() < 0.06:
        steps = ["dispatch", "return", "dispatch", "sign"]
    if rng.random() < 0.01:  # bounced between units: a problem case (问题工单)
        steps = ["dispatch", "return"] * 3 + ["dispatch", "sign"]
    if rng.random() < 0.08:
        steps.append("supervise")
    if rng.random() < 0.10:
        steps.append("extend")
    if rng.random() < 0.05:
        return steps + ["park"]
    steps += ["report", "followup"]
    if rng.random() < 0.12:
        steps += ["report", "followup"]  # a rework loop when the first follow-up is unhappy
    return steps


def _live(rng: random.Random, row: dict, events: list[dict], now: datetime, rules, cal, clerk_ids: list[int],  # noqa: ANN001
          default_unit: str, refs: list[tuple[str, int]]) -> None:
    received: datetime = row["received_at"]
    age_days = (now - received).total_seconds() / 86400
    steps = _step_plan(rng, age_days)
    t = received
    followups = sum(1 for s in steps if s == "followup")
    seen_followups = 0
    for step in steps:
        gap_hours = {"dispatch": rng.uniform(0.2, 30), "handle": rng.uniform(0.1, 8), "sign": rng.uniform(0.5, 20),
                     "report": rng.uniform(24, 240), "followup": rng.uniform(2, 72), "extend": rng.uniform(24, 96),
                     "return": rng.uniform(2, 24), "answer": rng.uniform(0, 0.3), "supervise": rng.uniform(24, 120),
                     "park": rng.uniform(48, 200), "reject": rng.uniform(0.2, 6), "merge": rng.uniform(0.2, 12)}[step]
        if row["urgency"] in ("emergency", "utilities") and step in ("dispatch", "handle", "sign", "report"):
            gap_hours /= 12
        t2 = t + timedelta(hours=gap_hours)
        if t2 >= now:
            break
        snap = pipeline.ConcernSnapshot(
            status=Status(row["status"]), received_at=received, dispatch_due=row["dispatch_due"],
            feedback_due=row["feedback_due"], feedback_due_original=row["feedback_due_original"],
            urgency=Urgency(row["urgency"]), unit_code=row["unit_code"], supervision=Supervision(row["supervision"]),
            rework_count=row["rework_count"], return_count=row["return_count"],
            extension_count=row["extension_count"], first_routed_at=row.get("first_routed_at"),
            first_reported_at=row.get("first_reported_at"), reference=row["reference"])
        req = pipeline.Request(Action(step))
        if step == "dispatch":
            req = replace(req, unit_code=default_unit if rng.random() < 0.8 else rng.choice(UNITS_BY_KIND))
        elif step in ("reject", "return", "park", "report", "answer"):
            req = replace(req, note={"reject": "不属于居委会受理范围", "return": "非本单位职责，退回重新派单",
                                     "park": "需列入明年维修资金计划", "report": "已上门处理并告知居民",
                                     "answer": "已当场解答政策"}[step])
        if step == "park":
            # Parked as if reviewed lately: the next review falls in the coming weeks.
            req = replace(req, until=(now + timedelta(days=rng.randint(1, 40))).date())
        elif step == "extend":
            new_due = cal.add_working_days(row["feedback_due"].date(), 5)
            req = replace(req, note="需协调多方，申请延期", until=new_due)
        elif step == "supervise":
            req = replace(req, supervision=rng.choice((Supervision.ORDINARY, Supervision.YELLOW, Supervision.RED)))
        elif step == "merge":
            if not refs:
                break
            target_ref, target_id = refs[-rng.randint(1, min(len(refs), 50))]
            req = replace(req, merge_into=target_ref)
            row["merged_into_id"] = target_id
        elif step == "followup":
            seen_followups += 1
            unhappy = followups > 1 and seen_followups == 1
            if unhappy:
                req = replace(req, outcome=Outcome.UNSOLVED, satisfaction=Satisfaction.DISSATISFIED,
                              note="居民反映问题仍未解决")
            else:
                r = rng.random()
                req = replace(req, outcome=Outcome.SOLVED if r < 0.8 else Outcome.PARTLY,
                              satisfaction=Satisfaction.SATISFIED if r < 0.7 else Satisfaction.BASIC,
                              note="电话回访")
        try:
            change = pipeline.plan(snap, req, t2, rules, cal)
        except DomainError:
            break
        before_unit = row["unit_code"]
        data: dict = {}
        for key, value in change.fields.items():
            if key == "followup_count_inc":
                row["followup_count"] += value
            elif key == "merged_into":
                data["merged_into"] = value
            elif hasattr(value, "value") and not isinstance(value, datetime):
                row[key] = value.value
                data[key.removeprefix("followup_")] = value.value
            else:
                row[key] = value
        row["status"] = change.to_status.value
        row["updated_at"] = t2
        row["version"] += 1
        events.append(dict(concern_id=row["id"], action=step, actor_id=rng.choice(clerk_ids), at=t2,
                           from_status=change.from_status.value, to_status=change.to_status.value, note=change.note,
                           unit_code=row["unit_code"] or before_unit, deadline_before=change.deadline_before,
                           deadline_after=change.deadline_after, meeting_id=None,
                           data=json.dumps(data, ensure_ascii=False) if data else ""))
        t = t2


def _meetings(ws: Workspace, rng: random.Random, now: datetime, clerk_ids: list[int]) -> int:
    """Two held meetings with votes, one today, two upcoming."""
    from grassroots_tui.domain.meetings import decide
    from grassroots_tui.services.concerns import new_reference
    from grassroots_tui.services.meetings import meeting_rules

    plan = [(-20, "consultation", "楼道堆物集中清理方案"), (-6, "residents", "老楼加装电梯意见征询"),
            (0, "joint", "物业服务质量联席会"), (3, "consultation", "小区停车位划线议事"),
            (9, "talk", "民情恳谈会：冬季供暖")]
    with ws.write() as s:
        members = s.exec(select(Resident).order_by(Resident.id).limit(15)).all()
        candidates = s.exec(select(Concern).where(Concern.status.in_([st.value for st in RUNNING_STATUSES]))
                            .order_by(Concern.id.desc()).limit(10)).all()
        for offset, mtype, topic in plan:
            day = now.date() + timedelta(days=offset)
            start = datetime.combine(day, time(14, 30) if offset else time(max(now.hour + 1, 9) % 24, 0),
                                     tzinfo=now.tzinfo)
            held = start < now - timedelta(hours=2)
            meeting = Meeting(reference=new_reference(s, ws.settings.meeting_prefix, start.year, width=4),
                              type=mtype, topic=topic, start_at=start, end_at=start + timedelta(minutes=90),
                              place=rng.choice(PLACES), chair=CLERKS[0][0], minute_taker=CLERKS[1][0],
                              notice_date=day - timedelta(days=5), status="held" if held else "planned",
                              created_by=clerk_ids[0], created_at=now)
            s.add(meeting)
            s.flush()
            present = 0  # checked in within the window (before the start), voted after it
            for r in members:
                here = held and rng.random() < 0.8
                present += here
                s.add(MeetingParticipant(meeting_id=meeting.id, resident_id=r.id, name=r.name, role="resident",
                                         voting=True, present=here,
                                         checked_in_at=start - timedelta(minutes=20) if here else None))
            s.add(MeetingParticipant(meeting_id=meeting.id, name="物业项目经理", organisation="物业服务中心",
                                     role="observer", voting=False, present=held))
            if candidates:
                concern = candidates.pop()
                item = AgendaItem(meeting_id=meeting.id, position=1, title=concern.summary, source="concern",
                                  concern_id=concern.id, minutes="与会居民充分发表意见。" if held else "")
                s.add(item)
                s.flush()
                s.add(ConcernEvent(concern_id=concern.id, action="agenda", actor_id=clerk_ids[0],
                                   at=min(now, start - timedelta(days=4)), from_status=concern.status,
                                   to_status=concern.status, note=f"列入{topic}议题", meeting_id=meeting.id,
                                   deadline_before=concern.due_at, deadline_after=concern.due_at,
                                   data=json.dumps({"meeting": meeting.reference}, ensure_ascii=False)))
                if held and present >= 3:
                    # the outcome as the meeting type's rule decides it, for the counts recorded
                    outcome = decide(meeting_rules(ws)[mtype], len(members), present, present - 2, 1, 1).outcome.value
                    res = Resolution(meeting_id=meeting.id, agenda_item_id=item.id, text=f"同意{concern.summary}的处理方案",
                                     status=outcome)
                    s.add(res)
                    s.flush()
                    s.add(Vote(resolution_id=res.id, method="hands", votes_for=present - 2, votes_against=1,
                               votes_abstain=1, present_count=present, entitled_count=len(members),
                               outcome=outcome, recorded_at=start + timedelta(minutes=60), recorded_by=clerk_ids[0]))
    return len(plan)

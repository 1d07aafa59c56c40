"""Screens not built yet: they say so plainly and what they will do."""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import Static

from grassroots_tui.tui.widgets.footer import KeyBar
from grassroots_tui.tui.widgets.top_bar import TopBar

NOT_READY = "此功能尚未完成（计划中）"


@dataclass(frozen=True)
class Section:
    name: str  # stable id, also the binding id that opens it
    key: str  # the F-key
    title: str  # what the clerk sees
    short: str  # footer label
    tooltip: str  # one line: what the section is for
    plan: str  # what the screen will do


SECTIONS: dict[str, Section] = {
    s.name: s
    for s in (
        Section("new_concern", "f2", "登记诉求", "登记",
                "登记一件新诉求：居民、分类、紧急程度，自动计算时限",
                "受理来访、来电、网格巡查、12345 转办等渠道的诉求：按姓名、拼音首字母、手机尾号或"
                "“3-2-301”门牌简写查找居民，选择分类和紧急程度，程序按工作日历算出派单和反馈时限。"),
        Section("concerns", "f3", "诉求台账", "台账",
                "查找和筛选诉求，派单、签收、反馈、回访等办理操作",
                "按状态、分类、网格、承办单位和时限筛选全部诉求，逐页从数据库读取；派单、签收、退单、"
                "延期、挂账、反馈、回访、重新打开等操作都在这里完成，每一步记入办理记录。"),
        Section("meetings", "f4", "议事协商", "议事",
                "安排议事协商会议，记录表决和决议，跟踪议定事项",
                "安排议事协商会、民情恳谈会、联席会议等，提醒通知期不足和会场、主持人冲突；记录到会和表决，"
                "按会议类型判断是否通过；决议分解为议定事项，连同上会的诉求一起跟踪到办结。"),
        Section("residents", "f5", "居民台账", "居民",
                "登记和查找居民，证件号和手机号默认脱敏",
                "登记和查找居民，校验身份证号和手机号，默认脱敏显示，查看原文记入审计日志；"
                "记录网格、住户关系、关爱标签和下次走访日期。"),
        Section("statistics", "f6", "统计分析", "统计",
                "响应率、解决率、满意率等指标，按月份、分类、网格统计",
                "按月份、分类、网格、承办单位和来源统计响应率、解决率、满意率、按期办结率和综合得分，"
                "每个比率都给出分子和分母，分母为零时显示“无数据”。"),
    )
}


class PlannedScreen(Screen):
    """A section of the program that is planned but not built."""

    BINDINGS = [
        Binding("escape", "back", "返回", id="back", tooltip="回到工作台"),
    ]

    def __init__(self, section: Section) -> None:
        super().__init__(name=section.name, classes="section-screen")
        self.section = section

    def compose(self) -> ComposeResult:
        s = self.section
        yield TopBar(s.title)
        with VerticalScroll(id="planned"):
            yield Static(Text(s.title, style="bold"), id="planned-title")
            yield Static(Text(NOT_READY, style="bold"), id="planned-status")
            yield Static(Text("计划：" + s.plan), id="planned-plan")
            yield Static(Text("按 Esc 回到工作台，F1 查看全部按键，Ctrl+P 打开命令面板。"), id="planned-hint")
        yield KeyBar()

    def action_back(self) -> None:
        self.app.action_dashboard()

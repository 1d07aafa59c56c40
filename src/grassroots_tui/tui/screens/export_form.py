"""The one export dialog: format, file, masked or full, a progress bar while the worker writes.

Opened by the statistics (F6, a period) and by the ledger (F3, the marked concerns or the
current view). The target is checked before anything runs: the database or a folder is
refused beside the field; an existing file is replaced only when the clerk says so
(`ReplaceFileDialog`). The export itself (`services.exports`) masks, audits and writes.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, OptionList, ProgressBar, Static
from textual.widgets.option_list import Option

from grassroots_tui.services.errors import explain
from grassroots_tui.tui.widgets.text import printable

if TYPE_CHECKING:
    from grassroots_tui.domain.metrics import Period
    from grassroots_tui.services.ledger import LedgerQuery


def period_text(p: Period) -> str:
    return p.label if p.is_month else f"{p.start.isoformat()} 至 {p.end.isoformat()}"


def export_folder() -> Path:
    docs = Path.home() / "Documents"
    return docs if docs.is_dir() else Path.home()


def default_export_path(period: Period, fmt: str) -> Path:
    stamp = f"{period.start:%Y-%m}" if period.is_month else f"{period.start:%Y%m%d}-{period.end:%Y%m%d}"
    suffix = "xlsx" if fmt == "xlsx" else "csv" if fmt == "csv" else "json"
    name = f"诉求台账-{stamp}" + ("-open311" if fmt == "open311" else "")
    return export_folder() / f"{name}.{suffix}"


class ExportForm(ModalScreen[None]):
    """Format, file, masked or full; a progress bar while the worker writes."""

    BINDINGS = [
        Binding("ctrl+s", "start", "导出", id="export_start", tooltip="开始导出"),
        Binding("f8", "toggle_reveal", "脱敏", id="export_reveal",
                tooltip="切换脱敏/完整导出；完整导出会记入审计日志（谁、何时、导出了什么、多少行）"),
        Binding("escape", "close", "关闭", id="export_close", tooltip="关闭（导出进行中时等待完成）"),
    ]
    DEFAULT_CSS = """
    ExportForm { align: center middle; }
    #export-form { width: 76; max-width: 100%; height: auto; border: round $accent; background: $surface;
                   padding: 0 1; }
    #export-form OptionList { height: auto; max-height: 6; border: none; }
    #export-form Input { width: 100%; }
    #export-form .field-label { height: 1; }
    #export-path-error { height: auto; color: $error; }
    #export-reveal { height: auto; }
    #export-reveal.-full { color: $warning; text-style: bold; }
    #export-progress { height: 1; display: none; }
    #export-progress.-running { display: block; }
    #export-message { height: auto; }
    #export-message.-error { color: $error; }
    """

    def __init__(self, period: Period | None = None, *, query: LedgerQuery | None = None,
                 references: Sequence[str] | None = None, heading: str | None = None,
                 formats: Sequence[str] | None = None, default_path: Callable[[str], Path] | None = None) -> None:
        super().__init__(name="statistics_export" if query is None and references is None else "ledger_export")
        from grassroots_tui.services.exports import FORMAT_LABELS

        self.period = period
        self.selection: dict[str, Any] = {"period": period, "query": query,
                                          "references": list(references) if references is not None else None}
        self.labels = {code: FORMAT_LABELS[code] for code in (formats or FORMAT_LABELS)}
        self.fmt = next(iter(self.labels))
        self.heading = heading or (period_text(period) if period is not None else "")
        if default_path is None:
            assert period is not None, "a selection needs its own default file name"
            default_path = lambda fmt: default_export_path(period, fmt)  # noqa: E731
        self.default_path = default_path
        self.reveal = False
        self.running = False
        self.result = None

    def compose(self) -> ComposeResult:
        with Vertical(id="export-form"):
            yield Static(Text.assemble(("导出诉求台账  ", "bold"), self.heading))
            yield Static(Text("格式（上下键选择，Enter 确定）"), classes="field-label")
            yield OptionList(*[Option(Text(f"{i} {label}"), id=code)
                               for i, (code, label) in enumerate(self.labels.items(), 1)], id="export-format")
            yield Static(Text("保存到"), classes="field-label")
            yield Input(str(self.default_path(self.fmt)), id="export-path")
            yield Static(Text(""), id="export-path-error")
            yield Static(self._reveal_text(), id="export-reveal")
            yield ProgressBar(total=None, show_eta=False, id="export-progress")
            yield Static(Text("Ctrl+S 开始导出，F8 切换脱敏，Esc 关闭", style="dim"), id="export-message")

    def on_mount(self) -> None:
        self.query_one("#export-format", OptionList).focus()

    def _reveal_text(self) -> Text:
        if self.reveal:
            return Text("个人信息：完整导出（不脱敏），将记入审计日志。F8 改回脱敏")
        return Text("个人信息：已脱敏（姓名、电话、证件号）。F8 切换为完整导出")

    @on(OptionList.OptionHighlighted, "#export-format")
    def _format_highlighted(self, event: OptionList.OptionHighlighted) -> None:
        self._set_format(str(event.option.id))

    @on(OptionList.OptionSelected, "#export-format")
    def _format_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self._set_format(str(event.option.id))
        self.query_one("#export-path", Input).focus()

    def _set_format(self, fmt: str) -> None:
        path_input = self.query_one("#export-path", Input)
        old_default = str(self.default_path(self.fmt))
        self.fmt = fmt
        if path_input.value == old_default:
            path_input.value = str(self.default_path(fmt))

    @on(Input.Submitted, "#export-path")
    def _path_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.action_start()

    @on(Input.Changed, "#export-path")
    def _path_changed(self, event: Input.Changed) -> None:
        self._path_error("")

    def action_toggle_reveal(self) -> None:
        if self.running:
            return
        self.reveal = not self.reveal
        widget = self.query_one("#export-reveal", Static)
        widget.update(self._reveal_text())
        widget.set_class(self.reveal, "-full")

    def _message(self, text: str, error: bool = False) -> None:
        msg = self.query_one("#export-message", Static)
        msg.update(Text(printable(text)))
        msg.set_class(error, "-error")

    def _path_error(self, text: str) -> None:
        self.query_one("#export-path-error", Static).update(Text(printable(text)))

    def action_start(self) -> None:
        from grassroots_tui.domain.errors import DomainError
        from grassroots_tui.domain.validation import nfkc
        from grassroots_tui.services.exports import TargetExists, check_export_target

        ws = getattr(self.app, "ws", None)
        if self.running or ws is None:
            return
        raw = nfkc(self.query_one("#export-path", Input).value)
        if not raw:
            self._path_error("请填写保存的文件名。")
            return
        out = Path(raw).expanduser()
        try:
            check_export_target(ws, out)
        except TargetExists:
            from grassroots_tui.tui.screens.confirm import ReplaceFileDialog

            def answered(replace: bool | None) -> None:
                if replace:
                    self._begin(out, force=True)
                else:
                    self._path_error("已保留原有文件；请改一个文件名，或再按 Ctrl+S 并选择替换。")
                    self.query_one("#export-path", Input).focus()

            self.app.push_screen(ReplaceFileDialog(out), answered)
            return
        except DomainError as exc:
            self._path_error(exc.message)
            self.query_one("#export-path", Input).focus()
            return
        self._begin(out, force=False)

    def _begin(self, out: Path, force: bool) -> None:
        ws = getattr(self.app, "ws", None)
        if self.running or ws is None:
            return
        self.running = True
        self._path_error("")
        bar = self.query_one("#export-progress", ProgressBar)
        bar.update(total=None, progress=0)
        bar.add_class("-running")
        self._message("正在导出")
        clerk = getattr(self.app, "clerk", None)
        self._export(ws, self.fmt, out, self.reveal, clerk.id if clerk else None, force)

    @work(thread=True, exclusive=True, group="export")
    def _export(self, ws, fmt: str, out: Path, reveal: bool, actor_id: int | None,  # noqa: ANN001
                force: bool) -> None:
        from grassroots_tui.domain.errors import DomainError
        from grassroots_tui.services.exports import export_concerns

        def progress(done: int, total: int) -> None:
            self.app.call_from_thread(self._progress, done, total)

        try:
            result = export_concerns(ws, fmt, out, reveal=reveal, actor_id=actor_id, force=force, progress=progress,
                                     **self.selection)
        except DomainError as exc:
            self.app.call_from_thread(self._finished, None, exc.message, exc.field == "out")
        except Exception as exc:  # noqa: BLE001 - shown to the clerk, logged for us
            self.log.error("export failed", exc)
            self.app.call_from_thread(self._finished, None, explain(exc, "导出"))
        else:
            self.app.call_from_thread(self._finished, result, "")

    def _progress(self, done: int, total: int) -> None:
        self.query_one("#export-progress", ProgressBar).update(total=max(total, 1), progress=done)

    def _finished(self, result, error: str, about_path: bool = False) -> None:  # noqa: ANN001
        self.running = False
        self.result = result
        if result is None:
            self.query_one("#export-progress", ProgressBar).remove_class("-running")
            if about_path:
                self._path_error(error)
                self._message("")
            else:
                self._message(error, error=True)
            return
        self.query_one("#export-progress", ProgressBar).update(total=max(result.rows, 1), progress=max(result.rows, 1))
        masked = "未脱敏，已记入审计日志" if result.revealed else "个人信息已脱敏"
        self._message(f"已导出 {result.rows} 件诉求到 {result.path}（{masked}）。Esc 关闭")

    def action_close(self) -> None:
        if not self.running:
            self.dismiss(None)


__all__ = ["ExportForm", "default_export_path", "export_folder", "period_text"]

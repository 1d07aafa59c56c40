"""Import residents from the register screen: a file name, a progress bar, and the report.

The import runs in a thread worker; a file with any bad row changes nothing and the clerk
reads the row-by-row list here. Dismisses with the number of residents imported.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Input, ProgressBar, Static

from grassroots_tui.services.errors import explain
from grassroots_tui.tui.widgets.text import printable, safe

if TYPE_CHECKING:
    from grassroots_tui.io.residents_import import ImportReport

MAX_LISTED = 500


def report_text(report: ImportReport) -> Text:
    text = Text(report.summary(), style="bold green" if report.ok else "bold red")
    if report.ignored_columns:
        text.append("\n未识别、已跳过的列：")
        text.append("、".join(report.ignored_columns))
    for e in report.errors[:MAX_LISTED]:
        text.append(f"\n第 {e.row} 行")
        if e.column:
            text.append("「")
            text.append(e.column)
            text.append("」")
        text.append("：")
        if e.duplicate:
            text.append("[重复] ", style="yellow")
        text.append(e.message)
    if len(report.errors) > MAX_LISTED:
        text.append(f"\n另有 {len(report.errors) - MAX_LISTED} 处，请用命令 grassroots resident import 查看全部。")
    return safe(text)


class ImportDialog(ModalScreen[int]):
    BINDINGS = [Binding("escape", "close", "关闭", id="import_close", tooltip="关闭导入窗口")]
    DEFAULT_CSS = """
    ImportDialog { align: center middle; }
    ImportDialog > Vertical { width: 90%; max-width: 100; height: 80%; border: round $accent;
                               background: $panel; padding: 0 1; }
    ImportDialog Input { border: none; }
    ImportDialog #import-hint { color: $text-muted; }
    ImportDialog ProgressBar { display: none; }
    ImportDialog.-running ProgressBar { display: block; }
    ImportDialog #import-report { height: 1fr; }
    """

    def __init__(self) -> None:
        super().__init__()
        self.imported = 0
        self.running = False
        self.report: ImportReport | None = None

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(Text("从表格导入居民", style="bold"))
            yield Input(placeholder="文件路径：CSV 或 XLSX，Enter 开始", id="import-path", compact=True)
            yield Static(Text("表头用中文即可（姓名、性别、身份证号、手机、地址或楼栋/单元/室、网格、标签）；"
                              "有任何一行出错则整个文件不导入。模板：grassroots resident template --out 模板.xlsx"),
                         id="import-hint")
            yield ProgressBar(total=100, show_eta=False, id="import-progress")
            with VerticalScroll(id="import-report"):
                yield Static("", id="import-report-text", markup=False)

    def on_mount(self) -> None:
        self.query_one("#import-path", Input).focus()

    @on(Input.Submitted, "#import-path")
    def _start(self, event: Input.Submitted) -> None:
        event.stop()
        raw = event.value.strip().strip('"').strip("'")
        if not raw or self.running:
            return
        self.running = True
        self.add_class("-running")
        self.query_one(ProgressBar).update(total=100, progress=0)
        self.query_one("#import-report-text", Static).update(Text("正在检查……"))
        self._run(self.app.ws, self.app.clerk.id, Path(raw).expanduser())

    @work(thread=True, exclusive=True, group="resident-import", exit_on_error=False)
    def _run(self, ws, actor_id: int, path: Path) -> None:  # noqa: ANN001
        from grassroots_tui.domain.errors import DomainError
        from grassroots_tui.services.residents import import_residents

        def progress(done: int, total: int) -> None:
            self.app.call_from_thread(self.query_one(ProgressBar).update, total=max(total, 1), progress=done)

        try:
            report = import_residents(ws, actor_id, path, progress=progress)
        except DomainError as exc:
            self.app.call_from_thread(self._done, None, exc.message)
        except Exception as exc:  # noqa: BLE001
            self.log.error("import failed", exc)
            self.app.call_from_thread(self._done, None, explain(exc, "导入"))
        else:
            self.app.call_from_thread(self._done, report, "")

    def _done(self, report: ImportReport | None, message: str) -> None:
        self.running = False
        self.report = report
        out = self.query_one("#import-report-text", Static)
        if report is None:
            self.remove_class("-running")
            out.update(Text(printable(message), style="bold red"))
            return
        self.imported += report.imported
        bar = self.query_one(ProgressBar)
        bar.update(total=bar.total or 100, progress=bar.total or 100)
        out.update(report_text(report))

    def action_close(self) -> None:
        self.dismiss(self.imported)

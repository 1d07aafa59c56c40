"""Asking before a file the clerk named replaces one that is already there."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import ModalScreen, Screen
from textual.widgets import Static

from grassroots_tui.domain.errors import DomainError
from grassroots_tui.tui.widgets.text import printable


class QuestionDialog(ModalScreen[bool]):
    """A short yes/no question; subclasses give the keys (BINDINGS calling `choose`) and the text."""

    DEFAULT_CSS = """
    QuestionDialog { align: center middle; }
    QuestionDialog > Static { width: 60; height: auto; padding: 1 2; border: round $warning; background: $panel; }
    """

    def question(self) -> Text:  # pragma: no cover - abstract
        raise NotImplementedError

    def compose(self) -> ComposeResult:
        yield Static(self.question(), id="question")

    def action_choose(self, answer: bool) -> None:
        self.dismiss(answer)


class ReplaceFileDialog(QuestionDialog):
    """`path` exists: 1 replaces it; Esc, 2 or Enter keeps it (the safe answer is the default)."""

    BINDINGS = [
        Binding("1", "choose(True)", "替换", id="replace_yes", tooltip="用新文件替换已有的文件"),
        Binding("escape,2,enter", "choose(False)", "取消", id="replace_no", tooltip="保留已有的文件，另选文件名"),
    ]

    def __init__(self, path: Path | str) -> None:
        super().__init__()
        self.path = Path(path)

    def question(self) -> Text:
        return Text.assemble(("文件已存在：\n", "bold"), printable(str(self.path)), "\n\n",
                             "按 1 替换它；\n", "按 Esc（或 2、Enter）取消，另选文件名。")


def ask_before_writing(screen: Screen, path: Path | str, *, protected: Iterable[Path],
                       write: Callable[[Path, bool], None],
                       refused: Callable[[DomainError], None] | None = None) -> None:
    """Check `path` (`safe_file.check_target`), ask before replacing a file, then `write(path, force)`.

    A database target (the open one, its -wal/-shm, any SQLite file), a folder or a missing
    folder is refused: `refused(error)` shows the sentence beside the field (default: a
    notification). An existing ordinary file asks `ReplaceFileDialog`; only its 1 calls
    `write(path, True)`, the other answers keep the file and say so. `write` should start a
    worker and check the target again with `force` (the folder may have changed meanwhile).
    """
    from grassroots_tui.io.safe_file import TargetExists, check_target

    protected = list(protected)

    def show(error: DomainError) -> None:
        if refused is not None:
            refused(error)
        else:
            screen.notify(error.message, severity="error", markup=False)

    try:
        target = check_target(path, protected=protected)
    except TargetExists:
        target = Path(path).expanduser()

        def answered(replace: bool | None) -> None:
            if replace:
                write(target, True)
            else:
                screen.notify(f"已保留原有文件 {target}，未写入新文件。", markup=False)

        screen.app.push_screen(ReplaceFileDialog(target), answered)
        return
    except DomainError as exc:
        show(exc)
        return
    write(target, False)


def papers_folder(screen: Screen) -> Path | None:
    """The folder papers and calendars are written to (created if missing), or None after saying why."""
    from grassroots_tui.config import user_data_dir

    folder = user_data_dir() / "papers"
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        screen.notify(f"无法创建文件夹 {folder}：{exc.strerror or '系统错误'}", severity="error", markup=False)
        return None
    return folder

"""The Textual app: opens straight on the dashboard, the database is opened in a worker.

Nothing the first frame needs imports SQLModel, SQLAlchemy, Alembic or the services:
`Workspace.open` (migrations, backup, seeding) and every query run in worker threads
and post their results back to the UI thread.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import ExitStack
from datetime import datetime
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

from rich.text import Text
from textual import work
from textual.app import App
from textual.binding import Binding
from textual.command import CommandPalette, DiscoveryHit, Hit, Hits, Provider
from textual.reactive import reactive
from textual.screen import Screen
from textual.worker import Worker, WorkerState

from grassroots_tui.domain.text import printable, printable_line
from grassroots_tui.tui.screens.dashboard import DashboardScreen
from grassroots_tui.tui.screens.help import HelpScreen, help_rows
from grassroots_tui.tui.screens.planned import SECTIONS, PlannedScreen


def _explain(exc: BaseException, doing: str) -> str:
    """services.errors.explain, imported when first needed (the app starts without the services)."""
    from grassroots_tui.services.errors import explain

    return explain(exc, doing)


if TYPE_CHECKING:
    from textual.notifications import SeverityLevel

    from grassroots_tui.services.clerks import ClerkView
    from grassroots_tui.services.workspace import Workspace

Clock = Callable[[], datetime]


class PaletteCommand(NamedTuple):
    title: str
    help: str
    callback: Callable[[], object]
    alias: str  # pinyin initials, so the palette works with the IME switched off too


class GrassrootsCommands(Provider):
    """Ctrl+P: every screen, switching clerk, refreshing and quitting, in Chinese."""

    async def discover(self) -> Hits:
        for command in self.app.palette_commands():  # type: ignore[attr-defined]
            yield DiscoveryHit(command.title, command.callback, help=command.help)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for command in self.app.palette_commands():  # type: ignore[attr-defined]
            score = matcher.match(command.title)
            display = matcher.highlight(command.title)
            alias_score = matcher.match(command.alias)
            if alias_score > score:
                score, display = alias_score, Text(command.title)
            if score > 0:
                yield Hit(score, display, command.callback, help=command.help)


def _section_binding(name: str) -> Binding:
    s = SECTIONS[name]
    return Binding(s.key, f"open_section('{name}')", s.short, id=name, tooltip=f"{s.title}：{s.tooltip}")


class GrassrootsApp(App[None]):
    """社区工作台."""

    CSS_PATH = "app.tcss"
    TITLE = "社区工作台"
    COMMANDS = {GrassrootsCommands}
    COMMAND_PALETTE_DISPLAY = "^P"

    BINDINGS = [
        Binding("f1", "help", "帮助", id="help", tooltip="列出当前屏幕可用的按键和说明"),
        _section_binding("new_concern"),
        _section_binding("concerns"),
        _section_binding("meetings"),
        _section_binding("residents"),
        _section_binding("statistics"),
        Binding("ctrl+p", "command_palette", "命令", id="command_palette", show=False, priority=True,
                tooltip="命令面板：输入命令名或拼音首字母"),
        Binding("ctrl+q", "quit", "退出", id="quit", priority=True, tooltip="退出程序"),
    ]

    # Watched by every screen's TopBar.
    clerk_name: reactive[str] = reactive("")
    today_label: reactive[str] = reactive("")
    committee_name: reactive[str] = reactive("")
    # Set when the database cannot be opened; the dashboard shows it instead of the figures.
    workspace_error: reactive[str] = reactive("")

    def __init__(self, db_path: Path | str, clerk: str | None = None, clock: Clock | None = None) -> None:
        super().__init__()
        from grassroots_tui.config import is_server_url

        # A file, or a server's address (config.resolve_db_path), which is not a file name.
        self.db_path: Path | str = db_path if is_server_url(db_path) else Path(db_path)
        self.requested_clerk = clerk
        self.clock = clock
        self.ws: Workspace | None = None
        self.clerk: ClerkView | None = None
        self._waits = ExitStack()  # the busy-database announcement, while the app runs

    def notify(self, message: str, *, title: str = "", severity: SeverityLevel = "information",
               timeout: float | None = None, markup: bool = True) -> None:
        """Every notification (screens and widgets call this one) shows control characters as symbols."""
        super().notify(printable(message), title=printable_line(title), severity=severity, timeout=timeout,
                       markup=markup)

    # ------------------------------------------------------------------ start-up

    def get_default_screen(self) -> Screen:
        # The dashboard is the first screen itself (no switch, no extra frame).
        return DashboardScreen()

    def on_mount(self) -> None:
        # After the first frame: importing the services and migrating is CPU work that
        # would otherwise compete with the first paint for the GIL.
        self.call_after_refresh(self._open_workspace)

    @work(thread=True, exclusive=True, group="workspace", exit_on_error=False)
    def _open_workspace(self) -> None:
        from grassroots_tui.domain.errors import DomainError
        from grassroots_tui.services.clerks import current_clerk, remember_clerk
        from grassroots_tui.services.errors import explain
        from grassroots_tui.services.workspace import Workspace

        try:
            ws = Workspace.open(self.db_path, clock=self.clock)
        except DomainError as exc:
            self.call_from_thread(self._workspace_failed, exc.message)
            return
        except Exception as exc:  # noqa: BLE001 - the clerk sees a sentence, we keep the log
            self.log.error("opening the workspace failed", exc)
            self.call_from_thread(self._workspace_failed, explain(exc, f"打开数据库 {self.db_path} "))
            return
        warning = ""
        try:
            try:
                clerk = current_clerk(ws, self.requested_clerk)
            except DomainError as exc:
                if not self.requested_clerk:
                    raise
                warning = exc.message
                clerk = current_clerk(ws)
            remember_clerk(ws, clerk)
        except DomainError as exc:
            ws.close()
            self.call_from_thread(self._workspace_failed, exc.message)
            return
        self.call_from_thread(self._workspace_opened, ws, clerk, warning)

    def _workspace_opened(self, ws: Workspace, clerk: ClerkView, warning: str) -> None:
        from grassroots_tui.services.errors import announce_waits

        self._waits.enter_context(announce_waits(self._show_wait))
        self.ws = ws
        self.committee_name = ws.settings.committee_name
        self._set_clerk(clerk)
        if warning:
            self.notify(warning, severity="warning", markup=False)
        if ws.backup_path is not None:
            self.notify(f"数据库已升级，升级前的副本：{ws.backup_path}", markup=False)
        self.refresh_bindings()
        for screen in self.screen_stack:
            if isinstance(screen, DashboardScreen):
                screen.reload()

    def _show_wait(self, sentence: str) -> None:
        """A save (in a worker) waits for another clerk's write lock: say so while it waits."""
        def show() -> None:
            self.notify(sentence, title="请稍候", severity="warning", timeout=10, markup=False)

        try:
            self.call_from_thread(show)
        except RuntimeError:  # on the UI thread itself, or the app is closing
            show()

    def _workspace_failed(self, message: str) -> None:
        self.workspace_error = message

    def _set_clerk(self, clerk: ClerkView) -> None:
        self.clerk = clerk
        self.clerk_name = clerk.name
        self.sub_title = f"工作人员：{clerk.name}"

    def on_app_focus(self) -> None:
        # Back from another window: someone else may have changed the figures.
        if isinstance(self.screen, DashboardScreen):
            self.screen.reload()

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        """An app worker that failed without saying why: one sentence for the clerk, the trace for the log.

        The sentence comes from the mapping the command line uses (services.errors).
        """
        if event.state is not WorkerState.ERROR or event.worker.error is None:
            return
        from grassroots_tui.services.errors import explain

        self.log.error(f"worker {event.worker.name} failed", event.worker.error)
        self.notify(explain(event.worker.error, "后台操作"), severity="error", markup=False)

    def _handle_exception(self, error: Exception) -> None:
        """An exception nothing handled ends the app (Textual's rule): the clerk reads one sentence
        saying where the log is, the traceback goes to the log (services.errors), not to the terminal."""
        try:
            from grassroots_tui.services.errors import explain

            sentence = explain(error, "程序运行")
        except Exception:  # noqa: BLE001 - the services cannot even load: Textual's own report
            super()._handle_exception(error)
            return
        self._return_code = 1
        if self._exception is None:  # what Textual does, so Pilot re-raises it in tests
            self._exception = error
            self._exception_event.set()
        self.panic(Text(printable(sentence)))

    def on_unmount(self) -> None:
        self._waits.close()
        if self.ws is not None:
            # The daily safety copy (one file a day, rotated); it never raises.
            from grassroots_tui.services.backup import auto_backup

            auto_backup(self.ws)
            self.ws.close()

    # ------------------------------------------------------------------ navigation

    @property
    def dashboard(self) -> DashboardScreen:
        return next(s for s in self.screen_stack if isinstance(s, DashboardScreen))

    def _show(self, screen: Screen) -> None:
        """Open a section: over the dashboard, or in place of another section."""
        if "section-screen" in self.screen.classes:
            self.switch_screen(screen)
        else:
            self.push_screen(screen)

    def action_open_section(self, name: str) -> None:
        """F2-F6: the section's screen, or the planned-screen notice while it is not built."""
        if self.screen.name == name:
            return
        from grassroots_tui.tui.sections import section_screen_class

        try:
            screen_class = section_screen_class(name)
            screen = screen_class() if screen_class is not None else PlannedScreen(SECTIONS[name])
        except Exception as exc:  # noqa: BLE001 - a broken screen must not take the app down
            self.log.error(f"section {name} failed to load", exc)
            self.notify(_explain(exc, f"打开{SECTIONS[name].title}"), severity="error", markup=False)
            return
        self._show(screen)

    def action_dashboard(self) -> None:
        while len(self.screen_stack) > 1 and not isinstance(self.screen, DashboardScreen):
            self.pop_screen()

    def action_help(self) -> None:
        current = self.screen
        if isinstance(current, HelpScreen):
            self.pop_screen()
            return
        origin = "工作台" if isinstance(current, DashboardScreen) else getattr(
            getattr(current, "section", None), "title", "当前屏幕")
        self._show(HelpScreen(help_rows(current.active_bindings), origin))

    def action_help_quit(self) -> None:
        # Ctrl+C: Textual's own hint is in English.
        self.notify("按 Ctrl+Q 退出程序。", markup=False)

    def action_command_palette(self) -> None:
        if self.use_command_palette and not CommandPalette.is_open(self):
            self.push_screen(CommandPalette(placeholder="输入命令，或拼音首字母（如 qh 切换工作人员）",
                                            id="--command-palette"))

    def palette_commands(self) -> Iterator[PaletteCommand]:
        yield PaletteCommand("切换工作人员", "选择当前登记和办理的工作人员（F9）", self.action_switch_clerk, "qhgzry")
        yield PaletteCommand("工作台", "回到工作台", self.action_dashboard, "gzt")
        for s in SECTIONS.values():
            yield PaletteCommand(s.title, f"{s.tooltip}（{s.key.upper()}）",
                                 partial(self.action_open_section, s.name), _ALIASES.get(s.name, ""))
        yield PaletteCommand("刷新工作台", "重新读取工作台的数字和清单（Ctrl+R）", self._refresh_dashboard, "sxgzt")
        yield PaletteCommand("帮助", "列出当前屏幕可用的按键（F1）", self.action_help, "bz")
        yield PaletteCommand("退出", "退出程序（Ctrl+Q）", self.exit, "tc")

    def get_key_display(self, binding: Binding) -> str:
        """`F1`, `^Q`, `Esc`: upper case, as printed on the keyboard."""
        if binding.key_display:
            return binding.key_display
        *mods, key = binding.key.split("+")
        key = {"escape": "Esc", "enter": "Enter"}.get(key, key.upper())
        return ("^" if mods == ["ctrl"] else "+".join(m.capitalize() for m in mods) + ("+" if mods else "")) + key

    def _refresh_dashboard(self) -> None:
        self.action_dashboard()
        self.dashboard.reload(announce=True)

    # ------------------------------------------------------------------ clerk

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "switch_clerk":
            return True if self.ws is not None else None
        return True

    def action_switch_clerk(self) -> None:
        if self.ws is None:
            self.notify("数据库尚未打开，暂时不能切换工作人员。", severity="warning", markup=False)
            return
        self._list_clerks(self.ws)

    @work(thread=True, exclusive=True, group="clerks", exit_on_error=False)
    def _list_clerks(self, ws: Workspace) -> None:
        from grassroots_tui.services.clerks import list_clerks

        try:
            clerks = list_clerks(ws)
        except Exception as exc:  # noqa: BLE001
            self.call_from_thread(self.notify, _explain(exc, "读取工作人员名单"), severity="error", markup=False)
            return
        self.call_from_thread(self._pick_clerk, clerks)

    def _pick_clerk(self, clerks: list[ClerkView]) -> None:
        from grassroots_tui.tui.screens.clerk_picker import ClerkPicker

        if isinstance(self.screen, ClerkPicker):
            return
        current = self.clerk.id if self.clerk else None
        self.push_screen(ClerkPicker(clerks, current), self._clerk_chosen)

    def _clerk_chosen(self, clerk: ClerkView | None) -> None:
        if clerk is None or self.ws is None:
            return
        self._set_clerk(clerk)
        self._remember_clerk(self.ws, clerk)
        self.notify(f"当前工作人员：{clerk.name}", markup=False)

    @work(thread=True, group="remember", exit_on_error=False)
    def _remember_clerk(self, ws: Workspace, clerk: ClerkView) -> None:
        from grassroots_tui.services.clerks import remember_clerk

        try:
            remember_clerk(ws, clerk)
        except OSError as exc:
            self.call_from_thread(self.notify, _explain(exc, "记住工作人员"), severity="warning", markup=False)


_ALIASES = {"new_concern": "djsq", "concerns": "sqtz", "meetings": "ysxs", "residents": "jmtz",
            "statistics": "tjfx"}


def run_app(db_path: Path | str, clerk: str | None = None) -> None:
    """Entry point for `grassroots` (the CLI imports this lazily)."""
    GrassrootsApp(db_path, clerk).run()

"""Type-ahead resident lookup: find a resident while they talk, Enter takes the best match.

Usage (intake, meeting participants, anything that needs "which resident?")::

    yield ResidentLookup(id="resident", allow_new=True, allow_anonymous=True)

    @on(ResidentLookup.Chosen)
    def _chosen(self, event: ResidentLookup.Chosen) -> None:
        event.resident   # ResidentView, or None
        event.kind       # "resident" · "new" (register `event.query` as a new resident) · "anonymous"
        event.query      # what the clerk had typed

What the clerk types: a name (`张三`), full pinyin (`zhangsanfeng`), pinyin initials (`zsf`),
the last digits of a phone (`5678`) or the address shorthand (`3-2-301`); full-width digits are
fine. The query runs in a thread worker after a short debounce (`DEBOUNCE` seconds), through
`services.residents.search_residents` on `self.app.ws` (pass `search=` to use another function
with the same signature `(ws, text, limit) -> list[ResidentView]`). The best match is highlighted
as soon as the results arrive; Up/Down pick another; Enter takes the highlighted one and posts
`Chosen`. Enter pressed before the results of the last keystroke arrived is kept and served when
they arrive, so a fast typist always gets the match for everything they typed.

The widget is an Input (it takes focus) over a suggestion list that shows only while there is
something to suggest. Names, phones and addresses are shown masked (the lookup never reveals an
ID number or a full phone) and as plain `Text`: a name like `[red]x` shows literally.
`set_resident(view)` fills the widget from code (editing a form with a chosen resident);
`clear()` empties it. `resident` is the resident currently chosen (None when nothing is, or
after the clerk edits the text again).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from rich.text import Text
from textual import on, work
from textual.message import Message
from textual.timer import Timer
from textual.widgets import Input, OptionList
from textual.widgets.option_list import Option

from grassroots_tui.tui.widgets.suggestion_input import SuggestionInput
from grassroots_tui.tui.widgets.text import safe

if TYPE_CHECKING:
    from grassroots_tui.services.residents import ResidentView

DEBOUNCE = 0.06  # seconds of quiet typing before the query runs
LIMIT = 8  # suggestions shown

NEW_ID = "--new"
ANONYMOUS_ID = "--anonymous"


def resident_label(r: ResidentView) -> Text:
    """`张三丰 男 138****5678 幸福里 3-2-301` as plain Text (user data never parsed as markup)."""
    label = Text(r.name, style="bold", no_wrap=True, overflow="crop")
    if r.sex:
        label.append(f" {r.sex}")
    if r.phone_masked:
        label.append(f"  {r.phone_masked}")
    place = " ".join(p for p in (r.estate, r.address) if p)
    if place:
        label.append("  ")
        label.append(place, style="dim")
    return safe(label)


class ResidentLookup(SuggestionInput):
    """Input + suggestions; posts `ResidentLookup.Chosen`."""

    PREFIX = "lookup"

    def action_close_list(self) -> None:
        self._taken_for = self.input.value  # an answer still on its way must not reopen it
        super().action_close_list()

    class Chosen(Message):
        """The clerk took a suggestion with Enter (or a click)."""

        def __init__(self, lookup: ResidentLookup, resident: ResidentView | None, kind: str, query: str) -> None:
            super().__init__()
            self.lookup = lookup
            self.resident = resident
            self.kind = kind  # "resident" · "new" · "anonymous"
            self.query = query

        @property
        def control(self) -> ResidentLookup:
            return self.lookup

    def __init__(self, *, placeholder: str = "姓名、拼音、手机尾号或 3-2-301",
                 allow_new: bool = False, allow_anonymous: bool = False,
                 search: Callable[[Any, str, int], list[ResidentView]] | None = None,
                 limit: int = LIMIT, id: str | None = None, classes: str | None = None) -> None:  # noqa: A002
        super().__init__(placeholder=placeholder, id=id, classes=classes)
        self.allow_new = allow_new
        self.allow_anonymous = allow_anonymous
        self._search = search
        self.limit = limit
        self.resident: ResidentView | None = None
        self.results: list[ResidentView] = []
        self.results_for: str | None = None  # the query the shown results answer
        self.searches = 0  # completed searches (tests, benchmark)
        self._timer: Timer | None = None
        self._enter_pending = False
        self._set_value: str | None = None
        self._taken_for: str | None = None

    @property
    def value(self) -> str:
        return self.input.value

    # ------------------------------------------------------------------ typing

    @on(Input.Changed, "#lookup-input")
    def _changed(self, event: Input.Changed) -> None:
        event.stop()
        if self._set_value is not None and event.value == self._set_value:
            self._set_value = None  # our own set_resident(), not the clerk typing
            return
        self._set_value = None
        self._taken_for = None
        self.resident = None
        self._enter_pending = False
        if self._timer is not None:
            self._timer.stop()
        if not event.value.strip():
            self.results, self.results_for = [], ""
            self._show_options()
            return
        self._timer = self.set_timer(DEBOUNCE, self._start_search)

    def _start_search(self) -> None:
        ws = getattr(self.app, "ws", None)
        if ws is None:  # the database is still opening: ask again in a moment
            self._timer = self.set_timer(0.2, self._start_search)
            return
        self._run_search(ws, self.input.value)

    @work(thread=True, exclusive=True, group="resident-lookup", exit_on_error=False)
    def _run_search(self, ws: Any, text: str) -> None:
        search = self._search
        if search is None:
            from functools import partial

            from grassroots_tui.services.residents import lookup_residents

            clerk = getattr(self.app, "clerk", None)  # a lookup by full ID number is audited: who asked
            search = partial(lookup_residents, actor_id=clerk.id if clerk is not None else None)
        try:
            rows = search(ws, text, self.limit)
        except Exception as exc:  # noqa: BLE001 - a lookup failure is a notice, not a crash
            self.log.error("resident lookup failed", exc)
            rows = []
        self.app.call_from_thread(self._results, text, rows)

    def _results(self, text: str, rows: list[ResidentView]) -> None:
        if text != self.input.value:
            return  # an older keystroke's answer; the newer one is on its way
        self.results, self.results_for = rows, text
        self.searches += 1
        self._show_options()
        if self._enter_pending:
            self._enter_pending = False
            self._take()

    def _show_options(self) -> None:
        width = self.list_width()
        options: list[Option] = []
        for r in self.results:
            label = resident_label(r)
            label.truncate(width, overflow="crop")  # one line each: the option list would wrap
            options.append(Option(label, id=str(r.id)))
        query = self.input.value.strip()
        if query and self.allow_new:
            options.append(Option(Text.assemble(("新建居民：", "bold"), query), id=NEW_ID))
        if query and self.allow_anonymous:
            options.append(Option(Text("匿名登记（不关联居民）"), id=ANONYMOUS_ID))
        if query and not self.results and not options:
            options.append(Option(Text("没有找到匹配的居民", style="dim"), id="--none", disabled=True))
        ol = self.options
        ol.set_options(options)
        if options and not options[0].disabled:
            ol.highlighted = 0
        chosen = self.resident is not None or self._taken_for == self.input.value
        self.set_class(bool(options) and not chosen, "-open")

    # ------------------------------------------------------------------ choosing

    @on(Input.Submitted, "#lookup-input")
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        if not event.value.strip():
            return
        if self.resident is not None:
            self.post_message(self.Chosen(self, self.resident, "resident", event.value))
            return
        if self.results_for != event.value:
            self._enter_pending = True  # served when the answer to this query arrives
            if self._timer is not None:
                self._timer.stop()
            self._start_search()
            return
        self._take()

    @on(OptionList.OptionSelected, "#lookup-options")
    def _clicked(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self._take()

    def _take(self) -> None:
        ol = self.options
        index = ol.highlighted
        if index is None or ol.option_count == 0:
            return
        option = ol.get_option_at_index(index)
        query = self.input.value.strip()
        self._taken_for = self.input.value  # keep the list closed until the text changes
        if option.id == NEW_ID:
            self.set_class(False, "-open")
            self.post_message(self.Chosen(self, None, "new", query))
        elif option.id == ANONYMOUS_ID:
            self.set_class(False, "-open")
            self.post_message(self.Chosen(self, None, "anonymous", query))
        elif option.id and not option.disabled:
            chosen = next(r for r in self.results if str(r.id) == option.id)
            self.set_resident(chosen)
            self.post_message(self.Chosen(self, chosen, "resident", query))

    # ------------------------------------------------------------------ from code

    def set_resident(self, resident: ResidentView | None, text: str | None = None) -> None:
        """Show `resident` as chosen (its name in the input), without searching."""
        self.resident = resident
        value = text if text is not None else (resident.name if resident else "")
        if value != self.input.value:
            self._set_value = value
            self.input.value = value
        self.input.cursor_position = len(value)
        self.set_class(False, "-open")

    def clear(self) -> None:
        self.set_resident(None, "")
        self.results, self.results_for = [], ""
        self.options.clear_options()

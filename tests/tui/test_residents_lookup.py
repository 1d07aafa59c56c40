"""The type-ahead resident lookup: a clerk types a few characters and Enter takes the best match."""

from __future__ import annotations

from textual.app import App, ComposeResult

from conftest import wait_for


class LookupApp(App):
    def __init__(self, ws, **kw) -> None:  # noqa: ANN001, ANN003
        super().__init__()
        self.ws = ws
        self.kw = kw
        self.chosen: list = []

    def compose(self) -> ComposeResult:
        from grassroots_tui.tui.widgets.resident_lookup import ResidentLookup

        yield ResidentLookup(id="lookup", **self.kw)

    def on_mount(self) -> None:
        self.query_one("#lookup").focus()

    def on_resident_lookup_chosen(self, event) -> None:  # noqa: ANN001
        self.chosen.append((event.kind, event.resident.name if event.resident else None, event.query))


def _residents(ws, clerk_id) -> None:  # noqa: ANN001
    from grassroots_tui.services.residents import ResidentDraft, add_resident

    add_resident(ws, clerk_id, ResidentDraft(name="张三丰", phone="13812345678", address="3-2-301", estate="幸福里"))
    add_resident(ws, clerk_id, ResidentDraft(name="张三", phone="13900001111", address="5-1-101"))
    add_resident(ws, clerk_id, ResidentDraft(name="李四", phone="13700005678", address="3-2-302"))
    add_resident(ws, clerk_id, ResidentDraft(name="[red]王五[/red]", phone="13600002222"))


async def test_initials_then_enter_takes_the_best_match(ws, clerk_id) -> None:  # noqa: ANN001
    _residents(ws, clerk_id)
    app = LookupApp(ws)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press(*"zsf", "enter")  # Enter before the results arrived: served when they do
        await wait_for(pilot, lambda: app.chosen)
        assert app.chosen == [("resident", "张三丰", "zsf")]


async def test_arrows_pick_another_and_each_kind_of_query_finds(ws, clerk_id) -> None:  # noqa: ANN001
    _residents(ws, clerk_id)
    app = LookupApp(ws, allow_new=True, allow_anonymous=True)
    async with app.run_test(size=(80, 24)) as pilot:
        lookup = app.query_one("#lookup")
        for query, expected in (("5678", {"张三丰", "李四"}), ("3-2-301", {"张三丰"}),
                                ("zhangsan", {"张三丰", "张三"}), ("张三", {"张三", "张三丰"})):
            lookup.clear()
            await pilot.press(*query)
            await wait_for(pilot, lambda q=query: lookup.results_for == q)
            assert {r.name for r in lookup.results} == expected
        # "张三" exactly ranks first; Down takes the next one.
        await pilot.press("down", "enter")
        await wait_for(pilot, lambda: app.chosen)
        assert app.chosen[-1] == ("resident", "张三丰", "张三")


async def test_unknown_name_offers_new_and_anonymous(ws, clerk_id) -> None:  # noqa: ANN001
    _residents(ws, clerk_id)
    app = LookupApp(ws, allow_new=True, allow_anonymous=True)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press(*"赵六", "enter")
        await wait_for(pilot, lambda: app.chosen)
        assert app.chosen == [("new", None, "赵六")]
        lookup = app.query_one("#lookup")
        lookup.clear()
        await pilot.press(*"赵六")
        await wait_for(pilot, lambda: lookup.results_for == "赵六")
        await pilot.press("down", "enter")
        await wait_for(pilot, lambda: len(app.chosen) == 2)
        assert app.chosen[-1] == ("anonymous", None, "赵六")


async def test_markup_in_a_name_shows_literally(ws, clerk_id) -> None:  # noqa: ANN001
    from conftest import screen_text

    _residents(ws, clerk_id)
    app = LookupApp(ws)
    async with app.run_test(size=(80, 24)) as pilot:
        lookup = app.query_one("#lookup")
        await pilot.press(*"2222")
        await wait_for(pilot, lambda: lookup.results_for == "2222")
        await pilot.pause()
        assert "[red]王五[/red]" in screen_text(app)

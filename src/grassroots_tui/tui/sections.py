"""Which screen class serves each section of the program (F2-F6).

A section whose module is not written yet falls back to the planned-screen notice.
Screen classes are imported on first use so the first frame never pays for them.
Every section screen is constructed with no arguments, carries the CSS class
`section-screen`, and reaches the database through `self.app.ws` (None until the
workspace has opened) and the acting clerk through `self.app.clerk`.
"""

from __future__ import annotations

import importlib

SECTION_SCREENS: dict[str, str] = {
    "new_concern": "grassroots_tui.tui.screens.intake:IntakeScreen",
    "concerns": "grassroots_tui.tui.screens.ledger:LedgerScreen",
    "meetings": "grassroots_tui.tui.screens.meetings:MeetingsScreen",
    "residents": "grassroots_tui.tui.screens.residents:ResidentsScreen",
    "statistics": "grassroots_tui.tui.screens.statistics:StatisticsScreen",
}


def section_screen_class(name: str) -> type | None:
    """The screen class of a section, or None while it is not built."""
    target = SECTION_SCREENS.get(name)
    if target is None:
        return None
    module_name, _, class_name = target.partition(":")
    try:
        module = importlib.import_module(module_name)
    except ModuleNotFoundError as exc:
        if exc.name == module_name:
            return None
        raise
    return getattr(module, class_name)

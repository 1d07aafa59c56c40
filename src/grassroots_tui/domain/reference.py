"""Human reference codes such as `SQ-2026-000123`: unique, never reused."""

from __future__ import annotations

import re

from grassroots_tui.domain.validation import nfkc

_PATTERN = re.compile(r"^([A-Z]{2,4})-(\d{4})-(\d{1,6})$")


def format_reference(prefix: str, year: int, seq: int, width: int = 6) -> str:
    return f"{prefix}-{year:04d}-{seq:0{width}d}"


def normalise_reference(text: str) -> str:
    """Accept lower case and full-width input; `sq-2026-123` -> `SQ-2026-000123`."""
    raw = nfkc(text).upper().replace("—", "-").replace("－", "-")
    m = _PATTERN.match(raw)
    if not m:
        return raw
    prefix, year, seq = m.groups()
    width = 4 if prefix == "YS" else 6
    return format_reference(prefix, int(year), int(seq), width)

"""What the free-text search of the ledger compares, and how it is written into the index.

SQLite FTS5's trigram tokenizer finds nothing below three characters, so the index stores
every character as a token of its own — ASCII letters and digits as themselves, any other
character as `x` + its hex code — and a query becomes a phrase of those tokens: `漏水` is the
phrase "x6f0f x6c34", found wherever the two characters stand side by side. That is exactly a
substring test, for one character or twenty. Several words separated by spaces must all occur.
Text is compared after NFKC and case folding (full-width `ＳＱ` finds `sq`).
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence


def normalise_search(value: str | None) -> str:
    """What search compares: NFKC (full-width to half-width) and case folded."""
    return unicodedata.normalize("NFKC", value or "").casefold()


def _token(ch: str) -> str:
    if "a" <= ch <= "z" or "0" <= ch <= "9":
        return ch
    return f"x{ord(ch):x}"


def encode_tokens(value: str) -> str:
    """One FTS token a character (the text must already be normalised)."""
    return " ".join(_token(ch) for ch in value)


def address_text(estate: str, building: str, unit_no: str, room: str, location_text: str) -> str:
    """`幸福里小区 3-2-301 东侧`: how the ledger writes a concern's place."""
    location = "-".join(p for p in (building, unit_no, room) if p)
    return " ".join(p for p in (estate, location, location_text) if p)


def search_fields(reference: str, summary: str, detail: str, resident_name: str | None,
                  estate: str, building: str, unit_no: str, room: str, location_text: str) -> list[str]:
    """The texts a search looks in, normalised; a match never spans two of them."""
    raw = [reference, summary, detail, resident_name or "",
           address_text(estate, building, unit_no, room, location_text)]
    return [normalise_search(v) for v in raw]


def search_body(fields: Sequence[str]) -> str:
    """The indexed text of one concern: its normalised fields, one token a character."""
    return encode_tokens("\n".join(fields))


def search_terms(query: str | None) -> list[str]:
    return normalise_search(query).split()


def matches(fields: Sequence[str], query: str) -> bool:
    """The plain substring rule the index implements (used by tests and as documentation)."""
    terms = search_terms(query)
    return bool(terms) and all(any(t in f for f in fields) for t in terms)


def fts_query(query: str) -> str | None:
    terms = search_terms(query)
    if not terms:
        return None
    return " AND ".join(f'"{encode_tokens(t)}"' for t in terms)

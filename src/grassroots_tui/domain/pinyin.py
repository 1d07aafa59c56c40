"""Pinyin keys for lookup and sort order (张三丰 -> `zhangsanfeng`, `zsf`)."""

from __future__ import annotations

# pypinyin loads large dictionaries (~0.4 s): import it on first use, not at start-up.


def full_pinyin(text: str) -> str:
    from pypinyin import lazy_pinyin

    return "".join(lazy_pinyin(text, errors="default")).lower().replace(" ", "")


def initials(text: str) -> str:
    from pypinyin import Style, lazy_pinyin

    return "".join(s[0] for s in lazy_pinyin(text, style=Style.FIRST_LETTER, errors="default") if s).lower()


#: Between the reading and the characters: below the space and every letter, so 张三 (zhang1 san1)
#: sorts before 张三丰 (zhang1 san1 feng1). Not NUL, which PostgreSQL's text cannot hold.
SORT_SEPARATOR = "\x01"


def sort_key(text: str) -> str:
    """Pinyin order for Chinese names: 李 (li) before 张 (zhang). Ties keep the characters."""
    from pypinyin import Style, lazy_pinyin

    syllables = lazy_pinyin(text, style=Style.TONE3, errors="default")
    return " ".join(s.lower() for s in syllables) + SORT_SEPARATOR + text

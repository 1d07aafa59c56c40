"""The one-token-a-character index finds exactly the substrings, whatever the characters."""

from __future__ import annotations

import sqlite3

from hypothesis import given, settings
from hypothesis import strategies as st

from grassroots_tui.services.ledger import encode_tokens, fts_query, matches, normalise_search

# Chinese, ASCII, full-width forms, FTS syntax characters, punctuation, an emoji, a combining mark.
ALPHABET = st.sampled_from(list("漏水灯楼上下小区abcXYZ019ＡＢ１２\"*:()-^+ ，。、/\\'😀é\u0301\u3000"))
TEXTS = st.lists(st.text(ALPHABET, max_size=12), min_size=1, max_size=25)


def _index(texts: list[str]) -> sqlite3.Connection:
    con = sqlite3.connect(":memory:")
    con.execute("CREATE VIRTUAL TABLE t USING fts5(body, tokenize='unicode61')")
    con.executemany("INSERT INTO t(rowid, body) VALUES (?, ?)",
                    [(i, encode_tokens(normalise_search(v))) for i, v in enumerate(texts)])
    return con


@settings(max_examples=150, deadline=None)
@given(texts=TEXTS, data=st.data())
def test_index_equals_substring_scan(texts: list[str], data: st.DataObject) -> None:
    con = _index(texts)
    source = data.draw(st.sampled_from(texts))
    start = data.draw(st.integers(0, len(source)))
    query = data.draw(st.one_of(st.just(source[start:start + data.draw(st.integers(1, 4))]),
                                st.text(ALPHABET, min_size=1, max_size=3)))
    match = fts_query(query)
    expected = {i for i, v in enumerate(texts) if matches([normalise_search(v)], query)}
    if match is None:
        assert expected == set()
        return
    found = {r[0] for r in con.execute("SELECT rowid FROM t WHERE t MATCH ?", (match,))}
    assert found == expected, (query, match)

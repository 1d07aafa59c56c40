"""The one-token-a-character index finds exactly the substrings, whatever the characters."""

from __future__ import annotations

import sqlite3
import tempfile
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import text

from grassroots_tui.services.ledger import Ledger, LedgerQuery, encode_tokens, fts_query, matches, normalise_search, search_fields

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


NOW = datetime(2026, 12, 2, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
NAMES = st.text(st.sampled_from(list("王李张漏水灯ＡaB1 ")), min_size=1, max_size=4).filter(str.strip)


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(summaries=st.lists(st.text(ALPHABET, min_size=1, max_size=8).filter(str.strip), min_size=1, max_size=6),
       names=st.lists(NAMES, min_size=2, max_size=2), new_name=NAMES,
       query=st.text(st.sampled_from(list("王李张漏水灯ａb1")), min_size=1, max_size=2))
def test_ledger_equals_substring_scan_after_a_resident_is_renamed(summaries: list[str], names: list[str],
                                                                  new_name: str, query: str) -> None:
    """The index follows a resident renamed after their concerns were logged (the name is searched)."""
    from grassroots_tui.services.clerks import current_clerk
    from grassroots_tui.services.concerns import ConcernDraft, log_concern
    from grassroots_tui.services.residents import ResidentDraft, add_resident, update_resident
    from grassroots_tui.services.workspace import Workspace

    with tempfile.TemporaryDirectory() as folder:
        ws = Workspace.open(Path(folder) / "p.sqlite3", clock=lambda: NOW)
        try:
            clerk = current_clerk(ws).id
            rids = [add_resident(ws, clerk, ResidentDraft(name=n, phone=f"1381234567{i}")).id
                    for i, n in enumerate(names)]
            for i, summary in enumerate(summaries):
                log_concern(ws, clerk, ConcernDraft(summary=summary, category="0801", resident_id=rids[i % 2]))
            update_resident(ws, clerk, rids[0], ResidentDraft(name=new_name, phone=None, id_number=None))
            with ws.read() as s:
                rows = s.execute(text(
                    "SELECT c.reference, c.summary, c.detail, r.name, c.estate, c.building, c.unit_no, c.room, "
                    "c.location_text FROM concern c LEFT JOIN resident r ON r.id = c.resident_id")).all()
            expected = {r[0] for r in rows if matches(search_fields(*r), query)}
            lg = Ledger(ws, LedgerQuery(text=query))
            assert {r.reference for r in lg.page(0, 50)} == expected, query
        finally:
            ws.close()

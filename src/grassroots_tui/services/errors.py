"""One mapping from what went wrong to the sentence the clerk reads, used by the CLI and the TUI."""

from __future__ import annotations

from grassroots_tui.domain.errors import DomainError, StorageUnavailable
from grassroots_tui.store.engine import storage_failure


def storage_error(exc: BaseException) -> StorageUnavailable | None:
    """The clerk's sentence for a database that is busy, full or failing, or None for other errors."""
    kind = storage_failure(exc)
    return StorageUnavailable(kind) if kind else None


def describe(exc: BaseException) -> str | None:
    """One Chinese sentence for an error a clerk can act on, or None (a bug: keep the traceback)."""
    if isinstance(exc, DomainError):
        return exc.message
    translated = storage_error(exc)
    return translated.message if translated else None


def explain(exc: BaseException, doing: str) -> str:
    """Always one sentence: `describe(exc)`, or that `doing` failed unexpectedly (the trace goes to the log)."""
    return describe(exc) or f"{doing}时出现意外错误，刚才的操作没有完成（详情已记入日志）。"

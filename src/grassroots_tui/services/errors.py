"""One mapping from what went wrong to the sentence the clerk reads, used by the CLI and the TUI.

What the clerk can act on (a rule refused it, the database is busy or full, the disk is
read-only, a file is open in another program, a configuration file is wrong, a number is out
of range) becomes one Chinese sentence. Anything else is a bug: the clerk reads that a log was
kept and where, and the traceback goes to a rotating log file in the user log folder
(`grassroots paths` shows it), with residents' phone and ID numbers masked.
"""

from __future__ import annotations

import logging
import re
import threading
import traceback
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from logging.handlers import RotatingFileHandler
from pathlib import Path

from grassroots_tui.domain.errors import (
    BUSY_WAITING,
    OVERFLOW_MESSAGE,
    DomainError,
    StorageUnavailable,
    os_error_message,
)
from grassroots_tui.store.engine import add_wait_listener, remove_wait_listener, storage_failure

LOG_NAME = "grassroots.log"
LOG_BYTES = 1_000_000  # one file up to 1 MB ...
LOG_BACKUPS = 5  # ... and five older ones (grassroots.log.1 ... .5)
_CHINESE = re.compile(r"[\u4e00-\u9fff]")


def storage_error(exc: BaseException) -> StorageUnavailable | None:
    """The clerk's sentence for a database that is busy, full or failing, or None for other errors."""
    kind = storage_failure(exc)
    return StorageUnavailable(kind) if kind else None


def _chain(exc: BaseException) -> Iterator[BaseException]:
    """`exc`, then what it wraps (SQLAlchemy's `.orig`) and its causes."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        yield current
        current = getattr(current, "orig", None) or current.__cause__ or current.__context__


def describe(exc: BaseException) -> str | None:
    """One Chinese sentence for an error a clerk can act on, or None (a bug: keep the traceback)."""
    if isinstance(exc, DomainError):
        return exc.message
    translated = storage_error(exc)
    if translated is not None:
        return translated.message
    for cause in _chain(exc):
        if isinstance(cause, OverflowError):
            return OVERFLOW_MESSAGE
        if isinstance(cause, OSError) and not isinstance(cause, BrokenPipeError):
            return os_error_message(cause, writing=False)
        if type(cause) is ValueError and _CHINESE.search(str(cause)):
            return str(cause)  # our own refusals raised as ValueError (io.paper)
    return None


def explain(exc: BaseException, doing: str) -> str:
    """Always one sentence: `describe(exc)`, or that `doing` failed unexpectedly, the trace in the log."""
    message = describe(exc)
    if message is not None:
        return message
    log = log_unexpected(exc, doing)
    kept = f"详细情况已记入日志 {log}" if log else "详细情况未能记入日志"
    return f"{doing}时出现意外错误，刚才的操作没有完成（{kept}）。"


# ------------------------------------------------------------------ the log

class MaskingFormatter(logging.Formatter):
    """Residents' phone and ID numbers masked (domain.privacy.mask_text) in the message and the trace.

    Driver errors quote the SQL's parameters, so the traceback can carry a resident's numbers too.
    """

    def formatMessage(self, record: logging.LogRecord) -> str:  # noqa: N802 - logging's name
        from grassroots_tui.domain.privacy import mask_text

        record.message = mask_text(record.message)
        return super().formatMessage(record)

    def formatException(self, ei) -> str:  # noqa: ANN001, N802
        from grassroots_tui.domain.privacy import mask_text

        return mask_text(super().formatException(ei))


_logger = logging.getLogger("grassroots_tui.errors")
_logger.propagate = False
_log_lock = threading.Lock()


def log_path() -> Path:
    from grassroots_tui.config import user_log_dir

    return user_log_dir() / LOG_NAME


def _handler() -> RotatingFileHandler | None:
    """The handler for today's log path (it follows GRASSROOTS_LOG_DIR), created on first use."""
    path = log_path()
    for handler in _logger.handlers:
        if isinstance(handler, RotatingFileHandler) and Path(handler.baseFilename) == path.absolute():
            return handler
    for handler in list(_logger.handlers):
        _logger.removeHandler(handler)
        handler.close()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handler = RotatingFileHandler(path, maxBytes=LOG_BYTES, backupCount=LOG_BACKUPS, encoding="utf-8")
    except OSError:
        return None
    handler.setFormatter(MaskingFormatter("%(asctime)s %(levelname)s %(message)s"))
    _logger.addHandler(handler)
    _logger.setLevel(logging.INFO)
    return handler


def log_unexpected(exc: BaseException, doing: str) -> Path | None:
    """Record `exc` with its traceback in the log; returns the log file, or None if it cannot be written."""
    with _log_lock:
        handler = _handler()
        if handler is None:
            return None
        _logger.error("%s: %s", doing, "".join(traceback.format_exception_only(type(exc), exc)).strip(),
                      exc_info=(type(exc), exc, exc.__traceback__))
        handler.flush()
        return Path(handler.baseFilename)


# ------------------------------------------------------------------ waiting for another clerk

def waiting_message(limit_seconds: float) -> str:
    return BUSY_WAITING.format(limit=f"{limit_seconds:g}")


@contextmanager
def announce_waits(show: Callable[[str], None]) -> Iterator[None]:
    """While inside, a save waiting for another clerk's write lock calls `show(sentence)` once per wait."""

    def listener(event: str, _waited: float, limit: float) -> None:
        if event == "waiting":
            show(waiting_message(limit))

    add_wait_listener(listener)
    try:
        yield
    finally:
        remove_wait_listener(listener)

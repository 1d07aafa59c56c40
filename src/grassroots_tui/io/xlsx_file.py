"""openpyxl workbooks whose temporary files lie beside the target, never in the system temp folder.

openpyxl writes each sheet's XML to a NamedTemporaryFile in the system temp folder before it
zips them (openpyxl/worksheet/_writer.py, create_temporary_file) and removes them only when the
workbook is saved or the interpreter exits normally: a killed or failed export leaves the
residents' data in /tmp. Here every sheet gets its own writer whose file is made with
`safe_file.scratch_path` beside the target (mode 0600), and `scratch_workbook` removes whatever
is left when the block ends, saved or not. lxml's "IO_ENOSPC"-style errors become OSError, so
`safe_file.atomic_write` says "磁盘空间不足" for a full disk here as for any other file.
Nothing global is changed (no `tempfile.tempdir`),
so two exports in two threads do not disturb each other.

Import this module lazily (it imports openpyxl).
"""

from __future__ import annotations

import errno
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

from openpyxl import Workbook
from openpyxl.worksheet import _writer as openpyxl_writer
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

from grassroots_tui.io.safe_file import scratch_path


class _ScratchSheet(WriteOnlyWorksheet):
    """A write-only sheet that streams its XML to a file `new_file()` makes."""

    def __init__(self, parent: Workbook, title: str | None, new_file: Callable[[], Path]) -> None:
        super().__init__(parent, title)
        self._new_file = new_file

    def _get_writer(self) -> None:  # openpyxl calls this before the first row and at close
        if self._writer is None:
            out = str(self._new_file())
            openpyxl_writer.ALL_TEMP_FILES.append(out)  # openpyxl's own cleanup removes it from the list
            self._writer = openpyxl_writer.WorksheetWriter(self, out=out)
            self._writer.write_top()


class ScratchWorkbook(Workbook):
    """A write-only Workbook; its sheets' temporary files are made beside `beside`."""

    def __init__(self, beside: Path) -> None:
        super().__init__(write_only=True)
        self._beside = Path(beside)
        self.scratch_files: list[Path] = []

    def _new_file(self) -> Path:
        path = scratch_path(self._beside, "sheet")
        self.scratch_files.append(path)
        return path

    def create_sheet(self, title: str | None = None, index: int | None = None) -> _ScratchSheet:
        sheet = _ScratchSheet(self, title, self._new_file)
        self._add_sheet(sheet=sheet, index=index)
        return sheet

    def discard_scratch(self) -> None:
        """Close what a failed save left open (Windows cannot delete an open file), then delete."""
        for sheet in self.worksheets:
            for stream in (getattr(sheet, "_rows", None), getattr(sheet._writer, "xf", None)):
                if stream is not None:
                    with suppress(Exception):  # lxml objects to leaving an element half-written
                        stream.close()
        for path in self.scratch_files:
            with suppress(OSError):
                path.unlink(missing_ok=True)
            with suppress(ValueError):
                openpyxl_writer.ALL_TEMP_FILES.remove(str(path))
        self.scratch_files.clear()


@contextmanager
def scratch_workbook(path: Path | str) -> Iterator[ScratchWorkbook]:
    """A write-only workbook saved to `path` when the block ends without error.

    The sheets' temporary files lie beside `path` and are gone when the block ends, whether it
    saved or failed. `path` itself is written in place: give it the temporary name that
    `safe_file.atomic_write` yields, so a failure leaves nothing at the real target.
    """
    path = Path(path)
    wb = ScratchWorkbook(path)
    try:
        yield wb
        wb.save(path)
    except Exception as exc:  # noqa: BLE001 - only lxml's disguised OSError is translated
        if (failed := _os_error(exc)) is not None:
            raise failed from exc
        raise
    finally:
        wb.discard_scratch()


def _os_error(exc: BaseException) -> OSError | None:
    """lxml reports a failed write (full disk, file too large) as SerialisationError('IO_ENOSPC')."""
    text = str(exc)
    if type(exc).__name__ == "SerialisationError" and text.startswith("IO_"):
        code = getattr(errno, text[3:], errno.EIO)
        return OSError(code, os.strerror(code))
    return None


__all__ = ["ScratchWorkbook", "scratch_workbook"]

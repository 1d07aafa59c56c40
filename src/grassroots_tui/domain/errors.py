from __future__ import annotations

import errno


class DomainError(Exception):
    """A rule refused what the clerk asked for.

    `message` is a short Chinese sentence meant for the screen; `field` names
    the form field it belongs beside, when there is one.
    """

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field

    def __str__(self) -> str:  # pragma: no cover - trivial
        return self.message


class NotFound(DomainError):
    """The thing the clerk named does not exist."""


class StaleVersion(DomainError):
    """Someone else changed the record since it was read."""


# What the clerk reads when the database file cannot be used right now (the store decides
# the kind from the driver's error; this is the only place the sentences live).
STORAGE_MESSAGES = {
    "busy": "数据库正被其他工作人员占用，请稍后再试。",
    "full": "磁盘已满，刚才的操作没有保存；请腾出磁盘空间后再试。",
    "io": "读写数据库文件时出错（磁盘故障或文件被移走），刚才的操作没有保存。",
    "readonly": "数据库文件是只读的，无法保存；请检查文件的权限。",
    "unopenable": "无法打开数据库文件；请检查文件夹是否存在、是否有写入权限。",
    "corrupt": "数据库文件已损坏或不是数据库；请从备份恢复。",
    "overflow": "数字超出了允许的范围，刚才的操作没有完成；请检查输入的数字。",
    "unreachable": "连接不上数据库服务器；请检查网络和服务器地址，或请管理员查看数据库服务是否在运行。",
    "denied": "数据库服务器拒绝了连接（用户名或密码不对，或没有这个数据库的权限）。",
}

# While a save waits for another clerk's write lock (shown after about a second).
BUSY_WAITING = "数据库正被其他工作人员占用，正在等待（最多 {limit} 秒）。"
# An out-of-range number anywhere (OverflowError, SQLite's "integer overflow").
OVERFLOW_MESSAGE = STORAGE_MESSAGES["overflow"]


class StorageUnavailable(DomainError):
    """The database could not be read or written (busy, disk full, I/O error...); nothing was saved."""

    def __init__(self, kind: str) -> None:
        super().__init__(STORAGE_MESSAGES[kind])
        self.kind = kind


# ------------------------------------------------------------------ the operating system's errors

# Windows: ERROR_SHARING_VIOLATION, ERROR_LOCK_VIOLATION (another program has the file open).
_WIN_SHARING = (32, 33)
_WIN_DISK_FULL = (39, 112)


def os_failure(exc: OSError) -> str:
    """The kind of an operating-system failure: "full", "readonly", "denied", "in_use", "io",
    "missing", "isdir" or "other"."""
    winerror = getattr(exc, "winerror", None)
    if winerror in _WIN_SHARING:
        return "in_use"
    if winerror in _WIN_DISK_FULL or exc.errno in (errno.ENOSPC, errno.EFBIG, getattr(errno, "EDQUOT", -1)):
        return "full"
    if exc.errno == errno.EROFS:
        return "readonly"
    if exc.errno in (errno.EBUSY, getattr(errno, "ETXTBSY", -1)):
        return "in_use"
    if exc.errno in (errno.EACCES, errno.EPERM):
        return "denied"
    if exc.errno == errno.EIO:
        return "io"
    if exc.errno == errno.ENOENT:
        return "missing"
    if exc.errno in (errno.EISDIR, errno.ENOTDIR):
        return "isdir"
    return "other"


def os_error_message(exc: OSError, target: object | None = None, *, writing: bool = True) -> str:
    """One Chinese sentence for a failed file operation on `target` (default: the file the error names)."""
    name = target if target is not None else (exc.filename or "文件")
    verb = "写入" if writing else "读写"
    kind = os_failure(exc)
    if kind == "full":
        return f"磁盘空间不足，未能写入 {name}；原有文件保持不变。"
    if kind == "readonly":
        return f"{name} 所在的磁盘或文件夹是只读的，无法{verb}。"
    if kind == "in_use":
        return f"{name} 正被其他程序打开（例如 Excel 或 WPS），请先关闭它再试。"
    if kind == "denied":
        return f"没有权限{verb} {name}（文件或文件夹可能是只读的，或正被其他程序打开）。"
    if kind == "io":
        return f"{verb} {name} 时磁盘出错（磁盘故障或 U 盘被拔出），刚才的操作没有完成。"
    if kind == "missing":
        return f"找不到 {name}（文件或文件夹不存在）。"
    if kind == "isdir":
        return f"{name} 不是一个可用的文件路径（是文件夹，或上级不是文件夹）。"
    return f"未能{verb} {name}（系统错误 {exc.errno or getattr(exc, 'winerror', '') or '未知'}）。"

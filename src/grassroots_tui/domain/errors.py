from __future__ import annotations


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
    "busy": "数据库正忙（其他工作人员正在保存），请稍后再试。",
    "full": "磁盘已满，刚才的操作没有保存；请腾出磁盘空间后再试。",
    "io": "读写数据库文件时出错（磁盘故障或文件被移走），刚才的操作没有保存。",
    "readonly": "数据库文件是只读的，无法保存；请检查文件的权限。",
    "unopenable": "无法打开数据库文件；请检查文件夹是否存在、是否有写入权限。",
    "corrupt": "数据库文件已损坏或不是数据库；请从备份恢复。",
}


class StorageUnavailable(DomainError):
    """The database could not be read or written (busy, disk full, I/O error...); nothing was saved."""

    def __init__(self, kind: str) -> None:
        super().__init__(STORAGE_MESSAGES[kind])
        self.kind = kind

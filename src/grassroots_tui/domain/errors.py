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

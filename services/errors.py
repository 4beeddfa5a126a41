"""Domain errors carry a message-catalog key and its parameters, so the edge can say what went wrong."""

from typing import Any


class DomainError(Exception):
    """A refusal the user should read: `key` names the catalog text, `params` fill it in."""

    def __init__(self, key: str, **params: Any) -> None:
        super().__init__(key)
        self.key = key
        self.params = params


class NotAllowed(DomainError):
    def __init__(self) -> None:
        super().__init__("error.not_allowed")


class UnitNotFound(DomainError):
    def __init__(self, code: str) -> None:
        super().__init__("error.unit_not_found", code=code)

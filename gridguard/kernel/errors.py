"""Domain errors carry a message-catalog key and its parameters, so the edge can say what went wrong."""

from typing import Any


class DomainError(Exception):
    """A refusal the user should read: `key` names the catalog text, `params` fill it in.

    Most refusals are about the input, and the user may try again at the same step. One that `ends_flow`
    (not allowed, gone) also ends the conversation it happened in.
    """

    ends_flow = False

    def __init__(self, key: str, **params: Any) -> None:
        super().__init__(key)
        self.key = key
        self.params = params


class NotAllowed(DomainError):
    ends_flow = True

    def __init__(self) -> None:
        super().__init__("error.not_allowed")


class StaleButton(DomainError):
    """A button from an older screen than the conversation is at now."""

    def __init__(self) -> None:
        super().__init__("fallback.stale_button")


class FlowLost(DomainError):
    """A step's conversation no longer holds what the earlier steps chose (it expired, or another flow replaced
    it): it ends, and the user starts again."""

    ends_flow = True

    def __init__(self) -> None:
        super().__init__("wizard.lost")


class NoLongerThere(DomainError):
    """What the conversation was about is gone (a report, a draft, the member's own role): it ends here."""

    ends_flow = True


class UnitNotFound(DomainError):
    def __init__(self, code: str) -> None:
        super().__init__("error.unit_not_found", code=code)

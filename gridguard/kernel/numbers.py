"""Numbers typed by people: ASCII digits within bounds, or a clear refusal (never an exception from int())."""

import re
from decimal import Decimal

from gridguard.kernel.errors import DomainError

FIRST_YEAR, LAST_YEAR = 2000, 2099
"""The years a date typed on the command line, a quarter or a holiday file may name."""
WHOLE = re.compile(r"[0-9]{1,9}")
CLOCK = re.compile(r"([0-9]{1,2})(?::([0-9]{1,2}))?")
DECIMAL = re.compile(r"[0-9]{1,9}(?:\.[0-9]{1,2})?")


def ascii_digits(text: str) -> bool:
    """Only the digits 0-9 (isdigit() alone also takes ², ٣ and ３)."""
    return text.isascii() and text.isdigit()


def whole_number(text: str, low: int, high: int, error: DomainError) -> int:
    """`text` as an integer in [low, high]; `error` for anything else (², ٣, 5,000 digits, -1, 1e3)."""
    if WHOLE.fullmatch(text) is None or not low <= int(text) <= high:
        raise error
    return int(text)


def decimal_number(text: str, low: Decimal, high: Decimal, error: DomainError) -> Decimal:
    """`text` as a decimal with at most two places in [low, high]; `error` for anything else (inf, nan, 1e400)."""
    if DECIMAL.fullmatch(text) is None or not low <= Decimal(text) <= high:
        raise error
    return Decimal(text)


def clock_minutes(text: str) -> int | None:
    """08:30, 8:30, 8点30, 8点半 or 8点 -> minutes after midnight; None for anything else (08:³⁰, ٠٨:٣٠, 24:00,
    8:60)."""
    cleaned = text.strip().replace("点半", ":30").replace("：", ":").replace("点", ":").rstrip("分").rstrip(":")
    match = CLOCK.fullmatch(cleaned)
    if match is None:
        return None
    hours, minutes = int(match.group(1)), int(match.group(2) or 0)
    return hours * 60 + minutes if hours < 24 and minutes < 60 else None

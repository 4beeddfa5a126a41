"""Lists that fit one Telegram message at any size: counts first, then as many items as fit, then "and N more".

Lengths are counted as Telegram counts them: UTF-16 code units of the text after its HTML is parsed. The budgets
leave room for the header and footer lines around a list.
"""

import html
import re
from collections.abc import Callable, Sequence
from typing import TypeVar

from i18n import Localizer, Raw

T = TypeVar("T")

TEXT_LIMIT = 4096
"""Telegram's limit for a message's text."""
LIST_BUDGET = 3300
"""What the lines of one list may take, leaving room for its header, footer and counts."""
BUTTON_PAGE = 40
"""Names offered as buttons on one page (Telegram shows about 100 buttons; a page leaves room to move on)."""


_TAG = re.compile(r"<[^>]+>")


def utf16_length(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def plain_text(text_html: str) -> str:
    """What a reader sees of an HTML text: no tags, no escapes."""
    return html.unescape(_TAG.sub("", text_html))


def visible_length(text_html: str) -> int:
    """Length in UTF-16 units after Telegram parses the HTML, which is what its limits count."""
    return utf16_length(plain_text(text_html))


def clip(text: str, limit: int) -> str:
    """Plain `text`, cut to `limit` characters with an ellipsis when longer."""
    if utf16_length(text) <= limit:
        return text
    cut = text[: max(limit - 1, 0)]
    while utf16_length(cut) > limit - 1:
        cut = cut[:-1]
    return cut + "…"


def joined_within(items: Sequence[str], budget: int, separator: str, more: Callable[[int], str]) -> str:
    """As many items (HTML) as fit in `budget` characters, joined; then `more(n)` naming how many were left out."""
    shown: list[str] = []
    used = 0
    for item in items:
        cost = visible_length(item) + (visible_length(separator) if shown else 0)
        if used + cost > budget:
            break
        shown.append(item)
        used += cost
    text = separator.join(shown)
    left = len(items) - len(shown)
    return text + more(left) if left else text


def lines_within(lines: Sequence[str], budget: int, more: Callable[[int], str]) -> list[str]:
    """As many lines (HTML) as fit in `budget` characters; then a line naming how many were left out."""
    shown: list[str] = []
    used = 0
    for line in lines:
        cost = visible_length(line) + 1
        if used + cost > budget:
            break
        shown.append(line)
        used += cost
    left = len(lines) - len(shown)
    return [*shown, more(left)] if left else shown


def page_of(items: Sequence[T], page: int, size: int = BUTTON_PAGE) -> tuple[Sequence[T], int, int]:
    """One page of `items` (the page number clamped to those there are), that page's number, and how many pages."""
    pages = max((len(items) + size - 1) // size, 1)
    page = min(max(page, 0), pages - 1)
    return items[page * size : (page + 1) * size], page, pages


def listed_within(i18n: Localizer, items: Sequence[str], budget: int, separator: str = "、") -> Raw:
    """Items of safe HTML, as many as fit in `budget` characters, then "等，另有 N 人"; "—" for none."""
    return Raw(joined_within(items, budget, separator, lambda n: i18n("common.and_more_people", n=n)) or "—")


def names_within(i18n: Localizer, names: Sequence[str], budget: int) -> Raw:
    """Plain names, escaped, as many as fit in `budget` characters, then "等，另有 N 人"; "—" for none."""
    return listed_within(i18n, [html.escape(name, quote=False) for name in names], budget)


def lines_fitted(i18n: Localizer, lines: Sequence[str], budget: int = LIST_BUDGET) -> list[str]:
    """Rendered lines, as many as fit in `budget` characters, then "……另有 N 条"."""
    return lines_within(lines, budget, lambda n: i18n("common.more_lines", n=n))

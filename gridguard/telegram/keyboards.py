"""Keyboards: big buttons, one per row where the label is long."""

from collections.abc import Callable, Sequence

from aiogram.types import (
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    KeyboardButton,
    ReplyKeyboardMarkup,
    ReplyKeyboardRemove,
)

from gridguard.directory.enums import ROLE_NAMES, Role
from gridguard.directory.members import MemberProfile
from gridguard.directory.permissions import may_file_reports
from gridguard.directory.tables import Unit
from gridguard.kernel.fitting import page_of
from gridguard.telegram.callbacks import LanguageChoice
from gridguard.telegram.directory.callbacks import InviteRoleChoice, InviteUsesChoice, UnitChoice, UnitPage
from i18n import Localizer

UNITS_PER_PAGE = 8
INVITE_USES_CHOICES = (1, 5, 20, 50)

REMOVE_KEYBOARD = ReplyKeyboardRemove()


def language_keyboard() -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        inline_keyboard=[
            [
                InlineKeyboardButton(text="中文", callback_data=LanguageChoice(code="zh").pack()),
                InlineKeyboardButton(text="English", callback_data=LanguageChoice(code="en").pack()),
            ]
        ]
    )


def phone_keyboard(i18n: Localizer) -> ReplyKeyboardMarkup:
    return ReplyKeyboardMarkup(
        keyboard=[
            [KeyboardButton(text=i18n("register.share_phone_button"), request_contact=True)],
            [KeyboardButton(text=i18n("register.skip_button"))],
        ],
        resize_keyboard=True,
        one_time_keyboard=True,
    )


def roles_keyboard(i18n: Localizer, roles: Sequence[Role]) -> InlineKeyboardMarkup:
    rows = [
        [
            InlineKeyboardButton(
                text=i18n(ROLE_NAMES(role)),
                callback_data=InviteRoleChoice(role=role.value).pack(),
            )
        ]
        for role in roles
    ]
    return InlineKeyboardMarkup(inline_keyboard=rows)


def uses_keyboard(i18n: Localizer) -> InlineKeyboardMarkup:
    buttons = [
        InlineKeyboardButton(
            text=i18n("invite.uses_button", uses=uses),
            callback_data=InviteUsesChoice(uses=uses).pack(),
        )
        for uses in INVITE_USES_CHOICES
    ]
    return InlineKeyboardMarkup(inline_keyboard=[buttons[:2], buttons[2:]])


def pager_row(i18n: Localizer, page: int, pages: int, data_for: Callable[[int], str]) -> list[InlineKeyboardButton]:
    """◀ and ▶ where there is a page before or after; `data_for(page)` is the button's callback data."""
    moves = (("common.previous", page - 1, page > 0), ("common.next", page + 1, page < pages - 1))
    return [InlineKeyboardButton(text=i18n(key), callback_data=data_for(to)) for key, to, there in moves if there]


def units_keyboard(
    i18n: Localizer, purpose: str, units: Sequence[Unit], page: int, labels: dict[int, str] | None = None
) -> InlineKeyboardMarkup:
    """One page of units as buttons, with previous/next when there are more."""
    shown, page, pages = page_of(units, page, UNITS_PER_PAGE)
    rows = [
        [
            InlineKeyboardButton(
                text=(labels or {}).get(unit.id or 0, unit.name),
                callback_data=UnitChoice(purpose=purpose, unit_id=unit.id or 0).pack(),
            )
        ]
        for unit in shown
    ]
    navigation = pager_row(i18n, page, pages, lambda to: UnitPage(purpose=purpose, page=to).pack())
    return InlineKeyboardMarkup(inline_keyboard=[*rows, navigation] if navigation else rows)


def main_menu(i18n: Localizer, member: MemberProfile) -> ReplyKeyboardMarkup:
    """The big buttons a registered member always has at hand: reporting only for those who may report."""
    labels = (["menu.report"] if may_file_reports(member) else []) + ["menu.reports"]
    rows = [[KeyboardButton(text=i18n(label))] for label in labels]
    return ReplyKeyboardMarkup(keyboard=rows, resize_keyboard=True, is_persistent=True)


def choices_keyboard(pairs: Sequence[tuple[str, str]], per_row: int = 2) -> InlineKeyboardMarkup:
    """(label, callback data) pairs laid out `per_row` to a row."""
    buttons = [InlineKeyboardButton(text=label, callback_data=data) for label, data in pairs]
    return InlineKeyboardMarkup(inline_keyboard=[buttons[i : i + per_row] for i in range(0, len(buttons), per_row)])


def where_keyboard(i18n: Localizer) -> ReplyKeyboardMarkup:
    return ReplyKeyboardMarkup(
        keyboard=[
            [KeyboardButton(text=i18n("report.share_location_button"), request_location=True)],
            [KeyboardButton(text=i18n("report.use_my_unit_button"))],
        ],
        resize_keyboard=True,
        one_time_keyboard=True,
    )


def done_keyboard(i18n: Localizer) -> ReplyKeyboardMarkup:
    return ReplyKeyboardMarkup(keyboard=[[KeyboardButton(text=i18n("report.done_button"))]], resize_keyboard=True)


def skip_keyboard(i18n: Localizer) -> ReplyKeyboardMarkup:
    return ReplyKeyboardMarkup(
        keyboard=[[KeyboardButton(text=i18n("register.skip_button"))]], resize_keyboard=True, one_time_keyboard=True
    )

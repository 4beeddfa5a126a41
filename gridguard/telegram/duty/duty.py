"""/duty (who is on duty), /swap (give a shift to a colleague), and the roster's buttons: take or undo a swap,
write a handover note. Thin: the duty desk decides; this file asks it and shows the answer."""

from datetime import timedelta

from aiogram import Bot, F, Router
from aiogram.enums import ChatType
from aiogram.filters import Command, CommandObject
from aiogram.fsm.context import FSMContext
from aiogram.types import BufferedInputFile, CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Message

from gridguard.delivery.outbox import Button
from gridguard.directory.members import MemberProfile
from gridguard.directory.permissions import Action, counties_of, townships_of
from gridguard.duty.duty_desk import SWAPPABLE_DAYS, UPCOMING_DAYS, DutyDesk, DutyView, instant_of, minute_of
from gridguard.duty.duty_texts import (
    NOTE_VERBS,
    HandoverVerb,
    board_text,
    layer_name,
    member_shifts_text,
    person,
    shift_span,
    week_text,
)
from gridguard.duty.enums import DutyLayer
from gridguard.duty.rotation import Shift
from gridguard.duty.swap_lifecycle import SwapVerb
from gridguard.kernel.errors import DomainError
from gridguard.kernel.fitting import page_of
from gridguard.telegram.callbacks import pack_buttons
from gridguard.telegram.duty.callbacks import DutyAction, SwapClose, SwapPage, SwapShiftChoice, SwapToChoice
from gridguard.telegram.duty.states import HandoverData, HandoverFlow
from gridguard.telegram.edits import turn_into
from gridguard.telegram.filters import IN_PRIVATE, NOT_A_COMMAND, Known, Registered
from gridguard.telegram.guards import IN_A_GROUP, point_to_private_chat
from gridguard.telegram.keyboards import pager_row
from gridguard.telegram.wizard import read, write
from i18n import Localizer

NOTE_LIMIT = 1000
WEEK_WORDS = {"week", "本周", "周"}
OWN_WORDS = {"me", "我", "我的"}
CALENDAR_WORDS = {"ics", "日历", "calendar"}
LAYER_OF_NOTE = {verb: layer for layer, verb in NOTE_VERBS.items()}


def router() -> Router:
    r = Router(name="duty")
    r.message.filter(Known())
    r.callback_query.filter(Registered())
    r.message.register(duty_command, Command("duty"), IN_PRIVATE | IN_A_GROUP)
    r.message.register(swap_command, Command("swap"), IN_PRIVATE)
    r.callback_query.register(swap_shift_pressed, SwapShiftChoice.filter())
    r.callback_query.register(swap_page_pressed, SwapPage.filter())
    r.callback_query.register(swap_closed, SwapClose.filter())
    r.callback_query.register(swap_to_pressed, SwapToChoice.filter())
    r.callback_query.register(duty_button_pressed, DutyAction.filter())
    r.message.register(handover_note_typed, HandoverFlow.note, F.text, NOT_A_COMMAND)
    r.message.register(handover_note_not_text, HandoverFlow.note, NOT_A_COMMAND)
    return r


# --- /duty ------------------------------------------------------------------------------------


async def duty_command(
    message: Message,
    command: CommandObject,
    member: MemberProfile,
    i18n: Localizer,
    duty_desk: DutyDesk,
    bot: Bot,
) -> None:
    """/duty: now and the next 7 days; /duty week, /duty me, /duty NAME, /duty ics. In the station's group it
    answers there, for that township, with names only: phone numbers and one person's shifts stay in private chats."""
    word = (command.args or "").strip()
    in_group = message.chat.type in (ChatType.GROUP, ChatType.SUPERGROUP)
    if in_group and word and word.casefold() not in WEEK_WORDS:
        await point_to_private_chat(message, command, bot, i18n)
        return
    if word.casefold() in CALENDAR_WORDS:
        await send_calendar(message, member, i18n, duty_desk)
        return
    if not in_group and not townships_of(member, Action.VIEW_DUTY) and counties_of(member):
        await message.answer(county_text(i18n, await duty_desk.county_views(member)))
        return
    view = await duty_desk.view(member, message.chat.id if in_group else None)
    await message.answer(duty_answer(i18n, view, member, word, with_phones=not in_group))


def duty_answer(i18n: Localizer, view: DutyView, member: MemberProfile, word: str, with_phones: bool) -> str:
    roster, now = view.roster, view.now
    if not word:
        return board_text(i18n, roster, now, UPCOMING_DAYS, with_phones, view.overlays)
    if word.casefold() in WEEK_WORDS:
        return week_text(i18n, roster, now, now + timedelta(days=UPCOMING_DAYS))
    if word.casefold() in OWN_WORDS:
        whose, name = member.id, member.name
    else:
        wanted = word.lstrip("@")
        found = [m for m in roster.members.values() if m.name.casefold() == wanted.casefold()]
        if not found:
            return i18n("onduty.no_such_member", name=wanted)
        whose, name = found[0].id, found[0].name
    shifts = roster.shifts_of(whose or 0, now, now + timedelta(days=SWAPPABLE_DAYS))
    return member_shifts_text(i18n, roster, name, shifts)


def county_text(i18n: Localizer, views: list[DutyView]) -> str:
    lines = [i18n("onduty.county_header")]
    for view in views:
        roster = view.roster
        if roster.rostered:
            who = " / ".join(
                f"{layer_name(i18n, layer)} {person(i18n, roster.member_at(layer, view.now))}" for layer in roster.specs
            )
        else:
            who = i18n("onduty.no_roster_short")
        lines.append(i18n("onduty.county_line", township=roster.township_name, who=who))
    return "\n".join(lines) if views else i18n("onduty.county_none")


async def send_calendar(message: Message, member: MemberProfile, i18n: Localizer, duty_desk: DutyDesk) -> None:
    count, data = await duty_desk.calendar(member)
    if not count:
        await message.answer(i18n("onduty.calendar_empty"))
        return
    file = BufferedInputFile(data, filename="gridguard-duty.ics")
    await message.answer_document(file, caption=i18n("onduty.calendar_caption", count=count))


# --- /swap ------------------------------------------------------------------------------------


def shift_label(i18n: Localizer, view: DutyView, layer: DutyLayer, shift: Shift) -> str:
    return f"{shift_span(i18n, shift.starts_at, shift.ends_at, view.roster.zone)} {layer_name(i18n, layer)}"


def swap_screen(
    i18n: Localizer, view: DutyView, shifts: list[tuple[DutyLayer, Shift]], page: int
) -> tuple[str, InlineKeyboardMarkup]:
    """The member's own shifts as buttons, a page at a time."""
    shown, page, pages = page_of(shifts, page)
    rows = [
        [
            InlineKeyboardButton(
                text=shift_label(i18n, view, layer, shift),
                callback_data=SwapShiftChoice(layer=layer, start=minute_of(shift.starts_at)).pack(),
            )
        ]
        for layer, shift in shown
    ]
    pager = pager_row(i18n, page, pages, lambda to: SwapPage(page=to).pack())
    text = i18n("swap.choose_shift") + (i18n("swap.page", page=page + 1, pages=pages) if pages > 1 else "")
    rows += [pager] if pager else []
    return text, InlineKeyboardMarkup(inline_keyboard=[*rows, swap_cancel_row(i18n)])


def swap_cancel_row(i18n: Localizer) -> list[InlineKeyboardButton]:
    return [InlineKeyboardButton(text=i18n("swap.cancel_button"), callback_data=SwapClose().pack())]


async def swap_closed(query: CallbackQuery, i18n: Localizer) -> None:
    await query.answer()
    if isinstance(query.message, Message):
        await turn_into(query.message, i18n("swap.cancelled"))


async def swap_command(message: Message, member: MemberProfile, i18n: Localizer, duty_desk: DutyDesk) -> None:
    view, shifts = await duty_desk.my_upcoming(member)
    if not shifts:
        await message.answer(i18n("swap.no_shifts"))
        return
    text, markup = swap_screen(i18n, view, shifts, 0)
    await message.answer(text, reply_markup=markup)


async def swap_page_pressed(
    query: CallbackQuery, callback_data: SwapPage, member: MemberProfile, i18n: Localizer, duty_desk: DutyDesk
) -> None:
    """Another page of the member's own shifts, read afresh (a page past the last shows the last)."""
    view, shifts = await duty_desk.my_upcoming(member)
    await query.answer()
    if isinstance(query.message, Message):
        await turn_into(query.message, *swap_screen(i18n, view, shifts, callback_data.page))


async def swap_shift_pressed(
    query: CallbackQuery, callback_data: SwapShiftChoice, member: MemberProfile, i18n: Localizer, duty_desk: DutyDesk
) -> None:
    view, shifts = await duty_desk.my_upcoming(member)
    start = instant_of(callback_data.start)
    shift = next((s for lay, s in shifts if lay == callback_data.layer and s.starts_at == start), None)
    if shift is None:
        raise DomainError("swap.not_your_shift")
    layer = callback_data.layer
    everyone = SwapToChoice(layer=layer, start=callback_data.start, member_id=0)
    rows = [[InlineKeyboardButton(text=i18n("swap.to_everyone"), callback_data=everyone.pack())]]
    rows += [
        [
            InlineKeyboardButton(
                text=colleague.name,
                callback_data=SwapToChoice(layer=layer, start=callback_data.start, member_id=colleague.id).pack(),
            )
        ]
        for colleague in view.roster.members.values()
        if colleague.id != member.id
    ]
    rows.append(swap_cancel_row(i18n))
    text = i18n(
        "swap.choose_colleague",
        span=shift_span(i18n, shift.starts_at, shift.ends_at, view.roster.zone),
        layer=layer_name(i18n, layer),
    )
    await query.answer()
    if query.message is not None and isinstance(query.message, Message):
        await turn_into(query.message, text, InlineKeyboardMarkup(inline_keyboard=rows))


async def swap_to_pressed(
    query: CallbackQuery, callback_data: SwapToChoice, member: MemberProfile, i18n: Localizer, duty_desk: DutyDesk
) -> None:
    to = callback_data.member_id or None
    swap = await duty_desk.offer_swap(member, callback_data.layer, instant_of(callback_data.start), to)
    text = i18n(
        "swap.offered",
        span=shift_span(i18n, swap.starts_at, swap.ends_at, duty_desk.zone),
        layer=layer_name(i18n, swap.layer),
    )
    withdraw = pack_buttons([[Button(i18n("swap.withdraw_button"), SwapVerb.WITHDRAW, swap.id or 0)]])
    await query.answer()
    if isinstance(query.message, Message):
        await turn_into(query.message, text, withdraw)


# --- the roster's buttons ---------------------------------------------------------------------


async def duty_button_pressed(
    query: CallbackQuery,
    callback_data: DutyAction,
    member: MemberProfile,
    i18n: Localizer,
    duty_desk: DutyDesk,
    state: FSMContext,
) -> None:
    verb, subject = callback_data.action, callback_data.subject
    if isinstance(verb, HandoverVerb):
        await ask_for_handover_note(query, LAYER_OF_NOTE[verb], subject, member, i18n, duty_desk, state)
        return
    zone = duty_desk.zone
    if verb == SwapVerb.TAKE:
        outcome = await duty_desk.take_swap(member, subject)
        swap = outcome.swap
        text = i18n(
            "swap.taken_you",
            offerer=outcome.offerer.name,
            layer=layer_name(i18n, swap.layer),
            span=shift_span(i18n, swap.starts_at, swap.ends_at, zone),
        )
    elif verb == SwapVerb.UNDO:
        swap, offerer = await duty_desk.undo_swap(member, subject)
        text = i18n(
            "swap.undone_done",
            offerer=offerer,
            layer=layer_name(i18n, swap.layer),
            span=shift_span(i18n, swap.starts_at, swap.ends_at, zone),
        )
    elif verb == SwapVerb.DECLINE:
        await duty_desk.decline_swap(member, subject)
        text = i18n("swap.declined_done")
    else:
        await duty_desk.withdraw_swap(member, subject)
        text = i18n("swap.withdrawn")
    await query.answer()
    if isinstance(query.message, Message):
        await turn_into(query.message, text)


async def ask_for_handover_note(
    query: CallbackQuery,
    layer: DutyLayer,
    minute: int,
    member: MemberProfile,
    i18n: Localizer,
    duty_desk: DutyDesk,
    state: FSMContext,
) -> None:
    await duty_desk.check_handover(member, layer, instant_of(minute))
    await state.set_state(HandoverFlow.note)
    await write(state, HandoverData(layer=layer, minute=minute))
    await query.answer()
    if isinstance(query.message, Message):
        await query.message.answer(i18n("handover.ask"))


async def handover_note_typed(
    message: Message, member: MemberProfile, i18n: Localizer, duty_desk: DutyDesk, state: FSMContext
) -> None:
    note = (message.text or "").strip()
    if len(note) > NOTE_LIMIT:
        await message.answer(i18n("handover.too_long", limit=NOTE_LIMIT))
        return
    data = await read(state, HandoverData)
    incoming = await duty_desk.hand_over(member, data.layer, instant_of(data.minute), note)
    await state.clear()
    await message.answer(i18n("handover.sent", name=incoming.name))


async def handover_note_not_text(message: Message, i18n: Localizer) -> None:
    await message.answer(i18n("handover.text_only"))

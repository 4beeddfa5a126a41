"""/alert (a station head, or the member on duty, calls out the volunteers: type, area, message, meeting point,
headcount, a preview with how many it reaches, send), the volunteers' answers (出发 / 到达 / 无法前往), the sender's
buttons on the live tally (message those coming, stand down), /alerts, and /available."""

from aiogram import Bot, Dispatcher, F, Router
from aiogram.filters import Command, CommandObject, StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State
from aiogram.types import (
    CallbackQuery,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    KeyboardButton,
    Message,
    ReplyKeyboardMarkup,
)

from gridguard.callouts.callout_desk import (
    CalloutDesk,
    CalloutDraft,
    Opening,
    Pause,
    Preview,
    Say,
    parse_availability,
)
from gridguard.callouts.callout_lifecycle import ANSWER_OF_VERB, CalloutVerb
from gridguard.callouts.callout_texts import (
    answer_name,
    area_text,
    kind_name,
    record_line,
    report_block,
    until_text,
    what_is_said,
)
from gridguard.callouts.enums import CalloutKind
from gridguard.directory.members import MemberProfile
from gridguard.kernel.errors import DomainError
from gridguard.kernel.numbers import whole_number
from gridguard.kernel.times import local_time
from gridguard.reports.report_cards import CardButton
from gridguard.telegram.callbacks import pack_buttons
from gridguard.telegram.callouts.callbacks import AvailabilityChoice, CalloutAction, CalloutField, CalloutWizard
from gridguard.telegram.callouts.states import CalloutData, CalloutFlow, CalloutNoteData, CalloutNoteFlow
from gridguard.telegram.edits import remove_buttons, turn_into
from gridguard.telegram.filters import IN_PRIVATE, NOT_A_COMMAND, Known, Registered
from gridguard.telegram.keyboards import REMOVE_KEYBOARD
from gridguard.telegram.reports.callbacks import ReportAction
from gridguard.telegram.wizard import ask_again, editing, enter, marked, numbered, read, step_before, write
from i18n import Localizer, Raw, all_translations

KINDS = list(CalloutKind)
"""FSM data: the area is chosen again after a preview that reached nobody; done, the preview follows at once."""
NEEDED_CHOICES = (2, 5, 10, 20, 50)
VILLAGES_PER_ROW = 2


def router() -> Router:
    r = Router(name="callouts")
    r.message.filter(Known())
    r.callback_query.filter(Registered())
    r.message.register(alert_command, Command("alert"), IN_PRIVATE)
    r.message.register(alerts_command, Command("alerts"), IN_PRIVATE)
    r.message.register(available_command, Command("available"), IN_PRIVATE)
    r.callback_query.register(availability_pressed, AvailabilityChoice.filter())
    r.callback_query.register(call_out_from_card, ReportAction.filter(F.action == CardButton.CALL_OUT))
    r.callback_query.register(wizard_cancelled, CalloutWizard.filter(F.field == CalloutField.CANCEL))
    r.callback_query.register(wizard_back, StateFilter(CalloutFlow), CalloutWizard.filter(F.field == CalloutField.BACK))
    r.callback_query.register(kind_pressed, CalloutFlow.kind, CalloutWizard.filter(F.field == CalloutField.KIND))
    r.callback_query.register(area_pressed, CalloutFlow.area, CalloutWizard.filter())
    r.message.register(message_typed, CalloutFlow.message, F.text, NOT_A_COMMAND)
    r.callback_query.register(
        message_skipped, CalloutFlow.message, CalloutWizard.filter(F.field == CalloutField.NO_MESSAGE)
    )
    r.callback_query.register(
        message_kept, CalloutFlow.message, CalloutWizard.filter(F.field == CalloutField.KEEP_MESSAGE)
    )
    r.message.register(point_shared, CalloutFlow.point, F.location)
    r.message.register(point_skipped, CalloutFlow.point, F.text.in_(all_translations("callout.skip_point_button")))
    r.message.register(place_typed, CalloutFlow.point, F.text, NOT_A_COMMAND)
    r.callback_query.register(point_pressed, CalloutFlow.point, CalloutWizard.filter())
    r.callback_query.register(needed_pressed, CalloutFlow.needed, CalloutWizard.filter(F.field == CalloutField.NEEDED))
    r.message.register(needed_typed, CalloutFlow.needed, F.text, NOT_A_COMMAND)
    r.callback_query.register(send_pressed, CalloutFlow.preview, CalloutWizard.filter(F.field == CalloutField.SEND))
    r.callback_query.register(area_again, CalloutFlow.preview, CalloutWizard.filter(F.field == CalloutField.AREA_AGAIN))
    for step, key in (
        (CalloutFlow.kind, "callout.ask_kind"),
        (CalloutFlow.area, "callout.use_the_buttons"),
        (CalloutFlow.message, "callout.ask_message"),
        (CalloutFlow.point, "callout.ask_point"),
        (CalloutFlow.needed, "callout.ask_needed"),
        (CalloutFlow.preview, "callout.use_the_buttons"),
    ):
        r.message.register(ask_again(key), step, NOT_A_COMMAND)
    r.callback_query.register(callout_pressed, CalloutAction.filter())
    r.message.register(note_typed, CalloutNoteFlow.text, F.text, NOT_A_COMMAND)
    r.message.register(ask_again("callout.ask_note"), CalloutNoteFlow.text, NOT_A_COMMAND)
    return r


def wizard_button(text: str, field: CalloutField, value: int = 0) -> InlineKeyboardButton:
    return InlineKeyboardButton(text=text, callback_data=CalloutWizard(field=field, value=value).pack())


def cancel_row(i18n: Localizer) -> list[InlineKeyboardButton]:
    return [wizard_button(i18n("callout.cancel_button"), CalloutField.CANCEL)]


# --- the wizard ---------------------------------------------------------------------------------------


async def alert_command(
    message: Message, member: MemberProfile, i18n: Localizer, callout_desk: CalloutDesk, state: FSMContext
) -> None:
    opening = await callout_desk.opening(member)
    await state.clear()
    await begin(message.bot, message.chat.id, i18n, state, opening)


async def call_out_from_card(
    query: CallbackQuery,
    callback_data: ReportAction,
    member: MemberProfile,
    i18n: Localizer,
    callout_desk: CalloutDesk,
    dispatcher: Dispatcher,
    bot: Bot,
) -> None:
    """A critical report's "call out volunteers": the wizard in the presser's private chat, its area, message and
    kind taken from the report."""
    opening = await callout_desk.opening(member, callback_data.report_id)
    await query.answer()
    private = dispatcher.fsm.get_context(bot, chat_id=query.from_user.id, user_id=query.from_user.id)
    await private.clear()
    await begin(bot, query.from_user.id, i18n, private, opening)


async def begin(bot: Bot | None, chat_id: int, i18n: Localizer, state: FSMContext, opening: Opening) -> None:
    assert bot is not None
    data = CalloutData(
        township_id=opening.township_id,
        township=opening.township,
        all_villages=opening.villages,
        villages=[opening.village_id] if opening.village_id is not None else [],
        kind=opening.kind,
        report_point=opening.location,
        report_id=opening.report_id,
    )
    await write(state, data)
    if opening.kind is None:
        await ask_kind(bot, chat_id, i18n, state)
        return
    area = area_text(i18n, opening.township, data.area_names())
    report = Raw(report_block(i18n, opening.report) if opening.report else "")
    await bot.send_message(
        chat_id, i18n("callout.prefilled", kind=kind_name(i18n, opening.kind), area=area, report=report)
    )
    await ask_message(bot, chat_id, i18n, state)


async def numbered_step(
    state: FSMContext, to: State, i18n: Localizer, text: str
) -> tuple[str, list[list[InlineKeyboardButton]]]:
    """Enter step `to`: its text under its number, and the back button's row (none on the first step)."""
    number = await enter(state, to)
    back = [[wizard_button(i18n("wizard.back_button"), CalloutField.BACK)]] if number > 1 else []
    return numbered(i18n, number, (await read(state, CalloutData)).total_steps(), text), back


async def ask_kind(bot: Bot | None, chat_id: int, i18n: Localizer, state: FSMContext) -> None:
    assert bot is not None
    text, back = await numbered_step(state, CalloutFlow.kind, i18n, i18n("callout.ask_kind"))
    chosen = (await read(state, CalloutData)).kind
    rows = [
        [wizard_button(marked(i18n, kind_name(i18n, kind), kind == chosen), CalloutField.KIND, n)]
        for n, kind in enumerate(KINDS)
    ]
    markup = InlineKeyboardMarkup(inline_keyboard=[*rows, *back, cancel_row(i18n)])
    await bot.send_message(chat_id, text, reply_markup=markup)


async def ask_message(bot: Bot | None, chat_id: int, i18n: Localizer, state: FSMContext) -> None:
    """What to tell the volunteers; beside a report's own words, optional."""
    assert bot is not None
    data = await read(state, CalloutData)
    prompt = i18n("callout.ask_extra_message" if data.from_report else "callout.ask_message")
    if data.message:
        prompt += i18n("callout.message_so_far", message=data.message)
    text, back = await numbered_step(state, CalloutFlow.message, i18n, prompt)
    skip = (
        [[wizard_button(i18n("callout.no_extra_message_button"), CalloutField.NO_MESSAGE)]] if data.from_report else []
    )
    keep = [[wizard_button(i18n("callout.keep_message_button"), CalloutField.KEEP_MESSAGE)]] if data.message else []
    markup = InlineKeyboardMarkup(inline_keyboard=[*keep, *skip, *back, cancel_row(i18n)])
    await bot.send_message(chat_id, text, reply_markup=markup)


async def wizard_cancelled(query: CallbackQuery, i18n: Localizer, state: FSMContext) -> None:
    await state.clear()
    await query.answer()
    if isinstance(query.message, Message):
        await turn_into(query.message, i18n("callout.cancelled"))


async def wizard_back(query: CallbackQuery, member: MemberProfile, i18n: Localizer, state: FSMContext) -> None:
    """The step before, shown again with what was chosen or typed (nothing is lost); the pressed screen loses its
    buttons."""
    before = await step_before(state)
    if before not in SHOW_STEP:
        raise DomainError("wizard.nothing_before")
    await query.answer()
    if isinstance(query.message, Message):
        await remove_buttons(query.message)
    await SHOW_STEP[before](query.bot, query.from_user.id, i18n, state)


async def kind_pressed(query: CallbackQuery, callback_data: CalloutWizard, i18n: Localizer, state: FSMContext) -> None:
    if callback_data.value >= len(KINDS):
        raise DomainError("callout.use_the_buttons")
    async with editing(state, CalloutData) as data:
        data.kind = KINDS[callback_data.value]
    await query.answer()
    if isinstance(query.message, Message):
        await turn_into(query.message, i18n("callout.kind_set", kind=kind_name(i18n, KINDS[callback_data.value])))
    await ask_area(query.bot, query.from_user.id, i18n, state)


async def ask_area(bot: Bot | None, chat_id: int, i18n: Localizer, state: FSMContext) -> None:
    assert bot is not None
    await enter(state, CalloutFlow.area)
    text, markup = await area_screen(i18n, state)
    await bot.send_message(chat_id, text, reply_markup=markup)


async def area_screen(i18n: Localizer, state: FSMContext) -> tuple[str, InlineKeyboardMarkup]:
    """The whole township, or tap villages to choose them (tap again to take one out), then done."""
    data = await read(state, CalloutData)
    buttons = [
        wizard_button(("✅ " if v in data.villages else "") + name, CalloutField.VILLAGE, v)
        for v, name in data.all_villages
    ]
    rows = [[wizard_button(i18n("callout.whole_button", township=data.township), CalloutField.WHOLE)]]
    rows += [buttons[i : i + VILLAGES_PER_ROW] for i in range(0, len(buttons), VILLAGES_PER_ROW)]
    rows += [[wizard_button(i18n("callout.area_done_button"), CalloutField.AREA_DONE)]]
    rows += [[wizard_button(i18n("wizard.back_button"), CalloutField.BACK)], cancel_row(i18n)]
    text = i18n("callout.ask_area", chosen=area_text(i18n, data.township, data.area_names()))
    return numbered(i18n, len(data.trail), data.total_steps(), text), InlineKeyboardMarkup(inline_keyboard=rows)


async def area_pressed(
    query: CallbackQuery,
    callback_data: CalloutWizard,
    member: MemberProfile,
    i18n: Localizer,
    callout_desk: CalloutDesk,
    state: FSMContext,
) -> None:
    """Tap villages in or out, or take the whole township; done, on to the message (or, coming back from a
    preview that reached nobody, straight to the preview again)."""
    data = await read(state, CalloutData)
    chosen = data.villages
    field, value = callback_data.field, callback_data.value
    if field == CalloutField.VILLAGE:
        if value not in {v for v, _ in data.all_villages}:
            raise DomainError("callout.use_the_buttons")
        data.villages = [v for v in chosen if v != value] if value in chosen else [*chosen, value]
        await write(state, data)
        await query.answer()
        if isinstance(query.message, Message):
            await turn_into(query.message, *await area_screen(i18n, state))
        return
    if field not in (CalloutField.WHOLE, CalloutField.AREA_DONE):
        raise DomainError("callout.use_the_buttons")
    if field == CalloutField.WHOLE:
        data.villages = []
    back_to_preview, data.back_to_preview = data.back_to_preview, False
    await write(state, data)
    await query.answer()
    if not isinstance(query.message, Message):
        return
    await turn_into(query.message, i18n("callout.area_set", area=area_text(i18n, data.township, data.area_names())))
    if back_to_preview and data.needed is not None:
        await show_preview(query.message, member, i18n, callout_desk, state, data.needed)
        return
    await ask_message(query.message.bot, query.message.chat.id, i18n, state)


async def message_typed(message: Message, i18n: Localizer, callout_desk: CalloutDesk, state: FSMContext) -> None:
    async with editing(state, CalloutData) as data:
        data.message = callout_desk.check_message(message.text or "", data.from_report)
    await ask_point(message.bot, message.chat.id, i18n, state)


async def message_skipped(query: CallbackQuery, i18n: Localizer, state: FSMContext) -> None:
    """No words of the sender's own: the alert carries the report's."""
    data = await read(state, CalloutData)
    if not data.from_report:
        raise DomainError("callout.ask_message")
    data.message = ""
    await write(state, data)
    await query.answer()
    if isinstance(query.message, Message):
        await turn_into(query.message, i18n("callout.no_extra_message"))
        await ask_point(query.message.bot, query.message.chat.id, i18n, state)


async def message_kept(query: CallbackQuery, i18n: Localizer, state: FSMContext) -> None:
    """Back at the message step, go on with the message typed before."""
    if not (await read(state, CalloutData)).message:
        raise DomainError("callout.ask_message")
    await query.answer()
    if isinstance(query.message, Message):
        await remove_buttons(query.message)
    await ask_point(query.bot, query.from_user.id, i18n, state)


async def ask_point(bot: Bot | None, chat_id: int, i18n: Localizer, state: FSMContext) -> None:
    """The meeting point: share a location, type a place, use the report's, or go without one."""
    assert bot is not None
    text, back = await numbered_step(state, CalloutFlow.point, i18n, i18n("callout.ask_point"))
    keyboard = ReplyKeyboardMarkup(
        keyboard=[
            [KeyboardButton(text=i18n("callout.share_point_button"), request_location=True)],
            [KeyboardButton(text=i18n("callout.skip_point_button"))],
        ],
        resize_keyboard=True,
        one_time_keyboard=True,
    )
    await bot.send_message(chat_id, text, reply_markup=keyboard)
    data = await read(state, CalloutData)
    use_report = [[wizard_button(i18n("callout.report_point_button"), CalloutField.REPORT_POINT)]]
    rows = [*(use_report if data.report_point else []), *back, cancel_row(i18n)]
    key = "callout.or_report_point" if data.report_point else "callout.or_go_back"
    await bot.send_message(chat_id, i18n(key), reply_markup=InlineKeyboardMarkup(inline_keyboard=rows))


async def point_shared(
    message: Message, member: MemberProfile, i18n: Localizer, callout_desk: CalloutDesk, state: FSMContext
) -> None:
    assert message.location is not None
    latitude, longitude = message.location.latitude, message.location.longitude
    data = await read(state, CalloutData)
    await callout_desk.check_point(member, data.township_id, latitude, longitude)
    await meet_at(state, data, (latitude, longitude), None)
    await message.answer(i18n("callout.point_done"), reply_markup=REMOVE_KEYBOARD)
    await ask_needed(message.bot, message.chat.id, i18n, state)


async def point_skipped(message: Message, i18n: Localizer, state: FSMContext) -> None:
    await meet_at(state, await read(state, CalloutData), None, None)
    await message.answer(i18n("callout.point_done"), reply_markup=REMOVE_KEYBOARD)
    await ask_needed(message.bot, message.chat.id, i18n, state)


async def place_typed(message: Message, i18n: Localizer, callout_desk: CalloutDesk, state: FSMContext) -> None:
    """A meeting place in words (村委会门口), for a sender who has no pin to share."""
    place = callout_desk.check_meeting_place(message.text or "")
    await meet_at(state, await read(state, CalloutData), None, place)
    await message.answer(i18n("callout.point_done"), reply_markup=REMOVE_KEYBOARD)
    await ask_needed(message.bot, message.chat.id, i18n, state)


async def point_pressed(query: CallbackQuery, callback_data: CalloutWizard, i18n: Localizer, state: FSMContext) -> None:
    data = await read(state, CalloutData)
    if callback_data.field != CalloutField.REPORT_POINT or not data.report_point:
        raise DomainError("callout.ask_point")
    await meet_at(state, data, data.report_point, None)
    await query.answer()
    if isinstance(query.message, Message):
        await turn_into(query.message, i18n("callout.report_point_used"))
        await query.message.answer(i18n("callout.point_done"), reply_markup=REMOVE_KEYBOARD)
        await ask_needed(query.message.bot, query.message.chat.id, i18n, state)


async def meet_at(state: FSMContext, data: CalloutData, point: tuple[float, float] | None, place: str | None) -> None:
    """The meeting point: a location, or a place in words, or neither."""
    data.point, data.meeting_place = point, place
    await write(state, data)


async def ask_needed(bot: Bot | None, chat_id: int, i18n: Localizer, state: FSMContext) -> None:
    assert bot is not None
    text, back = await numbered_step(state, CalloutFlow.needed, i18n, i18n("callout.ask_needed"))
    chosen = (await read(state, CalloutData)).needed
    row = [wizard_button(marked(i18n, str(n), n == chosen), CalloutField.NEEDED, n) for n in NEEDED_CHOICES]
    markup = InlineKeyboardMarkup(inline_keyboard=[row, *back, cancel_row(i18n)])
    await bot.send_message(chat_id, text, reply_markup=markup)


SHOW_STEP = {
    CalloutFlow.kind.state: ask_kind,
    CalloutFlow.area.state: ask_area,
    CalloutFlow.message.state: ask_message,
    CalloutFlow.point.state: ask_point,
    CalloutFlow.needed.state: ask_needed,
}
"""Each step the wizard can go back to, shown again from the data."""


async def needed_pressed(
    query: CallbackQuery,
    callback_data: CalloutWizard,
    member: MemberProfile,
    i18n: Localizer,
    callout_desk: CalloutDesk,
    state: FSMContext,
) -> None:
    await query.answer()
    if isinstance(query.message, Message):
        await show_preview(query.message, member, i18n, callout_desk, state, callback_data.value)


async def needed_typed(
    message: Message, member: MemberProfile, i18n: Localizer, callout_desk: CalloutDesk, state: FSMContext
) -> None:
    needed = whole_number((message.text or "").strip(), 0, 999_999_999, DomainError("callout.ask_needed"))
    await show_preview(message, member, i18n, callout_desk, state, needed)


async def show_preview(
    message: Message,
    member: MemberProfile,
    i18n: Localizer,
    callout_desk: CalloutDesk,
    state: FSMContext,
    needed: int,
) -> None:
    """What will go out and to how many; refused (nothing is sent) when nobody in the area is available."""
    async with editing(state, CalloutData) as data:
        data.needed = needed
    draft = data.draft()
    preview = await callout_desk.preview(member, draft)
    if not preview.reaches:
        await state.set_state(CalloutFlow.preview)
        again = [wizard_button(i18n("callout.area_again_button"), CalloutField.AREA_AGAIN)]
        text = i18n("callout.nobody_available", unavailable=preview.unavailable, unreachable=preview.unreachable)
        markup = InlineKeyboardMarkup(inline_keyboard=[again, cancel_row(i18n)])
        await message.answer(f"{text}\n{i18n('callout.message_kept')}", reply_markup=markup)
        return
    text, back = await numbered_step(state, CalloutFlow.preview, i18n, preview_text(i18n, draft, preview))
    send = [wizard_button(i18n("callout.send_button", n=preview.reaches), CalloutField.SEND)]
    markup = InlineKeyboardMarkup(inline_keyboard=[send, *back, cancel_row(i18n)])
    await message.answer(text, reply_markup=markup)


async def area_again(query: CallbackQuery, i18n: Localizer, state: FSMContext) -> None:
    """Nobody to reach in the area chosen: choose again; the message and the meeting point are kept."""
    await enter(state, CalloutFlow.area)
    async with editing(state, CalloutData) as data:
        data.back_to_preview = True
    await query.answer()
    if isinstance(query.message, Message):
        await turn_into(query.message, *await area_screen(i18n, state))


def preview_text(i18n: Localizer, draft: CalloutDraft, preview: Preview) -> str:
    left_out = i18n("callout.left_out", unavailable=preview.unavailable, unreachable=preview.unreachable)
    point = draft.meeting_place or i18n("callout.preview_no_point")
    if draft.latitude is not None:
        point = i18n("callout.preview_point")
    return i18n(
        "callout.preview",
        kind=kind_name(i18n, draft.kind),
        area=area_text(i18n, preview.township, preview.villages),
        message=what_is_said(i18n, preview.report, draft.message, "\n"),
        point=point,
        needed=draft.needed,
        reaches=preview.reaches,
        left_out=Raw(left_out if preview.unavailable or preview.unreachable else ""),
        paid=Raw(i18n("callout.preview_paid") if preview.paid else ""),
    )


async def send_pressed(
    query: CallbackQuery, member: MemberProfile, i18n: Localizer, callout_desk: CalloutDesk, state: FSMContext
) -> None:
    draft = (await read(state, CalloutData)).draft()
    _callout, reached = await callout_desk.send(member, draft)
    await state.clear()
    await query.answer(i18n("callout.sent", n=reached))
    if isinstance(query.message, Message):
        await turn_into(query.message, i18n("callout.sent_screen", n=reached, kind=kind_name(i18n, draft.kind)))


# --- answers and the sender's buttons ------------------------------------------------------------------


async def callout_pressed(
    query: CallbackQuery,
    callback_data: CalloutAction,
    member: MemberProfile,
    i18n: Localizer,
    callout_desk: CalloutDesk,
    dispatcher: Dispatcher,
    bot: Bot,
) -> None:
    verb, callout_id = callback_data.action, callback_data.callout_id
    if verb in ANSWER_OF_VERB:
        await answer_pressed(query, member, i18n, callout_desk, callout_id, verb)
        return
    if verb == CalloutVerb.OPEN:
        tally = await callout_desk.live(member, callout_id)
        await query.answer()
        markup = pack_buttons(tally.buttons) if tally.buttons else None
        await bot.send_message(query.from_user.id, tally.text or "", reply_markup=markup)
        return
    await callout_desk.run_check(member, callout_id)
    await query.answer()
    if verb == CalloutVerb.KEEP_GOING:
        if isinstance(query.message, Message):
            await turn_into(query.message, i18n("callout.kept_going"))
    elif verb == CalloutVerb.MESSAGE:
        private = dispatcher.fsm.get_context(bot, chat_id=query.from_user.id, user_id=query.from_user.id)
        await private.set_state(CalloutNoteFlow.text)
        await write(private, CalloutNoteData(callout_id=callout_id))
        await bot.send_message(query.from_user.id, i18n("callout.ask_note"))
    elif verb == CalloutVerb.STAND_DOWN:
        confirm = InlineKeyboardButton(
            text=i18n("callout.confirm_stand_down_button"),
            callback_data=CalloutAction(action=CalloutVerb.CONFIRM_STAND_DOWN, callout_id=callout_id).pack(),
        )
        keep = InlineKeyboardButton(
            text=i18n("callout.keep_going_button"),
            callback_data=CalloutAction(action=CalloutVerb.KEEP_GOING, callout_id=callout_id).pack(),
        )
        markup = InlineKeyboardMarkup(inline_keyboard=[[confirm], [keep]])
        await bot.send_message(query.from_user.id, i18n("callout.confirm_stand_down"), reply_markup=markup)
    else:
        told = await callout_desk.stand_down(member, callout_id)
        if isinstance(query.message, Message):
            await turn_into(query.message, i18n("callout.stood_down_done", n=told))


async def answer_pressed(
    query: CallbackQuery,
    member: MemberProfile,
    i18n: Localizer,
    callout_desk: CalloutDesk,
    callout_id: int,
    verb: CalloutVerb,
) -> None:
    """Record the answer; the alert shows it (and keeps its buttons until they arrive)."""
    answered = await callout_desk.answer(member, callout_id, ANSWER_OF_VERB[verb])
    name = answer_name(i18n, answered.answer)
    follows = i18n("callout.point_follows") if answered.has_point and verb == CalloutVerb.ON_MY_WAY else ""
    await query.answer(i18n("callout.answer_recorded", answer=name) + follows)
    if not isinstance(query.message, Message):
        return
    marker = i18n("callout.your_answer", answer="")
    base = query.message.html_text.split(f"\n\n{marker}")[0]
    markup = query.message.reply_markup if verb != CalloutVerb.ARRIVED else None
    if markup is None:
        base = base.replace(i18n("callout.answer_prompt"), "")
    await turn_into(query.message, f"{base}\n\n{i18n('callout.your_answer', answer=name)}", markup)


async def note_typed(
    message: Message, member: MemberProfile, i18n: Localizer, callout_desk: CalloutDesk, state: FSMContext
) -> None:
    callout_id = (await read(state, CalloutNoteData)).callout_id
    told = await callout_desk.message_coming(member, callout_id, message.text or "")
    await state.clear()
    await message.answer(i18n("callout.note_sent", n=told))


# --- /alerts and /available ---------------------------------------------------------------------------


async def alerts_command(message: Message, member: MemberProfile, i18n: Localizer, callout_desk: CalloutDesk) -> None:
    """/alerts: the latest call-outs; a button to open each live one the member runs (its tally and stand-down)."""
    recent = await callout_desk.recent(member)
    lines = [record_line(i18n, r, callout_desk.zone) for r in recent.records] or [i18n("callout.list_none")]
    rows = [
        [
            InlineKeyboardButton(
                text=i18n(
                    "callout.open_button",
                    kind=kind_name(i18n, c.kind),
                    when=local_time(c.created_at, callout_desk.zone),
                ),
                callback_data=CalloutAction(action=CalloutVerb.OPEN, callout_id=c.id or 0).pack(),
            )
        ]
        for c in recent.live
    ]
    markup = InlineKeyboardMarkup(inline_keyboard=rows) if rows else None
    await message.answer("\n\n".join([i18n("callout.list_header"), *lines]), reply_markup=markup)


PAUSE_KEYS = {
    Pause.TWO_HOURS: "available.pause_2h_button",
    Pause.EIGHT_HOURS: "available.pause_8h_button",
    Pause.TILL_MORNING: "available.pause_morning_button",
    Pause.OPEN: "available.off_button",
}


def availability_screen(i18n: Localizer, say: Say, callout_desk: CalloutDesk) -> tuple[str, InlineKeyboardMarkup]:
    """The member's say, then 接收 and the pauses: for two hours, eight, till 08:00 tomorrow, or until resumed."""
    until = until_text(say.until, callout_desk.zone)
    now = i18n("available.now_on") if say.available else i18n("available.now_off")
    text = now + (i18n("available.until", until=until) if until else "")

    def choice(key: str, available: bool, pause: Pause = Pause.OPEN) -> InlineKeyboardButton:
        data = AvailabilityChoice(available=available, pause=pause).pack()
        return InlineKeyboardButton(text=i18n(key), callback_data=data)

    pauses = [choice(PAUSE_KEYS[p], False, p) for p in (Pause.TWO_HOURS, Pause.EIGHT_HOURS, Pause.TILL_MORNING)]
    rows = [[choice("available.on_button", True)], pauses[:2], pauses[2:], [choice(PAUSE_KEYS[Pause.OPEN], False)]]
    return f"{text}\n\n{i18n('available.usage')}", InlineKeyboardMarkup(inline_keyboard=rows)


async def available_command(
    message: Message, member: MemberProfile, i18n: Localizer, callout_desk: CalloutDesk, command: CommandObject
) -> None:
    """/available shows the member's say with two buttons; /available on|off [until 18:00] sets it."""
    if command.args:
        available, until = parse_availability(command.args, callout_desk.clock.now(), callout_desk.zone)
        say = await callout_desk.set_availability(member, available, until)
    else:
        say = await callout_desk.availability(member)
    text, markup = availability_screen(i18n, say, callout_desk)
    await message.answer(text, reply_markup=markup)


async def availability_pressed(
    query: CallbackQuery,
    callback_data: AvailabilityChoice,
    member: MemberProfile,
    i18n: Localizer,
    callout_desk: CalloutDesk,
) -> None:
    if callback_data.available:
        say = await callout_desk.set_availability(member, True, None)
    else:
        say = await callout_desk.pause(member, callback_data.pause)
    await query.answer(i18n("available.saved"))
    if isinstance(query.message, Message):
        await turn_into(query.message, *availability_screen(i18n, say, callout_desk))

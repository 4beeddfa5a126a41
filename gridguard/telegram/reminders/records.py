"""Recording a meeting, inspection or drill after it: held or not; if held, who attended (pre-filled from the
RSVPs, a tap each to change), notes, for a drill its scenario and the problems found, and photos. /records reads
them back later, a page of records at a time."""

from aiogram import Bot, F, Router
from aiogram.filters import Command
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State
from aiogram.types import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Message

from gridguard.directory.members import MemberProfile
from gridguard.kernel.errors import StaleButton
from gridguard.kernel.fitting import BUTTON_PAGE, page_of
from gridguard.reminders.reminder_desk import Record, ReminderDesk
from gridguard.reminders.reminder_texts import record_line_label, record_text
from gridguard.telegram.edits import turn_into
from gridguard.telegram.filters import IN_PRIVATE, NOT_A_COMMAND, Known, Registered
from gridguard.telegram.keyboards import pager_row
from gridguard.telegram.reminders.callbacks import (
    STEP_BUTTONS,
    AttendanceToggle,
    AttendanceView,
    RecordAction,
    RecordOpen,
    RecordsPage,
    RecordStep,
    RecordStepVerb,
)
from gridguard.telegram.reminders.states import ALL_PLACES, RecordData, RecordFlow
from gridguard.telegram.wizard import read, write
from i18n import Localizer

TEXT_LIMIT = 1000
PHOTO_LIMIT = 10


def router() -> Router:
    r = Router(name="records")
    r.message.filter(Known())
    r.callback_query.filter(Registered())
    r.message.register(records_command, Command("records"), IN_PRIVATE)
    r.callback_query.register(records_paged, RecordsPage.filter())
    r.callback_query.register(record_opened, RecordOpen.filter())
    r.callback_query.register(record_pressed, RecordAction.filter())
    r.callback_query.register(attendance_toggled, RecordFlow.attendance, AttendanceToggle.filter())
    r.callback_query.register(attendance_moved, RecordFlow.attendance, AttendanceView.filter())
    r.callback_query.register(step_pressed, RecordFlow.attendance, RecordStep.filter(F.action == RecordStepVerb.NEXT))
    for state in (RecordFlow.notes, RecordFlow.scenario, RecordFlow.problems):
        r.message.register(text_typed, state, F.text, NOT_A_COMMAND)
        r.callback_query.register(text_skipped, state, RecordStep.filter(F.action == RecordStepVerb.SKIP))
    r.message.register(photo_sent, RecordFlow.photos, F.photo)
    r.callback_query.register(done_pressed, RecordFlow.photos, RecordStep.filter(F.action == RecordStepVerb.DONE))
    return r


def step_button(text: str, verb: RecordStepVerb) -> list[InlineKeyboardButton]:
    return [InlineKeyboardButton(text=text, callback_data=RecordStep(action=verb).pack())]


def places_of(people: list[tuple[int, str, str]]) -> list[str]:
    """The villages (and the township, for the station's staff) of those who could have come, in roll order."""
    return list(dict.fromkeys(place for _, _, place in people))


def name_button(member_id: int, name: str, attended: set[int]) -> list[InlineKeyboardButton]:
    text = ("✅ " if member_id in attended else "▫️ ") + name
    return [InlineKeyboardButton(text=text, callback_data=AttendanceToggle(member_id=member_id).pack())]


def view_button(text: str, place: int, page: int) -> InlineKeyboardButton:
    return InlineKeyboardButton(text=text, callback_data=AttendanceView(place=place, page=page).pack())


def view_pager(i18n: Localizer, place: int, page: int, pages: int) -> list[InlineKeyboardButton]:
    return pager_row(i18n, page, pages, lambda to: AttendanceView(place=place, page=to).pack())


def attendance_screen(i18n: Localizer, data: RecordData) -> tuple[str, InlineKeyboardMarkup]:
    """Who attended: everyone's name as a button in a small township; in a large one the villages first (with how
    many are ticked), then one village's names, a page at a time."""
    people, attended, place, page = data.people, set(data.attended), data.place, data.page
    text = i18n("record.attendance", title=data.title, count=len(attended))
    if len(people) <= BUTTON_PAGE:
        rows = [name_button(member_id, name, attended) for member_id, name, _ in people]
    elif place == ALL_PLACES:
        rows, text = places_rows(i18n, people, attended, page), text + i18n("record.attendance_by_place")
    else:
        name = places_of(people)[place]
        here = [(member_id, person) for member_id, person, where in people if where == name]
        shown, page, pages = page_of(here, page)
        rows = [name_button(member_id, person, attended) for member_id, person in shown]
        rows += [view_pager(i18n, place, page, pages), [view_button(i18n("record.back_to_places"), ALL_PLACES, 0)]]
        text += i18n("record.attendance_page", place=name, page=page + 1, pages=pages)
    rows.append(step_button(i18n("record.next_button"), RecordStepVerb.NEXT))
    return text, InlineKeyboardMarkup(inline_keyboard=[row for row in rows if row])


def places_rows(
    i18n: Localizer, people: list[tuple[int, str, str]], attended: set[int], page: int
) -> list[list[InlineKeyboardButton]]:
    places = places_of(people)
    shown, page, pages = page_of(list(enumerate(places)), page)
    rows = []
    for index, name in shown:
        here = [member_id for member_id, _, where in people if where == name]
        ticked = sum(1 for member_id in here if member_id in attended)
        label = i18n("record.place_button", place=name, ticked=ticked, total=len(here))
        rows.append([view_button(label, index, 0)])
    rows.append(view_pager(i18n, ALL_PLACES, page, pages))
    return rows


async def record_pressed(
    query: CallbackQuery,
    callback_data: RecordAction,
    member: MemberProfile,
    i18n: Localizer,
    reminder_desk: ReminderDesk,
    state: FSMContext,
) -> None:
    start = await reminder_desk.start_record(member, callback_data.occurrence_id, callback_data.held)
    await query.answer()
    message = query.message if isinstance(query.message, Message) else None
    if start is None:
        if message:
            await turn_into(message, i18n("record.not_held_saved"))
        return
    data = RecordData(
        occurrence=callback_data.occurrence_id,
        title=start.title,
        drill=start.drill,
        people=start.people,
        attended=start.attending,
    )
    await state.set_state(RecordFlow.attendance)
    await write(state, data)
    if message:
        await turn_into(message, *attendance_screen(i18n, data))


async def attendance_toggled(
    query: CallbackQuery, callback_data: AttendanceToggle, i18n: Localizer, state: FSMContext
) -> None:
    data = await read(state, RecordData)
    if callback_data.member_id not in {member_id for member_id, _, _ in data.people}:
        raise StaleButton()
    data.attended = sorted(set(data.attended) ^ {callback_data.member_id})
    await write(state, data)
    await query.answer()
    if isinstance(query.message, Message):
        await turn_into(query.message, *attendance_screen(i18n, data))


async def attendance_moved(
    query: CallbackQuery, callback_data: AttendanceView, i18n: Localizer, state: FSMContext
) -> None:
    """To the villages, to one village's names, or to another page of them."""
    data = await read(state, RecordData)
    if callback_data.place >= len(places_of(data.people)):
        raise StaleButton()
    data.place, data.page = callback_data.place, callback_data.page
    await write(state, data)
    await query.answer()
    if isinstance(query.message, Message):
        await turn_into(query.message, *attendance_screen(i18n, data))


async def ask(
    event: CallbackQuery | Message, i18n: Localizer, state: FSMContext, to: State, key: str, verb: RecordStepVerb
) -> None:
    """The next step's question, with its button: skip a text, or finish with the photos."""
    await state.set_state(to)
    text = i18n(key, limit=PHOTO_LIMIT)
    markup = InlineKeyboardMarkup(inline_keyboard=[step_button(i18n(STEP_BUTTONS(verb)), verb)])
    message = event if isinstance(event, Message) else event.message
    if isinstance(event, CallbackQuery):
        await event.answer()
    if isinstance(message, Message):
        await message.answer(text, reply_markup=markup)


async def step_pressed(query: CallbackQuery, i18n: Localizer, state: FSMContext) -> None:
    await ask(query, i18n, state, RecordFlow.notes, "record.ask_notes", RecordStepVerb.SKIP)


async def text_typed(message: Message, i18n: Localizer, state: FSMContext) -> None:
    text = (message.text or "").strip()
    if len(text) > TEXT_LIMIT:
        await message.answer(i18n("record.too_long", limit=TEXT_LIMIT))
        return
    await next_step(message, i18n, state, text)


async def text_skipped(query: CallbackQuery, i18n: Localizer, state: FSMContext) -> None:
    await next_step(query, i18n, state, None)


async def next_step(event: CallbackQuery | Message, i18n: Localizer, state: FSMContext, text: str | None) -> None:
    """Keep what was typed for this step, then ask the next: a drill asks its scenario and problems too."""
    current = await state.get_state()
    data = await read(state, RecordData)
    if current == RecordFlow.notes.state:
        data.notes = text
    elif current == RecordFlow.scenario.state:
        data.scenario = text
    else:
        data.problems = text
    await write(state, data)
    if current == RecordFlow.notes.state and data.drill:
        await ask(event, i18n, state, RecordFlow.scenario, "record.ask_scenario", RecordStepVerb.SKIP)
    elif current == RecordFlow.scenario.state:
        await ask(event, i18n, state, RecordFlow.problems, "record.ask_problems", RecordStepVerb.SKIP)
    else:
        await ask(event, i18n, state, RecordFlow.photos, "record.ask_photos", RecordStepVerb.DONE)


async def photo_sent(message: Message, i18n: Localizer, state: FSMContext) -> None:
    data = await read(state, RecordData)
    if len(data.photos) >= PHOTO_LIMIT or not message.photo:
        await message.answer(i18n("record.photo_limit", limit=PHOTO_LIMIT))
        return
    data.photos = [*data.photos, message.photo[-1].file_id]
    await write(state, data)
    await message.answer(i18n("record.photo_kept", n=len(data.photos)))


async def done_pressed(
    query: CallbackQuery, member: MemberProfile, i18n: Localizer, reminder_desk: ReminderDesk, state: FSMContext
) -> None:
    data = await read(state, RecordData)
    record = Record(data.attended, data.notes, data.photos, data.scenario, data.problems)
    title = await reminder_desk.save_record(member, data.occurrence, record)
    await state.clear()
    await query.answer()
    if isinstance(query.message, Message):
        await turn_into(query.message, i18n("record.saved", title=title, count=len(record.attended)))


# --- /records: reading them later ------------------------------------------------------------------


async def records_screen(
    member: MemberProfile, i18n: Localizer, reminder_desk: ReminderDesk, page: int
) -> tuple[str, InlineKeyboardMarkup | None]:
    """The township's records, newest first: a button each, a page at a time."""
    view = await reminder_desk.records(member)
    lines = view.lines
    if not lines:
        return i18n("record.list_none"), None
    shown, page, pages = page_of(lines, page, BUTTON_PAGE)
    rows = [
        [
            InlineKeyboardButton(
                text=record_line_label(i18n, line, reminder_desk.zone),
                callback_data=RecordOpen(occurrence_id=line.occurrence_id).pack(),
            )
        ]
        for line in shown
    ]
    pager = pager_row(i18n, page, pages, lambda to: RecordsPage(page=to).pack())
    markup = InlineKeyboardMarkup(inline_keyboard=[*rows, pager] if pager else rows)
    return i18n("record.list_header", township=view.township, count=len(lines)), markup


async def records_command(
    message: Message, member: MemberProfile, i18n: Localizer, reminder_desk: ReminderDesk
) -> None:
    text, markup = await records_screen(member, i18n, reminder_desk, 0)
    await message.answer(text, reply_markup=markup)


async def records_paged(
    query: CallbackQuery,
    callback_data: RecordsPage,
    member: MemberProfile,
    i18n: Localizer,
    reminder_desk: ReminderDesk,
) -> None:
    text, markup = await records_screen(member, i18n, reminder_desk, callback_data.page)
    await query.answer()
    if isinstance(query.message, Message):
        await turn_into(query.message, text, markup)


async def record_opened(
    query: CallbackQuery,
    callback_data: RecordOpen,
    member: MemberProfile,
    i18n: Localizer,
    reminder_desk: ReminderDesk,
    bot: Bot,
) -> None:
    """The record in the presser's chat, then its photos."""
    view = await reminder_desk.record(member, callback_data.occurrence_id)
    await query.answer()
    await bot.send_message(query.from_user.id, record_text(i18n, view, reminder_desk.zone))
    for photo in view.photos:
        await bot.send_photo(query.from_user.id, photo)

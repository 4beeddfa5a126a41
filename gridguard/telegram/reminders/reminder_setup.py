"""/reminders' wizard: a station head adds a rule or changes one with buttons — what it is, how it repeats, at what
time, what a public holiday does, and (typed, or skipped) where — sees its next dates and saves. Nobody types an
RRULE."""

from aiogram import F, Router
from aiogram.filters import StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State
from aiogram.types import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Message

from gridguard.directory.members import MemberProfile
from gridguard.kernel.errors import DomainError, StaleButton
from gridguard.kernel.numbers import clock_minutes
from gridguard.reminders.enums import HOLIDAY_HANDLING_NAMES, KIND_TITLES, HolidayHandling, RuleKind
from gridguard.reminders.reminder_desk import ReminderDesk
from gridguard.reminders.reminder_texts import leads_text, repeat_text, when_text
from gridguard.reminders.rule_setup import LAST, LEAD_CHOICES, MAX_DAY, Frequency, Repeat
from gridguard.telegram.edits import turn_into
from gridguard.telegram.filters import NOT_A_COMMAND, Known, Registered
from gridguard.telegram.reminders.callbacks import RuleField, RuleWizard
from gridguard.telegram.reminders.states import RuleData, RuleFlow
from gridguard.telegram.wizard import editing, enter, marked, numbered, read, step_before, write
from i18n import Keys, Localizer, Raw

KINDS = tuple(RuleKind)
FREQUENCIES = tuple(Frequency)
HOLIDAY_CHOICES = tuple(HolidayHandling)
ORDINALS = (1, 2, 3, 4, LAST)
ORDINAL_NAMES = Keys("reminders.ordinal_{}", (1, 2, 3, 4, "last"))
FREQUENCY_NAMES = Keys("reminders.frequency_{}", Frequency)
LEAD_NAMES = Keys("reminders.leads_{}", range(len(LEAD_CHOICES)))
TIMES = (8 * 60, 8 * 60 + 30, 9 * 60, 9 * 60 + 30, 10 * 60, 14 * 60, 14 * 60 + 30, 15 * 60, 16 * 60)
TITLE_LIMIT = 60
PLACE_LIMIT = 100
NEXT_STEP = {
    Frequency.WEEKLY: RuleFlow.weekday,
    Frequency.MONTHLY_WEEKDAY: RuleFlow.ordinal,
    Frequency.MONTHLY_DAY: RuleFlow.day,
    Frequency.QUARTERLY: RuleFlow.day,
    Frequency.HALF_YEARLY: RuleFlow.day,
}


def router() -> Router:
    r = Router(name="reminder_setup")
    r.message.filter(Known())
    r.callback_query.filter(Registered())
    field = RuleWizard.filter
    r.callback_query.register(add_pressed, field(F.field == RuleField.ADD))
    r.callback_query.register(edit_pressed, field(F.field == RuleField.EDIT))
    r.callback_query.register(cancel_pressed, StateFilter(RuleFlow), field(F.field == RuleField.CANCEL))
    r.callback_query.register(back_pressed, StateFilter(RuleFlow), field(F.field == RuleField.BACK))
    r.callback_query.register(kind_pressed, RuleFlow.kind, field(F.field == RuleField.KIND))
    r.message.register(title_typed, RuleFlow.title, F.text, NOT_A_COMMAND)
    r.callback_query.register(frequency_pressed, RuleFlow.frequency, field(F.field == RuleField.FREQUENCY))
    r.callback_query.register(ordinal_pressed, RuleFlow.ordinal, field(F.field == RuleField.ORDINAL))
    r.callback_query.register(weekday_pressed, RuleFlow.weekday, field(F.field == RuleField.WEEKDAY))
    r.callback_query.register(day_pressed, RuleFlow.day, field(F.field == RuleField.DAY))
    r.callback_query.register(time_pressed, RuleFlow.time, field(F.field == RuleField.TIME))
    r.message.register(time_typed, RuleFlow.time, F.text, NOT_A_COMMAND)
    r.callback_query.register(holidays_pressed, RuleFlow.holidays, field(F.field == RuleField.HOLIDAYS))
    r.callback_query.register(leads_pressed, RuleFlow.leads, field(F.field == RuleField.LEADS))
    r.callback_query.register(place_skipped, RuleFlow.place, field(F.field == RuleField.PLACE))
    r.message.register(place_typed, RuleFlow.place, F.text, NOT_A_COMMAND)
    r.callback_query.register(save_pressed, RuleFlow.preview, field(F.field == RuleField.SAVE))
    return r


def wizard_button(text: str, field: RuleField, value: int = 0) -> InlineKeyboardButton:
    return InlineKeyboardButton(text=text, callback_data=RuleWizard(field=field, value=value).pack())


def choice(i18n: Localizer, text: str, field: RuleField, value: int, current: object) -> InlineKeyboardButton:
    """A choice, marked when it is the one made so far (going back, or editing a rule)."""
    return wizard_button(marked(i18n, text, current == value), field, value)


def in_rows(buttons: list[InlineKeyboardButton], width: int) -> list[list[InlineKeyboardButton]]:
    return [buttons[i : i + width] for i in range(0, len(buttons), width)]


async def show(query_or_message: CallbackQuery | Message, text: str, markup: InlineKeyboardMarkup | None) -> None:
    """A step's screen: edit the pressed message, or answer a typed one."""
    if isinstance(query_or_message, Message):
        await query_or_message.answer(text, reply_markup=markup)
        return
    await query_or_message.answer()
    if isinstance(query_or_message.message, Message):
        await turn_into(query_or_message.message, text, markup)


async def step(
    event: CallbackQuery | Message,
    i18n: Localizer,
    state: FSMContext,
    to: State,
    text: str,
    rows: list[list[InlineKeyboardButton]],
) -> None:
    """Show a step: numbered, its choices, then back (past the first step) and cancel."""
    number = await enter(state, to)
    total = (await read(state, RuleData)).total_steps()
    back = [[wizard_button(i18n("wizard.back_button"), RuleField.BACK)]] if number > 1 else []
    cancel = [wizard_button(i18n("roster.cancel_button"), RuleField.CANCEL)]
    markup = InlineKeyboardMarkup(inline_keyboard=[*rows, *back, cancel])
    await show(event, numbered(i18n, number, total, text), markup)


# --- starting -------------------------------------------------------------------------------------


async def add_pressed(
    query: CallbackQuery, member: MemberProfile, i18n: Localizer, reminder_desk: ReminderDesk, state: FSMContext
) -> None:
    reminder_desk.check_may_add(member)
    await write(state, RuleData())
    await ask_kind(query, i18n, state)


async def ask_kind(event: CallbackQuery | Message, i18n: Localizer, state: FSMContext) -> None:
    kind = (await read(state, RuleData)).kind
    current = KINDS.index(kind) if kind else None
    buttons = [choice(i18n, i18n(KIND_TITLES(k)), RuleField.KIND, i, current) for i, k in enumerate(KINDS)]
    await step(event, i18n, state, RuleFlow.kind, i18n("reminders.pick_kind"), in_rows(buttons, 1))


async def edit_pressed(
    query: CallbackQuery,
    callback_data: RuleWizard,
    member: MemberProfile,
    i18n: Localizer,
    reminder_desk: ReminderDesk,
    state: FSMContext,
) -> None:
    """Change a rule, starting from how often, with its current values marked at each step."""
    rule = await reminder_desk.check_keeper(member, callback_data.value)
    data = RuleData(
        rule_id=rule.id,
        seen_version=rule.version,
        kind=rule.kind,
        title=rule.title,
        place=rule.place,
        holidays=rule.holidays,
        editing=i18n("reminders.editing", title=rule.title, repeat=repeat_text(i18n, rule.rrule)),
    )
    repeat = Repeat.of_rrule(rule.rrule)
    if repeat is not None:
        data.frequency, data.minutes = repeat.frequency, repeat.minutes
        data.weekday, data.ordinal, data.day = repeat.weekday, repeat.ordinal, repeat.day
    if tuple(rule.leads) in LEAD_CHOICES:
        data.leads = LEAD_CHOICES.index(tuple(rule.leads))
    await write(state, data)
    await ask_frequency(query, i18n, state)


async def cancel_pressed(query: CallbackQuery, i18n: Localizer, state: FSMContext) -> None:
    await state.clear()
    await show(query, i18n("reminders.setup_cancelled"), None)


async def back_pressed(query: CallbackQuery, i18n: Localizer, state: FSMContext) -> None:
    """The step before, as it was answered (the answer marked); nothing chosen is lost."""
    before = await step_before(state)
    if before not in SHOW_STEP:
        raise DomainError("wizard.nothing_before")
    await SHOW_STEP[before](query, i18n, state)


# --- what, how often, when ------------------------------------------------------------------------


async def kind_pressed(query: CallbackQuery, callback_data: RuleWizard, i18n: Localizer, state: FSMContext) -> None:
    if not 0 <= callback_data.value < len(KINDS):
        raise StaleButton()
    kind = KINDS[callback_data.value]
    async with editing(state, RuleData) as data:
        data.kind, data.title = kind, i18n(KIND_TITLES(kind))
    if kind == RuleKind.OTHER:
        await ask_title(query, i18n, state)
        return
    await ask_frequency(query, i18n, state)


async def ask_title(event: CallbackQuery | Message, i18n: Localizer, state: FSMContext) -> None:
    await step(event, i18n, state, RuleFlow.title, i18n("reminders.ask_title", limit=TITLE_LIMIT), [])


async def title_typed(message: Message, i18n: Localizer, state: FSMContext) -> None:
    title = (message.text or "").strip()
    if not title or len(title) > TITLE_LIMIT:
        await message.answer(i18n("reminders.ask_title", limit=TITLE_LIMIT))
        return
    async with editing(state, RuleData) as data:
        data.title = title
    await ask_frequency(message, i18n, state)


async def ask_frequency(event: CallbackQuery | Message, i18n: Localizer, state: FSMContext) -> None:
    data = await read(state, RuleData)
    current = FREQUENCIES.index(data.frequency) if data.frequency else None
    buttons = [
        choice(i18n, i18n(FREQUENCY_NAMES(f)), RuleField.FREQUENCY, i, current) for i, f in enumerate(FREQUENCIES)
    ]
    text = data.editing + i18n("reminders.pick_frequency", title=data.title)
    await step(event, i18n, state, RuleFlow.frequency, text, in_rows(buttons, 1))


async def frequency_pressed(
    query: CallbackQuery, callback_data: RuleWizard, i18n: Localizer, state: FSMContext
) -> None:
    if not 0 <= callback_data.value < len(FREQUENCIES):
        raise StaleButton()
    frequency = FREQUENCIES[callback_data.value]
    async with editing(state, RuleData) as data:
        data.frequency = frequency
    await SHOW_STEP[NEXT_STEP[frequency].state or ""](query, i18n, state)


async def ask_ordinal(event: CallbackQuery | Message, i18n: Localizer, state: FSMContext) -> None:
    current = (await read(state, RuleData)).ordinal
    names = [i18n(ORDINAL_NAMES("last" if n == LAST else n)) for n in ORDINALS]
    buttons = [choice(i18n, name, RuleField.ORDINAL, n, current) for name, n in zip(names, ORDINALS, strict=True)]
    await step(event, i18n, state, RuleFlow.ordinal, i18n("reminders.pick_ordinal"), in_rows(buttons, 5))


async def ask_day(event: CallbackQuery | Message, i18n: Localizer, state: FSMContext) -> None:
    current = (await read(state, RuleData)).day
    buttons = [choice(i18n, str(d), RuleField.DAY, d, current) for d in range(1, MAX_DAY + 1)]
    await step(event, i18n, state, RuleFlow.day, i18n("reminders.pick_day"), in_rows(buttons, 7))


async def ask_weekday(event: CallbackQuery | Message, i18n: Localizer, state: FSMContext) -> None:
    current = (await read(state, RuleData)).weekday
    names = i18n("onduty.weekdays").split(",")
    buttons = [choice(i18n, name, RuleField.WEEKDAY, i, current) for i, name in enumerate(names)]
    await step(event, i18n, state, RuleFlow.weekday, i18n("reminders.pick_weekday"), in_rows(buttons, 7))


async def ordinal_pressed(query: CallbackQuery, callback_data: RuleWizard, i18n: Localizer, state: FSMContext) -> None:
    if callback_data.value not in ORDINALS:
        raise StaleButton()
    async with editing(state, RuleData) as data:
        data.ordinal = callback_data.value
    await ask_weekday(query, i18n, state)


async def weekday_pressed(query: CallbackQuery, callback_data: RuleWizard, i18n: Localizer, state: FSMContext) -> None:
    if not 0 <= callback_data.value < 7:
        raise StaleButton()
    async with editing(state, RuleData) as data:
        data.weekday = callback_data.value
    await ask_time(query, i18n, state)


async def day_pressed(query: CallbackQuery, callback_data: RuleWizard, i18n: Localizer, state: FSMContext) -> None:
    if not 1 <= callback_data.value <= MAX_DAY:
        raise StaleButton()
    async with editing(state, RuleData) as data:
        data.day = callback_data.value
    await ask_time(query, i18n, state)


async def ask_time(event: CallbackQuery | Message, i18n: Localizer, state: FSMContext) -> None:
    current = (await read(state, RuleData)).minutes
    buttons = [choice(i18n, f"{m // 60:02d}:{m % 60:02d}", RuleField.TIME, m, current) for m in TIMES]
    text = i18n("reminders.pick_time")
    if current is not None and current not in TIMES:
        text += i18n("reminders.current_time", time=f"{current // 60:02d}:{current % 60:02d}")
    await step(event, i18n, state, RuleFlow.time, text, in_rows(buttons, 3))


async def time_pressed(query: CallbackQuery, callback_data: RuleWizard, i18n: Localizer, state: FSMContext) -> None:
    if not 0 <= callback_data.value < 24 * 60:
        raise StaleButton()
    async with editing(state, RuleData) as data:
        data.minutes = callback_data.value
    await ask_holidays(query, i18n, state)


async def time_typed(message: Message, i18n: Localizer, state: FSMContext) -> None:
    minutes = clock_minutes(message.text or "")
    if minutes is None:
        await message.answer(i18n("roster.bad_time"))
        return
    async with editing(state, RuleData) as data:
        data.minutes = minutes
    await ask_holidays(message, i18n, state)


async def ask_holidays(event: CallbackQuery | Message, i18n: Localizer, state: FSMContext) -> None:
    held = (await read(state, RuleData)).holidays
    current = HOLIDAY_CHOICES.index(held) if held else None
    buttons = [
        choice(i18n, i18n(HOLIDAY_HANDLING_NAMES(h)), RuleField.HOLIDAYS, i, current)
        for i, h in enumerate(HOLIDAY_CHOICES)
    ]
    await step(event, i18n, state, RuleFlow.holidays, i18n("reminders.pick_holidays"), in_rows(buttons, 1))


async def ask_leads(event: CallbackQuery | Message, i18n: Localizer, state: FSMContext) -> None:
    current = (await read(state, RuleData)).leads
    buttons = [choice(i18n, i18n(LEAD_NAMES(i)), RuleField.LEADS, i, current) for i in range(len(LEAD_CHOICES))]
    await step(event, i18n, state, RuleFlow.leads, i18n("reminders.pick_leads"), in_rows(buttons, 1))


async def ask_place(event: CallbackQuery | Message, i18n: Localizer, state: FSMContext) -> None:
    place = (await read(state, RuleData)).place
    text = i18n("reminders.pick_place", limit=PLACE_LIMIT)
    if place:
        text += i18n("reminders.current_place", place=place)
    key = "reminders.place_keep" if place else "reminders.place_skip"
    await step(event, i18n, state, RuleFlow.place, text, [[wizard_button(i18n(key), RuleField.PLACE)]])


SHOW_STEP = {
    RuleFlow.kind.state: ask_kind,
    RuleFlow.title.state: ask_title,
    RuleFlow.frequency.state: ask_frequency,
    RuleFlow.ordinal.state: ask_ordinal,
    RuleFlow.weekday.state: ask_weekday,
    RuleFlow.day.state: ask_day,
    RuleFlow.time.state: ask_time,
    RuleFlow.holidays.state: ask_holidays,
    RuleFlow.leads.state: ask_leads,
    RuleFlow.place.state: ask_place,
}
"""Each step the wizard can go back to, shown again from the data."""


# --- preview and save -----------------------------------------------------------------------------


async def holidays_pressed(
    query: CallbackQuery,
    callback_data: RuleWizard,
    member: MemberProfile,
    i18n: Localizer,
    reminder_desk: ReminderDesk,
    state: FSMContext,
) -> None:
    if not 0 <= callback_data.value < len(HOLIDAY_CHOICES):
        raise StaleButton()
    async with editing(state, RuleData) as data:
        data.holidays = HOLIDAY_CHOICES[callback_data.value]
    await ask_leads(query, i18n, state)


async def leads_pressed(query: CallbackQuery, callback_data: RuleWizard, i18n: Localizer, state: FSMContext) -> None:
    if not 0 <= callback_data.value < len(LEAD_CHOICES):
        raise StaleButton()
    async with editing(state, RuleData) as data:
        data.leads = callback_data.value
    data.draft().repeat.rrule()
    await ask_place(query, i18n, state)


async def place_skipped(
    query: CallbackQuery, member: MemberProfile, i18n: Localizer, reminder_desk: ReminderDesk, state: FSMContext
) -> None:
    await show_preview(query, member, i18n, reminder_desk, state)


async def place_typed(
    message: Message, member: MemberProfile, i18n: Localizer, reminder_desk: ReminderDesk, state: FSMContext
) -> None:
    place = (message.text or "").strip()
    if not place or len(place) > PLACE_LIMIT:
        await message.answer(i18n("reminders.pick_place", limit=PLACE_LIMIT))
        return
    async with editing(state, RuleData) as data:
        data.place = place
    await show_preview(message, member, i18n, reminder_desk, state)


async def show_preview(
    event: CallbackQuery | Message,
    member: MemberProfile,
    i18n: Localizer,
    reminder_desk: ReminderDesk,
    state: FSMContext,
) -> None:
    """The next dates the rule would have, before it is saved."""
    draft = (await read(state, RuleData)).draft()
    upcoming = await reminder_desk.preview(member, draft)
    dates = "\n".join(f"• {when_text(i18n, w, reminder_desk.zone)}" for w in upcoming)
    holidays = i18n(HOLIDAY_HANDLING_NAMES(draft.holidays)) + i18n(
        "reminders.leads_line", leads=i18n(LEAD_NAMES(LEAD_CHOICES.index(draft.leads)))
    )
    place = Raw(i18n("reminders.place", place=draft.place) if draft.place else "")
    text = i18n("reminders.preview", title=draft.title, dates=dates, holidays=holidays, place=place)
    await step(event, i18n, state, RuleFlow.preview, text, [[wizard_button(i18n("roster.save"), RuleField.SAVE)]])


async def save_pressed(
    query: CallbackQuery, member: MemberProfile, i18n: Localizer, reminder_desk: ReminderDesk, state: FSMContext
) -> None:
    data = await read(state, RuleData)
    rule = await reminder_desk.save_rule(member, data.draft(), data.rule_id, data.seen_version)
    await state.clear()
    saved = i18n(
        "reminders.saved",
        title=rule.title,
        repeat=repeat_text(i18n, rule.rrule),
        leads=leads_text(i18n, rule.leads),
    )
    await show(query, saved, None)

"""/roster: the station head sets up a layer's rotation with buttons (members in order, shift length, handoff
time, start date), previews two weeks and saves; or exports and imports the roster as CSV."""

from datetime import date, timedelta

from aiogram import Bot, F, Router
from aiogram.filters import Command, StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.types import BufferedInputFile, CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Message

from gridguard.directory.members import MemberProfile
from gridguard.duty.duty_desk import DutyDesk
from gridguard.duty.duty_texts import concerns_block, layer_name, shift_lines
from gridguard.duty.enums import PATTERN_NAMES, DutyLayer, ShiftPattern
from gridguard.duty.roster import Roster
from gridguard.kernel.errors import DomainError, StaleButton
from gridguard.kernel.numbers import clock_minutes
from gridguard.telegram.duty.callbacks import (
    MENU_BUTTONS,
    RosterHandoff,
    RosterMenu,
    RosterMenuVerb,
    RosterPattern,
    RosterPick,
    RosterStart,
    RosterStep,
    RosterStepVerb,
)
from gridguard.telegram.duty.states import RosterData, RosterFlow
from gridguard.telegram.edits import turn_into
from gridguard.telegram.filters import IN_PRIVATE, NOT_A_COMMAND, Known, Registered
from gridguard.telegram.wizard import editing, enter, marked, numbered, read, step_before, write
from i18n import Localizer, Raw

HANDOFF_CHOICES = (8 * 60, 8 * 60 + 30, 9 * 60, 17 * 60 + 30, 18 * 60, 20 * 60)
EDIT_LAYER = {RosterMenuVerb.EDIT_PRIMARY: DutyLayer.PRIMARY, RosterMenuVerb.EDIT_BACKUP: DutyLayer.BACKUP}
IN_ROSTER_FLOW = StateFilter(RosterFlow)
CSV_LIMIT = 200_000
TOTAL_STEPS = 5
"""Members, shift length, handoff time, start date, preview."""


def router() -> Router:
    r = Router(name="roster")
    r.message.filter(IN_PRIVATE, Known())
    r.callback_query.filter(Registered())
    r.message.register(roster_command, Command("roster"))
    r.callback_query.register(menu_pressed, RosterMenu.filter())
    r.callback_query.register(member_pressed, RosterFlow.members, RosterPick.filter())
    r.callback_query.register(step_pressed, IN_ROSTER_FLOW, RosterStep.filter())
    r.callback_query.register(pattern_pressed, RosterFlow.pattern, RosterPattern.filter())
    r.callback_query.register(handoff_pressed, RosterFlow.handoff, RosterHandoff.filter())
    r.message.register(handoff_typed, RosterFlow.handoff, F.text, NOT_A_COMMAND)
    r.callback_query.register(start_pressed, RosterFlow.start, RosterStart.filter())
    r.message.register(csv_received, RosterFlow.csv, F.document)
    r.message.register(csv_expected, RosterFlow.csv, NOT_A_COMMAND)
    return r


def button(text: str, data: str) -> list[InlineKeyboardButton]:
    return [InlineKeyboardButton(text=text, callback_data=data)]


def hhmm(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def cancel_row(i18n: Localizer) -> list[InlineKeyboardButton]:
    return button(i18n("roster.cancel_button"), RosterStep(action=RosterStepVerb.CANCEL).pack())


def layer_summary(i18n: Localizer, roster: Roster, layer: DutyLayer) -> str:
    spec = roster.specs.get(layer)
    if spec is None:
        return i18n("roster.layer_none", layer=layer_name(i18n, layer))
    names = [roster.members[m].name for m in spec.member_ids if m in roster.members]
    return i18n(
        "roster.layer_line",
        layer=layer_name(i18n, layer),
        pattern=i18n(PATTERN_NAMES(spec.pattern)),
        handoff=hhmm(spec.handoff_minutes),
        start=spec.start_date.isoformat(),
        members=" → ".join(names),
    )


async def roster_command(
    message: Message, member: MemberProfile, i18n: Localizer, duty_desk: DutyDesk, state: FSMContext
) -> None:
    await state.clear()
    view = await duty_desk.keeper_view(member)
    layers = "\n\n".join(layer_summary(i18n, view.roster, layer) for layer in DutyLayer)
    if view.roster.departed:
        layers += "\n\n" + i18n("onduty.departed", names="、".join(view.roster.departed))
    rows = [
        button(i18n(MENU_BUTTONS(verb)), RosterMenu(action=verb).pack())
        for verb in (
            RosterMenuVerb.EDIT_PRIMARY,
            RosterMenuVerb.EDIT_BACKUP,
            RosterMenuVerb.EXPORT,
            RosterMenuVerb.IMPORT,
        )
    ]
    concerns = Raw(concerns_block(i18n, view.roster, duty_desk.concerns_ahead(view)))
    text = i18n("roster.menu", township=view.roster.township_name, layers=Raw(layers), concerns=concerns)
    await message.answer(text, reply_markup=InlineKeyboardMarkup(inline_keyboard=rows))


async def menu_pressed(
    query: CallbackQuery,
    callback_data: RosterMenu,
    member: MemberProfile,
    i18n: Localizer,
    duty_desk: DutyDesk,
    state: FSMContext,
) -> None:
    view = await duty_desk.keeper_view(member)
    if callback_data.action in EDIT_LAYER and not view.roster.members:
        raise DomainError("roster.no_candidates")
    await query.answer()
    if not isinstance(query.message, Message):
        return
    if callback_data.action == RosterMenuVerb.EXPORT:
        data = await duty_desk.export_csv(member)
        file = BufferedInputFile(data, filename="gridguard-roster.csv")
        await query.message.answer_document(
            file, caption=i18n("roster.export_caption", township=view.roster.township_name)
        )
        return
    if callback_data.action == RosterMenuVerb.IMPORT:
        await state.set_state(RosterFlow.csv)
        await query.message.answer(i18n("roster.send_csv"))
        return
    layer = EDIT_LAYER[callback_data.action]
    spec = view.roster.specs.get(layer)
    chosen = [m for m in spec.member_ids if m in view.roster.members] if spec else []
    wizard = RosterData(layer=layer, chosen=chosen, seen_version=view.roster.versions.get(layer))
    if spec is not None:
        wizard.pattern, wizard.handoff = spec.pattern, spec.handoff_minutes
    await write(state, wizard)
    number = await enter(state, RosterFlow.members)
    await turn_into(query.message, *members_screen(i18n, view.roster, layer, chosen, number))


def members_screen(
    i18n: Localizer, roster: Roster, layer: DutyLayer, chosen: list[int], number: int
) -> tuple[str, InlineKeyboardMarkup]:
    rows = []
    for candidate in roster.members.values():
        mark = i18n("roster.chosen_mark", n=chosen.index(candidate.id) + 1) if candidate.id in chosen else ""
        rows.append(button(f"{mark}{candidate.name}", RosterPick(member_id=candidate.id).pack()))
    rows.append(
        [
            InlineKeyboardButton(
                text=i18n("roster.members_done"), callback_data=RosterStep(action=RosterStepVerb.DONE).pack()
            ),
            InlineKeyboardButton(
                text=i18n("roster.members_reset"), callback_data=RosterStep(action=RosterStepVerb.RESET).pack()
            ),
        ]
    )
    rows += closing_rows(i18n, number)
    names = " → ".join(roster.members[m].name for m in chosen if m in roster.members) or i18n("roster.nobody_chosen")
    text = i18n("roster.pick_members", layer=layer_name(i18n, layer), chosen=names)
    return numbered(i18n, number, TOTAL_STEPS, text), InlineKeyboardMarkup(inline_keyboard=rows)


def closing_rows(i18n: Localizer, number: int) -> list[list[InlineKeyboardButton]]:
    """Back (past the first step) and cancel, under every step."""
    back = button(i18n("wizard.back_button"), RosterStep(action=RosterStepVerb.BACK).pack())
    return [back, cancel_row(i18n)] if number > 1 else [cancel_row(i18n)]


async def member_pressed(
    query: CallbackQuery,
    callback_data: RosterPick,
    member: MemberProfile,
    i18n: Localizer,
    duty_desk: DutyDesk,
    state: FSMContext,
) -> None:
    """Tap to add a member at the end of the order; tap again to take them out."""
    data = await read(state, RosterData)
    chosen = list(data.chosen)
    picked = callback_data.member_id
    roster = (await duty_desk.keeper_view(member)).roster
    if picked in chosen:
        chosen.remove(picked)
    elif picked in roster.members:
        chosen.append(picked)
    else:
        raise DomainError("roster.not_on_station")
    data.chosen = chosen
    await write(state, data)
    await query.answer()
    if isinstance(query.message, Message):
        await turn_into(query.message, *members_screen(i18n, roster, data.layer, chosen, 1))


async def step_pressed(
    query: CallbackQuery,
    callback_data: RosterStep,
    member: MemberProfile,
    i18n: Localizer,
    duty_desk: DutyDesk,
    state: FSMContext,
) -> None:
    step = await state.get_state()
    message = query.message if isinstance(query.message, Message) else None
    action = callback_data.action
    if action == RosterStepVerb.CANCEL:
        await state.clear()
        await query.answer()
        if message:
            await turn_into(message, i18n("roster.cancelled"))
        return
    data = await read(state, RosterData)
    layer = data.layer
    if action == RosterStepVerb.RESET and step == RosterFlow.members.state:
        data.chosen = []
        await write(state, data)
        await query.answer()
        if message:
            roster = (await duty_desk.keeper_view(member)).roster
            await turn_into(message, *members_screen(i18n, roster, layer, [], 1))
        return
    if action == RosterStepVerb.DONE and step == RosterFlow.members.state:
        if not data.chosen:
            raise DomainError("roster.no_members")
        await query.answer()
        if message:
            await turn_into(message, *await pattern_screen(i18n, state))
        return
    if action == RosterStepVerb.BACK:
        await query.answer()
        if message:
            await go_back(message, member, i18n, duty_desk, state)
        return
    if action == RosterStepVerb.SAVE and step == RosterFlow.preview.state:
        await duty_desk.save(member, data.spec(), data.seen_version)
        await state.clear()
        await query.answer()
        if message:
            await turn_into(message, i18n("roster.saved", layer=layer_name(i18n, layer)))
        return
    raise StaleButton()


async def pattern_screen(i18n: Localizer, state: FSMContext) -> tuple[str, InlineKeyboardMarkup]:
    number = await enter(state, RosterFlow.pattern)
    data = await read(state, RosterData)
    rows = [
        button(marked(i18n, i18n(PATTERN_NAMES(p)), p == data.pattern), RosterPattern(pattern=p).pack())
        for p in ShiftPattern
    ]
    text = i18n("roster.pick_pattern", layer=layer_name(i18n, data.layer))
    rows += closing_rows(i18n, number)
    return numbered(i18n, number, TOTAL_STEPS, text), InlineKeyboardMarkup(inline_keyboard=rows)


async def pattern_pressed(
    query: CallbackQuery, callback_data: RosterPattern, i18n: Localizer, state: FSMContext
) -> None:
    async with editing(state, RosterData) as data:
        data.pattern = callback_data.pattern
    await query.answer()
    if isinstance(query.message, Message):
        await turn_into(query.message, *await handoff_screen(i18n, state))


async def handoff_screen(i18n: Localizer, state: FSMContext) -> tuple[str, InlineKeyboardMarkup]:
    number = await enter(state, RosterFlow.handoff)
    data = await read(state, RosterData)
    current = data.handoff
    times = [
        InlineKeyboardButton(text=marked(i18n, hhmm(m), m == current), callback_data=RosterHandoff(minutes=m).pack())
        for m in HANDOFF_CHOICES
    ]
    text = i18n("roster.pick_handoff", layer=layer_name(i18n, data.layer))
    if current is not None and current not in HANDOFF_CHOICES:
        text += i18n("roster.current_handoff", time=hhmm(current))
    rows = [times[:3], times[3:], *closing_rows(i18n, number)]
    return numbered(i18n, number, TOTAL_STEPS, text), InlineKeyboardMarkup(inline_keyboard=rows)


async def handoff_pressed(
    query: CallbackQuery, callback_data: RosterHandoff, i18n: Localizer, duty_desk: DutyDesk, state: FSMContext
) -> None:
    await set_handoff(state, callback_data.minutes)
    await query.answer()
    if isinstance(query.message, Message):
        await turn_into(query.message, *await start_screen(i18n, duty_desk, state))


async def handoff_typed(message: Message, i18n: Localizer, duty_desk: DutyDesk, state: FSMContext) -> None:
    minutes = clock_minutes(message.text or "")
    if minutes is None:
        await message.answer(i18n("roster.bad_time"))
        return
    await set_handoff(state, minutes)
    text, markup = await start_screen(i18n, duty_desk, state)
    await message.answer(text, reply_markup=markup)


async def set_handoff(state: FSMContext, minutes: int) -> None:
    async with editing(state, RosterData) as data:
        data.handoff = minutes


async def start_screen(i18n: Localizer, duty_desk: DutyDesk, state: FSMContext) -> tuple[str, InlineKeyboardMarkup]:
    number = await enter(state, RosterFlow.start)
    data = await read(state, RosterData)
    today = duty_desk.today()
    monday = today + timedelta(days=7 - today.weekday())
    days = (
        ("roster.start_today", today),
        ("roster.start_tomorrow", today + timedelta(days=1)),
        ("roster.start_monday", monday),
    )
    rows = [
        button(
            marked(i18n, i18n(key, day=day.strftime("%m-%d")), day == data.start),
            RosterStart(day=day.toordinal()).pack(),
        )
        for key, day in days
    ]
    text = i18n("roster.pick_start", layer=layer_name(i18n, data.layer))
    rows += closing_rows(i18n, number)
    return numbered(i18n, number, TOTAL_STEPS, text), InlineKeyboardMarkup(inline_keyboard=rows)


async def go_back(
    message: Message, member: MemberProfile, i18n: Localizer, duty_desk: DutyDesk, state: FSMContext
) -> None:
    """The step before, shown again in place with what was chosen marked."""
    before = await step_before(state)
    if before == RosterFlow.members.state:
        data = await read(state, RosterData)
        roster = (await duty_desk.keeper_view(member)).roster
        number = await enter(state, RosterFlow.members)
        await turn_into(message, *members_screen(i18n, roster, data.layer, data.chosen, number))
    elif before == RosterFlow.pattern.state:
        await turn_into(message, *await pattern_screen(i18n, state))
    elif before == RosterFlow.handoff.state:
        await turn_into(message, *await handoff_screen(i18n, state))
    elif before == RosterFlow.start.state:
        await turn_into(message, *await start_screen(i18n, duty_desk, state))
    else:
        raise DomainError("wizard.nothing_before")


async def start_pressed(
    query: CallbackQuery,
    callback_data: RosterStart,
    member: MemberProfile,
    i18n: Localizer,
    duty_desk: DutyDesk,
    state: FSMContext,
) -> None:
    start = date.fromordinal(callback_data.day)
    if start < duty_desk.today():
        raise DomainError("roster.already_past")
    async with editing(state, RosterData) as data:
        data.start = start
    spec = data.spec()
    preview = await duty_desk.preview(member, spec)
    number = await enter(state, RosterFlow.preview)
    text = i18n(
        "roster.preview",
        layer=layer_name(i18n, spec.layer),
        pattern=i18n(PATTERN_NAMES(spec.pattern)),
        handoff=hhmm(spec.handoff_minutes),
        start=spec.start_date.isoformat(),
        shifts=Raw("\n".join(shift_lines(i18n, preview.roster, preview.shifts))),
        concerns=Raw(concerns_block(i18n, preview.roster, preview.concerns)),
    )
    save = button(i18n("roster.save"), RosterStep(action=RosterStepVerb.SAVE).pack())
    markup = InlineKeyboardMarkup(inline_keyboard=[save, *closing_rows(i18n, number)])
    await query.answer()
    if isinstance(query.message, Message):
        await turn_into(query.message, numbered(i18n, number, TOTAL_STEPS, text), markup)


async def csv_received(
    message: Message, member: MemberProfile, i18n: Localizer, duty_desk: DutyDesk, state: FSMContext, bot: Bot
) -> None:
    document = message.document
    assert document is not None
    if not (document.file_name or "").casefold().endswith(".csv"):
        await message.answer(i18n("roster.not_csv"))
        return
    if document.file_size is not None and document.file_size > CSV_LIMIT:
        raise DomainError("rostercsv.too_big", kb=CSV_LIMIT // 1000)
    downloaded = await bot.download(document)
    assert downloaded is not None
    added = await duty_desk.import_csv(member, downloaded.read())
    await state.clear()
    if not added:
        await message.answer(i18n("roster.imported_nothing"))
        return
    view = await duty_desk.keeper_view(member)
    concerns = Raw(concerns_block(i18n, view.roster, duty_desk.concerns_ahead(view)))
    await message.answer(i18n("roster.imported", count=added, concerns=concerns))


async def csv_expected(message: Message, i18n: Localizer) -> None:
    await message.answer(i18n("roster.send_csv"))

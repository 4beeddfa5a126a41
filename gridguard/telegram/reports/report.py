"""/report: a short guided flow — category, severity, where, evidence, summary — then the report is filed."""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from aiogram import Bot, F, Router
from aiogram.filters import Command, CommandObject, StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State
from aiogram.types import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Message

from gridguard.directory.members import MemberProfile
from gridguard.directory.permissions import may_file_reports
from gridguard.kernel.errors import DomainError, NoLongerThere, NotAllowed, StaleButton
from gridguard.kernel.times import local_time
from gridguard.reports.duplicates import DuplicateOffer
from gridguard.reports.enums import CATEGORY_NAMES, SEVERITY_NAMES, STATE_NAMES, Category, Severity
from gridguard.reports.policy import CATEGORIES, SEVERITIES, Policy
from gridguard.reports.report_desk import ReportDesk
from gridguard.reports.report_drafts import (
    Draft,
    add_description,
    add_media,
    set_location,
    to_filing,
)
from gridguard.telegram.common import leave_conversation
from gridguard.telegram.edits import remove_buttons, turn_into
from gridguard.telegram.filters import IN_PRIVATE, NOT_A_COMMAND
from gridguard.telegram.keyboards import choices_keyboard, done_keyboard, main_menu, where_keyboard
from gridguard.telegram.reports.callbacks import (
    SUMMARY_BUTTONS,
    CategoryChoice,
    DuplicateChoice,
    DuplicateVerb,
    ReportUnitChoice,
    SeverityChoice,
    SummaryAction,
    SummaryVerb,
)
from gridguard.telegram.reports.report_view import send_details
from gridguard.telegram.reports.states import ReportFlow, ReportFlowData
from gridguard.telegram.wizard import read, write
from i18n import Keys, Localizer, all_translations

SUMMARY_DESCRIPTION = 1500
HINT_DESCRIPTION = 200


def router() -> Router:
    r = Router(name="report")
    r.message.filter(IN_PRIVATE)
    r.message.register(report_command, Command("report"))
    r.message.register(report_command, F.text.in_(all_translations("menu.report")))
    r.callback_query.register(category_pressed, ReportFlow.category, CategoryChoice.filter())
    r.callback_query.register(severity_pressed, ReportFlow.severity, SeverityChoice.filter())
    r.message.register(location_sent, ReportFlow.where, F.location)
    r.message.register(use_my_unit, ReportFlow.where, F.text.in_(all_translations("report.use_my_unit_button")))
    r.message.register(where_again, ReportFlow.where, NOT_A_COMMAND)
    r.callback_query.register(unit_pressed, ReportFlow.unit, ReportUnitChoice.filter())
    r.message.register(finish_evidence, ReportFlow.evidence, F.text.in_(all_translations("report.done_button")))
    r.message.register(evidence_sent, ReportFlow.evidence, NOT_A_COMMAND)
    r.callback_query.register(summary_pressed, ReportFlow.confirm, SummaryAction.filter())
    r.callback_query.register(duplicate_pressed, ReportFlow.confirm, DuplicateChoice.filter())
    for state in (ReportFlow.category, ReportFlow.severity, ReportFlow.unit, ReportFlow.confirm):
        r.message.register(use_the_buttons, state, NOT_A_COMMAND)
    r.message.register(report_with_this, StateFilter(None), F.photo | F.video | F.location)
    return r


class Flow:
    """The draft of one member in one chat, read and written around each step through the desk."""

    def __init__(self, desk: ReportDesk, member: MemberProfile, chat_id: int) -> None:
        self.desk, self.member, self.chat_id = desk, member, chat_id

    async def load(self) -> Draft | None:
        return await self.desk.draft(self.member)

    async def save(self, draft: Draft) -> None:
        await self.desk.keep_draft(self.member, self.chat_id, draft)


async def report_command(
    message: Message,
    member: MemberProfile | None,
    i18n: Localizer,
    state: FSMContext,
    bot: Bot,
    desk: ReportDesk,
    command: CommandObject | None = None,
) -> None:
    if command is not None and command.args:
        if member is None:
            raise NotAllowed()
        details = await desk.details(member, code=command.args.strip())
        await send_details(bot, message.chat.id, i18n, details, desk.zone, desk.clock.now())
        return
    if member is None or member.id is None or not may_file_reports(member):
        await message.answer(i18n("report.not_a_reporter"))
        return
    await begin_report(message, i18n, state, Flow(desk, member, message.chat.id), Draft(), "report.ask_category")


async def report_with_this(
    message: Message,
    member: MemberProfile | None,
    i18n: Localizer,
    state: FSMContext,
    desk: ReportDesk,
    policy: Policy,
) -> None:
    """A photo, video or location sent outside any conversation: offer to start a report with it (kept in the
    draft, so the where-step or the first photo is already done); /cancel drops it."""
    if member is None or member.id is None or not may_file_reports(member):
        await message.answer(i18n("fallback.unexpected_media"))
        return
    draft = Draft()
    if message.location is not None:
        inside = set_location(draft, message.location.latitude, message.location.longitude, policy)
        prompt = "report.start_with_location" if inside else "report.start_with_far_location"
    else:
        collect(message, draft, i18n)
        prompt = "report.start_with_media"
    flow = Flow(desk, member, message.chat.id)
    await begin_report(message, i18n, state, flow, draft, prompt)


async def begin_report(
    message: Message,
    i18n: Localizer,
    state: FSMContext,
    flow: Flow,
    draft: Draft,
    prompt: str,
) -> None:
    """A new draft (replacing any other), then the first step: the category."""
    await state.clear()
    await flow.save(draft)
    await state.set_state(ReportFlow.category)
    await message.answer(i18n(prompt), reply_markup=category_keyboard(i18n))


def category_keyboard(i18n: Localizer) -> Any:
    return choices_keyboard([(i18n(CATEGORY_NAMES(c)), CategoryChoice(value=c).pack()) for c in CATEGORIES])


def severity_keyboard(i18n: Localizer) -> Any:
    pairs = [(i18n(SEVERITY_NAMES(s)), SeverityChoice(value=s).pack()) for s in reversed(SEVERITIES)]
    return choices_keyboard(pairs, per_row=1)


async def draft_or_expired(flow: Flow, i18n: Localizer, state: FSMContext, answer: Any) -> Draft | None:
    draft = await flow.load()
    if draft is None:
        await state.clear()
        await answer(i18n("report.draft_gone"))
    return draft


async def next_step(
    message: Message,
    draft: Draft,
    member: MemberProfile,
    i18n: Localizer,
    state: FSMContext,
    flow: Flow,
    then: Any,
) -> None:
    """After a step: back to the summary when editing from it, otherwise on to `then`."""
    await flow.save(draft)
    if (await read(state, ReportFlowData)).editing:
        await show_summary(message, draft, member, i18n, state, flow)
    else:
        await then()


async def draft_for_message(
    message: Message, member: MemberProfile, i18n: Localizer, state: FSMContext, desk: ReportDesk
) -> tuple[Flow, Draft] | None:
    """The member's flow and draft for a message they sent — or None (already explained) when the draft is gone."""
    flow = Flow(desk, member, message.chat.id)
    draft = await draft_or_expired(flow, i18n, state, message.answer)
    return None if draft is None else (flow, draft)


async def draft_for_press(
    query: CallbackQuery, member: MemberProfile, i18n: Localizer, state: FSMContext, desk: ReportDesk
) -> tuple[Message, Flow, Draft] | None:
    """The pressed message, the member's flow and draft — or None (already explained) when the draft is gone."""
    assert isinstance(query.message, Message)
    flow = Flow(desk, member, query.message.chat.id)
    draft = await draft_or_expired(flow, i18n, state, query.message.answer)
    await query.answer()
    return None if draft is None else (query.message, flow, draft)


async def refuse_stale(query: CallbackQuery, i18n: Localizer) -> None:
    await query.answer(i18n("fallback.stale_button"), show_alert=True)


@dataclass(frozen=True)
class ChoiceStep:
    """A step answered with one button: which draft field it fills, from what, and what comes next."""

    field: str
    names: Keys
    chosen: str
    """What the step's message turns into once pressed: 类别：🔥 火灾."""
    next_state: State
    next_prompt: str
    next_keyboard: Callable[[Localizer], Any]


CATEGORY_STEP = ChoiceStep(
    "category",
    CATEGORY_NAMES,
    "report.category_chosen",
    ReportFlow.severity,
    "report.ask_severity",
    lambda t: severity_keyboard(t),
)
SEVERITY_STEP = ChoiceStep(
    "severity", SEVERITY_NAMES, "report.severity_chosen", ReportFlow.where, "report.ask_where", where_keyboard
)


async def choose(
    step: ChoiceStep,
    value: Category | Severity,
    query: CallbackQuery,
    member: MemberProfile,
    i18n: Localizer,
    state: FSMContext,
    desk: ReportDesk,
) -> None:
    """`value` is one of the choices offered: a forged one fails to unpack and never reaches here."""
    if (pressed := await draft_for_press(query, member, i18n, state, desk)) is None:
        return
    message, flow, draft = pressed
    setattr(draft, step.field, value)
    await message.edit_text(i18n(step.chosen, **{step.field: i18n(step.names(value))}))

    async def ask_next() -> None:
        if step.next_state == ReportFlow.where and draft.has_location:
            await choose_unit(message, draft, member, i18n, state, flow)
            return
        await state.set_state(step.next_state)
        await message.answer(i18n(step.next_prompt), reply_markup=step.next_keyboard(i18n))

    await next_step(message, draft, member, i18n, state, flow, ask_next)


async def category_pressed(
    query: CallbackQuery,
    callback_data: CategoryChoice,
    member: MemberProfile,
    i18n: Localizer,
    state: FSMContext,
    desk: ReportDesk,
) -> None:
    await choose(CATEGORY_STEP, callback_data.value, query, member, i18n, state, desk)


async def severity_pressed(
    query: CallbackQuery,
    callback_data: SeverityChoice,
    member: MemberProfile,
    i18n: Localizer,
    state: FSMContext,
    desk: ReportDesk,
) -> None:
    await choose(SEVERITY_STEP, callback_data.value, query, member, i18n, state, desk)


async def location_sent(
    message: Message,
    member: MemberProfile,
    i18n: Localizer,
    state: FSMContext,
    desk: ReportDesk,
    policy: Policy,
) -> None:
    assert message.location is not None
    if (drafted := await draft_for_message(message, member, i18n, state, desk)) is None:
        return
    flow, draft = drafted
    if not set_location(draft, message.location.latitude, message.location.longitude, policy):
        await message.answer(i18n("report.far_away"))
    await choose_unit(message, draft, member, i18n, state, flow)


async def use_my_unit(
    message: Message, member: MemberProfile, i18n: Localizer, state: FSMContext, desk: ReportDesk
) -> None:
    if (drafted := await draft_for_message(message, member, i18n, state, desk)) is None:
        return
    flow, draft = drafted
    draft.latitude = draft.longitude = None
    await choose_unit(message, draft, member, i18n, state, flow)


async def where_again(message: Message, i18n: Localizer) -> None:
    await message.answer(i18n("report.where_again"), reply_markup=where_keyboard(i18n))


async def choose_unit(
    message: Message, draft: Draft, member: MemberProfile, i18n: Localizer, state: FSMContext, flow: Flow
) -> None:
    units = await flow.desk.reportable_units(member)
    if not units:
        raise NoLongerThere("report.no_longer_reporter")
    if len(units) == 1:
        draft.unit_id = units[0].unit_id
        await message.answer(i18n("report.unit_chosen", unit=units[0].label), reply_markup=main_menu(i18n, member))
        await next_step(message, draft, member, i18n, state, flow, lambda: ask_evidence(message, i18n, state))
        return
    await flow.save(draft)
    await state.set_state(ReportFlow.unit)
    await message.answer(i18n("report.where_noted"), reply_markup=main_menu(i18n, member))
    pairs = [(u.label, ReportUnitChoice(unit_id=u.unit_id).pack()) for u in units]
    await message.answer(i18n("report.ask_unit"), reply_markup=choices_keyboard(pairs, per_row=1))


async def unit_pressed(
    query: CallbackQuery,
    callback_data: ReportUnitChoice,
    member: MemberProfile,
    i18n: Localizer,
    state: FSMContext,
    desk: ReportDesk,
) -> None:
    units = {u.unit_id: u.label for u in await desk.reportable_units(member)}
    if callback_data.unit_id not in units:
        await refuse_stale(query, i18n)
        return
    if (pressed := await draft_for_press(query, member, i18n, state, desk)) is None:
        return
    message, flow, draft = pressed
    draft.unit_id = callback_data.unit_id
    await message.edit_text(i18n("report.unit_chosen", unit=units[callback_data.unit_id]))
    await next_step(message, draft, member, i18n, state, flow, lambda: ask_evidence(message, i18n, state))


async def ask_evidence(message: Message, i18n: Localizer, state: FSMContext) -> None:
    await state.set_state(ReportFlow.evidence)
    await message.answer(i18n("report.ask_evidence"), reply_markup=done_keyboard(i18n))


async def evidence_sent(
    message: Message, member: MemberProfile, i18n: Localizer, state: FSMContext, desk: ReportDesk
) -> None:
    """Photos, short videos, text or a voice note; each is acknowledged so the sender knows it arrived."""
    if (drafted := await draft_for_message(message, member, i18n, state, desk)) is None:
        return
    flow, draft = drafted
    reply = collect(message, draft, i18n)
    await flow.save(draft)
    await message.answer(reply)


def collect(message: Message, draft: Draft, i18n: Localizer) -> str:
    media = ("photo", message.photo[-1].file_id) if message.photo else None
    media = ("video", message.video.file_id) if message.video else media
    if media is not None:
        count = add_media(draft, *media)
        add_description(draft, message.caption or "")
        return i18n("report.got_media", n=count)
    if message.voice:
        draft.voice = message.voice.file_id
        return i18n("report.got_voice")
    if message.text:
        add_description(draft, message.text)
        return i18n("report.got_text")
    raise DomainError("report.evidence_kinds")


async def finish_evidence(
    message: Message, member: MemberProfile, i18n: Localizer, state: FSMContext, desk: ReportDesk
) -> None:
    if (drafted := await draft_for_message(message, member, i18n, state, desk)) is None:
        return
    flow, draft = drafted
    to_filing(draft)
    await message.answer(i18n("report.evidence_done"), reply_markup=main_menu(i18n, member))
    await show_summary(message, draft, member, i18n, state, flow)


async def show_summary(
    message: Message, draft: Draft, member: MemberProfile, i18n: Localizer, state: FSMContext, flow: Flow
) -> None:
    """The summary; from here on, a step the reporter edits comes back to it."""
    await flow.save(draft)
    await state.set_state(ReportFlow.confirm)
    await write(state, ReportFlowData(editing=True))
    labels = {u.unit_id: u.label for u in await flow.desk.reportable_units(member)}
    location = (
        i18n("report.summary_location", lat=f"{draft.latitude:.5f}", lon=f"{draft.longitude:.5f}")
        if draft.has_location
        else i18n("report.summary_no_location")
    )
    text = i18n(
        "report.summary",
        category=i18n(CATEGORY_NAMES(draft.category)),
        severity=i18n(SEVERITY_NAMES(draft.severity)),
        unit=labels.get(draft.unit_id or 0, "?"),
        location=location,
        media=len(draft.media),
        voice=i18n("report.yes") if draft.voice else i18n("report.no"),
        description=(draft.description or i18n("report.no_description"))[:SUMMARY_DESCRIPTION],
    )
    await message.answer(text, reply_markup=summary_keyboard(i18n))


def summary_keyboard(i18n: Localizer) -> InlineKeyboardMarkup:
    def button(action: SummaryVerb) -> InlineKeyboardButton:
        return InlineKeyboardButton(
            text=i18n(SUMMARY_BUTTONS(action)), callback_data=SummaryAction(action=action).pack()
        )

    verb = SummaryVerb
    rows = [[verb.SUBMIT], [verb.CATEGORY, verb.SEVERITY], [verb.WHERE, verb.EVIDENCE], [verb.CANCEL]]
    return InlineKeyboardMarkup(inline_keyboard=[[button(a) for a in row] for row in rows])


async def use_the_buttons(message: Message, i18n: Localizer) -> None:
    await message.answer(i18n("report.use_the_buttons"))


async def summary_pressed(
    query: CallbackQuery,
    callback_data: SummaryAction,
    member: MemberProfile,
    i18n: Localizer,
    state: FSMContext,
    desk: ReportDesk,
) -> None:
    """Submit and cancel turn the summary itself into the outcome; the other buttons edit a step and come back to
    a new summary. The main menu is already back: it came with the message that took the flow's last reply
    keyboard away (where, evidence), since a message with inline buttons can't carry it."""
    if not isinstance(query.message, Message):
        raise StaleButton()
    if callback_data.action == SummaryVerb.SUBMIT:
        await submit(query.message, member, i18n, state, desk)
        await query.answer()
        return
    if callback_data.action == SummaryVerb.CANCEL:
        await leave_conversation(state, desk, member)
        await query.answer()
        await turn_into(query.message, i18n("report.cancelled"))
        return
    if (pressed := await draft_for_press(query, member, i18n, state, desk)) is None:
        return
    message, _flow, _draft = pressed
    await remove_buttons(message)
    match callback_data.action:
        case SummaryVerb.CATEGORY:
            await state.set_state(ReportFlow.category)
            await message.answer(i18n("report.ask_category"), reply_markup=category_keyboard(i18n))
        case SummaryVerb.SEVERITY:
            await state.set_state(ReportFlow.severity)
            await message.answer(i18n("report.ask_severity"), reply_markup=severity_keyboard(i18n))
        case SummaryVerb.WHERE:
            await state.set_state(ReportFlow.where)
            await message.answer(i18n("report.ask_where"), reply_markup=where_keyboard(i18n))
        case SummaryVerb.EVIDENCE:
            await write(state, ReportFlowData(editing=False))
            await ask_evidence(message, i18n, state)


async def submit(
    summary: Message,
    member: MemberProfile,
    i18n: Localizer,
    state: FSMContext,
    desk: ReportDesk,
    despite_offer: int | None = None,
) -> None:
    """File the report, editing the pressed message into its code; or edit it into the duplicate hint first. The
    conversation ends after the edit, so a press posted again before it (the instance died) still finds the summary
    and confirms the filed report."""
    filed = await desk.submit(member, despite_offer)
    if isinstance(filed, DuplicateOffer):
        await turn_into(summary, duplicate_hint(i18n, filed, desk.zone), duplicate_keyboard(i18n, filed))
        return
    await turn_into(summary, i18n("report.filed", code=filed.code))
    await state.clear()


def duplicate_hint(i18n: Localizer, offer: DuplicateOffer, zone: ZoneInfo) -> str:
    """The offered report in brief, so the reporter can tell whether it is the same hazard without opening it."""
    description = (offer.description or i18n("report.no_description"))[:HINT_DESCRIPTION]
    return i18n(
        "report.duplicate_hint",
        code=offer.code,
        category=i18n(CATEGORY_NAMES(offer.category)),
        place=offer.place,
        filed=local_time(offer.filed_at, zone),
        state=i18n(STATE_NAMES(offer.status)),
        description=description,
    )


def duplicate_keyboard(i18n: Localizer, offer: DuplicateOffer) -> InlineKeyboardMarkup:
    add = DuplicateChoice(action=DuplicateVerb.ADD, report_id=offer.report_id).pack()
    new = DuplicateChoice(action=DuplicateVerb.NEW, report_id=offer.report_id).pack()
    pairs = [(i18n("report.duplicate_add", code=offer.code), add), (i18n("report.duplicate_new"), new)]
    return choices_keyboard(pairs, per_row=1)


async def duplicate_pressed(
    query: CallbackQuery,
    callback_data: DuplicateChoice,
    member: MemberProfile,
    i18n: Localizer,
    state: FSMContext,
    desk: ReportDesk,
) -> None:
    """The button names a report, but only the one the bot offered to this draft is acted on."""
    if not isinstance(query.message, Message):
        raise StaleButton()
    if callback_data.action == DuplicateVerb.NEW:
        await submit(query.message, member, i18n, state, desk, despite_offer=callback_data.report_id)
        await query.answer()
        return
    report = await desk.add_to_offered(member, callback_data.report_id)
    await state.clear()
    await query.answer()
    await turn_into(query.message, i18n("report.info_added", code=report.code))

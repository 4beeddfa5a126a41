"""Buttons on escalation cards — acknowledge, assign, resolve, duplicate, reject, details — and the reporter's
confirm/reopen. Callback data is only a hint: the report desk re-checks rights and the report's state on every
press. Follow-up questions (the resolution note, a reason, a code) are asked in the presser's private chat."""

from aiogram import Bot, Dispatcher, F, Router
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message

from gridguard.directory.members import MemberProfile
from gridguard.kernel.errors import FlowLost, StaleButton
from gridguard.reports.report_cards import CardButton
from gridguard.reports.report_desk import ReportDesk
from gridguard.reports.report_lifecycle import ReportVerb
from gridguard.telegram.edits import remove_buttons
from gridguard.telegram.filters import IN_PRIVATE, NOT_A_COMMAND, Registered
from gridguard.telegram.keyboards import REMOVE_KEYBOARD, choices_keyboard, skip_keyboard
from gridguard.telegram.reports.callbacks import AssignChoice, ReportAction
from gridguard.telegram.reports.report_view import send_details
from gridguard.telegram.reports.states import ActOnReport, FollowUpData
from gridguard.telegram.wizard import editing, read, write
from i18n import Keys, Localizer, all_translations

ASKING = {
    ReportVerb.RESOLVE: ActOnReport.resolve_note,
    ReportVerb.MARK_DUPLICATE: ActOnReport.duplicate_code,
    ReportVerb.REJECT: ActOnReport.reason,
    ReportVerb.REOPEN: ActOnReport.reason,
}
"""The private-chat step that asks for what a verb needs typed first (the lifecycle's `asks_for`)."""
ASK_PROMPTS = Keys("report.ask_{}", ASKING)
OTHER_CAPABILITIES_BUTTONS = (CardButton.CALL_OUT, CardButton.START_PLAN)
"""A card's buttons another capability's edge answers (call-outs, plan response)."""


def router() -> Router:
    r = Router(name="report_actions")
    r.message.filter(IN_PRIVATE, Registered())
    r.callback_query.filter(Registered())
    r.callback_query.register(card_pressed, ReportAction.filter(F.action.not_in(OTHER_CAPABILITIES_BUTTONS)))
    r.callback_query.register(assignee_pressed, AssignChoice.filter())
    r.message.register(resolve_note_sent, ActOnReport.resolve_note, F.text, NOT_A_COMMAND)
    r.message.register(resolve_photo_sent, ActOnReport.resolve_photo, F.photo)
    r.message.register(
        resolve_without_photo, ActOnReport.resolve_photo, F.text.in_(all_translations("register.skip_button"))
    )
    r.message.register(duplicate_code_sent, ActOnReport.duplicate_code, F.text, NOT_A_COMMAND)
    r.message.register(reason_sent, ActOnReport.reason, F.text, NOT_A_COMMAND)
    for step in (
        ActOnReport.resolve_note,
        ActOnReport.resolve_photo,
        ActOnReport.duplicate_code,
        ActOnReport.reason,
    ):
        r.message.register(follow_up_again, step, NOT_A_COMMAND)
    return r


async def card_pressed(
    query: CallbackQuery,
    callback_data: ReportAction,
    member: MemberProfile,
    i18n: Localizer,
    dispatcher: Dispatcher,
    bot: Bot,
    desk: ReportDesk,
) -> None:
    verb, report_id = callback_data.action, callback_data.report_id
    if verb == CardButton.DETAILS:
        details = await desk.details(member, report_id=report_id)
        await query.answer()
        await send_details(bot, query.from_user.id, i18n, details, desk.zone, desk.clock.now())
        return
    if isinstance(verb, ReportVerb) and verb in ASKING:
        private = dispatcher.fsm.get_context(bot, chat_id=query.from_user.id, user_id=query.from_user.id)
        await start_follow_up(query, member, i18n, private, bot, desk, verb, report_id)
    elif verb == ReportVerb.ASSIGN:
        await offer_assignees(query, member, i18n, bot, desk, report_id)
    elif verb == ReportVerb.ACKNOWLEDGE:
        report = await desk.acknowledge(member, report_id)
        await query.answer(i18n("report.acknowledged_by_you", code=report.code))
    elif verb == ReportVerb.CONFIRM_FIXED:
        report = await desk.confirm_fixed(member, report_id)
        await query.answer(i18n("report.thanks_confirmed", code=report.code), show_alert=True)
        if isinstance(query.message, Message):
            await remove_buttons(query.message)
    else:
        raise StaleButton()


async def offer_assignees(
    query: CallbackQuery, member: MemberProfile, i18n: Localizer, bot: Bot, desk: ReportDesk, report_id: int
) -> None:
    assignees = await desk.assignees(member, report_id)
    await query.answer()
    pairs = [(m.name, AssignChoice(report_id=report_id, member_id=m.id or 0).pack()) for m in assignees.members]
    prompt = i18n("report.ask_assignee", code=assignees.report.code)
    await bot.send_message(query.from_user.id, prompt, reply_markup=choices_keyboard(pairs))


async def assignee_pressed(
    query: CallbackQuery, callback_data: AssignChoice, member: MemberProfile, i18n: Localizer, desk: ReportDesk
) -> None:
    report = await desk.assign(member, callback_data.report_id, callback_data.member_id)
    await query.answer()
    if isinstance(query.message, Message):
        await query.message.edit_text(i18n("report.assigned_done", code=report.code))


async def start_follow_up(
    query: CallbackQuery,
    member: MemberProfile,
    i18n: Localizer,
    private: FSMContext,
    bot: Bot,
    desk: ReportDesk,
    verb: ReportVerb,
    report_id: int,
) -> None:
    """Resolve, duplicate, reject and reopen need words: ask for them in the presser's private chat (`private`: a
    card may have been pressed in a group), after checking the press."""
    report = await desk.check_press(member, report_id, verb)
    await query.answer()
    await private.set_state(ASKING[verb])
    await write(private, FollowUpData(report_id=report_id, verb=verb))
    prompt = i18n(ASK_PROMPTS(verb), code=report.code)
    await bot.send_message(query.from_user.id, prompt, reply_markup=REMOVE_KEYBOARD)


async def resolve_note_sent(message: Message, i18n: Localizer, state: FSMContext) -> None:
    note = (message.text or "").strip()
    if not note or len(note) > 500:
        await message.answer(i18n("report.note_required"))
        return
    async with editing(state, FollowUpData) as data:
        data.note = note
    await state.set_state(ActOnReport.resolve_photo)
    await message.answer(i18n("report.ask_after_photo"), reply_markup=skip_keyboard(i18n))


async def resolve_photo_sent(
    message: Message, member: MemberProfile, i18n: Localizer, state: FSMContext, desk: ReportDesk
) -> None:
    assert message.photo
    await finish_resolve(message, member, i18n, state, desk, message.photo[-1].file_id)


async def resolve_without_photo(
    message: Message, member: MemberProfile, i18n: Localizer, state: FSMContext, desk: ReportDesk
) -> None:
    await finish_resolve(message, member, i18n, state, desk, None)


async def finish_resolve(
    message: Message, member: MemberProfile, i18n: Localizer, state: FSMContext, desk: ReportDesk, photo: str | None
) -> None:
    data = await read(state, FollowUpData)
    await state.clear()
    report = await desk.resolve(member, data.report_id, data.note, photo)
    await message.answer(i18n("report.resolved_done", code=report.code), reply_markup=REMOVE_KEYBOARD)


async def duplicate_code_sent(
    message: Message, member: MemberProfile, i18n: Localizer, state: FSMContext, desk: ReportDesk
) -> None:
    """A code that names no report, or this one, may be typed again; a refusal ends the follow-up."""
    data = await read(state, FollowUpData)
    report = await desk.mark_duplicate(member, data.report_id, (message.text or "").strip())
    await state.clear()
    await message.answer(i18n("report.duplicate_done", code=report.code))


REASONED = {
    ReportVerb.REJECT: (ReportDesk.reject, "report.rejected_done"),
    ReportVerb.REOPEN: (ReportDesk.reopen, "report.reopened_by_you"),
}
"""Verbs done with a reason: the desk's method that does it, and what the presser is told."""


async def reason_sent(
    message: Message, member: MemberProfile, i18n: Localizer, state: FSMContext, desk: ReportDesk
) -> None:
    """A reject's or a reopen's reason: a missing or too long one may be typed again; a refusal ends the
    follow-up."""
    data = await read(state, FollowUpData)
    if data.verb not in REASONED:
        raise FlowLost()
    action, done = REASONED[data.verb]
    report = await action(desk, member, data.report_id, message.text or "")
    await state.clear()
    await message.answer(i18n(done, code=report.code))


async def follow_up_again(message: Message, i18n: Localizer, state: FSMContext) -> None:
    current = await state.get_state()
    key = "report.ask_after_photo" if current == ActOnReport.resolve_photo.state else "report.follow_up_text"
    await message.answer(i18n(key))

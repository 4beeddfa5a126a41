"""Buttons on escalation cards — acknowledge, assign, resolve, duplicate, reject, details — and the reporter's
confirm/reopen. Callback data is only a hint: services re-check rights and the report's state on every press.
Follow-up questions (the resolution note, a reason, a code) are asked in the presser's private chat."""

from collections.abc import Awaitable, Callable

from aiogram import Bot, F, Router
from aiogram.fsm.context import FSMContext
from aiogram.fsm.storage.base import BaseStorage, StorageKey
from aiogram.types import CallbackQuery, Message

from bot.settings import Settings
from handlers.callbacks import AssignChoice, CardVerb, ReportAction
from handlers.edits import remove_buttons
from handlers.filters import IN_PRIVATE, NOT_A_COMMAND
from handlers.keyboards import REMOVE_KEYBOARD, choices_keyboard, skip_keyboard
from handlers.report import context
from handlers.report_view import send_details
from handlers.states import ActOnReport
from i18n import Localizer, all_translations
from models import Database, Report
from services.clock import Clock
from services.delivery import DeliveryWorker
from services.errors import NotAllowed
from services.members import MemberProfile
from services.policy import Policy
from services.report_actions import (
    Changed,
    acknowledge,
    assign,
    assignable_members,
    check_press,
    confirm_fixed,
    mark_duplicate,
    reject,
    reopen,
    resolve,
)
from services.report_lifecycle import ReportVerb
from services.report_views import report_details

ASKING = {
    ReportVerb.RESOLVE: ActOnReport.resolve_note,
    ReportVerb.MARK_DUPLICATE: ActOnReport.duplicate_code,
    ReportVerb.REJECT: ActOnReport.reason,
    ReportVerb.REOPEN: ActOnReport.reason,
}
"""The private-chat step that asks for what a verb needs typed first (the lifecycle's `asks_for`)."""


def router() -> Router:
    r = Router(name="report_actions")
    r.message.filter(IN_PRIVATE)
    r.callback_query.register(card_pressed, ReportAction.filter())
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


class Acting:
    """Everything an action needs, gathered from the handler's arguments."""

    def __init__(self, member: MemberProfile, i18n: Localizer, db: Database, clock: Clock, policy: Policy,
                 settings: Settings, delivery: DeliveryWorker | None) -> None:  # fmt: skip
        self.member, self.i18n, self.db = member, i18n, db
        self.clock, self.policy, self.settings, self.delivery = clock, policy, settings, delivery

    async def run(self, action: Callable[..., Awaitable[Changed]], *args: object) -> Report:
        """Run a service action in one transaction, then wake delivery so the cards change at once."""
        async with self.db.transaction() as session:
            changed = await action(session, self.member, *args, context(self.policy, self.clock, self.settings))
        if self.delivery is not None:
            self.delivery.wake()
        return changed.report


def private_state(state: FSMContext, bot: Bot, user_id: int) -> FSMContext:
    """The FSM context of the presser's private chat (a card may have been pressed in a group)."""
    storage: BaseStorage = state.storage
    return FSMContext(storage=storage, key=StorageKey(bot_id=bot.id, chat_id=user_id, user_id=user_id))


async def card_pressed(
    query: CallbackQuery,
    callback_data: ReportAction,
    member: MemberProfile | None,
    i18n: Localizer,
    state: FSMContext,
    bot: Bot,
    db: Database,
    clock: Clock,
    policy: Policy,
    settings: Settings,
    delivery: DeliveryWorker | None,
) -> None:
    if member is None or member.id is None:
        raise NotAllowed()
    acting = Acting(member, i18n, db, clock, policy, settings, delivery)
    action, report_id = callback_data.action, callback_data.report_id
    if action == CardVerb.DETAILS:
        await send_details_by_id(query, acting, bot, report_id)
        return
    verb = ReportVerb[action.name]
    if verb in ASKING:
        await start_follow_up(query, acting, state, bot, verb, report_id)
    elif verb == ReportVerb.ASSIGN:
        await offer_assignees(query, acting, bot, report_id)
    elif verb == ReportVerb.ACKNOWLEDGE:
        report = await acting.run(acknowledge, report_id)
        await query.answer(i18n("report.acknowledged_by_you", code=report.code))
    elif verb == ReportVerb.CONFIRM_FIXED:
        report = await acting.run(confirm_fixed, report_id)
        await query.answer(i18n("report.thanks_confirmed", code=report.code), show_alert=True)
        if isinstance(query.message, Message):
            await remove_buttons(query.message)


async def send_details_by_id(query: CallbackQuery, acting: Acting, bot: Bot, report_id: int) -> None:
    """Details go to the presser's private chat (a card may have been pressed in a group), after the check."""
    async with acting.db.reading() as session:
        details = await report_details(session, acting.member, report_id=report_id)
    await query.answer()
    now = acting.clock.now()
    await send_details(bot, query.from_user.id, acting.i18n, details, acting.settings.zone, now)


async def offer_assignees(query: CallbackQuery, acting: Acting, bot: Bot, report_id: int) -> None:
    async with acting.db.reading() as session:
        assignees = await assignable_members(session, acting.member, report_id)
    await query.answer()
    pairs = [(m.name, AssignChoice(report_id=report_id, member_id=m.id or 0).pack()) for m in assignees.members]
    prompt = acting.i18n("report.ask_assignee", code=assignees.report.code)
    await bot.send_message(query.from_user.id, prompt, reply_markup=choices_keyboard(pairs))


async def assignee_pressed(
    query: CallbackQuery,
    callback_data: AssignChoice,
    member: MemberProfile | None,
    i18n: Localizer,
    db: Database,
    clock: Clock,
    policy: Policy,
    settings: Settings,
    delivery: DeliveryWorker | None,
) -> None:
    if member is None:
        raise NotAllowed()
    report = await Acting(member, i18n, db, clock, policy, settings, delivery).run(
        assign, callback_data.report_id, callback_data.member_id
    )
    await query.answer()
    if isinstance(query.message, Message):
        await query.message.edit_text(i18n("report.assigned_done", code=report.code))


async def start_follow_up(
    query: CallbackQuery, acting: Acting, state: FSMContext, bot: Bot, verb: ReportVerb, report_id: int
) -> None:
    """Resolve, duplicate, reject and reopen need words: ask for them in private, after checking the press."""
    async with acting.db.reading() as session:
        report = await check_press(session, acting.member, report_id, verb)
    await query.answer()
    private = private_state(state, bot, query.from_user.id)
    await private.set_state(ASKING[verb])
    await private.update_data(report_id=report_id, verb=verb.value)
    prompt = acting.i18n(f"report.ask_{verb}", code=report.code)
    await bot.send_message(query.from_user.id, prompt, reply_markup=REMOVE_KEYBOARD)


async def resolve_note_sent(message: Message, i18n: Localizer, state: FSMContext) -> None:
    note = (message.text or "").strip()
    if not note or len(note) > 500:
        await message.answer(i18n("report.note_required"))
        return
    await state.update_data(note=note)
    await state.set_state(ActOnReport.resolve_photo)
    await message.answer(i18n("report.ask_after_photo"), reply_markup=skip_keyboard(i18n))


async def finish_resolve(message: Message, acting: Acting, state: FSMContext, photo: str | None) -> None:
    data = await state.get_data()
    await state.clear()
    report = await acting.run(resolve, data["report_id"], data["note"], photo)
    await message.answer(acting.i18n("report.resolved_done", code=report.code), reply_markup=REMOVE_KEYBOARD)


async def resolve_photo_sent(
    message: Message, member: MemberProfile, i18n: Localizer, state: FSMContext, db: Database, clock: Clock,
    policy: Policy, settings: Settings, delivery: DeliveryWorker | None,
) -> None:  # fmt: skip
    assert message.photo
    acting = Acting(member, i18n, db, clock, policy, settings, delivery)
    await finish_resolve(message, acting, state, message.photo[-1].file_id)


async def resolve_without_photo(
    message: Message, member: MemberProfile, i18n: Localizer, state: FSMContext, db: Database, clock: Clock,
    policy: Policy, settings: Settings, delivery: DeliveryWorker | None,
) -> None:  # fmt: skip
    await finish_resolve(message, Acting(member, i18n, db, clock, policy, settings, delivery), state, None)


async def duplicate_code_sent(
    message: Message, member: MemberProfile, i18n: Localizer, state: FSMContext, db: Database, clock: Clock,
    policy: Policy, settings: Settings, delivery: DeliveryWorker | None,
) -> None:  # fmt: skip
    """A code that names no report, or this one, may be typed again; a refusal ends the follow-up."""
    data = await state.get_data()
    report = await Acting(member, i18n, db, clock, policy, settings, delivery).run(
        mark_duplicate, data["report_id"], (message.text or "").strip()
    )
    await state.clear()
    await message.answer(i18n("report.duplicate_done", code=report.code))


REASONED = {
    ReportVerb.REJECT: (reject, "report.rejected_done"),
    ReportVerb.REOPEN: (reopen, "report.reopened_by_you"),
}
"""Verbs done with a reason: the service that does it, and what the presser is told."""


async def reason_sent(
    message: Message, member: MemberProfile, i18n: Localizer, state: FSMContext, db: Database, clock: Clock,
    policy: Policy, settings: Settings, delivery: DeliveryWorker | None,
) -> None:  # fmt: skip
    """A reject's or a reopen's reason: a missing or too long one may be typed again; a refusal ends the
    follow-up."""
    data = await state.get_data()
    action, done = REASONED[ReportVerb(data["verb"])]
    report = await Acting(member, i18n, db, clock, policy, settings, delivery).run(
        action, data["report_id"], message.text or ""
    )
    await state.clear()
    await message.answer(i18n(done, code=report.code))


async def follow_up_again(message: Message, i18n: Localizer, state: FSMContext) -> None:
    current = await state.get_state()
    key = "report.ask_after_photo" if current == ActOnReport.resolve_photo.state else "report.follow_up_text"
    await message.answer(i18n(key))

"""/reminders (the township's meeting, inspection and drill rules; a station head pauses, resumes or deletes
them), /week (the township's week), and the answers to a reminder: 参加 Attending, or 请假 Can't with a reason."""

from zoneinfo import ZoneInfo

from aiogram import F, Router
from aiogram.filters import Command
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Message

from gridguard.delivery.outbox import Content
from gridguard.directory.members import MemberProfile
from gridguard.directory.permissions import Action, may_at_all
from gridguard.reminders.compliance import quarter_of
from gridguard.reminders.enums import RsvpAnswer, RuleStatus
from gridguard.reminders.reminder_desk import ReminderDesk, RulesView
from gridguard.reminders.reminder_texts import compliance_text, rule_line
from gridguard.reminders.weekly_agenda import week_text
from gridguard.telegram.callbacks import pack_buttons
from gridguard.telegram.edits import rewrite, turn_into
from gridguard.telegram.filters import IN_PRIVATE, NOT_A_COMMAND, Known, Registered
from gridguard.telegram.reminders.callbacks import RsvpAction, RuleAction, RuleField, RuleVerb, RuleWizard
from gridguard.telegram.reminders.states import RsvpData, RsvpFlow
from gridguard.telegram.wizard import read, write
from i18n import Localizer

STATUS_OF_VERB = {RuleVerb.PAUSE: RuleStatus.PAUSED, RuleVerb.RESUME: RuleStatus.ACTIVE}
DONE_TEXT = {RuleVerb.PAUSE: "reminders.paused", RuleVerb.RESUME: "reminders.resumed"}


def router() -> Router:
    r = Router(name="reminders")
    r.message.filter(Known())
    r.callback_query.filter(Registered())
    r.message.register(reminders_command, Command("reminders"), IN_PRIVATE)
    r.message.register(week_command, Command("week"), IN_PRIVATE)
    r.message.register(compliance_command, Command("compliance"), IN_PRIVATE)
    r.callback_query.register(rule_pressed, RuleAction.filter())
    r.callback_query.register(rsvp_pressed, RsvpAction.filter())
    r.message.register(reason_typed, RsvpFlow.reason, F.text, NOT_A_COMMAND)
    r.message.register(reason_not_text, RsvpFlow.reason, NOT_A_COMMAND)
    return r


def rule_button(i18n: Localizer, key: str, verb: RuleVerb, rule_id: int, **params: str) -> InlineKeyboardButton:
    return InlineKeyboardButton(text=i18n(key, **params), callback_data=RuleAction(action=verb, rule_id=rule_id).pack())


def rules_screen(
    i18n: Localizer, view: RulesView, keeper: bool, zone: ZoneInfo
) -> tuple[str, InlineKeyboardMarkup | None]:
    """The rules, a line each; for a station head, a row of buttons each (pause or resume, delete)."""
    lines = [i18n("reminders.header", township=view.township)]
    lines += [rule_line(i18n, v.rule, v.upcoming, zone) for v in view.rules] or [i18n("reminders.none")]
    if not keeper:
        return "\n".join(lines), None
    rows = []
    for v in view.rules:
        rule_id = v.rule.id or 0
        paused = v.rule.status == RuleStatus.PAUSED
        toggle, key = (
            (RuleVerb.RESUME, "reminders.resume_button") if paused else (RuleVerb.PAUSE, "reminders.pause_button")
        )
        edit = RuleWizard(field=RuleField.EDIT, value=rule_id).pack()
        rows.append(
            [
                rule_button(i18n, key, toggle, rule_id, title=v.rule.title),
                InlineKeyboardButton(text=i18n("reminders.edit_button"), callback_data=edit),
                rule_button(i18n, "reminders.delete_button", RuleVerb.DELETE, rule_id),
            ]
        )
    add = RuleWizard(field=RuleField.ADD, value=0).pack()
    rows.append([InlineKeyboardButton(text=i18n("reminders.add_button"), callback_data=add)])
    lines.append(i18n("reminders.footer_head"))
    return "\n".join(lines), InlineKeyboardMarkup(inline_keyboard=rows)


async def reminders_command(
    message: Message, member: MemberProfile, i18n: Localizer, reminder_desk: ReminderDesk
) -> None:
    view = await reminder_desk.rules(member)
    keeper = may_at_all(member, Action.KEEP_REMINDERS)
    text, markup = rules_screen(i18n, view, keeper, reminder_desk.zone)
    await message.answer(text, reply_markup=markup)


async def week_command(message: Message, i18n: Localizer, member: MemberProfile, reminder_desk: ReminderDesk) -> None:
    """/week: the township's week, as the weekly meeting reviews it."""
    await message.answer(week_text(i18n, await reminder_desk.week(member), reminder_desk.zone))


async def compliance_command(
    message: Message, i18n: Localizer, member: MemberProfile, reminder_desk: ReminderDesk
) -> None:
    """/compliance: this quarter's meetings, this month's inspections, the last drill, what is overdue."""
    rows = await reminder_desk.compliance(member)
    period = quarter_of(reminder_desk.clock.now(), reminder_desk.zone).label
    await message.answer(compliance_text(i18n, rows, reminder_desk.zone, period))


async def rule_pressed(
    query: CallbackQuery, callback_data: RuleAction, member: MemberProfile, i18n: Localizer, reminder_desk: ReminderDesk
) -> None:
    verb, rule_id = callback_data.action, callback_data.rule_id
    if verb == RuleVerb.DELETE:
        await reminder_desk.check_keeper(member, rule_id)
        confirm = rule_button(i18n, "reminders.confirm_delete_button", RuleVerb.CONFIRM_DELETE, rule_id)
        await query.answer()
        if isinstance(query.message, Message):
            await query.message.answer(
                i18n("reminders.confirm_delete"), reply_markup=InlineKeyboardMarkup(inline_keyboard=[[confirm]])
            )
        return
    if verb == RuleVerb.CONFIRM_DELETE:
        title = await reminder_desk.delete_rule(member, rule_id)
        await query.answer(i18n("reminders.deleted", title=title))
    else:
        rule = await reminder_desk.set_status(member, rule_id, STATUS_OF_VERB[verb])
        await query.answer(i18n(DONE_TEXT[verb], title=rule.title))
    if isinstance(query.message, Message):
        view = await reminder_desk.rules(member)
        await turn_into(query.message, *rules_screen(i18n, view, True, reminder_desk.zone))


async def rsvp_pressed(
    query: CallbackQuery,
    callback_data: RsvpAction,
    member: MemberProfile,
    i18n: Localizer,
    reminder_desk: ReminderDesk,
    state: FSMContext,
) -> None:
    """参加 is recorded at once; 请假 asks the reason first. The reminder then shows the answer and keeps both
    buttons, so the answer can change until the event begins."""
    occurrence = callback_data.occurrence_id
    if callback_data.answer == RsvpAnswer.CANT:
        await reminder_desk.check_rsvp(member, occurrence)
        await state.set_state(RsvpFlow.reason)
        message_id = query.message.message_id if isinstance(query.message, Message) else None
        await write(state, RsvpData(occurrence=occurrence, reminder_message_id=message_id))
        await query.answer()
        await ask_reason(query, i18n)
        return
    answered = await reminder_desk.rsvp(member, occurrence, RsvpAnswer.ATTENDING)
    await query.answer(i18n("reminders.attending_done", title=answered.rule.title))
    if isinstance(query.message, Message):
        await turn_into(query.message, *reminder_screen(answered.reminder))


def reminder_screen(reminder: Content) -> tuple[str, InlineKeyboardMarkup | None]:
    return reminder.text or "", pack_buttons(reminder.buttons) if reminder.buttons else None


async def ask_reason(query: CallbackQuery, i18n: Localizer) -> None:
    if isinstance(query.message, Message):
        await query.message.answer(i18n("reminders.ask_reason"))


async def reason_typed(
    message: Message, member: MemberProfile, i18n: Localizer, reminder_desk: ReminderDesk, state: FSMContext
) -> None:
    data = await read(state, RsvpData)
    answered = await reminder_desk.rsvp(member, data.occurrence, RsvpAnswer.CANT, (message.text or "").strip())
    await state.clear()
    await message.answer(i18n("reminders.cant_done", title=answered.rule.title))
    if data.reminder_message_id is not None and message.bot is not None:
        await rewrite(message.bot, message.chat.id, data.reminder_message_id, *reminder_screen(answered.reminder))


async def reason_not_text(message: Message, i18n: Localizer) -> None:
    await message.answer(i18n("reminders.ask_reason"))

"""A plan edited with buttons, for a head on a phone: a level's tasks (remove one, add one: title typed, role and due
time tapped), its call-out headcount, its report cadence and its starting condition. Each change is saved at once,
on the plan as shown; a screen gone stale (another head, an import) is refused."""

from aiogram import Bot, Dispatcher, F, Router
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Message

from gridguard.directory.enums import ROLE_NAMES, Role
from gridguard.directory.members import MemberProfile
from gridguard.directory.permissions import TASK_ROLES
from gridguard.kernel.errors import DomainError, NoLongerThere
from gridguard.kernel.fitting import lines_fitted
from gridguard.plans.enums import ResponseLevel
from gridguard.plans.plan_document import (
    TITLE_LIMIT,
    AddTask,
    PlanEdit,
    RemoveTask,
    SetCadence,
    SetCallout,
    SetCondition,
)
from gridguard.plans.plan_library import PlanLibrary, PlanView
from gridguard.plans.plan_texts import hours_text, level_name
from gridguard.telegram.edits import turn_into
from gridguard.telegram.filters import NOT_A_COMMAND, Known, Registered
from gridguard.telegram.plans.callbacks import EditField, PlanEditing, PlanMenu, PlanMenuVerb
from gridguard.telegram.plans.states import PlanEditData, PlanEditFlow
from gridguard.telegram.wizard import ask_again, editing, read, write
from i18n import Localizer

TASK_ROLE_CHOICES = [role for role in Role if role in TASK_ROLES]
DUE_CHOICES = (0.5, 1, 2, 3, 6, 12, 24)
NEEDED_CHOICES = (0, 10, 20, 50, 100, 200)
CADENCE_CHOICES = (0, 1, 2, 3, 6, 12, 24)
REMOVES_PER_ROW = 5


def router() -> Router:
    r = Router(name="plan_editor")
    r.message.filter(Known())
    r.callback_query.filter(Registered())
    r.callback_query.register(edit_pressed, PlanEditing.filter())
    r.message.register(title_typed, PlanEditFlow.title, F.text, NOT_A_COMMAND)
    r.message.register(condition_typed, PlanEditFlow.condition, F.text, NOT_A_COMMAND)
    for step, key in (
        (PlanEditFlow.title, "plan.ask_task_title"),
        (PlanEditFlow.role, "plan.use_the_buttons"),
        (PlanEditFlow.due, "plan.use_the_buttons"),
        (PlanEditFlow.condition, "plan.ask_condition"),
    ):
        r.message.register(ask_again(key), step, NOT_A_COMMAND)
    return r


def button(text: str, view: PlanView, level: ResponseLevel, field: EditField, value: int = 0) -> InlineKeyboardButton:
    data = PlanEditing(plan_id=view.id, version=view.version, level=level, field=field, value=value)
    return InlineKeyboardButton(text=text, callback_data=data.pack())


def levels_screen(i18n: Localizer, view: PlanView) -> tuple[str, InlineKeyboardMarkup]:
    """Which level to edit (a level the plan lacks is added by its first change)."""
    rows = [[button(level_name(i18n, level), view, level, EditField.LEVEL)] for level in ResponseLevel]
    back = PlanMenu(verb=PlanMenuVerb.OPEN, subject=view.id).pack()
    rows.append([InlineKeyboardButton(text=i18n("plan.back_button"), callback_data=back)])
    return i18n("plan.edit_choose_level", plan=view.document.name), InlineKeyboardMarkup(inline_keyboard=rows)


def level_screen(i18n: Localizer, view: PlanView, level: ResponseLevel) -> tuple[str, InlineKeyboardMarkup]:
    spec = view.document.levels.get(level)
    tasks = spec.tasks if spec else []
    lines = [
        i18n(
            "plan.edit_task_line",
            n=number,
            title=task.title,
            role=i18n(ROLE_NAMES(task.role)),
            due=hours_text(i18n, task.due_hours),
        )
        for number, task in enumerate(tasks, start=1)
    ]
    text = i18n(
        "plan.edit_level",
        plan=view.document.name,
        level=level_name(i18n, level),
        condition=spec.condition if spec else "—",
        needed=spec.callout.needed if spec and spec.callout else 0,
        cadence=hours_text(i18n, spec.report_every_hours) if spec and spec.report_every_hours else "—",
    )
    text = "\n".join([text, *(lines_fitted(i18n, lines) or [i18n("plan.edit_no_tasks")])])
    removes = [button(f"🗑 {n}", view, level, EditField.REMOVE, n - 1) for n in range(1, len(tasks) + 1)]
    rows = [removes[i : i + REMOVES_PER_ROW] for i in range(0, len(removes), REMOVES_PER_ROW)]
    rows += [
        [button(i18n("plan.edit_add_button"), view, level, EditField.ADD)],
        [
            button(i18n("plan.edit_needed_button"), view, level, EditField.NEEDED_MENU),
            button(i18n("plan.edit_cadence_button"), view, level, EditField.CADENCE_MENU),
        ],
        [button(i18n("plan.edit_condition_button"), view, level, EditField.CONDITION)],
    ]
    back = PlanMenu(verb=PlanMenuVerb.EDIT, subject=view.id).pack()
    rows.append([InlineKeyboardButton(text=i18n("plan.back_button"), callback_data=back)])
    return text, InlineKeyboardMarkup(inline_keyboard=rows)


def choices_screen(
    i18n: Localizer, view: PlanView, level: ResponseLevel, field: EditField, prompt: str, labels: list[tuple[str, int]]
) -> tuple[str, InlineKeyboardMarkup]:
    rows = [
        [button(label, view, level, field, value) for label, value in labels[i : i + 3]]
        for i in range(0, len(labels), 3)
    ]
    rows.append([button(i18n("plan.back_button"), view, level, EditField.LEVEL)])
    return prompt, InlineKeyboardMarkup(inline_keyboard=rows)


async def edit_pressed(
    query: CallbackQuery,
    callback_data: PlanEditing,
    member: MemberProfile,
    i18n: Localizer,
    plan_library: PlanLibrary,
    state: FSMContext,
    dispatcher: Dispatcher,
    bot: Bot,
) -> None:
    data = callback_data
    view = await plan_library.editable(member, data.plan_id)
    if view.version != data.version:
        raise NoLongerThere("plan.edited_meanwhile")
    screen = await _screen_after(query, data, view, member, i18n, plan_library, dispatcher, bot)
    await query.answer()
    if screen is not None and isinstance(query.message, Message):
        await turn_into(query.message, *screen)


async def _screen_after(
    query: CallbackQuery,
    data: PlanEditing,
    view: PlanView,
    member: MemberProfile,
    i18n: Localizer,
    plan_library: PlanLibrary,
    dispatcher: Dispatcher,
    bot: Bot,
) -> tuple[str, InlineKeyboardMarkup] | None:
    """What the press shows next (None: the conversation goes on in the private chat)."""
    level, field = data.level, data.field
    chat = query.from_user.id
    private = dispatcher.fsm.get_context(bot, chat_id=chat, user_id=chat)
    if field == EditField.LEVEL:
        return level_screen(i18n, view, level)
    if field == EditField.NEEDED_MENU:
        labels = [(i18n("plan.edit_no_callout") if n == 0 else str(n), n) for n in NEEDED_CHOICES]
        return choices_screen(i18n, view, level, EditField.NEEDED, i18n("plan.edit_ask_needed"), labels)
    if field == EditField.CADENCE_MENU:
        labels = [(i18n("plan.edit_no_report") if h == 0 else hours_text(i18n, h), h) for h in CADENCE_CHOICES]
        return choices_screen(i18n, view, level, EditField.CADENCE, i18n("plan.edit_ask_cadence"), labels)
    if field in (EditField.ADD, EditField.CONDITION):
        await private.set_state(PlanEditFlow.title if field == EditField.ADD else PlanEditFlow.condition)
        await write(private, PlanEditData(plan_id=view.id, version=view.version, level=level))
        await bot.send_message(chat, i18n("plan.ask_task_title" if field == EditField.ADD else "plan.ask_condition"))
        return None
    if field == EditField.ROLE:
        if data.value >= len(TASK_ROLE_CHOICES):
            raise DomainError("plan.edit_invalid")
        async with editing(private, PlanEditData) as held:
            held.role = TASK_ROLE_CHOICES[data.value]
        await private.set_state(PlanEditFlow.due)
        labels = [(hours_text(i18n, h), n) for n, h in enumerate(DUE_CHOICES)]
        return choices_screen(i18n, view, level, EditField.DUE, i18n("plan.edit_ask_due"), labels)
    edit = await _edit_of(data, view, private)
    changed = await plan_library.edit_plan(member, view.id, view.version, edit)
    await private.clear()
    return level_screen(i18n, changed, level)


async def _edit_of(data: PlanEditing, view: PlanView, private: FSMContext) -> PlanEdit:
    level, value = data.level, data.value
    if data.field == EditField.NEEDED:
        return SetCallout(level, value)
    if data.field == EditField.CADENCE:
        return SetCadence(level, value)
    spec = view.document.levels.get(level)
    if data.field == EditField.REMOVE:
        if spec is None or value >= len(spec.tasks):
            raise DomainError("plan.edit_invalid")
        return RemoveTask(level, spec.tasks[value].key)
    held = await read(private, PlanEditData)
    if value >= len(DUE_CHOICES) or held.title is None or held.role is None or held.plan_id != view.id:
        raise DomainError("plan.edit_invalid")
    return AddTask(level, held.title, held.role, DUE_CHOICES[value])


async def title_typed(
    message: Message, member: MemberProfile, i18n: Localizer, plan_library: PlanLibrary, state: FSMContext
) -> None:
    title = " ".join((message.text or "").split())
    if not title:
        raise DomainError("plan.edit_empty")
    if len(title) > TITLE_LIMIT:
        raise DomainError("plan.edit_too_long")
    async with editing(state, PlanEditData) as held:
        held.title = title
    view = await plan_library.editable(member, held.plan_id)
    await state.set_state(PlanEditFlow.role)
    labels = [(i18n(ROLE_NAMES(role)), n) for n, role in enumerate(TASK_ROLE_CHOICES)]
    text, markup = choices_screen(
        i18n, view, held.level, EditField.ROLE, i18n("plan.edit_ask_role", title=title), labels
    )
    await message.answer(text, reply_markup=markup)


async def condition_typed(
    message: Message, member: MemberProfile, i18n: Localizer, plan_library: PlanLibrary, state: FSMContext
) -> None:
    held = await read(state, PlanEditData)
    condition = " ".join((message.text or "").split())
    changed = await plan_library.edit_plan(member, held.plan_id, held.version, SetCondition(held.level, condition))
    await state.clear()
    text, markup = level_screen(i18n, changed, held.level)
    await message.answer(text, reply_markup=markup)

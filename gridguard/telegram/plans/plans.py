"""/plan (the township's contingency plans: adopt a template, import or export a YAML file, a level's preview and
its start or drill in one press), the heads' 同意 / 不同意, the progress card's buttons (change the level, end, add
to the log, the log as a workbook), and each assignee's answer to a task."""

from collections.abc import Awaitable, Callable

from aiogram import Bot, Dispatcher, F, Router
from aiogram.filters import Command
from aiogram.fsm.context import FSMContext
from aiogram.types import BufferedInputFile, CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Message

from gridguard.directory.members import MemberProfile
from gridguard.kernel.errors import DomainError
from gridguard.kernel.fitting import lines_fitted
from gridguard.plans.enums import STATUS_NAMES, PlanHazard, ResponseStatus
from gridguard.plans.plan_desk import PlanDesk, StartPreview
from gridguard.plans.plan_document import FILE_LIMIT, PlanFileRefused
from gridguard.plans.plan_library import Library, PlanLibrary, PlanView
from gridguard.plans.plan_sheet import SHEET_LIMIT
from gridguard.plans.plan_texts import hazard_name, level_name
from gridguard.plans.response_lifecycle import ResponseVerb, TaskVerb
from gridguard.reports.enums import CATEGORY_NAMES
from gridguard.reports.report_cards import CardButton
from gridguard.telegram.callbacks import pack_buttons
from gridguard.telegram.edits import turn_into
from gridguard.telegram.filters import IN_PRIVATE, NOT_A_COMMAND, Known, Registered
from gridguard.telegram.plans.callbacks import (
    LevelChange,
    PlanMenu,
    PlanMenuVerb,
    PlanStart,
    ResponseAction,
    TaskAction,
)
from gridguard.telegram.plans.plan_editor import levels_screen
from gridguard.telegram.plans.states import (
    PlanImportFlow,
    PlanNoteData,
    PlanNoteFlow,
    TaskAnswerData,
    TaskAnswerFlow,
)
from gridguard.telegram.reports.callbacks import ReportAction
from gridguard.telegram.wizard import ask_again, read, write
from i18n import Localizer, Raw

HAZARDS = list(PlanHazard)
Handler = Callable[..., Awaitable[None]]
PLAN_FILE_ENDINGS = (".yaml", ".yml")
SHEET_ENDING = ".xlsx"


def router() -> Router:
    r = Router(name="plans")
    r.message.filter(Known())
    r.callback_query.filter(Registered())
    r.message.register(plan_command, Command("plan"), IN_PRIVATE)
    r.callback_query.register(start_from_card, ReportAction.filter(F.action == CardButton.START_PLAN))
    r.callback_query.register(menu_pressed, PlanMenu.filter())
    r.callback_query.register(level_pressed, PlanStart.filter())
    r.callback_query.register(change_pressed, LevelChange.filter())
    r.callback_query.register(response_pressed, ResponseAction.filter())
    r.callback_query.register(task_pressed, TaskAction.filter())
    r.message.register(plan_file_received, PlanImportFlow.file, F.document, IN_PRIVATE)
    r.message.register(ask_again("plan.import_prompt"), PlanImportFlow.file, NOT_A_COMMAND)
    r.message.register(task_done_with_record, TaskAnswerFlow.done, F.text | F.photo, NOT_A_COMMAND)
    r.message.register(ask_again_for_task("plan.task_ask_done"), TaskAnswerFlow.done, NOT_A_COMMAND)
    r.message.register(task_cant_with_reason, TaskAnswerFlow.cant, F.text, NOT_A_COMMAND)
    r.message.register(ask_again_for_task("plan.task_ask_reason"), TaskAnswerFlow.cant, NOT_A_COMMAND)
    r.message.register(note_received, PlanNoteFlow.entry, F.text | F.photo | F.voice, NOT_A_COMMAND)
    r.message.register(ask_again("plan.note_prompt"), PlanNoteFlow.entry, NOT_A_COMMAND)
    return r


def ask_again_for_task(key: str) -> Handler:
    async def asked_again(
        message: Message, i18n: Localizer, plan_desk: PlanDesk, member: MemberProfile, state: FSMContext
    ) -> None:
        task = await plan_desk.task(member, (await read(state, TaskAnswerData)).task_id)
        await message.answer(i18n(key, title=task.title))

    return asked_again


def button(text: str, data: str) -> InlineKeyboardButton:
    return InlineKeyboardButton(text=text, callback_data=data)


# --- the library ---------------------------------------------------------------------------------------


async def plan_command(message: Message, member: MemberProfile, i18n: Localizer, plan_library: PlanLibrary) -> None:
    text, markup = library_screen(i18n, await plan_library.library(member))
    await message.answer(text, reply_markup=markup)


def library_screen(i18n: Localizer, library: Library) -> tuple[str, InlineKeyboardMarkup]:
    title = "plan.county_library_title" if library.county else "plan.library_title"
    lines = [i18n(title, township=library.unit)]
    if not library.plans:
        lines.append(i18n("plan.library_empty"))
    if library.live:
        lines.append(i18n("plan.library_live"))
        lines += [
            i18n(
                "plan.library_live_line",
                drill=i18n("plan.drill_mark") if live.drill else "",
                plan=live.plan,
                level=level_name(i18n, live.level),
                status=i18n(STATUS_NAMES(live.status)),
            )
            for live in library.live
        ]
    lines.append(i18n("plan.county_library_help" if library.county else "plan.library_help"))
    rows = [
        [button(f"📘 {plan.name}", PlanMenu(verb=PlanMenuVerb.OPEN, subject=plan.id).pack())] for plan in library.plans
    ]
    rows += [
        [
            button(
                f"🚨 {live.plan} {level_name(i18n, live.level)}",
                ResponseAction(action=ResponseVerb.OPEN, subject=live.id).pack(),
            )
        ]
        for live in library.live
        if live.status == ResponseStatus.ACTIVE
    ]
    if library.may_keep:
        rows += [
            [
                button(
                    i18n("plan.published_button", plan=plan.name),
                    PlanMenu(verb=PlanMenuVerb.ADOPT, subject=plan.id).pack(),
                )
            ]
            for plan in library.published
        ]
        rows += [
            [
                button(
                    i18n("plan.template_button", hazard=hazard_name(i18n, hazard)),
                    PlanMenu(verb=PlanMenuVerb.TEMPLATE, subject=HAZARDS.index(hazard)).pack(),
                )
            ]
            for hazard in library.templates
        ]
        rows.append([button(i18n("plan.import_button"), PlanMenu(verb=PlanMenuVerb.IMPORT).pack())])
    return "\n\n".join(lines), InlineKeyboardMarkup(inline_keyboard=rows)


async def menu_pressed(
    query: CallbackQuery,
    callback_data: PlanMenu,
    member: MemberProfile,
    i18n: Localizer,
    plan_library: PlanLibrary,
    state: FSMContext,
    bot: Bot,
) -> None:
    verb, subject = callback_data.verb, callback_data.subject
    message = query.message if isinstance(query.message, Message) else None
    if verb == PlanMenuVerb.OPEN:
        text, markup = plan_screen(i18n, await plan_library.plan(member, subject))
    elif verb == PlanMenuVerb.EDIT:
        text, markup = levels_screen(i18n, await plan_library.editable(member, subject))
    elif verb in (PlanMenuVerb.EXPORT, PlanMenuVerb.EXPORT_SHEET):
        name, data = await plan_library.export_plan(member, subject, sheet=verb == PlanMenuVerb.EXPORT_SHEET)
        await query.answer()
        await bot.send_document(query.from_user.id, BufferedInputFile(data, filename=name))
        return
    elif verb == PlanMenuVerb.IMPORT:
        plan_library.keeper_unit(member)
        await state.set_state(PlanImportFlow.file)
        await query.answer()
        await bot.send_message(query.from_user.id, i18n("plan.import_prompt"))
        return
    elif verb in (PlanMenuVerb.TEMPLATE, PlanMenuVerb.ADOPT):
        if verb == PlanMenuVerb.ADOPT:
            adopted = await plan_library.adopt_published(member, subject)
        elif subject < len(HAZARDS):
            adopted = await plan_library.adopt_template(member, HAZARDS[subject])
        else:
            raise DomainError("plan.no_template")
        await query.answer(i18n("plan.adopted", plan=adopted.name))
        if message:
            await turn_into(message, *library_screen(i18n, await plan_library.library(member)))
        return
    elif verb == PlanMenuVerb.CANCEL:
        await query.answer()
        if message:
            await turn_into(message, i18n("plan.cancelled"))
        return
    else:
        text, markup = library_screen(i18n, await plan_library.library(member))
    await query.answer()
    if message:
        await turn_into(message, text, markup)


def plan_screen(i18n: Localizer, view: PlanView) -> tuple[str, InlineKeyboardMarkup]:
    document = view.document
    levels = []
    for level in document.ordered_levels():
        spec = document.levels[level]
        levels.append(
            i18n(
                "plan.view_level",
                level=level_name(i18n, level),
                condition=spec.condition,
                tasks=len(spec.tasks),
                callout=Raw(i18n("plan.view_callout", needed=spec.callout.needed) if spec.callout else ""),
                report=Raw(
                    (i18n("plan.view_report", hours=spec.report_every_hours) if spec.report_every_hours else "")
                    + (i18n("plan.view_duty") if spec.duty else "")
                ),
            )
        )
    text = i18n("plan.view", plan=document.name, levels=Raw("\n\n".join(levels)))
    rows = []
    if view.running is None and view.may_start:
        for level in document.ordered_levels():
            name = level_name(i18n, level)
            start = PlanStart(plan_id=view.id, level=level, drill=False, go=False, version=view.version)
            drill = PlanStart(plan_id=view.id, level=level, drill=True, go=False, version=view.version)
            rows.append(
                [
                    button(i18n("plan.start_button", level=name), start.pack()),
                    button(i18n("plan.drill_button", level=name), drill.pack()),
                ]
            )
    elif view.running is not None:
        text += i18n("plan.view_running")
    if view.may_keep:
        rows.append([button(i18n("plan.edit_button"), PlanMenu(verb=PlanMenuVerb.EDIT, subject=view.id).pack())])
    rows.append(
        [
            button(i18n("plan.export_button"), PlanMenu(verb=PlanMenuVerb.EXPORT, subject=view.id).pack()),
            button(i18n("plan.export_sheet_button"), PlanMenu(verb=PlanMenuVerb.EXPORT_SHEET, subject=view.id).pack()),
        ]
    )
    rows.append([button(i18n("plan.back_button"), PlanMenu(verb=PlanMenuVerb.BACK).pack())])
    return text, InlineKeyboardMarkup(inline_keyboard=rows)


async def plan_file_received(
    message: Message, member: MemberProfile, i18n: Localizer, plan_library: PlanLibrary, state: FSMContext, bot: Bot
) -> None:
    """A plan file: bounded before it is downloaded, read off the event loop, saved whole or not at all."""
    document = message.document
    assert document is not None
    name = (document.file_name or "").casefold()
    sheet = name.endswith(SHEET_ENDING)
    if not sheet and not name.endswith(PLAN_FILE_ENDINGS):
        await message.answer(i18n("plan.not_a_plan_file"))
        return
    limit = SHEET_LIMIT if sheet else FILE_LIMIT
    if document.file_size is not None and document.file_size > limit:
        raise DomainError("plan.file_too_big", limit=limit // 1024)
    downloaded = await bot.download(document)
    assert downloaded is not None
    try:
        plan, replaced = await plan_library.import_plan(member, downloaded.read(), sheet)
    except PlanFileRefused as refused:
        lines = [i18n("plan.file_line", line=m.line, where=m.where, problem=i18n(m.problem)) for m in refused.mistakes]
        await message.answer(
            "\n".join([i18n("plan.file_refused", count=len(refused.mistakes)), *lines_fitted(i18n, lines)])
        )
        return
    await state.clear()
    levels = "、".join(level_name(i18n, level) for level in plan.levels)
    await message.answer(i18n("plan.replaced" if replaced else "plan.imported", plan=plan.name, levels=levels))


async def start_from_card(
    query: CallbackQuery,
    callback_data: ReportAction,
    member: MemberProfile,
    i18n: Localizer,
    plan_library: PlanLibrary,
    bot: Bot,
) -> None:
    """A critical report's "start a plan response": the township's plan for its hazard, its levels to start, in
    the presser's private chat (or where to get one)."""
    found = await plan_library.from_report(member, callback_data.report_id)
    await query.answer()
    hazard = hazard_name(i18n, found.hazard)
    if found.plan is None:
        await bot.send_message(query.from_user.id, i18n("plan.no_plan_for_report", code=found.code, hazard=hazard))
        return
    text, markup = plan_screen(i18n, found.plan)
    heading = i18n("plan.from_report", code=found.code, category=i18n(CATEGORY_NAMES(found.category)))
    await bot.send_message(query.from_user.id, f"{heading}\n\n{text}", reply_markup=markup)


# --- starting --------------------------------------------------------------------------------------------


async def level_pressed(
    query: CallbackQuery,
    callback_data: PlanStart,
    member: MemberProfile,
    i18n: Localizer,
    plan_desk: PlanDesk,
    plan_library: PlanLibrary,
) -> None:
    data = callback_data
    view = await plan_library.plan(member, data.plan_id)
    if view.version != data.version:
        raise DomainError("plan.changed_meanwhile")
    message = query.message if isinstance(query.message, Message) else None
    if not data.go:
        preview = await plan_desk.preview(member, data.plan_id, data.level, data.drill)
        await query.answer()
        if message:
            await turn_into(message, *preview_screen(i18n, preview, data))
        return
    started = await plan_desk.start(member, data.plan_id, data.level, data.drill)
    level = level_name(i18n, data.level)
    text = (
        i18n("plan.proposed")
        if started.proposed
        else i18n("plan.started", level=level, tasks=started.tasks, reached=started.reached)
    )
    await query.answer(text[:200])
    if message:
        await turn_into(message, text)


def preview_screen(i18n: Localizer, preview: StartPreview, data: PlanStart) -> tuple[str, InlineKeyboardMarkup]:
    level = level_name(i18n, preview.level)
    callout = (
        i18n("plan.preview_callout", reaches=preview.reaches, needed=preview.needed)
        if preview.needed
        else i18n("plan.preview_no_callout")
    )
    report = i18n("plan.preview_report", hours=preview.report_every_hours) if preview.report_every_hours else ""
    if preview.on_duty:
        report += i18n("plan.preview_duty", n=preview.on_duty)
    text = i18n(
        "plan.preview",
        drill=i18n("plan.drill_mark") if preview.drill else "",
        plan=preview.plan,
        level=level,
        condition=preview.condition,
        callout=Raw(callout),
        tasks=preview.tasks,
        people=preview.people,
        report=Raw(report),
        confirm=Raw(i18n("plan.preview_confirm", level=level) if preview.needs_confirmation else ""),
    )
    key = (
        "plan.propose_button"
        if preview.needs_confirmation
        else "plan.go_drill_button"
        if preview.drill
        else "plan.go_button"
    )
    go = PlanStart(plan_id=data.plan_id, level=data.level, drill=data.drill, go=True, version=data.version)
    rows = [
        [button(i18n(key), go.pack())],
        [button(i18n("plan.cancel_button"), PlanMenu(verb=PlanMenuVerb.CANCEL).pack())],
    ]
    return text, InlineKeyboardMarkup(inline_keyboard=rows)


# --- the progress card and the heads' answers ----------------------------------------------------------


async def response_pressed(
    query: CallbackQuery,
    callback_data: ResponseAction,
    member: MemberProfile,
    i18n: Localizer,
    plan_desk: PlanDesk,
    dispatcher: Dispatcher,
    bot: Bot,
) -> None:
    verb, subject = callback_data.action, callback_data.subject
    message = query.message if isinstance(query.message, Message) else None
    if verb in (ResponseVerb.CONFIRM, ResponseVerb.DECLINE):
        decided = await plan_desk.decide(member, subject, verb == ResponseVerb.CONFIRM)
        key = "plan.decided_confirmed" if decided.confirmed else "plan.decided_declined"
        text = i18n(key, level=level_name(i18n, decided.level))
        await query.answer(text)
        if message:
            await turn_into(message, f"{message.html_text}\n\n{text}")
        return
    if verb == ResponseVerb.LOG:
        name, data, caption = await plan_desk.log_file(member, subject)
        await query.answer()
        await bot.send_document(query.from_user.id, BufferedInputFile(data, filename=name), caption=caption)
        return
    if verb == ResponseVerb.CONFIRM_END:
        summary = await plan_desk.end(member, subject)
        await query.answer()
        if message:
            await turn_into(message, i18n("plan.ended", summary=summary))
        return
    response = await plan_desk.running(member, subject)
    await query.answer()
    chat = query.from_user.id
    if verb == ResponseVerb.OPEN:
        card = await plan_desk.card(member, subject)
        await bot.send_message(chat, card.text or "", reply_markup=pack_buttons(card.buttons) if card.buttons else None)
    elif verb == ResponseVerb.CHANGE_LEVEL:
        rows = [
            [
                button(
                    level_name(i18n, level),
                    LevelChange(response_id=subject, level=level, go=False, version=response.version).pack(),
                )
            ]
            for level in response.other_levels
        ]
        rows.append([button(i18n("plan.cancel_button"), PlanMenu(verb=PlanMenuVerb.CANCEL).pack())])
        text = i18n("plan.choose_level", level=level_name(i18n, response.level))
        await bot.send_message(chat, text, reply_markup=InlineKeyboardMarkup(inline_keyboard=rows))
    elif verb == ResponseVerb.END:
        rows = [
            [
                button(
                    i18n("plan.confirm_end_button"),
                    ResponseAction(action=ResponseVerb.CONFIRM_END, subject=subject).pack(),
                )
            ],
            [
                button(
                    i18n("plan.keep_going_button"),
                    ResponseAction(action=ResponseVerb.KEEP_GOING, subject=subject).pack(),
                )
            ],
        ]
        await bot.send_message(chat, i18n("plan.confirm_end"), reply_markup=InlineKeyboardMarkup(inline_keyboard=rows))
    elif verb == ResponseVerb.NOTE:
        private = dispatcher.fsm.get_context(bot, chat_id=chat, user_id=chat)
        await private.set_state(PlanNoteFlow.entry)
        await write(private, PlanNoteData(response_id=subject))
        await bot.send_message(chat, i18n("plan.note_prompt"))
    elif message:
        await turn_into(message, i18n("plan.kept_going"))


async def change_pressed(
    query: CallbackQuery, callback_data: LevelChange, member: MemberProfile, i18n: Localizer, plan_desk: PlanDesk
) -> None:
    data = callback_data
    message = query.message if isinstance(query.message, Message) else None
    to = level_name(i18n, data.level)
    if not data.go:
        preview = await plan_desk.change_preview(member, data.response_id, data.level)
        if preview.version != data.version:
            raise DomainError("plan.changed_meanwhile")
        text = i18n(
            "plan.change_preview",
            before=level_name(i18n, preview.level_from),
            level=to,
            tasks=preview.new_tasks,
            withdrawn=preview.withdrawn,
            reaches=preview.reaches,
            confirm=Raw(i18n("plan.preview_confirm", level=to) if preview.needs_confirmation else ""),
        )
        key = "plan.propose_button" if preview.needs_confirmation else "plan.change_go_button"
        go = LevelChange(response_id=data.response_id, level=data.level, go=True, version=data.version)
        rows = [
            [button(i18n(key), go.pack())],
            [button(i18n("plan.cancel_button"), PlanMenu(verb=PlanMenuVerb.CANCEL).pack())],
        ]
        await query.answer()
        if message:
            await turn_into(message, text, InlineKeyboardMarkup(inline_keyboard=rows))
        return
    applied = await plan_desk.change_level(member, data.response_id, data.level, data.version)
    if applied is None:
        text = i18n("plan.change_proposed")
    else:
        text = i18n("plan.changed", level=to, tasks=applied.tasks, withdrawn=applied.withdrawn, reached=applied.reached)
    await query.answer()
    if message:
        await turn_into(message, text)


async def note_received(
    message: Message, member: MemberProfile, i18n: Localizer, plan_desk: PlanDesk, state: FSMContext
) -> None:
    response_id = (await read(state, PlanNoteData)).response_id
    photo = message.photo[-1].file_id if message.photo else None
    voice = message.voice.file_id if message.voice else None
    await plan_desk.add_note(member, response_id, message.text or message.caption, photo, voice)
    await state.clear()
    await message.answer(i18n("plan.note_saved"))


# --- tasks -------------------------------------------------------------------------------------------------


async def task_pressed(
    query: CallbackQuery,
    callback_data: TaskAction,
    member: MemberProfile,
    i18n: Localizer,
    plan_desk: PlanDesk,
    dispatcher: Dispatcher,
    bot: Bot,
) -> None:
    verb, task_id = callback_data.action, callback_data.task_id
    chat = query.from_user.id
    private = dispatcher.fsm.get_context(bot, chat_id=chat, user_id=chat)
    if verb == TaskVerb.JUST_DONE:
        task = await plan_desk.finish_task(member, task_id, None, None)
        await private.clear()
        await query.answer(i18n("plan.task_recorded_done", title=task.title)[:200])
        if isinstance(query.message, Message):
            await turn_into(query.message, i18n("plan.task_recorded_done", title=task.title))
        return
    task = await plan_desk.task(member, task_id)
    await query.answer()
    await write(private, TaskAnswerData(task_id=task_id))
    if verb == TaskVerb.DONE:
        await private.set_state(TaskAnswerFlow.done)
        plain = TaskAction(action=TaskVerb.JUST_DONE, task_id=task_id).pack()
        markup = InlineKeyboardMarkup(inline_keyboard=[[button(i18n("plan.task_done_plain_button"), plain)]])
        await bot.send_message(chat, i18n("plan.task_ask_done", title=task.title), reply_markup=markup)
    else:
        await private.set_state(TaskAnswerFlow.cant)
        await bot.send_message(chat, i18n("plan.task_ask_reason", title=task.title))


async def task_done_with_record(
    message: Message, member: MemberProfile, i18n: Localizer, plan_desk: PlanDesk, state: FSMContext
) -> None:
    task_id = (await read(state, TaskAnswerData)).task_id
    photo = message.photo[-1].file_id if message.photo else None
    task = await plan_desk.finish_task(member, task_id, message.text or message.caption, photo)
    await state.clear()
    await message.answer(i18n("plan.task_recorded_done", title=task.title))


async def task_cant_with_reason(
    message: Message, member: MemberProfile, i18n: Localizer, plan_desk: PlanDesk, state: FSMContext
) -> None:
    task_id = (await read(state, TaskAnswerData)).task_id
    task = await plan_desk.cant_do_task(member, task_id, message.text or "")
    await state.clear()
    await message.answer(i18n("plan.task_recorded_cant", title=task.title))

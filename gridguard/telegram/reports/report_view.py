"""Showing reports: `/report CODE` (or the details button) and /reports."""

import re
from datetime import datetime
from zoneinfo import ZoneInfo

from aiogram import Bot, F, Router
from aiogram.filters import Command
from aiogram.types import InlineKeyboardMarkup, Message

from gridguard.directory.members import MemberProfile
from gridguard.directory.permissions import STEP_ROLES
from gridguard.kernel.fitting import TEXT_LIMIT, visible_length
from gridguard.kernel.times import local_time
from gridguard.reports.enums import CATEGORY_NAMES, EVENT_NAMES, STATE_NAMES
from gridguard.reports.report_cards import CardButton, card_keyboard, card_text, reporter_keyboard, waited
from gridguard.reports.report_desk import ReportDesk
from gridguard.reports.report_lifecycle import OPEN_STATUSES
from gridguard.reports.report_views import Details, HistoryLine
from gridguard.reports.tables import Report
from gridguard.telegram.callbacks import pack_buttons
from gridguard.telegram.filters import IN_PRIVATE, Known
from gridguard.telegram.keyboards import choices_keyboard
from gridguard.telegram.reports.callbacks import ReportAction
from i18n import Keys, Localizer, Raw, all_translations

DETAILS_BUTTONS = 10


def router() -> Router:
    r = Router(name="report_view")
    r.message.filter(IN_PRIVATE, Known())
    r.message.register(list_reports, Command("reports"))
    r.message.register(list_reports, F.text.in_(all_translations("menu.reports")))
    return r


async def send_details(
    bot: Bot, chat_id: int, i18n: Localizer, details: Details, zone: ZoneInfo, now: datetime
) -> None:
    """The whole report: full description, the history, then every photo and video, the voice note. Someone who
    may act on it gets the card's buttons under the text, as on the card (every press is checked again)."""
    chunks = detail_chunks(i18n, details, zone, now)
    for chunk in chunks[:-1]:
        await bot.send_message(chat_id, chunk)
    await bot.send_message(chat_id, chunks[-1], reply_markup=details_keyboard(i18n, details))
    for kind, file_id in details.media:
        if kind == "photo":
            await bot.send_photo(chat_id, file_id)
        else:
            await bot.send_video(chat_id, file_id)
    if details.voice:
        await bot.send_voice(chat_id, details.voice)
    if details.resolution_photo:
        await bot.send_photo(chat_id, details.resolution_photo, caption=i18n("report.after_photo"))


def details_keyboard(i18n: Localizer, details: Details) -> InlineKeyboardMarkup | None:
    """The same buttons as on the card (under the same checks on every press), or the reporter's own."""
    facts = details.facts
    rows = reporter_keyboard(i18n, facts.report_id, facts.status) if details.is_reporter else ((),)
    if details.may_act and facts.status in OPEN_STATUSES:
        rows = card_keyboard(
            i18n, facts.report_id, facts.status, facts.severity, with_details=False, calls_out=details.calls_out
        )
    return pack_buttons(rows) if any(rows) else None


ESCALATED_STEP = re.compile(r"(\d+)$")
STEP_NAMES = Keys("report.step_name.{}", STEP_ROLES)


def history_line(i18n: Localizer, line: HistoryLine, zone: ZoneInfo) -> str:
    note = line.note or ""
    if line.kind == "escalated" and (step := ESCALATED_STEP.search(note)) is not None:
        note = i18n("report.reached_step", step=i18n(STEP_NAMES(int(step.group(1)))))
    return i18n(
        "report.history_line",
        when=local_time(line.when, zone),
        what=i18n(EVENT_NAMES(line.kind)),
        who=line.who or i18n("report.system"),
        note=note,
    )


def detail_chunks(i18n: Localizer, details: Details, zone: ZoneInfo, now: datetime) -> list[str]:
    """The details text, split at line ends so no message passes Telegram's limit."""
    head = card_text(i18n, details.facts, now, zone, 10**6)
    history = "\n".join(history_line(i18n, h, zone) for h in details.history)
    text = i18n("report.details", card=Raw(head), history=Raw(history))
    chunks, current = [], ""
    for line in text.split("\n"):
        if current and visible_length(current + line) + 1 > TEXT_LIMIT - 100:
            chunks.append(current)
            current = ""
        current += line + "\n"
    return [c for c in [*chunks, current] if c.strip()]


def list_line(i18n: Localizer, report: Report, now: datetime) -> str:
    return i18n(
        "report.list_line",
        code=report.code,
        category=i18n(CATEGORY_NAMES(report.category)),
        state=i18n(STATE_NAMES(report.status)),
        waited=waited(i18n, report.created_at, now),
    )


async def list_reports(message: Message, member: MemberProfile, i18n: Localizer, desk: ReportDesk) -> None:
    """For officers, the open reports of their units (unacknowledged first); for everyone, their own."""
    if member.id is None:
        await message.answer(i18n("me.unregistered"))
        return
    now = desk.clock.now()
    lists = await desk.lists(member)
    mine, to_act = lists.mine, lists.to_act
    if not mine and not to_act:
        await message.answer(i18n("report.list_empty"))
        return
    lines = []
    if to_act:
        lines += [i18n("report.list_to_act"), *(list_line(i18n, r, now) for r in to_act)]
    if mine:
        lines += [i18n("report.list_mine"), *(list_line(i18n, r, now) for r in mine)]
    shown = list({r.id: r for r in [*to_act, *mine]}.values())[:DETAILS_BUTTONS]
    pairs = [(r.code, ReportAction(action=CardButton.DETAILS, report_id=r.id or 0).pack()) for r in shown]
    await message.answer("\n".join(lines), reply_markup=choices_keyboard(pairs, per_row=2))

"""Showing reports: `/report CODE` (or the details button) and /reports."""

from datetime import datetime
from zoneinfo import ZoneInfo

from aiogram import F, Router
from aiogram.filters import Command
from aiogram.types import Message

from handlers.callbacks import ReportAction
from handlers.keyboards import choices_keyboard
from i18n import Localizer, Raw, all_translations
from models import Database, Report
from services.clock import Clock
from services.errors import DomainError
from services.members import MemberProfile
from services.report_cards import TEXT_LIMIT, card_text, visible_length, waited
from services.report_views import Details, HistoryLine, my_reports, open_reports_for, report_details

DETAILS_BUTTONS = 10


def router() -> Router:
    r = Router(name="report_view")
    r.message.register(list_reports, Command("reports"))
    r.message.register(list_reports, F.text.in_(all_translations("menu.reports")))
    return r


async def send_details(
    message: Message, member: MemberProfile | None, i18n: Localizer, db: Database, code: str, zone: ZoneInfo
) -> None:
    """The whole report: full description, every photo and video, the voice note, the history."""
    if member is None:
        await message.answer(i18n("error.not_allowed"))
        return
    try:
        async with db.reading() as session:
            details = await report_details(session, member, code)
    except DomainError as error:
        await message.answer(i18n(error.key, **error.params))
        return
    for chunk in detail_chunks(i18n, details, zone):
        await message.answer(chunk)
    for kind, file_id in details.media:
        if kind == "photo":
            await message.answer_photo(file_id)
        else:
            await message.answer_video(file_id)
    if details.voice:
        await message.answer_voice(details.voice)
    if details.resolution_photo:
        await message.answer_photo(details.resolution_photo, caption=i18n("report.after_photo"))


def history_line(i18n: Localizer, line: HistoryLine, zone: ZoneInfo) -> str:
    return i18n(
        "report.history_line",
        when=line.when.astimezone(zone).strftime("%m-%d %H:%M"),
        what=i18n(f"report.event.{line.kind}"),
        who=line.who or i18n("report.system"),
        note=line.note or "",
    )


def detail_chunks(i18n: Localizer, details: Details, zone: ZoneInfo) -> list[str]:
    """The details text, split at line ends so no message passes Telegram's limit."""
    head = card_text(i18n, details.facts, details.facts.created_at, zone, 10**6)
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
        category=i18n(f"category.{report.category}"),
        state=i18n(f"report.state.{report.status}"),
        waited=waited(i18n, report.created_at, now),
    )


async def list_reports(
    message: Message, member: MemberProfile | None, i18n: Localizer, db: Database, clock: Clock
) -> None:
    """For officers, the open reports of their units (unacknowledged first); for everyone, their own."""
    if member is None or member.id is None:
        await message.answer(i18n("me.unregistered"))
        return
    now = clock.now()
    async with db.reading() as session:
        mine = await my_reports(session, member.id)
        to_act = await open_reports_for(session, member, now)
    if not mine and not to_act:
        await message.answer(i18n("report.list_empty"))
        return
    lines = []
    if to_act:
        lines += [i18n("report.list_to_act"), *(list_line(i18n, r, now) for r in to_act)]
    if mine:
        lines += [i18n("report.list_mine"), *(list_line(i18n, r, now) for r in mine)]
    shown = list({r.id: r for r in [*to_act, *mine]}.values())[:DETAILS_BUTTONS]
    pairs = [(r.code, ReportAction(action="det", report_id=r.id or 0).pack()) for r in shown]
    await message.answer("\n".join(lines), reply_markup=choices_keyboard(pairs, per_row=2))

"""/outbox: the delivery queue's health and who can't be reached (admins and station heads)."""

from datetime import datetime, timedelta

from aiogram import Router
from aiogram.filters import Command
from aiogram.types import Message

from bot.settings import Settings
from gridguard.delivery.outbox_status import OutboxDesk, OutboxStatus
from gridguard.directory.members import MemberProfile
from gridguard.kernel.errors import NotAllowed
from gridguard.kernel.times import local_time
from gridguard.telegram.filters import IN_PRIVATE, Known
from i18n import Localizer, Raw


def router() -> Router:
    r = Router(name="outbox")
    r.message.filter(IN_PRIVATE, Known())
    r.message.register(show_outbox, Command("outbox"))
    return r


async def show_outbox(
    message: Message, member: MemberProfile, i18n: Localizer, outbox_desk: OutboxDesk, settings: Settings
) -> None:
    try:
        status = await outbox_desk.status(member)
    except NotAllowed as error:
        await message.answer(i18n(error.key))
        return
    await message.answer(render_status(i18n, status, settings))


def render_age(i18n: Localizer, age: timedelta | None) -> str:
    if age is None:
        return i18n("outbox.none_pending")
    minutes = int(age.total_seconds() // 60)
    if minutes < 1:
        return i18n("outbox.age_seconds", seconds=int(age.total_seconds()))
    return i18n("outbox.age_minutes", minutes=minutes)


def shown_time(when: datetime | None, settings: Settings) -> str:
    return local_time(when, settings.zone) if when else "—"


def render_status(i18n: Localizer, status: OutboxStatus, settings: Settings) -> str:
    errors = "\n".join(
        i18n("outbox.error_line", when=shown_time(when, settings), error=error[:120])
        for when, error in status.last_errors
    )
    unreachable = "\n".join(
        i18n("outbox.unreachable_line", name=u.name, since=shown_time(u.since, settings)) for u in status.unreachable
    )
    return i18n(
        "outbox.status",
        pending=status.pending,
        failed=status.failed,
        dead=status.dead,
        oldest=render_age(i18n, status.oldest_pending_age),
        errors=Raw(errors or i18n("outbox.no_errors")),
        unreachable=Raw(unreachable or i18n("outbox.everyone_reachable")),
    )

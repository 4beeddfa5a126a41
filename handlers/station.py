"""/linkgroup (in the station's group chat) and /policy (the township's escalation timeouts)."""

from aiogram import Router
from aiogram.filters import Command, CommandObject
from aiogram.types import Message

from i18n import Localizer
from models import Database
from services.clock import Clock
from services.errors import DomainError
from services.members import MemberProfile
from services.policy import Policy
from services.station import link_group, set_timeout, township_timelines


def router() -> Router:
    r = Router(name="station")
    r.message.register(link_group_command, Command("linkgroup"))
    r.message.register(policy_command, Command("policy"))
    return r


async def link_group_command(
    message: Message, member: MemberProfile | None, i18n: Localizer, db: Database, clock: Clock
) -> None:
    if member is None:
        await message.answer(i18n("error.not_allowed"))
        return
    try:
        async with db.transaction() as session:
            township = await link_group(session, member, message.chat.id, message.chat.type, clock.now())
    except DomainError as error:
        await message.answer(i18n(error.key, **error.params))
        return
    await message.answer(i18n("station.linked", township=township.name))


def minutes(seconds: int) -> str:
    return f"{seconds // 60}" if seconds % 60 == 0 else f"{seconds / 60:.1f}"


async def policy_command(
    message: Message,
    command: CommandObject,
    member: MemberProfile | None,
    i18n: Localizer,
    db: Database,
    policy: Policy,
) -> None:
    """`/policy` shows the township's timeouts; `/policy SEVERITY STEP MINUTES` sets one within the bounds."""
    if member is None:
        await message.answer(i18n("error.not_allowed"))
        return
    try:
        if command.args:
            parts = command.args.split()
            if len(parts) != 3 or not parts[1].isdigit() or not parts[2].replace(".", "", 1).isdigit():
                raise DomainError("policy.usage")
            async with db.transaction() as session:
                await set_timeout(session, member, policy, parts[0], int(parts[1]), round(float(parts[2]) * 60))
        async with db.reading() as session:
            township, timelines = await township_timelines(session, member, policy)
    except DomainError as error:
        await message.answer(i18n(error.key, **error.params))
        return
    lines = [i18n("policy.header", township=township.name)]
    for severity, timeline in timelines.items():
        steps = "，".join(
            i18n("policy.step", step=step, minutes=minutes(seconds), own="*" if own else "")
            for step, seconds, own in timeline
        )
        lines.append(i18n("policy.line", severity=i18n(f"severity.{severity}"), steps=steps))
    lines.append(i18n("policy.footer"))
    await message.answer("\n".join(lines))

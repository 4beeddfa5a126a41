"""/linkgroup (in the station's group chat) and /policy (the township's escalation timeouts)."""

from aiogram import Router
from aiogram.filters import Command, CommandObject
from aiogram.types import Message

from gridguard.directory.members import MemberProfile
from gridguard.reports.enums import SEVERITY_NAMES, Severity
from gridguard.reports.policy import SEVERITIES, minutes_text
from gridguard.reports.station import StationDesk, parse_timeout_change
from gridguard.telegram.filters import IN_PRIVATE, Known
from gridguard.telegram.guards import IN_A_GROUP
from i18n import LANGUAGES, Localizer


def router() -> Router:
    r = Router(name="station")
    r.message.filter(Known())
    r.message.register(link_group_command, Command("linkgroup"), IN_A_GROUP | IN_PRIVATE)
    r.message.register(policy_command, Command("policy"), IN_PRIVATE)
    return r


async def link_group_command(
    message: Message, member: MemberProfile, i18n: Localizer, station_desk: StationDesk
) -> None:
    township = await station_desk.link_group(member, message.chat.id, message.chat.type)
    await message.answer(i18n("station.linked", township=township.name))


def severity_names() -> dict[str, Severity]:
    """What a head may type for a severity: its key, or its name in any language, with or without the icon."""
    names: dict[str, Severity] = {severity.value: severity for severity in SEVERITIES}
    for language in LANGUAGES:
        i18n = Localizer(language)
        for severity in SEVERITIES:
            label = i18n(SEVERITY_NAMES(severity))
            names[label.casefold()] = severity
            names[label.split(maxsplit=1)[-1].casefold()] = severity
    return names


SEVERITY_BY_NAME = severity_names()


async def policy_command(
    message: Message,
    command: CommandObject,
    member: MemberProfile,
    i18n: Localizer,
    station_desk: StationDesk,
) -> None:
    """`/policy` shows the township's timeouts; `/policy SEVERITY STEP MINUTES` sets one within the bounds."""
    if command.args:
        await station_desk.set_timeout(member, parse_timeout_change(command.args, SEVERITY_BY_NAME))
    township, timelines = await station_desk.timelines(member)
    lines = [i18n("policy.header", township=township.name)]
    for severity, timeline in timelines.items():
        steps = "，".join(
            i18n("policy.step", step=step, minutes=minutes_text(seconds), own="*" if own else "")
            for step, seconds, own in timeline
        )
        lines.append(i18n("policy.line", severity=i18n(SEVERITY_NAMES(severity)), steps=steps))
    lines.append(i18n("policy.reaches"))
    lines.append(i18n("policy.footer"))
    await message.answer("\n".join(lines))

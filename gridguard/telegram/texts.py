"""Rendering shared by handlers: roles, places, what a member can do."""

from gridguard.directory.enums import ROLE_DUTIES, ROLE_NAMES, Role
from gridguard.directory.members import MemberProfile, RoleOnUnit
from gridguard.directory.permissions import (
    DRILL_AUDIENCE,
    Action,
    counties_of,
    may_at_all,
    may_file_reports,
    plan_counties_of,
    townships_of,
)
from gridguard.directory.places import place_label
from gridguard.kernel.held import Held
from i18n import Localizer, Raw

REMINDED_ROLES = DRILL_AUDIENCE
"""Who the township's meetings, inspections or drills remind (and so who reads /reminders)."""


def role_line(i18n: Localizer, role: RoleOnUnit) -> Raw:
    return Raw(i18n("me.role_line", role=i18n(ROLE_NAMES(role.role)), place=place_label(role.path_names)))


def abilities(i18n: Localizer, member: MemberProfile) -> Raw:
    """What this member can do, by role, as a bulleted list of the commands that work for them."""
    lines = []
    if may_file_reports(member):
        lines.append(i18n("help.report"))
    lines.append(i18n("help.reports"))
    if townships_of(member, Action.ACT_ON_REPORT):
        lines.append(i18n("help.week"))
    if may_at_all(member, Action.STAND_DUTY):
        lines += [i18n("help.duty"), i18n("help.swap")]
    elif townships_of(member, Action.VIEW_DUTY):
        lines.append(i18n("help.duty_view"))
    elif counties_of(member):
        lines.append(i18n("help.duty_county"))
    if member.has_role(*REMINDED_ROLES):
        lines.append(i18n("help.reminders"))
    if may_at_all(member, Action.STAND_DUTY) or counties_of(member):
        lines.append(i18n("help.compliance"))
    if may_at_all(member, Action.CALL_OUT):
        lines += [i18n("help.alert"), i18n("help.alerts")]
    if may_at_all(member, Action.RUN_PLANS) or plan_counties_of(member):
        lines.append(i18n("help.plan"))
    if may_at_all(member, Action.ANSWER_CALLOUTS):
        lines.append(i18n("help.available"))
    lines += [i18n("help.me"), i18n("help.lang"), i18n("help.cancel")]
    if may_at_all(member, Action.INVITE):
        lines.append(i18n("help.invite"))
    if may_at_all(member, Action.ADD_GRID):
        lines.append(i18n("help.addgrid"))
    if may_at_all(member, Action.VIEW_OUTBOX):
        lines.append(i18n("help.outbox"))
    if may_at_all(member, Action.LINK_GROUP):
        lines += [i18n("help.linkgroup"), i18n("help.policy")]
    if may_at_all(member, Action.EDIT_ROSTER):
        lines.append(i18n("help.roster"))
    if may_at_all(member, Action.KEEP_REMINDERS):
        lines.append(i18n("help.records"))
    duties = [i18n(ROLE_DUTIES(role)) for role in Role if member.has_role(role)]
    return Raw("\n".join([*duties, *lines]))


_held_help: Held[str] = Held(limit=10_000)


def help_text(i18n: Localizer, member: MemberProfile) -> str:
    """/help for a member: the same for everyone holding the same roles at the same levels in one language, so it is
    rendered once per such kind of member and then read from memory (as cheap as an echo's text)."""
    kind = frozenset((r.role, r.unit_level, len(r.path_ids) >= 2) for r in member.roles)
    key = (i18n.language, member.is_admin, kind)
    text = _held_help.get(key)
    if text is None:
        text = _held_help.keep(key, i18n("help.registered", abilities=abilities(i18n, member)))
    return text

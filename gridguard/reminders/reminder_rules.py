"""A township's reminder rules in the database: the four the work rules ask for, given once to every township
that has a station, and who each rule reminds."""

from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from gridguard.directory.permissions import DRILL_AUDIENCE, DUTY_ROLES, MEETING_AUDIENCE, ORGANISER
from gridguard.directory.tables import Member, RoleAssignment, Unit
from gridguard.kernel.held import Held
from gridguard.reminders.enums import KIND_TITLES, HolidayHandling, RuleKind, RuleStatus
from gridguard.reminders.rule_setup import LEAD_CHOICES, RuleDraft
from gridguard.reminders.schedule import Schedule, When
from gridguard.reminders.tables import HolidayDay, ReminderRule, RuleSetup
from gridguard.reminders.work_calendar import WorkCalendar
from i18n import Localizer


@dataclass(frozen=True)
class DefaultRule:
    kind: RuleKind
    rrule: str
    duration_minutes: int


DEFAULT_RULES = (
    DefaultRule(RuleKind.WEEKLY_MEETING, "FREQ=WEEKLY;BYDAY=MO;BYHOUR=9;BYMINUTE=0;BYSECOND=0", 60),
    DefaultRule(RuleKind.INSPECTION, "FREQ=MONTHLY;BYDAY=1WE;BYHOUR=9;BYMINUTE=0;BYSECOND=0", 180),
    DefaultRule(
        RuleKind.SAFETY_MEETING, "FREQ=YEARLY;BYMONTH=1,4,7,10;BYMONTHDAY=5;BYHOUR=15;BYMINUTE=0;BYSECOND=0", 90
    ),
    DefaultRule(RuleKind.DRILL, "FREQ=YEARLY;BYMONTH=6,12;BYMONTHDAY=15;BYHOUR=9;BYMINUTE=0;BYSECOND=0", 180),
)
"""周例会 Mondays 09:00; 每月检查 the first Wednesday 09:00; 每季度会议 the 5th of each quarter's first month at
15:00; 每半年演练 15 June and 15 December at 09:00. A head edits, pauses or deletes them in /reminders."""


def audience_of_kind(kind: RuleKind) -> list[str]:
    return [role.value for role in (DRILL_AUDIENCE if kind == RuleKind.DRILL else MEETING_AUDIENCE)]


async def seed_defaults(session: AsyncSession, now: datetime, zone: ZoneInfo, language: str) -> int:
    """Give the four default rules to every township that has a station member and never had them; how many
    townships got them."""
    seeded = select(RuleSetup.township_id)
    query = (
        select(RoleAssignment.unit_id)
        .where(col(RoleAssignment.role).in_(DUTY_ROLES), col(RoleAssignment.unit_id).not_in(seeded))
        .distinct()
    )
    townships = list((await session.exec(query)).all())
    i18n = Localizer(language)
    today = now.astimezone(zone).date()
    for township_id in townships:
        session.add(RuleSetup(township_id=township_id, seeded_at=now))
        for rule in DEFAULT_RULES:
            session.add(_default(township_id, rule, i18n(KIND_TITLES(rule.kind)), today, now))
    await session.flush()
    return len(townships)


def _default(township_id: int, rule: DefaultRule, title: str, today: date, now: datetime) -> ReminderRule:
    return ReminderRule(
        township_id=township_id,
        kind=rule.kind,
        title=title,
        rrule=rule.rrule,
        starts_on=today,
        holidays=HolidayHandling.MOVE,
        audience=audience_of_kind(rule.kind),
        leads=list(LEAD_CHOICES[0]),
        duration_minutes=rule.duration_minutes,
        status=RuleStatus.ACTIVE,
        created_at=now,
        updated_at=now,
    )


def new_rule(township_id: int, draft: RuleDraft, now: datetime) -> ReminderRule:
    """A rule the head adds (the caller fills in its schedule)."""
    return ReminderRule(
        township_id=township_id,
        kind=draft.kind,
        title=draft.title,
        rrule=draft.repeat.rrule(),
        starts_on=now.date(),
        holidays=draft.holidays,
        place=draft.place,
        audience=audience_of_kind(draft.kind),
        leads=list(draft.leads),
        status=RuleStatus.ACTIVE,
        version=0,
        created_at=now,
        updated_at=now,
    )


def schedule_of(rule: ReminderRule, zone: ZoneInfo) -> Schedule:
    return Schedule(rule.rrule, rule.starts_on, rule.holidays, zone)


HELD_SPAN = timedelta(days=14)
"""How far ahead a rule's occurrences are worked out at once: the sweeps ask every 30 s for the next minutes."""


@dataclass(frozen=True)
class HeldOccurrences:
    since: datetime
    until: datetime
    found: tuple[When, ...]
    unknown_years: frozenset[int]
    """The years the calendar did not know while working them out (the admins are told)."""


_held: Held[HeldOccurrences] = Held(limit=20_000)


def occurrences_of(
    rule: ReminderRule, zone: ZoneInfo, since: datetime, until: datetime, calendar: WorkCalendar
) -> list[When]:
    """The rule's occurrences in [since, until), worked out once per rule version and calendar for the next two
    weeks and then read from memory: an idle sweep over every township's rules expanded each one's RRULE every
    30 s."""
    key = (rule.id, rule.version, rule.rrule, rule.starts_on, rule.holidays, zone.key, calendar.fingerprint)
    held = _held.get(key)
    if held is None or not held.since <= since or until > held.until:
        probe = replace(calendar, unknown_years=set())
        span = max(until, since + HELD_SPAN)
        found = tuple(schedule_of(rule, zone).occurrences(since, span, probe))
        held = _held.keep(key, HeldOccurrences(since, span, found, frozenset(probe.unknown_years)))
    calendar.unknown_years |= held.unknown_years
    return [when for when in held.found if since <= when.happens_at < until]


async def rules_of(session: AsyncSession, township_id: int, active_only: bool = False) -> list[ReminderRule]:
    """The township's rules, oldest first."""
    query = select(ReminderRule).where(ReminderRule.township_id == township_id)
    if active_only:
        query = query.where(ReminderRule.status == RuleStatus.ACTIVE)
    return list((await session.exec(query.order_by(col(ReminderRule.id)))).all())


@dataclass(frozen=True)
class Reminded:
    """Someone a rule reminds, as a value."""

    member_id: int
    telegram_id: int
    name: str
    language: str
    organiser: bool
    station: bool
    """On the station's staff (the weekly meeting's reminder brings them the township's week)."""
    place: str = ""
    """The unit they are reminded for: their village, or the township for the station's staff."""


async def audience_of(session: AsyncSession, rule: ReminderRule) -> list[Reminded]:
    """Who the rule reminds: members holding one of its roles on the township or one of its villages, once each."""
    villages = select(Unit.id).where(Unit.parent_id == rule.township_id)
    query = (
        select(Member, RoleAssignment.role, Unit.name)
        .join(RoleAssignment, col(RoleAssignment.member_id) == Member.id)
        .join(Unit, col(Unit.id) == RoleAssignment.unit_id)
        .where(
            col(RoleAssignment.role).in_(rule.audience),
            (col(RoleAssignment.unit_id) == rule.township_id) | col(RoleAssignment.unit_id).in_(villages),
        )
        .order_by(col(Member.id))
    )
    roles: dict[int, set[str]] = {}
    members: dict[int, Member] = {}
    places: dict[int, str] = {}
    for member, role, place in (await session.exec(query)).all():
        assert member.id is not None
        members[member.id] = member
        roles.setdefault(member.id, set()).add(role)
        places.setdefault(member.id, place)
    return [
        Reminded(
            member_id,
            m.telegram_id,
            m.name,
            m.language,
            organiser=ORGANISER in roles[member_id],
            station=bool(roles[member_id] & DUTY_ROLES),
            place=places[member_id],
        )
        for member_id, m in members.items()
    ]


async def work_calendar(session: AsyncSession) -> WorkCalendar:
    """The working calendar with every holiday file an administrator loaded."""
    days = (await session.exec(select(HolidayDay))).all()
    return WorkCalendar({d.day: (d.off, d.name) for d in days})

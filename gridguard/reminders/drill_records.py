"""A drill held outside the reminders — a plan response run as a drill (演练) — recorded as the township's drill of
its half-year: the drill rule's occurrence in that half-year is marked held, with the scenario, the notes and who
took part, and its reminders and the question to record it are then not sent (the sweep passes over an occurrence
already recorded)."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlmodel.ext.asyncio.session import AsyncSession

from gridguard.reminders.enums import RuleKind
from gridguard.reminders.reminder_rules import audience_of, rules_of, schedule_of, work_calendar
from gridguard.reminders.reminder_sweep import occurrence_id_for
from gridguard.reminders.tables import Occurrence

HALF_YEAR_MONTHS = 6


@dataclass(frozen=True)
class DrillHeld:
    township_id: int
    held_at: datetime
    scenario: str
    notes: str
    took_part: Sequence[int]
    """Members who took part (those the drill rule reminds are kept)."""
    recorded_by_id: int | None


def half_year_of(instant: datetime, zone: ZoneInfo) -> tuple[datetime, datetime]:
    """The half-year (January–June or July–December, local) the instant falls in."""
    local = instant.astimezone(zone)
    first_month = 1 if local.month <= HALF_YEAR_MONTHS else HALF_YEAR_MONTHS + 1
    start = datetime(local.year, first_month, 1, tzinfo=zone)
    end = datetime(local.year + (first_month > 1), 1 if first_month > 1 else HALF_YEAR_MONTHS + 1, 1, tzinfo=zone)
    return start, end


async def record_drill(session: AsyncSession, drill: DrillHeld, now: datetime, zone: ZoneInfo) -> str | None:
    """The half-year's first unrecorded drill occurrence (of the township's active drill rules) recorded as held at
    `drill.held_at`; its rule's title, or None when the township keeps no drill rule or has recorded them all."""
    start, end = half_year_of(drill.held_at, zone)
    calendar = await work_calendar(session)
    for rule in await rules_of(session, drill.township_id, active_only=True):
        if rule.kind != RuleKind.DRILL:
            continue
        for when in schedule_of(rule, zone).occurrences(start, end, calendar):
            occurrence = await session.get(Occurrence, await occurrence_id_for(session, rule, when))
            if occurrence is None or occurrence.held is not None:
                continue
            reminded = {p.member_id for p in await audience_of(session, rule)}
            occurrence.held, occurrence.happens_at = True, drill.held_at
            occurrence.attended = [m for m in drill.took_part if m in reminded]
            occurrence.scenario, occurrence.notes = drill.scenario, drill.notes
            occurrence.recorded_by_id, occurrence.recorded_at = drill.recorded_by_id, now
            session.add(occurrence)
            return rule.title
    return None

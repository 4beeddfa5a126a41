"""What the reminders say: a reminder with its RSVP buttons, the organiser's roll, a rule's line in /reminders,
and the admins' notice of a year the holiday data does not cover yet."""

from collections.abc import Mapping, Sequence
from datetime import datetime
from enum import StrEnum
from zoneinfo import ZoneInfo

from gridguard.delivery.outbox import Button, ButtonRows, Content
from gridguard.kernel.fitting import clip, lines_fitted, listed_within, names_within
from gridguard.kernel.times import local_time, moment
from gridguard.reminders.compliance import TownshipCompliance, VillageAttendance
from gridguard.reminders.enums import HOLIDAY_HANDLING_NAMES, STATUS_NAMES, RsvpAnswer
from gridguard.reminders.meeting_records import RecordLine, RecordView
from gridguard.reminders.reminder_rules import Reminded
from gridguard.reminders.rule_setup import LAST, Frequency, Repeat
from gridguard.reminders.schedule import When
from gridguard.reminders.tables import ReminderRule, Rsvp
from i18n import Localizer

OVERDUE_SHOWN = 5


class RsvpVerb(StrEnum):
    """An RSVP button's verb (the subject is the occurrence's id)."""

    ATTENDING = "rsvp_attending"
    CANT = "rsvp_cant"


ANSWER_OF_VERB = {RsvpVerb.ATTENDING: RsvpAnswer.ATTENDING, RsvpVerb.CANT: RsvpAnswer.CANT}


def when_text(i18n: Localizer, when: When, zone: ZoneInfo) -> str:
    """周一 11-30 09:00 — and where a holiday moved it, from when."""
    text = _moment(i18n, when.happens_at, zone)
    if when.moved:
        text += i18n("reminders.moved_from", planned=_moment(i18n, when.planned_for, zone))
    return text


def _moment(i18n: Localizer, instant: datetime, zone: ZoneInfo) -> str:
    return moment(instant, zone, i18n("onduty.weekdays").split(","))


def rsvp_buttons(i18n: Localizer, occurrence_id: int) -> ButtonRows:
    return (
        (
            Button(i18n("reminders.attending_button"), RsvpVerb.ATTENDING, occurrence_id),
            Button(i18n("reminders.cant_button"), RsvpVerb.CANT, occurrence_id),
        ),
    )


ANSWER_STATUS_KEYS = {
    None: "reminders.please_answer",
    RsvpAnswer.ATTENDING: "reminders.status_attending",
    RsvpAnswer.CANT: "reminders.status_cant",
}


def reminder_content(
    i18n: Localizer,
    rule: ReminderRule,
    when: When,
    zone: ZoneInfo,
    occurrence_id: int,
    answer: RsvpAnswer | None,
    nudge: bool,
    late: bool,
) -> Content:
    """The reminder: what, when, where, and the member's answer so far; both RSVP buttons until the event begins
    (an answer may change), the nudge an hour before for those who have not answered."""
    place = i18n("reminders.place", place=rule.place) if rule.place else ""
    if nudge:
        text = i18n("reminders.nudge", title=rule.title, when=when_text(i18n, when, zone), place=place)
    else:
        status = i18n(ANSWER_STATUS_KEYS[answer])
        text = i18n(
            "reminders.reminder", title=rule.title, when=when_text(i18n, when, zone), place=place, status=status
        )
    if late:
        text += i18n("reminders.late")
    return Content(text=text, buttons=rsvp_buttons(i18n, occurrence_id))


ROLL_NAMES_BUDGET = 900
"""Characters of names each part of the roll may show (coming, can't, silent) before "and N more"."""
ROLL_REASON_SHOWN = 40


def roll_content(
    i18n: Localizer,
    rule: ReminderRule,
    when: When,
    zone: ZoneInfo,
    people: Sequence[Reminded],
    answers: Mapping[int, Rsvp],
) -> Content:
    """The organiser's roll: counts first; who comes, who can't and why (reasons cut short), who has not answered,
    each as many as fit and "and N more"."""
    coming = [p.name for p in people if (a := answers.get(p.member_id)) and a.answer == RsvpAnswer.ATTENDING]
    away = [
        i18n("reminders.roll_reason", name=p.name, reason=clip(a.reason or "—", ROLL_REASON_SHOWN))
        for p in people
        if (a := answers.get(p.member_id)) and a.answer == RsvpAnswer.CANT
    ]
    silent = [p.name for p in people if p.member_id not in answers]
    text = i18n(
        "reminders.roll",
        title=rule.title,
        when=when_text(i18n, when, zone),
        coming_count=len(coming),
        coming=names_within(i18n, coming, ROLL_NAMES_BUDGET),
        away_count=len(away),
        away=listed_within(i18n, away, ROLL_NAMES_BUDGET, "；"),
        silent_count=len(silent),
        silent=names_within(i18n, silent, ROLL_NAMES_BUDGET),
    )
    return Content(text=text)


REPEAT_KEYS = {
    Frequency.WEEKLY: "reminders.repeat_weekly",
    Frequency.MONTHLY_WEEKDAY: "reminders.repeat_monthly_weekday",
    Frequency.MONTHLY_DAY: "reminders.repeat_monthly_day",
    Frequency.QUARTERLY: "reminders.repeat_quarterly",
    Frequency.HALF_YEARLY: "reminders.repeat_half_yearly",
}
ORDINAL_KEYS = {
    1: "reminders.ordinal_1",
    2: "reminders.ordinal_2",
    3: "reminders.ordinal_3",
    4: "reminders.ordinal_4",
    LAST: "reminders.ordinal_last",
}


def repeat_text(i18n: Localizer, rrule: str) -> str:
    """每周一 09:00, 每月最后一个周五 15:30, …: how a rule repeats, in words ("" for a form the wizard never makes)."""
    repeat = Repeat.of_rrule(rrule)
    if repeat is None:
        return ""
    return i18n(
        REPEAT_KEYS[repeat.frequency],
        weekday=i18n("onduty.weekdays").split(",")[repeat.weekday] if repeat.weekday is not None else "",
        ordinal=i18n(ORDINAL_KEYS[repeat.ordinal]) if repeat.ordinal in ORDINAL_KEYS else "",
        day=repeat.day or "",
        time=f"{repeat.minutes // 60:02d}:{repeat.minutes % 60:02d}",
    )


def leads_text(i18n: Localizer, leads: Sequence[int]) -> str:
    """提前 1 天、提前 1 小时: when the reminders go, earliest first."""
    parts = []
    for lead in sorted(leads, reverse=True):
        if lead % (24 * 60) == 0:
            parts.append(i18n("reminders.lead_days", n=lead // (24 * 60)))
        elif lead % 60 == 0:
            parts.append(i18n("reminders.lead_hours", n=lead // 60))
        else:
            parts.append(i18n("reminders.lead_minutes", n=lead))
    return i18n("reminders.lead_separator").join(parts)


def rule_line(i18n: Localizer, rule: ReminderRule, upcoming: When | None, zone: ZoneInfo) -> str:
    status = i18n(STATUS_NAMES(rule.status))
    nxt = when_text(i18n, upcoming, zone) if upcoming else i18n("reminders.no_next")
    return i18n(
        "reminders.rule_line",
        title=rule.title,
        status=status,
        repeat=repeat_text(i18n, rule.rrule),
        leads=leads_text(i18n, rule.leads),
        next=nxt,
        holidays=i18n(HOLIDAY_HANDLING_NAMES(rule.holidays)),
    )


RECORD_NAMES_BUDGET = 600


def record_line_label(i18n: Localizer, line: RecordLine, zone: ZoneInfo) -> str:
    """A /records button: 11-02 周一 周例会 ✅."""
    mark = i18n("record.held_mark") if line.held else i18n("record.not_held_mark")
    return f"{_moment(i18n, line.happens_at, zone)} {line.title} {mark}"


def record_text(i18n: Localizer, view: RecordView, zone: ZoneInfo) -> str:
    """A record as the head reads it later: held or not, who attended, notes, a drill's scenario and problems."""
    when = _moment(i18n, view.happens_at, zone)
    recorded = i18n(
        "record.recorded_by",
        who=view.recorded_by,
        when=_moment(i18n, view.recorded_at, zone) if view.recorded_at else "—",
    )
    if not view.held:
        return "\n".join([i18n("record.view_not_held", title=view.title, when=when), recorded])
    lines = [
        i18n("record.view_header", title=view.title, when=when),
        i18n(
            "record.view_attended",
            count=len(view.attended),
            invited=view.invited,
            names=names_within(i18n, view.attended, RECORD_NAMES_BUDGET),
        ),
    ]
    lines += [i18n("record.view_notes", text=view.notes)] if view.notes else []
    lines += [i18n("record.view_scenario", text=view.scenario)] if view.scenario else []
    lines += [i18n("record.view_problems", text=view.problems)] if view.problems else []
    if view.photos:
        lines.append(i18n("record.view_photos", n=len(view.photos)))
    lines.append(recorded)
    return "\n".join(lines)


def unknown_year_text(i18n: Localizer, year: int) -> str:
    return i18n("reminders.unknown_year", year=year)


class RecordVerb(StrEnum):
    """The organiser's answer after an occurrence (the subject is the occurrence's id)."""

    HELD = "record_held"
    NOT_HELD = "record_not_held"


def record_question(i18n: Localizer, rule: ReminderRule, when: When, zone: ZoneInfo, occurrence_id: int) -> Content:
    buttons = (
        (
            Button(i18n("record.held_button"), RecordVerb.HELD, occurrence_id),
            Button(i18n("record.not_held_button"), RecordVerb.NOT_HELD, occurrence_id),
        ),
    )
    return Content(text=i18n("record.ask", title=rule.title, when=when_text(i18n, when, zone)), buttons=buttons)


def compliance_text(i18n: Localizer, rows: Sequence[TownshipCompliance], zone: ZoneInfo, period: str) -> str:
    """One block for a station; one line a township for a county officer."""
    if len(rows) == 1:
        r = rows[0]
        lines = [
            i18n("compliance.header", township=r.township, period=period),
            i18n("compliance.meetings", held=r.meetings.held, due=r.meetings.due),
            i18n("compliance.safety_meetings", held=r.safety_meetings.held, due=r.safety_meetings.due),
            i18n("compliance.inspections", held=r.inspections.held, due=r.inspections.due),
            i18n("compliance.last_drill", when=_date(i18n, r.last_drill, zone)),
        ]
        if r.overdue:
            shown = "、".join(f"{title} {local_time(when, zone)}" for title, when in r.overdue[:OVERDUE_SHOWN])
            lines.append(i18n("compliance.overdue", count=len(r.overdue), items=shown))
        return "\n".join(lines + lines_fitted(i18n, village_lines(i18n, r.villages)))
    lines = [i18n("compliance.county_header", period=period), i18n("compliance.county_columns")]
    for r in rows:
        lines.append(
            i18n(
                "compliance.county_line",
                township=r.township,
                meetings=f"{r.meetings.held}/{r.meetings.due}",
                safety=f"{r.safety_meetings.held}/{r.safety_meetings.due}",
                inspections=f"{r.inspections.held}/{r.inspections.due}",
                drill=_date(i18n, r.last_drill, zone),
                overdue=len(r.overdue),
            )
        )
    return "\n".join(lines[:2] + lines_fitted(i18n, lines[2:]))


def village_lines(i18n: Localizer, villages: Sequence[VillageAttendance]) -> list[str]:
    """Villages with safety officers, a line each; those without, counted."""
    staffed = [v for v in villages if v.attended is not None]
    if not villages:
        return []
    lines = [i18n("compliance.villages_header")]
    lines += [i18n("compliance.village", name=v.name, attended=v.attended, held=v.held) for v in staffed]
    if len(staffed) < len(villages):
        lines.append(i18n("compliance.villages_without", n=len(villages) - len(staffed)))
    return lines


def _date(i18n: Localizer, instant: datetime | None, zone: ZoneInfo) -> str:
    return instant.astimezone(zone).date().isoformat() if instant else i18n("compliance.never")

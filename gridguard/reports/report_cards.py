"""How a report looks on an escalation card and in details: text within Telegram's limits, and its buttons."""

import html
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from zoneinfo import ZoneInfo

from gridguard.delivery.outbox import Button, ButtonRows
from gridguard.directory.permissions import ReportActor
from gridguard.kernel.fitting import visible_length
from gridguard.kernel.times import local_time
from gridguard.reports.enums import CATEGORY_NAMES, SEVERITY_NAMES, STATUS_LINES, Category, ReportStatus, Severity
from gridguard.reports.report_lifecycle import OPEN_STATUSES, PRESSABLE, ReportVerb, verbs_for
from i18n import Keys, Localizer, Raw

CAPTION_LIMIT = 1024


class CardButton(StrEnum):
    """A card's buttons that are no transition of the report (those are the lifecycle's `ReportVerb`s)."""

    DETAILS = "details"
    """The whole report, in the presser's private chat."""
    CALL_OUT = "call_out"
    """A critical report's card: start a call-out (/alert) with its area and message prefilled."""
    START_PLAN = "start_plan"
    """A critical report's card: the township's plan for its hazard, its levels to start (/plan)."""


CardVerb = ReportVerb | CardButton
"""What a report's button does: a transition, or one of the card's own buttons."""
BUTTON_NAMES = Keys("report.button.{}", (*PRESSABLE, *CardButton))


@dataclass(frozen=True)
class CardFacts:
    """What a card shows, gathered by the service that sends it."""

    report_id: int
    code: str
    category: Category
    severity: Severity
    status: ReportStatus
    place: str
    reporter: str
    reporter_phone: str | None
    description: str | None
    has_voice: bool
    latitude: float | None
    longitude: float | None
    created_at: datetime
    acted_by: str | None
    acted_at: datetime | None
    assignee: str | None
    photo_count: int
    duplicate_of: str | None = None
    """The code of the original, for a report marked as its duplicate."""


def waited(i18n: Localizer, since: datetime, now: datetime) -> str:
    minutes = max(0, int((now - since).total_seconds() // 60))
    if minutes < 60:
        return i18n("report.minutes", n=minutes)
    return i18n("report.hours", h=minutes // 60, m=minutes % 60)


def status_line(i18n: Localizer, facts: CardFacts, zone: ZoneInfo) -> str:
    when = local_time(facts.acted_at, zone) if facts.acted_at else ""
    return i18n(
        STATUS_LINES(facts.status),
        who=facts.acted_by or "",
        when=when,
        assignee=facts.assignee or "",
        other=facts.duplicate_of or "",
    )


def card_text(i18n: Localizer, facts: CardFacts, now: datetime, zone: ZoneInfo, limit: int, header: str = "") -> str:
    """The card, with the description cut (and a pointer to the details) so the whole fits in `limit`."""
    location = (
        i18n("report.card_location", lat=f"{facts.latitude:.5f}", lon=f"{facts.longitude:.5f}")
        if facts.latitude is not None and facts.longitude is not None
        else ""
    )
    parts = {
        "header": Raw(header),
        "severity": i18n(SEVERITY_NAMES(facts.severity)),
        "category": i18n(CATEGORY_NAMES(facts.category)),
        "code": facts.code,
        "place": facts.place,
        "location": Raw(location),
        "reporter": facts.reporter,
        "phone": Raw(i18n("report.card_phone", phone=facts.reporter_phone) if facts.reporter_phone else ""),
        "filed": local_time(facts.created_at, zone),
        "waited": waited(i18n, facts.created_at, now),
        "status": Raw(status_line(i18n, facts, zone)),
        "extras": Raw(_extras(i18n, facts)),
    }
    description = facts.description or i18n("report.no_description")
    full = i18n("report.card", description=description, **parts)
    if visible_length(full) <= limit:
        return full
    without = visible_length(i18n("report.card", description="", **parts))
    room = limit - without - visible_length(i18n("report.cut_marker")) - 1
    cut = description[: max(0, room)]
    while cut and visible_length(i18n("report.card", description=cut, **parts)) > limit - 20:
        cut = cut[:-20]
    return i18n("report.card", description=Raw(html.escape(cut, quote=False) + i18n("report.cut_marker")), **parts)


def _extras(i18n: Localizer, facts: CardFacts) -> str:
    lines = []
    if facts.photo_count > 1:
        lines.append(i18n("report.more_photos", n=facts.photo_count))
    if facts.has_voice:
        lines.append(i18n("report.has_voice"))
    return "\n".join(lines)


def card_keyboard(
    i18n: Localizer,
    report_id: int,
    status: ReportStatus,
    severity: Severity,
    with_details: bool = True,
    calls_out: bool = False,
) -> ButtonRows:
    """What an officer may do to the report now (the lifecycle's table), two to a row; for someone who may call
    out volunteers (`calls_out`: a station's head or duty member), a critical open report's "call out volunteers"
    and "start a plan response"; then "details" on a row of its own (the details view leaves it out: it is the
    details)."""
    actions = [Button(i18n(BUTTON_NAMES(verb)), verb, report_id) for verb in verbs_for(status, ReportActor.OFFICER)]
    rows = [tuple(actions[i : i + 2]) for i in range(0, len(actions), 2)]
    if calls_out and severity == Severity.CRITICAL and status in OPEN_STATUSES:
        rows.append((Button(i18n(BUTTON_NAMES(CardButton.CALL_OUT)), CardButton.CALL_OUT, report_id),))
        rows.append((Button(i18n(BUTTON_NAMES(CardButton.START_PLAN)), CardButton.START_PLAN, report_id),))
    if with_details:
        rows.append((Button(i18n(BUTTON_NAMES(CardButton.DETAILS)), CardButton.DETAILS, report_id),))
    return tuple(rows)


def reporter_keyboard(i18n: Localizer, report_id: int, status: ReportStatus) -> ButtonRows:
    """What the reporter may do now: after "resolved", confirm it is fixed or reopen it."""
    return (tuple(Button(i18n(BUTTON_NAMES(v)), v, report_id) for v in verbs_for(status, ReportActor.REPORTER)),)

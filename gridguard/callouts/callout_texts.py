"""What call-outs say: the alert with its three answers, the sender's live tally, the reminder, the stand-down, and
the lines of /alerts."""

import html
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from gridguard.callouts.callout_lifecycle import CalloutVerb
from gridguard.callouts.callouts import NAMES_SHOWN, CalloutRecord, Tally
from gridguard.callouts.enums import ANSWER_NAMES, KIND_NAMES, CalloutAnswer, CalloutKind, CalloutStatus
from gridguard.callouts.tables import Callout
from gridguard.delivery.outbox import Button, ButtonRows, Content
from gridguard.kernel.fitting import clip
from gridguard.kernel.times import local_time
from gridguard.reports.enums import CATEGORY_NAMES, Category
from i18n import Localizer, Raw

ANSWERS_SHOWN = (CalloutAnswer.ON_MY_WAY, CalloutAnswer.ARRIVED, CalloutAnswer.CANT)
REPORT_TEXT_SHOWN = 800
"""A report's description is cut to this in an alert, so the sender's own message always has room."""


@dataclass(frozen=True)
class ReportBrief:
    """What an alert raised from a report tells the volunteers about it (they may not open the report itself)."""

    code: str
    category: Category
    place: str
    description: str | None
    voice_file_id: str | None


def report_block(i18n: Localizer, brief: ReportBrief) -> str:
    """隐患 code：category · place, then what the reporter said (or that their voice note follows)."""
    if brief.description:
        said = html.escape(clip(brief.description, REPORT_TEXT_SHOWN), quote=False)
    else:
        said = i18n("callout.report_voice") if brief.voice_file_id else i18n("callout.report_no_text")
    return i18n(
        "callout.report_block",
        code=brief.code,
        category=i18n(CATEGORY_NAMES(brief.category)),
        place=brief.place,
        said=Raw(said),
    )


def kind_name(i18n: Localizer, kind: CalloutKind) -> str:
    return i18n(KIND_NAMES(kind))


def answer_name(i18n: Localizer, answer: CalloutAnswer) -> str:
    return i18n(ANSWER_NAMES(answer))


def area_text(i18n: Localizer, township: str, villages: Sequence[str]) -> str:
    return "、".join(villages) if villages else i18n("callout.whole_township", township=township)


def point_text(i18n: Localizer, callout: Callout) -> str:
    """The meeting point: the place typed, and the pin's coordinates (it follows those setting out)."""
    lines = [i18n("callout.place_line", place=callout.meeting_place)] if callout.meeting_place else []
    if callout.latitude is not None and callout.longitude is not None:
        lines.append(i18n("callout.point_line", lat=f"{callout.latitude:.5f}", lon=f"{callout.longitude:.5f}"))
    return "".join(lines)


def answer_buttons(i18n: Localizer, callout_id: int) -> ButtonRows:
    return (
        (
            Button(i18n("callout.on_my_way_button"), CalloutVerb.ON_MY_WAY, callout_id),
            Button(i18n("callout.arrived_button"), CalloutVerb.ARRIVED, callout_id),
        ),
        (Button(i18n("callout.cant_button"), CalloutVerb.CANT, callout_id),),
    )


def what_is_said(i18n: Localizer, report: ReportBrief | None, message: str, separator: str) -> Raw:
    """What an alert says, as safe HTML: the report it was raised from (if any), then the sender's own words."""
    said = [report_block(i18n, report)] if report else []
    if message:
        said.append(html.escape(message, quote=False))
    return Raw(separator.join(said))


def alert_text(
    i18n: Localizer,
    callout: Callout,
    township: str,
    villages: Sequence[str],
    sender: str,
    phone: str | None,
    report: ReportBrief | None = None,
) -> str:
    return i18n(
        "callout.alert",
        kind=kind_name(i18n, callout.kind),
        area=area_text(i18n, township, villages),
        message=what_is_said(i18n, report, callout.message, "\n\n"),
        point=Raw(point_text(i18n, callout)),
        needed=callout.needed,
        sender=sender,
        phone=phone or i18n("callout.no_phone"),
        prompt=Raw(i18n("callout.answer_prompt")),
    )


def alert_content(
    i18n: Localizer,
    callout: Callout,
    township: str,
    villages: Sequence[str],
    sender: str,
    phone: str | None,
    paid: bool,
    report: ReportBrief | None = None,
) -> Content:
    """The alert a volunteer receives, with 出发 / 到达 / 无法前往."""
    text = alert_text(i18n, callout, township, villages, sender, phone, report)
    return Content(text=text, buttons=answer_buttons(i18n, callout.id or 0), paid=paid or None)


def reminder_content(i18n: Localizer, callout: Callout) -> Content:
    """The one reminder to those who have not answered (sent under their alert)."""
    text = i18n("callout.reminder", kind=kind_name(i18n, callout.kind))
    return Content(text=text, buttons=answer_buttons(i18n, callout.id or 0))


def _names(i18n: Localizer, tally: Tally, answer: CalloutAnswer) -> str:
    count, names = tally.counts.get(answer, 0), tally.names.get(answer, [])
    shown = "、".join(html.escape(n, quote=False) for n in names)
    if count > NAMES_SHOWN:
        shown += i18n("callout.and_more", n=count - len(names))
    return i18n("callout.tally_line", answer=answer_name(i18n, answer), n=count, names=Raw(shown or "—"))


def tally_content(i18n: Localizer, callout: Callout, township: str, tally: Tally, zone: ZoneInfo) -> Content:
    """The sender's card: live counts and names, whether the headcount is reached; while open, their two buttons."""
    lines = [
        i18n(
            "callout.tally_header",
            kind=kind_name(i18n, callout.kind),
            township=township,
            sent=local_time(callout.created_at, zone),
            asked=tally.asked,
        ),
        *(_names(i18n, tally, a) for a in ANSWERS_SHOWN),
        i18n("callout.tally_unanswered", n=tally.counts.get(CalloutAnswer.ASKED, 0)),
    ]
    if tally.coming >= callout.needed:
        lines.append(i18n("callout.headcount_reached", needed=callout.needed, coming=tally.coming))
    else:
        lines.append(i18n("callout.headcount_short", needed=callout.needed, coming=tally.coming))
    if callout.status == CalloutStatus.STOOD_DOWN:
        lines.append(i18n("callout.tally_stood_down"))
        return Content(text="\n".join(lines))
    buttons = (
        (Button(i18n("callout.message_button"), CalloutVerb.MESSAGE, callout.id or 0),),
        (Button(i18n("callout.stand_down_button"), CalloutVerb.STAND_DOWN, callout.id or 0),),
    )
    return Content(text="\n".join(lines), buttons=buttons)


def duration_text(i18n: Localizer, span: timedelta | None) -> str:
    if span is None:
        return "—"
    seconds = int(span.total_seconds())
    if seconds < 60:
        return i18n("callout.seconds", n=seconds)
    return i18n("callout.minutes", n=seconds // 60, s=seconds % 60)


def record_line(i18n: Localizer, record: CalloutRecord, zone: ZoneInfo) -> str:
    """/alerts: when, what, where; asked, coming, can't; turnout and median response time."""
    callout = record.callout
    stood = i18n("callout.list_stood_down") if callout.status == CalloutStatus.STOOD_DOWN else ""
    line = i18n(
        "callout.list_line",
        when=local_time(callout.created_at, zone),
        kind=kind_name(i18n, callout.kind),
        township=record.township,
        sender=record.sender,
        asked=record.tally.asked,
        coming=record.tally.coming,
        cant=record.tally.counts.get(CalloutAnswer.CANT, 0),
        needed=callout.needed,
        turnout=f"{record.turnout:.0%}",
        median=duration_text(i18n, record.median_response),
        stood=stood,
    )
    return i18n("callout.list_drill") + line if callout.drill else line


def until_text(until: datetime | None, zone: ZoneInfo) -> str:
    return local_time(until, zone) if until is not None else ""

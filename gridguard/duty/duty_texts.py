"""What the duty roster says: the /duty board, swap offers and news, reminders, handover notes, gap warnings.

Rendered in each reader's language from the catalogs; buttons are described (verb and subject), the edge packs them.
"""

import html
from collections.abc import Sequence
from datetime import datetime, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from gridguard.delivery.outbox import Button, Content, Notice
from gridguard.duty.enums import LAYER_NAMES, REMINDER_TEXTS, SWAP_NEWS, DutyLayer, ReminderLead, SwapStatus
from gridguard.duty.overlays import Overlay
from gridguard.duty.roster import Concerns, DutyMember, Roster
from gridguard.duty.rotation import Shift
from gridguard.duty.swap_lifecycle import SwapVerb
from gridguard.duty.tables import ShiftSwap
from gridguard.kernel.fitting import LIST_BUDGET, lines_fitted, names_within
from gridguard.kernel.times import span
from i18n import Localizer, Raw

OPEN_CODES_SHOWN = 10


class HandoverVerb(StrEnum):
    """A handover prompt's button: write the note for the layer's incoming member (the subject is the handoff's
    minute since the epoch)."""

    NOTE_PRIMARY = "note_primary"
    NOTE_BACKUP = "note_backup"


NOTE_VERBS = {DutyLayer.PRIMARY: HandoverVerb.NOTE_PRIMARY, DutyLayer.BACKUP: HandoverVerb.NOTE_BACKUP}


def weekdays(i18n: Localizer) -> list[str]:
    return i18n("onduty.weekdays").split(",")


def shift_span(i18n: Localizer, starts_at: datetime, ends_at: datetime, zone: ZoneInfo) -> str:
    return span(starts_at, ends_at, zone, weekdays(i18n))


def layer_name(i18n: Localizer, layer: DutyLayer) -> str:
    return i18n(LAYER_NAMES(layer))


def person(i18n: Localizer, member: DutyMember | None, with_phone: bool = True) -> Raw:
    """A member's name (and the phone number they chose to share), as safe HTML."""
    if member is None:
        return Raw(i18n("onduty.nobody"))
    if with_phone and member.phone:
        return Raw(i18n("onduty.person_with_phone", name=member.name, phone=member.phone))
    return Raw(html.escape(member.name, quote=False))


def shift_lines(i18n: Localizer, roster: Roster, shifts: Sequence[Shift], layer: DutyLayer | None = None) -> list[str]:
    lines = []
    for shift in shifts:
        member = roster.members.get(shift.member_id) if shift.member_id is not None else None
        who = member.name if member else i18n("onduty.gap")
        mark = i18n("onduty.covered_mark") if shift.covered else ""
        where = f"{layer_name(i18n, layer)} " if layer else ""
        lines.append(
            i18n(
                "onduty.shift_line",
                span=shift_span(i18n, shift.starts_at, shift.ends_at, roster.zone),
                layer=where,
                who=who,
                mark=mark,
            )
        )
    return lines


DEPARTED_BUDGET = 300
OVERLAY_BUDGET = 600
"""An overlay's names within this many characters (then "等，另有 N 人"): a township may have 300 officers."""


def board_text(
    i18n: Localizer,
    roster: Roster,
    now: datetime,
    days: int,
    with_phones: bool = True,
    overlays: Sequence[Overlay] = (),
) -> str:
    """Who is on duty now, primary and backup (with the phone numbers they shared, unless the board is for a group),
    and the primary's next `days`; under it, any overlay open now (a response's 24-hour duty) with its people."""
    board = roster_board(i18n, roster, now, days, with_phones)
    return "\n".join([board, *(overlay_line(i18n, overlay) for overlay in overlays)])


def overlay_line(i18n: Localizer, overlay: Overlay) -> str:
    drill = i18n("onduty.overlay_drill") if overlay.drill else ""
    names = names_within(i18n, overlay.names, OVERLAY_BUDGET)
    return i18n("onduty.overlay", drill=drill, title=overlay.title, level=overlay.level, names=names)


def roster_board(i18n: Localizer, roster: Roster, now: datetime, days: int, with_phones: bool) -> str:
    if not roster.rostered:
        return i18n("onduty.no_roster", township=roster.township_name)
    lines = [i18n("onduty.header", township=roster.township_name)]
    for layer in DutyLayer:
        if layer not in roster.specs:
            continue
        lines.append(
            i18n(
                "onduty.now_line",
                layer=layer_name(i18n, layer),
                who=person(i18n, roster.member_at(layer, now), with_phones),
            )
        )
    lines.append(i18n("onduty.upcoming", days=days))
    lines += lines_fitted(
        i18n, shift_lines(i18n, roster, roster.timeline(DutyLayer.PRIMARY, now, now + timedelta(days=days)))
    )
    if roster.departed:
        lines.append(i18n("onduty.departed", names=names_within(i18n, roster.departed, DEPARTED_BUDGET)))
    return "\n".join(lines)


def week_text(i18n: Localizer, roster: Roster, since: datetime, until: datetime) -> str:
    if not roster.rostered:
        return i18n("onduty.no_roster", township=roster.township_name)
    lines = [i18n("onduty.week_header", township=roster.township_name)]
    layers = [layer for layer in DutyLayer if layer in roster.specs]
    for layer in layers:
        lines.append(f"<b>{layer_name(i18n, layer)}</b>")
        shifts = shift_lines(i18n, roster, roster.timeline(layer, since, until))
        lines += lines_fitted(i18n, shifts, LIST_BUDGET // len(layers))
    return "\n".join(lines)


def member_shifts_text(i18n: Localizer, roster: Roster, name: str, shifts: Sequence[tuple[DutyLayer, Shift]]) -> str:
    if not shifts:
        return i18n("onduty.no_shifts", name=name)
    lines = [i18n("onduty.shifts_of", name=name)]
    for layer, shift in shifts:
        lines += shift_lines(i18n, roster, [shift], layer)
    return "\n".join(lines_fitted(i18n, lines))


def swap_offer_content(i18n: Localizer, swap: ShiftSwap, offerer: str, zone: ZoneInfo) -> Content:
    text = i18n(
        "swap.offer",
        name=offerer,
        layer=layer_name(i18n, swap.layer),
        span=shift_span(i18n, swap.starts_at, swap.ends_at, zone),
    )
    take = Button(i18n("swap.take_button"), SwapVerb.TAKE, swap.id or 0)
    if swap.offered_to_id is None:
        return Content(text=text, buttons=((take,),))
    return Content(text=text, buttons=((take, Button(i18n("swap.decline_button"), SwapVerb.DECLINE, swap.id or 0)),))


def swap_declined(i18n: Localizer, swap: ShiftSwap, decliner: str, zone: ZoneInfo) -> Content:
    """To the offerer: the colleague they asked by name can't; /swap asks another."""
    span = shift_span(i18n, swap.starts_at, swap.ends_at, zone)
    return Content(text=i18n("swap.declined", name=decliner, layer=layer_name(i18n, swap.layer), span=span))


def offer_key(swap_id: int, member_id: int) -> str:
    return f"swap-offer:{swap_id}:{member_id}"


def offer_closed(i18n: Localizer, swap: ShiftSwap, offerer: str, outcome: str, zone: ZoneInfo) -> Content:
    """An offer a colleague received, once taken, withdrawn or declined: what it was, what became of it, no buttons."""
    text = i18n(
        "swap.offer",
        name=offerer,
        layer=layer_name(i18n, swap.layer),
        span=shift_span(i18n, swap.starts_at, swap.ends_at, zone),
    )
    return Content(text=f"{text}\n\n{outcome}")


def swap_news(
    swap: ShiftSwap, what: SwapStatus, offerer: DutyMember, taker: DutyMember, roster: Roster, zone: ZoneInfo
) -> list[Notice]:
    """A swap taken (the offerer and the heads are told; a head may undo it) or undone (both are told)."""
    told = [offerer, taker] if what == SwapStatus.UNDONE else [offerer]
    if what == SwapStatus.TAKEN:
        told += [m for m in roster.members.values() if m.keeper and m.id not in (offerer.id, taker.id)]
    notices = []
    for member in told:
        i18n = Localizer(member.language)
        text = i18n(
            SWAP_NEWS(what),
            offerer=offerer.name,
            taker=taker.name,
            layer=layer_name(i18n, swap.layer),
            span=shift_span(i18n, swap.starts_at, swap.ends_at, zone),
        )
        buttons = None
        if what == SwapStatus.TAKEN and member.keeper and member.id != offerer.id:
            buttons = ((Button(i18n("swap.undo_button"), SwapVerb.UNDO, swap.id or 0),),)
        content = Content(text=text, buttons=buttons)
        notices.append(Notice(f"swap-{what}:{swap.id}:{member.id}", member.telegram_id, content, member_id=member.id))
    return notices


def open_reports_line(i18n: Localizer, codes: Sequence[str]) -> Raw:
    if not codes:
        return Raw(i18n("handover.no_open_reports"))
    shown = "、".join(codes[:OPEN_CODES_SHOWN]) + ("…" if len(codes) > OPEN_CODES_SHOWN else "")
    return Raw(i18n("handover.open_reports", count=len(codes), codes=shown))


def handover_note_text(i18n: Localizer, from_name: str, note: str, open_codes: Sequence[str]) -> Content:
    return Content(text=i18n("handover.note", name=from_name, note=note, open=open_reports_line(i18n, open_codes)))


def handover_prompt(
    i18n: Localizer,
    layer: DutyLayer,
    at: datetime,
    minute: int,
    incoming: str,
    open_codes: Sequence[str],
    zone: ZoneInfo,
) -> Content:
    text = i18n(
        "handover.prompt",
        layer=layer_name(i18n, layer),
        at=at.astimezone(zone).strftime("%H:%M"),
        incoming=incoming,
        open=open_reports_line(i18n, open_codes),
    )
    return Content(text=text, buttons=((Button(i18n("handover.write_button"), NOTE_VERBS[layer], minute),),))


def reminder_content(
    i18n: Localizer, lead: ReminderLead, layer: DutyLayer, shift: Shift, zone: ZoneInfo, late: bool
) -> Content:
    text = i18n(
        REMINDER_TEXTS(lead), layer=layer_name(i18n, layer), span=shift_span(i18n, shift.starts_at, shift.ends_at, zone)
    )
    return Content(text=text + (i18n("dutyremind.late") if late else ""))


def concern_lines(i18n: Localizer, roster: Roster, concerns: Concerns) -> list[str]:
    """A line per shift with nobody on it, and per period one member holds both layers, in time order."""
    dated = [
        (s.starts_at, i18n("roster.concern_gap", layer=layer_name(i18n, layer), span=_span(i18n, roster, s)))
        for layer, s in concerns.gaps
    ]
    dated += [
        (s.starts_at, i18n("roster.concern_both", name=_name(roster, s.member_id), span=_span(i18n, roster, s)))
        for s in concerns.doubled
    ]
    return [line for _at, line in sorted(dated, key=lambda pair: pair[0])]


def _span(i18n: Localizer, roster: Roster, shift: Shift) -> str:
    return shift_span(i18n, shift.starts_at, shift.ends_at, roster.zone)


def _name(roster: Roster, member_id: int | None) -> str:
    member = roster.members.get(member_id) if member_id is not None else None
    return member.name if member else "?"


CONCERNS_BUDGET = 1200
"""Room for concern lines under a preview or the /roster menu, beside their own lists."""


def concerns_block(i18n: Localizer, roster: Roster, concerns: Concerns) -> str:
    """The concerns as a paragraph to put under a roster screen ("" when there are none)."""
    if not concerns:
        return ""
    lines = lines_fitted(i18n, concern_lines(i18n, roster, concerns), CONCERNS_BUDGET)
    return "\n\n" + i18n("roster.concerns", lines=Raw("\n".join(lines)))


def gap_warning(i18n: Localizer, roster: Roster, concerns: Concerns) -> Content:
    lines = [i18n("dutyremind.gap_header", township=roster.township_name)]
    lines += lines_fitted(i18n, concern_lines(i18n, roster, concerns))
    if roster.departed:
        lines.append(i18n("onduty.departed", names=names_within(i18n, roster.departed, DEPARTED_BUDGET)))
    lines.append(i18n("dutyremind.gap_footer"))
    return Content(text="\n".join(lines))


def shifts_moved(i18n: Localizer, roster: Roster, layer: DutyLayer, shifts: Sequence[Shift]) -> Content:
    """To a member whose shifts a saved rotation moved: their shifts on the layer from now on."""
    lines = [_span(i18n, roster, s) for s in shifts] or [i18n("roster.moved_none")]
    listed = "\n".join(f"• {line}" for line in lines_fitted(i18n, [html.escape(line) for line in lines]))
    text = i18n("roster.moved", township=roster.township_name, layer=layer_name(i18n, layer), shifts=Raw(listed))
    return Content(text=text)

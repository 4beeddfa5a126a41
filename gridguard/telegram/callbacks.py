"""Typed, versioned callback data. A press is a hint: handlers re-check permission and state.

Every field is closed: verbs are enums and numbers are bounded, so a forged or malformed button fails to
unpack and lands on the fallback's "stale button" answer instead of reaching a handler.
"""

from collections.abc import Sequence
from enum import StrEnum
from typing import Annotated, Any

from aiogram.filters.callback_data import CallbackData
from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup
from pydantic import Field

from gridguard.callouts.callout_desk import Pause
from gridguard.callouts.callout_lifecycle import CalloutVerb
from gridguard.delivery.outbox import Button
from gridguard.duty.duty_texts import DutyVerb
from gridguard.duty.enums import DutyLayer, ShiftPattern
from gridguard.reminders.enums import RsvpAnswer
from gridguard.reminders.reminder_texts import ANSWER_OF_VERB, RecordVerb, RsvpVerb
from gridguard.reports.enums import Category, Severity

RowId = Annotated[int, Field(ge=1, le=2**31 - 1)]
"""A database id: what an INTEGER primary key can hold (a 40-digit id overflows SQLite and PostgreSQL)."""
PageNumber = Annotated[int, Field(ge=0, le=10_000)]


class LanguageChoice(CallbackData, prefix="v1lang"):
    code: str


class InviteRoleChoice(CallbackData, prefix="v1ir"):
    role: str


class InviteUsesChoice(CallbackData, prefix="v1iu"):
    uses: Annotated[int, Field(ge=1, le=1000)]


class UnitChoice(CallbackData, prefix="v1unit"):
    purpose: str
    unit_id: RowId


class UnitPage(CallbackData, prefix="v1page"):
    purpose: str
    page: PageNumber


class CategoryChoice(CallbackData, prefix="v1rc"):
    value: Category


class SeverityChoice(CallbackData, prefix="v1rs"):
    value: Severity


class ReportUnitChoice(CallbackData, prefix="v1ru"):
    unit_id: RowId


class SummaryVerb(StrEnum):
    SUBMIT = "submit"
    CATEGORY = "category"
    SEVERITY = "severity"
    WHERE = "where"
    EVIDENCE = "evidence"
    CANCEL = "cancel"


class SummaryAction(CallbackData, prefix="v1rx"):
    action: SummaryVerb


class DuplicateVerb(StrEnum):
    ADD = "add"
    NEW = "new"


class DuplicateChoice(CallbackData, prefix="v1rd"):
    """The duplicate hint's answer. The offered report is kept in the draft; `report_id` must match it."""

    action: DuplicateVerb
    report_id: RowId


class CardVerb(StrEnum):
    """A report button's verb on the wire: short codes, named as the lifecycle's verbs (and "details")."""

    ACKNOWLEDGE = "ack"
    ASSIGN = "asg"
    RESOLVE = "res"
    MARK_DUPLICATE = "dup"
    REJECT = "rej"
    DETAILS = "det"
    CONFIRM_FIXED = "fix"
    REOPEN = "reo"
    CALL_OUT = "call"


class ReportAction(CallbackData, prefix="v1r"):
    """Buttons on escalation cards and under a report's details; services describe them, `button_data` packs."""

    action: CardVerb
    report_id: RowId


class DutyAction(CallbackData, prefix="v1d"):
    """Buttons the duty roster sends: take or undo a swap (subject: the swap), write a handover note (subject: the
    handoff's minute since the epoch). Services describe them; `button_data` packs."""

    action: DutyVerb
    subject: RowId


DUTY_VERBS = frozenset(DutyVerb)


RECORD_VERBS = frozenset(RecordVerb)


class RecordAction(CallbackData, prefix="v1rc2"):
    """After an occurrence: was it held (then the record is asked for)?"""

    held: bool
    occurrence_id: RowId


class RecordsPage(CallbackData, prefix="v1rcp"):
    """/records: another page of the township's records."""

    page: PageNumber


class RecordOpen(CallbackData, prefix="v1ro"):
    """/records: open one record."""

    occurrence_id: RowId


class RsvpAction(CallbackData, prefix="v1rv"):
    """A reminder's answer: attending, or can't (a reason is asked next)."""

    answer: RsvpAnswer
    occurrence_id: RowId


class CalloutAction(CallbackData, prefix="v1co"):
    """A call-out's buttons: a recipient's answer, or the sender's (message those coming, stand down)."""

    action: CalloutVerb
    callout_id: RowId


CALLOUT_VERBS = frozenset(CalloutVerb)


def button_data(button: Button) -> str:
    """A button a service described (label, verb, subject): its packed callback data."""
    if button.verb in CALLOUT_VERBS:
        return CalloutAction(action=CalloutVerb(button.verb), callout_id=button.subject).pack()
    if button.verb in DUTY_VERBS:
        return DutyAction(action=DutyVerb(button.verb), subject=button.subject).pack()
    if button.verb in ANSWER_OF_VERB:
        return RsvpAction(answer=ANSWER_OF_VERB[RsvpVerb(button.verb)], occurrence_id=button.subject).pack()
    if button.verb in RECORD_VERBS:
        return RecordAction(held=button.verb == RecordVerb.HELD, occurrence_id=button.subject).pack()
    return ReportAction(action=CardVerb[button.verb.upper()], report_id=button.subject).pack()


def pack_buttons(rows: Sequence[Sequence[Button]]) -> InlineKeyboardMarkup:
    """Described buttons as aiogram's inline keyboard, for a handler's answer."""
    return InlineKeyboardMarkup(
        inline_keyboard=[
            [InlineKeyboardButton(text=b.label, callback_data=button_data(b)) for b in row] for row in rows
        ]
    )


def inline_keyboard(rows: Sequence[Sequence[Button]]) -> dict[str, Any]:
    """Described buttons as the Bot API's InlineKeyboardMarkup JSON, for the outbox's sender."""
    return {"inline_keyboard": [[{"text": b.label, "callback_data": button_data(b)} for b in row] for row in rows]}


class AssignChoice(CallbackData, prefix="v1ra"):
    report_id: RowId
    member_id: RowId


Minute = Annotated[int, Field(ge=1, le=2**31 - 1)]
"""An instant as whole minutes since the epoch (a shift's start)."""


class SwapShiftChoice(CallbackData, prefix="v1ss"):
    """/swap: which of the member's own shifts (re-checked against the roster when pressed)."""

    layer: DutyLayer
    start: Minute


class SwapClose(CallbackData, prefix="v1sx"):
    """/swap: cancel, nothing offered."""


class SwapPage(CallbackData, prefix="v1sp"):
    """/swap: another page of the member's own shifts."""

    page: PageNumber


class SwapToChoice(CallbackData, prefix="v1st"):
    """/swap: to whom; member 0 is everyone on the roster."""

    layer: DutyLayer
    start: Minute
    member_id: Annotated[int, Field(ge=0, le=2**31 - 1)]


class RosterMenuVerb(StrEnum):
    EDIT_PRIMARY = "edit_primary"
    EDIT_BACKUP = "edit_backup"
    EXPORT = "export"
    IMPORT = "import"


class RosterMenu(CallbackData, prefix="v1rm"):
    action: RosterMenuVerb


class RosterPick(CallbackData, prefix="v1rp"):
    member_id: RowId


class RosterStepVerb(StrEnum):
    DONE = "done"
    RESET = "reset"
    CANCEL = "cancel"
    SAVE = "save"
    BACK = "back"


class RosterStep(CallbackData, prefix="v1rx2"):
    action: RosterStepVerb


class RosterPattern(CallbackData, prefix="v1rpt"):
    pattern: ShiftPattern


class RosterHandoff(CallbackData, prefix="v1rh"):
    minutes: Annotated[int, Field(ge=0, le=24 * 60 - 1)]


class RosterStart(CallbackData, prefix="v1rst"):
    """The rotation's first day, as a date ordinal (re-checked: not in the past)."""

    day: Annotated[int, Field(ge=730_000, le=760_000)]


class RuleVerb(StrEnum):
    PAUSE = "pause"
    RESUME = "resume"
    DELETE = "delete"
    CONFIRM_DELETE = "confirm_delete"


class RuleAction(CallbackData, prefix="v1rl"):
    """/reminders: a station head pauses, resumes or deletes a rule (re-checked: their township's)."""

    action: RuleVerb
    rule_id: RowId


class RuleField(StrEnum):
    """A /reminders wizard button: what it sets (the value: an index, a weekday, a day, minutes, a rule id)."""

    ADD = "add"
    EDIT = "edit"
    KIND = "kind"
    FREQUENCY = "freq"
    ORDINAL = "ord"
    WEEKDAY = "wd"
    DAY = "day"
    TIME = "time"
    HOLIDAYS = "hol"
    LEADS = "leads"
    PLACE = "place"
    """Keep the place as it is (none, or an edited rule's)."""
    SAVE = "save"
    CANCEL = "cancel"
    BACK = "back"


class RuleWizard(CallbackData, prefix="v1rw"):
    field: RuleField
    value: Annotated[int, Field(ge=-1, le=2**31 - 1)]


class AttendanceToggle(CallbackData, prefix="v1at"):
    """Recording who attended: tap a name to mark or unmark them."""

    member_id: RowId


class AttendanceView(CallbackData, prefix="v1atv"):
    """Recording who attended in a large township: the villages (`place` -1) or one village's names, a page at a
    time."""

    place: Annotated[int, Field(ge=-1, le=9_999)]
    page: PageNumber


class RecordStepVerb(StrEnum):
    NEXT = "next"
    SKIP = "skip"
    DONE = "done"


class RecordStep(CallbackData, prefix="v1rs2"):
    action: RecordStepVerb


class CalloutField(StrEnum):
    """An /alert wizard button: what it sets (the value: a kind's index, a village's id, a headcount)."""

    KIND = "kind"
    WHOLE = "whole"
    VILLAGE = "village"
    AREA_DONE = "area"
    NO_MESSAGE = "nomsg"
    AREA_AGAIN = "area2"
    KEEP_MESSAGE = "keepmsg"
    BACK = "back"
    REPORT_POINT = "rpoint"
    NEEDED = "needed"
    SEND = "send"
    CANCEL = "cancel"


class CalloutWizard(CallbackData, prefix="v1cw"):
    field: CalloutField
    value: Annotated[int, Field(ge=0, le=2**31 - 1)]


class AvailabilityChoice(CallbackData, prefix="v1av2"):
    """/available: answer call-outs, or pause them (for a while, or until said otherwise)."""

    available: bool
    pause: Pause = Pause.OPEN

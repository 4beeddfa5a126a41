"""The reminders buttons' callback data: typed, versioned, every field closed."""

from enum import StrEnum
from typing import Annotated

from aiogram.filters.callback_data import CallbackData
from pydantic import Field

from gridguard.delivery.outbox import Button
from gridguard.reminders.enums import RsvpAnswer
from gridguard.reminders.reminder_texts import ANSWER_OF_VERB, RecordVerb, RsvpVerb
from gridguard.telegram.callbacks import PageNumber, RowId
from i18n import Keys

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


STEP_BUTTONS = Keys("record.{}_button", RecordStepVerb)


class RecordStep(CallbackData, prefix="v1rs2"):
    action: RecordStepVerb


def pack_rsvp(button: Button) -> str:
    return RsvpAction(answer=ANSWER_OF_VERB[RsvpVerb(button.verb)], occurrence_id=button.subject).pack()


def pack_record(button: Button) -> str:
    return RecordAction(held=button.verb == RecordVerb.HELD, occurrence_id=button.subject).pack()


PACKERS = {**{verb.value: pack_rsvp for verb in RsvpVerb}, **{verb.value: pack_record for verb in RecordVerb}}

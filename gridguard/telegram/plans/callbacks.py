"""The plan buttons' callback data: typed, versioned, every field closed."""

from enum import StrEnum
from typing import Annotated

from aiogram.filters.callback_data import CallbackData
from pydantic import Field

from gridguard.delivery.outbox import Button
from gridguard.plans.enums import ResponseLevel
from gridguard.plans.response_lifecycle import ResponseVerb, TaskVerb
from gridguard.telegram.callbacks import RowId

Version = Annotated[int, Field(ge=0, le=2**31 - 1)]


class ResponseAction(CallbackData, prefix="v1pr"):
    """A response's buttons: a head's 同意 / 不同意 (subject: the proposal), the progress card's (subject: the
    response)."""

    action: ResponseVerb
    subject: RowId


class TaskAction(CallbackData, prefix="v1pt"):
    action: TaskVerb
    task_id: RowId


class PlanMenuVerb(StrEnum):
    OPEN = "open"
    """A plan's levels (subject: the plan)."""
    TEMPLATE = "template"
    """Adopt the template (subject: the hazard's place in PlanHazard)."""
    ADOPT = "adopt"
    """Adopt the county's published plan (subject: the plan)."""
    IMPORT = "import"
    EXPORT = "export"
    EXPORT_SHEET = "export_xlsx"
    BACK = "back"
    """Back to the library."""
    EDIT = "edit"
    """A head edits the plan with buttons: its levels to choose from (subject: the plan)."""
    CANCEL = "cancel"


class PlanMenu(CallbackData, prefix="v1pm"):
    verb: PlanMenuVerb
    subject: Annotated[int, Field(ge=0, le=2**31 - 1)] = 0


class PlanStart(CallbackData, prefix="v1ps"):
    """A level of a plan: its preview (go false), or the start itself, of the plan as previewed (its version)."""

    plan_id: RowId
    level: ResponseLevel
    drill: bool
    go: bool
    version: Version


class LevelChange(CallbackData, prefix="v1lc"):
    """A running response's new level: its preview (go false), or the change of the response as previewed."""

    response_id: RowId
    level: ResponseLevel
    go: bool
    version: Version


class EditField(StrEnum):
    """A plan editor button: what it opens or sets (its value: a task's place, a role's, a headcount, hours)."""

    LEVEL = "level"
    REMOVE = "rm"
    ADD = "add"
    ROLE = "role"
    DUE = "due"
    NEEDED_MENU = "needm"
    NEEDED = "need"
    CADENCE_MENU = "cadm"
    CADENCE = "cad"
    CONDITION = "cond"


class PlanEditing(CallbackData, prefix="v1pe"):
    """The plan editor, on the plan as shown (its version): a stale screen's press changes nothing."""

    plan_id: RowId
    version: Version
    level: ResponseLevel
    field: EditField
    value: Annotated[int, Field(ge=0, le=10_000)] = 0


def pack_response(button: Button) -> str:
    return ResponseAction(action=ResponseVerb(button.verb), subject=button.subject).pack()


def pack_task(button: Button) -> str:
    return TaskAction(action=TaskVerb(button.verb), task_id=button.subject).pack()


PACKERS = {verb.value: pack_response for verb in ResponseVerb} | {verb.value: pack_task for verb in TaskVerb}

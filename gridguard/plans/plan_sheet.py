"""A plan as a spreadsheet, for a station that keeps its plans in Excel: the plan's name and hazard on top, then a
row per task under each level (the level's condition, call-out, report cadence and 24-hour duty on its first row).
Read back with every mistake on its row; labels in any catalog language (or the codes) are understood."""

from collections.abc import Iterable
from dataclasses import dataclass, field
from io import BytesIO
from typing import Any
from zipfile import BadZipFile

from openpyxl import Workbook, load_workbook
from pydantic import ValidationError

from gridguard.directory.enums import ROLE_NAMES
from gridguard.directory.permissions import TASK_ROLES
from gridguard.kernel.cells import safe_cell, unquoted
from gridguard.kernel.errors import DomainError
from gridguard.plans.enums import HAZARD_NAMES, LEVEL_NAMES, PlanHazard, ResponseLevel
from gridguard.plans.plan_document import (
    FILE_LIMIT,
    KEY_MARK,
    PROBLEM_OF_ERROR,
    Mistake,
    PlanDocument,
    PlanFileRefused,
    TaskSpec,
)
from i18n import LANGUAGES, Localizer

SHEET_LIMIT = 4 * FILE_LIMIT
"""An XLSX file is zipped XML: the same plan takes a few times the YAML's bytes."""
ROW_LIMIT = 200
COLUMN_LIMIT = 12
NAME_ROW, HAZARD_ROW, HEADER_ROW = 1, 2, 4
COLUMNS = (
    "plan.sheet_level",
    "plan.sheet_condition",
    "plan.sheet_needed",
    "plan.sheet_message",
    "plan.sheet_report",
    "plan.sheet_duty",
    "plan.sheet_task",
    "plan.sheet_role",
    "plan.sheet_due",
)
LEVEL, CONDITION, NEEDED, MESSAGE, REPORT, DUTY, TASK, ROLE, DUE = range(len(COLUMNS))
ROLE_SEPARATORS = ("、", ",", "，", ";", "；")


def write_plan_sheet(plan: PlanDocument, i18n: Localizer) -> bytes:
    """The plan as a workbook `read_plan_sheet` reads back the same (no cell a formula)."""
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = i18n("plan.sheet_title")
    sheet.append([i18n("plan.sheet_name"), safe_cell(plan.name)])
    sheet.append([i18n("plan.sheet_hazard"), i18n(HAZARD_NAMES(plan.hazard))])
    sheet.append([])
    sheet.append([i18n(column) for column in COLUMNS])
    for level in plan.ordered_levels():
        spec = plan.levels[level]
        first: list[Any] = [
            i18n(LEVEL_NAMES(level)),
            spec.condition,
            spec.callout.needed if spec.callout else "",
            spec.callout.message if spec.callout else "",
            spec.report_every_hours or "",
            "、".join(i18n(ROLE_NAMES(role)) for role in spec.duty),
        ]
        tasks: list[TaskSpec | None] = [*spec.tasks] or [None]
        for number, task in enumerate(tasks):
            level_cells = first if number == 0 else [first[0], "", "", "", "", ""]
            task_cells = [task.title, i18n(ROLE_NAMES(task.role)), task.due_hours] if task else ["", "", ""]
            sheet.append([safe_cell(cell) if isinstance(cell, str) else cell for cell in [*level_cells, *task_cells]])
    out = BytesIO()
    book.save(out)
    return out.getvalue()


def _labels(keys: Iterable[tuple[str, Any]]) -> dict[str, Any]:
    """Each value by its label in every catalog language, and by its code."""
    found: dict[str, Any] = {}
    for key, value in keys:
        found[str(value).casefold()] = value
        for language in LANGUAGES:
            found[Localizer(language)(key).casefold()] = value
    return found


LEVELS = _labels((LEVEL_NAMES(level), level) for level in ResponseLevel)
HAZARDS = _labels((HAZARD_NAMES(hazard), hazard) for hazard in PlanHazard)
ROLES = _labels((ROLE_NAMES(role), role) for role in TASK_ROLES)


@dataclass
class SheetReading:
    """What the rows say so far, and where each part came from (to name a mistake's row)."""

    document: dict[str, Any] = field(default_factory=lambda: {"levels": {}})
    rows: dict[str, int] = field(default_factory=dict)
    mistakes: list[Mistake] = field(default_factory=list)

    def wrong(self, row: int, column: int, problem: str = "plan.file_invalid") -> None:
        self.mistakes.append(Mistake(row, Localizer("zh")(COLUMNS[column]), problem))


def read_plan_sheet(data: bytes) -> PlanDocument:
    """The plan in a workbook, or refused with every mistake on its row; bounded before it is opened."""
    if len(data) > SHEET_LIMIT:
        raise DomainError("plan.file_too_big", limit=SHEET_LIMIT // 1024)
    try:
        book = load_workbook(BytesIO(data), read_only=True, data_only=True)
    except (BadZipFile, KeyError, OSError, ValueError) as error:
        raise DomainError("plan.sheet_unreadable") from error
    sheet = book.worksheets[0]
    if (sheet.max_row or 0) > ROW_LIMIT or (sheet.max_column or 0) > COLUMN_LIMIT:
        raise DomainError("plan.sheet_too_big", rows=ROW_LIMIT, columns=COLUMN_LIMIT)
    rows = [
        [unquoted(cell) if isinstance(cell, str) else cell for cell in row]
        for row in sheet.iter_rows(max_col=COLUMN_LIMIT, values_only=True)
    ]
    book.close()
    reading = _read_rows(rows)
    if reading.mistakes:
        raise PlanFileRefused(reading.mistakes)
    try:
        return PlanDocument.model_validate(reading.document)
    except ValidationError as invalid:
        raise PlanFileRefused([_mistake(reading, error) for error in invalid.errors()]) from invalid


def path_of(*parts: object) -> str:
    """Where in the plan a row's part goes, as a validation error names it (levels.IV.tasks.0)."""
    return ".".join(str(part) for part in parts)


def _cell(row: list[Any], column: int) -> Any:
    value = row[column] if column < len(row) else None
    return value.strip() if isinstance(value, str) else value


def _read_rows(rows: list[list[Any]]) -> SheetReading:
    reading = SheetReading()
    padded = rows + [[]] * HEADER_ROW
    reading.document["name"] = _cell(padded[NAME_ROW - 1], 1)
    reading.rows["name"] = NAME_ROW
    hazard = _cell(padded[HAZARD_ROW - 1], 1)
    reading.document["hazard"] = HAZARDS.get(str(hazard).casefold(), hazard)
    reading.rows["hazard"] = HAZARD_ROW
    for number, row in enumerate(rows[HEADER_ROW:], start=HEADER_ROW + 1):
        if any(cell not in (None, "") for cell in row):
            _read_row(reading, number, row)
    return reading


def _read_row(reading: SheetReading, number: int, row: list[Any]) -> None:
    level = LEVELS.get(str(_cell(row, LEVEL)).casefold())
    if level is None:
        reading.wrong(number, LEVEL)
        return
    levels = reading.document["levels"]
    if level not in levels:
        levels[level] = _level_fields(reading, number, row)
        reading.rows[path_of("levels", level.value)] = number
    if _cell(row, TASK) in (None, ""):
        return
    role = ROLES.get(str(_cell(row, ROLE)).casefold())
    if role is None:
        reading.wrong(number, ROLE)
        return
    tasks = levels[level].setdefault("tasks", [])
    reading.rows[path_of("levels", level.value, "tasks", len(tasks))] = number
    tasks.append({"title": _cell(row, TASK), "role": role, "due_hours": _cell(row, DUE)})


def _level_fields(reading: SheetReading, number: int, row: list[Any]) -> dict[str, Any]:
    fields: dict[str, Any] = {"condition": _cell(row, CONDITION), "tasks": []}
    needed = _cell(row, NEEDED)
    if needed not in (None, "", 0):
        fields["callout"] = {"needed": needed, "message": _cell(row, MESSAGE)}
    if _cell(row, REPORT) not in (None, ""):
        fields["report_every_hours"] = _cell(row, REPORT)
    duty = str(_cell(row, DUTY) or "")
    for separator in ROLE_SEPARATORS:
        duty = duty.replace(separator, ",")
    names = [name.strip().casefold() for name in duty.split(",") if name.strip()]
    if any(name not in ROLES for name in names):
        reading.wrong(number, DUTY)
    fields["duty"] = [ROLES[name] for name in names if name in ROLES]
    return fields


def _mistake(reading: SheetReading, error: Any) -> Mistake:
    """A validation error placed on the row its part of the plan came from (the nearest part the rows name)."""
    path = [str(part) for part in error["loc"] if str(part) != KEY_MARK]
    row = 1
    for end in range(len(path), 0, -1):
        if ".".join(path[:end]) in reading.rows:
            row = reading.rows[".".join(path[:end])]
            break
    return Mistake(row, ".".join(path), PROBLEM_OF_ERROR.get(error["type"], "plan.file_invalid"))

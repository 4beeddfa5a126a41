"""The situation log (情况日志, after FEMA's ICS-214 activity log) as a workbook a station files: the log's lines,
each task with who had it and how it ended, and who answered the call-outs."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from io import BytesIO
from zoneinfo import ZoneInfo

from openpyxl import Workbook
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from gridguard.callouts.enums import ANSWER_NAMES, CalloutAnswer
from gridguard.callouts.tables import CalloutRecipient
from gridguard.directory.tables import Member, Unit
from gridguard.kernel.cells import safe_cell
from gridguard.plans.enums import LOG_NAMES, TASK_STATUS_NAMES, LogKind, TaskStatus
from gridguard.plans.tables import LogEntry, Response, ResponseCallout, ResponseTask
from gridguard.reports.enums import CATEGORY_NAMES, SEVERITY_NAMES, STATE_NAMES, Category, ReportStatus, Severity
from gridguard.reports.tables import Report
from i18n import Localizer

Cell = str | int
LOG_COLUMNS = ("plan.log_col_time", "plan.log_col_who", "plan.log_col_kind", "plan.log_col_text", "plan.log_col_file")
TASK_COLUMNS = (
    "plan.task_col_title",
    "plan.task_col_who",
    "plan.task_col_place",
    "plan.task_col_status",
    "plan.task_col_due",
    "plan.task_col_closed",
    "plan.task_col_note",
)
ANSWER_COLUMNS = ("plan.answer_col_who", "plan.answer_col_answer", "plan.answer_col_at")
REPORT_COLUMNS = (
    "plan.report_col_code",
    "plan.report_col_at",
    "plan.report_col_place",
    "plan.report_col_category",
    "plan.report_col_severity",
    "plan.report_col_status",
    "plan.report_col_text",
)
ReportLine = tuple[str, datetime, str, Category, Severity, ReportStatus, str]


TaskLine = tuple[str, str, str, TaskStatus, datetime, datetime | None, str]


@dataclass(frozen=True)
class LogSheets:
    entries: list[tuple[datetime, str, LogKind, str, str]]
    tasks: list[TaskLine]
    answers: list[tuple[str, CalloutAnswer, datetime | None]]
    reports: list[ReportLine]
    """The township's hazard reports filed while the response ran."""


async def log_sheets(session: AsyncSession, response: Response, until: datetime) -> LogSheets:
    """What the workbook lists, read in one transaction (the reports filed from the start until `until`, or the
    end)."""
    response_id = response.id or 0
    names = select(Member.id, Member.name)
    entries = (
        await session.exec(select(LogEntry).where(LogEntry.response_id == response_id).order_by(col(LogEntry.id)))
    ).all()
    tasks = (
        await session.exec(
            select(ResponseTask).where(ResponseTask.response_id == response_id).order_by(col(ResponseTask.id))
        )
    ).all()
    people = {e.member_id for e in entries} | {t.member_id for t in tasks}
    who = dict((await session.exec(names.where(col(Member.id).in_(people)))).all())
    places = dict(
        (await session.exec(select(Unit.id, Unit.name).where(col(Unit.id).in_({t.unit_id for t in tasks})))).all()
    )
    answered = (
        select(Member.name, CalloutRecipient.answer, CalloutRecipient.answered_at)
        .join(Member, col(Member.id) == CalloutRecipient.member_id)
        .join(ResponseCallout, col(ResponseCallout.callout_id) == CalloutRecipient.callout_id)
        .where(ResponseCallout.response_id == response_id)
        .order_by(col(CalloutRecipient.id))
    )
    return LogSheets(
        [(e.at, who.get(e.member_id, ""), e.kind, e.text, e.file_id or "") for e in entries],
        [
            (
                t.title,
                who.get(t.member_id, "?"),
                places.get(t.unit_id, "?"),
                t.status,
                t.due_at,
                t.closed_at,
                t.note or "",
            )
            for t in tasks
        ],
        [(name, CalloutAnswer(answer), at) for name, answer, at in (await session.exec(answered)).all()],
        await _reports_during(session, response, until),
    )


async def _reports_during(session: AsyncSession, response: Response, until: datetime) -> list[ReportLine]:
    since = response.started_at or response.created_at
    query = (
        select(Report, Unit.name)
        .join(Unit, col(Unit.id) == Report.unit_id)
        .where(
            Report.township_id == response.township_id,
            col(Report.created_at) >= since,
            col(Report.created_at) <= (response.ended_at or until),
        )
        .order_by(col(Report.created_at))
    )
    return [
        (r.code, r.created_at, place, r.category, r.severity, r.status, r.description or "")
        for r, place in (await session.exec(query)).all()
    ]


def _task_line(task: ResponseTask, who: str, place: str) -> TaskLine:
    return (task.title, who, place, task.status, task.due_at, task.closed_at, task.note or "")


def _when(instant: datetime | None, zone: ZoneInfo) -> str:
    return instant.astimezone(zone).strftime("%Y-%m-%d %H:%M") if instant else ""


def log_workbook(sheets: LogSheets, i18n: Localizer, zone: ZoneInfo) -> bytes:
    """The workbook (no cell a formula); heavy for a long response, so the desk builds it off the event loop."""
    book = Workbook()
    log = book.active
    assert log is not None
    log.title = i18n("plan.log_sheet")
    _fill(
        log,
        [i18n(k) for k in LOG_COLUMNS],
        [[_when(at, zone), who, i18n(LOG_NAMES(kind)), text, file] for at, who, kind, text, file in sheets.entries],
    )
    _fill(
        book.create_sheet(i18n("plan.task_sheet")),
        [i18n(k) for k in TASK_COLUMNS],
        [
            [title, who, place, i18n(TASK_STATUS_NAMES(status)), _when(due, zone), _when(closed, zone), note]
            for title, who, place, status, due, closed, note in sheets.tasks
        ],
    )
    _fill(
        book.create_sheet(i18n("plan.answer_sheet")),
        [i18n(k) for k in ANSWER_COLUMNS],
        [[name, i18n(ANSWER_NAMES(answer)), _when(at, zone)] for name, answer, at in sheets.answers],
    )
    _fill(
        book.create_sheet(i18n("plan.report_sheet")),
        [i18n(k) for k in REPORT_COLUMNS],
        [
            [
                code,
                _when(at, zone),
                place,
                i18n(CATEGORY_NAMES(category)),
                i18n(SEVERITY_NAMES(severity)),
                i18n(STATE_NAMES(status)),
                text,
            ]
            for code, at, place, category, severity, status, text in sheets.reports
        ],
    )
    out = BytesIO()
    book.save(out)
    return out.getvalue()


def _fill(sheet: object, header: Sequence[str], rows: Sequence[Sequence[Cell]]) -> None:
    sheet.append(list(header))  # type: ignore[attr-defined]
    for row in rows:
        sheet.append([safe_cell(cell) for cell in row])  # type: ignore[attr-defined]

"""What the clock brings to a running response: tasks past due escalate to the heads (each once), and the report
upward is reminded on the level's cadence, drafted from the log. The database holds what is due; the sweep only
looks."""

from collections import defaultdict
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from gridguard.delivery.enums import Priority
from gridguard.delivery.outbox import Content, Notice, enqueue, enqueue_many
from gridguard.kernel.times import local_time
from gridguard.plans.enums import LogKind, ResponseStatus, TaskStatus
from gridguard.plans.plan_document import PlanDocument
from gridguard.plans.plan_texts import marked, overdue_content
from gridguard.plans.response_state import (
    card_key,
    heading_of,
    log,
    overdue_lines,
    overseers,
    progress_of,
    refresh_card,
    response_topic,
)
from gridguard.plans.tables import LogEntry, Response, ResponseTask
from i18n import Localizer, Raw

DRAFT_LOG_LINES = 5
"""How many of the latest log lines the report's draft quotes as 情况."""


async def escalate_overdue(session: AsyncSession, now: datetime, zone: ZoneInfo, language: str) -> int:
    """Open tasks of running responses past their due time: marked escalated, one notice per response to each head
    listing them, logged; the card shows them. How many tasks."""
    query = (
        select(ResponseTask, Response)
        .join(Response, col(Response.id) == ResponseTask.response_id)
        .where(
            ResponseTask.status == TaskStatus.OPEN,
            col(ResponseTask.escalated_at).is_(None),
            col(ResponseTask.due_at) <= now,
            Response.status == ResponseStatus.ACTIVE,
        )
        .order_by(col(ResponseTask.response_id), col(ResponseTask.due_at), col(ResponseTask.id))
    )
    by_response: dict[int, list[ResponseTask]] = defaultdict(list)
    responses: dict[int, Response] = {}
    for task, response in (await session.exec(query)).all():
        by_response[response.id or 0].append(task)
        responses[response.id or 0] = response
    for response_id, tasks in by_response.items():
        response = responses[response_id]
        for task in tasks:
            task.escalated_at = now
            session.add(task)
        await _tell_overdue(session, response, tasks, now, zone, language)
    return sum(len(tasks) for tasks in by_response.values())


async def _tell_overdue(
    session: AsyncSession, response: Response, tasks: list[ResponseTask], now: datetime, zone: ZoneInfo, language: str
) -> None:
    lines = await overdue_lines(session, tasks)
    heading = await heading_of(session, response)
    first = min(t.id or 0 for t in tasks)
    notices = [
        Notice(
            f"{response_topic(response.id or 0)}:overdue:{first}:{o.member_id}",
            o.telegram_id,
            overdue_content(Localizer(o.language), heading, lines, zone),
            Priority.URGENT,
            o.member_id,
        )
        for o in await overseers(session, response.township_id)
    ]
    await enqueue_many(session, notices, now)
    i18n = Localizer(language)
    items = [i18n("plan.log_overdue_item", title=line.title, who=line.assignee) for line in lines]
    titles = Raw(i18n("plan.log_overdue_separator").join(items))
    await log(session, response, now, None, LogKind.TASK_OVERDUE, i18n("plan.log_text_overdue", tasks=titles))
    await refresh_card(session, response, now, zone)


async def remind_reports(session: AsyncSession, now: datetime, zone: ZoneInfo, language: str) -> int:
    """Running responses whose report upward is due: the draft (情况/措施/需求) to the card's chat, under the card,
    once per due time; the next one set. How many."""
    query = select(Response).where(
        Response.status == ResponseStatus.ACTIVE,
        col(Response.next_report_at).is_not(None),
        col(Response.next_report_at) <= now,
    )
    due = (await session.exec(query)).all()
    for response in due:
        await _remind_report(session, response, now, zone, language)
    return len(due)


async def _remind_report(
    session: AsyncSession, response: Response, now: datetime, zone: ZoneInfo, language: str
) -> None:
    every = PlanDocument.model_validate(response.document).level(response.level).report_every_hours or 1
    assert response.next_report_at is not None
    while response.next_report_at <= now:
        response.next_report_at += timedelta(hours=every)
    response.reports_due += 1
    session.add(response)
    i18n = Localizer(language)
    text = marked(i18n, response.drill, await report_draft(session, response, i18n, zone))
    await log(
        session, response, now, None, LogKind.REPORT_DUE, i18n("plan.log_text_report_due", n=response.reports_due)
    )
    await enqueue(
        session,
        dedupe_key=f"{response_topic(response.id or 0)}:report:{response.reports_due}",
        chat_id=response.card_chat_id,
        content=Content(text=text, reply_to=card_key(response.id or 0)),
        now=now,
        priority=Priority.URGENT,
    )
    await refresh_card(session, response, now, zone)


async def report_draft(session: AsyncSession, response: Response, i18n: Localizer, zone: ZoneInfo) -> str:
    """The report upward, drafted: 情况 from the log's latest lines, 措施 from the tasks and the turnout, 需求 left
    for the station to fill in."""
    progress = await progress_of(session, response)
    latest = select(LogEntry).where(LogEntry.response_id == response.id).order_by(col(LogEntry.id).desc())
    entries = list(reversed((await session.exec(latest.limit(DRAFT_LOG_LINES))).all()))
    situation = "\n".join(f"{local_time(e.at, zone)} {e.text}" for e in entries)
    return i18n(
        "plan.report_draft",
        heading=Raw(progress.heading.line(i18n)),
        n=response.reports_due,
        situation=situation,
        done=progress.done,
        total=progress.tasks,
        overdue=len(progress.overdue),
        asked=progress.asked,
        coming=progress.coming + progress.arrived,
    )

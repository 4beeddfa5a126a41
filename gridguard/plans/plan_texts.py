"""What a response says, in the reader's language: the drill mark, the task a member receives, the proposal a head
confirms, the progress card, the overdue notice and the upward report's draft."""

import html
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from gridguard.delivery.outbox import Button, ButtonRows, Content
from gridguard.kernel.fitting import LIST_BUDGET, lines_fitted
from gridguard.kernel.times import local_time
from gridguard.plans.enums import HAZARD_NAMES, LEVEL_NAMES, PlanHazard, ResponseLevel, ResponseStatus
from gridguard.plans.response_lifecycle import ResponseVerb, TaskVerb
from i18n import Keys, Localizer, Raw

CLOSED_NOTES = Keys("plan.card_{}", (ResponseStatus.ENDED, ResponseStatus.DECLINED))
OVERDUE_SHOWN_BUDGET = LIST_BUDGET // 2
"""The progress card lists its overdue tasks within this many characters (then "……另有 N 条")."""


def hazard_name(i18n: Localizer, hazard: PlanHazard) -> str:
    return i18n(HAZARD_NAMES(hazard))


def level_name(i18n: Localizer, level: ResponseLevel) -> str:
    return i18n(LEVEL_NAMES(level))


def marked(i18n: Localizer, drill: bool, text: str) -> str:
    """A drill's every message starts 【演练】."""
    return i18n("plan.drill_mark") + text if drill else text


def hours_text(i18n: Localizer, hours: float) -> str:
    return i18n("plan.hours", n=f"{hours:g}")


@dataclass(frozen=True)
class ResponseHeading:
    """What every message of a response names: its plan, level, township, and whether it is a drill."""

    plan: str
    level: ResponseLevel
    township: str
    drill: bool

    def line(self, i18n: Localizer) -> str:
        return i18n("plan.heading", plan=self.plan, level=level_name(i18n, self.level), township=self.township)


def headed(i18n: Localizer, heading: ResponseHeading, key: str, **params: object) -> Content:
    """A response's message under its heading (marked in a drill)."""
    return Content(text=marked(i18n, heading.drill, i18n(key, heading=Raw(heading.line(i18n)), **params)))


def task_content(
    i18n: Localizer, heading: ResponseHeading, task_id: int, title: str, due_at: datetime, zone: ZoneInfo
) -> Content:
    """A task as its assignee receives it, with 完成 / 无法完成."""
    text = i18n("plan.task", heading=Raw(heading.line(i18n)), title=title, due=local_time(due_at, zone))
    return Content(text=marked(i18n, heading.drill, text), buttons=task_buttons(i18n, task_id))


def task_buttons(i18n: Localizer, task_id: int) -> ButtonRows:
    return (
        (
            Button(i18n("plan.task_done_button"), TaskVerb.DONE, task_id),
            Button(i18n("plan.task_cant_button"), TaskVerb.CANT, task_id),
        ),
    )


def proposal_content(
    i18n: Localizer, heading: ResponseHeading, proposer: str, condition: str, proposal_id: int, starting: bool
) -> Content:
    """What a head is asked: start (or raise to) Ⅱ/Ⅰ, as the duty member proposed; 同意 / 不同意."""
    key = "plan.proposal_start" if starting else "plan.proposal_raise"
    text = i18n(key, heading=Raw(heading.line(i18n)), proposer=proposer, condition=condition)
    buttons = (
        (
            Button(i18n("plan.confirm_button"), ResponseVerb.CONFIRM, proposal_id),
            Button(i18n("plan.decline_button"), ResponseVerb.DECLINE, proposal_id),
        ),
    )
    return Content(text=marked(i18n, heading.drill, text), buttons=buttons)


@dataclass(frozen=True)
class OverdueLine:
    title: str
    assignee: str
    place: str
    due_at: datetime


@dataclass(frozen=True)
class Progress:
    """A response's state, as its progress card shows it."""

    response_id: int
    heading: ResponseHeading
    status: ResponseStatus
    proposed_level: ResponseLevel | None
    started_at: datetime | None
    starter: str
    tasks: int
    done: int
    cant: int
    overdue: list[OverdueLine]
    asked: int
    coming: int
    arrived: int
    next_report_at: datetime | None
    summary: str | None
    on_duty: int = 0
    """How many the level's 24-hour duty holds now."""


def progress_content(i18n: Localizer, progress: Progress, zone: ZoneInfo) -> Content:
    """The progress card: tasks done / overdue, the call-outs' turnout, the next report due, and (while running)
    调整级别 / 结束响应 / 日志."""
    lines = [progress.heading.line(i18n)]
    if progress.started_at is not None:
        lines.append(i18n("plan.card_started", at=local_time(progress.started_at, zone), by=progress.starter))
    if progress.status == ResponseStatus.PROPOSED:
        lines.append(i18n("plan.card_waiting"))
    lines.append(
        i18n(
            "plan.card_tasks",
            done=progress.done,
            total=progress.tasks,
            overdue=len(progress.overdue),
            cant=progress.cant,
        )
    )
    lines += lines_fitted(i18n, overdue_texts(i18n, progress.overdue, zone), OVERDUE_SHOWN_BUDGET)
    if progress.asked:
        lines.append(i18n("plan.card_callout", asked=progress.asked, coming=progress.coming, arrived=progress.arrived))
    if progress.on_duty:
        lines.append(i18n("plan.card_duty", n=progress.on_duty))
    if progress.proposed_level is not None and progress.status == ResponseStatus.ACTIVE:
        lines.append(i18n("plan.card_raise_waiting", level=level_name(i18n, progress.proposed_level)))
    if progress.status == ResponseStatus.ACTIVE and progress.next_report_at is not None:
        lines.append(i18n("plan.card_next_report", at=local_time(progress.next_report_at, zone)))
    if progress.status in (ResponseStatus.ENDED, ResponseStatus.DECLINED):
        lines.append(i18n(CLOSED_NOTES(progress.status)))
    if progress.summary:
        lines.append(html.escape(progress.summary, quote=False))
    text = marked(i18n, progress.heading.drill, "\n".join(lines))
    buttons = card_buttons(i18n, progress.response_id) if progress.status == ResponseStatus.ACTIVE else ()
    return Content(text=text, buttons=buttons)


def card_buttons(i18n: Localizer, response_id: int) -> ButtonRows:
    return (
        (
            Button(i18n("plan.change_level_button"), ResponseVerb.CHANGE_LEVEL, response_id),
            Button(i18n("plan.end_button"), ResponseVerb.END, response_id),
        ),
        (
            Button(i18n("plan.note_button"), ResponseVerb.NOTE, response_id),
            Button(i18n("plan.log_button"), ResponseVerb.LOG, response_id),
        ),
    )


def overdue_texts(i18n: Localizer, overdue: Sequence[OverdueLine], zone: ZoneInfo) -> list[str]:
    """Overdue tasks as the card and the heads' notice list them: title, who, where, when it was due."""
    return [
        i18n("plan.card_overdue_line", title=o.title, who=o.assignee, place=o.place, due=local_time(o.due_at, zone))
        for o in overdue
    ]


def overdue_content(
    i18n: Localizer, heading: ResponseHeading, overdue: Sequence[OverdueLine], zone: ZoneInfo
) -> Content:
    tasks = Raw("\n".join(lines_fitted(i18n, overdue_texts(i18n, overdue, zone))))
    return headed(i18n, heading, "plan.overdue", n=len(overdue), tasks=tasks)


def summary_text(i18n: Localizer, progress: Progress, withdrawn: int, lasted: timedelta) -> str:
    """What the end writes into the log and the card: how long, the tasks as they stood (and how many the end
    withdrew), the turnout."""
    hours = lasted.total_seconds() / 3600
    return i18n(
        "plan.summary",
        hours=f"{hours:.1f}",
        done=progress.done,
        total=progress.tasks,
        cant=progress.cant,
        withdrawn=withdrawn,
        asked=progress.asked,
        coming=progress.coming + progress.arrived,
    )

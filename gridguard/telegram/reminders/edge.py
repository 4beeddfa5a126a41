"""Meetings, inspections and drills: /reminders, /week, /compliance, /records, the answers and the records."""

from gridguard.telegram.registry import Edge
from gridguard.telegram.reminders import records, reminder_setup, reminders
from gridguard.telegram.reminders.callbacks import PACKERS
from gridguard.telegram.reminders.states import RecordFlow, RsvpFlow, RuleFlow

EDGE = Edge(
    routers=(reminders.router, reminder_setup.router, records.router),
    commands=("reminders", "week", "compliance", "records"),
    group_commands=(),
    members_only_commands=("reminders", "week", "compliance", "records"),
    flows=(RsvpFlow, RuleFlow, RecordFlow),
    packers=PACKERS,
    menu_rank=40,
)

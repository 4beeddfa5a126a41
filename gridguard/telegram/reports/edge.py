"""Hazard reports: /report, the cards and their buttons, /reports, /linkgroup and /policy."""

from gridguard.telegram.registry import Edge
from gridguard.telegram.reports import report, report_actions, report_view, station
from gridguard.telegram.reports.callbacks import PACKERS
from gridguard.telegram.reports.states import ActOnReport, ReportFlow

EDGE = Edge(
    routers=(report.router, report_view.router, report_actions.router, station.router),
    commands=("report", "reports", "linkgroup", "policy"),
    group_commands=("linkgroup",),
    members_only_commands=("reports", "linkgroup", "policy"),
    flows=(ReportFlow, ActOnReport),
    packers=PACKERS,
    menu_rank=10,
)

"""The Telegram edge: one Router per capability, built fresh for every Dispatcher."""

from aiogram import Router

from handlers import (
    admin,
    callouts,
    common,
    duty,
    fallback,
    guards,
    outbox,
    records,
    reminder_setup,
    reminders,
    report,
    report_actions,
    report_view,
    roster,
    start,
    station,
)


def build_routers() -> list[Router]:
    """Routers in the order they are tried; the fallback comes last."""
    return [
        guards.router(),
        start.router(),
        common.router(),
        admin.router(),
        outbox.router(),
        report.router(),
        report_view.router(),
        callouts.router(),
        report_actions.router(),
        station.router(),
        duty.router(),
        roster.router(),
        reminders.router(),
        reminder_setup.router(),
        records.router(),
        fallback.router(),
    ]

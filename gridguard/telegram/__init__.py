"""The Telegram edge: one Router per capability, built fresh for every Dispatcher."""

from aiogram import Router

from gridguard.telegram import common, fallback, guards
from gridguard.telegram.callouts import callouts
from gridguard.telegram.delivery import outbox
from gridguard.telegram.directory import admin, start
from gridguard.telegram.duty import duty, roster
from gridguard.telegram.reminders import records, reminder_setup, reminders
from gridguard.telegram.reports import report, report_actions, report_view, station


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

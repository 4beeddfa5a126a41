"""The report path's guarantees and its cost: one short transaction per report, cards handed to delivery at once,
and a card never lost when the worker it was handed to dies."""

from aiogram import Bot

from bot.telegram_sender import TelegramSender
from gridguard.delivery.delivery import DeliveryWorker
from tests.fakes.records import counting_sql
from tests.scenarios.township import Township, file_report, summary_of_a_report


async def test_filing_is_one_transaction_of_at_most_ten_statements(town: Township) -> None:
    await file_report(town.reporter, category="⚡ 用电", location=None, photos=0)
    summary = await summary_of_a_report(town.reporter, "仓库冒烟")
    with counting_sql(town.db) as tally:
        await town.reporter.click("✅ 确认提交", summary)
    assert "已提交" in summary.shown
    assert tally.transactions <= 2 and len(tally.statements) <= 10, tally


async def test_a_card_held_by_a_worker_that_died_goes_out_once_after_its_lease(town: Township, outbox_bot: Bot) -> None:
    await file_report(town.reporter, location=None)
    other = DeliveryWorker(town.db, TelegramSender(outbox_bot), town.clock, town.timer, name="other")
    await other.run_until_idle()
    assert town.cards(town.officer) == [], "the card was handed to the bot's own worker, and it holds it"
    town.clock.advance(seconds=other.limits.lease.total_seconds() + 1)
    await other.run_until_idle()
    await other.run_until_idle()
    assert len(town.cards(town.officer)) == 1, "its worker never sent it: after the lease another one does, once"

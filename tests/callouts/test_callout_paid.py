"""Paid broadcast (PAID_BROADCAST): a critical call-out goes with allow_paid_broadcast at up to 1,000 a second; a
refusal for lack of Stars falls back to the free rate at once, everyone still gets the alert exactly once, and the
sender is told. A call-out that is not critical, or a deployment without the setting, never pays."""

import pytest
from aiogram import Bot

from bot.settings import Settings
from bot.telegram_sender import TelegramSender
from gridguard.db.database import Database
from gridguard.delivery.delivery import DeliveryLimits, DeliveryWorker
from tests.fakes.clock import FakeClock, VirtualTimer
from tests.fakes.telegram_server import FakeTelegram
from tests.scenarios.callouts import alerts_of, send_callout, with_volunteers
from tests.scenarios.township import Township


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return settings.model_copy(update={"paid_broadcast": True})


@pytest.fixture
def worker(db: Database, clock: FakeClock, timer: VirtualTimer, outbox_bot: Bot) -> DeliveryWorker:
    limits = DeliveryLimits(paid_broadcast=True)
    return DeliveryWorker(db, TelegramSender(outbox_bot), clock, timer, limits=limits, name="test")


async def test_a_critical_call_out_goes_by_paid_broadcast(town: Township, server: FakeTelegram) -> None:
    volunteers = await with_volunteers(town)
    await send_callout(town, town.head)
    assert all(len(alerts_of(u)) == 1 for u in volunteers.responders)
    assert server.paid_sent == len(volunteers.responders), "the alerts pay; the sender's own card does not"


async def test_a_call_out_that_is_not_critical_goes_free(town: Township, server: FakeTelegram) -> None:
    volunteers = await with_volunteers(town)
    await send_callout(town, town.head, kind="🤝 一般支援")
    assert all(len(alerts_of(u)) == 1 for u in volunteers.responders)
    assert server.paid_sent == 0


async def test_without_stars_the_alert_falls_back_to_free_and_the_sender_is_told_once(
    town: Township, server: FakeTelegram
) -> None:
    volunteers = await with_volunteers(town)
    server.stars = 0.15
    await send_callout(town, town.head)
    assert all(len(alerts_of(u)) == 1 for u in volunteers.responders), "each exactly once"
    assert server.paid_sent == 1
    told = [m for m in town.head.inbox if "付费广播失败" in m.shown]
    assert len(told) == 1

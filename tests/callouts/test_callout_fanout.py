"""A call-out larger than what the worker sends within its lease: the rows it can't send in time are not handed
over but wait for claims, so none outlives its lease in the worker's queue and goes twice."""

from datetime import timedelta

import pytest
from aiogram import Bot

from bot.telegram_sender import TelegramSender
from gridguard.db.database import Database
from gridguard.delivery.delivery import DeliveryLimits, DeliveryWorker
from gridguard.directory.enums import Role
from tests.fakes.clock import FakeClock, VirtualTimer
from tests.fakes.world import VILLAGE_A1, add_member
from tests.scenarios.callouts import alerts_of, send_callout
from tests.scenarios.township import Township

VOLUNTEERS = 90
LEASE = timedelta(seconds=2)
"""A quarter of it at 30 a second: 15 rows handed over, the rest left for claims (90 take 3 s)."""


@pytest.fixture
def worker(db: Database, clock: FakeClock, timer: VirtualTimer, outbox_bot: Bot) -> DeliveryWorker:
    return DeliveryWorker(db, TelegramSender(outbox_bot), clock, timer, limits=DeliveryLimits(lease=LEASE), name="t")


async def test_every_volunteer_gets_the_alert_exactly_once_when_it_outlasts_the_lease(town: Township) -> None:
    volunteers = [town.harness.user(f"志愿者{n}") for n in range(VOLUNTEERS)]
    for user in volunteers:
        user.chat.started = True
        await add_member(town.db, town.clock.now(), user.id, user.first_name, Role.VOLUNTEER, VILLAGE_A1)
    await send_callout(town, town.head)
    assert [len(alerts_of(u)) for u in volunteers] == [1] * VOLUNTEERS

"""Fixtures shared by the end-to-end report tests."""

import pytest

from bot.settings import Settings
from gridguard.db.database import Database
from gridguard.delivery.delivery import DeliveryWorker
from tests.e2e.reporting import Township, build_township
from tests.fakes.clock import FakeClock, FakeMonotonic, VirtualTimer
from tests.fakes.users import Harness


@pytest.fixture
async def town(
    harness: Harness,
    worker: DeliveryWorker,
    timer: VirtualTimer,
    db: Database,
    clock: FakeClock,
    monotonic: FakeMonotonic,
    settings: Settings,
) -> Township:
    """A township with one member of each role; people take a second between taps."""
    harness.pace = lambda: monotonic.advance(1.0)
    return await build_township(harness, worker, timer, db, clock, settings)

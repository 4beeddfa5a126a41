"""Every filter is checked on the event loop (gridguard/telegram/filters_on_loop.py), with the answer it gave before."""

import asyncio
from typing import Any

import pytest
from aiogram import F, Router
from aiogram.fsm.state import State, StatesGroup

from gridguard.db.database import Database
from gridguard.directory.enums import Role
from gridguard.telegram import build_routers
from gridguard.telegram.filters_on_loop import filters_of, run_filters_on_loop
from tests.fakes.clock import FakeClock
from tests.fakes.users import Harness
from tests.fakes.world import TOWNSHIP_A, VILLAGE_A1, add_member, import_townships


class Flow(StatesGroup):
    asked = State()


def test_no_filter_of_the_bot_is_left_to_a_worker_thread() -> None:
    checks = [check for router in build_routers() for check in filters_of(router)]

    assert len(checks) > 100
    assert all(check.awaitable for check in checks)


async def test_a_wrapped_filter_answers_as_the_plain_one_did() -> None:
    router = Router()
    router.message.filter(F.chat.type == "private")
    router.message.register(lambda: None, Flow.asked, F.text)
    plain = list(filters_of(router))
    plain_answers = [check.callback for check in plain]

    run_filters_on_loop(router)

    private, asked, text = list(filters_of(router))
    message: Any = type("Message", (), {"chat": type("Chat", (), {"type": "private"})(), "text": "你好"})()
    assert await private.call(message) is True
    assert await asked.call(message, raw_state=Flow.asked.state) is True
    assert await asked.call(message, raw_state=None) is False
    assert await text.call(message) == "你好"
    assert plain_answers[0](message) is True


async def test_a_message_and_a_press_reach_their_handlers_without_a_thread(
    harness: Harness, db: Database, clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    await import_townships(db, clock.now(), TOWNSHIP_A)
    user = harness.user("林")
    await add_member(db, clock.now(), user.id, "林网格", Role.GRID_WORKER, VILLAGE_A1)

    def refuse(*_args: object, **_kwargs: object) -> None:
        raise AssertionError("a filter went to a worker thread")

    monkeypatch.setattr(asyncio, "to_thread", refuse)
    [answer] = await user.send("今天天气不错")
    [choose] = await user.send("/lang")
    await user.press_data(choose, choose.buttons[0]["callback_data"])

    assert "没看懂" in answer.shown
    assert len(harness.server.callback_answers) == 1

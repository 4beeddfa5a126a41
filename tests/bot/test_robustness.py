"""Whatever a user sends, the bot answers briefly or ignores it — never an exception — and keeps serving."""

import asyncio
import logging

import pytest

import gridguard.telegram.common
from bot.app import build_dispatcher
from bot.middlewares import LocalFloodBuckets, ThrottlingMiddleware
from bot.settings import Settings
from gridguard.db.database import Database
from gridguard.delivery.delivery import DeliveryWorker
from gridguard.directory.enums import Role
from tests.fakes.clock import FakeClock, FakeMonotonic
from tests.fakes.telegram_server import Limits
from tests.fakes.users import Harness
from tests.fakes.world import TOWNSHIP_A, VILLAGE_A1, add_member, import_townships


@pytest.fixture(autouse=True)
async def township(db: Database, clock: FakeClock) -> None:
    await import_townships(db, clock.now(), TOWNSHIP_A)


@pytest.mark.parametrize(
    ("action", "expected"),
    [
        ("send_sticker", "这里用不上这条消息"),
        ("send_voice", "这里用不上这条消息"),
        ("send_document", "这里用不上这条消息"),
        ("send_photo", "这里用不上这条消息"),
        ("random_text", "没看懂"),
        ("unknown_command", "没有这个命令"),
    ],
)
async def test_unexpected_messages_get_a_short_helpful_answer(harness: Harness, action: str, expected: str) -> None:
    user = harness.user("林")
    if action == "random_text":
        replies = await user.send("今天天气不错")
    elif action == "unknown_command":
        replies = await user.send("/frobnicate")
    else:
        replies = await getattr(user, action)()
    assert [r.shown for r in replies] == [replies[0].shown]
    assert expected in replies[0].shown
    assert "/help" in replies[0].shown


async def test_a_stale_button_from_a_finished_flow_changes_nothing(
    harness: Harness, db: Database, clock: FakeClock
) -> None:
    head = harness.user("李")
    await add_member(db, clock.now(), head.id, "李站长", Role.STATION_HEAD, TOWNSHIP_A)
    [roles] = await head.send("/invite")
    await head.send("/cancel")
    assert await head.click("网格员", roles) == []
    assert head.last_alert is not None and "失效" in head.last_alert["text"]


@pytest.mark.parametrize("data", ["garbage", "v1unit:inv:notanumber", "v1page:grid:1", "x" * 64])
async def test_forged_button_data_is_answered_and_ignored(
    harness: Harness, db: Database, clock: FakeClock, data: str
) -> None:
    user = harness.user("林")
    await add_member(db, clock.now(), user.id, "林网格", Role.GRID_WORKER, VILLAGE_A1)
    [choose] = await user.send("/lang")
    assert await user.press_data(choose, data) == []
    assert user.last_alert is not None and "失效" in user.last_alert["text"]


async def test_an_unexpected_error_is_logged_apologised_for_and_the_bot_keeps_serving(
    harness: Harness,
    db: Database,
    clock: FakeClock,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    def broken(*_args: object) -> str:
        raise RuntimeError("something unexpected")

    member, stranger = harness.user("林"), harness.user("陌生人")
    await add_member(db, clock.now(), member.id, "林网格", Role.GRID_WORKER, VILLAGE_A1)
    monkeypatch.setattr(gridguard.telegram.common, "help_text", broken)
    with caplog.at_level(logging.ERROR, logger="gridguard"):
        [apology] = await member.send("/help")
    assert "抱歉" in apology.shown
    assert any("unhandled error in update" in r.getMessage() for r in caplog.records)
    [unaffected] = await stranger.send("/help")
    assert "邀请链接" in unaffected.shown
    monkeypatch.undo()
    [works_again] = await member.send("/help")
    assert "/me" in works_again.shown


async def test_a_flood_is_told_to_slow_down_without_slowing_anyone_else(
    harness: Harness, monotonic: FakeMonotonic
) -> None:
    flooder, neighbour = harness.user("刷屏"), harness.user("邻居")
    replies = []
    for n in range(30):
        replies += await flooder.send(f"消息 {n}")
        monotonic.advance(5 / 30)
    slow_down = [r for r in replies if "太快" in r.shown]
    assert len(slow_down) == 1
    assert len(replies) < 15
    [answer] = await neighbour.send("你好")
    assert "没看懂" in answer.shown
    monotonic.advance(10)
    [calm] = await flooder.send("/help")
    assert "邀请链接" in calm.shown
    assert harness.server.errors == []


@pytest.mark.parametrize("limits", [Limits(private_burst=1)])
async def test_a_flood_arriving_at_once_is_shed_before_it_queues_behind_the_users_lock(
    harness: Harness, settings: Settings, db: Database, clock: FakeClock, worker: DeliveryWorker,
    monotonic: FakeMonotonic, limits: Limits,
) -> None:  # fmt: skip
    """300 messages in 2.6 s, handled as concurrent tasks as polling does, with Telegram's one message a second
    to the chat (each reply past it waits out its 429): the flooder gets a handful of replies and one "slow
    down", not one reply a second for minutes; a neighbour is answered in the middle of it.

    The flood's arrivals keep a clock of their own: the bot waiting out a 429 moves the fake Bot API's clock a
    second at once, and on one shared clock each of those waits would refill the flooder's bucket, which no
    real flood (arriving at its own pace whatever the bot waits for) would."""
    arrivals = FakeMonotonic()
    throttle = ThrottlingMiddleware(settings.default_language, LocalFloodBuckets(clock=arrivals))
    flooded = Harness(harness.server, harness.bot, build_dispatcher(settings, db, clock, throttle, worker))
    flooder, neighbour = flooded.user("刷屏"), flooded.user("邻居")
    flood = []
    for n in range(300):
        flood.append(asyncio.create_task(flooder.send(f"消息 {n}")))
        await asyncio.sleep(0)
        arrivals.advance(2.6 / 300)
        if n == 150:
            sent_at = monotonic()
            [answer] = await neighbour.send("你好")
            neighbour_wait = monotonic() - sent_at
    await asyncio.gather(*flood)
    to_flooder = harness.server.sent_to(flooder.id)
    assert sum("太快" in m.shown for m in to_flooder) == 1
    assert len(to_flooder) <= 12, f"{len(to_flooder)} replies to a flood of 300 (a burst of 8, one a second)"
    assert "没看懂" in answer.shown and neighbour_wait <= 1.0
    arrivals.advance(10)
    [calm] = await flooder.send("/help")
    assert "邀请链接" in calm.shown
    await flooded.dp.storage.close()


async def test_a_hundred_presses_at_once_are_each_answered_so_no_button_keeps_spinning(
    harness: Harness, db: Database, clock: FakeClock
) -> None:
    user = harness.user("林")
    await add_member(db, clock.now(), user.id, "林网格", Role.GRID_WORKER, VILLAGE_A1)
    [choose] = await user.send("/lang")
    data = choose.buttons[0]["callback_data"]
    queries = [user.callback_query(choose, data) for _ in range(100)]
    await asyncio.gather(*(harness.feed(user.id, {"callback_query": query}) for query in queries))
    unanswered = [q["id"] for q in queries if q["id"] not in harness.server.callback_answers]
    assert unanswered == [], f"{len(unanswered)} of 100 presses were never answered"
    shown = [harness.server.callback_answers[q["id"]].get("text", "") for q in queries]
    assert sum("太快" in text for text in shown) == 1, "told once to slow down; the rest answered silently"

"""Onboarding by invite, as a new user would try it — and every way it can go wrong."""

import pytest

from gridguard.db.database import Database
from gridguard.directory.enums import Role
from gridguard.directory.members import load_profile
from tests.fakes.clock import FakeClock
from tests.fakes.users import Harness
from tests.fakes.world import COUNTY, TOWNSHIP_A, VILLAGE_A1, add_member, import_townships, invite_token


@pytest.fixture(autouse=True)
async def township(db: Database, clock: FakeClock) -> None:
    await import_townships(db, clock.now(), TOWNSHIP_A)


async def test_new_user_registers_from_an_invite_link(harness: Harness, db: Database, clock: FakeClock) -> None:
    token = await invite_token(db, clock.now(), VILLAGE_A1, Role.GRID_WORKER)
    user = harness.user("陈", language_code="zh-hans")

    [offer] = await user.send(f"/start {token}")
    assert "网格员" in offer.shown and "凤城镇" in offer.shown and "美法村委会" in offer.shown

    [ask_phone] = await user.send("陈建国")
    assert "陈建国" in ask_phone.shown
    assert [b["text"] for b in ask_phone.reply_buttons] == ["📱 分享我的手机号", "跳过"]
    assert ask_phone.reply_buttons[0]["request_contact"] is True

    [done] = await user.share_contact("+8613800000000")
    assert "注册成功" in done.shown
    assert "陈建国" in done.shown and "网格员" in done.shown and "凤城镇" in done.shown
    assert "/me" in done.shown
    assert [b["text"] for b in done.reply_buttons] == ["📢 上报隐患", "📋 报告列表"]

    [me] = await user.send("/me")
    assert "+8613800000000" in me.shown and "网格员" in me.shown and "中文" in me.shown


async def test_an_english_phone_gets_english_and_may_skip_the_phone(
    harness: Harness, db: Database, clock: FakeClock
) -> None:
    token = await invite_token(db, clock.now(), TOWNSHIP_A, Role.VOLUNTEER)
    user = harness.user("Ann", language_code="en-GB")
    [offer] = await user.send(f"/start {token}")
    assert "You are invited as <b>volunteer</b>" in (offer.html or "")
    await user.send("Ann Lee")
    [done] = await user.send("Skip")
    assert "You are registered" in done.shown
    async with db.transaction() as session:
        profile = await load_profile(session, user.id, frozenset())
    assert profile is not None and profile.phone is None and profile.language == "en"


async def test_bad_inputs_during_registration_are_explained_and_change_nothing(
    harness: Harness, db: Database, clock: FakeClock
) -> None:
    token = await invite_token(db, clock.now(), VILLAGE_A1, Role.GRID_WORKER)
    user = harness.user("陈")
    await user.send(f"/start {token}")

    [sticker_reply] = await user.send_sticker()
    assert "请用文字发送您的名字" in sticker_reply.shown
    [too_long] = await user.send("名" * 33)
    assert "1 到 32 个字" in too_long.shown
    [command_like] = await user.send("/我")
    assert "不能以 / 开头" in command_like.shown or "没有这个命令" in command_like.shown

    await user.send("<b>陈</b> & 子")
    [someone_else] = await user.share_contact("+8613911111111", own=False)
    assert "您自己" in someone_else.shown
    [voice] = await user.send_voice()
    assert "分享我的手机号" in voice.shown

    async with db.transaction() as session:
        assert await load_profile(session, user.id, frozenset()) is None
    [done] = await user.send("跳过")
    assert "&lt;b&gt;陈&lt;/b&gt; &amp; 子" in (done.html or "")


async def test_cancel_leaves_registration_at_any_step(harness: Harness, db: Database, clock: FakeClock) -> None:
    token = await invite_token(db, clock.now(), VILLAGE_A1, Role.GRID_WORKER)
    user = harness.user("陈")
    await user.send(f"/start {token}")
    await user.send("陈建国")
    [cancelled] = await user.send("/cancel")
    assert "已取消" in cancelled.shown
    assert cancelled.reply_markup == {"remove_keyboard": True}
    [after] = await user.send("跳过")
    assert "没看懂" in after.shown
    async with db.transaction() as session:
        assert await load_profile(session, user.id, frozenset()) is None
    [nothing] = await user.send("/cancel")
    assert "没有进行中的操作" in nothing.shown


@pytest.mark.parametrize(
    ("payload", "expected"),
    [
        ("not*valid", "不完整或已损坏"),
        ("A" * 64, "找不到这个邀请"),
    ],
)
async def test_malformed_and_unknown_links_are_explained(harness: Harness, payload: str, expected: str) -> None:
    user = harness.user("陈")
    [reply] = await user.send(f"/start {payload}")
    assert expected in reply.shown


async def test_an_expired_link_is_explained(harness: Harness, db: Database, clock: FakeClock) -> None:
    token = await invite_token(db, clock.now(), VILLAGE_A1, Role.GRID_WORKER, days=1)
    clock.advance(days=2)
    [reply] = await harness.user("陈").send(f"/start {token}")
    assert "已过期" in reply.shown


async def test_a_link_used_up_while_registering_is_explained_and_nothing_is_saved(
    harness: Harness, db: Database, clock: FakeClock
) -> None:
    token = await invite_token(db, clock.now(), VILLAGE_A1, Role.GRID_WORKER, uses=1)
    first, second = harness.user("甲"), harness.user("乙")
    await first.send(f"/start {token}")
    await second.send(f"/start {token}")
    await first.send("甲")
    await second.send("乙")
    [first_done] = await first.send("跳过")
    [second_refused] = await second.send("跳过")
    assert "注册成功" in first_done.shown
    assert "名额已用完" in second_refused.shown
    async with db.transaction() as session:
        assert await load_profile(session, second.id, frozenset()) is None


async def test_a_registered_member_gains_a_second_role(harness: Harness, db: Database, clock: FakeClock) -> None:
    user = harness.user("林")
    await add_member(db, clock.now(), user.id, "林网格", Role.GRID_WORKER, VILLAGE_A1)
    token = await invite_token(db, clock.now(), TOWNSHIP_A, Role.VOLUNTEER)
    [gained] = await user.send(f"/start {token}")
    assert "新身份" in gained.shown and "志愿者" in gained.shown
    [again] = await user.send(f"/start {token}")
    assert "无需再次加入" in again.shown
    [me] = await user.send("/me")
    assert "网格员" in me.shown and "志愿者" in me.shown


async def test_start_alone_tells_a_stranger_how_to_get_an_invite(harness: Harness) -> None:
    [reply] = await harness.user("陌生人").send("/start")
    assert "邀请链接" in reply.shown


async def test_start_alone_welcomes_a_member_back(harness: Harness, db: Database, clock: FakeClock) -> None:
    user = harness.user("林")
    await add_member(db, clock.now(), user.id, "林网格", Role.GRID_WORKER, VILLAGE_A1)
    [reply] = await user.send("/start")
    assert "林网格，欢迎回来" in reply.shown


async def test_the_main_menu_offers_reporting_only_to_those_who_may_report(
    harness: Harness, db: Database, clock: FakeClock
) -> None:
    worker, head, county = harness.user("林"), harness.user("李"), harness.user("张")
    await add_member(db, clock.now(), worker.id, "林网格", Role.GRID_WORKER, VILLAGE_A1)
    await add_member(db, clock.now(), head.id, "李站长", Role.STATION_HEAD, TOWNSHIP_A)
    await add_member(db, clock.now(), county.id, "张县局", Role.COUNTY_OFFICER, COUNTY)
    [worker_menu] = await worker.send("/start")
    [head_menu] = await head.send("/start")
    [county_menu] = await county.send("/start")
    assert [b["text"] for b in worker_menu.reply_buttons] == ["📢 上报隐患", "📋 报告列表"]
    assert [b["text"] for b in head_menu.reply_buttons] == ["📢 上报隐患", "📋 报告列表"]
    assert [b["text"] for b in county_menu.reply_buttons] == ["📋 报告列表"]

"""Every duty button is a hint from an untrusted client: an outsider, a member of another township, or a replayed
or forged press gets a short answer, and nothing changes — not a row, not a message to anyone."""

import asyncio

import pytest

from gridguard.directory.members import load_profile
from gridguard.duty.duty_desk import DutyDesk, minute_of
from gridguard.duty.duty_texts import HandoverVerb
from gridguard.duty.enums import DutyLayer, ShiftPattern
from gridguard.duty.swap_lifecycle import SwapVerb
from gridguard.kernel.errors import DomainError
from gridguard.telegram.duty.callbacks import (
    DutyAction,
    RosterHandoff,
    RosterMenu,
    RosterMenuVerb,
    RosterPattern,
    RosterPick,
    RosterStart,
    RosterStep,
    RosterStepVerb,
    SwapShiftChoice,
    SwapToChoice,
)
from tests.fakes.telegram_server import SentMessage
from tests.fakes.users import FakeUser
from tests.reports.test_forged_buttons import NOT_ALLOWED, STALE, press_and_expect_nothing
from tests.scenarios.duty import DutyTown, local, offer_shift, with_duty_members
from tests.scenarios.township import Township

P = DutyLayer.PRIMARY
THURSDAY = local(5, 8, 30)
"""王值班's shift in the rotation 王 → 赵 → 孙 that starts on Monday."""


async def an_offer(town: Township) -> tuple[DutyTown, int]:
    """王值班 offers his Thursday shift to everyone; returns the swap's id (from the offer 赵值班 received)."""
    duty = await with_duty_members(town)
    await duty.rotation(P, town.duty, duty.zhao, duty.sun)
    await offer_shift(town, town.duty, "📣 所有值班同事")
    offer = duty.zhao.last_with_buttons()
    return duty, DutyAction.unpack(offer.buttons[0]["callback_data"]).subject


async def help_message(user: FakeUser) -> SentMessage:
    [reply] = await user.send("/help")
    return reply


async def test_an_outsider_or_another_townships_head_cannot_take_or_undo_a_swap(town: Township) -> None:
    _, swap = await an_offer(town)
    for user in (town.reporter, town.officer, town.other_head):
        for verb in (SwapVerb.TAKE, SwapVerb.UNDO, SwapVerb.WITHDRAW):
            data = DutyAction(action=verb, subject=swap).pack()
            assert NOT_ALLOWED in await press_and_expect_nothing(town, user, await help_message(user), data)


async def test_a_stranger_pressing_a_duty_button_changes_nothing(town: Township) -> None:
    _, swap = await an_offer(town)
    stranger = town.harness.user("陌生人")
    reply = await help_message(stranger)
    for data in (
        DutyAction(action=SwapVerb.TAKE, subject=swap).pack(),
        SwapToChoice(layer=P, start=minute_of(THURSDAY), member_id=1).pack(),
        RosterMenu(action=RosterMenuVerb.EDIT_PRIMARY).pack(),
    ):
        assert NOT_ALLOWED in await press_and_expect_nothing(town, stranger, reply, data)


async def test_a_replayed_take_or_undo_changes_nothing(town: Township) -> None:
    duty, swap = await an_offer(town)
    offer = duty.zhao.last_with_buttons()
    await duty.zhao.click("✋ 我来值", offer)
    await town.deliver()
    take = DutyAction(action=SwapVerb.TAKE, subject=swap).pack()
    assert "已被 赵值班 接走" in await press_and_expect_nothing(town, duty.zhao, offer, take)
    undo = town.head.last_with_buttons()
    await town.head.click("↩️ 撤销这次换班", undo)
    await town.deliver()
    again = DutyAction(action=SwapVerb.UNDO, subject=swap).pack()
    assert "已被站长撤销" in await press_and_expect_nothing(town, town.head, undo, again)
    assert "已被站长撤销" in await press_and_expect_nothing(town, duty.sun, offer, take)


async def test_a_swap_offered_to_a_named_colleague_is_not_anyone_elses(town: Township) -> None:
    duty = await with_duty_members(town)
    await duty.rotation(P, town.duty, duty.zhao, duty.sun)
    await offer_shift(town, town.duty, "孙值班")
    offer = duty.sun.last_with_buttons()
    assert duty.zhao.inbox == [], "only the named colleague is asked"
    take = offer.buttons[0]["callback_data"]
    assert "发给别的同事" in await press_and_expect_nothing(town, duty.zhao, await help_message(duty.zhao), take)


async def test_a_forged_swap_of_someone_elses_or_a_past_shift_is_refused(town: Township) -> None:
    duty = await with_duty_members(town)
    await duty.rotation(P, town.duty, duty.zhao, duty.sun)
    reply = await help_message(town.duty)
    zhaos = SwapShiftChoice(layer=P, start=minute_of(local(3, 8, 30))).pack()
    assert "已不是您的" in await press_and_expect_nothing(town, town.duty, reply, zhaos)
    zhaos_to_all = SwapToChoice(layer=P, start=minute_of(local(3, 8, 30)), member_id=0).pack()
    assert "已不是您的" in await press_and_expect_nothing(town, town.duty, reply, zhaos_to_all)
    past = SwapToChoice(layer=P, start=minute_of(local(2, 8, 30)), member_id=0).pack()
    assert "已经开始或已经过去" in await press_and_expect_nothing(town, town.duty, reply, past)
    other_township = SwapToChoice(layer=P, start=minute_of(THURSDAY), member_id=await town.member_id(town.other_head))
    assert "本站的值班同事" in await press_and_expect_nothing(town, town.duty, reply, other_township.pack())


async def test_a_forged_handover_button_is_refused(town: Township) -> None:
    duty = await with_duty_members(town)
    await duty.rotation(P, town.duty, duty.zhao)
    reply = await help_message(duty.zhao)
    handoff = minute_of(local(3, 8, 30))
    for data in (
        DutyAction(action=HandoverVerb.NOTE_PRIMARY, subject=handoff).pack(),
        DutyAction(action=HandoverVerb.NOTE_BACKUP, subject=handoff).pack(),
    ):
        assert "不是您的" in await press_and_expect_nothing(town, duty.zhao, reply, data)
    future = DutyAction(action=HandoverVerb.NOTE_PRIMARY, subject=handoff).pack()
    assert "还没到时间" in await press_and_expect_nothing(town, town.duty, await help_message(town.duty), future)


async def test_roster_buttons_outside_the_wizard_or_from_a_non_head_change_nothing(town: Township) -> None:
    duty = await with_duty_members(town)
    menu = RosterMenu(action=RosterMenuVerb.EDIT_PRIMARY).pack()
    assert NOT_ALLOWED in await press_and_expect_nothing(town, duty.zhao, await help_message(duty.zhao), menu)
    reply = await help_message(town.head)
    for data in (
        RosterPick(member_id=1).pack(),
        RosterStep(action=RosterStepVerb.SAVE).pack(),
        RosterPattern(pattern=ShiftPattern.DAILY).pack(),
        RosterHandoff(minutes=510).pack(),
        RosterStart(day=local(2, 0).date().toordinal()).pack(),
    ):
        assert STALE in await press_and_expect_nothing(town, town.head, reply, data)


async def test_in_the_wizard_a_member_of_another_station_or_a_past_start_is_refused(town: Township) -> None:
    await with_duty_members(town)
    await town.head.send("/roster")
    await town.head.click("✏️ 设置主班")
    screen = town.head.last_with_buttons()
    stranger = RosterPick(member_id=await town.member_id(town.other_head)).pack()
    assert "已不是本站" in await press_and_expect_nothing(town, town.head, screen, stranger)
    await town.head.click("王值班")
    await town.head.click("✅ 选好了")
    await town.head.click("24 小时一班")
    await town.head.click("08:30")
    yesterday = RosterStart(day=local(1, 0).date().toordinal()).pack()
    assert "已经过去" in await press_and_expect_nothing(town, town.head, town.head.last_with_buttons(), yesterday)


@pytest.mark.parametrize("attempt", range(3))
async def test_two_takes_at_once_one_wins_and_the_other_is_told_who(town: Township, attempt: int) -> None:
    duty, swap = await an_offer(town)
    desk: DutyDesk = town.harness.dp["duty_desk"]
    async with town.db.reading() as session:
        zhao = await load_profile(session, duty.zhao.id, frozenset())
        sun = await load_profile(session, duty.sun.id, frozenset())
    assert zhao is not None and sun is not None
    first, second = (zhao, sun) if attempt % 2 == 0 else (sun, zhao)
    outcomes = await asyncio.gather(desk.take_swap(first, swap), desk.take_swap(second, swap), return_exceptions=True)
    won = [o for o in outcomes if not isinstance(o, BaseException)]
    lost = [o for o in outcomes if isinstance(o, DomainError)]
    assert len(won) == 1 and len(lost) == 1
    assert lost[0].key == "swap.taken_by" and lost[0].params["name"] == won[0].taker.name
    [week] = await town.reporter.send("/duty week")
    assert week.shown.count("（顶班）") == 1

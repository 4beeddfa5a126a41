"""A group chat is public to everyone in it. It serves /linkgroup and presses on cards; every other command gets
one line pointing to the private chat, and reveals nothing (no phone number, no invite link, no keyboard that
Telegram refuses in groups)."""

import pytest

from tests.scenarios.township import Township, file_report

GROUP = -100_555
PRIVATE_POINTER = "请在与我的私聊中使用：https://t.me/gridguard_test_bot"


@pytest.mark.parametrize("command", ["/me", "/invite", "/report", "/reports", "/help", "/policy", "/start", "/lang"])
async def test_a_private_command_in_a_group_points_to_the_private_chat(town: Township, command: str) -> None:
    town.harness.server.add_group(GROUP, "凤城镇应急站值班群")
    await town.head.send("/me")
    replies = await town.head.send_in_group(GROUP, command)
    assert [r.shown for r in replies] == [f"{command} {PRIVATE_POINTER}"]
    assert replies[0].reply_markup is None
    assert town.harness.server.errors == []


async def test_me_and_invite_in_a_group_reveal_nothing(town: Township) -> None:
    town.harness.server.add_group(GROUP, "凤城镇应急站值班群")
    shown = [r.shown for r in await town.head.send_in_group(GROUP, "/invite 350524100201 grid_worker")]
    shown += [r.shown for r in await town.head.send_in_group(GROUP, "/me")]
    assert not any("t.me/gridguard_test_bot?start=" in s or "李站长" in s for s in shown)


async def test_report_in_a_group_never_reaches_the_location_step(town: Township) -> None:
    town.harness.server.add_group(GROUP, "凤城镇应急站值班群")
    await town.reporter.send_in_group(GROUP, "/report")
    await town.reporter.send_in_group(GROUP, "🔥 火灾隐患")
    assert town.harness.server.errors == []
    assert all("第 1 步" not in m.shown for m in town.harness.server.sent_to(GROUP))


async def test_cards_are_pressed_in_the_linked_group(town: Township) -> None:
    town.harness.server.add_group(GROUP, "凤城镇应急站值班群")
    await town.head.send_in_group(GROUP, "/linkgroup")
    await file_report(town.reporter, severity="🔴 紧急")
    await town.deliver()
    [card] = [m for m in town.harness.server.sent_to(GROUP) if m.buttons]
    await town.duty.click("✅ 确认", card)
    assert town.duty.last_alert is not None and "已确认" in town.duty.last_alert["text"]


async def test_a_group_serves_one_station_only(town: Township) -> None:
    town.harness.server.add_group(GROUP, "凤城镇应急站值班群")
    [linked] = await town.head.send_in_group(GROUP, "/linkgroup")
    assert "凤城镇应急站值班群" in linked.shown
    [refused] = await town.other_head.send_in_group(GROUP, "/linkgroup")
    assert "一个群只能属于一个应急站" in refused.shown and "凤城镇" in refused.shown
    [again] = await town.head.send_in_group(GROUP, "/linkgroup")
    assert "值班群" in again.shown, "relinking one's own group is fine"
    await file_report(town.reporter, severity="🔴 紧急")
    await town.deliver()
    assert len([m for m in town.harness.server.sent_to(GROUP) if m.buttons]) == 1


async def test_another_station_moves_to_a_group_of_its_own(town: Township) -> None:
    town.harness.server.add_group(GROUP, "凤城镇应急站值班群")
    town.harness.server.add_group(GROUP - 1, "蓬莱镇应急站值班群")
    await town.head.send_in_group(GROUP, "/linkgroup")
    [linked] = await town.other_head.send_in_group(GROUP - 1, "/linkgroup")
    assert "蓬莱镇" in linked.shown

"""Onboarding by invite, as a new user would try it."""

from models import Database, Role
from tests.fakes.clock import FakeClock
from tests.fakes.users import Harness
from tests.fakes.world import TOWNSHIP_A, import_townships, invite_token

VILLAGE = "350524100201"  # 美法村委会, 安溪县 凤城镇 (township A)


async def test_new_user_registers_from_an_invite_link(
    harness: Harness, db: Database, clock: FakeClock
) -> None:
    await import_townships(db, clock.now(), TOWNSHIP_A)
    token = await invite_token(db, clock.now(), VILLAGE, Role.GRID_WORKER)
    user = harness.user("陈", language_code="zh-hans")

    [offer] = await user.send(f"/start {token}")
    assert "网格员" in offer.shown and "凤城镇" in offer.shown

    [ask_phone] = await user.send("陈建国")
    assert "陈建国" in ask_phone.shown
    assert [b["text"] for b in ask_phone.reply_buttons] == ["📱 分享我的手机号", "跳过"]
    assert ask_phone.reply_buttons[0]["request_contact"] is True

    [done] = await user.share_contact("+8613800000000")
    assert "注册成功" in done.shown
    assert "陈建国" in done.shown and "网格员" in done.shown and "凤城镇" in done.shown

    [me] = await user.send("/me")
    assert "+8613800000000" in me.shown and "网格员" in me.shown

"""/invite and /addgrid from the chat: the guided flows, the argument forms, and refusals."""

import re

import pytest

from gridguard.db.database import Database
from gridguard.directory.directory import child_units, find_unit
from gridguard.directory.enums import Role, UnitLevel
from gridguard.telegram.directory.callbacks import InviteRoleChoice
from tests.conftest import ADMIN_TELEGRAM_ID
from tests.fakes.clock import FakeClock
from tests.fakes.users import Harness
from tests.fakes.world import TOWNSHIP_A, TOWNSHIP_B, VILLAGE_A1, VILLAGE_B1, add_member, import_townships

LINK = re.compile(r"https://t\.me/gridguard_test_bot\?start=([A-Za-z0-9_-]{1,64})")


@pytest.fixture(autouse=True)
async def townships(db: Database, clock: FakeClock) -> None:
    await import_townships(db, clock.now(), TOWNSHIP_A, TOWNSHIP_B)


async def test_a_station_head_invites_with_buttons_and_the_link_registers_someone(
    harness: Harness, db: Database, clock: FakeClock
) -> None:
    head = harness.user("李")
    await add_member(db, clock.now(), head.id, "李站长", Role.STATION_HEAD, TOWNSHIP_A)
    [roles] = await head.send("/invite")
    assert [b["text"] for b in roles.buttons] == [
        "网格员",
        "志愿者",
        "综合应急救援队员",
        "村（社区）安全员",
        "应急站值班员",
    ]
    [units] = await head.click("村（社区）安全员")
    assert units.edits == 1
    assert "美法村委会" not in [b["text"] for b in units.buttons]
    assert [b["text"] for b in units.buttons][-1] == "下一页 ▶"
    [page_two] = await head.click("下一页 ▶")
    assert "◀ 上一页" in [b["text"] for b in page_two.buttons]
    while "美法村委会" not in [b["text"] for b in head.last_with_buttons().buttons]:
        await head.click("下一页 ▶")
    [uses] = await head.click("美法村委会")
    [created] = await head.click("5 人", uses)
    assert "村（社区）安全员" in created.shown and "可用 5 次" in created.shown
    match = LINK.search(created.shown)
    assert match is not None

    newcomer = harness.user("陈")
    await newcomer.send(f"/start {match.group(1)}")
    await newcomer.send("陈安全")
    [done] = await newcomer.send("跳过")
    assert "村（社区）安全员" in done.shown and "美法村委会" in done.shown


async def test_invite_by_arguments_and_its_refusals(harness: Harness, db: Database, clock: FakeClock) -> None:
    head = harness.user("李")
    await add_member(db, clock.now(), head.id, "李站长", Role.STATION_HEAD, TOWNSHIP_A)
    [created] = await head.send(f"/invite {VILLAGE_A1} grid_worker 20 3")
    assert "可用 20 次，3 天内有效" in created.shown and LINK.search(created.shown)
    [other_township] = await head.send(f"/invite {VILLAGE_B1} grid_worker")
    assert "没有权限" in other_township.shown
    [higher_role] = await head.send(f"/invite {TOWNSHIP_A} station_head")
    assert "没有权限" in higher_role.shown
    [usage] = await head.send("/invite 12345")
    assert "用法" in usage.shown
    [unknown_unit] = await head.send("/invite 350524199999 volunteer")
    assert "找不到代码为 350524199999" in unknown_unit.shown
    [wrong_place] = await head.send(f"/invite {TOWNSHIP_A} village_officer")
    assert "不能设置这个身份" in wrong_place.shown
    [too_many] = await head.send(f"/invite {VILLAGE_A1} volunteer 5000")
    assert "1 到 1000" in too_many.shown


async def test_members_without_the_right_cannot_invite(harness: Harness, db: Database, clock: FakeClock) -> None:
    worker = harness.user("林")
    await add_member(db, clock.now(), worker.id, "林网格", Role.GRID_WORKER, VILLAGE_A1)
    [refused] = await worker.send("/invite")
    assert "没有权限" in refused.shown
    [stranger] = await harness.user("陌生人").send(f"/invite {VILLAGE_A1} volunteer")
    assert "没有权限" in stranger.shown


async def test_a_village_officer_invites_grid_workers_and_volunteers_to_their_own_village(
    harness: Harness, db: Database, clock: FakeClock
) -> None:
    officer = harness.user("陈")
    await add_member(db, clock.now(), officer.id, "陈安全", Role.VILLAGE_OFFICER, VILLAGE_A1)
    [roles] = await officer.send("/invite")
    assert [b["text"] for b in roles.buttons] == ["网格员", "志愿者"]
    assert await officer.press_data(roles, InviteRoleChoice(role="village_officer").pack()) == []
    assert officer.last_alert is not None and "没有权限" in officer.last_alert["text"]
    [units] = await officer.click("志愿者")
    assert [b["text"] for b in units.buttons] == ["美法村委会"]
    [uses] = await officer.click("美法村委会")
    [created] = await officer.click("5 人", uses)
    assert "志愿者" in created.shown and LINK.search(created.shown)
    [other_village] = await officer.send(f"/invite {VILLAGE_B1} grid_worker")
    assert "没有权限" in other_village.shown


async def test_a_forged_role_button_is_refused(harness: Harness, db: Database, clock: FakeClock) -> None:
    head = harness.user("李")
    await add_member(db, clock.now(), head.id, "李站长", Role.STATION_HEAD, TOWNSHIP_A)
    [roles] = await head.send("/invite")
    assert await head.press_data(roles, InviteRoleChoice(role="station_head").pack()) == []
    assert head.last_alert is not None and "没有权限" in head.last_alert["text"]


async def test_an_admin_types_any_unit_code(harness: Harness) -> None:
    admin = harness.user("Admin", user_id=ADMIN_TELEGRAM_ID)
    await admin.send("/invite")
    [ask_code] = await admin.click("应急站站长")
    assert "单位代码" in ask_code.shown
    [uses] = await admin.send(TOWNSHIP_B[:9])
    assert "蓬莱镇" in uses.shown
    [created] = await admin.click("1 人")
    assert "应急站站长" in created.shown and LINK.search(created.shown)


async def test_a_village_officer_adds_a_grid_in_one_step(harness: Harness, db: Database, clock: FakeClock) -> None:
    officer = harness.user("陈")
    await add_member(db, clock.now(), officer.id, "陈安全", Role.VILLAGE_OFFICER, VILLAGE_A1)
    [ask] = await officer.send("/addgrid")
    assert "美法村委会" in ask.shown
    [bad] = await officer.send("网" * 41)
    assert "1 到 40" in bad.shown
    [created] = await officer.send("第一网格")
    assert f"{VILLAGE_A1}-01" in created.shown
    [duplicate] = await officer.send("/addgrid 第一网格")
    assert "已经有名为“第一网格”" in duplicate.shown
    [other_village] = await officer.send(f"/addgrid {VILLAGE_B1} 越界网格")
    assert "没有权限" in other_village.shown
    async with db.transaction() as session:
        village = await find_unit(session, VILLAGE_A1)
        assert village.id is not None
        grids = await child_units(session, village.id, UnitLevel.GRID)
    assert [g.name for g in grids] == ["第一网格"]


async def test_a_station_head_picks_the_village_for_a_grid(harness: Harness, db: Database, clock: FakeClock) -> None:
    head = harness.user("李")
    await add_member(db, clock.now(), head.id, "李站长", Role.STATION_HEAD, TOWNSHIP_A)
    [villages] = await head.send("/addgrid")
    first_village = villages.buttons[0]["text"]
    [ask_name] = await head.click(first_village)
    assert first_village in ask_name.shown
    [created] = await head.send("东片网格")
    assert "东片网格" in created.shown


async def test_a_grid_worker_cannot_add_grids(harness: Harness, db: Database, clock: FakeClock) -> None:
    worker = harness.user("林")
    await add_member(db, clock.now(), worker.id, "林网格", Role.GRID_WORKER, VILLAGE_A1)
    [refused] = await worker.send("/addgrid 私设网格")
    assert "没有权限" in refused.shown

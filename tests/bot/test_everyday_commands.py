"""/help, /me, /lang, /cancel and the command menu."""

import json
import re

import pytest

from bot.app import build_bot
from gridguard.db.database import Database
from gridguard.directory.enums import Role
from gridguard.telegram.callbacks import LanguageChoice
from gridguard.telegram.menu import menu_commands, set_command_menus
from tests.conftest import ADMIN_TELEGRAM_ID
from tests.fakes.clock import FakeClock
from tests.fakes.local_http import close_bot
from tests.fakes.telegram_server import FakeTelegram
from tests.fakes.users import Harness
from tests.fakes.world import COUNTY, TOWNSHIP_A, VILLAGE_A1, add_member, import_townships


@pytest.fixture(autouse=True)
async def township(db: Database, clock: FakeClock) -> None:
    await import_townships(db, clock.now(), TOWNSHIP_A)


async def test_help_lists_what_each_role_can_do(harness: Harness, db: Database, clock: FakeClock) -> None:
    worker, head = harness.user("林"), harness.user("李")
    await add_member(db, clock.now(), worker.id, "林网格", Role.GRID_WORKER, VILLAGE_A1)
    await add_member(db, clock.now(), head.id, "李站长", Role.STATION_HEAD, TOWNSHIP_A)
    [worker_help] = await worker.send("/help")
    [head_help] = await head.send("/help")
    assert "网格员" in worker_help.shown and "/invite" not in worker_help.shown
    assert "/me" in worker_help.shown and "/lang" in worker_help.shown
    assert "站长" in head_help.shown and "/invite" in head_help.shown and "/addgrid" in head_help.shown
    assert "/outbox" in head_help.shown and "/outbox" not in worker_help.shown
    [stranger_help] = await harness.user("陌生人").send("/help")
    assert "邀请链接" in stranger_help.shown


async def test_help_is_shared_by_members_of_one_kind_and_follows_a_new_role(
    harness: Harness, db: Database, clock: FakeClock
) -> None:
    """/help is rendered once per kind of member (roles at their levels, language) and read from memory after."""
    first, second = harness.user("林"), harness.user("陈")
    await add_member(db, clock.now(), first.id, "林网格", Role.GRID_WORKER, VILLAGE_A1)
    await add_member(db, clock.now(), second.id, "陈网格", Role.GRID_WORKER, VILLAGE_A1)
    [first_help] = await first.send("/help")
    [second_help] = await second.send("/help")
    assert first_help.shown == second_help.shown and "/invite" not in first_help.shown
    await add_member(db, clock.now(), first.id, "林网格", Role.STATION_HEAD, TOWNSHIP_A)
    [head_help] = await first.send("/help")
    assert "/invite" in head_help.shown and "站长" in head_help.shown
    [still] = await second.send("/help")
    assert still.shown == second_help.shown


ROLE_UNITS = {
    Role.GRID_WORKER: VILLAGE_A1,
    Role.VOLUNTEER: VILLAGE_A1,
    Role.RESCUE_TEAM: TOWNSHIP_A,
    Role.VILLAGE_OFFICER: VILLAGE_A1,
    Role.STATION_DUTY: TOWNSHIP_A,
    Role.STATION_HEAD: TOWNSHIP_A,
    Role.COUNTY_OFFICER: COUNTY,
}
COMMAND = re.compile(r"^(/[a-z]+)", re.MULTILINE)


@pytest.mark.parametrize("role", list(ROLE_UNITS))
async def test_every_command_help_lists_works_for_the_role(
    harness: Harness, db: Database, clock: FakeClock, role: Role
) -> None:
    user = harness.user("成员")
    await add_member(db, clock.now(), user.id, "成员", role, ROLE_UNITS[role])
    [help_text] = await user.send("/help")
    listed = COMMAND.findall(help_text.shown)
    assert listed and "/me" in listed
    for command in listed:
        answers = await user.send(command)
        assert not any("没有权限" in m.shown for m in answers), (command, [m.shown for m in answers])
        await user.send("/cancel")
    calendar = "/duty ics" in help_text.shown or "/duty me" in help_text.shown
    assert calendar == (role in (Role.STATION_DUTY, Role.STATION_HEAD)), "only those on the roster have shifts"
    assert ("/reminders" in listed) == (role not in (Role.GRID_WORKER, Role.COUNTY_OFFICER))
    assert ("/compliance" in listed) == (role in (Role.STATION_DUTY, Role.STATION_HEAD, Role.COUNTY_OFFICER))


async def test_me_shows_name_units_roles_and_language(harness: Harness, db: Database, clock: FakeClock) -> None:
    user = harness.user("林")
    await add_member(db, clock.now(), user.id, "林网格", Role.GRID_WORKER, VILLAGE_A1)
    [me] = await user.send("/me")
    assert "林网格" in me.shown
    assert "网格员 — 安溪县 › 凤城镇 › 美法村委会" in me.shown
    assert "未填写" in me.shown and "中文" in me.shown
    [stranger] = await harness.user("陌生人").send("/me")
    assert "还没有注册" in stranger.shown


async def test_an_admin_by_setting_is_told_so(harness: Harness) -> None:
    admin = harness.user("Admin", user_id=ADMIN_TELEGRAM_ID)
    [me] = await admin.send("/me")
    assert "ADMIN_IDS" in me.shown


async def test_lang_switches_and_is_remembered(harness: Harness, db: Database, clock: FakeClock) -> None:
    user = harness.user("林", language_code="zh-hans")
    await add_member(db, clock.now(), user.id, "林网格", Role.GRID_WORKER, VILLAGE_A1)
    [choose] = await user.send("/lang")
    assert [b["text"] for b in choose.buttons] == ["中文", "English"]
    [edited] = await user.click("English")
    assert edited.shown == "Language set to English."
    assert edited.buttons == []
    [help_text] = await user.send("/help")
    assert "grid worker" in help_text.shown.lower()
    chat_scope = json.dumps({"chat_id": user.id, "type": "chat"}, sort_keys=True)
    assert harness.server.commands[(chat_scope, "")][0]["description"] == "Report a hazard"


async def test_lang_for_a_stranger_explains_it_cannot_be_saved(harness: Harness) -> None:
    user = harness.user("陌生人", language_code="en")
    await user.send("/lang")
    await user.click("中文")
    assert user.last_alert is not None and "注册后" in user.last_alert["text"]


async def test_a_forged_language_button_is_refused(harness: Harness, db: Database, clock: FakeClock) -> None:
    user = harness.user("林")
    await add_member(db, clock.now(), user.id, "林网格", Role.GRID_WORKER, VILLAGE_A1)
    [choose] = await user.send("/lang")
    assert await user.press_data(choose, LanguageChoice(code="fr").pack()) == []
    assert user.last_alert is not None and "失效" in user.last_alert["text"]


async def test_command_menus_are_set_in_chinese_and_english_and_groups_see_only_group_commands(
    server: FakeTelegram,
) -> None:
    bot = build_bot(server.token, server.base_url)
    await set_command_menus(bot, "zh")
    await close_bot(bot)
    private = json.dumps({"type": "all_private_chats"}, sort_keys=True)
    groups = json.dumps({"type": "all_group_chats"}, sort_keys=True)
    zh = {c["command"]: c["description"] for c in server.commands[(private, "zh")]}
    en = {c["command"]: c["description"] for c in server.commands[(private, "en")]}
    assert zh["help"] == "我能做什么"
    assert en["help"] == "What can I do"
    assert set(zh) == set(en) == set(menu_commands())
    assert {"report", "reports", "start", "help", "cancel"} <= set(zh)
    assert server.commands[(private, "")] == server.commands[(private, "zh")]
    assert [c["command"] for c in server.commands[(groups, "zh")]] == ["linkgroup", "duty"]
    assert [c["command"] for c in server.commands[(groups, "")]] == ["linkgroup", "duty"]

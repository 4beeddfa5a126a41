"""Meeting, inspection and drill reminders end to end, with the injected clock: the four default rules, reminders
exactly once (a restart, a second scheduler), late after downtime, the RSVP roll and the nudge, pausing and
deleting, forged or replayed answers, and the admins told once of a year the holiday data does not cover."""

import argparse
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from openpyxl import load_workbook
from sqlmodel import col, select

from bot.commands.export import export
from bot.settings import Settings
from gridguard.kernel.errors import DomainError
from gridguard.reminders.enums import RsvpAnswer
from gridguard.reminders.tables import Occurrence, ReminderRule
from gridguard.telegram.reminders.callbacks import RecordAction, RsvpAction, RuleAction, RuleField, RuleVerb, RuleWizard
from scheduler.sweeps import Sweeper
from tests.fakes.clock import FakeClock
from tests.fakes.telegram_server import SentMessage
from tests.fakes.users import FakeUser
from tests.reports.test_forged_buttons import NOT_ALLOWED, press_and_expect_nothing
from tests.scenarios.duty import SHANGHAI, local
from tests.scenarios.township import Township, code_of, file_report, second_process_sweeps_from_scratch

INSPECTION = "每月安全生产检查"


@pytest.fixture(autouse=True)
async def rules_given(town: Township) -> None:
    """The township got its default rules when it got its station members: at the clock's start (Monday 09:30)."""
    await town.sweeper.tick()
    await town.deliver()


async def at(town: Township, when: datetime) -> None:
    delta = (when - town.clock.now()).total_seconds()
    assert delta >= 0
    await town.after(seconds=delta)


async def add_weekly_rule(head: FakeUser, title: str, weekday: str, leads: str) -> None:
    """/reminders → ➕ 新增提醒, a weekly "提醒" at 15:30 that keeps holidays, no place, saved."""
    [listing] = await head.send("/reminders")
    await head.click("➕ 新增提醒", listing)
    await head.click("提醒")
    await head.send(title)
    await head.click("每周一次")
    await head.click(weekday)
    await head.send("15:30")
    await head.click("节假日照常")
    await head.click(leads)
    await head.click("⏭ 跳过")
    await head.click("💾 保存")


def reminders_of(user: FakeUser, title: str = INSPECTION) -> list[SentMessage]:
    return [m for m in user.inbox if title in m.shown and m.shown.startswith(("🗓️", "⏰"))]


def roll_of(user: FakeUser) -> SentMessage:
    [roll] = [m for m in user.inbox if "出席情况" in m.shown]
    return roll


async def test_a_station_has_the_four_default_rules_with_their_next_dates(town: Township) -> None:
    [answer] = await town.duty.send("/reminders")
    shown = answer.shown
    assert "周例会（启用）每周一 09:00，提前 1 天、提前 1 小时提醒\n   下次：11-09 周一 09:00" in shown
    assert (
        "每月安全生产检查（启用）每月第一个周三 09:00，提前 1 天、提前 1 小时提醒\n   下次：11-04 周三 09:00" in shown
    )
    assert "季度安全生产防范工作会议（启用）每季度（1、4、7、10 月）5 日 15:00" in shown
    assert "下次：01-05 周二 15:00" in shown
    assert "半年应急演练（启用）每半年（6、12 月）15 日 09:00，提前 1 天、提前 1 小时提醒" in shown
    assert "下次：12-15 周二 09:00" in shown
    assert answer.buttons == [], "only a station head gets the buttons"


async def test_each_reminder_goes_once_to_the_audience_and_the_head_gets_the_roll(town: Township) -> None:
    await at(town, local(3, 8, 59))
    assert reminders_of(town.duty) == []
    await at(town, local(3, 9, 1))
    await at(town, local(3, 9, 30))
    for user in (town.duty, town.head, town.officer):
        [reminder] = reminders_of(user)
        assert "11-04 周三 09:00" in reminder.shown and len(reminder.buttons) == 2
    assert reminders_of(town.reporter) == []
    assert len(reminders_of(town.other_head)) == 1, "蓬莱镇's head gets his own township's reminder"
    assert "❔ 未答复 3" in roll_of(town.head).shown


async def test_answers_update_the_roll_in_place_and_an_hour_before_only_the_silent_are_nudged(town: Township) -> None:
    await at(town, local(3, 9, 1))
    await town.officer.click("✅ 参加", reminders_of(town.officer)[0])
    answered = reminders_of(town.officer)[0]
    assert "您已报名参加" in answered.shown and "请点下方按钮" not in answered.shown
    assert [b["text"] for b in answered.buttons] == ["✅ 参加", "🙅 请假"], "the answer may still change"
    await town.duty.click("🙅 请假", reminders_of(town.duty)[0])
    await town.duty.send("在县里开会")
    assert "已登记请假" in town.duty.last.shown
    assert "您已请假" in reminders_of(town.duty)[0].shown
    await town.deliver()
    roll = roll_of(town.head)
    assert roll.edits >= 1
    assert "✅ 参加 1：陈安全" in roll.shown and "🙅 请假 1：王值班（在县里开会）" in roll.shown
    assert "❔ 未答复 1：李站长" in roll.shown
    await at(town, local(4, 8, 1))
    assert "您还没有答复" in reminders_of(town.head)[-1].shown
    assert "您已报名参加" in reminders_of(town.officer)[-1].shown
    assert len(reminders_of(town.duty)) == 1, "someone who can't come is not reminded again"


async def test_after_downtime_a_reminder_goes_late_until_the_event_begins(town: Township) -> None:
    await at(town, local(4, 8, 30))
    [late] = reminders_of(town.duty)
    assert "晚到了" in late.shown and "1 小时后开始" in late.shown
    await at(town, local(5, 10, 0))
    await at(town, local(2, 0).replace(month=12, day=2, hour=9, minute=30))
    assert len(reminders_of(town.duty)) == 1, "the December inspection had begun: no reminder for it"


async def test_a_second_scheduler_sweeping_from_scratch_sends_nothing_twice(town: Township, settings: Settings) -> None:
    await at(town, local(3, 9, 1))
    await second_process_sweeps_from_scratch(town, settings, "reminders")
    assert len(reminders_of(town.duty)) == 1 and len([m for m in town.head.inbox if "出席情况" in m.shown]) == 1


async def test_an_answer_after_the_event_or_from_outside_its_audience_changes_nothing(town: Township) -> None:
    await at(town, local(3, 9, 1))
    reminder = reminders_of(town.duty)[0]
    attend = reminder.buttons[0]["callback_data"]
    occurrence = RsvpAction.unpack(attend).occurrence_id
    for outsider in (town.reporter, town.other_head):
        [help_reply] = await outsider.send("/help")
        forged = RsvpAction(answer=RsvpAnswer.ATTENDING, occurrence_id=occurrence).pack()
        assert NOT_ALLOWED in await press_and_expect_nothing(town, outsider, help_reply, forged)
    await at(town, local(4, 9, 5))
    assert "已经开始或结束" in await press_and_expect_nothing(town, town.duty, reminder, attend)
    unknown = RsvpAction(answer=RsvpAnswer.CANT, occurrence_id=99_999).pack()
    assert "已不存在" in await press_and_expect_nothing(town, town.duty, reminder, unknown)


async def test_a_head_pauses_resumes_and_deletes_a_rule_and_no_one_else_can(town: Township) -> None:
    [listing] = await town.head.send("/reminders")
    pause = next(b["callback_data"] for b in listing.buttons if b["text"] == f"⏸ 暂停 {INSPECTION}")
    rule_id = RuleAction.unpack(pause).rule_id
    await town.head.click(f"⏸ 暂停 {INSPECTION}", listing)
    await at(town, local(3, 9, 1))
    assert reminders_of(town.duty) == []
    [duty_help] = await town.duty.send("/help")
    for verb in RuleVerb:
        data = RuleAction(action=verb, rule_id=rule_id).pack()
        assert NOT_ALLOWED in await press_and_expect_nothing(town, town.duty, duty_help, data)
    [listing] = await town.head.send("/reminders")
    assert f"{INSPECTION}（已暂停）" in listing.shown
    await town.head.click(f"▶️ 恢复 {INSPECTION}", listing)
    listing = town.head.last_with_buttons()
    delete = RuleAction(action=RuleVerb.DELETE, rule_id=rule_id).pack()
    await town.head.press_data(listing, delete)
    await town.head.click("🗑 确定删除")
    [listing] = await town.head.send("/reminders")
    assert INSPECTION not in listing.shown and "周例会" in listing.shown


async def test_the_admins_are_told_once_of_a_year_the_holiday_data_does_not_cover(
    town: Township, settings: Settings
) -> None:
    admin = town.harness.user("管理员")
    admin.chat.started = True
    sweeper = Sweeper(
        town.db, town.policy, town.clock, settings.zone, "zh", "admins", town.worker, admin_ids=frozenset({admin.id})
    )
    for _ in range(3):
        town.clock.advance(minutes=1)
        await sweeper.tick()
        await town.deliver()
    notices = [m.shown for m in admin.inbox if "2027" in m.shown]
    assert len(notices) == 1 and "python -m bot holidays" in notices[0]


async def test_under_a_2027_clock_the_four_rules_are_listed(town: Township, clock: FakeClock) -> None:
    clock.current = datetime(2027, 3, 1, 1, 0, tzinfo=SHANGHAI)
    [answer] = await town.head.send("/reminders")
    assert answer.shown.count("（启用）") == 4
    assert "周例会（启用）每周一 09:00" in answer.shown and "下次：03-01 周一 09:00" in answer.shown


async def test_a_head_adds_a_rule_with_buttons_and_a_typed_time(town: Township) -> None:
    head = town.head
    [listing] = await head.send("/reminders")
    await head.click("➕ 新增提醒", listing)
    await head.click("提醒")
    await head.send("防汛物资盘点")
    await head.click("每月第几个星期几")
    await head.click("最后一个")
    await head.click("周五")
    for typed in ("15:³⁰", "¹⁵:30", "١٥:٣٠"):
        [said] = await head.send(typed)
        assert "时间" in said.shown and "出了点问题" not in said.shown
    await head.send("15:30")
    await head.click("遇节假日跳过")
    await head.click("前一周和前一天")
    await head.send("镇政府三楼会议室")
    preview = head.last.shown
    assert "📍 镇政府三楼会议室" in preview
    assert "防汛物资盘点" in preview and "11-27 周五 15:30" in preview and "12-25 周五 15:30" in preview
    await head.click("💾 保存")
    assert "已保存：防汛物资盘点，每月最后一个周五 15:30。会提前 7 天、提前 1 天提醒" in head.last.shown
    [listing] = await town.duty.send("/reminders")
    assert "防汛物资盘点（启用）每月最后一个周五 15:30，提前 7 天、提前 1 天提醒" in listing.shown
    assert "下次：11-27 周五 15:30；遇节假日跳过" in listing.shown
    assert "周例会（启用）每周一 09:00，提前 1 天、提前 1 小时提醒" in listing.shown


async def test_editing_a_rule_moves_its_next_date_and_a_stale_edit_is_refused(town: Township) -> None:
    head = town.head
    [listing] = await head.send("/reminders")
    edit = next(b for b in listing.buttons if b["text"] == "✏️ 修改")
    [screen] = await head.press_data(listing, edit["callback_data"])
    assert "正在修改：周例会，现在是每周一 09:00" in screen.shown and "第 1 步，共 7 步" in screen.shown
    await head.click("✅ 每周一次")
    assert "✅ 周一" in [b["text"] for b in head.last_with_buttons().buttons], "the current day is ticked"
    await head.click("周二")
    assert "✅ 09:00" in [b["text"] for b in head.last_with_buttons().buttons]
    await head.click("14:30")
    await head.click("✅ 遇节假日顺延到下一个工作日")
    await head.click("✅ 前一天和前 1 小时")
    [again] = await head.send("/reminders")
    await head.press_data(again, edit["callback_data"])
    await head.click("✅ 每周一次")
    await head.click("周四")
    await head.click("✅ 09:00")
    await head.click("✅ 遇节假日顺延到下一个工作日")
    await head.click("前 1 小时")
    await head.click("⏭ 跳过")
    await head.click("💾 保存")
    first_screen = next(m for m in head.inbox if "在哪里" in m.shown)
    await head.click("⏭ 跳过", first_screen)
    assert head.last_alert is not None and "已失效" in head.last_alert["text"], "the first edit's screen is stale"
    [listing] = await town.duty.send("/reminders")
    assert "周例会（启用）每周四 09:00" in listing.shown and "下次：11-05 周四 09:00" in listing.shown


async def test_each_rule_step_is_numbered_and_going_back_keeps_what_was_chosen(town: Township) -> None:
    head = town.head
    [listing] = await head.send("/reminders")
    await head.click("➕ 新增提醒", listing)
    assert "第 1 步，共 8 步" in head.last.shown and "⬅️ 上一步" not in [b["text"] for b in head.last.buttons]
    await head.click("每月安全生产检查")
    await head.click("每月第几个星期几")
    assert "第 3 步，共 9 步" in head.last.shown
    await head.click("第二个")
    await head.click("⬅️ 上一步")
    assert "第 3 步，共 9 步" in head.last.shown and "✅ 第二个" in [b["text"] for b in head.last.buttons]
    await head.click("⬅️ 上一步")
    await head.click("⬅️ 上一步")
    assert "第 1 步" in head.last.shown and "✅ 每月安全生产检查" in [b["text"] for b in head.last.buttons]
    await head.click("✅ 每月安全生产检查")
    await head.click("✅ 每月第几个星期几")
    await head.click("✅ 第二个")
    await head.click("周五")
    await head.click("14:30")
    await head.click("遇节假日跳过")
    await head.click("前 1 小时")
    await head.click("⏭ 跳过")
    assert "第 9 步，共 9 步" in head.last.shown
    await head.click("💾 保存")
    assert "每月第二个周五 14:30" in head.last.shown


async def test_wizard_buttons_outside_the_wizard_or_from_a_non_head_change_nothing(town: Township) -> None:
    [listing] = await town.head.send("/reminders")
    edit = next(b["callback_data"] for b in listing.buttons if b["text"] == "✏️ 修改")
    [duty_help] = await town.duty.send("/help")
    assert NOT_ALLOWED in await press_and_expect_nothing(town, town.duty, duty_help, edit)
    add = RuleWizard(field=RuleField.ADD, value=0).pack()
    assert NOT_ALLOWED in await press_and_expect_nothing(town, town.duty, duty_help, add)
    assert NOT_ALLOWED in await press_and_expect_nothing(town, town.other_head, listing, edit)
    for field in (RuleField.KIND, RuleField.SAVE, RuleField.DAY, RuleField.HOLIDAYS):
        forged = RuleWizard(field=field, value=1).pack()
        assert "已失效" in await press_and_expect_nothing(town, town.head, listing, forged)


async def test_week_counts_what_happened_and_the_weekly_meeting_brings_it_to_the_station(town: Township) -> None:
    old = code_of((await file_report(town.reporter)).shown)
    await town.deliver()
    await town.after(days=8)
    await file_report(town.reporter, location=None)
    await file_report(town.reporter, category="🌊 防汛/内涝")
    await town.deliver()
    newest_card = town.cards(town.officer)[-2]
    await town.officer.click("✅ 确认", newest_card)
    [week] = await town.duty.send("/week")
    shown = week.shown
    assert "• 美法村委会：2 / 1 / 0 / 3" in shown
    assert f"最久未确认：{old}" in shown and f"超过时限仍未确认 1 份：{old}" in shown
    assert "每月安全生产检查：12-02 09:00" in shown and "半年应急演练：12-15 09:00" in shown
    await at(town, local(15, 9, 1))
    [meeting] = reminders_of(town.duty, "周例会")
    assert "美法村委会：2 / 1 / 0 / 3" in meeting.shown
    [officers] = reminders_of(town.officer, "周例会")
    assert "本周" not in officers.shown, "the week goes to the station's staff"
    [refused] = await town.reporter.send("/week")
    assert "没有权限" in refused.shown


async def test_after_an_inspection_the_head_records_it_with_attendance_from_the_answers(town: Township) -> None:
    await at(town, local(3, 9, 1))
    await town.officer.click("✅ 参加", reminders_of(town.officer)[0])
    await at(town, local(4, 12, 1))
    question = next(m for m in town.head.inbox if "结束了" in m.shown)
    assert "每月安全生产检查" in question.shown
    held = next(b["callback_data"] for b in question.buttons if b["text"] == "✅ 已举行")
    await town.head.press_data(question, held)
    assert "已按报名勾选（1 人）" in question.shown
    await town.head.click("▫️ 王值班", question)
    await town.head.click("➡️ 下一步", question)
    await town.head.send("检查了美法村仓库的消防通道，已整改两处")
    await town.head.send_photo()
    finish = town.head.last_with_buttons()
    await town.head.click("✅ 完成记录", finish)
    assert "已记录：每月安全生产检查，2 人参加" in finish.shown
    [compliance] = await town.head.send("/compliance")
    assert "本月安全检查：已查 1 / 应查 1" in compliance.shown and "• 美法村委会：1 / 1" in compliance.shown
    assert "已经记录过了" in await press_and_expect_nothing(town, town.head, question, held)

    [listing] = await town.head.send("/records")
    assert "共 1 条" in listing.shown
    [opened, photo] = await town.head.click(next(b["text"] for b in listing.buttons if "每月安全生产检查" in b["text"]))
    assert "已举行" in opened.shown and "参加 2 / 3 人：陈安全、王值班" in opened.shown
    assert "检查了美法村仓库的消防通道，已整改两处" in opened.shown and "记录人：李站长" in opened.shown
    assert photo.method == "sendPhoto"
    record = listing.buttons[0]["callback_data"]
    for outsider in (town.duty, town.officer, town.other_head):
        assert (await press_and_expect_nothing(town, outsider, listing, record)).startswith(NOT_ALLOWED)


async def test_a_drill_record_asks_its_scenario_and_problems_and_not_held_is_recorded_at_once(town: Township) -> None:
    await at(town, local(2, 12, 1).replace(month=12))
    await at(town, local(15, 12, 1).replace(month=12))
    [question] = [m for m in town.head.inbox if "半年应急演练" in m.shown and "结束了" in m.shown]
    await town.head.click("✅ 已举行", question)
    await town.head.click("➡️ 下一步", question)
    await town.head.click("⏭ 跳过")
    assert "演练的情景" in town.head.last.shown
    await town.head.send("美法村山洪转移群众")
    assert "发现了哪些问题" in town.head.last.shown
    await town.head.send("广播覆盖不到后山")
    await town.head.click("✅ 完成记录")
    inspection = [m for m in town.head.inbox if "每月安全生产检查" in m.shown and "结束了" in m.shown][-1]
    await town.head.click("❌ 未举行", inspection)
    assert "已记录：未举行" in inspection.shown
    [listing] = await town.head.send("/records")
    assert [b["text"] for b in listing.buttons][:2] == [
        "12-15 周二 09:00 半年应急演练 ✅",
        "12-02 周三 09:00 每月安全生产检查 ❌ 未举行",
    ]
    [drill] = await town.head.click("12-15 周二 09:00 半年应急演练 ✅", listing)
    assert "演练情景：美法村山洪转移群众" in drill.shown and "发现的问题：广播覆盖不到后山" in drill.shown


async def test_a_record_press_from_a_non_head_or_before_the_event_changes_nothing(town: Township) -> None:
    await at(town, local(3, 9, 1))
    occurrence = RsvpAction.unpack(reminders_of(town.duty)[0].buttons[0]["callback_data"]).occurrence_id
    held = RecordAction(held=True, occurrence_id=occurrence).pack()
    [duty_help] = await town.duty.send("/help")
    assert NOT_ALLOWED in await press_and_expect_nothing(town, town.duty, duty_help, held)
    [head_help] = await town.head.send("/help")
    assert "还没到时间" in await press_and_expect_nothing(town, town.head, head_help, held)
    assert NOT_ALLOWED in await press_and_expect_nothing(town, town.other_head, duty_help, held)


async def test_compliance_counts_what_was_held_against_what_was_due(town: Township) -> None:
    await town.head.send("/reminders")
    await at(town, local(4, 12, 1))
    question = next(m for m in town.head.inbox if "结束了" in m.shown and INSPECTION in m.shown)
    await town.head.click("✅ 已举行", question)
    await town.head.click("➡️ 下一步", question)
    await town.head.click("⏭ 跳过")
    await town.head.click("✅ 完成记录")
    await at(town, local(10, 12, 0))
    [answer] = await town.head.send("/compliance")
    shown = answer.shown
    assert "凤城镇 工作制度落实情况（2026Q4）" in shown
    assert "周例会：已开 0 / 应开 1" in shown and "本月安全检查：已查 1 / 应查 1" in shown
    assert "季度安全会议：已开 0 / 应开 0" in shown and "上次应急演练：无记录" in shown
    assert "逾期未记录 1 项：周例会 11-09 09:00" in shown
    assert "• 美法村委会：0 / 1" in shown and "个村（社区）还没有安全员" in shown
    [table] = await town.county.send("/compliance")
    assert (
        "• 凤城镇：0/1 · 0/0 · 1/1 · 无记录 · 1" in table.shown
        and "• 蓬莱镇：0/1 · 0/0 · 0/1 · 无记录 · 2" in table.shown
    )
    [refused] = await town.reporter.send("/compliance")
    assert "没有权限" in refused.shown


async def test_the_compliance_export_writes_a_spreadsheet(town: Township, settings: Settings, tmp_path: Path) -> None:
    await town.head.send("/reminders")
    out = tmp_path / "q3.xlsx"
    args = argparse.Namespace(what="compliance", county="350524", quarter="2026Q3", out=out)
    assert await export(settings, args, 0.0) == 0
    sheet = load_workbook(out).active
    assert sheet is not None
    rows = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert rows[0][0] == "乡镇" and [r[0] for r in rows[1:3]] == ["凤城镇", "蓬莱镇"]
    csv_out = tmp_path / "q3.csv"
    assert await export(settings, argparse.Namespace(**{**vars(args), "out": csv_out}), 0.0) == 0
    assert csv_out.read_text(encoding="utf-8-sig").splitlines()[0].startswith("乡镇,周例会")
    with pytest.raises(DomainError):
        await export(settings, argparse.Namespace(**{**vars(args), "quarter": "2026Q5"}), 0.0)


async def test_a_rule_with_no_future_date_cannot_be_resumed(town: Township) -> None:
    [listing] = await town.head.send("/reminders")
    pause = next(b["callback_data"] for b in listing.buttons if b["text"] == f"⏸ 暂停 {INSPECTION}")
    await town.head.press_data(listing, pause)
    async with town.db.transaction() as session:
        rule = await session.get(ReminderRule, RuleAction.unpack(pause).rule_id)
        assert rule is not None
        rule.rrule += ";UNTIL=20260101T000000"
        session.add(rule)
    [listing] = await town.head.send("/reminders")
    resume = next(b["callback_data"] for b in listing.buttons if b["text"] == f"▶️ 恢复 {INSPECTION}")
    assert "以后不会再有日期" in await press_and_expect_nothing(town, town.head, listing, resume)


async def test_an_answer_to_a_reminder_of_a_rule_paused_since_changes_nothing(town: Township) -> None:
    await at(town, local(3, 9, 1))
    reminder = reminders_of(town.officer)[0]
    attend = reminder.buttons[0]["callback_data"]
    [listing] = await town.head.send("/reminders")
    await town.head.click(f"⏸ 暂停 {INSPECTION}", listing)
    assert "已暂停" in await press_and_expect_nothing(town, town.officer, reminder, attend)


async def test_a_rule_saved_after_its_reminder_times_passed_reminds_at_once_marked_late(town: Township) -> None:
    await add_weekly_rule(town.head, "防汛值守碰头会", "周一", "前两天和前一天")
    await town.after(seconds=30)
    [late] = reminders_of(town.duty, "防汛值守碰头会")
    assert "晚到了" in late.shown and "11-02 周一 15:30" in late.shown
    await at(town, local(2, 15, 0))
    assert len(reminders_of(town.duty, "防汛值守碰头会")) == 1, "sent once"


async def test_a_township_keeps_at_most_twenty_rules_so_reminders_fits_one_screen(town: Township) -> None:
    head = town.head
    for n in range(17):
        await add_weekly_rule(head, f"提醒{n}", "周三", "前 1 小时")
    [listing] = await head.send("/reminders")
    assert len(listing.buttons) <= 100
    await add_weekly_rule(head, "第二十一条", "周三", "前 1 小时")
    assert head.last_alert is not None and "最多 20 条" in head.last_alert["text"]
    [listing] = await head.send("/reminders")
    assert "第二十一条" not in listing.shown


async def test_an_attendee_changes_their_answer_to_cant_and_the_roll_follows(town: Township) -> None:
    await at(town, local(3, 9, 1))
    await town.officer.click("✅ 参加", reminders_of(town.officer)[0])
    await town.officer.click("🙅 请假", reminders_of(town.officer)[0])
    await town.officer.send("村里有急事")
    await town.deliver()
    assert "您已请假" in reminders_of(town.officer)[0].shown
    roll = roll_of(town.head)
    assert "✅ 参加 0" in roll.shown and "陈安全（村里有急事）" in roll.shown
    await town.officer.click("✅ 参加", reminders_of(town.officer)[0])
    await town.deliver()
    assert "✅ 参加 1：陈安全" in roll_of(town.head).shown


async def test_records_are_listed_a_page_at_a_time_however_many_there_are(town: Township) -> None:
    async with town.db.transaction() as session:
        query = select(ReminderRule).where(ReminderRule.title == "周例会").order_by(col(ReminderRule.id))
        rule = (await session.exec(query)).first()
        assert rule is not None
        for week in range(45):
            when = local(2, 9, 0) - timedelta(weeks=week + 1)
            session.add(Occurrence(rule_id=rule.id or 0, planned_for=when, happens_at=when, held=week % 2 == 0))
    [listing] = await town.head.send("/records")
    assert "共 45 条" in listing.shown and len(listing.buttons) == 41
    assert listing.buttons[0]["text"].startswith("10-26 周一 09:00 周例会")
    [second] = await town.head.click("下一页 ▶", listing)
    assert len(second.buttons) == 6 and second.buttons[-1]["text"] == "◀ 上一页"

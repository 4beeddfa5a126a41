"""The duty roster end to end: /roster set up with buttons, /duty, swaps, reminders, handover notes, gap warnings,
the calendar and CSV files, and step 1 of escalation going to whoever is on duty — all through the fake Bot API
with the injected clock."""

import csv
import io
from datetime import datetime
from zoneinfo import ZoneInfo

from icalendar import Calendar

from bot.settings import Settings
from gridguard.directory.enums import Role
from gridguard.directory.members import find_member
from gridguard.duty.enums import DutyLayer
from tests.fakes.records import database_state
from tests.fakes.telegram_server import SentMessage
from tests.fakes.users import FakeUser
from tests.fakes.world import TOWNSHIP_A, add_member, remove_role
from tests.reports.test_forged_buttons import NOT_ALLOWED, press_and_expect_nothing
from tests.scenarios.duty import SHANGHAI, local, offer_shift, with_duty_members
from tests.scenarios.township import Township, file_report, second_process_sweeps_from_scratch

P, B = DutyLayer.PRIMARY, DutyLayer.BACKUP


def texts(user: FakeUser, since: int = 0) -> list[str]:
    return [m.shown for m in user.inbox[since:]]


def document_of(town: Township, message: SentMessage) -> bytes:
    return town.harness.server.files[message.media["document"]["file_id"]]


async def test_the_head_sets_up_the_primary_with_buttons_and_everyone_sees_who_is_on_duty(town: Township) -> None:
    duty = await with_duty_members(town)
    head = town.head
    await head.send("/roster")
    assert "主班：未设置" in head.last.shown
    await head.click("✏️ 设置主班")
    await head.click("王值班")
    await head.click("赵值班")
    assert "王值班 → 赵值班" in head.last.shown
    await head.click("✅ 选好了")
    await head.click("24 小时一班")
    await head.click("08:30")
    await head.click("今天 11-02")
    preview = head.last.shown
    assert "11-02 周一 08:30–11-03 08:30 王值班" in preview
    assert "11-03 周二 08:30–11-04 08:30 赵值班" in preview
    await head.click("💾 保存")
    assert "主班已保存" in head.last.shown

    [board] = await town.reporter.send("/duty")
    assert "现在主班：王值班" in board.shown
    assert "11-03 周二 08:30–11-04 08:30 赵值班" in board.shown
    [mine] = await duty.zhao.send("/duty me")
    assert "11-03 周二 08:30–11-04 08:30" in mine.shown
    [named] = await town.officer.send("/duty 赵值班")
    assert named.shown == mine.shown


async def test_editing_a_rotation_someone_else_just_saved_is_refused(town: Township) -> None:
    duty = await with_duty_members(town)
    await town.head.send("/roster")
    await town.head.click("✏️ 设置主班")
    await town.head.click("赵值班")
    await duty.rotation(P, town.duty)
    await town.head.click("✅ 选好了")
    await town.head.click("12 小时一班（白班、夜班）")
    await town.head.click("09:00")
    await town.head.click("明天 11-03")
    await town.head.click("💾 保存")
    assert "刚被别人修改过" in town.head.last_alert["text"]  # type: ignore[index]
    [board] = await town.reporter.send("/duty")
    assert "现在主班：王值班" in board.shown


async def test_duty_in_the_station_group_is_answered_in_the_group(town: Township) -> None:
    duty = await with_duty_members(town)
    await duty.rotation(P, town.duty, duty.zhao)
    await duty.rotation(B, town.head)
    group = -100777
    town.harness.server.add_group(group, "凤城镇应急站值班群")
    await town.head.send_in_group(group, "/linkgroup")
    [answer] = await duty.sun.send_in_group(group, "/duty")
    assert answer.chat_id == group
    assert "现在主班：王值班" in answer.shown and "现在备班：李站长" in answer.shown


async def test_a_swap_goes_to_the_first_taker_and_the_head_can_undo_it(town: Township) -> None:
    duty = await with_duty_members(town)
    await duty.rotation(P, town.duty, duty.zhao, duty.sun)
    await offer_shift(town, town.duty, "📣 所有值班同事")
    assert "已发出换班请求" in town.duty.last.shown
    zhao_offer, sun_offer = duty.zhao.last_with_buttons(), duty.sun.last_with_buttons()
    assert "王值班 想换掉 11-05 周四 08:30–11-06 08:30 的主班" in zhao_offer.shown

    await duty.sun.click("✋ 我来值", sun_offer)
    await duty.zhao.click("✋ 我来值", zhao_offer)
    assert duty.zhao.last_alert is not None and "已被 孙值班 接走" in duty.zhao.last_alert["text"]
    await town.deliver()
    assert "孙值班 接了您" not in texts(town.duty)[-1]
    assert "孙值班 接了 王值班 的 11-05 周四 08:30–11-06 08:30 主班" in town.duty.last.shown
    [week] = await town.reporter.send("/duty week")
    assert "11-05 周四 08:30–11-06 08:30 孙值班（顶班）" in week.shown

    undo = town.head.last_with_buttons()
    await town.head.click("↩️ 撤销这次换班", undo)
    await town.deliver()
    assert "仍由 王值班 值" in duty.sun.last.shown and "仍由 王值班 值" in town.duty.last.shown
    [week] = await town.reporter.send("/duty week")
    assert "11-05 周四 08:30–11-06 08:30 王值班" in week.shown


async def test_reminders_follow_whoever_holds_the_shift_and_go_once(town: Township) -> None:
    duty = await with_duty_members(town)
    await duty.rotation(P, town.duty, duty.zhao)
    await town.deliver()
    await duty.at(local(2, 19, 59))
    before = len(duty.zhao.inbox)
    await duty.at(local(2, 20, 1))
    assert texts(duty.zhao, before) == ["🌙 明天值班提醒：11-03 周二 08:30–11-04 08:30 主班。"]
    await duty.at(local(2, 20, 5))
    await duty.at(local(3, 7, 31))
    assert texts(duty.zhao, before)[1:] == ["⏰ 1 小时后开始值班：11-03 周二 08:30–11-04 08:30 主班。"]
    assert not any("值班提醒" in t for t in texts(town.duty)), "王值班's shift began before the roster existed"


async def test_a_reminder_missed_while_the_bot_was_down_is_sent_late_until_the_shift_begins(town: Township) -> None:
    duty = await with_duty_members(town)
    await duty.rotation(P, town.duty, duty.zhao)
    await duty.at(local(2, 19, 0))
    before = len(duty.zhao.inbox)
    await duty.at(local(3, 7, 45))
    late = texts(duty.zhao, before)
    assert len(late) == 2 and all("晚到了" in t for t in late)


async def test_at_handoff_the_outgoing_member_writes_a_note_for_the_incoming_one(town: Township) -> None:
    duty = await with_duty_members(town)
    await duty.rotation(P, town.duty, duty.zhao)
    await file_report(town.reporter)
    await duty.at(local(3, 8, 31))
    prompt = town.duty.last_with_buttons()
    assert "交班时间到（08:30），接班的是 赵值班" in prompt.shown and "未处理的报告 1 份" in prompt.shown
    await town.duty.click("✍️ 写交班记录", prompt)
    await town.duty.send("美法村仓库冒烟已派人查看，下午回访")
    assert "交班记录已转给 赵值班" in town.duty.last.shown
    await town.deliver()
    assert "王值班 的交班记录" in duty.zhao.last.shown and "下午回访" in duty.zhao.last.shown
    await town.duty.click("✍️ 写交班记录", prompt)
    assert town.duty.last_alert is not None and "已经发过了" in town.duty.last_alert["text"]


async def test_a_gap_in_the_coming_week_warns_the_head_once_a_day(town: Township) -> None:
    duty = await with_duty_members(town)
    await duty.rotation(P, town.duty, start=local(6, 0).date())
    await duty.at(local(3, 9, 1))
    await duty.at(local(3, 12, 0))
    warnings = [t for t in texts(town.head) if "值班需要调整" in t]
    assert len(warnings) == 1 and "11-05 周四 08:30–11-06 08:30" in warnings[0]
    await duty.at(local(4, 9, 1))
    assert len([t for t in texts(town.head) if "值班需要调整" in t]) == 2


async def test_a_member_who_left_the_station_is_skipped_and_flagged(town: Township) -> None:
    duty = await with_duty_members(town)
    await duty.rotation(P, town.duty, duty.zhao, duty.sun)
    await remove_role(town.db, duty.zhao.id, Role.STATION_DUTY)
    [board] = await town.reporter.send("/duty")
    assert "赵值班" in board.shown.split("已不在本站")[1]
    assert "11-03 周二 08:30–11-04 08:30 孙值班" in board.shown
    await town.head.send("/roster")
    assert "已不在本站、值班时被跳过：赵值班" in town.head.last.shown


async def test_duty_ics_is_a_calendar_with_stable_uids_and_the_zone_named(town: Township) -> None:
    duty = await with_duty_members(town)
    await duty.rotation(P, town.duty, duty.zhao)
    [first] = await duty.zhao.send("/duty ics")
    [second] = await duty.zhao.send("/duty ics")
    calendars = [Calendar.from_ical(document_of(town, m)) for m in (first, second)]
    events = [list(c.events) for c in calendars]
    assert len(events[0]) == 30
    assert [e.uid for e in events[0]] == [e.uid for e in events[1]]
    start = events[0][0].start
    assert isinstance(start, datetime) and isinstance(start.tzinfo, ZoneInfo)
    assert start.tzinfo.key == "Asia/Shanghai" and (start.hour, start.minute, start.day) == (8, 30, 3)
    assert calendars[0].walk("VTIMEZONE")[0]["TZID"] == "Asia/Shanghai"


async def import_csv(town: Township, data: bytes) -> None:
    """The head opens /roster, taps "import CSV" and sends `data` as roster.csv."""
    await town.head.send("/roster")
    await town.head.click("📥 导入 CSV")
    await town.head.send_document("roster.csv", data)


async def test_csv_export_imported_back_changes_nothing_and_a_bad_file_is_refused_by_line(town: Township) -> None:
    duty = await with_duty_members(town)
    await duty.rotation(P, town.duty, duty.zhao)
    await town.head.send("/roster")
    await town.head.click("📤 导出 CSV")
    exported = document_of(town, town.head.last)
    assert exported.decode("utf-8-sig").splitlines()[0] == "类型,班次,成员,开始,结束"
    await import_csv(town, exported)
    assert "完全一样，没有改动" in town.head.last.shown

    bad = "\n".join(
        [
            "类型,班次,成员,开始,结束",
            "顶班,主班,孙值班,2026-11-05 08:30,2026-11-06 08:30",
            "顶班,主班,赵值班,2026-11-05 20:00,2026-11-06 20:00",
            "顶班,主班,不存在的人,2026-11-07 08:30,2026-11-08 08:30",
            "顶班,备班,孙值班,2026-11-09 08:30,2026-11-09 08:30",
        ]
    ).encode()
    await import_csv(town, bad)
    refusal = town.head.last.shown
    assert "没有导入任何内容" in refusal
    assert "第 4 行：本站没有值班人员“不存在的人”" in refusal
    assert "第 5 行：结束时间必须晚于开始时间" in refusal
    assert "第 3 行：与第 2 行的时间重叠" in refusal
    [week] = await town.reporter.send("/duty week")
    assert "顶班" not in week.shown

    good = "类型,班次,成员,开始,结束\n顶班,主班,孙值班,2026-11-05 08:30,2026-11-06 08:30\n".encode("gbk")
    await town.head.send_document("roster.csv", good)
    assert "新增 1 段" in town.head.last.shown
    [week] = await town.reporter.send("/duty week")
    assert "11-05 周四 08:30–11-06 08:30 孙值班（顶班）" in week.shown


async def test_step_one_goes_to_the_primary_on_duty_then_the_backup_then_onward(town: Township) -> None:
    duty = await with_duty_members(town)
    await duty.rotation(P, town.duty, duty.zhao)
    await duty.rotation(B, duty.sun)
    await file_report(town.reporter)
    await town.deliver()
    await town.after(minutes=5)
    assert len(town.cards(town.duty)) == 1
    assert town.cards(duty.zhao) == [] and town.cards(duty.sun) == []
    await town.after(minutes=10)
    assert len(town.cards(duty.sun)) == 1, "step 1's own timeout (10 min) passed: the backup"
    assert town.cards(town.head) == [], "the head's step moved back by that timeout"
    await town.after(minutes=10)
    assert len(town.cards(town.head)) == 1


async def test_a_critical_report_reaches_the_primary_and_the_backup_on_duty_at_once(town: Township) -> None:
    duty = await with_duty_members(town)
    await duty.rotation(P, duty.zhao, town.duty)
    await duty.rotation(B, duty.sun)
    await file_report(town.reporter, severity="🔴 紧急")
    await town.deliver()
    assert len(town.cards(duty.zhao)) == 1 and len(town.cards(duty.sun)) == 1 and len(town.cards(town.head)) == 1
    assert town.cards(town.duty) == [], "not on duty now"


async def test_a_card_is_not_lost_to_a_shift_change(town: Township) -> None:
    duty = await with_duty_members(town)
    await duty.rotation(P, town.duty, duty.zhao)
    await duty.at(local(3, 8, 10))
    await file_report(town.reporter, severity="🟡 较大")
    await town.deliver()
    await duty.at(local(3, 8, 25))
    # Step 1 comes at the elevated severity's 15 minutes: 王值班 is primary; 赵值班 takes over at 08:30.
    assert len(town.cards(town.duty)) == 1 and town.cards(duty.zhao) == []
    await duty.at(local(3, 8, 35))
    assert any("第 1 次提醒" in t for t in texts(town.duty)), "the reminder goes to whoever holds the card"
    assert town.cards(duty.zhao) == [] and not any("次提醒" in t for t in texts(duty.zhao))


async def test_without_a_roster_step_one_reaches_every_on_duty_member(town: Township) -> None:
    duty = await with_duty_members(town)
    await file_report(town.reporter)
    await town.deliver()
    await town.after(minutes=5)
    assert all(len(town.cards(u)) == 1 for u in (town.duty, duty.zhao, duty.sun))


async def test_duty_shows_local_times_in_the_configured_zone(town: Township) -> None:
    duty = await with_duty_members(town)
    await duty.rotation(P, town.duty, duty.zhao)
    [board] = await town.reporter.send("/duty")
    assert SHANGHAI.key and "08:30" in board.shown and "00:30" not in board.shown


async def test_reminders_follow_whoever_took_the_shift(town: Township) -> None:
    duty = await with_duty_members(town)
    await duty.rotation(P, town.duty, duty.zhao, duty.sun)
    await offer_shift(town, town.duty, "赵值班")
    await duty.zhao.click("✋ 我来值")
    await duty.at(local(4, 20, 1))
    assert "🌙 明天值班提醒：11-05 周四 08:30–11-06 08:30 主班。" in texts(duty.zhao)
    assert not any("明天值班提醒：11-05" in t for t in texts(town.duty))


async def test_each_reminder_goes_once_even_if_a_second_process_sweeps_from_scratch(
    town: Township, settings: Settings
) -> None:
    duty = await with_duty_members(town)
    await duty.rotation(P, town.duty, duty.zhao)
    await duty.at(local(2, 20, 1))
    await second_process_sweeps_from_scratch(town, settings, "duty")
    assert [t for t in texts(duty.zhao) if "明天值班提醒" in t] == [
        "🌙 明天值班提醒：11-03 周二 08:30–11-04 08:30 主班。"
    ]


async def test_duty_shows_the_phone_numbers_members_chose_to_share_in_their_language(town: Township) -> None:
    duty = await with_duty_members(town)
    await duty.rotation(P, town.duty, duty.zhao)
    await duty.rotation(B, duty.sun)
    async with town.db.transaction() as session:
        member = await find_member(session, town.duty.id)
        assert member is not None
        member.phone = "13800138000"
        session.add(member)
    await town.reporter.send("/lang")
    await town.reporter.click("English")
    [board] = await town.reporter.send("/duty")
    assert "Now on primary: 王值班 (📞 13800138000)" in board.shown
    assert "Now on backup: 孙值班" in board.shown
    assert "11-03 Tue 08:30–11-04 08:30 赵值班" in board.shown


async def test_an_import_that_overlaps_a_cover_already_on_the_roster_is_refused(town: Township) -> None:
    duty = await with_duty_members(town)
    await duty.rotation(P, town.duty, duty.zhao, duty.sun)
    await offer_shift(town, town.duty, "赵值班")
    await duty.zhao.click("✋ 我来值")
    await town.head.send("/roster")
    await town.head.click("📥 导入 CSV")
    clash = "顶班,主班,孙值班,2026-11-05 20:00,2026-11-06 20:00\n".encode()
    await town.head.send_document("plan.csv", clash)
    assert "第 1 行：这段时间已有人顶班" in town.head.last.shown
    await town.head.send_document("plan.txt", clash)
    assert "请发送 .csv 文件" in town.head.last.shown


async def test_a_shift_swapped_twice_and_undone_goes_back_to_the_one_who_offered_it_last(town: Township) -> None:
    duty = await with_duty_members(town)
    await duty.rotation(P, town.duty, duty.zhao, duty.sun)
    await offer_shift(town, town.duty, "赵值班")
    await duty.zhao.click("✋ 我来值")
    await offer_shift(town, duty.zhao, "孙值班")
    await duty.sun.click("✋ 我来值")
    await town.deliver()
    await town.head.click("↩️ 撤销这次换班", town.head.last_with_buttons())
    [week] = await town.reporter.send("/duty week")
    assert "11-05 周四 08:30–11-06 08:30 赵值班（顶班）" in week.shown


async def test_an_offer_the_roster_overtook_cannot_be_taken(town: Township) -> None:
    duty = await with_duty_members(town)
    await duty.rotation(P, town.duty, duty.zhao, duty.sun)
    await offer_shift(town, town.duty, "赵值班")
    await duty.rotation(P, duty.sun, duty.zhao, town.duty)
    await duty.zhao.click("✋ 我来值")
    assert duty.zhao.last_alert is not None and "已不在发起人名下" in duty.zhao.last_alert["text"]
    [week] = await town.reporter.send("/duty week")
    assert "顶班" not in week.shown


async def test_a_county_officer_sees_who_is_on_duty_in_each_township(town: Township) -> None:
    duty = await with_duty_members(town)
    await duty.rotation(P, town.duty, duty.zhao)
    [answer] = await town.county.send("/duty")
    assert "凤城镇：主班 王值班" in answer.shown
    assert "蓬莱镇：（未设值班表）" in answer.shown


async def test_an_import_with_a_period_of_millennia_or_of_year_one_is_refused_by_line_at_once(town: Township) -> None:
    duty = await with_duty_members(town)
    await duty.rotation(P, town.duty, duty.zhao)
    rows = [
        "类型,班次,成员,开始,结束",
        "顶班,主班,孙值班,2026-11-05 08:30,9999-12-31 23:59",
        "顶班,主班,孙值班,0001-01-01 00:00,2026-11-06 08:30",
        "顶班,备班,孙值班,2026-11-05 08:30,2026-12-07 08:30",
    ]
    await import_csv(town, "\n".join(rows).encode())
    refusal = town.head.last.shown
    assert "没有导入任何内容" in refusal
    assert "第 2 行：时间“9999-12-31 23:59”超出范围" in refusal
    assert "第 3 行：时间“0001-01-01 00:00”超出范围" in refusal
    assert "第 4 行：一行最多 31 天" in refusal
    [week] = await town.reporter.send("/duty week")
    assert "顶班" not in week.shown


async def test_an_import_of_more_lines_than_a_roster_needs_is_refused_before_reading_them(town: Township) -> None:
    await with_duty_members(town)
    rows = ["顶班,主班,孙值班,2026-11-05 08:30,2026-11-05 08:45"] * 2_001
    await import_csv(town, "\n".join(rows).encode())
    assert "行数太多（最多 2000 行）" in town.head.last.shown


async def test_duty_in_the_group_shows_names_only_and_one_persons_shifts_only_in_private(town: Township) -> None:
    duty = await with_duty_members(town)
    await duty.rotation(P, town.duty, duty.zhao)
    async with town.db.transaction() as session:
        member = await find_member(session, town.duty.id)
        assert member is not None
        member.phone = "13800138000"
        session.add(member)
    group = -100777
    town.harness.server.add_group(group, "凤城镇应急站值班群")
    await town.head.send_in_group(group, "/linkgroup")
    [board] = await duty.sun.send_in_group(group, "/duty")
    assert "现在主班：王值班" in board.shown and "13800138000" not in board.shown
    [week] = await duty.sun.send_in_group(group, "/duty week")
    assert "王值班" in week.shown and "13800138000" not in week.shown
    for command in ("/duty 王值班", "/duty me", "/duty ics"):
        [pointer] = await duty.sun.send_in_group(group, command)
        assert "请在与我的私聊中使用" in pointer.shown and "11-0" not in pointer.shown
    [private] = await duty.sun.send("/duty 王值班")
    assert "王值班 的值班" in private.shown
    [own] = await duty.sun.send("/duty")
    assert "13800138000" in own.shown


async def test_a_name_that_looks_like_a_formula_is_exported_as_text_and_imported_back_unchanged(town: Township) -> None:
    duty = await with_duty_members(town)
    formula = town.harness.user("公式")
    await add_member(town.db, town.clock.now(), formula.id, "=1+2", Role.STATION_DUTY, TOWNSHIP_A)
    await duty.rotation(P, town.duty, formula)
    await town.head.send("/roster")
    await town.head.click("📤 导出 CSV")
    exported = document_of(town, town.head.last)
    cells = {cell for row in csv.reader(io.StringIO(exported.decode("utf-8-sig"))) for cell in row}
    assert "'=1+2" in cells and "=1+2" not in cells
    await import_csv(town, exported)
    assert "完全一样，没有改动" in town.head.last.shown


async def test_a_handoff_time_typed_in_superscript_or_other_digits_is_asked_again(town: Township) -> None:
    duty = await with_duty_members(town)
    head = town.head
    await head.send("/roster")
    await head.click("✏️ 设置主班")
    await head.click("王值班")
    await head.click(duty.zhao.first_name)
    await head.click("✅ 选好了")
    await head.click("24 小时一班")
    for typed in ("08:³⁰", "²", "٠٨:٣٠", "０８:３０"):
        [said] = await head.send(typed)
        assert "请发送 24 小时制的时间" in said.shown
    await head.send("8:30")
    assert "从哪天开始" in head.last.shown, "an ASCII time moves on"


async def test_a_handover_note_is_refused_more_than_twelve_hours_after_its_handoff(town: Township) -> None:
    duty = await with_duty_members(town)
    await duty.rotation(P, town.duty, duty.zhao)
    await duty.at(local(3, 8, 31))
    prompt = town.duty.last_with_buttons()
    await duty.at(local(3, 20, 31))
    await town.duty.click("✍️ 写交班记录", prompt)
    assert town.duty.last_alert is not None and "12 小时以上" in town.duty.last_alert["text"]
    assert "王值班 的交班记录" not in duty.zhao.last.shown


async def test_one_member_on_both_layers_is_flagged_in_the_preview_the_roster_and_the_daily_warning(
    town: Township,
) -> None:
    duty = await with_duty_members(town)
    await duty.rotation(P, town.duty)
    head = town.head
    await head.send("/roster")
    await head.click("✏️ 设置备班")
    await head.click("王值班")
    await head.click("✅ 选好了")
    await head.click("24 小时一班")
    await head.click("08:30")
    await head.click("今天 11-02")
    assert "王值班 同时是值班和备班：11-02 周一 08:30" in head.last.shown
    await head.click("💾 保存")
    await head.send("/roster")
    assert "王值班 同时是值班和备班" in head.last.shown
    await duty.at(local(3, 9, 1))
    [warning] = [t for t in texts(head) if "值班需要调整" in t]
    assert "王值班 同时是值班和备班" in warning


async def test_a_colleague_on_the_other_layer_cannot_take_the_shift_and_nothing_changes(town: Township) -> None:
    duty = await with_duty_members(town)
    await duty.rotation(P, town.duty, duty.zhao, duty.sun)
    await duty.rotation(B, duty.zhao, duty.sun, town.duty, start=local(5, 0).date())
    await offer_shift(town, town.duty, "📣 所有值班同事")
    await duty.zhao.click("✋ 我来值", duty.zhao.last_with_buttons())
    assert duty.zhao.last_alert is not None and "同时值班和备班" in duty.zhao.last_alert["text"]
    [week] = await town.reporter.send("/duty week")
    assert "11-05 周四 08:30–11-06 08:30 王值班" in week.shown and "顶班" not in week.shown


async def test_a_handoff_moved_later_today_shows_the_empty_shift_and_tells_whose_shifts_moved(town: Township) -> None:
    duty = await with_duty_members(town)
    await duty.rotation(P, town.duty, duty.zhao)
    head = town.head
    await head.send("/roster")
    await head.click("✏️ 设置主班")
    await head.click("↩️ 重选")
    await head.click("王值班")
    await head.click("赵值班")
    await head.click("✅ 选好了")
    await head.click("✅ 24 小时一班")
    await head.send("18:00")
    await head.click("今天 11-02")
    assert "主班无人：11-01 周日 18:00–11-02 18:00" in head.last.shown
    await head.click("💾 保存")
    await town.deliver()
    assert "主班安排调整了" in town.duty.last.shown and "11-02 周一 18:00–11-03 18:00" in town.duty.last.shown
    assert "主班安排调整了" in duty.zhao.last.shown and "11-03 周二 18:00–11-04 18:00" in duty.zhao.last.shown
    assert not any("安排调整了" in t for t in texts(duty.sun))


async def test_each_roster_step_is_numbered_and_going_back_keeps_what_was_chosen(town: Township) -> None:
    duty = await with_duty_members(town)
    head = town.head
    await head.send("/roster")
    await head.click("✏️ 设置主班")
    assert "第 1 步，共 5 步" in head.last.shown
    await head.click("王值班")
    await head.click("赵值班")
    await head.click("✅ 选好了")
    await head.click("12 小时一班（白班、夜班）")
    assert "第 3 步，共 5 步" in head.last.shown
    await head.click("⬅️ 上一步")
    assert "第 2 步" in head.last.shown and "✅ 12 小时一班（白班、夜班）" in [b["text"] for b in head.last.buttons]
    await head.click("⬅️ 上一步")
    assert "王值班 → 赵值班" in head.last.shown, "the order chosen is kept"
    await head.click("✅ 选好了")
    await head.click("✅ 12 小时一班（白班、夜班）")
    await head.click("08:30")
    await head.click("今天 11-02")
    assert "第 5 步，共 5 步" in head.last.shown
    await head.click("💾 保存")
    [board] = await duty.zhao.send("/duty me")
    assert "11-02 周一 20:30–11-03 08:30" in board.shown


async def test_a_taken_or_withdrawn_offer_loses_its_buttons_everywhere_and_swap_can_be_cancelled(
    town: Township,
) -> None:
    duty = await with_duty_members(town)
    await duty.rotation(P, town.duty, duty.zhao, duty.sun)
    [listing] = await town.duty.send("/swap")
    await town.duty.click("✖️ 取消", listing)
    assert "没有发出换班请求" in listing.shown and listing.buttons == []
    await offer_shift(town, town.duty, "📣 所有值班同事")
    zhao_offer, sun_offer = duty.zhao.last_with_buttons(), duty.sun.last_with_buttons()
    await duty.zhao.click("✋ 我来值", zhao_offer)
    await town.deliver()
    assert sun_offer.buttons == [] and "已被 赵值班 接走" in sun_offer.shown
    assert "您接下了" in zhao_offer.shown

    await offer_shift(town, duty.zhao, "📣 所有值班同事")
    offer = duty.sun.last_with_buttons()
    withdraw = duty.zhao.last_with_buttons()
    await duty.zhao.click("撤回换班请求", withdraw)
    await town.deliver()
    assert offer.buttons == [] and "已撤回" in offer.shown


async def test_a_colleague_asked_by_name_declines_and_the_offerer_is_told(town: Township) -> None:
    duty = await with_duty_members(town)
    await duty.rotation(P, town.duty, duty.zhao, duty.sun)
    await offer_shift(town, town.duty, "赵值班")
    offer = duty.zhao.last_with_buttons()
    assert [b["text"] for b in offer.buttons] == ["✋ 我来值", "🙅 我不方便"]
    take, decline = (b["callback_data"] for b in offer.buttons)
    for outsider in (duty.sun, town.reporter, town.other_head):
        said = await press_and_expect_nothing(town, outsider, offer, decline)
        assert said.startswith(NOT_ALLOWED) or "发给别的同事" in said
    await duty.zhao.click("🙅 我不方便", offer)
    assert "已告诉对方您不方便" in offer.shown
    await town.deliver()
    assert "赵值班 不方便接" in town.duty.last.shown
    assert "已被谢绝" in await press_and_expect_nothing(town, duty.zhao, offer, take)
    [week] = await town.reporter.send("/duty week")
    assert "11-05 周四 08:30–11-06 08:30 王值班" in week.shown


async def test_a_wizard_whose_data_was_lost_says_so_ends_and_changes_nothing(town: Township) -> None:
    """The FSM storage can lose a conversation's data (a Redis key expiring before the state's): the next step says
    the flow is lost and ends it, instead of failing on what the earlier steps chose."""
    await with_duty_members(town)
    await town.head.send("/roster")
    await town.head.click("✏️ 设置主班")
    await town.head.click("王值班")
    harness = town.harness
    context = harness.dp.fsm.get_context(harness.bot, chat_id=town.head.id, user_id=town.head.id)
    await context.set_data({})
    before = await database_state(town.db)
    await town.head.click("✅ 选好了")
    assert "这一步已失效" in town.head.last_alert["text"]  # type: ignore[index]
    assert await context.get_state() is None
    assert await database_state(town.db) == before

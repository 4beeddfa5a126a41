"""Hazard reports from the field, escalated until someone acts — end to end through the fake Bot API."""

import asyncio

from bot.settings import Settings
from gridguard.db.database import Database
from gridguard.directory.members import load_profile
from gridguard.reports.report_lifecycle import ReportVerb
from gridguard.reports.tables import Report
from gridguard.telegram.reports.callbacks import ReportAction
from scheduler.sweeps import Sweeper
from tests.fakes.clock import FakeClock
from tests.fakes.records import drafts, reports
from tests.scenarios.township import Township, code_of, file_report, summary_of_a_report


async def test_a_major_report_reaches_the_village_officer_then_escalates_step_by_step(town: Township) -> None:
    filed = await file_report(town.reporter)
    code = code_of(filed.shown)
    assert "已提交" in filed.shown and code.startswith("24100-2611-")
    await town.deliver()
    [card] = town.cards(town.officer)
    assert "🟠 重大 · 🔥 火灾隐患" in card.shown and code in card.shown and "林网格" in card.shown
    assert "村口仓库电线老化冒烟" in card.shown and card.media.get("photo")
    assert [b["text"] for b in card.buttons][:2] == ["✅ 确认", "👉 指派"]
    [pin] = [m for m in town.officer.inbox if m.method == "sendLocation"]
    assert pin.media["location"] == {"latitude": 25.0553, "longitude": 118.1867}
    assert town.cards(town.duty) == [] and town.cards(town.head) == []

    await town.after(minutes=4)
    assert town.cards(town.duty) == []
    await town.after(minutes=1)
    assert len(town.cards(town.duty)) == 1 and town.cards(town.head) == []
    await town.after(minutes=10)
    assert len(town.cards(town.head)) == 1 and town.cards(town.county) == []
    await town.after(minutes=15)
    assert len(town.cards(town.county)) == 1
    assert town.cards(town.other_head) == []


async def test_a_critical_report_reaches_three_steps_at_once_and_the_county_after_ten_minutes(town: Township) -> None:
    await file_report(town.reporter, severity="🔴 紧急")
    await town.deliver()
    assert all(len(town.cards(u)) == 1 for u in (town.officer, town.duty, town.head))
    assert town.cards(town.county) == []
    await town.after(minutes=10)
    assert len(town.cards(town.county)) == 1


async def test_a_low_report_waits_an_hour_for_the_station_and_never_reaches_the_county(town: Township) -> None:
    await file_report(town.reporter, severity="🟢 一般", location=None)
    await town.deliver()
    assert len(town.cards(town.officer)) == 1
    await town.after(minutes=59)
    assert town.cards(town.duty) == []
    await town.after(minutes=1)
    assert len(town.cards(town.duty)) == 1
    await town.after(hours=3)
    assert len(town.cards(town.head)) >= 1
    await town.after(hours=24)
    assert town.cards(town.county) == []


async def test_unacknowledged_recipients_are_reminded_every_ten_minutes_three_times(town: Township) -> None:
    await file_report(town.reporter, severity="🟢 一般")
    await town.deliver()
    for _ in range(5):
        await town.after(minutes=10)
    [card] = town.cards(town.officer)
    reminders = [m for m in town.officer.inbox if "提醒" in m.shown]
    assert [r.shown.split("：")[0] for r in reminders] == ["⏰ 第 1 次提醒", "⏰ 第 2 次提醒", "⏰ 第 3 次提醒"]
    assert all(r.reply_to == card.message_id and not r.buttons for r in reminders), "short replies under the card"


async def test_acknowledging_stops_escalation_edits_every_card_and_tells_the_reporter(town: Township) -> None:
    code = code_of((await file_report(town.reporter, severity="🔴 紧急")).shown)
    await town.deliver()
    [officer_card] = town.cards(town.officer)
    await town.duty.click("✅ 确认", town.cards(town.duty)[0])
    assert town.duty.last_alert is not None and code in town.duty.last_alert["text"]
    await town.deliver()
    for user in (town.officer, town.duty, town.head):
        [card] = town.cards(user)
        assert card.edits == 1 and "已确认（王值班" in card.shown
        assert "✅ 确认" not in [b["text"] for b in card.buttons]
    told = [m for m in town.reporter.inbox if "已由 王值班 确认" in m.shown]
    assert len(told) == 1 and code in told[0].shown
    await town.after(hours=2)
    assert town.cards(town.county) == []
    assert officer_card.edits == 1


async def test_two_people_pressing_acknowledge_at_once_one_wins_and_the_other_is_told_who(town: Township) -> None:
    await file_report(town.reporter, severity="🔴 紧急")
    await town.deliver()
    duty_card, head_card = town.cards(town.duty)[0], town.cards(town.head)[0]
    await asyncio.gather(town.duty.click("✅ 确认", duty_card), town.head.click("✅ 确认", head_card))
    alerts = [town.duty.last_alert, town.head.last_alert]
    assert sum("已确认" in (a or {}).get("text", "") and "现在是" not in (a or {}).get("text", "") for a in alerts) == 1
    loser = next(a for a in alerts if a and "现在是" in a["text"])
    assert "“已确认”" in loser["text"]
    [report] = await reports(town.db)
    assert report.status == "acknowledged"


async def test_no_one_outside_the_report_s_township_or_role_can_act(town: Township) -> None:
    await file_report(town.reporter)
    await town.deliver()
    [report] = await reports(town.db)
    [card] = town.cards(town.officer)
    acknowledge = ReportAction(action=ReportVerb.ACKNOWLEDGE, report_id=report.id or 0).pack()
    for outsider in (town.other_head, town.reporter):
        assert await outsider.press_data(card, acknowledge) == []
        assert outsider.last_alert is not None and "没有权限" in outsider.last_alert["text"]
    [unchanged] = await reports(town.db)
    assert unchanged.status == "new"


async def test_resolve_with_a_note_and_photo_then_the_reporter_confirms_and_it_closes(town: Township) -> None:
    code = code_of((await file_report(town.reporter)).shown)
    await town.deliver()
    await town.officer.click("✔️ 已处置", town.cards(town.officer)[0])
    [ask] = [m for m in town.officer.inbox if "怎么处置" in m.shown]
    assert code in ask.shown
    await town.officer.send("已更换老化电线，断电检查完毕")
    [done] = await town.officer.send_photo()
    assert "已标记为已处置" in done.shown
    await town.deliver()
    [question] = [m for m in town.reporter.inbox if "已处置：已更换老化电线" in m.shown]
    assert [b["text"] for b in question.buttons] == ["👍 已修好", "👎 没修好"]
    await town.reporter.click("👍 已修好", question)
    await town.deliver()
    assert "已关闭" in town.cards(town.officer)[0].shown
    details = await town.reporter.send(f"/report {code}")
    assert any("上报人确认修好" in m.shown for m in details)
    assert any(m.caption == "处置后照片" for m in details)


async def test_a_resolved_report_closes_by_itself_after_72_hours(town: Township) -> None:
    await file_report(town.reporter)
    await town.deliver()
    await town.officer.click("✔️ 已处置", town.cards(town.officer)[0])
    await town.officer.send("已处理")
    await town.officer.send("跳过")
    await town.after(hours=71)
    assert "已关闭" not in town.cards(town.officer)[0].shown
    await town.after(hours=1)
    assert "已关闭" in town.cards(town.officer)[0].shown
    assert any("已关闭。谢谢您" in m.shown for m in town.reporter.inbox)


async def test_reject_with_a_reason_and_duplicate_of_another_code(town: Township) -> None:
    first = code_of((await file_report(town.reporter, category="💨 燃气")).shown)
    await town.deliver()
    second_filed = await file_report(town.reporter, category="⚡ 用电", location=(25.2, 118.3))
    second = code_of(second_filed.shown)
    await town.deliver()
    first_card, second_card = town.cards(town.officer)
    await town.officer.click("🚫 驳回", first_card)
    await town.officer.send("   ")
    [reason_needed] = town.officer.inbox[-1:]
    assert "请写几句说明" in reason_needed.shown
    await town.officer.send("经核实为正常施工，不属于隐患")
    await town.officer.click("🔁 重复", second_card)
    [not_found] = await town.officer.send("00000-0000-0000")
    assert "找不到编号" in not_found.shown
    [done] = await town.officer.send(first)
    assert "已标记为重复" in done.shown
    await town.deliver()
    assert any("被驳回，理由：经核实为正常施工" in m.shown for m in town.reporter.inbox)
    assert any(f"{second}</b> 与 {first}" in (m.html or "") for m in town.reporter.inbox)


async def test_assign_picks_a_township_member_who_gets_the_card(town: Township) -> None:
    await file_report(town.reporter)
    await town.deliver()
    await town.officer.click("👉 指派", town.cards(town.officer)[0])
    [choices] = [m for m in town.officer.inbox if "指派给谁" in m.shown]
    assert {b["text"] for b in choices.buttons} == {"陈安全", "王值班", "李站长"}
    await town.officer.click("王值班", choices)
    await town.deliver()
    assigned = [m for m in town.duty.inbox if "指派给您处理" in m.shown]
    assert len(assigned) == 1
    assert "处置中（指派给 王值班）" in town.cards(town.officer)[0].shown


async def test_a_restart_in_the_middle_of_escalation_neither_loses_nor_doubles_a_step(
    town: Township, db: Database, clock: FakeClock, settings: Settings
) -> None:
    await file_report(town.reporter)
    await town.deliver()
    clock.advance(minutes=6)
    await town.sweeper.tick()
    await town.sweeper.tick()
    restarted = Sweeper(db, town.policy, clock, settings.zone, "zh", "another-process", town.worker)
    clock.advance(seconds=31)
    await restarted.tick()
    await town.deliver()
    assert len(town.cards(town.duty)) == 1
    await town.after(minutes=10)
    assert len(town.cards(town.head)) == 1


async def test_a_graceful_stop_hands_the_sweeps_over_at_once_and_delays_no_step(
    town: Township, db: Database, clock: FakeClock, settings: Settings
) -> None:
    await file_report(town.reporter)
    await town.deliver()
    await town.after(minutes=4, seconds=50)
    assert town.cards(town.duty) == []
    await town.sweeper.resign()
    restarted = Sweeper(db, town.policy, clock, settings.zone, "zh", "the-next-process", town.worker)
    clock.advance(seconds=10)
    await restarted.tick()
    await town.deliver()
    assert len(town.cards(town.duty)) == 1, "the step due at 5 minutes went out at 5 minutes"
    assert await town.sweeper.tick() == 0, "a resigned sweeper does not lead again"


async def test_an_elevated_report_escalates_at_15_30_and_60_minutes(town: Township) -> None:
    await file_report(town.reporter, severity="🟡 较大")
    await town.deliver()
    await town.after(minutes=14)
    assert town.cards(town.duty) == []
    await town.after(minutes=1)
    assert len(town.cards(town.duty)) == 1
    await town.after(minutes=15)
    assert len(town.cards(town.head)) >= 1
    await town.after(minutes=29)
    assert town.cards(town.county) == []
    await town.after(minutes=1)
    assert len(town.cards(town.county)) == 1


async def test_a_double_tap_on_submit_files_one_report(town: Township, db: Database) -> None:
    user = town.reporter
    summary = await summary_of_a_report(user)
    submit = next(b["callback_data"] for b in summary.buttons if b["text"] == "✅ 确认提交")
    await asyncio.gather(user.press_data(summary, submit), user.press_data(summary, submit))
    assert len(await reports(db)) == 1
    assert not any("抱歉" in m.shown for m in user.inbox)


async def test_the_summary_turns_into_the_confirmation_with_the_main_menu_already_back(town: Township) -> None:
    user = town.reporter
    summary = await summary_of_a_report(user)
    messages_before = len(user.inbox)
    await user.click("✅ 确认提交", summary)
    assert len(user.inbox) == messages_before, "no new message: the summary itself says the report is filed"
    assert "已提交" in summary.shown and summary.buttons == [] and summary.edits == 1
    menus = [m for m in user.inbox if m.reply_buttons or (m.reply_markup or {}).get("remove_keyboard")]
    assert "📢 上报隐患" in [b["text"] for b in menus[-1].reply_buttons], "the big buttons are back"


async def test_a_double_tap_on_cancel_cancels_once_without_an_apology(town: Township, db: Database) -> None:
    user = town.reporter
    summary = await summary_of_a_report(user)
    cancel = next(b["callback_data"] for b in summary.buttons if b["text"] == "❌ 取消")
    await asyncio.gather(user.press_data(summary, cancel), user.press_data(summary, cancel))
    assert "已取消" in summary.shown and summary.buttons == []
    assert await drafts(db) == [] and await reports(db) == []
    assert not any("抱歉" in m.shown for m in user.inbox)


async def test_the_same_confirm_press_posted_again_confirms_the_filed_report_and_files_nothing_more(
    town: Township, db: Database, clock: FakeClock
) -> None:
    """An instance killed after filing but before editing the summary: Telegram posts the press again, to another
    instance. The reporter is told the report is filed, with its code, not that the draft expired."""
    user = town.reporter
    summary = await summary_of_a_report(user)
    submit = next(b["callback_data"] for b in summary.buttons if b["text"] == "✅ 确认提交")
    async with db.reading() as session:
        profile = await load_profile(session, user.id, frozenset())
    assert profile is not None
    filed = await town.harness.dp["desk"].submit(profile)
    assert isinstance(filed, Report), "the first instance filed it, then died before answering"

    await user.press_data(summary, submit)
    assert "已提交" in summary.shown and filed.code in summary.shown and summary.buttons == []
    assert "作废" not in summary.shown + (user.last_alert or {}).get("text", "")
    assert [r.id for r in await reports(db)] == [filed.id]

    await user.press_data(summary, submit)
    assert user.last_alert is not None and user.last_alert["text"] == "这个按钮已失效，请重新操作。", (
        "pressed again: stale"
    )
    assert len(await reports(db)) == 1

"""Volunteer call-outs end to end through the fake Bot API: /alert's wizard and preview, who receives it (area,
availability, once per member), the answers and the sender's live tally (edited at most every 2 s), the headcount,
the 10-minute reminder, messages to those coming, the stand-down, a critical report's card, refusals that send
nothing, /alerts and the CSV export."""

import argparse
import asyncio
import csv
from pathlib import Path

import pytest
from openpyxl import load_workbook
from sqlmodel import select

from bot.commands.export import export
from bot.settings import Settings
from gridguard.callouts.callout_desk import CalloutDesk
from gridguard.callouts.callout_lifecycle import CalloutVerb
from gridguard.callouts.enums import CalloutAnswer
from gridguard.callouts.tables import CalloutRecipient
from gridguard.db.database import Database
from gridguard.delivery.enums import Priority
from gridguard.delivery.outbox import Content, enqueue
from gridguard.directory.enums import Role
from gridguard.directory.members import load_profile
from gridguard.duty.enums import DutyLayer
from gridguard.reports.report_cards import CardButton
from gridguard.telegram.callouts.callbacks import AvailabilityChoice, CalloutAction, CalloutField, CalloutWizard
from gridguard.telegram.reports.callbacks import ReportAction
from tests.fakes.records import notifications
from tests.fakes.users import FakeUser
from tests.fakes.world import VILLAGE_A1, add_member
from tests.reports.test_forged_buttons import NOT_ALLOWED, press_and_expect_nothing
from tests.scenarios.callouts import (
    FIRE,
    MEIFA,
    alerts_of,
    callout_id_of,
    data_of,
    preview_callout,
    send_callout,
    tally_of,
    with_volunteers,
)
from tests.scenarios.duty import local, with_duty_members
from tests.scenarios.township import IN_FENGCHENG, Township, file_report

ON_MY_WAY, ARRIVED, CANT = "🚶 出发", "📍 到达", "🙅 无法前往"


async def answer(town: Township, user: FakeUser, label: str) -> None:
    await user.click(label, alerts_of(user)[0])
    await town.deliver()


async def test_a_head_calls_out_the_whole_township_and_each_responder_gets_one_alert(town: Township) -> None:
    volunteers = await with_volunteers(town)
    preview = await preview_callout(town.head)
    assert "将通知 4 人" in preview.shown
    assert alerts_of(volunteers.huang) == [], "nothing goes out before the sender presses send"
    tally = await send_callout(town, town.head)
    for user in volunteers.responders:
        [alert] = alerts_of(user)
        assert "村口仓库起火" in alert.shown and "需要人数：2" in alert.shown and "李站长" in alert.shown
        assert [b["text"] for b in alert.buttons] == [ON_MY_WAY, ARRIVED, CANT]
    assert alerts_of(volunteers.zheng) == [], "another township's volunteer is not called"
    assert "共通知 4 人" in tally.shown and "未回复：4 人" in tally.shown


async def test_chosen_villages_reach_their_volunteers_and_the_township_rescue_team(town: Township) -> None:
    volunteers = await with_volunteers(town)
    await send_callout(town, town.head, villages=(MEIFA,))
    reached = {u.first_name for u in volunteers.everyone() if alerts_of(u)}
    assert reached == {"黄志愿", "郭志愿", "蔡救援"}


async def test_answers_edit_the_tally_in_place_at_most_every_two_seconds(town: Township) -> None:
    volunteers = await with_volunteers(town)
    tally = await send_callout(town, town.head)
    for user, label in ((volunteers.huang, ON_MY_WAY), (volunteers.wu, CANT), (volunteers.guo, ARRIVED)):
        await user.click(label, alerts_of(user)[0])
    await town.deliver()
    tally = tally_of(town.head)
    assert "出发：1 人 — 黄志愿" in tally.shown
    assert "到达：1 人 — 郭志愿" in tally.shown
    assert "无法前往：1 人 — 吴志愿" in tally.shown
    assert "未回复：1 人" in tally.shown
    assert "人数已够" in tally.shown
    gaps = [b - a for a, b in zip(tally.edited_at, tally.edited_at[1:], strict=False)]
    assert tally.edits >= 1 and all(gap >= 2.0 for gap in gaps), tally.edited_at
    assert any("人数已够" in m.shown for m in town.head.inbox if m is not tally), "the head is told once, too"
    assert "您的回复：🚶 出发" in alerts_of(volunteers.huang)[0].shown


async def test_the_tally_is_rendered_when_its_edit_goes_not_at_each_answer(town: Township) -> None:
    """Answers only mark the tally's edit due; delivery renders the counts of the moment it sends."""
    volunteers = await with_volunteers(town)
    tally = await send_callout(town, town.head)
    for user, label in ((volunteers.huang, ON_MY_WAY), (volunteers.guo, ARRIVED)):
        await user.click(label, alerts_of(user)[0])
    queued = [row.payload for key, row in (await notifications(town.db)).items() if key.startswith("edit:")]
    assert queued == [{"render": ["callout_tally", callout_id_of(tally), "Asia/Shanghai"]}]
    await town.deliver()
    shown = tally_of(town.head).shown
    assert "出发：1 人 — 黄志愿" in shown and "到达：1 人 — 郭志愿" in shown and "未回复：2 人" in shown


async def test_a_second_press_and_a_press_after_arriving_change_nothing(town: Township) -> None:
    volunteers = await with_volunteers(town)
    await send_callout(town, town.head)
    await answer(town, volunteers.huang, ON_MY_WAY)
    alert = alerts_of(volunteers.huang)[0]
    said = await press_and_expect_nothing(town, volunteers.huang, alert, data_of(alert, ON_MY_WAY))
    assert "已回复过" in said
    cant = data_of(alert, CANT)
    await answer(town, volunteers.huang, ARRIVED)
    assert alerts_of(volunteers.huang)[0].buttons == [], "arrived is final: the buttons go"
    assert "请按下方按钮回复" not in alerts_of(volunteers.huang)[0].shown, "and so does the prompt to press them"
    assert "无需再改" in await press_and_expect_nothing(town, volunteers.huang, alert, cant)


async def test_outsiders_pressing_an_alerts_buttons_change_nothing(town: Township) -> None:
    volunteers = await with_volunteers(town)
    tally = await send_callout(town, town.head)
    alert = alerts_of(volunteers.huang)[0]
    for outsider in (volunteers.zheng, town.reporter, town.other_head):
        assert (await press_and_expect_nothing(town, outsider, alert, data_of(alert, ON_MY_WAY))).startswith(
            NOT_ALLOWED
        )
    for verb in (CalloutVerb.STAND_DOWN, CalloutVerb.CONFIRM_STAND_DOWN, CalloutVerb.MESSAGE):
        data = CalloutAction(action=verb, callout_id=callout_id_of(tally)).pack()
        for outsider in (volunteers.huang, town.other_head, town.officer):
            assert (await press_and_expect_nothing(town, outsider, tally, data)).startswith(NOT_ALLOWED)
    stranger = town.harness.user("陌生人")
    assert (await press_and_expect_nothing(town, stranger, alert, data_of(alert, ON_MY_WAY))).startswith(NOT_ALLOWED)
    missing = CalloutAction(action=CalloutVerb.ON_MY_WAY, callout_id=99_999).pack()
    assert "不存在" in await press_and_expect_nothing(town, volunteers.huang, alert, missing)


async def test_a_replayed_wizard_button_after_sending_changes_nothing(town: Township) -> None:
    await with_volunteers(town)
    preview = await preview_callout(town.head)
    send = data_of(preview, next(b["text"] for b in preview.buttons if b["text"].startswith("🚨")))
    await town.head.press_data(preview, send)
    await town.deliver()
    said = await press_and_expect_nothing(town, town.head, preview, send)
    assert "失效" in said
    forged = CalloutWizard(field=CalloutField.KIND, value=3).pack()
    await press_and_expect_nothing(town, town.head, preview, forged)


async def test_the_stand_down_tells_everyone_and_later_presses_are_answered(town: Township) -> None:
    volunteers = await with_volunteers(town)
    tally = await send_callout(town, town.head)
    await answer(town, volunteers.huang, ON_MY_WAY)
    await town.head.click("🛑 解除召集", tally)
    await town.head.click("🛑 确认解除")
    await town.deliver()
    for user in volunteers.responders:
        assert any("召集已解除" in m.shown for m in user.inbox)
    assert "已解除召集" in tally_of(town.head).shown and tally_of(town.head).buttons == []
    alert = alerts_of(volunteers.wu)[0]
    assert "已解除" in await press_and_expect_nothing(town, volunteers.wu, alert, data_of(alert, ON_MY_WAY))
    confirm = CalloutAction(action=CalloutVerb.CONFIRM_STAND_DOWN, callout_id=callout_id_of(alert)).pack()
    assert "已解除" in await press_and_expect_nothing(town, town.head, tally, confirm)


async def test_alerts_reopens_a_live_call_out_and_the_stand_down_can_be_taken_back(town: Township) -> None:
    volunteers = await with_volunteers(town)
    await send_callout(town, town.head)
    [listing] = await town.head.send("/alerts")
    [opened] = await town.head.click(listing.buttons[0]["text"], listing)
    assert opened.shown.startswith("📣 召集") and "🛑 解除召集" in [b["text"] for b in opened.buttons]
    await town.head.click("🛑 解除召集", opened)
    confirm = town.head.last
    await town.head.click("↩️ 不解除，继续召集", confirm)
    assert "召集继续进行" in confirm.shown
    await town.deliver()
    assert not any("召集已解除" in m.shown for u in volunteers.responders for m in u.inbox)
    for outsider in (town.duty, volunteers.huang, town.other_head):
        said = await press_and_expect_nothing(town, outsider, listing, listing.buttons[0]["callback_data"])
        assert said.startswith(NOT_ALLOWED)
    await town.head.click("🛑 解除召集", opened)
    await town.head.click("🛑 确认解除")
    [listing] = await town.head.send("/alerts")
    assert listing.buttons == [], "nothing live to open"


async def test_each_alert_step_is_numbered_and_going_back_keeps_what_was_typed(town: Township) -> None:
    volunteers = await with_volunteers(town)
    head = town.head
    [kinds] = await head.send("/alert")
    assert "第 1 步，共 6 步" in kinds.shown and "⬅️ 上一步" not in [b["text"] for b in kinds.buttons]
    await head.click(FIRE, kinds)
    area = head.last_with_buttons()
    assert "第 2 步，共 6 步" in area.shown
    await head.click("⬅️ 上一步", area)
    assert "第 1 步" in head.last.shown and f"✅ {FIRE}" in [b["text"] for b in head.last.buttons]
    await head.click(f"✅ {FIRE}")
    await head.click(next(b["text"] for b in head.last_with_buttons().buttons if "全镇" in b["text"]))
    assert "第 3 步，共 6 步" in head.last.shown
    await head.send("村口仓库起火")
    assert "第 4 步，共 6 步" in head.inbox[-2].shown
    await head.click("⬅️ 上一步")
    assert "刚才输入的是：村口仓库起火" in head.last.shown
    await head.click("➡️ 沿用这段话，下一步")
    await head.send("不设集合点")
    assert "第 5 步，共 6 步" in head.last.shown
    await head.click("5")
    preview = head.last
    assert "第 6 步，共 6 步" in preview.shown and "村口仓库起火" in preview.shown
    await head.click(next(b["text"] for b in preview.buttons if b["text"].startswith("🚨")))
    await town.deliver()
    assert "村口仓库起火" in alerts_of(volunteers.huang)[0].shown


async def test_a_typed_meeting_place_goes_out_with_the_alert(town: Township) -> None:
    volunteers = await with_volunteers(town)
    await town.head.send("/alert")
    await town.head.click(FIRE)
    await town.head.click(next(b["text"] for b in town.head.last_with_buttons().buttons if "全镇" in b["text"]))
    await town.head.send("村口仓库起火")
    [said] = await town.head.send("美" * 101)
    assert "最多 100 字" in said.shown
    await town.head.send("美法村村委会门口")
    await town.head.click("2")
    assert "美法村村委会门口" in town.head.last.shown
    await town.head.click(next(b["text"] for b in town.head.last.buttons if b["text"].startswith("🚨")))
    await town.deliver()
    assert "集合地点：美法村村委会门口" in alerts_of(volunteers.huang)[0].shown


async def test_the_sender_messages_only_those_coming(town: Township) -> None:
    volunteers = await with_volunteers(town)
    tally = await send_callout(town, town.head)
    await answer(town, volunteers.huang, ON_MY_WAY)
    await answer(town, volunteers.guo, ARRIVED)
    await answer(town, volunteers.wu, CANT)
    await town.head.click("✉️ 给出发的人发消息", tally)
    await town.head.send("请从北门进村")
    await town.deliver()
    assert "已发给 2 人" in town.head.last.shown
    heard = {u.first_name for u in volunteers.responders if any("请从北门进村" in m.shown for m in u.inbox)}
    assert heard == {"黄志愿", "郭志愿"}


async def test_after_ten_minutes_only_the_silent_are_reminded_once(town: Township) -> None:
    volunteers = await with_volunteers(town)
    await send_callout(town, town.head)
    await answer(town, volunteers.huang, ON_MY_WAY)
    await town.after(minutes=9)
    assert not any(m.shown.startswith("⏰ 召集") for u in volunteers.responders for m in u.inbox)
    await town.after(minutes=1, seconds=31)
    await town.after(minutes=15)
    reminded = {u.first_name: sum(m.shown.startswith("⏰ 召集") for m in u.inbox) for u in volunteers.responders}
    assert reminded == {"黄志愿": 0, "吴志愿": 1, "郭志愿": 1, "蔡救援": 1}


async def test_unavailable_volunteers_are_left_out_until_their_say_lapses(town: Township) -> None:
    volunteers = await with_volunteers(town)
    [shown] = await volunteers.huang.send("/available off 至 18:00")
    assert "暂停" in shown.shown and "18:00" in shown.shown
    await volunteers.wu.send("/available")
    await volunteers.wu.click("⛔ 暂停（直到我恢复）")
    preview = await preview_callout(town.head)
    assert "将通知 2 人" in preview.shown
    assert "2 人暂停响应" in preview.shown
    await town.head.send("/cancel")
    await town.after(hours=9)
    await send_callout(town, town.head)
    assert alerts_of(volunteers.huang) and not alerts_of(volunteers.wu)


async def test_a_volunteer_pauses_in_chinese_or_with_a_button_for_a_while(town: Township) -> None:
    volunteers = await with_volunteers(town)
    [said] = await volunteers.huang.send("/available 暂停 至 明天 8:00")
    assert "暂停" in said.shown and "11-03 08:00" in said.shown
    await volunteers.wu.send("/available")
    [screen] = [m for m in volunteers.wu.inbox if m.buttons][-1:]
    await volunteers.wu.click("⏸ 暂停 2 小时", screen)
    assert "暂停" in screen.shown and "11:30" in screen.shown
    preview = await preview_callout(town.head)
    assert "2 人暂停响应" in preview.shown
    await town.head.send("/cancel")
    await town.after(hours=2, minutes=1)
    await send_callout(town, town.head)
    assert alerts_of(volunteers.wu) and not alerts_of(volunteers.huang)


async def test_bad_availability_words_are_refused_and_change_nothing(town: Township) -> None:
    volunteers = await with_volunteers(town)
    [said] = await volunteers.huang.send("/available maybe")
    assert "/available 恢复" in said.shown
    [said] = await volunteers.huang.send("/available off 至 明天")
    assert "看不懂这个时间" in said.shown
    [said] = await town.reporter.send("/available off")
    assert "只有志愿者" in said.shown


async def test_an_area_with_nobody_available_is_refused_before_sending(town: Township) -> None:
    volunteers = await with_volunteers(town)
    for user in volunteers.responders:
        await user.send("/available off")
    await preview_callout(town.head, message="带上雨衣到村委会集合")
    refused = town.head.last
    assert "没有可以通知" in refused.shown and "召集没有发出" in refused.shown
    await town.deliver()
    assert not any(alerts_of(u) for u in volunteers.everyone())
    await volunteers.cai.send("/available on")
    await town.head.click("🗺️ 重新选择范围", refused)
    await town.head.click(next(b["text"] for b in town.head.last_with_buttons().buttons if "全镇" in b["text"]))
    preview = town.head.last
    assert "带上雨衣到村委会集合" in preview.shown and "将通知 <b>1</b> 人" in (preview.html or "")
    await town.head.click(next(b["text"] for b in preview.buttons if b["text"].startswith("🚨")))
    await town.deliver()
    [alert] = alerts_of(volunteers.cai)
    assert "带上雨衣到村委会集合" in alert.shown


async def test_a_meeting_point_far_away_is_refused_and_a_near_one_follows_those_setting_out(town: Township) -> None:
    volunteers = await with_volunteers(town)
    await file_report(town.reporter)
    await town.deliver()
    await town.head.send("/alert")
    await town.head.click(FIRE)
    await town.head.click(next(b["text"] for b in town.head.last_with_buttons().buttons if "全镇" in b["text"]))
    await town.head.send("仓库起火")
    [warning] = await town.head.send_location(39.9042, 116.4074)
    assert "公里" in warning.shown and "选错" in warning.shown
    await town.head.send_location(IN_FENGCHENG[0] + 0.01, IN_FENGCHENG[1])
    await town.head.click("2")
    await town.head.click(next(b["text"] for b in town.head.last.buttons if b["text"].startswith("🚨")))
    await town.deliver()
    assert "集合点" in alerts_of(volunteers.huang)[0].shown
    await answer(town, volunteers.huang, ON_MY_WAY)
    assert volunteers.huang.last.method == "sendLocation"
    await answer(town, volunteers.wu, CANT)
    assert volunteers.wu.last.method != "sendLocation"


async def test_a_message_longer_than_telegram_allows_is_refused(town: Township) -> None:
    await with_volunteers(town)
    await town.head.send("/alert")
    await town.head.click(FIRE)
    await town.head.click(next(b["text"] for b in town.head.last_with_buttons().buttons if "全镇" in b["text"]))
    [refusal] = await town.head.send("火" * 4000)
    assert "太长" in refusal.shown
    asked, _back = await town.head.send("仓库起火")
    assert "集合点" in asked.shown


async def test_the_duty_member_calls_out_only_while_on_duty(town: Township) -> None:
    duty = await with_duty_members(town)
    await with_volunteers(town)
    await duty.rotation(DutyLayer.PRIMARY, duty.zhao, duty.sun)
    [refused] = await town.duty.send("/alert")
    assert "不在班上" in refused.shown
    [asked] = await duty.zhao.send("/alert")
    assert "做什么" in asked.shown
    await duty.at(local(3, 9, 0))
    [refused] = await duty.zhao.send("/alert")
    assert "不在班上" in refused.shown
    [refused] = await town.reporter.send("/alert")
    assert refused.shown.startswith(NOT_ALLOWED)


async def test_a_critical_reports_card_calls_out_with_its_area_and_message(town: Township) -> None:
    volunteers = await with_volunteers(town)
    await file_report(town.reporter, category="🔥 火灾隐患", severity="🔴 紧急", text="仓库大火蔓延")
    await town.deliver()
    [card] = [m for m in town.head.inbox if any(b["text"] == "📣 召集志愿者" for b in m.buttons)] or [
        m for m in town.duty.inbox if any(b["text"] == "📣 召集志愿者" for b in m.buttons)
    ]
    presser = town.head if card.chat_id == town.head.id else town.duty
    await presser.click("📣 召集志愿者", card)
    assert any("仓库大火蔓延" in m.shown and "美法村" in m.shown for m in presser.inbox)
    await presser.click("➡️ 不补充，下一步")
    await presser.click("📍 用报告的位置作集合点")
    await presser.click("5")
    await presser.click(next(b["text"] for b in presser.last.buttons if b["text"].startswith("🚨")))
    await town.deliver()
    assert {u.first_name for u in volunteers.responders if alerts_of(u)} == {"黄志愿", "郭志愿", "蔡救援"}
    [alert] = alerts_of(volunteers.huang)
    assert "火灾隐患" in alert.shown and "美法村" in alert.shown and "仓库大火蔓延" in alert.shown


async def file_voice_only_report(user: FakeUser) -> None:
    await user.send("📢 上报隐患")
    await user.click("🌊 防汛/内涝")
    await user.click("🔴 紧急")
    await user.send_location(*IN_FENGCHENG)
    await user.send_voice()
    await user.send("✅ 完成")
    await user.click("✅ 确认提交")


async def test_a_call_out_from_a_voice_only_report_carries_its_kind_place_and_the_voice_note(town: Township) -> None:
    volunteers = await with_volunteers(town)
    await file_voice_only_report(town.reporter)
    await town.deliver()
    presser, card = next(
        (user, m)
        for user in (town.head, town.duty)
        for m in user.inbox
        if any(b["text"] == "📣 召集志愿者" for b in m.buttons)
    )
    await presser.click("📣 召集志愿者", card)
    await presser.send("带上救生衣，到村委会集合")
    await presser.click("📍 用报告的位置作集合点")
    await presser.click("5")
    preview = presser.last
    assert "语音说明" in preview.shown and "带上救生衣" in preview.shown
    await presser.click(next(b["text"] for b in preview.buttons if b["text"].startswith("🚨")))
    await town.deliver()
    [alert] = alerts_of(volunteers.huang)
    assert "防汛/内涝" in alert.shown and "美法村" in alert.shown
    assert "语音说明，见下方附件" in alert.shown and "带上救生衣，到村委会集合" in alert.shown
    [voice] = [m for m in volunteers.huang.inbox if m.method == "sendVoice"]
    assert voice.reply_to == alert.message_id


async def test_two_stand_downs_at_once_one_wins(town: Township, db: Database) -> None:
    volunteers = await with_volunteers(town)
    tally = await send_callout(town, town.head)
    desk: CalloutDesk = town.harness.dp["callout_desk"]
    async with db.reading() as session:
        head = await load_profile(session, town.head.id, frozenset())
    assert head is not None
    results = await asyncio.gather(
        desk.stand_down(head, callout_id_of(tally)), desk.stand_down(head, callout_id_of(tally)), return_exceptions=True
    )
    assert sorted(type(r).__name__ for r in results) == ["NoLongerThere", "int"]
    await town.deliver()
    assert sum("召集已解除" in m.shown for m in volunteers.huang.inbox) == 1


async def test_alerts_lists_turnout_and_the_export_writes_every_answer(
    town: Township, settings: Settings, tmp_path: Path, db: Database
) -> None:
    volunteers = await with_volunteers(town)
    await send_callout(town, town.head, needed="5")
    town.clock.advance(seconds=30)
    await answer(town, volunteers.huang, ON_MY_WAY)
    town.clock.advance(seconds=60)
    await answer(town, volunteers.wu, CANT)
    [listing] = await town.head.send("/alerts")
    assert "通知 4 人，出发/到达 1 人（需要 5）" in listing.shown
    assert "响应率 25%" in listing.shown and "中位数 1 分" in listing.shown
    out = tmp_path / "alerts.csv"
    args = argparse.Namespace(what="alerts", since="2026-11-01", out=out, county=None, quarter=None)
    assert await export(settings, args, 0.0) == 0
    rows = list(csv.DictReader(out.open(encoding="utf-8-sig")))
    assert len(rows) == 4
    answers = {r["recipient"]: r["answer"] for r in rows}
    assert answers["黄志愿"] == CalloutAnswer.ON_MY_WAY.value and answers["蔡救援"] == CalloutAnswer.ASKED.value
    async with db.reading() as session:
        assert len((await session.exec(select(CalloutRecipient))).all()) == 4


async def test_a_callout_refuses_bad_headcounts(town: Township) -> None:
    await with_volunteers(town)
    await town.head.send("/alert")
    await town.head.click(FIRE)
    await town.head.click(next(b["text"] for b in town.head.last_with_buttons().buttons if "全镇" in b["text"]))
    await town.head.send("仓库起火")
    await town.head.send("不设集合点")
    for typed in ("很多", "²", "٣", "３"):
        [said] = await town.head.send(typed)
        assert "需要多少人" in said.shown
    [said] = await town.head.send("0")
    assert "1 到" in said.shown


async def test_forged_wizard_and_availability_presses_change_nothing(town: Township) -> None:
    volunteers = await with_volunteers(town)
    await town.head.send("/alert")
    screen = town.head.last_with_buttons()
    kind = CalloutWizard(field=CalloutField.KIND, value=99).pack()
    assert "按钮" in await press_and_expect_nothing(town, town.head, screen, kind)
    await town.head.click(FIRE)
    area = town.head.last_with_buttons()
    other_village = CalloutWizard(field=CalloutField.VILLAGE, value=99_999).pack()
    assert "按钮" in await press_and_expect_nothing(town, town.head, area, other_village)
    report_point = CalloutWizard(field=CalloutField.REPORT_POINT, value=0).pack()
    await press_and_expect_nothing(town, town.head, area, report_point)
    needed = CalloutWizard(field=CalloutField.NEEDED, value=5).pack()
    await press_and_expect_nothing(town, town.head, area, needed)
    choice = AvailabilityChoice(available=False).pack()
    assert "只有志愿者" in await press_and_expect_nothing(town, town.reporter, area, choice)
    card_press = ReportAction(action=CardButton.CALL_OUT, report_id=1).pack()
    for outsider in (volunteers.huang, town.other_head):
        said = await press_and_expect_nothing(town, outsider, area, card_press)
        assert said.startswith(NOT_ALLOWED) or "不存在" in said


async def test_a_critical_reports_call_out_is_refused_to_another_townships_head(town: Township) -> None:
    await with_volunteers(town)
    await file_report(town.reporter, severity="🔴 紧急")
    await town.deliver()
    [card] = [m for m in town.head.inbox if any(b["text"] == "📣 召集志愿者" for b in m.buttons)]
    await town.after(hours=2)
    for officer in (town.officer, town.county):
        held = town.cards(officer)
        assert held and not any(b["text"] == "📣 召集志愿者" for m in held for b in m.buttons), "they may not call out"
    data = data_of(card, "📣 召集志愿者")
    assert (await press_and_expect_nothing(town, town.other_head, card, data)).startswith(NOT_ALLOWED)
    assert (await press_and_expect_nothing(town, town.officer, card, data)).startswith(NOT_ALLOWED)


async def test_alerts_go_ahead_of_reminders_and_digests_already_queued(town: Township, db: Database) -> None:
    volunteers = await with_volunteers(town)
    async with db.transaction() as session:
        for n in range(40):
            await enqueue(
                session,
                dedupe_key=f"digest:{n}",
                chat_id=volunteers.huang.id,
                content=Content(text=f"摘要 {n}"),
                now=town.clock.now(),
                priority=Priority.LOW,
            )
    await send_callout(town, town.head)
    inbox = volunteers.huang.inbox
    first_digest = next(i for i, m in enumerate(inbox) if m.shown.startswith("摘要"))
    assert inbox.index(alerts_of(volunteers.huang)[0]) < first_digest


HOSTILE_NAMES = ['=HYPERLINK("http://evil.example","x")', "+1+1", "-2+3", "@SUM(A1)", "\tcmd", "\rcmd"]


@pytest.mark.parametrize("suffix", [".xlsx", ".csv"])
async def test_the_alerts_export_writes_a_name_that_looks_like_a_formula_as_plain_text(
    town: Township, settings: Settings, tmp_path: Path, suffix: str
) -> None:
    hostile = []
    for i, name in enumerate(HOSTILE_NAMES):
        user = town.harness.user(f"v{i}")
        user.chat.started = True
        await add_member(town.db, town.clock.now(), user.id, name, Role.VOLUNTEER, VILLAGE_A1)
        hostile.append(user)
    await send_callout(town, town.head)
    out = tmp_path / f"alerts{suffix}"
    args = argparse.Namespace(what="alerts", since="2026-11-01", out=out, county=None, quarter=None)
    assert await export(settings, args, 0.0) == 0
    if suffix == ".xlsx":
        sheet = load_workbook(out).active
        assert sheet is not None
        cells = [cell for row in sheet.iter_rows() for cell in row]
        assert not [c.value for c in cells if c.data_type == "f"], "no cell is a formula"
        # XML reads a carriage return back as a line feed.
        written = {str(c.value).replace("\n", "\r") for c in cells}
    else:
        written = {cell for row in csv.reader(out.open(encoding="utf-8-sig", newline="")) for cell in row}
    assert {f"'{name}" for name in HOSTILE_NAMES} <= written
    assert not written & set(HOSTILE_NAMES)


async def test_a_sender_gone_off_shift_still_stands_their_call_out_down_and_the_next_on_duty_cannot(
    town: Township,
) -> None:
    """Decided: the call-out's sender (and the township's heads) keep its buttons after the sender's shift ends,
    so a call-out is never left without someone who may stand it down; a colleague now on duty is not its sender."""
    duty = await with_duty_members(town)
    await with_volunteers(town)
    await duty.rotation(DutyLayer.PRIMARY, duty.zhao, duty.sun)
    tally = await send_callout(town, duty.zhao)
    await duty.at(local(3, 9, 0))
    stand_down = data_of(tally, "🛑 解除召集")
    assert NOT_ALLOWED in await press_and_expect_nothing(town, duty.sun, tally, stand_down)
    await duty.zhao.click("🛑 解除召集", tally)
    await duty.zhao.click("🛑 确认解除")
    await town.deliver()
    assert "已解除召集" in tally_of(duty.zhao).shown

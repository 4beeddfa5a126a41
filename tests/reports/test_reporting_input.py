"""Reporting with bad input and at the edges: limits, odd messages, edits, abandonment, duplicates, lists."""

import re

from gridguard.db.database import Database
from tests.fakes.clock import FakeClock
from tests.fakes.records import drafts, reports
from tests.fakes.telegram_html import parse_html, utf16_length
from tests.scenarios.township import IN_FENGCHENG, Township, file_report

CODE = re.compile(r"\d{5}-\d{4}-\d{4}")


async def start_evidence(town: Township) -> None:
    user = town.reporter
    await user.send("/report")
    await user.click("🔥 火灾隐患")
    await user.click("🟡 较大")
    await user.send("🏠 用我所在的村／网格")


async def test_only_reporting_roles_may_report(town: Township) -> None:
    [refused] = await town.county.send("/report")
    assert "网格员、志愿者、村（社区）安全员、应急站值班员或站长" in refused.shown
    [stranger] = await town.harness.user("陌生人").send("📢 上报隐患")
    assert "网格员" in stranger.shown


async def test_more_than_five_photos_are_refused_one_by_one(town: Township) -> None:
    await start_evidence(town)
    replies = [(await town.reporter.send_photo())[0].shown for _ in range(6)]
    assert replies[4] == "已收到第 5 个照片／视频。"
    assert "最多 5 个" in replies[5]


async def test_unexpected_messages_at_each_step_are_explained(town: Township) -> None:
    user = town.reporter
    await user.send("/report")
    [hint] = await user.send("火灾")
    assert "请点上面的按钮" in hint.shown
    await user.click("🔥 火灾隐患")
    [hint] = await user.send_sticker()
    assert "请点上面的按钮" in hint.shown
    await user.click("🟠 重大")
    [where] = await user.send_voice()
    assert "发送位置" in where.shown
    await user.send("🏠 用我所在的村／网格")
    [kinds] = await user.send_sticker()
    assert "照片、短视频、文字或语音" in kinds.shown
    [empty] = await user.send("✅ 完成")
    assert "至少发一张照片" in empty.shown
    [voice] = await user.send_voice()
    assert "语音" in voice.shown
    replies = await user.send("✅ 完成")
    assert "请核对报告" in replies[-1].shown and "语音：有" in replies[-1].shown


async def test_a_far_away_location_is_kept_with_a_warning(town: Township) -> None:
    user = town.reporter
    await user.send("/report")
    await user.click("🔥 火灾隐患")
    await user.click("🟠 重大")
    replies = await user.send_location(39.9, 116.4)
    assert "不在本地区范围内" in replies[0].shown
    await user.send("北京的某处")
    replies = await user.send("✅ 完成")
    assert "39.90000, 116.40000" in replies[-1].shown


async def test_a_long_description_is_cut_on_the_card_and_whole_in_the_details(town: Township) -> None:
    long_text = "电线老化，" * 500
    filed = await file_report(town.reporter, text=long_text, photos=1)
    code = CODE.search(filed.shown).group(0)  # type: ignore[union-attr]
    await town.deliver()
    [card] = town.cards(town.officer)
    assert card.caption is not None and utf16_length(card.caption) <= 1024
    assert "全文点“详情”" in card.caption
    details = await town.officer.send(f"/report {code}")
    assert sum(m.shown.count("电线老化") for m in details) == 500
    assert all(utf16_length(parse_html(m.html)) <= 4096 for m in details if m.html and m.text)


async def test_a_step_can_be_edited_from_the_summary(town: Township, db: Database) -> None:
    user = town.reporter
    await start_evidence(town)
    await user.send("有烟")
    await user.send("✅ 完成")
    await user.click("✏️ 改等级")
    replies = await user.click("🔴 紧急")
    assert "等级：🔴 紧急" in replies[-1].shown and "请核对报告" in replies[-1].shown
    await user.click("✅ 确认提交")
    [report] = await reports(db)
    assert report.severity == "critical"


async def test_cancel_discards_the_draft(town: Township, db: Database) -> None:
    await start_evidence(town)
    [cancelled] = await town.reporter.send("/cancel")
    assert "已取消" in cancelled.shown
    assert await drafts(db) == []
    [stale] = await town.reporter.send("有烟")
    assert "没看懂" in stale.shown


async def test_a_draft_left_for_30_minutes_is_discarded_with_a_notice(town: Township, db: Database) -> None:
    await start_evidence(town)
    await town.after(minutes=29)
    assert not any("已作废" in m.shown for m in town.reporter.inbox)
    await town.after(minutes=2)
    [notice] = [m for m in town.reporter.inbox if "已作废" in m.shown]
    assert "30 分钟" in notice.shown
    [gone] = await town.reporter.send("有烟")
    assert "已因长时间没有操作而作废" in gone.shown
    assert await reports(db) == []


async def test_a_nearby_open_report_of_the_same_kind_is_offered_as_a_duplicate(town: Township, db: Database) -> None:
    first = CODE.search((await file_report(town.reporter)).shown).group(0)  # type: ignore[union-attr]
    await town.deliver()
    nearby = (IN_FENGCHENG[0] + 0.001, IN_FENGCHENG[1])
    hint = await file_report(town.reporter, location=nearby, text="仓库又冒烟了")
    assert "附近已有一份未处理的同类报告" in hint.shown
    assert f"{first}（🔥 火灾隐患，待确认）" in hint.shown and "凤城镇 › 美法村委会" in hint.shown
    assert "村口仓库电线老化冒烟" in hint.shown, "the hint shows what the offered report says"
    replies = await town.reporter.click(f"➕ 补充到 {first}", hint)
    assert "已补充到报告" in replies[-1].shown
    [report] = await reports(db)
    assert "仓库又冒烟了" in (report.description or "")
    far = await file_report(town.reporter, location=(IN_FENGCHENG[0] + 0.01, IN_FENGCHENG[1]))
    assert "已提交" in far.shown
    hint_again = await file_report(town.reporter, location=nearby)
    replies = await town.reporter.click("🆕 这是新的隐患，单独提交", hint_again)
    assert "已提交" in replies[-1].shown


async def test_reports_lists_own_and_open_ones_unacknowledged_first(town: Township) -> None:
    first = CODE.search((await file_report(town.reporter, category="💨 燃气")).shown).group(0)  # type: ignore[union-attr]
    second = CODE.search((await file_report(town.reporter, category="⚡ 用电", location=(25.3, 118.4))).shown).group(0)  # type: ignore[union-attr]
    await town.deliver()
    await town.officer.click("✅ 确认", town.cards(town.officer)[0])
    [listing] = await town.officer.send("/reports")
    assert listing.shown.index(second) < listing.shown.index(first)
    [mine] = await town.reporter.send("📋 报告列表")
    assert first in mine.shown and second in mine.shown and "我上报的" in mine.shown
    [outsider] = await town.other_head.send(f"/report {first}")
    assert "没有权限" in outsider.shown
    [unknown] = await town.reporter.send("/report 99999-9999-9999")
    assert "找不到编号" in unknown.shown


async def test_a_linked_station_group_gets_the_card_at_the_duty_step(town: Township) -> None:
    group = town.harness.server.add_group(-100_555, "凤城镇应急站值班群")
    refused = await town.harness.feed(group.id, {"message": group_message(group.id, town.duty.id, "/linkgroup")})
    assert "没有权限" in refused[0].shown
    linked = await town.harness.feed(group.id, {"message": group_message(group.id, town.head.id, "/linkgroup")})
    assert "值班群" in linked[0].shown
    [in_private] = await town.head.send("/linkgroup")
    assert "在应急站的群里" in in_private.shown
    await file_report(town.reporter, severity="🔴 紧急")
    await town.deliver()
    cards = [m for m in town.harness.server.sent_to(group.id) if m.buttons]
    assert len(cards) == 1 and "🔴 紧急" in cards[0].shown


def group_message(chat_id: int, user_id: int, text: str) -> dict[str, object]:
    return {
        "message_id": 1,
        "date": 0,
        "chat": {"id": chat_id, "type": "supergroup", "title": "凤城镇应急站值班群"},
        "from": {"id": user_id, "is_bot": False, "first_name": "x"},
        "text": text,
        "entities": [{"type": "bot_command", "offset": 0, "length": len(text)}],
    }


async def test_a_station_head_adjusts_timeouts_within_bounds(town: Township) -> None:
    [shown] = await town.head.send("/policy")
    assert "🟠 重大：第1级 5 分钟" in shown.shown
    [too_short] = await town.head.send("/policy major 1 0.5")
    assert "超时须在 1 到 20 分钟之间" in too_short.shown
    [set_] = await town.head.send("/policy major 1 2")
    assert "第1级 2 分钟*" in set_.shown
    [bad] = await town.head.send("/policy major x")
    assert "用法" in bad.shown
    [refused] = await town.officer.send("/policy major 1 2")
    assert "没有权限" in refused.shown
    await file_report(town.reporter)
    await town.deliver()
    await town.after(minutes=2)
    assert len(town.cards(town.duty)) == 1


async def test_a_member_of_several_units_picks_one(town: Township, db: Database, clock: FakeClock) -> None:
    from gridguard.directory.enums import Role
    from tests.fakes.world import TOWNSHIP_A, add_member

    await add_member(db, clock.now(), town.reporter.id, "林网格", Role.VOLUNTEER, TOWNSHIP_A)
    user = town.reporter
    await user.send("/report")
    await user.click("🔥 火灾隐患")
    await user.click("🟠 重大")
    replies = await user.send_location(*IN_FENGCHENG)
    pick = replies[-1]
    assert "属于您负责的哪个地方" in pick.shown
    assert sorted(b["text"] for b in pick.buttons) == ["凤城镇", "美法村委会"]
    await user.click("凤城镇", pick)
    await user.send("镇上的事")
    await user.send("✅ 完成")
    await user.click("✅ 确认提交")
    await town.deliver()
    assert town.cards(town.officer) == [] and len(town.cards(town.duty)) == 1


async def test_forged_choices_in_the_flow_are_refused(town: Township) -> None:
    user = town.reporter
    [ask] = await user.send("/report")
    assert await user.press_data(ask, "v1rc:volcano") == []
    assert user.last_alert is not None and "失效" in user.last_alert["text"]
    await user.click("🔥 火灾隐患")
    severity = user.last_with_buttons()
    await user.press_data(severity, "v1rs:apocalyptic")
    assert "失效" in user.last_alert["text"]
    await user.click("🟠 重大")
    await user.send_location(*IN_FENGCHENG)
    assert not any("抱歉" in m.shown for m in user.inbox)

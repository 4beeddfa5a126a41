"""Plan response end to end through the fake Bot API: the flood template adopted, a level previewed and started in
one press, its tasks to their assignees and the progress card edited in place; Ⅱ/Ⅰ on a head's confirmation; the
level changed (only the difference goes out) and ended; overdue tasks and the report cadence; drills."""

from io import BytesIO

from openpyxl import load_workbook
from sqlmodel import col, select

from gridguard.plans.enums import ResponseStatus, TaskStatus
from gridguard.plans.tables import Response, ResponseTask
from tests.callouts.test_callouts import ON_MY_WAY
from tests.scenarios.callouts import alerts_of, with_volunteers
from tests.scenarios.plans import (
    CANT,
    DONE,
    GROUP,
    adopt_flood_plan,
    cards_in,
    link_group,
    preview_level,
    start_level,
    task_titles,
    tasks_of,
)
from tests.scenarios.township import Township, file_report

IV, III, II = "Ⅳ级", "Ⅲ级", "Ⅱ级"
START_PLAN = "🚨 启动应急预案"


async def responses(town: Township) -> list[Response]:
    async with town.db.reading() as session:
        return list((await session.exec(select(Response))).all())


async def tasks(town: Township) -> list[ResponseTask]:
    async with town.db.reading() as session:
        return list((await session.exec(select(ResponseTask).order_by(col(ResponseTask.id)))).all())


async def test_a_head_adopts_the_flood_plan_previews_level_iv_and_starts_it_in_one_press(town: Township) -> None:
    await adopt_flood_plan(town.head)
    assert "已采用模板：防汛防台风应急预案" in town.head.last_alert["text"]  # type: ignore[index]
    preview = await preview_level(town.head, IV)
    assert "启动防汛防台风应急预案Ⅳ级响应？" in preview.shown
    assert "本级不召集志愿者，下发任务 3 项（2 人），每 12 小时向上报送" in preview.shown
    assert tasks_of(town.officer) == [] and await responses(town) == [], "nothing starts before the press"
    await town.head.click("✅ 确认启动", preview)
    await town.deliver()
    assert "已启动Ⅳ级响应：下发任务 3 项，召集 0 人" in town.head.inbox[-2].shown + town.head.last.shown
    assert task_titles(town.officer) == ["巡查山塘水库、低洼易涝点和地质灾害隐患点", "通知危险区域群众做好转移准备"]
    assert task_titles(town.duty) == ["检查防汛物资和避灾点"]
    [task] = tasks_of(town.duty)
    assert "防汛防台风应急预案 Ⅳ级响应" in task.shown and "请于 11-" in task.shown
    [card] = cards_in(town, town.head.id)
    assert "任务：完成 0 / 共 3 · 逾期 0 · 无法完成 0" in card.shown
    assert [b["text"] for b in card.buttons] == ["⬆️⬇️ 调整级别", "🏁 结束响应", "📝 记一笔", "📋 情况日志"]


async def test_the_card_lives_in_the_station_group_and_follows_the_tasks_done(town: Township) -> None:
    await link_group(town)
    await adopt_flood_plan(town.head)
    await start_level(town, town.head, IV)
    [card] = cards_in(town, GROUP)
    first, second = tasks_of(town.officer)
    await town.officer.click(DONE, first)
    assert "请发一张照片或一句说明" in town.officer.last.shown
    await town.officer.send_photo("已巡查完毕，无险情")
    assert "已记录完成" in town.officer.last.shown
    await town.officer.click(CANT, second)
    await town.officer.send("村里广播坏了，正在挨户通知")
    await town.deliver()
    assert "完成 1 / 共 3 · 逾期 0 · 无法完成 1" in card.shown and card.edits >= 1
    [told] = [m for m in town.head.inbox if "无法完成任务" in m.shown]
    assert "陈安全 无法完成任务“通知危险区域群众做好转移准备”：村里广播坏了，正在挨户通知" in told.shown
    done, cant, _ = await tasks(town)
    assert (done.status, done.note, done.photo_file_id is not None) == (TaskStatus.DONE, "已巡查完毕，无险情", True)
    assert (cant.status, cant.note) == (TaskStatus.CANT, "村里广播坏了，正在挨户通知")


async def test_a_duty_member_proposes_level_ii_and_it_starts_only_when_a_head_confirms(town: Township) -> None:
    volunteers = await with_volunteers(town)
    await adopt_flood_plan(town.head)
    preview = await preview_level(town.duty, II)
    assert "Ⅱ级响应需站长确认" in preview.shown
    await town.duty.click("📨 提交站长确认", preview)
    await town.deliver()
    assert any("已提交站长确认" in m.shown for m in town.duty.inbox)
    assert tasks_of(town.officer) == [] and alerts_of(volunteers.huang) == [], "nothing goes out before the head"
    [proposal] = [m for m in town.head.inbox if "提议启动本级响应" in m.shown]
    assert "王值班 提议启动本级响应" in proposal.shown and "启动条件：暴雨或台风橙色预警" in proposal.shown
    await town.head.click("✅ 同意", proposal)
    await town.deliver()
    assert "已同意，响应按Ⅱ级执行" in proposal.shown
    assert task_titles(town.officer) == ["转移低洼地、危房和地质灾害隐患点群众"]
    assert task_titles(volunteers.cai) == ["救援队集结待命"]
    assert all(len(alerts_of(v)) == 1 for v in volunteers.responders)
    assert "防汛防台风Ⅱ级响应已启动" in alerts_of(volunteers.huang)[0].shown
    assert any("李站长 已同意Ⅱ级响应" in m.shown for m in town.duty.inbox)
    [response] = await responses(town)
    assert response.status == ResponseStatus.ACTIVE and response.confirmed_by_id is not None


async def test_a_declined_proposal_starts_nothing(town: Township) -> None:
    await adopt_flood_plan(town.head)
    await start_level(town, town.duty, II)
    [proposal] = [m for m in town.head.inbox if "提议启动本级响应" in m.shown]
    await town.head.click("❌ 不同意", proposal)
    await town.deliver()
    assert tasks_of(town.officer) == []
    assert any("李站长 未同意Ⅱ级响应" in m.shown for m in town.duty.inbox)
    [response] = await responses(town)
    assert response.status == ResponseStatus.DECLINED
    assert "启动防汛防台风应急预案Ⅳ级响应？" in (await preview_level(town.head, IV)).shown, (
        "a declined one blocks nothing"
    )


async def test_a_level_change_sends_only_the_difference_and_going_down_withdraws(town: Township) -> None:
    volunteers = await with_volunteers(town)
    await adopt_flood_plan(town.head)
    await start_level(town, town.head, IV)
    [card] = cards_in(town, town.head.id)
    await town.head.click("⬆️⬇️ 调整级别", card)
    await town.head.click(III)
    assert "由Ⅳ级调整为Ⅲ级：新增任务 2 项，撤回 0 项，新召集 4 人" in town.head.last.shown
    await town.head.click("✅ 确认调整")
    await town.deliver()
    assert len(tasks_of(town.officer)) == 2, "the officer's tasks are the same at Ⅲ: not sent again"
    assert task_titles(town.duty) == ["检查防汛物资和避灾点", "开放避灾点并安排专人值守"]
    assert task_titles(volunteers.cai) == ["救援队集结待命"]
    assert all(len(alerts_of(v)) == 1 for v in volunteers.responders)

    await town.head.click("⬆️⬇️ 调整级别", card)
    await town.head.click(IV)
    assert "新增任务 0 项，撤回 2 项，新召集 0 人" in town.head.last.shown
    await town.head.click("✅ 确认调整")
    await town.deliver()
    assert any("任务“救援队集结待命”已撤回" in m.shown for m in volunteers.cai.inbox)
    await town.head.click("⬆️⬇️ 调整级别", card)
    await town.head.click(III)
    await town.head.click("✅ 确认调整")
    await town.deliver()
    assert all(len(alerts_of(v)) == 1 for v in volunteers.responders), "nobody is called out twice"
    assert len(tasks_of(volunteers.cai)) == 2, "the withdrawn task comes back when the level does"
    statuses = {t.title: t.status for t in await tasks(town) if t.title == "救援队集结待命"}
    assert statuses == {"救援队集结待命": TaskStatus.OPEN}


async def test_ending_withdraws_open_tasks_stands_down_the_call_out_and_writes_a_summary(town: Township) -> None:
    volunteers = await with_volunteers(town)
    await adopt_flood_plan(town.head)
    await start_level(town, town.head, III)
    await volunteers.huang.click(ON_MY_WAY, alerts_of(volunteers.huang)[0])
    [card] = cards_in(town, town.head.id)
    await town.head.click("🏁 结束响应", card)
    await town.head.click("🏁 确认结束")
    await town.deliver()
    assert (
        "响应已结束。历时 0.0 小时；任务完成 0 / 共 5，无法完成 0，结束时撤回 5；召集 4 人，出发或到达 1 人"
        in town.head.last.shown
    )
    assert "🏁 响应已结束。" in card.shown and card.buttons == []
    assert any("已撤回" in m.shown for m in town.officer.inbox)
    assert any("召集已解除（李站长）" in m.shown for m in volunteers.huang.inbox)
    [response] = await responses(town)
    assert response.status == ResponseStatus.ENDED and response.summary is not None
    assert {t.status for t in await tasks(town)} == {TaskStatus.WITHDRAWN}


async def test_an_overdue_task_escalates_to_the_head_once_and_shows_on_the_card(town: Township) -> None:
    await adopt_flood_plan(town.head)
    await start_level(town, town.head, IV)
    [card] = cards_in(town, town.head.id)
    await town.after(hours=6, minutes=1)
    [overdue] = [m for m in town.head.inbox if "逾期未完成" in m.shown]
    assert "2 项任务逾期未完成" in overdue.shown and "陈安全（美法村委会）" in overdue.shown
    assert "逾期 2" in card.shown and "⏰ 巡查山塘水库" in card.shown
    await town.after(hours=1)
    assert len([m for m in town.head.inbox if "逾期未完成" in m.shown]) == 1, "each task escalates once"


async def test_the_report_upward_is_reminded_on_cadence_with_a_draft_from_the_log(town: Township) -> None:
    await adopt_flood_plan(town.head)
    await start_level(town, town.head, IV)
    await town.after(hours=12, minutes=1)
    [draft] = [m for m in town.head.inbox if "请向上级报送第 1 次情况报告" in m.shown]
    assert "一、情况：" in draft.shown and "李站长 启动Ⅳ级响应" in draft.shown and "三、需求：" in draft.shown
    await town.after(minutes=5)
    assert len([m for m in town.head.inbox if "情况报告" in m.shown]) == 1


async def test_a_drill_marks_every_message_it_sends(town: Township) -> None:
    volunteers = await with_volunteers(town)
    await adopt_flood_plan(town.head)
    preview = await preview_level(town.head, III, drill=True)
    assert preview.shown.startswith("【演练】")
    await town.head.click("✅ 确认启动演练", preview)
    await town.deliver()
    assert all(m.shown.startswith("【演练】") for m in tasks_of(town.officer) + tasks_of(volunteers.cai))
    assert cards_in(town, town.head.id)[0].shown.startswith("【演练】")
    assert "【演练】防汛防台风Ⅲ级响应已启动" in alerts_of(volunteers.huang)[0].shown
    [response] = await responses(town)
    assert response.drill
    [listed] = await town.head.send("/alerts")
    assert "【演练】" in listed.shown, "the drill's call-out is listed as one, apart from the real ones"


async def test_the_situation_log_exports_as_a_workbook(town: Township) -> None:
    await adopt_flood_plan(town.head)
    await start_level(town, town.head, IV)
    [card] = cards_in(town, town.head.id)
    await town.head.click("📝 记一笔", card)
    await town.head.send("=HYPERLINK(水位 3.2 米)")
    assert "已记入情况日志" in town.head.last.shown
    await town.officer.click(DONE, tasks_of(town.officer)[0])
    await town.officer.send("巡查完毕 <3 处> & 无险情")
    await file_report(town.reporter, category="🌊 防汛/内涝", text="凤城溪水位上涨")
    await town.head.click("📋 情况日志", card)
    document = town.head.last
    assert document.caption == "防汛防台风应急预案 Ⅳ级 情况日志"
    book = load_workbook(BytesIO(town.harness.server.files[document.media["document"]["file_id"]]))
    log = list(book["情况日志"].iter_rows(values_only=True))
    assert log[0] == ("时间", "记录人", "类别", "内容", "附件")
    assert [row[2] for row in log[1:]] == ["启动", "记录", "任务完成"]
    assert log[2][3] == "'=HYPERLINK(水位 3.2 米)", "a typed entry never becomes a formula"
    assert log[3][3].endswith("巡查完毕 <3 处> & 无险情"), "the log keeps what was written, not its HTML escapes"
    handed = list(book["任务"].iter_rows(values_only=True))
    assert [row[3] for row in handed[1:]] == ["已完成", "待完成", "待完成"]
    filed = list(book["隐患报告"].iter_rows(values_only=True))
    assert len(filed) == 2 and filed[1][3] == "🌊 防汛/内涝" and filed[1][6] == "凤城溪水位上涨", (
        "reports filed meanwhile"
    )


async def test_a_critical_flood_reports_card_opens_the_flood_plan_to_start_a_level(town: Township) -> None:
    await file_report(town.reporter, category="🌊 防汛/内涝", severity="🔴 紧急", text="河水漫过堤坝")
    await town.deliver()
    [card] = [m for m in town.head.inbox if any(b["text"] == START_PLAN for b in m.buttons)]
    await town.head.click(START_PLAN, card)
    assert "本镇还没有防汛防台风预案。发送 /plan 采用模板" in town.head.last.shown
    await adopt_flood_plan(town.head)
    await town.head.click(START_PLAN, card)
    offered = town.head.last
    assert offered.shown.startswith("🚨 报告 ") and "（🌊 防汛/内涝）：启动哪一级响应？" in offered.shown
    await town.head.click("▶️ 启动Ⅳ级", offered)
    await town.head.click("✅ 确认启动")
    await town.deliver()
    assert len(tasks_of(town.officer)) == 2
    assert not any(b["text"] == START_PLAN for m in town.reporter.inbox for b in m.buttons), "not the reporter's"


async def test_level_ii_puts_the_station_and_village_officers_on_reinforced_duty_until_it_goes(town: Township) -> None:
    await adopt_flood_plan(town.head)
    preview = await preview_level(town.head, II)
    assert "，3 人 24 小时加强值班" in preview.shown
    await town.head.click("✅ 确认启动", preview)
    await town.deliver()
    for user in (town.officer, town.duty, town.head):
        assert sum("您已列入 24 小时加强值班" in m.shown for m in user.inbox) == 1
    [board] = await town.reporter.send("/duty")
    assert "🚨 加强值班（防汛防台风应急预案 Ⅱ级响应，全天 24 小时）：" in board.shown
    assert all(name in board.shown for name in ("陈安全", "王值班", "李站长"))
    [card] = cards_in(town, town.head.id)
    assert "🛡️ 24 小时加强值班：3 人" in card.shown
    await town.head.click("⬆️⬇️ 调整级别", card)
    await town.head.click(III)
    await town.head.click("✅ 确认调整")
    await town.deliver()
    for user in (town.officer, town.duty, town.head):
        assert sum("加强值班已解除" in m.shown for m in user.inbox) == 1
    [board] = await town.reporter.send("/duty")
    assert "加强值班" not in board.shown and "加强值班" not in card.shown


async def test_plan_lists_the_running_response_and_brings_its_card_back(town: Township) -> None:
    await adopt_flood_plan(town.head)
    await start_level(town, town.duty, II)
    await town.duty.send("/plan")
    assert "🚨 防汛防台风应急预案 Ⅱ级（待确认）" in town.duty.last.shown
    assert not any(b["text"].startswith("🚨") for b in town.duty.last.buttons), "a proposal has no card to open yet"
    [proposal] = [m for m in town.head.inbox if "提议启动本级响应" in m.shown]
    await town.head.click("✅ 同意", proposal)
    await town.deliver()
    await town.duty.send("/plan")
    await town.duty.click("🚨 防汛防台风应急预案 Ⅱ级")
    card = town.duty.last
    assert "任务：完成 0 / 共" in card.shown and "⬆️⬇️ 调整级别" in [b["text"] for b in card.buttons]


async def test_a_drill_ended_is_the_half_years_drill_record_and_its_reminders_stay_quiet(town: Township) -> None:
    await town.after(minutes=1)
    await adopt_flood_plan(town.head)
    await start_level(town, town.head, IV, drill=True)
    await town.officer.click(DONE, tasks_of(town.officer)[0])
    await town.officer.click("✅ 直接完成")
    [card] = cards_in(town, town.head.id)
    await town.head.click("🏁 结束响应", card)
    await town.head.click("🏁 确认结束")
    assert "已记为本半年的演练（半年应急演练）" in town.head.last.shown
    [records] = await town.head.send("/records")
    assert [b["text"] for b in records.buttons] == ["11-02 周一 09:31 半年应急演练 ✅"], "held when the drill began"
    before = sum("半年应急演练" in m.shown for m in town.head.inbox)
    await town.after(days=42)
    await town.after(hours=24, minutes=30)
    assert sum("半年应急演练" in m.shown for m in town.head.inbox) == before, "the drill is done: no reminder, no ask"


async def test_without_a_drill_the_half_years_drill_is_reminded_as_before(town: Township) -> None:
    await town.after(minutes=1)
    before = sum("半年应急演练" in m.shown for m in town.head.inbox)
    await town.after(days=42)
    await town.after(hours=24, minutes=30)
    assert sum("半年应急演练" in m.shown for m in town.head.inbox) > before

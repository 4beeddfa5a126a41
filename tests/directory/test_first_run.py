"""What people stumbled on in a first run: acting from the lists, the details view, who may report, and a photo
or location sent outside any conversation."""

from tests.scenarios.township import IN_FENGCHENG, Township, code_of, file_report


async def test_the_county_acts_from_the_details_before_a_card_reaches_it(town: Township) -> None:
    code = code_of((await file_report(town.reporter)).shown)
    await town.deliver()
    assert town.cards(town.county) == []
    replies = await town.county.send(f"/report {code}")
    [with_actions] = [m for m in replies if m.buttons]
    assert [b["text"] for b in with_actions.buttons] == ["✅ 确认", "👉 指派", "✔️ 已处置", "🔁 重复", "🚫 驳回"]
    await town.county.click("✅ 确认", with_actions)
    assert town.county.last_alert is not None and "已确认" in town.county.last_alert["text"]
    await town.deliver()
    assert "已确认（张县局" in town.cards(town.officer)[0].shown


async def test_the_reports_list_opens_details_with_the_same_checks(town: Township) -> None:
    await file_report(town.reporter)
    await town.deliver()
    [listing] = await town.county.send("/reports")
    replies = await town.county.click(listing.buttons[0]["text"], listing)
    assert any(m.buttons for m in replies)
    [mine] = await town.reporter.send("/reports")
    reporter_view = await town.reporter.click(mine.buttons[0]["text"], mine)
    assert not any(m.buttons for m in reporter_view), "the reporter sees the report, but no officer's buttons"


async def test_details_say_how_long_it_has_waited_and_the_history_reads_as_words(town: Township) -> None:
    code = code_of((await file_report(town.reporter)).shown)
    await town.deliver()
    await town.after(minutes=7)
    details = "\n".join(m.shown for m in await town.officer.send(f"/report {code}"))
    assert "已等待 7 分钟" in details
    assert "升级通知（系统）：通知应急站值班员" in details
    assert "step" not in details


async def test_a_card_without_a_phone_number_leaves_the_phone_out(town: Township) -> None:
    await file_report(town.reporter)
    await town.deliver()
    card = town.cards(town.officer)[0].shown
    assert "👤 林网格\n" in card and "未填写" not in card


async def test_station_heads_and_duty_members_report_too(town: Township) -> None:
    filed = await file_report(town.head, location=None)
    assert "已提交" in filed.shown
    await town.deliver()
    assert len(town.cards(town.duty)) == 1, "a township-level report starts at the duty step"
    assert "已提交" in (await file_report(town.duty, location=None)).shown


async def test_a_photo_sent_outside_a_report_offers_to_start_one_with_it(town: Township) -> None:
    [offer] = await town.reporter.send_photo(caption="村口电线冒烟")
    assert "要用它上报隐患吗" in offer.shown and "🔥 火灾隐患" in [b["text"] for b in offer.buttons]
    await town.reporter.click("🔥 火灾隐患")
    await town.reporter.click("🟠 重大")
    await town.reporter.send("🏠 用我所在的村／网格")
    [second] = await town.reporter.send_photo()
    assert "第 2 个" in second.shown, "the first photo is already in the report"
    await town.reporter.send("✅ 完成")
    summary = town.reporter.last_with_buttons()
    assert "照片／视频：2 个" in summary.shown and "村口电线冒烟" in summary.shown


async def test_a_location_sent_outside_a_report_skips_the_where_step(town: Township) -> None:
    [offer] = await town.reporter.send_location(*IN_FENGCHENG)
    assert "要在这里上报隐患吗" in offer.shown
    await town.reporter.click("🔥 火灾隐患")
    replies = await town.reporter.click("🟠 重大")
    assert any("第 4 步" in m.shown for m in replies), "straight on to the evidence"


async def test_a_photo_from_someone_who_does_not_report_gets_the_usual_answer(town: Township) -> None:
    [answer] = await town.county.send_photo()
    assert "上报隐患" not in answer.shown and not answer.buttons


async def test_cancel_drops_a_report_offered_for_a_location(town: Township) -> None:
    [offer] = await town.reporter.send_location(*IN_FENGCHENG)
    assert offer.buttons
    [done] = await town.reporter.send("/cancel")
    assert "已取消" in done.shown
    assert await town.reporter.click("🔥 火灾隐患", offer) == []
    assert town.reporter.last_alert is not None and "失效" in town.reporter.last_alert["text"]

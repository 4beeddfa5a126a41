"""One live card per report per person: reminders, a reopen and an assignment reply under the card someone
holds instead of piling up copies; a card says what it is a duplicate of; reopening asks why."""

from tests.scenarios.township import Township, code_of, file_report


async def resolve_first_card(town: Township) -> None:
    await town.officer.click("✔️ 已处置", town.cards(town.officer)[0])
    await town.officer.send("已更换电线")
    await town.officer.send("跳过")
    await town.deliver()


async def test_reopening_asks_why_and_tells_the_card_holders_under_their_card(town: Township) -> None:
    await file_report(town.reporter)
    await town.deliver()
    await resolve_first_card(town)
    [question] = [m for m in town.reporter.inbox if m.buttons and "👎 没修好" in [b["text"] for b in m.buttons]]
    await town.reporter.click("👎 没修好", question)
    [ask] = [m for m in town.reporter.inbox if "为什么还没解决" in m.shown]
    [empty] = await town.reporter.send("   ")
    assert "请写几句说明" in empty.shown
    [done] = await town.reporter.send("还在冒烟")
    assert "已重新打开" in done.shown
    await town.deliver()
    [card] = town.cards(town.officer)
    assert "待确认" in card.shown, "the one card is back to new"
    [told] = [m for m in town.officer.inbox if "重新打开" in m.shown]
    assert "还在冒烟" in told.shown and told.reply_to == card.message_id
    assert ask


async def test_three_reminders_and_a_reopen_leave_one_card(town: Township) -> None:
    await file_report(town.reporter, severity="🟢 一般")
    await town.deliver()
    for _ in range(4):
        await town.after(minutes=10)
    await resolve_first_card(town)
    question = next(m for m in town.reporter.inbox if m.buttons and "👎 没修好" in [b["text"] for b in m.buttons])
    await town.reporter.click("👎 没修好", question)
    await town.reporter.send("没修")
    await town.deliver()
    assert len(town.cards(town.officer)) == 1


async def test_assigning_someone_who_holds_the_card_replies_under_it(town: Township) -> None:
    await file_report(town.reporter, severity="🔴 紧急")
    await town.deliver()
    [duty_card] = town.cards(town.duty)
    await town.officer.click("👉 指派", town.cards(town.officer)[0])
    await town.officer.click("王值班", next(m for m in town.officer.inbox if "指派给谁" in m.shown))
    await town.deliver()
    assert town.cards(town.duty) == [duty_card]
    [told] = [m for m in town.duty.inbox if "指派给您处理" in m.shown]
    assert told.reply_to == duty_card.message_id


async def test_a_duplicates_card_names_its_original(town: Township) -> None:
    first = await file_report(town.reporter, category="💨 燃气")
    await town.deliver()
    await file_report(town.reporter, category="⚡ 用电", location=(25.2, 118.3))
    await town.deliver()
    first_code = code_of(first.shown)
    _, second_card = town.cards(town.officer)
    await town.officer.click("🔁 重复", second_card)
    await town.officer.send(first_code)
    await town.deliver()
    assert f"重复报告，同 {first_code}" in town.cards(town.officer)[1].shown

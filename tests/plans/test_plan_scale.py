"""Plan response at a prefecture's size and under failure: Ⅰ for a thousand volunteers and three hundred village
officers fits every message Telegram carries; two instances pressing start at once start one response; a start
that dies before its commit leaves nothing, and pressed again sends everything once."""

import asyncio
from collections import Counter
from zoneinfo import ZoneInfo

import pytest
from sqlmodel import select

from gridguard.directory.enums import Role
from gridguard.directory.members import MemberProfile, load_profile
from gridguard.kernel.errors import DomainError
from gridguard.plans import plan_desk as plan_desk_module
from gridguard.plans.enums import PlanHazard, ResponseLevel, ResponseStatus
from gridguard.plans.plan_desk import PlanDesk
from gridguard.plans.plan_library import PlanLibrary
from gridguard.plans.tables import ResponseTask
from tests.fakes.records import notifications
from tests.fakes.users import FakeUser
from tests.plans.test_plans import responses
from tests.scenarios.callouts import alerts_of
from tests.scenarios.plans import adopt_flood_plan, cards_in, start_level, tasks_of
from tests.scenarios.township import Township
from tests.test_at_scale import add_members, add_volunteers, fits

OFFICERS = 300


async def add_officers(town: Township, count: int = OFFICERS) -> list[FakeUser]:
    """`count` village safety officers spread over the township's villages, with the longest names allowed."""
    return await add_members(town, count, Role.VILLAGE_OFFICER, "安")


async def profile(town: Township, user: FakeUser) -> MemberProfile:
    async with town.db.reading() as session:
        found = await load_profile(session, user.id, frozenset())
    assert found is not None
    return found


def desk(town: Township) -> PlanDesk:
    """A desk of its own, as another instance of the bot has."""
    return PlanDesk(town.db, town.clock, ZoneInfo("Asia/Shanghai"), "zh")


def plans_of(town: Township) -> PlanLibrary:
    return PlanLibrary(town.db, town.clock, ZoneInfo("Asia/Shanghai"), "zh")


async def flood_plan_id(town: Township) -> int:
    await adopt_flood_plan(town.head)
    library = await plans_of(town).library(await profile(town, town.head))
    return next(p.id for p in library.plans if p.hazard == PlanHazard.FLOOD_TYPHOON)


async def test_level_i_for_a_thousand_volunteers_and_three_hundred_officers_fits_everywhere(town: Township) -> None:
    volunteers = await add_volunteers(town)
    officers = await add_officers(town)
    await adopt_flood_plan(town.head)
    await start_level(town, town.head, "Ⅰ级")
    assert sum(len(alerts_of(v)) for v in volunteers) == 1_000
    assert Counter(len(tasks_of(o)) for o in officers) == Counter({2: OFFICERS})
    [card] = cards_in(town, town.head.id)
    fits(card)
    await town.after(hours=3)
    fits(card)
    assert "逾期 6" in card.shown and "……另有" in card.shown
    [overdue] = [m for m in town.head.inbox if "逾期未完成" in m.shown]
    fits(overdue)
    await town.head.click("📋 情况日志", card)
    assert town.head.last.media["document"]["file_name"].endswith(".xlsx")
    await town.head.click("🏁 结束响应", card)
    await town.head.click("🏁 确认结束")
    await town.deliver()
    assert "结束时撤回" in card.shown
    fits(card)


async def test_two_instances_pressing_start_at_once_start_one_response(town: Township) -> None:
    plan = await flood_plan_id(town)
    head = await profile(town, town.head)
    outcomes = await asyncio.gather(
        desk(town).start(head, plan, ResponseLevel.IV, False),
        desk(town).start(head, plan, ResponseLevel.IV, False),
        return_exceptions=True,
    )
    refused = [o for o in outcomes if isinstance(o, DomainError)]
    assert len(refused) == 1 and refused[0].key == "plan.already_running", outcomes
    [response] = await responses(town)
    queued = [key for key in await notifications(town.db) if key.startswith(f"plan:{response.id}:task:")]
    assert len(queued) == 3, "each task queued once"


async def test_a_start_that_dies_before_its_commit_leaves_nothing_and_goes_whole_when_pressed_again(
    town: Township, monkeypatch: pytest.MonkeyPatch
) -> None:
    plan = await flood_plan_id(town)
    await add_volunteers(town, 20)
    head = await profile(town, town.head)
    before = set(await notifications(town.db))

    async def dies(*_: object, **__: object) -> None:
        raise RuntimeError("the process was killed here")

    with monkeypatch.context() as patched:
        patched.setattr(plan_desk_module, "launch_callout", dies)
        with pytest.raises(RuntimeError):
            await desk(town).start(head, plan, ResponseLevel.III, False)
    assert await responses(town) == []
    assert set(await notifications(town.db)) == before, "nothing queued survives the failed transaction"
    started = await desk(town).start(head, plan, ResponseLevel.III, False)
    assert (started.tasks, started.reached) == (4, 20)
    [response] = await responses(town)
    assert response.status == ResponseStatus.ACTIVE
    async with town.db.reading() as session:
        assert len((await session.exec(select(ResponseTask))).all()) == 4


async def test_two_heads_adopting_one_hazards_plan_at_once_save_one(town: Township) -> None:
    head = await profile(town, town.head)
    outcomes = await asyncio.gather(
        plans_of(town).adopt_template(head, PlanHazard.FLOOD_TYPHOON),
        plans_of(town).adopt_template(head, PlanHazard.FLOOD_TYPHOON),
        return_exceptions=True,
    )
    refused = [o for o in outcomes if isinstance(o, DomainError)]
    assert len(refused) == 1 and refused[0].key == "plan.already_adopted", outcomes
    library = await plans_of(town).library(head)
    assert [p.hazard for p in library.plans] == [PlanHazard.FLOOD_TYPHOON]

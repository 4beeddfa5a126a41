"""Invites and the one permission check: who may invite whom where, and every way a token can fail."""

import asyncio

import pytest

from gridguard.db.database import Database
from gridguard.directory.directory import add_grid, find_unit, path_ids
from gridguard.directory.enums import Role, UnitLevel
from gridguard.directory.invites import (
    InviteProblem,
    InviteSpec,
    check_invite,
    create_invite,
    invitable_units,
    new_token,
    redeem_invite,
)
from gridguard.directory.members import load_profile
from gridguard.directory.permissions import Action, may, role_fits_unit
from gridguard.kernel.errors import DomainError, NotAllowed
from tests.fakes.clock import FakeClock
from tests.fakes.world import (
    TOWNSHIP_A,
    TOWNSHIP_B,
    VILLAGE_A1,
    VILLAGE_A2,
    VILLAGE_B1,
    add_member,
    import_townships,
    invite_token,
)

HEAD = 501
OFFICER = 502
WORKER = 503


@pytest.fixture
async def township(db: Database, clock: FakeClock) -> None:
    await import_townships(db, clock.now(), TOWNSHIP_A, TOWNSHIP_B)
    await add_member(db, clock.now(), HEAD, "李站长", Role.STATION_HEAD, TOWNSHIP_A)
    await add_member(db, clock.now(), OFFICER, "陈安全", Role.VILLAGE_OFFICER, VILLAGE_A1)
    await add_member(db, clock.now(), WORKER, "林网格", Role.GRID_WORKER, VILLAGE_A1)


async def invite_as(db: Database, clock: FakeClock, telegram_id: int, unit_code: str, role: Role) -> str:
    async with db.transaction() as session:
        actor = await load_profile(session, telegram_id, frozenset())
        assert actor is not None
        unit = await find_unit(session, unit_code)
        return (await create_invite(session, actor, InviteSpec(unit, role, 1, 7), clock.now())).token


def test_tokens_are_unguessable_and_fit_a_deep_link() -> None:
    tokens = {new_token() for _ in range(1000)}
    assert len(tokens) == 1000
    assert all(len(t) <= 64 and t.replace("_", "").replace("-", "").isalnum() for t in tokens)


@pytest.mark.usefixtures("township")
async def test_a_station_head_invites_below_their_rank_within_their_township(db: Database, clock: FakeClock) -> None:
    assert await invite_as(db, clock, HEAD, VILLAGE_A1, Role.VILLAGE_OFFICER)
    assert await invite_as(db, clock, HEAD, TOWNSHIP_A, Role.STATION_DUTY)
    with pytest.raises(NotAllowed):
        await invite_as(db, clock, HEAD, TOWNSHIP_A, Role.STATION_HEAD)
    with pytest.raises(NotAllowed):
        await invite_as(db, clock, HEAD, VILLAGE_B1, Role.GRID_WORKER)
    with pytest.raises(NotAllowed):
        await invite_as(db, clock, WORKER, VILLAGE_A1, Role.GRID_WORKER)


@pytest.mark.usefixtures("township")
async def test_a_village_officer_invites_grid_workers_and_volunteers_of_their_own_village_only(
    db: Database, clock: FakeClock
) -> None:
    assert await invite_as(db, clock, OFFICER, VILLAGE_A1, Role.GRID_WORKER)
    assert await invite_as(db, clock, OFFICER, VILLAGE_A1, Role.VOLUNTEER)
    for unit, role in (
        (VILLAGE_A1, Role.VILLAGE_OFFICER),
        (TOWNSHIP_A, Role.RESCUE_TEAM),
        (TOWNSHIP_A, Role.VOLUNTEER),
        (VILLAGE_A2, Role.GRID_WORKER),
        (VILLAGE_B1, Role.VOLUNTEER),
    ):
        with pytest.raises(NotAllowed):
            await invite_as(db, clock, OFFICER, unit, role)


@pytest.mark.usefixtures("township")
async def test_a_role_goes_only_where_it_can_sit(db: Database, clock: FakeClock) -> None:
    with pytest.raises(DomainError, match="invite.role_does_not_fit"):
        await invite_as(db, clock, HEAD, TOWNSHIP_A, Role.VILLAGE_OFFICER)
    with pytest.raises(DomainError, match="invite.role_does_not_fit"):
        await invite_as(db, clock, HEAD, VILLAGE_A1, Role.STATION_DUTY)
    async with db.transaction() as session:
        await add_grid(session, await find_unit(session, VILLAGE_A1), "第一网格", clock.now())
    with pytest.raises(DomainError, match="invite.role_does_not_fit"):
        await invite_as(db, clock, HEAD, VILLAGE_A1, Role.GRID_WORKER)
    assert await invite_as(db, clock, HEAD, f"{VILLAGE_A1}-01", Role.GRID_WORKER)


def test_where_roles_sit() -> None:
    assert role_fits_unit(Role.GRID_WORKER, UnitLevel.GRID)
    assert role_fits_unit(Role.GRID_WORKER, UnitLevel.VILLAGE, village_has_grids=False)
    assert not role_fits_unit(Role.GRID_WORKER, UnitLevel.VILLAGE, village_has_grids=True)
    assert role_fits_unit(Role.VOLUNTEER, UnitLevel.TOWNSHIP)
    assert not role_fits_unit(Role.VOLUNTEER, UnitLevel.GRID)
    assert role_fits_unit(Role.COUNTY_OFFICER, UnitLevel.COUNTY)
    assert not role_fits_unit(Role.STATION_HEAD, UnitLevel.VILLAGE)


@pytest.mark.usefixtures("township")
async def test_who_may_add_grids(db: Database, clock: FakeClock) -> None:
    async with db.transaction() as session:
        head = await load_profile(session, HEAD, frozenset())
        officer = await load_profile(session, OFFICER, frozenset())
        worker = await load_profile(session, WORKER, frozenset())
        admin = await load_profile(session, 777, frozenset({777}))
        path_a = await path_ids(session, await find_unit(session, VILLAGE_A1))
        path_b = await path_ids(session, await find_unit(session, TOWNSHIP_B))
    assert head is not None and officer is not None and worker is not None and admin is not None
    assert may(head, Action.ADD_GRID, path_a) and may(officer, Action.ADD_GRID, path_a)
    assert not may(worker, Action.ADD_GRID, path_a)
    assert not may(head, Action.ADD_GRID, path_b) and not may(officer, Action.ADD_GRID, path_b)
    assert may(admin, Action.ADD_GRID, path_b)
    assert admin.is_admin and not admin.registered


@pytest.mark.usefixtures("township")
async def test_invitable_units_are_the_heads_own_township(db: Database, clock: FakeClock) -> None:
    async with db.transaction() as session:
        head = await load_profile(session, HEAD, frozenset())
        assert head is not None
        villages = await invitable_units(session, head, Role.VILLAGE_OFFICER)
        townships = await invitable_units(session, head, Role.VOLUNTEER)
        with pytest.raises(NotAllowed):
            await invitable_units(session, head, Role.STATION_HEAD)
    assert {v.code[:9] for v in villages} == {TOWNSHIP_A[:9]}
    assert all(v.level == UnitLevel.VILLAGE for v in villages)
    assert any(u.level == UnitLevel.TOWNSHIP for u in townships)


@pytest.mark.usefixtures("township")
@pytest.mark.parametrize(
    ("token", "reason"),
    [("bad token!", "malformed"), ("x" * 65, "malformed"), ("", "malformed"), ("unknownToken123", "unknown")],
)
async def test_malformed_and_unknown_tokens(db: Database, clock: FakeClock, token: str, reason: str) -> None:
    async with db.transaction() as session:
        with pytest.raises(InviteProblem) as caught:
            await check_invite(session, token, clock.now())
    assert caught.value.reason == reason


@pytest.mark.usefixtures("township")
async def test_an_invite_expires_and_runs_out(db: Database, clock: FakeClock) -> None:
    token = await invite_token(db, clock.now(), VILLAGE_A1, Role.VOLUNTEER, uses=2, days=1)
    for telegram_id in (601, 602):
        async with db.transaction() as session:
            await redeem_invite(session, token, telegram_id, clock.now(), name=f"志愿者{telegram_id}")
    async with db.transaction() as session:
        with pytest.raises(InviteProblem, match="used_up"):
            await redeem_invite(session, token, 603, clock.now(), name="第三人")
    fresh = await invite_token(db, clock.now(), VILLAGE_A1, Role.VOLUNTEER, days=1)
    clock.advance(days=1)
    async with db.transaction() as session:
        with pytest.raises(InviteProblem, match="expired"):
            await check_invite(session, fresh, clock.now())


@pytest.mark.usefixtures("township")
async def test_opening_the_same_invite_twice_uses_it_once(db: Database, clock: FakeClock) -> None:
    token = await invite_token(db, clock.now(), VILLAGE_A1, Role.VOLUNTEER, uses=2)
    async with db.transaction() as session:
        first = await redeem_invite(session, token, 700, clock.now(), name="同一人")
    async with db.transaction() as session:
        again = await redeem_invite(session, token, 700, clock.now())
        offer = await check_invite(session, token, clock.now())
    assert first.new_member and not first.already_had_role
    assert again.already_had_role
    assert offer.role == Role.VOLUNTEER


@pytest.mark.usefixtures("township")
async def test_a_member_with_a_second_invite_gains_the_role(db: Database, clock: FakeClock) -> None:
    token = await invite_token(db, clock.now(), TOWNSHIP_A, Role.VOLUNTEER)
    async with db.transaction() as session:
        redemption = await redeem_invite(session, token, WORKER, clock.now())
        profile = await load_profile(session, WORKER, frozenset())
    assert not redemption.new_member
    assert profile is not None
    assert {r.role for r in profile.roles} == {Role.GRID_WORKER, Role.VOLUNTEER}


@pytest.mark.usefixtures("township")
async def test_invite_bounds(db: Database, clock: FakeClock) -> None:
    async with db.transaction() as session:
        head = await load_profile(session, HEAD, frozenset())
        assert head is not None
        unit = await find_unit(session, VILLAGE_A1)
        with pytest.raises(DomainError, match="invite.bad_uses"):
            await create_invite(session, head, InviteSpec(unit, Role.VOLUNTEER, 0, 7), clock.now())
        with pytest.raises(DomainError, match="invite.bad_days"):
            await create_invite(session, head, InviteSpec(unit, Role.VOLUNTEER, 1, 91), clock.now())


@pytest.mark.usefixtures("township")
async def test_two_people_racing_for_the_last_use_one_wins(db: Database, clock: FakeClock) -> None:
    token = await invite_token(db, clock.now(), VILLAGE_A1, Role.VOLUNTEER, uses=1)

    async def redeem(telegram_id: int) -> str:
        try:
            async with db.transaction() as session:
                await redeem_invite(session, token, telegram_id, clock.now(), name=f"抢{telegram_id}")
        except InviteProblem as problem:
            return problem.reason
        return "won"

    outcomes = await asyncio.gather(redeem(801), redeem(802))
    assert sorted(outcomes) == ["used_up", "won"]
